/* auth_gate.c: a counting gate (mutex + condition variable on the monotonic clock) around password verifications. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "scrapeq/auth_gate.h"

struct auth_gate {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	unsigned	 max, busy, wait_ms;
};

struct auth_gate *
auth_gate_new(unsigned max, unsigned wait_ms)
{
	struct auth_gate	*g;
	pthread_condattr_t	 ca;

	if (max == 0 || (g = calloc(1, sizeof *g)) == NULL)
		return NULL;
	g->max = max;
	g->wait_ms = wait_ms;
	if (pthread_condattr_init(&ca) != 0) {
		free(g);
		return NULL;
	}
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&g->cv, &ca) != 0 || pthread_mutex_init(&g->mu, NULL) != 0) {
		pthread_condattr_destroy(&ca);
		free(g);
		return NULL;
	}
	pthread_condattr_destroy(&ca);
	return g;
}

void
auth_gate_free(struct auth_gate *g)
{
	if (g == NULL)
		return;
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

int
auth_gate_enter(struct auth_gate *g)
{
	struct timespec	 until;
	int		 rc = 0;

	if (g == NULL)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += g->wait_ms / 1000;
	until.tv_nsec += (long)(g->wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&g->mu);
	while (g->busy >= g->max && rc == 0)
		if (pthread_cond_timedwait(&g->cv, &g->mu, &until) == ETIMEDOUT)
			rc = -1;
	/* A slot freed just as the wait ran out still counts. */
	if (g->busy < g->max) {
		g->busy++;
		rc = 0;
	}
	pthread_mutex_unlock(&g->mu);
	return rc;
}

void
auth_gate_leave(struct auth_gate *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	if (g->busy > 0)
		g->busy--;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
}
