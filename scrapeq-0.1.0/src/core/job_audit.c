/* job_audit.c: audit_log rows for job changes, written in the change's transaction, read by admins. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/audit.h"
#include "scrapeq/job_audit.h"
#include "scrapeq/role.h"
#include "scrapeq/text.h"

/* The audited fields of a jobs row, as one JSON object. */
#define JOB_SNAPSHOT "JSON_OBJECT('status', status, 'priority', priority, " \
	"'retry_count', retry_count, 'max_retries', max_retries, " \
	"'metadata', JSON_EXTRACT(metadata, '$'), 'stats', JSON_EXTRACT(stats, '$'), " \
	"'result', JSON_EXTRACT(result, '$'), 'error', JSON_EXTRACT(error, '$'), " \
	"'started_at', started_at, 'completed_at', completed_at, " \
	"'cancelled_at', cancelled_at, 'lease_owner', lease_owner)"

enum sq_err
job_audit_snapshot(struct db *db, const char *jids, char **out)
{
	struct db_res	 r;
	enum sq_err	 rc;

	*out = NULL;
	rc = db_exec(db, "SELECT " JOB_SNAPSHOT " FROM jobs WHERE id = ?",
	    DB_PARAMS(DB_STR(jids)), &r);
	if (rc != SQ_OK)
		return rc;
	if (r.nrows == 1 && db_str(&r, 0, 0) != NULL && (*out = strdup(db_str(&r, 0, 0))) == NULL)
		rc = SQ_ERR_NOMEM;
	db_res_free(&r);
	return rc;
}

enum sq_err
job_audit_record(struct db *db, const struct principal *who, const char *pids,
    const char *jids, const char *action, const char *before)
{
	/* The job as it is now, read by the insert itself: one round trip in the change's lock. */
	return db_exec(db, "INSERT INTO audit_log (user_id, project_id, action, entity_type, "
	    "entity_id, before_data, after_data) SELECT ?, ?, ?, 'job', ?, ?, " JOB_SNAPSHOT
	    " FROM jobs WHERE id = ?",
	    DB_PARAMS(who->user_id > 0 ? DB_INT(who->user_id) : DB_NUL, DB_STR(pids),
	    DB_STR(action), DB_STR(jids), DB_STR(before), DB_STR(jids)), NULL);
}

/* Who may read the log is the role rule's (ROLE_MANAGE); a non-member gets NOT_FOUND. */
static enum sq_err
audit_access(struct db *db, const struct principal *who, const char *jids, struct sq_error *e)
{
	struct db_res	 r;
	enum role	 role = ROLE_NONE;
	enum sq_err	 rc;

	rc = db_exec(db, "SELECT m.role FROM jobs j JOIN memberships m ON m.project_id = "
	    "j.project_id AND m.user_id = ? WHERE j.id = ?",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(jids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || role_parse(db_str(&r, 0, 0), &role) == -1)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found");
	else
		rc = role_require(who, role, ROLE_MANAGE, "read the audit log", e);
	db_res_free(&r);
	return rc;
}

static int
dup_or_null(const char *s, char **out)
{
	*out = NULL;
	return s != NULL && (*out = strdup(s)) == NULL ? -1 : 0;
}

enum sq_err
job_audit_list(struct db *db, const struct principal *who, const struct uuid *id,
    long long offset, long long limit, struct job_audit_row **items, size_t *n,
    struct sq_error *e)
{
	struct db_res		 r;
	struct job_audit_row	*v = NULL;
	char			 jids[UUID_STR_LEN + 1];
	size_t			 i;
	enum sq_err		 rc;

	*items = NULL;
	*n = 0;
	uuid_format(id, jids);
	if ((rc = audit_access(db, who, jids, e)) != SQ_OK)
		return rc;
	rc = db_exec(db, "SELECT id, ts, user_id, action, before_data, after_data FROM audit_log "
	    "WHERE entity_type = 'job' AND entity_id = ? ORDER BY id LIMIT ? OFFSET ?",
	    DB_PARAMS(DB_STR(jids), DB_INT(limit), DB_INT(offset)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows > 0 && (v = calloc(r.nrows, sizeof(*v))) == NULL)
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	for (i = 0; rc == SQ_OK && i < r.nrows; i++) {
		v[i].id = db_int(&r, i, 0);
		text_copy(v[i].ts, sizeof(v[i].ts), db_str(&r, i, 1));
		v[i].user_id = db_int(&r, i, 2);
		text_copy(v[i].action, sizeof(v[i].action), db_str(&r, i, 3));
		if (dup_or_null(db_str(&r, i, 4), &v[i].before) == -1 ||
		    dup_or_null(db_str(&r, i, 5), &v[i].after) == -1)
			rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	}
	db_res_free(&r);
	if (rc != SQ_OK) {
		job_audit_free(v, i);
		return rc;
	}
	*items = v;
	*n = i;
	return SQ_OK;
}

void
job_audit_free(struct job_audit_row *items, size_t n)
{
	size_t i;

	for (i = 0; items != NULL && i < n; i++) {
		free(items[i].before);
		free(items[i].after);
	}
	free(items);
}
