/* reqstats.h: the pool's request counters and latency histogram, shared by every worker process. */
#ifndef SCRAPEQ_REQSTATS_H
#define SCRAPEQ_REQSTATS_H

#include <stdatomic.h>
#include <stddef.h>

/* Route groups: one per dialect, plus auth, metrics and other, so label sets stay few. */
enum reqstats_group {
	RG_V1,
	RG_SCRAPEJOBS,
	RG_INTEGRATOR,
	RG_WORKSPACE,
	RG_DATASETS,
	RG_AUTH,
	RG_METRICS,
	RG_OTHER,
	RG__COUNT
};

#define REQSTATS_CODE_MIN 100
#define REQSTATS_CODE_MAX 599
#define REQSTATS_CODES    (REQSTATS_CODE_MAX - REQSTATS_CODE_MIN + 1)
#define REQSTATS_BUCKETS  14       /* reqstats_bucket_le's bounds, the last +Inf */

struct reqstats_group_ctr {
	atomic_ullong	 codes[REQSTATS_CODES];      /* requests by status code */
	atomic_ullong	 buckets[REQSTATS_BUCKETS];  /* not cumulative: each bound's own */
	atomic_ullong	 sum_us;                     /* durations, microseconds */
};

struct reqstats {
	long long			 started;    /* the supervisor's start, Unix seconds */
	struct reqstats_group_ctr	 g[RG__COUNT];
};

/*
 * A zeroed reqstats in a shared anonymous mapping: made by the supervisor before it
 * forks, so every worker, and every worker restarted in a dead one's place, adds to
 * the same counters, which therefore never go backwards while the supervisor lives.
 * NULL (logged) when the mapping fails. Never freed: it lives as long as the pool.
 */
struct reqstats *reqstats_new(void);

/* Counts one answered request: lock-free atomic adds, no system call. NULL s: nothing. */
void	reqstats_record(struct reqstats *s, enum reqstats_group g, int status, double seconds);

const char *reqstats_group_name(enum reqstats_group);   /* "v1", ... */
/* The upper bound of bucket i in seconds; the last is +Inf (HUGE_VAL). */
double	reqstats_bucket_le(size_t i);

#endif
