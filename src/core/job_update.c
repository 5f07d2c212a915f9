/* job_update.c: a client's changes to a job, checked against the client transition table, audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/job.h"
#include "scrapeq/job_audit.h"
#include "scrapeq/job_update.h"
#include "scrapeq/limits.h"
#include "scrapeq/role.h"
#include "scrapeq/text.h"

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
merged_stats(struct db *db, const struct locked *l, const struct job_change *c, char **out)
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
set_fields(struct db *db, const struct locked *l, const struct job_change *c, const char *err,
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

static enum sq_err
to_running(struct db *db, const struct locked *l, const struct job_change *c, const char *owner)
{
	enum sq_err rc;

	rc = db_exec(db, "UPDATE jobs SET status = 'running', started_at = COALESCE(?, NOW(6)), "
	    "updated_at = NOW(6), lease_owner = ?, lease_expires_at = IF(?, NOW(6) + INTERVAL ? "
	    "SECOND, NULL), cancel_requested = 0 WHERE id = ?", DB_PARAMS(DB_STR(c->started_at),
	    DB_STR(owner), DB_INT(c->lease_start), DB_INT(c->lease_seconds), DB_STR(l->jids)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "DELETE FROM job_queue WHERE job_id = ?",
		    DB_PARAMS(DB_STR(l->jids)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE job_targets SET status = 'running', started_at = "
		    "COALESCE(started_at, NOW(6)) WHERE job_id = ? AND status = 'pending'",
		    DB_PARAMS(DB_STR(l->jids)), NULL);
	return rc;
}

/* completed or failed: the lease ends, targets still open take the job's outcome. */
static enum sq_err
to_finished(struct db *db, const struct locked *l, const struct job_change *c, const char *st)
{
	enum sq_err rc;

	rc = db_exec(db, "UPDATE jobs SET status = ?, completed_at = COALESCE(?, NOW(6)), updated_at = NOW(6), "
	    "lease_owner = NULL, lease_expires_at = NULL, current_target = NULL, "
	    "completed_targets = IF(? = 'completed', total_targets, completed_targets) "
	    "WHERE id = ?", DB_PARAMS(DB_STR(st), DB_STR(c->completed_at), DB_STR(st),
	    DB_STR(l->jids)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE job_targets SET status = ?, completed_at = "
		    "COALESCE(completed_at, NOW(6)) WHERE job_id = ? AND status IN ('pending', "
		    "'running')", DB_PARAMS(DB_STR(st), DB_STR(l->jids)), NULL);
	return rc;
}

/*
 * A daemon running it sees cancel_requested and stops. updated_at is stamped in the
 * statement that stamps cancelled_at, so every dialect shows one time for the change.
 */
static enum sq_err
to_cancelled(struct db *db, const struct locked *l)
{
	enum sq_err rc;

	rc = db_exec(db, "UPDATE jobs SET status = 'cancelled', cancel_requested = 1, "
	    "cancelled_at = NOW(6), updated_at = NOW(6), lease_expires_at = NULL WHERE id = ?",
	    DB_PARAMS(DB_STR(l->jids)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "DELETE FROM job_queue WHERE job_id = ?",
		    DB_PARAMS(DB_STR(l->jids)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE job_targets SET status = 'cancelled' WHERE job_id = ? "
		    "AND status = 'pending'", DB_PARAMS(DB_STR(l->jids)), NULL);
	return rc;
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
	if ((rc = db_exec(db, "INSERT INTO project_daily_jobs (project_id, day, n) "
	    "VALUES (?, UTC_DATE(), 1) ON DUPLICATE KEY UPDATE n = n + 1",
	    DB_PARAMS(DB_STR(l->pids)), NULL)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	return SQ_OK;
}

/* failed -> pending: the same job again, on the queue at its priority. */
static enum sq_err
to_pending(struct db *db, const struct locked *l, const struct job_change *c)
{
	enum sq_err rc;

	rc = db_exec(db, "UPDATE jobs SET status = 'pending', updated_at = NOW(6), "
	    "retry_count = IF(?, retry_count, retry_count + 1), error = IF(?, error, NULL), "
	    "started_at = ?, completed_at = NULL, cancelled_at = NULL, lease_owner = NULL, "
	    "lease_expires_at = NULL, "
	    "cancel_requested = 0, completed_targets = 0, current_target = NULL WHERE id = ?",
	    DB_PARAMS(DB_INT(c->has_retry_count), DB_INT(c->has_error_message),
	    DB_STR(c->started_at), DB_STR(l->jids)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_queue (job_id, priority, run_after) "
		    "SELECT id, priority, NOW(6) FROM jobs WHERE id = ?",
		    DB_PARAMS(DB_STR(l->jids)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE job_targets SET status = 'pending', started_at = NULL, "
		    "completed_at = NULL WHERE job_id = ?", DB_PARAMS(DB_STR(l->jids)), NULL);
	return rc;
}

static enum sq_err
move(struct db *db, const struct principal *who, const struct locked *l,
    const struct job_change *c)
{
	char owner[64];

	switch (c->status) {
	case JOB_RUNNING:
		if (c->lease_owner != NULL)
			text_copy(owner, sizeof(owner), c->lease_owner);
		else
			snprintf(owner, sizeof(owner), "api:%lld", who->user_id);
		return to_running(db, l, c, owner);
	case JOB_COMPLETED:
	case JOB_FAILED:
		return to_finished(db, l, c, job_status_name(c->status));
	case JOB_CANCELLED:
		return to_cancelled(db, l);
	case JOB_PENDING:
		return to_pending(db, l, c);
	default:
		return SQ_ERR_INTERNAL;
	}
}

static enum sq_err
record(struct db *db, const struct principal *who, const struct locked *l, int moved,
    enum job_status to, const char *action, const char *before)
{
	char		 data[64], msg[96];
	char		*after = NULL;
	enum sq_err	 rc;

	snprintf(data, sizeof(data), "{\"status\":\"%s\"}", job_status_name(moved ? to : l->st));
	rc = db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
	    "VALUES (?, ?, ?, ?)", DB_PARAMS(DB_STR(l->jids), DB_STR(l->pids),
	    DB_STR(moved ? job_status_name(to) : "updated"), DB_STR(data)), NULL);
	snprintf(msg, sizeof(msg), "Status changed from %s to %s via API", job_status_name(l->st),
	    job_status_name(to));
	if (rc == SQ_OK && moved)
		rc = db_exec(db, "INSERT INTO job_logs (job_id, level, message) VALUES (?, 'info', ?)",
		    DB_PARAMS(DB_STR(l->jids), DB_STR(msg)), NULL);
	if (rc == SQ_OK)
		rc = job_audit_snapshot(db, l->jids, &after);
	if (rc == SQ_OK)
		rc = job_audit_write(db, who, l->pids, l->jids, action, before, after);
	free(after);
	return rc;
}

/*
 * The one path of every change: checks, fields, the move, event and audit. Inside a
 * transaction. A status change is held to the client table unless the caller's own
 * check (cancel, retry) has judged it.
 */
static enum sq_err
apply(struct db *db, const struct config *cfg, const struct principal *who,
    const struct locked *l, const struct job_change *c, const char *err_code,
    const char *action, int checked, struct sq_error *e)
{
	struct buf	 err;
	char		*before = NULL, *merged = NULL;
	int		 moved = c->has_status && c->status != l->st;
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
	if (rc == SQ_OK && moved)
		rc = move(db, who, l, c);
	else if (rc == SQ_OK && l->st == JOB_RUNNING)
		rc = db_exec(db, "UPDATE jobs SET lease_expires_at = NOW(6) + INTERVAL ? SECOND "
		    "WHERE id = ? AND lease_expires_at IS NOT NULL",
		    DB_PARAMS(DB_INT(c->lease_seconds), DB_STR(l->jids)), NULL);
	if (rc == SQ_OK)
		rc = record(db, who, l, moved, c->has_status ? c->status : l->st, action, before);
	if (rc != SQ_OK)
		sq_fail(e, rc, NULL);
	free(merged);
	free(before);
	buf_free(&err);
	return rc;
}

/*
 * Begins, locks, checks the caller's role (a viewer is refused whatever the job's
 * state), runs check (may be NULL) and apply, commits. action names the change in
 * the audit log and in a refusal ("cancel" jobs).
 */
static enum sq_err
change(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *id, struct job_change *c, const char *err_code, const char *action,
    enum sq_err (*check)(const struct locked *, struct job_change *, struct sq_error *),
    struct sq_error *e)
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
	    (rc = apply(db, cfg, who, &l, c, err_code, action, check != NULL, e)) == SQ_OK) {
		if ((rc = db_commit(db)) != SQ_OK)
			return sq_fail(e, rc, NULL);
		return SQ_OK;
	}
	db_rollback(db);
	return rc;
}

enum sq_err
job_update(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *id, const struct job_change *c, struct sq_error *e)
{
	struct job_change cc = *c;

	return change(db, cfg, who, id, &cc, "ERROR", "update", NULL, e);
}

static enum sq_err
check_cancel(const struct locked *l, struct job_change *c, struct sq_error *e)
{
	(void)c;
	if (!job_can_cancel(l->st))
		return sq_fail(e, SQ_ERR_CANNOT_CANCEL, "Job is already %s", job_status_name(l->st));
	return SQ_OK;
}

enum sq_err
job_cancel_reason(struct db *db, const struct principal *who, const struct uuid *id,
    const char *reason, struct sq_error *e)
{
	struct job_change	 c;
	char			 msg[SQ_JOB_MESSAGE_MAX + 1];

	memset(&c, 0, sizeof(c));
	if (reason != NULL && reason[0] != '\0')
		snprintf(msg, sizeof(msg), "Cancelled via API: %s", reason);
	else
		text_copy(msg, sizeof(msg), "Cancelled via API");
	c.has_status = 1;
	c.status = JOB_CANCELLED;
	c.has_error_message = 1;
	c.error_message = msg;
	return change(db, NULL, who, id, &c, "CANCELLED", "cancel", check_cancel, e);
}

static enum sq_err
check_retry(const struct locked *l, struct job_change *c, struct sq_error *e)
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
    const struct uuid *id, struct sq_error *e)
{
	struct job_change c;

	memset(&c, 0, sizeof(c));
	c.has_status = 1;
	c.status = JOB_PENDING;
	return change(db, cfg, who, id, &c, "ERROR", "retry", check_retry, e);
}
