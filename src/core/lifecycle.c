/* lifecycle.c: the rows a job's creation and state changes write beside the change itself. */
#include "scrapeq/job_audit.h"
#include "scrapeq/lifecycle.h"
#include "scrapeq/limits.h"

enum sq_err
lifecycle_event(struct db *db, const char *jids, const char *pids, const char *type,
    const char *data)
{
	return db_exec(db, "INSERT INTO job_events (job_id, project_id, type, data) "
	    "VALUES (?, ?, ?, ?)",
	    DB_PARAMS(DB_STR(jids), DB_STR(pids), DB_STR(type), DB_STR(data)), NULL);
}

enum sq_err
lifecycle_log(struct db *db, const char *jids, const char *level, const char *msg)
{
	/* LEFT counts characters, so a cut never splits one. */
	return db_exec(db, "INSERT INTO job_logs (job_id, level, message) VALUES (?, ?, LEFT(?, ?))",
	    DB_PARAMS(DB_STR(jids), DB_STR(level), DB_STR(msg), DB_INT(SQ_LOG_MESSAGE_MAX)), NULL);
}

enum sq_err
lifecycle_enqueue(struct db *db, const struct principal *who, const struct lifecycle_new *n)
{
	enum sq_err	 rc;

	rc = db_exec(db, "INSERT INTO project_daily_jobs (project_id, day, n) "
	    "VALUES (?, UTC_DATE(), 1) ON DUPLICATE KEY UPDATE n = n + 1",
	    DB_PARAMS(DB_STR(n->pids)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO job_queue (job_id, priority, run_after) "
		    "VALUES (?, ?, COALESCE(?, NOW(6)))", DB_PARAMS(DB_STR(n->jids),
		    DB_INT(n->priority), DB_STR(n->run_after)), NULL);
	if (rc == SQ_OK)
		rc = lifecycle_event(db, n->jids, n->pids, "created", "{\"status\":\"pending\"}");
	if (rc == SQ_OK)
		rc = lifecycle_log(db, n->jids, "info", n->log_message);
	if (rc == SQ_OK)
		rc = job_audit_record(db, who, n->pids, n->jids, "create", NULL);
	return rc;
}
