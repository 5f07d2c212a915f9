/*
 * bench/reqstats.c: the cost of reqstats_record, what every answered request adds to
 * the pool's hot path for GET /metrics: N calls in one thread, then in P processes
 * of T threads at once on the one shared mapping (as the pool's workers share it),
 * each thread on the same group and code (the worst case: every add on one line).
 * Prints nanoseconds per call. Build and run from the tree after make:
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -Isrc/api bench/reqstats.c src/api/reqstats.c \
 *     libscrapeq_core.a -lpthread -o /tmp/bench-reqstats && /tmp/bench-reqstats
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "reqstats.h"

#define CALLS 5000000L
#define PROCS 2
#define THREADS 4

static struct reqstats *s;

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *
loop(void *arg)
{
	long i;

	(void)arg;
	for (i = 0; i < CALLS; i++)
		reqstats_record(s, RG_V1, 200, 0.0004 + (double)(i & 7) * 0.001);
	return NULL;
}

static void
threads(void)
{
	pthread_t	 t[THREADS];
	int		 i;

	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, loop, NULL);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
}

int
main(void)
{
	double	 t0;
	int	 i;

	if ((s = reqstats_new()) == NULL)
		return 1;
	t0 = now();
	loop(NULL);
	printf("1 thread:                  %.1f ns per request counted\n",
	    (now() - t0) * 1e9 / CALLS);
	t0 = now();
	for (i = 0; i < PROCS; i++)
		if (fork() == 0) {
			threads();
			_exit(0);
		}
	for (i = 0; i < PROCS; i++)
		wait(NULL);
	printf("%d processes x %d threads: %.1f ns per request counted (wall / calls, %ld calls; %d CPUs)\n",
	    PROCS, THREADS, (now() - t0) * 1e9 / (CALLS * PROCS * THREADS), CALLS * PROCS * THREADS,
	    (int)sysconf(_SC_NPROCESSORS_ONLN));
	printf("counted: %llu (want %ld)\n",
	    (unsigned long long)atomic_load(&s->g[RG_V1].codes[200 - REQSTATS_CODE_MIN]),
	    CALLS * (1 + PROCS * THREADS));
	return 0;
}
