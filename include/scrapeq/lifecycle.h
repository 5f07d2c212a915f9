/* lifecycle.h: the door a job's creation and every client's state change go through. */
#ifndef SCRAPEQ_LIFECYCLE_H
#define SCRAPEQ_LIFECYCLE_H

#include "auth.h"
#include "db.h"
#include "err.h"
#include "job_transition.h"

/*
 * The outbox (job_events) the event hub and webhooks read holds one row per change:
 *   created             {status}
 *   started, completed, failed, cancelled, requeued (the status moves; see
 *                       lifecycle_event_name) {status, old_status, total_results,
 *                       error, and daemon or lost_daemon when a worker made it}
 *   released            {status, total_results}: a worker let go of a cancelled job
 *   updated             {status}: a client changed fields, not the status
 *   progress            {status, percentage, current_target, results_count}
 *   target_started, target_completed, target_failed {position, results_count}
 * Nothing outside lifecycle.c and lifecycle_lease.c writes it.
 */

/* What a move wrote to the outbox. */
struct lifecycle_change {
	enum job_status		 from, to;
	const char		*event;      /* its job_events type (static text) */
	unsigned long long	 event_id;   /* its job_events.id */
};

/* The event type of a move to `to`: "started", "requeued", else the status name. */
const char *lifecycle_event_name(enum job_status to);

/*
 * Appends one lifecycle line to the job's log (cut to SQ_LOG_MESSAGE_MAX characters),
 * level "info", "warning" or "error". In the caller's transaction.
 */
enum sq_err lifecycle_log(struct db *, const char *jids, const char *level, const char *msg);

/* Counts one more job for the project's UTC day (the daily limit's count). */
enum sq_err lifecycle_count_day(struct db *, const char *pids);

/* The source of a job who creates: "manual" from a login session, else "api". */
enum job_source lifecycle_source(const struct principal *who);

/* A new job, pending, as lifecycle_create writes it. */
struct lifecycle_new {
	const char	*jids;           /* the job, canonical UUID text */
	const char	*pids;           /* its project */
	const char	*type;           /* "scrape", "sampling", a handler's type */
	enum job_source	 source;
	int		 project_run;    /* 1: a run of the project (its run limit applies) */
	const char	*retry_of;       /* UUID text of the job it retries, or NULL */
	const char	*schedule_id;    /* the schedule that made it, or NULL */
	long long	 priority;       /* its own and its queue row's */
	long long	 max_retries;    /* < 0: the column's default */
	const char	*config;         /* JSON text; NULL: {} */
	const char	*metadata;       /* JSON text; NULL: {} */
	const char	*targets;        /* JSON array of the project's target UUID texts, in
					    order; NULL: none */
	size_t		 ntargets;
	const char	*run_after;      /* DATETIME(6) text (its scheduled_at), or NULL: now */
	const char	*created_at;     /* DATETIME(6) text (its created_at and updated_at), or
					    NULL: now */
	const char	*log_message;    /* the "queued" line of its log */
};

/*
 * Creates job n, the same for every kind of job and every dialect: its row, its
 * targets (each one's URL from the project's targets table), the project's count for
 * the UTC day, the queue row, the "created" event, the queued log line and the audit
 * row ("create", after = the job). One round trip: the rows are written by the stored
 * procedure sq_job_create (sql/013_job_create.sql). In the caller's transaction, under
 * the project's row lock, once the role and the limits were checked
 * (job_check_limits). SQ_ERR_CONFLICT when a target is not the project's (any more);
 * else SQ_OK or a db error; on any error the caller rolls back (rows may be written).
 */
enum sq_err lifecycle_create(struct db *, const struct principal *who,
	    const struct lifecycle_new *);

/* A job whose row the caller locked (SELECT ... FOR UPDATE) in its transaction. */
struct lifecycle_job {
	const char	*jids, *pids;
	enum job_status	 status;         /* as locked */
};

/* What a client's move takes from its change; zero for none of it. */
struct lifecycle_args {
	const char	*owner;          /* to running: the lease owner */
	int		 lease;          /* to running: 1 gives it a lease of lease_seconds */
	unsigned	 lease_seconds;
	const char	*started_at;     /* to running, pending: DATETIME(6) text, or NULL */
	const char	*completed_at;   /* to completed, failed: DATETIME(6) text, or NULL: now */
	int		 keep_retry_count; /* to pending: the client set retry_count itself */
	int		 keep_error;     /* to pending: the client set the error itself */
};

/*
 * Moves job j to `to` for a client (an update, a cancel, a retry): the job's row,
 * its targets and its queue row, the move's event, the "Status changed" log line and
 * the audit row (action; before from job_audit_snapshot). Refused with
 * SQ_ERR_CONFLICT when the transition table does not allow it; the caller's own
 * client rules (job_client_transition_allowed, cancel, retry) come first. *out (may
 * be NULL) receives the event. In the caller's transaction.
 */
enum sq_err lifecycle_move(struct db *, const struct principal *who,
	    const struct lifecycle_job *j, enum job_status to, const struct lifecycle_args *,
	    const char *action, const char *before, struct lifecycle_change *out);

/*
 * A client's change of j's fields that moved nothing: the "updated" event and the
 * audit row. *out (may be NULL) receives the event (from = to = j's status).
 */
enum sq_err lifecycle_touch(struct db *, const struct principal *who,
	    const struct lifecycle_job *j, const char *action, const char *before,
	    struct lifecycle_change *out);

#endif
