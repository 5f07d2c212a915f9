/* sampling.c: seeded, reproducible draws of row positions for seed 004's sampling rounds. */
#include <stdint.h>
#include <string.h>

#include "scrapeq/sampling.h"

/* Exact total * size / sum without overflow for any 64-bit counts. */
__extension__ typedef unsigned __int128 sampling_u128;

void
sampling_rng_init(struct sampling_rng *g, uint64_t seed)
{
	g->s = seed;
}

/* splitmix64 (Steele, Lea, Flood 2014; the constants of Vigna's reference code). */
uint64_t
sampling_rng_next(struct sampling_rng *g)
{
	uint64_t z = (g->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

uint64_t
sampling_rng_below(struct sampling_rng *g, uint64_t n)
{
	uint64_t x, lim;

	if (n == 0)
		return 0;
	lim = UINT64_MAX - UINT64_MAX % n;	/* values at or past lim would favour low residues */
	do
		x = sampling_rng_next(g);
	while (x >= lim);
	return x % n;
}

size_t
sampling_random(uint64_t seed, size_t n, size_t k, size_t *out)
{
	struct sampling_rng	 g;
	size_t			 i, got = 0;

	if (k > n)
		k = n;
	sampling_rng_init(&g, seed);
	for (i = 0; i < n && got < k; i++)
		if (sampling_rng_below(&g, n - i) < k - got)   /* Algorithm S: (k-got)/(n-i) */
			out[got++] = i;
	return got;
}

size_t
sampling_systematic(size_t n, size_t start, size_t interval, size_t max, size_t *out)
{
	size_t i, got = 0;

	if (interval == 0 || start >= interval)
		return (size_t)-1;
	for (i = start; i < n && (max == 0 || got < max); i += interval) {
		out[got++] = i;
		if (n - i <= interval)
			break;                              /* the next step would pass n (or wrap) */
	}
	return got;
}

size_t
sampling_interval(size_t n, size_t k)
{
	if (k == 0)
		return 0;
	return n / k > 0 ? n / k : 1;
}

/* The stratum with room and the largest remainder (earliest on a tie), or nstrata. */
static size_t
largest_remainder(const size_t *sizes, const size_t *alloc, const uint64_t *rem,
    size_t nstrata)
{
	size_t i, best = nstrata;

	for (i = 0; i < nstrata; i++)
		if (alloc[i] < sizes[i] && (best == nstrata || rem[i] > rem[best]))
			best = i;
	return best;
}

size_t
sampling_allocate(const size_t *sizes, size_t nstrata, size_t total, size_t *alloc)
{
	uint64_t	 rem[SAMPLING_STRATA_MAX];
	sampling_u128	 p;
	size_t		 i, sum = 0, given = 0, b;

	if (nstrata > SAMPLING_STRATA_MAX)
		return (size_t)-1;
	for (i = 0; i < nstrata; i++)
		sum += sizes[i];
	if (total >= sum)
		return sampling_allocate_each(sizes, nstrata, SIZE_MAX, alloc);
	for (i = 0; i < nstrata; i++) {
		p = (sampling_u128)total * sizes[i];
		alloc[i] = (size_t)(p / sum);
		rem[i] = (uint64_t)(p % sum);
		given += alloc[i];
	}
	while (given < total && (b = largest_remainder(sizes, alloc, rem, nstrata)) < nstrata) {
		alloc[b]++;
		rem[b] = 0;
		given++;
	}
	return given;
}

size_t
sampling_allocate_each(const size_t *sizes, size_t nstrata, size_t per, size_t *alloc)
{
	size_t i, sum = 0;

	for (i = 0; i < nstrata; i++) {
		alloc[i] = sizes[i] < per ? sizes[i] : per;
		sum += alloc[i];
	}
	return sum;
}

uint64_t
sampling_subseed(uint64_t seed, uint64_t ordinal)
{
	struct sampling_rng g;

	sampling_rng_init(&g, seed ^ (ordinal * UINT64_C(0xd1b54a32d192ed03)));
	return sampling_rng_next(&g);
}
