/* job_update.h: a client's changes to a job (seed 001's PUT, DELETE with a reason, /retry), audited. */
#ifndef SCRAPEQ_JOB_UPDATE_H
#define SCRAPEQ_JOB_UPDATE_H

#include <json-c/json.h>

#include "auth.h"
#include "db.h"
#include "err.h"
#include "job_transition.h"
#include "uuid.h"

struct job_domain_view;

/*
 * job_update, job_cancel_reason and job_requeue fill *answer, when not NULL, with the
 * job as changed (job_domain_get), read inside the change's transaction: a change
 * that committed is never answered with an error because a later read failed. The
 * caller frees it with job_domain_view_clear on SQ_OK; on an error it is left empty.
 */

/*
 * A reader of another shape of answer, called inside the change's transaction after
 * the change is written (job_cancel_answer): SQ_OK, or an error that rolls the change
 * back. What it fills through arg is the caller's, whatever is returned.
 */
typedef enum sq_err (*job_answer_fn)(struct db *, const struct principal *who,
	    const struct uuid *id, void *arg, struct sq_error *);

/* One member of a client's request: given (present), and its value (NULL for JSON null). */
struct job_value {
	int			 given;
	struct json_object	*v;            /* borrowed: the request's, live through job_update */
};

/*
 * What a client changes, as its dialect parsed it from the request's shape. job_update
 * checks every value, once for every dialect, against the rule beside it (bounds in
 * limits.h); a value that breaks it is SQ_ERR_BAD_REQUEST naming the field
 * ("Invalid retry_count: must be at most 100"), with *bad set to the field so a
 * dialect may phrase it its own way.
 */
struct job_change {
	int		 has_status;
	enum job_status	 status;           /* the dialect's spelling already read */
	struct job_value progress;         /* integer 0..SQ_JOB_PROGRESS_MAX: stats.progress */
	struct job_value progress_message; /* string of at most SQ_JOB_MESSAGE_MAX bytes, or
					    * null: stats.progressMessage */
	struct job_value retry_count;      /* integer 0..SQ_JOB_RETRIES_MAX */
	struct job_value error_message;    /* string of at most SQ_JOB_MESSAGE_MAX, or null: cleared */
	struct job_value stats;            /* object, at most SQ_JOB_JSON_MAX as text: replaces */
	struct job_value metadata;         /* object, as stats: merged in (RFC 7396) */
	struct job_value result;           /* object, as stats: replaces */
	struct job_value started_at;       /* ISO 8601 string (job_spec_time); null: not given */
	struct job_value completed_at;
	const char	*lease_owner;      /* who holds a job moved to running; NULL: "api:<user>" */
	unsigned	 lease_seconds;    /* a leased running job's lease, renewed by every
					    * update: 0 the daemons' (job_lease_parse) */
	int		 lease_start;      /* 1: a move to running takes a lease of lease_seconds
					    * (the client asked for one); 0: no lease, so no
					    * daemon takes it back: the client that set it
					    * running ends it (as the seeds' own services did) */
};

/* The job_change member a refused update names. */
enum job_field {
	JOB_FIELD_NONE, JOB_FIELD_PROGRESS, JOB_FIELD_PROGRESS_MESSAGE, JOB_FIELD_RETRY_COUNT,
	JOB_FIELD_ERROR_MESSAGE, JOB_FIELD_STATS, JOB_FIELD_METADATA, JOB_FIELD_RESULT,
	JOB_FIELD_STARTED_AT, JOB_FIELD_COMPLETED_AT, JOB_FIELD_LEASE_SECONDS
};

/*
 * The lease a client's job takes (an update to running, a claim with /next): text NULL
 * is the daemons' ([daemon] lease_seconds); otherwise an integer from
 * SQ_LEASE_SECONDS_MIN to SQ_LEASE_SECONDS_MAX, else SQ_ERR_BAD_REQUEST ("Invalid
 * lease_seconds: ...").
 */
enum sq_err job_lease_parse(const struct config *, const char *text, unsigned *seconds,
	    struct sq_error *);

/*
 * The checks job_update makes of c's values before it touches the database: returns
 * the field refused (e filled, SQ_ERR_BAD_REQUEST naming it) or JOB_FIELD_NONE.
 * Pure: no database.
 */
enum job_field job_change_check(const struct config *, const struct job_change *c,
	    struct sq_error *e);

/*
 * Checks c (struct job_change; *bad, which may be NULL, names a refused field, else
 * JOB_FIELD_NONE), then applies it to job id in one transaction: the row locked, a status change checked
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
	    const struct uuid *id, const struct job_change *c, enum job_field *bad,
	    struct job_domain_view *answer, struct sq_error *);

/*
 * Cancels a pending or running job (SQ_ERR_CANNOT_CANCEL "Job is already <status>"
 * otherwise) with job_cancel's effects, its error message "Cancelled via API" or
 * "Cancelled via API: <reason>" (reason cut to SQ_JOB_MESSAGE_MAX), audited.
 */
enum sq_err job_cancel_reason(struct db *, const struct principal *who, const struct uuid *id,
	    const char *reason, struct job_domain_view *answer, struct sq_error *);
/* job_cancel_reason with the answer read by answer(arg) (NULL: none). */
enum sq_err job_cancel_answer(struct db *, const struct principal *who, const struct uuid *id,
	    const char *reason, job_answer_fn answer, void *arg, struct sq_error *);

/*
 * Puts a failed or cancelled job (job_can_retry) back on the queue, the same job,
 * retry_count + 1: SQ_ERR_CANNOT_RETRY otherwise or once retry_count reaches
 * max_retries; counted against the daily limit like a new job (SQ_ERR_RATE_LIMITED).
 * Audited as "retry".
 */
enum sq_err job_requeue(struct db *, const struct config *, const struct principal *who,
	    const struct uuid *id, struct job_domain_view *answer, struct sq_error *);

#endif
