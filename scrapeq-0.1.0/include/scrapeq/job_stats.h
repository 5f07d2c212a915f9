/* job_stats.h: job counts, rates, durations and throughput over a caller's projects, from SQL aggregates. */
#ifndef SCRAPEQ_JOB_STATS_H
#define SCRAPEQ_JOB_STATS_H

#include <stddef.h>
#include "auth.h"
#include "db.h"
#include "err.h"
#include "job_transition.h"

#define JOB_STATS_GROUPS_MAX 100   /* domains or job types listed, most jobs first */

/* One group of jobs (all of them, one domain, one job type). */
struct job_stats_row {
	char		 key[2049];                 /* the domain URL or the core type; "" for all */
	long long	 total;
	long long	 by_status[JOB_STATUS__COUNT];
	double		 avg_duration_seconds;      /* over completed jobs; -1: none */
	long long	 pages;                     /* stats.pagesProcessed (else results) of completed jobs */
	double		 busy_seconds;              /* their summed durations */
};

/* Percent of finished (completed + failed) jobs that completed / failed; 0 when none. */
double	job_stats_success_rate(const struct job_stats_row *);
double	job_stats_failure_rate(const struct job_stats_row *);
/* Pages per minute of completed jobs' run time; 0 when none. */
double	job_stats_pages_per_minute(const struct job_stats_row *);

enum job_stats_by { JOB_STATS_ALL, JOB_STATS_DOMAIN, JOB_STATS_TYPE };

/*
 * Aggregates every job of every project who is a member of, grouped by by: one row
 * for JOB_STATS_ALL, up to JOB_STATS_GROUPS_MAX otherwise. *rows (n) is the caller's
 * to free.
 */
enum sq_err job_stats(struct db *, const struct principal *who, enum job_stats_by by,
	    struct job_stats_row **rows, size_t *n, struct sq_error *);

#endif
