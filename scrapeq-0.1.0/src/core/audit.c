/* audit.c: the statement that writes audit_log rows whose values the caller holds (a job row read by the insert itself is job_audit_record). */
#include "scrapeq/audit.h"

enum sq_err
audit_write(struct db *db, const struct principal *who, const char *pids, const char *entity,
    const char *entity_id, const char *action, const char *before, const char *after)
{
	return db_exec(db, "INSERT INTO audit_log (user_id, project_id, action, entity_type, "
	    "entity_id, before_data, after_data) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    DB_PARAMS(who->user_id > 0 ? DB_INT(who->user_id) : DB_NUL, DB_STR(pids),
	    DB_STR(action), DB_STR(entity), DB_STR(entity_id), DB_STR(before), DB_STR(after)),
	    NULL);
}
