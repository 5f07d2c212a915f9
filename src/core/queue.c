/* queue.c: SKIP LOCKED claims, leases, reclaim and the end of a job, as ARCHITECTURE.md fixes them. */
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/lifecycle_lease.h"
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

#define ADD_PAGES "pages_fetched = pages_fetched + ?, pages_stored = pages_stored + ?, " \
	"pages_failed = pages_failed + ?, bytes_fetched = bytes_fetched + ? "
#define PAGE_PARAMS(a) DB_INT((a)->fetched), DB_INT((a)->stored), DB_INT((a)->failed), \
	DB_INT((a)->bytes)

enum sq_err
queue_unregister(struct db *db, const char *id, const struct metrics_pages *add)
{
	static const struct metrics_pages none;

	if (add == NULL)
		add = &none;
	return db_exec(db, "UPDATE daemons SET stopped_at = NOW(6), jobs_running = 0, "
	    ADD_PAGES "WHERE id = ?", DB_PARAMS(PAGE_PARAMS(add), DB_STR(id)), NULL);
}

enum sq_err
queue_heartbeat(struct db *db, const char *id, unsigned lease_seconds, unsigned running,
    const struct metrics_pages *add, long long *held)
{
	static const struct metrics_pages none;
	enum sq_err rc;

	if (add == NULL)
		add = &none;
	rc = db_exec(db, "UPDATE daemons SET heartbeat_at = NOW(6), jobs_running = ?, "
	    ADD_PAGES "WHERE id = ?", DB_PARAMS(DB_INT(running), PAGE_PARAMS(add),
	    DB_STR(id)), NULL);
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
	rc = lifecycle_claim(db, id, ids->data, lease, NULL);
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
	rc = lifecycle_reclaim(db, ids.data, NULL);
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

enum sq_err
queue_due(struct db *db, int *due)
{
	struct db_res	 r;
	enum sq_err	 rc;

	*due = 0;
	if ((rc = db_exec(db, "SELECT 1 FROM job_queue WHERE run_after <= NOW(6) LIMIT 1",
	    NULL, 0, &r)) != SQ_OK)
		return rc;
	*due = r.nrows > 0;
	db_res_free(&r);
	return SQ_OK;
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

/* The move outcome o makes of a job that has used retry of its max_retries. */
static void
end_of(enum queue_outcome o, long long retry, long long max_retries, unsigned backoff_base,
    struct lifecycle_end *end)
{
	switch (o) {
	case QUEUE_COMPLETED:
		end->to = JOB_COMPLETED;
		break;
	case QUEUE_CANCELLED:
		end->to = JOB_CANCELLED;
		break;
	case QUEUE_RELEASED:
		end->to = JOB_PENDING;
		break;
	case QUEUE_FAILED:
		if (retry < max_retries) {
			end->to = JOB_PENDING;
			end->retry = 1;
			end->delay_seconds = backoff(backoff_base, retry + 1);
			break;
		}
		/* FALLTHROUGH */
	case QUEUE_FAILED_FINAL:
		end->to = JOB_FAILED;
		break;
	}
}

/* One end, in the caller's transaction; SQ_ERR_CONFLICT before anything of it is written. */
static enum sq_err
finish_one(struct db *db, const char *id, const struct queue_end *qe, unsigned backoff_base)
{
	static const char *const level[] = { "info", "error", "info", "warning", "error" };
	struct db_res	 r;
	struct lifecycle_end end = { 0 };
	char		 jid[UUID_STR_LEN + 1];
	enum sq_err	 rc;

	uuid_format(qe->job, jid);
	rc = db_exec(db, "SELECT retry_count, max_retries, priority FROM jobs "
	    "WHERE id = ? AND lease_owner = ? FOR UPDATE", DB_PARAMS(DB_STR(jid), DB_STR(id)), &r);
	if (rc != SQ_OK)
		return rc;
	if (r.nrows == 0) {
		db_res_free(&r);
		return SQ_ERR_CONFLICT;
	}
	end_of(qe->outcome, db_int(&r, 0, 0), db_int(&r, 0, 1), backoff_base, &end);
	end.priority = db_int(&r, 0, 2);
	db_res_free(&r);
	end.stats = qe->stats;
	end.result = qe->result;
	end.error = qe->error;
	end.level = level[qe->outcome];
	end.message = qe->message;
	/* lifecycle_lease_end refuses (CONFLICT) before its first write. */
	return lifecycle_lease_end(db, id, jid, &end, NULL);
}

static int
end_cmp(const void *a, const void *b)
{
	const struct queue_end *x = *(struct queue_end *const *)a, *y = *(struct queue_end *const *)b;

	return memcmp(x->job, y->job, sizeof(*x->job));
}

enum sq_err
queue_finish_many(struct db *db, const char *id, struct queue_end *ends, size_t n,
    unsigned backoff_base)
{
	struct queue_end	**order;
	enum sq_err		 rc = SQ_OK;
	size_t			 i;

	if (n == 0)
		return SQ_OK;
	if ((order = calloc(n, sizeof(*order))) == NULL)
		return SQ_ERR_NOMEM;
	/* Rows locked in id order, as every multi-job writer here locks them. */
	for (i = 0; i < n; i++)
		order[i] = &ends[i];
	qsort(order, n, sizeof(*order), end_cmp);
	if ((rc = db_begin(db)) != SQ_OK)
		goto out;
	for (i = 0; i < n; i++) {
		order[i]->rc = finish_one(db, id, order[i], backoff_base);
		if (order[i]->rc != SQ_OK && order[i]->rc != SQ_ERR_CONFLICT) {
			rc = order[i]->rc;
			db_rollback(db);
			goto out;
		}
	}
	rc = db_commit(db);
out:
	free(order);
	return rc;
}

enum sq_err
queue_finish(struct db *db, const char *id, const struct uuid *job, enum queue_outcome o,
    const char *stats, const char *result, const char *error, const char *message,
    unsigned backoff_base)
{
	struct queue_end qe = { job, o, stats, result, error, message, SQ_OK };
	enum sq_err	 rc;

	if ((rc = queue_finish_many(db, id, &qe, 1, backoff_base)) != SQ_OK)
		return rc;
	return qe.rc;
}
