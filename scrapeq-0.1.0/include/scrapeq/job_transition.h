/* job_transition.h: the canonical job statuses and which changes between them are legal. */
#ifndef SCRAPEQ_JOB_TRANSITION_H
#define SCRAPEQ_JOB_TRANSITION_H

enum job_status {
	JOB_PENDING,
	JOB_RUNNING,
	JOB_COMPLETED,
	JOB_FAILED,
	JOB_CANCELLED,
	JOB_STATUS__COUNT
};

enum job_source {
	JOB_SRC_MANUAL,
	JOB_SRC_SCHEDULED,
	JOB_SRC_API,
	JOB_SRC_RETRY,
	JOB_SOURCE__COUNT
};

/* Canonical names ("pending" ...), as stored in MariaDB; "unknown" out of range. */
const char *job_status_name(enum job_status);
/* Parses a canonical status name (exact, lower case). Returns 0 or -1. */
int	job_status_parse(const char *s, enum job_status *out);
const char *job_source_name(enum job_source);
int	job_source_parse(const char *s, enum job_source *out);

/* Returns 1 when a job may move from -> to, else 0. A status never moves to itself. */
int	job_transition_allowed(enum job_status from, enum job_status to);
/*
 * Returns 1 when a client may move a job from -> to by an update (seed 001's PUT):
 * pending -> running, cancelled; running -> completed, failed, cancelled;
 * failed -> pending (a retry), cancelled. completed and cancelled are final. A
 * narrower table than job_transition_allowed: the daemon's own moves (a requeue of
 * a running job, a pending job failing at claim) are not a client's to make.
 */
int	job_client_transition_allowed(enum job_status from, enum job_status to);
/*
 * The guard a statement moving jobs from -> to carries: from's name, to bind as
 * "status = ?", or NULL when the table refuses the move (the statement must not run).
 * Every status change in SQL, the daemon's set-based ones included, binds its guard
 * from here, so the table above is the only place a move is allowed.
 */
const char *job_transition_guard(enum job_status from, enum job_status to);
/* Returns 1 for completed, failed and cancelled. */
int	job_status_terminal(enum job_status);
/* The cancel routes take a job while it is pending or running (not a failed one). */
int	job_can_cancel(enum job_status);
/* A job can be retried once it failed or was cancelled. */
int	job_can_retry(enum job_status);

#endif
