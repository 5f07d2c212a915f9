/* lifecycle_lease.c: the moves of jobs a worker holds by lease, their events and log lines. */
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/job_target_state.h"
#include "scrapeq/lifecycle_lease.h"

/* SQL text naming the lost daemon of job j (reclaim's line, event and error). */
#define LOST_DAEMON "CONCAT('Daemon ', COALESCE(j.lease_owner, '?'), ' was lost')"
/* A reclaimed job whose retries are used up fails. */
#define RETRIES_OUT "j.retry_count + 1 > j.max_retries"

static void
batch(struct db *db, struct lifecycle_batch *out)
{
	if (out == NULL)
		return;
	out->events = (size_t)db_affected(db);
	out->first_id = out->events > 0 ? db_insert_id(db) : 0;
}

enum sq_err
lifecycle_claim(struct db *db, const char *daemon, const char *ids, unsigned lease_seconds,
    struct lifecycle_batch *out)
{
	const char	*pending = job_transition_guard(JOB_PENDING, JOB_RUNNING);
	const char	*running = job_transition_guard(JOB_RUNNING, JOB_COMPLETED);
	enum sq_err	 rc;

	if (pending == NULL || running == NULL)
		return SQ_ERR_INTERNAL;
	rc = db_exec(db, "DELETE q FROM " DB_IDS_TABLE " JOIN job_queue q ON q.job_id = t.id",
	    DB_PARAMS(DB_STR(ids)), NULL);
	/* A no-op job is done the moment it is claimed: one commit for the whole batch. */
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE " DB_IDS_TABLE " JOIN jobs j ON j.id = t.id SET "
		    "j.status = IF(j.type = 'noop', 'completed', 'running'), "
		    "j.lease_owner = IF(j.type = 'noop', NULL, ?), "
		    "j.lease_expires_at = IF(j.type = 'noop', NULL, NOW(6) + INTERVAL ? SECOND), "
		    "j.started_at = COALESCE(j.started_at, NOW(6)), "
		    "j.completed_at = IF(j.type = 'noop', NOW(6), j.completed_at), "
		    "j.updated_at = NOW(6), j.cancel_requested = 0 WHERE j.status = ?",
		    DB_PARAMS(DB_STR(ids), DB_STR(daemon), DB_INT(lease_seconds),
		    DB_STR(pending)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
		    "SELECT j.id, j.project_id, 'started', JSON_OBJECT('status', 'running', "
		    "'old_status', ?, 'total_results', j.total_results, 'error', NULL, "
		    "'daemon', ?) FROM jobs j WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") "
		    "AND (j.lease_owner = ? OR (j.type = 'noop' AND j.status = 'completed')) "
		    "UNION ALL SELECT j.id, j.project_id, 'completed', JSON_OBJECT('status', "
		    "'completed', 'old_status', ?, 'total_results', 0, 'error', NULL) FROM jobs j "
		    "WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") "
		    "AND j.type = 'noop' AND j.status = 'completed'",
		    DB_PARAMS(DB_STR(pending), DB_STR(daemon), DB_STR(ids), DB_STR(daemon),
		    DB_STR(running), DB_STR(ids)), NULL);
	if (rc == SQ_OK)
		batch(db, out);
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_logs (job_id, level, message) "
		    "SELECT j.id, 'info', IF(j.retry_count > 0, "
		    "CONCAT('Job started (retry ', j.retry_count, ')'), 'Job started') FROM jobs j "
		    "WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") "
		    "AND (j.lease_owner = ? OR (j.type = 'noop' AND j.status = 'completed')) "
		    "UNION ALL SELECT j.id, 'info', 'Job completed' FROM jobs j "
		    "WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") "
		    "AND j.type = 'noop' AND j.status = 'completed'",
		    DB_PARAMS(DB_STR(ids), DB_STR(daemon), DB_STR(ids)), NULL);
	return rc;
}

enum sq_err
lifecycle_reclaim(struct db *db, const char *ids, struct lifecycle_batch *out)
{
	const char	*guard = job_transition_guard(JOB_RUNNING, JOB_PENDING);
	enum sq_err	 rc;

	if (guard == NULL || job_transition_guard(JOB_RUNNING, JOB_FAILED) == NULL)
		return SQ_ERR_INTERNAL;
	/* Log and event first, while lease_owner still names the daemon that was lost. */
	rc = db_exec(db, "INSERT INTO job_logs (job_id, level, message) "
	    "SELECT j.id, 'warning', CONCAT(" LOST_DAEMON ", ' (its lease expired); ', "
	    "IF(" RETRIES_OUT ", 'no retries left, job failed', "
	    "CONCAT('job requeued (retry ', j.retry_count + 1, ')'))) "
	    "FROM jobs j WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") AND j.status = ?",
	    DB_PARAMS(DB_STR(ids), DB_STR(guard)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
		    "SELECT j.id, j.project_id, IF(" RETRIES_OUT ", 'failed', 'requeued'), "
		    "JSON_OBJECT('status', IF(" RETRIES_OUT ", 'failed', 'pending'), "
		    "'old_status', j.status, 'total_results', j.total_results, 'error', "
		    "IF(" RETRIES_OUT ", JSON_OBJECT('code', 'LEASE_LOST', 'message', "
		    LOST_DAEMON "), NULL), 'lost_daemon', j.lease_owner) FROM jobs j "
		    "WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") AND j.status = ?",
		    DB_PARAMS(DB_STR(ids), DB_STR(guard)), NULL);
	if (rc == SQ_OK)
		batch(db, out);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE " DB_IDS_TABLE " JOIN jobs j ON j.id = t.id SET "
		    "j.status = IF(" RETRIES_OUT ", 'failed', 'pending'), "
		    "j.completed_at = IF(" RETRIES_OUT ", NOW(6), NULL), "
		    "j.error = IF(" RETRIES_OUT ", JSON_OBJECT('code', 'LEASE_LOST', 'message', "
		    LOST_DAEMON "), j.error), "
		    "j.retry_count = j.retry_count + 1, j.current_target = NULL, "
		    "j.lease_owner = NULL, j.lease_expires_at = NULL, j.updated_at = NOW(6) "
		    "WHERE j.status = ?", DB_PARAMS(DB_STR(ids), DB_STR(guard)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE " DB_IDS_TABLE " JOIN job_targets jt ON jt.job_id = t.id "
		    "SET jt.status = 'pending' WHERE jt.status = 'running'",
		    DB_PARAMS(DB_STR(ids)), NULL);
	if (rc == SQ_OK && db_affected(db) > 0)
		rc = job_target_state_sync_ids(db, ids);
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_queue (job_id, priority, run_after) "
		    "SELECT j.id, j.priority, NOW(6) FROM jobs j "
		    "WHERE j.id IN (SELECT t.id FROM " DB_IDS_TABLE ") AND j.status = 'pending'",
		    DB_PARAMS(DB_STR(ids)), NULL);
	return rc;
}

/* The row of a held job as e leaves it; guard is the status it must be in. */
static enum sq_err
end_row(struct db *db, const char *daemon, const char *jids, const struct lifecycle_end *e,
    const char *guard)
{
	int done = e->to == JOB_COMPLETED || e->to == JOB_FAILED;

	if (e->to == JOB_CANCELLED)
		return db_exec(db, "UPDATE jobs SET stats = COALESCE(?, stats), "
		    "cancel_requested = 0, current_target = NULL, lease_owner = NULL, "
		    "lease_expires_at = NULL, updated_at = NOW(6) "
		    "WHERE id = ? AND lease_owner = ? AND status = ?",
		    DB_PARAMS(DB_STR(e->stats), DB_STR(jids), DB_STR(daemon), DB_STR(guard)), NULL);
	/* completed clears the error; a failure writes its own; a release keeps it. */
	return db_exec(db, "UPDATE jobs SET status = ?, completed_at = IF(?, NOW(6), completed_at), "
	    "retry_count = retry_count + ?, stats = COALESCE(?, stats), result = COALESCE(?, result), "
	    "error = IF(?, ?, error), current_target = NULL, lease_owner = NULL, "
	    "lease_expires_at = NULL, updated_at = NOW(6) "
	    "WHERE id = ? AND lease_owner = ? AND status = ?",
	    DB_PARAMS(DB_STR(job_status_name(e->to)), DB_INT(done), DB_INT(e->retry ? 1 : 0),
	    DB_STR(e->stats), DB_STR(e->result), DB_INT(done || e->retry),
	    DB_STR(e->to == JOB_COMPLETED ? NULL : e->error), DB_STR(jids), DB_STR(daemon),
	    DB_STR(guard)), NULL);
}

enum sq_err
lifecycle_lease_end(struct db *db, const char *daemon, const char *jids,
    const struct lifecycle_end *e, struct lifecycle_change *out)
{
	struct lifecycle_change	 ch = { JOB_RUNNING, e->to, lifecycle_event_name(e->to), 0 };
	const char		*guard;
	enum sq_err		 rc;

	if (e->to == JOB_CANCELLED) {
		/* Not a move: a cancelled job's worker lets go of it. */
		ch.from = JOB_CANCELLED;
		ch.event = "released";
		guard = job_status_name(JOB_CANCELLED);
	} else if ((guard = job_transition_guard(JOB_RUNNING, e->to)) == NULL)
		return SQ_ERR_CONFLICT;
	rc = end_row(db, daemon, jids, e, guard);
	if (rc == SQ_OK && db_affected(db) == 0)
		rc = SQ_ERR_CONFLICT;
	if (rc == SQ_OK && e->to == JOB_PENDING)
		rc = db_exec(db, "INSERT INTO job_queue (job_id, priority, run_after) "
		    "VALUES (?, ?, NOW(6) + INTERVAL ? SECOND)", DB_PARAMS(DB_STR(jids),
		    DB_INT(e->priority), DB_INT(e->delay_seconds)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
		    "SELECT id, project_id, ?, IF(? IS NULL, JSON_OBJECT('status', status, "
		    "'total_results', total_results), JSON_OBJECT('status', status, "
		    "'old_status', ?, 'total_results', total_results, "
		    "'error', JSON_EXTRACT(error, '$'))) FROM jobs WHERE id = ?",
		    DB_PARAMS(DB_STR(ch.event), DB_STR(e->to == JOB_CANCELLED ? NULL : guard),
		    DB_STR(guard), DB_STR(jids)), NULL);
	if (rc == SQ_OK)
		ch.event_id = db_insert_id(db);
	if (rc == SQ_OK && e->message != NULL)
		rc = lifecycle_log(db, jids, e->level, e->message);
	if (rc == SQ_OK && out != NULL)
		*out = ch;
	return rc;
}

/* The JSON array lifecycle_progress's two statements read: {j, c, u?, a, s?} per item. */
static int
progress_json(struct buf *b, const struct lifecycle_progress *p, size_t n)
{
	size_t i;

	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		buf_printf(b, "%s{\"j\":", i > 0 ? "," : "");
		buf_json_str(b, p[i].job, strlen(p[i].job));
		buf_printf(b, ",\"c\":%lld,\"a\":%lld", p[i].completed, p[i].added);
		if (p[i].current != NULL) {
			buf_puts(b, ",\"u\":");
			buf_json_str(b, p[i].current, strlen(p[i].current));
		}
		if (p[i].stats != NULL) {
			buf_puts(b, ",\"s\":");
			buf_json_str(b, p[i].stats, strlen(p[i].stats));
		}
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	return b->oom ? -1 : 0;
}

/*
 * The "progress" event says the job's status, percentage, current target and results
 * count: it is written only when one of them changes with p, or, for a job without
 * targets (a handler's), when its stats do (a progress line); a crawl waiting on a
 * slow page wrote an identical event every flush. It is read from the rows before the
 * update, with p applied (the values the rows then hold), so the comparison sees the
 * old ones.
 */
#define PROGRESS_ITEMS "JSON_TABLE(?, '$[*]' COLUMNS (o FOR ORDINALITY, " \
	"j VARCHAR(36) PATH '$.j', c BIGINT PATH '$.c', u VARCHAR(36) PATH '$.u', " \
	"a BIGINT PATH '$.a', s LONGTEXT PATH '$.s')) AS p JOIN jobs j ON j.id = p.j "

enum sq_err
lifecycle_progress(struct db *db, const char *daemon, const struct lifecycle_progress *p,
    size_t n)
{
	struct buf	 b;
	enum sq_err	 rc;

	if (n == 0)
		return SQ_OK;
	buf_init(&b, 0);
	if (progress_json(&b, p, n) == -1) {
		buf_free(&b);
		return SQ_ERR_NOMEM;
	}
	/* One event per changed job, in the order of p (as one statement per job wrote them). */
	rc = db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
	    "SELECT j.id, j.project_id, 'progress', JSON_OBJECT('status', j.status, "
	    "'percentage', IF(j.total_targets > 0, "
	    "FLOOR(IF(p.c < 0, j.completed_targets, p.c) * 100 / j.total_targets), 0), "
	    "'current_target', IF(p.u IS NOT NULL, CAST(p.u AS UUID), j.current_target), "
	    "'results_count', j.total_results + p.a) FROM " PROGRESS_ITEMS
	    "WHERE j.lease_owner = ? AND (p.a <> 0 "
	    "OR IF(p.c < 0, j.completed_targets, p.c) <> j.completed_targets "
	    "OR (p.u IS NOT NULL AND NOT (CAST(p.u AS UUID) <=> j.current_target)) "
	    "OR (j.total_targets = 0 AND p.s IS NOT NULL AND NOT (p.s <=> j.stats))) "
	    "ORDER BY p.o", DB_PARAMS(DB_STRN(b.data, b.len), DB_STR(daemon)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE " PROGRESS_ITEMS "SET "
		    "j.completed_targets = IF(p.c < 0, j.completed_targets, p.c), "
		    "j.current_target = IF(p.u IS NOT NULL, p.u, j.current_target), "
		    "j.total_results = j.total_results + p.a, "
		    "j.stats = COALESCE(p.s, j.stats), j.updated_at = NOW(6) WHERE j.lease_owner = ?",
		    DB_PARAMS(DB_STRN(b.data, b.len), DB_STR(daemon)), NULL);
	buf_free(&b);
	return rc;
}

enum sq_err
lifecycle_target_events(struct db *db, const char *json, size_t len)
{
	return db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
	    "SELECT e.j, e.p, e.y, e.x FROM JSON_TABLE(?, '$[*]' COLUMNS (j VARCHAR(36) "
	    "PATH '$.j', p VARCHAR(36) PATH '$.p', y VARCHAR(32) PATH '$.y', "
	    "x LONGTEXT PATH '$.x')) AS e "
	    "WHERE e.y IN ('target_started', 'target_completed', 'target_failed')",
	    DB_PARAMS(DB_STRN(json, len)), NULL);
}
