/* job_update.h: a client's changes to a job (seed 001's PUT, DELETE with a reason, /retry), audited. */
#ifndef SCRAPEQ_JOB_UPDATE_H
#define SCRAPEQ_JOB_UPDATE_H

#include <json-c/json.h>

#include "auth.h"
#include "db.h"
#include "err.h"
#include "job_transition.h"
#include "uuid.h"

/* The fields a client may change; each given only when marked. */
struct job_change {
	int		 has_status;
	enum job_status	 status;
	int		 has_error_message;
	const char	*error_message;    /* NULL: clear the error */
	const char	*stats;            /* JSON object text, replaces; NULL: not given */
	/* Seed 003's progress, set as stats.progress / stats.progressMessage on the stats
	 * read under the row lock (the other keys kept; stats not an object is {}):
	 * borrowed json-c values, stored as they are (a null progress_message too). */
	struct json_object *progress;      /* NULL: not given */
	int		 has_progress_message;
	struct json_object *progress_message;
	const char	*result;           /* JSON text, replaces; NULL: not given */
	const char	*metadata;         /* JSON object text merged in (RFC 7396); NULL: not given */
	int		 has_retry_count;
	long long	 retry_count;      /* 0..SQ_JOB_RETRIES_MAX */
	const char	*started_at;       /* DATETIME(6) text (job_spec_time); NULL: not given */
	const char	*completed_at;
	const char	*lease_owner;      /* who holds a job moved to running; NULL: "api:<user>" */
	unsigned	 lease_seconds;    /* a leased running job's lease, renewed by every update */
	int		 lease_start;      /* 1: a move to running takes a lease of lease_seconds
					    * (the client asked for one); 0: no lease, so no
					    * daemon takes it back: the client that set it
					    * running ends it (as the seeds' own services did) */
};

/*
 * Applies c to job id in one transaction: the row locked, a status change checked
 * against job_client_transition_allowed (SQ_ERR_BAD_REQUEST "Cannot transition from
 * 'x' to 'y'"; failed -> pending also needs retry_count < max_retries), the
 * status's effects (running: off the queue, started_at, leased to c->lease_owner;
 * completed/failed: completed_at, lease ended; cancelled: as job_cancel; pending: back
 * on the queue, retry_count + 1 unless given), a job_events row and an audit_log row
 * (before, after). The same status again is no change, and a running job's lease is
 * extended. A retry_count below the job's is SQ_ERR_BAD_REQUEST ("may be raised, never
 * lowered"). Back to pending, the job counts against the project's daily limit like a
 * new job (SQ_ERR_RATE_LIMITED; a project run also SQ_ERR_JOB_RUNNING).
 * SQ_ERR_NOT_FOUND unless who is a member; SQ_ERR_FORBIDDEN ("Viewers may not update
 * jobs") unless role_allows ROLE_JOB_WRITE, checked under the row lock before anything
 * else; db errors as usual. job_cancel_reason and job_requeue refuse a viewer the same
 * way, before they look at the job's status.
 */
enum sq_err job_update(struct db *, const struct config *, const struct principal *who,
	    const struct uuid *id, const struct job_change *c, struct sq_error *);

/*
 * Cancels a pending or running job (SQ_ERR_CANNOT_CANCEL "Job is already <status>"
 * otherwise) with job_cancel's effects, its error message "Cancelled via API" or
 * "Cancelled via API: <reason>" (reason cut to SQ_JOB_MESSAGE_MAX), audited.
 */
enum sq_err job_cancel_reason(struct db *, const struct principal *who, const struct uuid *id,
	    const char *reason, struct sq_error *);

/*
 * Puts a failed or cancelled job (job_can_retry) back on the queue, the same job,
 * retry_count + 1: SQ_ERR_CANNOT_RETRY otherwise or once retry_count reaches
 * max_retries; counted against the daily limit like a new job (SQ_ERR_RATE_LIMITED).
 * Audited as "retry".
 */
enum sq_err job_requeue(struct db *, const struct config *, const struct principal *who,
	    const struct uuid *id, struct sq_error *);

#endif
