/* metrics.h: the service's figures for GET /metrics, read without scanning jobs. */
#ifndef SCRAPEQ_METRICS_H
#define SCRAPEQ_METRICS_H

#include "db.h"
#include "err.h"
#include "health.h"
#include "job_transition.h"

/* Page counters summed over every daemons row, plus what deleted rows left behind. */
struct metrics_pages {
	long long	 fetched;      /* responses and failed fetches */
	long long	 stored;       /* result rows stored */
	long long	 failed;       /* URLs recorded in crawl_errors */
	long long	 bytes;        /* body bytes fetched */
};

struct metrics {
	struct health		 health;                 /* daemons, queue, as /api/v1/status */
	long long		 jobs[JOB_STATUS__COUNT];  /* by enum job_status, from job_counts */
	struct metrics_pages	 pages;
	long long		 webhook_delivered;      /* deliveries that reached an outcome */
	long long		 webhook_failed;
	long long		 webhook_pending;        /* rows waiting for an attempt now */
	long long		 hubs_alive;             /* scrapeq-events heartbeating */
	long long		 hub_watchers;           /* their open WebSocket and SSE watchers */
};

/*
 * Reads every figure: health_read's, then two statements over small tables (job_counts,
 * daemons, metric_counters, event_hubs) and one index range (pending deliveries).
 * Fills *m (free with metrics_clear). Returns SQ_OK or a database error in e.
 */
enum sq_err metrics_read(struct db *, struct metrics *m, struct sq_error *e);
void	metrics_clear(struct metrics *);     /* NULL ok */

#endif
