/* reqstats.c: counts every answered request by route group and status, and its duration, across the pool. */
#include <math.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#include "scrapeq/log.h"
#include "reqstats.h"

/* Prometheus' default buckets, widened at the low end: most answers take under 5 ms. */
static const double bounds[REQSTATS_BUCKETS - 1] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

static const char *const names[RG__COUNT] = {
	"v1", "scrapejobs", "integrator", "workspace", "datasets", "auth", "metrics", "other",
};

struct reqstats *
reqstats_new(void)
{
	struct reqstats *s;

	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED) {
		log_err("reqstats: mmap of %zu bytes failed", sizeof(*s));
		return NULL;
	}
	s->started = (long long)time(NULL);       /* the mapping comes zeroed */
	return s;
}

void
reqstats_record(struct reqstats *s, enum reqstats_group g, int status, double seconds)
{
	struct reqstats_group_ctr	*c;
	size_t				 i = 0;

	if (s == NULL || (unsigned)g >= RG__COUNT)
		return;
	c = &s->g[g];
	if (status >= REQSTATS_CODE_MIN && status <= REQSTATS_CODE_MAX)
		atomic_fetch_add_explicit(&c->codes[status - REQSTATS_CODE_MIN], 1,
		    memory_order_relaxed);
	while (i < REQSTATS_BUCKETS - 1 && seconds > bounds[i])
		i++;
	atomic_fetch_add_explicit(&c->buckets[i], 1, memory_order_relaxed);
	if (seconds > 0)
		atomic_fetch_add_explicit(&c->sum_us, (unsigned long long)(seconds * 1e6 + 0.5),
		    memory_order_relaxed);
}

const char *
reqstats_group_name(enum reqstats_group g)
{
	return (unsigned)g < RG__COUNT ? names[g] : "other";
}

double
reqstats_bucket_le(size_t i)
{
	return i < REQSTATS_BUCKETS - 1 ? bounds[i] : HUGE_VAL;
}
