/* job_update.c: a client's changes to a job, checked against the client transition table, audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/config.h"
#include "scrapeq/job.h"
#include "scrapeq/job_audit.h"
#include "scrapeq/job_domain.h"
#include "scrapeq/job_spec.h"
#include "scrapeq/job_update.h"
#include "scrapeq/lifecycle.h"
#include "scrapeq/limits.h"
#include "scrapeq/query.h"
#include "scrapeq/role.h"
#include "scrapeq/text.h"

/* A change as written: job_change's values checked, as text for SQL; NULL: not given. */
struct fields {
	int			 has_status;
	enum job_status		 status;
	int			 has_error_message;
	const char		*error_message;    /* NULL: clear the error */
	const char		*stats, *result, *metadata;
	struct json_object	*progress;
	int			 has_progress_message;
	struct json_object	*progress_message;
	int			 has_retry_count;
	long long		 retry_count;
	const char		*started_at, *completed_at;   /* DATETIME(6) text */
	char			 started_buf[32], completed_buf[32];
	const char		*lease_owner;
	unsigned		 lease_seconds;
	int			 lease_start;
};

/* The job row as locked at the start of a change. */
struct locked {
	char		 jids[UUID_STR_LEN + 1];
	char		 pids[UUID_STR_LEN + 1];
	enum job_status	 st;
	long long	 retry_count, max_retries;
	int		 project_run;
	enum role	 role;             /* the caller's in the job's project */
};

static enum sq_err
lock_job(struct db *db, const struct principal *who, const struct uuid *id, struct locked *l,
    struct sq_error *e)
{
	struct db_res	 r;
	enum sq_err	 rc;

	uuid_format(id, l->jids);
	/* The membership row is locked with the job's: a role changed meanwhile waits for us. */
	rc = db_exec(db, "SELECT j.status, j.project_id, j.retry_count, j.max_retries, m.role, "
	    "j.project_run FROM jobs j JOIN memberships m ON m.project_id = j.project_id AND "
	    "m.user_id = ? WHERE j.id = ? FOR UPDATE",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(l->jids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || job_status_parse(db_str(&r, 0, 0), &l->st) == -1 ||
	    role_parse(db_str(&r, 0, 4), &l->role) == -1)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found");
	else {
		text_copy(l->pids, sizeof(l->pids), db_str(&r, 0, 1));
		l->retry_count = db_int(&r, 0, 2);
		l->max_retries = db_int(&r, 0, 3);
		l->project_run = db_int(&r, 0, 5) != 0;
	}
	db_res_free(&r);
	return rc;
}

/* {"code": code, "message": msg} into b. */
static int
error_json(struct buf *b, const char *code, const char *msg)
{
	size_t n = strlen(msg);

	if (n > SQ_JOB_MESSAGE_MAX)
		n = SQ_JOB_MESSAGE_MAX;
	buf_printf(b, "{\"code\":\"%s\",\"message\":", code);
	buf_json_str(b, msg, n);
	buf_putc(b, '}');
	return b->oom ? -1 : 0;
}

/*
 * The job's stats with c's progress keys set, read under the row lock lock_job took,
 * so a concurrent writer's keys are kept: *out (JSON text) is the caller's to free.
 */
static enum sq_err
merged_stats(struct db *db, const struct locked *l, const struct fields *c, char **out)
{
	struct json_object	*st = NULL;
	struct db_res		 r;
	enum sq_err		 rc;

	*out = NULL;
	rc = db_exec(db, "SELECT stats FROM jobs WHERE id = ?", DB_PARAMS(DB_STR(l->jids)), &r);
	if (rc != SQ_OK)
		return rc;
	if (r.nrows > 0 && db_str(&r, 0, 0) != NULL)
		st = json_tokener_parse(db_str(&r, 0, 0));
	db_res_free(&r);
	if (st == NULL || !json_object_is_type(st, json_type_object)) {
		json_object_put(st);
		if ((st = json_object_new_object()) == NULL)
			return SQ_ERR_NOMEM;
	}
	if (c->progress != NULL)
		json_object_object_add(st, "progress", json_object_get(c->progress));
	if (c->has_progress_message)
		json_object_object_add(st, "progressMessage", json_object_get(c->progress_message));
	*out = strdup(json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN));
	json_object_put(st);
	return *out == NULL ? SQ_ERR_NOMEM : SQ_OK;
}

/* stats: c's replacement, else the merged progress (NULL: unchanged). */
static enum sq_err
set_fields(struct db *db, const struct locked *l, const struct fields *c, const char *err,
    const char *stats)
{
	return db_exec(db, "UPDATE jobs SET "
	    "metadata = IF(? IS NULL, metadata, JSON_MERGE_PATCH(metadata, ?)), "
	    "stats = IF(?, ?, stats), result = IF(?, ?, result), error = IF(?, ?, error), "
	    "retry_count = IF(?, ?, retry_count), started_at = COALESCE(?, started_at), "
	    "completed_at = COALESCE(?, completed_at), updated_at = NOW(6) WHERE id = ?",
	    DB_PARAMS(DB_STR(c->metadata), DB_STR(c->metadata), DB_INT(stats != NULL),
	    DB_STR(stats), DB_INT(c->result != NULL), DB_STR(c->result),
	    DB_INT(c->has_error_message), DB_STR(err), DB_INT(c->has_retry_count),
	    DB_INT(c->retry_count), DB_STR(c->started_at), DB_STR(c->completed_at),
	    DB_STR(l->jids)), NULL);
}

/*
 * A job a client sends back to the queue runs again, so it is counted like a new job:
 * under the project's row lock, the daily limit (and for a project run, the run limit)
 * is checked and the day's count taken.
 */
static enum sq_err
requeue_quota(struct db *db, const struct config *cfg, const struct locked *l,
    struct sq_error *e)
{
	struct db_res	 r;
	long long	 daily;
	enum sq_err	 rc;

	rc = db_exec(db, "SELECT daily_job_limit FROM projects WHERE id = ? FOR UPDATE",
	    DB_PARAMS(DB_STR(l->pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	daily = r.nrows && db_str(&r, 0, 0) ? db_int(&r, 0, 0) : -1;
	db_res_free(&r);
	if ((rc = l->project_run ? job_check_limits(db, cfg, l->pids, daily, e) :
	    job_check_daily(db, cfg, l->pids, daily, e)) != SQ_OK)
		return rc;
	if ((rc = lifecycle_count_day(db, l->pids)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	return SQ_OK;
}

/* The move of c, for the lifecycle: what the client's change says about it. */
static void
move_args(const struct principal *who, const struct fields *c, struct lifecycle_args *a,
    char *owner, size_t ownersz)
{
	memset(a, 0, sizeof(*a));
	if (c->lease_owner != NULL)
		text_copy(owner, ownersz, c->lease_owner);
	else
		snprintf(owner, ownersz, "api:%lld", who->user_id);
	a->owner = owner;
	a->lease = c->lease_start;
	a->lease_seconds = c->lease_seconds;
	a->started_at = c->started_at;
	a->completed_at = c->completed_at;
	a->keep_retry_count = c->has_retry_count;
	a->keep_error = c->has_error_message;
}

/*
 * The one path of every change: checks, fields, the move, event and audit. Inside a
 * transaction. A status change is held to the client table unless the caller's own
 * check (cancel, retry) has judged it.
 */
static enum sq_err
apply(struct db *db, const struct config *cfg, const struct principal *who,
    const struct locked *l, const struct fields *c, const char *err_code,
    const char *action, int checked, struct sq_error *e)
{
	struct lifecycle_job	 j = { l->jids, l->pids, l->st };
	struct lifecycle_args	 args;
	struct buf		 err;
	char			*before = NULL, *merged = NULL, owner[64];
	int			 moved = c->has_status && c->status != l->st;
	enum sq_err	 rc;

	if (moved && !checked && !job_client_transition_allowed(l->st, c->status))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Cannot transition from '%s' to '%s'",
		    job_status_name(l->st), job_status_name(c->status));
	if (moved && c->status == JOB_PENDING && l->retry_count >= l->max_retries)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Cannot transition from '%s' to 'pending': "
		    "maximum retries (%lld) reached", job_status_name(l->st), l->max_retries);
	/* Lowering it would buy retries past max_retries, for free. */
	if (c->has_retry_count && c->retry_count < l->retry_count)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid retry_count: may be raised, never "
		    "lowered (it is %lld)", l->retry_count);
	if (moved && c->status == JOB_PENDING && (rc = requeue_quota(db, cfg, l, e)) != SQ_OK)
		return rc;
	buf_init(&err, 0);
	if (c->has_error_message && c->error_message != NULL &&
	    error_json(&err, err_code, c->error_message) == -1) {
		buf_free(&err);
		return sq_fail(e, SQ_ERR_NOMEM, NULL);
	}
	rc = job_audit_snapshot(db, l->jids, &before);
	if (rc == SQ_OK && c->stats == NULL && (c->progress != NULL || c->has_progress_message))
		rc = merged_stats(db, l, c, &merged);
	if (rc == SQ_OK)
		rc = set_fields(db, l, c, err.data, c->stats ? c->stats : merged);
	if (rc == SQ_OK && moved) {
		move_args(who, c, &args, owner, sizeof(owner));
		rc = lifecycle_move(db, who, &j, c->status, &args, action, before, NULL);
	} else if (rc == SQ_OK && l->st == JOB_RUNNING)
		rc = db_exec(db, "UPDATE jobs SET lease_expires_at = NOW(6) + INTERVAL ? SECOND "
		    "WHERE id = ? AND lease_expires_at IS NOT NULL",
		    DB_PARAMS(DB_INT(c->lease_seconds), DB_STR(l->jids)), NULL);
	if (rc == SQ_OK && !moved)
		rc = lifecycle_touch(db, who, &j, action, before, NULL);
	if (rc != SQ_OK)
		sq_fail(e, rc, NULL);
	free(merged);
	free(before);
	buf_free(&err);
	return rc;
}

/*
 * Begins, locks, checks the caller's role (a viewer is refused whatever the job's
 * state), runs check (may be NULL) and apply, reads the answer (when asked), commits.
 * action names the change in the audit log and in a refusal ("cancel" jobs).
 */
static enum sq_err
change(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *id, struct fields *c, const char *err_code, const char *action,
    enum sq_err (*check)(const struct locked *, struct fields *, struct sq_error *),
    job_answer_fn answer, void *arg, struct sq_error *e)
{
	struct locked	 l;
	char		 what[32];
	enum sq_err	 rc;

	e->code = SQ_OK;
	snprintf(what, sizeof(what), "%s jobs", action);
	if ((rc = db_begin(db)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	if ((rc = lock_job(db, who, id, &l, e)) == SQ_OK &&
	    (rc = role_require(who, l.role, ROLE_JOB_WRITE, what, e)) == SQ_OK &&
	    (check == NULL || (rc = check(&l, c, e)) == SQ_OK) &&
	    (rc = apply(db, cfg, who, &l, c, err_code, action, check != NULL, e)) == SQ_OK &&
	    (answer == NULL || (rc = answer(db, who, id, arg, e)) == SQ_OK)) {
		if ((rc = db_commit(db)) != SQ_OK)
			return sq_fail(e, rc, NULL);
		return SQ_OK;
	}
	db_rollback(db);
	return rc;
}

/* The answer most dialects give: the job's domain view (job_domain_get). */
static enum sq_err
read_view(struct db *db, const struct principal *who, const struct uuid *id, void *arg,
    struct sq_error *e)
{
	return job_domain_get(db, who, id, arg, e);
}

/* change() answered with *view when view is not NULL; an error leaves it empty. */
static enum sq_err
change_view(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *id, struct fields *c, const char *err_code, const char *action,
    enum sq_err (*check)(const struct locked *, struct fields *, struct sq_error *),
    struct job_domain_view *view, struct sq_error *e)
{
	enum sq_err rc;

	if (view != NULL)
		memset(view, 0, sizeof(*view));
	rc = change(db, cfg, who, id, c, err_code, action, check, view ? read_view : NULL,
	    view, e);
	if (rc != SQ_OK && view != NULL)
		job_domain_view_clear(view);
	return rc;
}

static enum sq_err
lease_refused(struct sq_error *e)
{
	return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid lease_seconds: must be an integer from "
	    "%d to %d", SQ_LEASE_SECONDS_MIN, SQ_LEASE_SECONDS_MAX);
}

enum sq_err
job_lease_parse(const struct config *cfg, const char *text, unsigned *seconds,
    struct sq_error *e)
{
	long long v;

	*seconds = cfg != NULL && cfg->daemon_lease_seconds ? cfg->daemon_lease_seconds :
	    SQ_LEASE_SECONDS_DEFAULT;
	if (text == NULL)
		return SQ_OK;
	if (parse_int_range(text, SQ_LEASE_SECONDS_MIN, SQ_LEASE_SECONDS_MAX, &v) == -1)
		return lease_refused(e);
	*seconds = (unsigned)v;
	return SQ_OK;
}

/* A JSON object of at most SQ_JOB_JSON_MAX bytes as text into *out (owned by v). */
static enum sq_err
check_object(const struct job_value *x, const char *name, const char **out, struct sq_error *e)
{
	*out = NULL;
	if (!x->given)
		return SQ_OK;
	if (!json_object_is_type(x->v, json_type_object))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid %s: must be an object", name);
	*out = json_object_to_json_string_ext(x->v, JSON_C_TO_STRING_PLAIN);
	if (strlen(*out) > SQ_JOB_JSON_MAX)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid %s: larger than %d bytes", name,
		    SQ_JOB_JSON_MAX);
	return SQ_OK;
}

/* A string of at most SQ_JOB_MESSAGE_MAX bytes, or null. */
static enum sq_err
check_message(const struct job_value *x, const char *name, struct sq_error *e)
{
	if (x->given && x->v != NULL && (!json_object_is_type(x->v, json_type_string) ||
	    strlen(json_object_get_string(x->v)) > SQ_JOB_MESSAGE_MAX))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid %s: must be a string of at most %d "
		    "bytes, or null", name, SQ_JOB_MESSAGE_MAX);
	return SQ_OK;
}

/* An ISO 8601 timestamp as DATETIME(6) text in buf; null is not given. */
static enum sq_err
check_time(const struct job_value *x, const char *name, char buf[32], const char **out,
    struct sq_error *e)
{
	*out = NULL;
	if (!x->given || x->v == NULL)
		return SQ_OK;
	if (!json_object_is_type(x->v, json_type_string) ||
	    job_spec_time(json_object_get_string(x->v), buf) == -1)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid %s: must be an ISO 8601 timestamp",
		    name);
	*out = buf;
	return SQ_OK;
}

/* An integer (a double without a fraction too) from 0 to SQ_JOB_PROGRESS_MAX. */
static enum sq_err
check_progress(const struct job_value *x, struct sq_error *e)
{
	double d;

	if (!x->given)
		return SQ_OK;
	d = json_object_get_double(x->v);
	if (!(json_object_is_type(x->v, json_type_int) ||
	    json_object_is_type(x->v, json_type_double)) || d < 0 || d > SQ_JOB_PROGRESS_MAX ||
	    (double)(long long)d != d)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid progress: must be an integer from 0 "
		    "to %d", SQ_JOB_PROGRESS_MAX);
	return SQ_OK;
}

static enum sq_err
check_retry_count(const struct job_value *x, struct sq_error *e)
{
	if (!x->given)
		return SQ_OK;
	if (!json_object_is_type(x->v, json_type_int) || json_object_get_int64(x->v) < 0)
		return sq_fail(e, SQ_ERR_BAD_REQUEST,
		    "Invalid retry_count: must be a non-negative integer");
	if (json_object_get_int64(x->v) > SQ_JOB_RETRIES_MAX)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid retry_count: must be at most %d",
		    SQ_JOB_RETRIES_MAX);
	return SQ_OK;
}

/*
 * Every rule on a client's values, in the order the fields are reported; fills f.
 * Returns the field refused (e filled), or JOB_FIELD_NONE.
 */
static enum job_field
check_change(const struct config *cfg, const struct job_change *c, struct fields *f,
    struct sq_error *e)
{
	memset(f, 0, sizeof(*f));
	if (c->lease_seconds == 0)
		(void)job_lease_parse(cfg, NULL, &f->lease_seconds, e);
	else if (c->lease_seconds < SQ_LEASE_SECONDS_MIN || c->lease_seconds > SQ_LEASE_SECONDS_MAX) {
		lease_refused(e);
		return JOB_FIELD_LEASE_SECONDS;
	} else
		f->lease_seconds = c->lease_seconds;
	if (check_progress(&c->progress, e) != SQ_OK)
		return JOB_FIELD_PROGRESS;
	if (check_message(&c->progress_message, "progress_message", e) != SQ_OK)
		return JOB_FIELD_PROGRESS_MESSAGE;
	if (check_retry_count(&c->retry_count, e) != SQ_OK)
		return JOB_FIELD_RETRY_COUNT;
	if (check_message(&c->error_message, "error_message", e) != SQ_OK)
		return JOB_FIELD_ERROR_MESSAGE;
	if (check_object(&c->stats, "stats", &f->stats, e) != SQ_OK)
		return JOB_FIELD_STATS;
	if (check_object(&c->metadata, "metadata", &f->metadata, e) != SQ_OK)
		return JOB_FIELD_METADATA;
	if (check_object(&c->result, "result", &f->result, e) != SQ_OK)
		return JOB_FIELD_RESULT;
	if (check_time(&c->started_at, "started_at", f->started_buf, &f->started_at, e) != SQ_OK)
		return JOB_FIELD_STARTED_AT;
	if (check_time(&c->completed_at, "completed_at", f->completed_buf, &f->completed_at, e) !=
	    SQ_OK)
		return JOB_FIELD_COMPLETED_AT;
	f->has_status = c->has_status;
	f->status = c->status;
	f->progress = c->progress.given ? c->progress.v : NULL;
	f->has_progress_message = c->progress_message.given;
	f->progress_message = c->progress_message.v;
	f->has_retry_count = c->retry_count.given;
	f->retry_count = c->retry_count.given ? json_object_get_int64(c->retry_count.v) : 0;
	f->has_error_message = c->error_message.given;
	f->error_message = c->error_message.given && c->error_message.v ?
	    json_object_get_string(c->error_message.v) : NULL;
	f->lease_owner = c->lease_owner;
	f->lease_start = c->lease_start;
	return JOB_FIELD_NONE;
}

enum job_field
job_change_check(const struct config *cfg, const struct job_change *c, struct sq_error *e)
{
	struct fields f;

	e->code = SQ_OK;
	return check_change(cfg, c, &f, e);
}

enum sq_err
job_update(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *id, const struct job_change *c, enum job_field *bad,
    struct job_domain_view *answer, struct sq_error *e)
{
	struct fields	 f;
	enum job_field	 field;

	e->code = SQ_OK;
	field = check_change(cfg, c, &f, e);
	if (bad != NULL)
		*bad = field;
	if (field != JOB_FIELD_NONE)
		return e->code;
	return change_view(db, cfg, who, id, &f, "ERROR", "update", NULL, answer, e);
}

static enum sq_err
check_cancel(const struct locked *l, struct fields *c, struct sq_error *e)
{
	(void)c;
	if (!job_can_cancel(l->st))
		return sq_fail(e, SQ_ERR_CANNOT_CANCEL, "Job is already %s", job_status_name(l->st));
	return SQ_OK;
}

enum sq_err
job_cancel_reason(struct db *db, const struct principal *who, const struct uuid *id,
    const char *reason, struct job_domain_view *answer, struct sq_error *e)
{
	enum sq_err rc;

	if (answer != NULL)
		memset(answer, 0, sizeof(*answer));
	rc = job_cancel_answer(db, who, id, reason, answer ? read_view : NULL, answer, e);
	if (rc != SQ_OK && answer != NULL)
		job_domain_view_clear(answer);
	return rc;
}

enum sq_err
job_cancel_answer(struct db *db, const struct principal *who, const struct uuid *id,
    const char *reason, job_answer_fn answer, void *arg, struct sq_error *e)
{
	struct fields	 c;
	char		 msg[SQ_JOB_MESSAGE_MAX + 1];

	memset(&c, 0, sizeof(c));
	if (reason != NULL && reason[0] != '\0')
		snprintf(msg, sizeof(msg), "Cancelled via API: %s", reason);
	else
		text_copy(msg, sizeof(msg), "Cancelled via API");
	c.has_status = 1;
	c.status = JOB_CANCELLED;
	c.has_error_message = 1;
	c.error_message = msg;
	return change(db, NULL, who, id, &c, "CANCELLED", "cancel", check_cancel, answer, arg, e);
}

static enum sq_err
check_retry(const struct locked *l, struct fields *c, struct sq_error *e)
{
	(void)c;
	if (!job_can_retry(l->st))
		return sq_fail(e, SQ_ERR_CANNOT_RETRY, "Only failed or cancelled jobs can be "
		    "retried; this job is %s", job_status_name(l->st));
	if (l->retry_count >= l->max_retries)
		return sq_fail(e, SQ_ERR_CANNOT_RETRY, "Maximum retries (%lld) reached",
		    l->max_retries);
	return SQ_OK;
}

enum sq_err
job_requeue(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *id, struct job_domain_view *answer, struct sq_error *e)
{
	struct fields c;

	memset(&c, 0, sizeof(c));
	c.has_status = 1;
	c.status = JOB_PENDING;
	return change_view(db, cfg, who, id, &c, "ERROR", "retry", check_retry, answer, e);
}
