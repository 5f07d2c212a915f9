/* lifecycle_lease.h: the door for jobs a worker holds by lease: claim, progress, end, reclaim. */
#ifndef SCRAPEQ_LIFECYCLE_LEASE_H
#define SCRAPEQ_LIFECYCLE_LEASE_H

#include <stddef.h>
#include "db.h"
#include "err.h"
#include "lifecycle.h"

/*
 * What a set-based move wrote to the outbox (lifecycle.h lists the rows): how many
 * events and the first one's id. Their ids are consecutive under MariaDB's default
 * innodb_autoinc_lock_mode (1); a reader that must not rely on it reads by job.
 */
struct lifecycle_batch {
	size_t			 events;
	unsigned long long	 first_id;
};

/*
 * Claims the jobs in ids (a JSON array of job UUID texts whose job_queue rows the
 * caller locked with SKIP LOCKED, in its transaction): their queue rows go, each
 * pending job moves to running with daemon as lease owner for lease_seconds, with a
 * "started" event (data.daemon) and a "Job started" line. A job of type "noop" goes
 * on to completed in the same statement (its "completed" event and line follow).
 * Both moves are bound to the transition table's guards. *out may be NULL.
 */
enum sq_err lifecycle_claim(struct db *, const char *daemon, const char *ids,
	    unsigned lease_seconds, struct lifecycle_batch *out);

/*
 * Takes back the jobs in ids (running, their lease expired, locked by the caller):
 * each goes to pending with retry_count + 1 and its queue row, or to failed
 * (LEASE_LOST) once its retries are used up; a warning line names the lost daemon,
 * the event carries it as data.lost_daemon; running targets go back to pending.
 */
enum sq_err lifecycle_reclaim(struct db *, const char *ids, struct lifecycle_batch *out);

/* How a worker lets go of one job it holds. */
struct lifecycle_end {
	enum job_status	 to;             /* completed, failed or pending; cancelled: the
					    job was cancelled, its status stays */
	int		 retry;          /* to pending: 1 counts a retry */
	long long	 delay_seconds;  /* to pending: it runs again after this */
	long long	 priority;       /* to pending: its queue row's */
	const char	*stats, *result, *error;   /* JSON texts, or NULL: unchanged */
	const char	*level, *message; /* its log line; message NULL: none */
};

/*
 * Ends daemon's lease on job jids as e says, in the caller's transaction (which
 * locked the row): the row, the queue row of a job going back to pending, the event
 * ("completed", "failed", "requeued", or "released" for a cancelled job) and the log
 * line. SQ_ERR_CONFLICT when daemon does not hold the job in the status the table
 * allows the move from. *out (may be NULL) receives the event.
 */
enum sq_err lifecycle_lease_end(struct db *, const char *daemon, const char *jids,
	    const struct lifecycle_end *e, struct lifecycle_change *out);

/* What a worker's crawl of one job did since it last said. */
struct lifecycle_progress {
	const char	*job;            /* UUID text */
	long long	 completed;      /* targets done; < 0: unchanged */
	const char	*current;        /* the target it is on, UUID text; NULL: unchanged */
	long long	 added;          /* results stored since */
	const char	*stats;          /* JSON text, or NULL: unchanged */
};

/*
 * Records p[0..n) on their jobs while daemon holds them, each with its "progress"
 * event (in the order of p) when what that event says (status, percentage, current
 * target, results count) changes, or a job without targets reports other stats;
 * nothing for a job daemon no longer holds. Two statements whatever n is. In the
 * caller's transaction. Each job at most once in p.
 */
enum sq_err lifecycle_progress(struct db *, const char *daemon,
	    const struct lifecycle_progress *p, size_t n);

/*
 * Appends a worker's target events: json (len bytes) is an array of objects
 * {j: job, p: project, y: type, x: data object}, y one of target_started,
 * target_completed, target_failed.
 */
enum sq_err lifecycle_target_events(struct db *, const char *json, size_t len);

#endif
