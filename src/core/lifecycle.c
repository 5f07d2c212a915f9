/* lifecycle.c: a job's creation and a client's moves of one job, with the rows every change writes. */
#include <stdio.h>

#include "scrapeq/job_audit.h"
#include "scrapeq/job_target_state.h"
#include "scrapeq/lifecycle.h"
#include "scrapeq/limits.h"

const char *
lifecycle_event_name(enum job_status to)
{
	switch (to) {
	case JOB_RUNNING:
		return "started";
	case JOB_PENDING:
		return "requeued";
	default:
		return job_status_name(to);
	}
}

/* One outbox row for jids, its data from the job's row as it is now; *id its id. */
static enum sq_err
event(struct db *db, const char *jids, const char *type, const char *old_status,
    unsigned long long *id)
{
	enum sq_err rc;

	if (old_status != NULL)
		rc = db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
		    "SELECT id, project_id, ?, JSON_OBJECT('status', status, 'old_status', ?, "
		    "'total_results', total_results, 'error', JSON_EXTRACT(error, '$')) "
		    "FROM jobs WHERE id = ?",
		    DB_PARAMS(DB_STR(type), DB_STR(old_status), DB_STR(jids)), NULL);
	else
		rc = db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
		    "SELECT id, project_id, ?, JSON_OBJECT('status', status) FROM jobs WHERE id = ?",
		    DB_PARAMS(DB_STR(type), DB_STR(jids)), NULL);
	if (rc == SQ_OK && id != NULL)
		*id = db_insert_id(db);
	return rc;
}

enum sq_err
lifecycle_log(struct db *db, const char *jids, const char *level, const char *msg)
{
	/* LEFT counts characters, so a cut never splits one. */
	return db_exec(db, "INSERT INTO job_logs (job_id, level, message) VALUES (?, ?, LEFT(?, ?))",
	    DB_PARAMS(DB_STR(jids), DB_STR(level), DB_STR(msg), DB_INT(SQ_LOG_MESSAGE_MAX)), NULL);
}

enum sq_err
lifecycle_count_day(struct db *db, const char *pids)
{
	return db_exec(db, "INSERT INTO project_daily_jobs (project_id, day, n) "
	    "VALUES (?, UTC_DATE(), 1) ON DUPLICATE KEY UPDATE n = n + 1",
	    DB_PARAMS(DB_STR(pids)), NULL);
}

enum job_source
lifecycle_source(const struct principal *who)
{
	return who->kind == AUTH_SESSION ? JOB_SRC_MANUAL : JOB_SRC_API;
}

/*
 * Every row of a new job comes from one stored procedure, sq_job_create (sql/013):
 * the seven writes of a create are one round trip under the project's lock instead
 * of seven. Its parameters are struct lifecycle_new's, in order.
 */
enum sq_err
lifecycle_create(struct db *db, const struct principal *who, const struct lifecycle_new *n)
{
	enum sq_err	 rc;

	rc = db_exec(db, "CALL sq_job_create(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?)", DB_PARAMS(DB_STR(n->jids), DB_STR(n->pids), DB_STR(n->type),
	    DB_STR(job_source_name(n->source)), DB_INT(n->project_run), DB_STR(n->retry_of),
	    DB_STR(n->schedule_id), DB_INT(n->priority), DB_INT(n->max_retries),
	    DB_STR(n->config), DB_STR(n->metadata), DB_STR(n->ntargets ? n->targets : NULL),
	    DB_INT(n->ntargets), who->user_id > 0 ? DB_INT(who->user_id) : DB_NUL,
	    DB_STR(n->run_after), DB_STR(n->created_at), DB_STR(n->log_message),
	    DB_INT(SQ_LOG_MESSAGE_MAX)), NULL);
	/*
	 * The targets' state is set here, in the caller's transaction, by the one sync every
	 * job_targets writer calls: one statement more, but the aggregate's text stays in
	 * job_target_state.h alone (the procedure would need a second copy of it).
	 */
	if (rc == SQ_OK && n->ntargets > 0)
		rc = job_target_state_sync(db, n->jids);
	return rc;
}

/* The guarded row update of a move; SQ_ERR_CONFLICT when the guard matched nothing. */
static enum sq_err
row_update(struct db *db, const struct lifecycle_job *j, enum job_status to, const char *guard,
    const struct lifecycle_args *a)
{
	const char	*st = job_status_name(to);
	enum sq_err	 rc = SQ_ERR_INTERNAL;

	switch (to) {
	case JOB_RUNNING:
		rc = db_exec(db, "UPDATE jobs SET status = 'running', started_at = "
		    "COALESCE(?, NOW(6)), updated_at = NOW(6), lease_owner = ?, lease_expires_at = "
		    "IF(?, NOW(6) + INTERVAL ? SECOND, NULL), cancel_requested = 0 "
		    "WHERE id = ? AND status = ?", DB_PARAMS(DB_STR(a->started_at),
		    DB_STR(a->owner), DB_INT(a->lease), DB_INT(a->lease_seconds), DB_STR(j->jids),
		    DB_STR(guard)), NULL);
		break;
	case JOB_COMPLETED:
	case JOB_FAILED:
		/* The lease ends; completed counts every target done. */
		rc = db_exec(db, "UPDATE jobs SET status = ?, completed_at = COALESCE(?, NOW(6)), "
		    "updated_at = NOW(6), lease_owner = NULL, lease_expires_at = NULL, "
		    "current_target = NULL, completed_targets = IF(? = 'completed', total_targets, "
		    "completed_targets) WHERE id = ? AND status = ?", DB_PARAMS(DB_STR(st),
		    DB_STR(a->completed_at), DB_STR(st), DB_STR(j->jids), DB_STR(guard)), NULL);
		break;
	case JOB_CANCELLED:
		/*
		 * A daemon running it sees cancel_requested and stops. updated_at is stamped
		 * in the statement that stamps cancelled_at, so every dialect shows one time.
		 */
		rc = db_exec(db, "UPDATE jobs SET status = 'cancelled', cancel_requested = 1, "
		    "cancelled_at = NOW(6), updated_at = NOW(6), lease_expires_at = NULL "
		    "WHERE id = ? AND status = ?", DB_PARAMS(DB_STR(j->jids), DB_STR(guard)), NULL);
		break;
	case JOB_PENDING:
		/* The same job again: a retry counts unless the client set the count. */
		rc = db_exec(db, "UPDATE jobs SET status = 'pending', updated_at = NOW(6), "
		    "retry_count = IF(?, retry_count, retry_count + 1), error = IF(?, error, NULL), "
		    "started_at = ?, completed_at = NULL, cancelled_at = NULL, lease_owner = NULL, "
		    "lease_expires_at = NULL, cancel_requested = 0, completed_targets = 0, "
		    "current_target = NULL WHERE id = ? AND status = ?",
		    DB_PARAMS(DB_INT(a->keep_retry_count), DB_INT(a->keep_error),
		    DB_STR(a->started_at), DB_STR(j->jids), DB_STR(guard)), NULL);
		break;
	default:
		break;
	}
	if (rc == SQ_OK && db_affected(db) == 0)
		rc = SQ_ERR_CONFLICT;
	return rc;
}

/* The job's queue row and targets, as the move leaves them. */
static enum sq_err
rows_after(struct db *db, const struct lifecycle_job *j, enum job_status to)
{
	enum sq_err rc = SQ_OK;

	if (to == JOB_RUNNING || to == JOB_CANCELLED)
		rc = db_exec(db, "DELETE FROM job_queue WHERE job_id = ?",
		    DB_PARAMS(DB_STR(j->jids)), NULL);
	else if (to == JOB_PENDING)
		rc = db_exec(db, "INSERT INTO job_queue (job_id, priority, run_after) "
		    "SELECT id, priority, NOW(6) FROM jobs WHERE id = ?",
		    DB_PARAMS(DB_STR(j->jids)), NULL);
	if (rc != SQ_OK)
		return rc;
	switch (to) {
	case JOB_RUNNING:
		rc = db_exec(db, "UPDATE job_targets SET status = 'running', started_at = "
		    "COALESCE(started_at, NOW(6)) WHERE job_id = ? AND status = 'pending'",
		    DB_PARAMS(DB_STR(j->jids)), NULL);
		break;
	case JOB_COMPLETED:
	case JOB_FAILED:
		rc = db_exec(db, "UPDATE job_targets SET status = ?, completed_at = "
		    "COALESCE(completed_at, NOW(6)) WHERE job_id = ? AND status IN ('pending', "
		    "'running')", DB_PARAMS(DB_STR(job_status_name(to)), DB_STR(j->jids)), NULL);
		break;
	case JOB_CANCELLED:
		rc = db_exec(db, "UPDATE job_targets SET status = 'cancelled' WHERE job_id = ? "
		    "AND status = 'pending'", DB_PARAMS(DB_STR(j->jids)), NULL);
		break;
	case JOB_PENDING:
		rc = db_exec(db, "UPDATE job_targets SET status = 'pending', started_at = NULL, "
		    "completed_at = NULL WHERE job_id = ?", DB_PARAMS(DB_STR(j->jids)), NULL);
		break;
	default:
		return SQ_ERR_INTERNAL;
	}
	/* Only when a row changed: a job without targets, or none in the moved state, keeps its state. */
	if (rc == SQ_OK && db_affected(db) > 0)
		rc = job_target_state_sync(db, j->jids);
	return rc;
}

enum sq_err
lifecycle_move(struct db *db, const struct principal *who, const struct lifecycle_job *j,
    enum job_status to, const struct lifecycle_args *a, const char *action,
    const char *before, struct lifecycle_change *out)
{
	const char		*guard = job_transition_guard(j->status, to);
	struct lifecycle_change	 ch = { j->status, to, lifecycle_event_name(to), 0 };
	char			 msg[96];
	enum sq_err		 rc;

	if (guard == NULL)
		return SQ_ERR_CONFLICT;
	rc = row_update(db, j, to, guard, a);
	if (rc == SQ_OK)
		rc = rows_after(db, j, to);
	if (rc == SQ_OK)
		rc = event(db, j->jids, ch.event, guard, &ch.event_id);
	snprintf(msg, sizeof(msg), "Status changed from %s to %s via API", guard,
	    job_status_name(to));
	if (rc == SQ_OK)
		rc = lifecycle_log(db, j->jids, "info", msg);
	if (rc == SQ_OK)
		rc = job_audit_record(db, who, j->pids, j->jids, action, before);
	if (rc == SQ_OK && out != NULL)
		*out = ch;
	return rc;
}

enum sq_err
lifecycle_touch(struct db *db, const struct principal *who, const struct lifecycle_job *j,
    const char *action, const char *before, struct lifecycle_change *out)
{
	struct lifecycle_change	 ch = { j->status, j->status, "updated", 0 };
	enum sq_err		 rc;

	rc = event(db, j->jids, ch.event, NULL, &ch.event_id);
	if (rc == SQ_OK)
		rc = job_audit_record(db, who, j->pids, j->jids, action, before);
	if (rc == SQ_OK && out != NULL)
		*out = ch;
	return rc;
}
