/* job_run.h: seed 004's "run" view of the one job model: read and list, with its filters. */
#ifndef SCRAPEQ_JOB_RUN_H
#define SCRAPEQ_JOB_RUN_H

#include <stddef.h>
#include "auth.h"
#include "db.h"
#include "err.h"
#include "job_transition.h"
#include "uuid.h"

/*
 * How seed 004's fields are views of the job's columns:
 *   run_type          = jobs.type ("scrape", "sampling", a handler type)
 *   user_id           = jobs.created_by; user_soeid = that user's users.external_id
 *   dataset_id        = config.dataset_id   (a sampling job's source dataset; NULL otherwise)
 *   dataset_name      = config.dataset_name
 *   source_commit_id  = config.source_job_id (the job whose results the dataset resolved to)
 *   run_parameters    = config; output_summary = result; error_message = error.message
 *   completed_at      = completed_at, or cancelled_at for a cancelled job (as seeds 001, 003)
 *   duration_seconds  = completed_at - started_at, to the microsecond
 * Strings point into the database row: valid only during the callback.
 */
struct job_run {
	struct uuid	 id;
	const char	*type;
	enum job_status	 status;
	long long	 user_id;                /* -1: no creator recorded */
	const char	*user_soeid;             /* NULL when none */
	const char	*dataset_id;
	const char	*dataset_name;
	const char	*source_commit_id;
	const char	*config;                 /* JSON text */
	const char	*result;                 /* JSON text or NULL */
	const char	*error_message;          /* NULL when none */
	const char	*created_at;             /* DATETIME(6) text, UTC */
	const char	*completed_at;           /* when it ended; NULL while not finished */
	long long	 duration_us;            /* -1 when unknown */
};

/* Filters of GET /api/jobs; NULL (or has_ 0) means any. */
struct job_run_filter {
	const struct uuid *id;
	int		 has_status;
	enum job_status	 status;
	const char	*type;
	long long	 user_id;                /* -1: any */
	const char	*user_soeid;
	const char	*dataset_id;
};

/* Called once per job, newest first. Returns 0 to go on. */
typedef int (*job_run_fn)(void *arg, const struct job_run *);

/*
 * Hands fn the jobs of every project who is a member of that match f, newest first,
 * offset/limit applied; *total (may be NULL: not counted) gets the match count.
 * Jobs of other projects are never seen. A db error may come after some jobs.
 */
enum sq_err job_run_each(struct db *, const struct principal *who, const struct job_run_filter *f,
	    long long offset, long long limit, job_run_fn fn, void *arg, long long *total,
	    struct sq_error *);

/* One job by id: SQ_ERR_NOT_FOUND ("Job not found") unless who is a member of its project. */
enum sq_err job_run_get(struct db *, const struct principal *who, const struct uuid *id,
	    job_run_fn fn, void *arg, struct sq_error *);

#endif
