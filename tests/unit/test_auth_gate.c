/* test_auth_gate.c: at most max threads inside the gate; the rest wait their bound, then are refused. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "scrapeq/auth_gate.h"
#include "tap.h"

#define CHECK(cond, what) TAP_CHECK(cond, "%s", what)
#define THREADS 6

static atomic_int inside, most, entered, refused;

struct run {
	struct auth_gate	*g;
	unsigned		 hold_ms;
};

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *
worker(void *arg)
{
	struct run	*r = arg;
	int		 n;

	if (auth_gate_enter(r->g) != 0) {
		atomic_fetch_add(&refused, 1);
		return NULL;
	}
	n = atomic_fetch_add(&inside, 1) + 1;
	while (n > atomic_load(&most) && !atomic_compare_exchange_weak(&most, &(int){ atomic_load(&most) }, n))
		continue;
	atomic_fetch_add(&entered, 1);
	usleep(r->hold_ms * 1000);
	atomic_fetch_sub(&inside, 1);
	auth_gate_leave(r->g);
	return NULL;
}

/* Runs THREADS threads through a gate; returns the wall time in ms. */
static double
flood(unsigned max, unsigned wait_ms, unsigned hold_ms)
{
	struct run	 r = { auth_gate_new(max, wait_ms), hold_ms };
	pthread_t	 t[THREADS];
	double		 t0 = now_ms();
	int		 i;

	atomic_store(&inside, 0);
	atomic_store(&most, 0);
	atomic_store(&entered, 0);
	atomic_store(&refused, 0);
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, &r);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	auth_gate_free(r.g);
	return now_ms() - t0;
}

int
main(void)
{
	double	 ms;
	char	 what[128];

	CHECK(auth_gate_new(0, 10) == NULL, "max 0 is refused");
	CHECK(auth_gate_enter(NULL) == 0, "a NULL gate lets in");
	auth_gate_leave(NULL);

	/* 2 slots held 300 ms, waits of 50 ms: two get in, four are refused. */
	ms = flood(2, 50, 300);
	snprintf(what, sizeof what, "short waits: %d in, %d refused, at most %d at once, %.0f ms",
	    atomic_load(&entered), atomic_load(&refused), atomic_load(&most), ms);
	CHECK(atomic_load(&entered) == 2 && atomic_load(&refused) == 4 && atomic_load(&most) == 2,
	    what);
	CHECK(ms < 2000, "nobody waits past the bound");

	/* Waits long enough for everyone: all get in, never more than 2 at once. */
	ms = flood(2, 5000, 50);
	snprintf(what, sizeof what, "long waits: %d in, %d refused, at most %d at once, %.0f ms",
	    atomic_load(&entered), atomic_load(&refused), atomic_load(&most), ms);
	CHECK(atomic_load(&entered) == THREADS && atomic_load(&refused) == 0 &&
	    atomic_load(&most) <= 2, what);
	CHECK(ms >= 3 * 50 - 10, "three rounds of two took their time");

	/* wait 0: whoever finds the slot taken is refused at once. */
	ms = flood(1, 0, 200);
	snprintf(what, sizeof what, "wait 0: %d in, %d refused, %.0f ms", atomic_load(&entered),
	    atomic_load(&refused), ms);
	CHECK(atomic_load(&entered) >= 1 && atomic_load(&most) == 1 &&
	    atomic_load(&entered) + atomic_load(&refused) == THREADS, what);
	return tap_done("test_auth_gate");
}
