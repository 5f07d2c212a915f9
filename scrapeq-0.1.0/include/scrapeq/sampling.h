/* sampling.h: seed 004's row-drawing rules (random, stratified, systematic) as pure, seeded functions. */
#ifndef SCRAPEQ_SAMPLING_H
#define SCRAPEQ_SAMPLING_H

#include <stddef.h>
#include <stdint.h>

#define SAMPLING_STRATA_MAX 64	/* distinct values of a stratified round's column */

/*
 * A small PRNG (splitmix64) whose sequence is fixed by its seed on every platform
 * and every build: a sampling job records its seed, and the same seed over the same
 * rows must draw the same rows again, years later, on another host. Not for secrets.
 */
struct sampling_rng {
	uint64_t	 s;
};

void		sampling_rng_init(struct sampling_rng *, uint64_t seed);
uint64_t	sampling_rng_next(struct sampling_rng *);
/* A uniform value in [0, n), without modulo bias; 0 when n is 0. */
uint64_t	sampling_rng_below(struct sampling_rng *, uint64_t n);

/*
 * Simple random sampling without replacement: picks min(k, n) distinct positions of
 * [0, n) with equal probability (Knuth's Algorithm S, TAOCP 3.4.2), writes them to
 * out in ascending order and returns how many. One pass, no memory beyond out, which
 * must hold min(k, n) entries. The choice depends only on (seed, n, k).
 */
size_t	sampling_random(uint64_t seed, size_t n, size_t k, size_t *out);

/*
 * Systematic sampling: positions start, start + interval, ... below n, at most max of
 * them (max 0: no cap), ascending in out. Returns how many, or (size_t)-1 when
 * interval is 0 or start is not below interval (the caller's 422).
 */
size_t	sampling_systematic(size_t n, size_t start, size_t interval, size_t max, size_t *out);

/*
 * The interval that spreads k positions over n (n / k, at least 1): systematic
 * sampling by sample_size. 0 when k is 0.
 */
size_t	sampling_interval(size_t n, size_t k);

/*
 * Stratified sampling, total mode: shares total among nstrata strata of the given
 * sizes in proportion to their size (Hamilton's largest remainder; ties to the
 * earlier stratum), never more than a stratum holds; when total >= the sum of sizes,
 * every row. Writes each stratum's share to alloc and returns the sum, or
 * (size_t)-1 for more than SAMPLING_STRATA_MAX strata (the caller's 422).
 */
size_t	sampling_allocate(const size_t *sizes, size_t nstrata, size_t total, size_t *alloc);

/* Stratified sampling, per-stratum mode: min(per, size) from each. Returns the sum. */
size_t	sampling_allocate_each(const size_t *sizes, size_t nstrata, size_t per, size_t *alloc);

/*
 * The seed a stratum's own random draw uses: derived from the job's seed and the
 * stratum's ordinal, so strata are independent and the whole draw reproducible.
 */
uint64_t	sampling_subseed(uint64_t seed, uint64_t ordinal);

#endif
