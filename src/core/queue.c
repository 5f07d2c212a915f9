/* queue.c: SKIP LOCKED claims, leases, reclaim and the end of a job, as ARCHITECTURE.md fixes them. */
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/lifecycle.h"
#include "scrapeq/log.h"
#include "scrapeq/queue.h"
#include "scrapeq/role.h"
#include "scrapeq/text.h"

#define BACKOFF_MAX_SECONDS 3600

/*
 * A JSON array of job ids, for statements that take a set through JSON_TABLE.
 * UPDATE and DELETE join it (an IN (subquery) there becomes a dependent subquery
 * that scans the whole table); SELECTs may use IN, which MariaDB turns into a join.
 */

void
queue_jobs_free(struct queue_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; jobs != NULL && i < n; i++) {
		free(jobs[i].config);
		free(jobs[i].targets);
	}
	free(jobs);
}

enum sq_err
queue_register(struct db *db, const char *id, const char *host, int pid)
{
	return db_exec(db, "INSERT INTO daemons (id, host, pid) VALUES (?, ?, ?) "
	    "ON DUPLICATE KEY UPDATE host = VALUES(host), pid = VALUES(pid), "
	    "started_at = NOW(6), heartbeat_at = NOW(6), stopped_at = NULL, jobs_running = 0",
	    DB_PARAMS(DB_STR(id), DB_STR(host), DB_INT(pid)), NULL);
}

enum sq_err
queue_unregister(struct db *db, const char *id)
{
	return db_exec(db, "UPDATE daemons SET stopped_at = NOW(6), jobs_running = 0 "
	    "WHERE id = ?", DB_PARAMS(DB_STR(id)), NULL);
}

enum sq_err
queue_heartbeat(struct db *db, const char *id, unsigned lease_seconds, unsigned running,
    long long *held)
{
	enum sq_err rc;

	rc = db_exec(db, "UPDATE daemons SET heartbeat_at = NOW(6), jobs_running = ? "
	    "WHERE id = ?", DB_PARAMS(DB_INT(running), DB_STR(id)), NULL);
	if (rc != SQ_OK)
		return rc;
	rc = db_exec(db, "UPDATE jobs SET lease_expires_at = NOW(6) + INTERVAL ? SECOND "
	    "WHERE lease_owner = ? AND status = 'running'",
	    DB_PARAMS(DB_INT(lease_seconds), DB_STR(id)), NULL);
	if (rc == SQ_OK && held != NULL)
		*held = (long long)db_affected(db);
	return rc;
}

/* The claim transaction proper; the caller retries it once on a deadlock. */
static enum sq_err
claim_once(struct db *db, const char *id, unsigned lease, unsigned max, long long user,
    const char *roles, struct buf *ids, size_t *n)
{
	struct db_res	 r;
	enum sq_err	 rc;

	*n = 0;
	buf_reset(ids);
	if ((rc = db_begin(db)) != SQ_OK)
		return rc;
	/*
	 * A member's claim walks the same index in the same order and keeps only jobs of
	 * the projects where the member's role is one of roles: the semi-join is a plain
	 * (non-locking) read, so only the queue rows taken are locked, and another worker
	 * skips exactly those.
	 */
	if (user > 0)
		rc = db_exec(db, "SELECT q.job_id FROM job_queue q WHERE q.run_after <= NOW(6) "
		    "AND q.job_id IN (SELECT j.id FROM jobs j JOIN memberships m "
		    "ON m.project_id = j.project_id AND m.user_id = ? AND FIND_IN_SET(m.role, ?)) "
		    "ORDER BY q.priority DESC, q.job_id LIMIT ? FOR UPDATE SKIP LOCKED",
		    DB_PARAMS(DB_INT(user), DB_STR(roles), DB_INT(max)), &r);
	else
		rc = db_exec(db, "SELECT job_id FROM job_queue WHERE run_after <= NOW(6) "
		    "ORDER BY priority DESC, job_id LIMIT ? FOR UPDATE SKIP LOCKED",
		    DB_PARAMS(DB_INT(max)), &r);
	if (rc != SQ_OK)
		goto fail;
	*n = r.nrows;
	if (r.nrows == 0 || db_res_ids_json(&r, ids) == -1) {
		db_res_free(&r);
		db_rollback(db);
		return *n == 0 ? SQ_OK : SQ_ERR_NOMEM;
	}
	db_res_free(&r);
	rc = db_exec(db, "DELETE q FROM " DB_IDS_TABLE " JOIN job_queue q ON q.job_id = t.id",
	    DB_PARAMS(DB_STR(ids->data)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE " DB_IDS_TABLE " JOIN jobs j ON j.id = t.id SET "
		    "j.status = IF(j.type = 'noop', 'completed', 'running'), "
		    "j.lease_owner = IF(j.type = 'noop', NULL, ?), "
		    "j.lease_expires_at = IF(j.type = 'noop', NULL, NOW(6) + INTERVAL ? SECOND), "
		    "j.started_at = COALESCE(j.started_at, NOW(6)), "
		    "j.completed_at = IF(j.type = 'noop', NOW(6), j.completed_at), "
		    "j.updated_at = NOW(6), j.cancel_requested = 0 WHERE j.status = 'pending'",
		    DB_PARAMS(DB_STR(ids->data), DB_STR(id), DB_INT(lease)), NULL);
	/* A no-op job is done the moment it is claimed: one commit for the whole batch. */
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
		    "SELECT j.id, j.project_id, 'started', JSON_OBJECT('status', 'running', "
		    "'daemon', ?) FROM jobs j WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") "
		    "AND (j.lease_owner = ? OR (j.type = 'noop' AND j.status = 'completed')) "
		    "UNION ALL SELECT j.id, j.project_id, 'completed', JSON_OBJECT('status', "
		    "'completed', 'total_results', 0) FROM jobs j "
		    "WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") "
		    "AND j.type = 'noop' AND j.status = 'completed'",
		    DB_PARAMS(DB_STR(id), DB_STR(ids->data), DB_STR(id), DB_STR(ids->data)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_logs (job_id, level, message) "
		    "SELECT j.id, 'info', IF(j.retry_count > 0, "
		    "CONCAT('Job started (retry ', j.retry_count, ')'), 'Job started') FROM jobs j "
		    "WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") "
		    "AND (j.lease_owner = ? OR (j.type = 'noop' AND j.status = 'completed')) "
		    "UNION ALL SELECT j.id, 'info', 'Job completed' FROM jobs j "
		    "WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") "
		    "AND j.type = 'noop' AND j.status = 'completed'",
		    DB_PARAMS(DB_STR(ids->data), DB_STR(id), DB_STR(ids->data)), NULL);
	if (rc != SQ_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

/* Reads the claimed jobs and their targets (after the claim committed). */
static enum sq_err
claim_load(struct db *db, const char *id, const char *ids, struct queue_job **out, size_t *n)
{
	struct db_res	 r, t;
	struct queue_job *v = NULL;
	enum sq_err	 rc;
	size_t		 i, k;

	*out = NULL;
	*n = 0;
	rc = db_exec(db, "SELECT j.id, j.project_id, j.type, j.retry_count, j.max_retries, "
	    "j.config, j.total_results FROM jobs j "
	    "WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") AND j.lease_owner = ? "
	    "AND j.status = 'running' ORDER BY j.id",
	    DB_PARAMS(DB_STR(ids), DB_STR(id)), &r);
	if (rc != SQ_OK)
		return rc;
	rc = db_exec(db, "SELECT jt.job_id, jt.position, jt.target_id, jt.url, jt.status, "
	    "jt.results_count FROM job_targets jt "
	    "WHERE jt.job_id IN (SELECT t.id FROM " DB_IDS_TABLE ") ORDER BY jt.job_id, jt.position",
	    DB_PARAMS(DB_STR(ids)), &t);
	if (rc != SQ_OK) {
		db_res_free(&r);
		return rc;
	}
	if (r.nrows > 0 && (v = calloc(r.nrows, sizeof(*v))) == NULL)
		rc = SQ_ERR_NOMEM;
	for (i = 0; rc == SQ_OK && i < r.nrows; i++) {
		struct queue_job *j = &v[i];
		const char *js = db_str(&r, i, 0), *ps = db_str(&r, i, 1);

		*n = i + 1;
		if (uuid_parse(js, strlen(js), &j->id) == -1 ||
		    uuid_parse(ps, strlen(ps), &j->project_id) == -1) {
			rc = SQ_ERR_INTERNAL;
			break;
		}
		text_copy(j->type, sizeof(j->type), db_str(&r, i, 2));
		j->retry_count = db_int(&r, i, 3);
		j->max_retries = db_int(&r, i, 4);
		j->total_results = db_int(&r, i, 6);
		if ((j->config = strdup(db_str(&r, i, 5) ? db_str(&r, i, 5) : "{}")) == NULL) {
			rc = SQ_ERR_NOMEM;
			break;
		}
		for (k = 0; k < t.nrows; k++)
			if (strcmp(db_str(&t, k, 0), js) == 0)
				j->ntargets++;
		if (j->ntargets > 0 && (j->targets = calloc(j->ntargets, sizeof(*j->targets))) == NULL) {
			rc = SQ_ERR_NOMEM;
			break;
		}
		j->ntargets = 0;
		for (k = 0; k < t.nrows; k++) {
			struct queue_target *qt;
			const char *ts;

			if (strcmp(db_str(&t, k, 0), js) != 0)
				continue;
			qt = &j->targets[j->ntargets++];
			qt->position = (int)db_int(&t, k, 1);
			ts = db_str(&t, k, 2);
			(void)uuid_parse(ts, strlen(ts), &qt->target_id);
			text_copy(qt->url, sizeof(qt->url), db_str(&t, k, 3));
			if (job_status_parse(db_str(&t, k, 4), &qt->status) == -1)
				qt->status = JOB_PENDING;
			qt->results_count = db_int(&t, k, 5);
		}
	}
	db_res_free(&t);
	db_res_free(&r);
	if (rc != SQ_OK) {
		queue_jobs_free(v, *n);
		*n = 0;
		return rc;
	}
	*out = v;
	return SQ_OK;
}

static enum sq_err
claim(struct db *db, const char *id, unsigned lease_seconds, unsigned max, long long user,
    const char *roles, struct queue_job **jobs, size_t *n, size_t *claimed)
{
	struct buf	 ids;
	enum sq_err	 rc;
	size_t		 got;

	*jobs = NULL;
	*n = 0;
	buf_init(&ids, 0);
	rc = claim_once(db, id, lease_seconds, max, user, roles, &ids, &got);
	if (rc == SQ_ERR_DB && db_errno(db) == ER_LOCK_DEADLOCK)
		rc = claim_once(db, id, lease_seconds, max, user, roles, &ids, &got);
	if (rc == SQ_OK && got > 0)
		rc = claim_load(db, id, ids.data, jobs, n);
	if (claimed != NULL)
		*claimed = rc == SQ_OK ? got : 0;
	buf_free(&ids);
	return rc;
}

enum sq_err
queue_claim(struct db *db, const char *id, unsigned lease_seconds, unsigned max,
    struct queue_job **jobs, size_t *n, size_t *claimed)
{
	return claim(db, id, lease_seconds, max, 0, NULL, jobs, n, claimed);
}

/*
 * After a claim that took nothing: SQ_ERR_FORBIDDEN when who is a member of projects
 * but may claim in none of them, SQ_OK otherwise (no project at all: nothing to claim).
 */
static enum sq_err
claim_refused(struct db *db, const struct principal *who, const char *roles,
    struct sq_error *e)
{
	struct db_res	 r;
	enum role	 best = ROLE_NONE;
	enum sq_err	 rc;

	/* The caller's role that may claim, if it has one; else any of its roles. */
	rc = db_exec(db, "SELECT role FROM memberships WHERE user_id = ? "
	    "ORDER BY FIND_IN_SET(role, ?) = 0 LIMIT 1",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(roles)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 1 && role_parse(db_str(&r, 0, 0), &best) == 0)
		rc = role_require(who, best, ROLE_JOB_WRITE, "claim jobs", e);
	db_res_free(&r);
	return rc;
}

enum sq_err
queue_claim_member(struct db *db, const char *id, const struct principal *who,
    unsigned lease_seconds, unsigned max, struct queue_job **jobs, size_t *n,
    size_t *claimed, struct sq_error *e)
{
	char		 roles[64];
	size_t		 got = 0;
	enum sq_err	 rc;

	*jobs = NULL;
	*n = 0;
	if (claimed != NULL)
		*claimed = 0;
	if (who->user_id <= 0 ||
	    role_names_allowed(who->is_admin, ROLE_JOB_WRITE, roles, sizeof(roles)) == -1)
		return sq_fail(e, SQ_ERR_INTERNAL, NULL);
	if ((rc = claim(db, id, lease_seconds, max, who->user_id, roles, jobs, n, &got)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (claimed != NULL)
		*claimed = got;
	if (got == 0)
		return claim_refused(db, who, roles, e);
	return SQ_OK;
}

enum sq_err
queue_reclaim(struct db *db, size_t *n)
{
	struct db_res	 r;
	struct buf	 ids;
	enum sq_err	 rc;

	*n = 0;
	buf_init(&ids, 0);
	if ((rc = db_begin(db)) != SQ_OK)
		return rc;
	rc = db_exec(db, "SELECT id FROM jobs WHERE status = 'running' "
	    "AND lease_expires_at < NOW(6) LIMIT ? FOR UPDATE SKIP LOCKED",
	    DB_PARAMS(DB_INT(QUEUE_RECLAIM_MAX)), &r);
	if (rc != SQ_OK)
		goto fail;
	*n = r.nrows;
	if (r.nrows == 0 || db_res_ids_json(&r, &ids) == -1) {
		rc = r.nrows == 0 ? SQ_OK : SQ_ERR_NOMEM;
		db_res_free(&r);
		goto fail;
	}
	db_res_free(&r);
	/* Log and event first, while lease_owner still names the daemon that was lost. */
	rc = db_exec(db, "INSERT INTO job_logs (job_id, level, message) "
	    "SELECT j.id, 'warning', CONCAT('Daemon ', COALESCE(j.lease_owner, '?'), "
	    "' was lost (its lease expired); ', IF(j.retry_count + 1 > j.max_retries, "
	    "'no retries left, job failed', CONCAT('job requeued (retry ', j.retry_count + 1, ')'))) "
	    "FROM jobs j WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ")",
	    DB_PARAMS(DB_STR(ids.data)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
		    "SELECT j.id, j.project_id, IF(j.retry_count + 1 > j.max_retries, 'failed', "
		    "'requeued'), JSON_OBJECT('status', IF(j.retry_count + 1 > j.max_retries, "
		    "'failed', 'pending'), 'lost_daemon', j.lease_owner) FROM jobs j "
		    "WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ")",
		    DB_PARAMS(DB_STR(ids.data)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE " DB_IDS_TABLE " JOIN jobs j ON j.id = t.id SET "
		    "j.status = IF(j.retry_count + 1 > j.max_retries, 'failed', 'pending'), "
		    "j.completed_at = IF(j.retry_count + 1 > j.max_retries, NOW(6), NULL), "
		    "j.error = IF(j.retry_count + 1 > j.max_retries, JSON_OBJECT('code', "
		    "'LEASE_LOST', 'message', CONCAT('Daemon ', COALESCE(j.lease_owner, '?'), "
		    "' was lost')), j.error), "
		    "j.retry_count = j.retry_count + 1, j.current_target = NULL, "
		    "j.lease_owner = NULL, j.lease_expires_at = NULL, j.updated_at = NOW(6)",
		    DB_PARAMS(DB_STR(ids.data)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE " DB_IDS_TABLE " JOIN job_targets jt ON jt.job_id = t.id "
		    "SET jt.status = 'pending' WHERE jt.status = 'running'",
		    DB_PARAMS(DB_STR(ids.data)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_queue (job_id, priority, run_after) "
		    "SELECT j.id, j.priority, NOW(6) FROM jobs j "
		    "WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") AND j.status = 'pending'",
		    DB_PARAMS(DB_STR(ids.data)), NULL);
	if (rc != SQ_OK)
		goto fail;
	buf_free(&ids);
	return db_commit(db);
fail:
	db_rollback(db);
	buf_free(&ids);
	if (rc != SQ_OK)
		*n = 0;
	return rc;
}

/* Runs a query of job ids for daemon id (its two parameters: id, max) into ids. */
static enum sq_err
daemon_ids(struct db *db, const char *sql, const char *id, struct uuid *ids, size_t max,
    size_t *n)
{
	struct db_res	 r;
	enum sq_err	 rc;
	size_t		 i;

	*n = 0;
	if ((rc = db_exec(db, sql, DB_PARAMS(DB_STR(id), DB_INT(max)), &r)) != SQ_OK)
		return rc;
	for (i = 0; i < r.nrows && *n < max; i++)
		if (uuid_parse(db_str(&r, i, 0), strlen(db_str(&r, i, 0)), &ids[*n]) == 0)
			(*n)++;
	db_res_free(&r);
	return SQ_OK;
}

enum sq_err
queue_cancelled(struct db *db, const char *id, struct uuid *ids, size_t max, size_t *n)
{
	return daemon_ids(db, "SELECT id FROM jobs WHERE lease_owner = ? "
	    "AND cancel_requested = 1 LIMIT ?", id, ids, max, n);
}

enum sq_err
queue_held(struct db *db, const char *id, struct uuid *ids, size_t max, size_t *n)
{
	return daemon_ids(db, "SELECT id FROM jobs WHERE lease_owner = ? LIMIT ?", id, ids,
	    max, n);
}

/* Seconds before retry number `retry` (1-based): base, 2 base, 4 base ..., capped. */
static long long
backoff(unsigned base, long long retry)
{
	long long d = base;

	while (--retry > 0 && d < BACKOFF_MAX_SECONDS)
		d *= 2;
	return d > BACKOFF_MAX_SECONDS ? BACKOFF_MAX_SECONDS : d;
}

/* The row update of each outcome; all are guarded by the lease. */
static enum sq_err
finish_update(struct db *db, const char *id, const char *jid, enum queue_outcome o,
    const char *stats, const char *result, const char *error, long long retry,
    long long max_retries)
{
	switch (o) {
	case QUEUE_COMPLETED:
		return db_exec(db, "UPDATE jobs SET status = 'completed', completed_at = NOW(6), "
		    "stats = COALESCE(?, stats), result = COALESCE(?, result), error = NULL, "
		    "current_target = NULL, lease_owner = NULL, lease_expires_at = NULL, "
		    "updated_at = NOW(6) WHERE id = ? AND lease_owner = ? AND status = 'running'",
		    DB_PARAMS(DB_STR(stats), DB_STR(result), DB_STR(jid), DB_STR(id)), NULL);
	case QUEUE_FAILED:
	case QUEUE_FAILED_FINAL:
		if (o == QUEUE_FAILED && retry < max_retries)
			return db_exec(db, "UPDATE jobs SET status = 'pending', "
			    "retry_count = retry_count + 1, stats = COALESCE(?, stats), "
			    "error = ?, current_target = NULL, lease_owner = NULL, "
			    "lease_expires_at = NULL, updated_at = NOW(6) "
			    "WHERE id = ? AND lease_owner = ? AND status = 'running'",
			    DB_PARAMS(DB_STR(stats), DB_STR(error), DB_STR(jid), DB_STR(id)), NULL);
		return db_exec(db, "UPDATE jobs SET status = 'failed', completed_at = NOW(6), "
		    "stats = COALESCE(?, stats), error = ?, current_target = NULL, "
		    "lease_owner = NULL, lease_expires_at = NULL, updated_at = NOW(6) "
		    "WHERE id = ? AND lease_owner = ? AND status = 'running'",
		    DB_PARAMS(DB_STR(stats), DB_STR(error), DB_STR(jid), DB_STR(id)), NULL);
	case QUEUE_CANCELLED:
		return db_exec(db, "UPDATE jobs SET stats = COALESCE(?, stats), "
		    "cancel_requested = 0, current_target = NULL, lease_owner = NULL, "
		    "lease_expires_at = NULL, updated_at = NOW(6) "
		    "WHERE id = ? AND lease_owner = ? AND status = 'cancelled'",
		    DB_PARAMS(DB_STR(stats), DB_STR(jid), DB_STR(id)), NULL);
	case QUEUE_RELEASED:
		return db_exec(db, "UPDATE jobs SET status = 'pending', stats = COALESCE(?, stats), "
		    "current_target = NULL, lease_owner = NULL, lease_expires_at = NULL, "
		    "updated_at = NOW(6) WHERE id = ? AND lease_owner = ? AND status = 'running'",
		    DB_PARAMS(DB_STR(stats), DB_STR(jid), DB_STR(id)), NULL);
	}
	return SQ_ERR_INTERNAL;
}

enum sq_err
queue_finish(struct db *db, const char *id, const struct uuid *job, enum queue_outcome o,
    const char *stats, const char *result, const char *error, const char *message,
    unsigned backoff_base)
{
	static const char *const level[] = { "info", "error", "info", "warning", "error" };
	struct db_res	 r;
	char		 jid[UUID_STR_LEN + 1], ev[16];
	long long	 retry, max_retries, priority;
	int		 requeue;
	enum sq_err	 rc;

	uuid_format(job, jid);
	if ((rc = db_begin(db)) != SQ_OK)
		return rc;
	rc = db_exec(db, "SELECT retry_count, max_retries, priority FROM jobs "
	    "WHERE id = ? AND lease_owner = ? FOR UPDATE", DB_PARAMS(DB_STR(jid), DB_STR(id)), &r);
	if (rc != SQ_OK)
		goto fail;
	if (r.nrows == 0) {
		db_res_free(&r);
		rc = SQ_ERR_CONFLICT;
		goto fail;
	}
	retry = db_int(&r, 0, 0);
	max_retries = db_int(&r, 0, 1);
	priority = db_int(&r, 0, 2);
	db_res_free(&r);
	requeue = o == QUEUE_RELEASED || (o == QUEUE_FAILED && retry < max_retries);
	rc = finish_update(db, id, jid, o, stats, result, error, retry, max_retries);
	if (rc == SQ_OK && db_affected(db) == 0)
		rc = SQ_ERR_CONFLICT;
	if (rc == SQ_OK && requeue)
		rc = db_exec(db, "INSERT INTO job_queue (job_id, priority, run_after) "
		    "VALUES (?, ?, NOW(6) + INTERVAL ? SECOND)", DB_PARAMS(DB_STR(jid),
		    DB_INT(priority), DB_INT(o == QUEUE_RELEASED ? 0 : backoff(backoff_base,
		    retry + 1))), NULL);
	if (o == QUEUE_COMPLETED)
		text_copy(ev, sizeof(ev), "completed");
	else if (o == QUEUE_CANCELLED)
		text_copy(ev, sizeof(ev), "cancelled");
	else
		text_copy(ev, sizeof(ev), requeue ? "requeued" : "failed");
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
		    "SELECT id, project_id, ?, JSON_OBJECT('status', status, 'total_results', "
		    "total_results, 'error', JSON_EXTRACT(error, '$')) FROM jobs WHERE id = ?",
		    DB_PARAMS(DB_STR(ev), DB_STR(jid)), NULL);
	if (rc == SQ_OK && message != NULL)
		rc = lifecycle_log(db, jid, level[o], message);
	if (rc != SQ_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

