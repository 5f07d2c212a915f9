/* health.h: what a sysadmin checks first: live daemons, the queue, running and pending jobs. */
#ifndef SCRAPEQ_HEALTH_H
#define SCRAPEQ_HEALTH_H

#include <stddef.h>
#include "db.h"
#include "err.h"

/* A daemon whose heartbeat is within SQ_DAEMON_ALIVE_SECONDS and that did not stop. */
struct health_daemon {
	char		 id[65];
	char		 host[256];
	long long	 pid;
	char		 started_at[32];      /* DATETIME(6) text, UTC */
	char		 heartbeat_at[32];
	long long	 jobs_running;
};

struct health {
	long long		 daemons_alive;
	struct health_daemon	*daemons;     /* at most SQ_STATUS_DAEMONS_MAX, by id */
	size_t			 ndaemons;
	long long		 queue_depth;      /* job_queue rows claimable now */
	long long		 queue_scheduled;  /* job_queue rows whose run_after is ahead */
	long long		 oldest_waiting_seconds; /* since the oldest claimable row's run_after; -1: none */
	long long		 jobs_running;     /* from job_counts, every project */
	long long		 jobs_pending;
};

/*
 * Reads the figures in two statements, neither of which scans jobs: the counts come
 * from the trigger-kept job_counts rows, the queue figures from job_queue's claim
 * index. Fills *h (free with health_clear). Returns SQ_OK or a database error.
 */
enum sq_err health_read(struct db *, struct health *h, struct sq_error *e);
void	health_clear(struct health *);        /* NULL ok; leaves *h zeroed */

struct jsonw;

/*
 * Writes h's members into the JSON object w is in: "daemons" {alive, items}, "queue",
 * "jobs", "events" {up: events_up}. The items (hosts and pids, the sysadmin's
 * business) only with with_daemons; times as RFC 3339, null when unreadable. One
 * shape for GET /api/v1/status and `scrapeqctl status --json`.
 */
void	health_json(struct jsonw *w, const struct health *h, int with_daemons, int events_up);

#endif
