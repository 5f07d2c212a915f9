/* project.c: projects and memberships; every lookup is scoped to the caller's memberships. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/audit.h"
#include "scrapeq/limits.h"
#include "scrapeq/project.h"
#include "scrapeq/text.h"

#define PROJECT_COLS \
	"p.id, p.name, p.description, p.daily_job_limit, p.max_results_per_target, " \
	"p.seq, p.created_at, p.updated_at, m.role"

void
project_clear(struct project *p)
{
	if (p == NULL)
		return;
	free(p->description);
	memset(p, 0, sizeof(*p));
}

static int
project_from_row(struct project *p, const struct db_res *r, size_t row)
{
	const char *s;

	memset(p, 0, sizeof(*p));
	s = db_str(r, row, 0);
	if (s == NULL || uuid_parse(s, strlen(s), &p->id) == -1)
		return -1;
	text_copy(p->name, sizeof(p->name), db_str(r, row, 1));
	if ((s = db_str(r, row, 2)) != NULL && (p->description = strdup(s)) == NULL)
		return -1;
	p->daily_job_limit = db_str(r, row, 3) ? db_int(r, row, 3) : -1;
	p->max_results_per_target = db_int(r, row, 4);
	p->seq = db_int(r, row, 5);
	text_copy(p->created_at, sizeof(p->created_at), db_str(r, row, 6));
	text_copy(p->updated_at, sizeof(p->updated_at), db_str(r, row, 7));
	text_copy(p->role, sizeof(p->role), db_str(r, row, 8));
	return 0;
}

static enum sq_err
project_validate(const struct project_input *in, int creating, struct sq_error *e)
{
	if (creating && in->name == NULL)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Field 'name' is required");
	if (in->name != NULL) {
		size_t n = strlen(in->name);

		if (n == 0 || strspn(in->name, " \t\r\n") == n)
			return sq_fail(e, SQ_ERR_INVALID, "Field 'name' must not be empty");
		if (n > SQ_NAME_MAX)
			return sq_fail(e, SQ_ERR_INVALID,
			    "Field 'name' must be at most %d bytes", SQ_NAME_MAX);
	}
	if (in->description != NULL && strlen(in->description) > SQ_DESCRIPTION_MAX)
		return sq_fail(e, SQ_ERR_INVALID,
		    "Field 'description' must be at most %d bytes", SQ_DESCRIPTION_MAX);
	if (in->daily_job_limit != -1 && !(!creating &&
	    in->daily_job_limit == PROJECT_DAILY_DEFAULT) &&
	    (in->daily_job_limit < 0 || in->daily_job_limit > SQ_DAILY_JOB_LIMIT_MAX))
		return sq_fail(e, SQ_ERR_INVALID,
		    "Field 'daily_job_limit' must be an integer from 0 to %d",
		    SQ_DAILY_JOB_LIMIT_MAX);
	if (in->max_results_per_target != -1 && (in->max_results_per_target < 1 ||
	    in->max_results_per_target > SQ_RESULTS_PER_TARGET_MAX))
		return sq_fail(e, SQ_ERR_INVALID,
		    "Field 'max_results_per_target' must be an integer from 1 to %d",
		    SQ_RESULTS_PER_TARGET_MAX);
	return SQ_OK;
}

/* daily_job_limit is a quota: given at all, it takes role_allows ROLE_QUOTA. */
static enum sq_err
project_quota_check(const struct principal *who, enum role role, const struct project_input *in,
    struct sq_error *e)
{
	if (in->daily_job_limit == -1)
		return SQ_OK;
	return role_require(who, role, ROLE_QUOTA, "set daily_job_limit", e);
}

enum sq_err
project_create(struct db *db, const struct principal *who, const struct project_input *in,
    struct project *out, struct sq_error *e)
{
	long long	 owner_id = who->user_id;
	struct uuid	 id;
	char		 ids[UUID_STR_LEN + 1];
	enum sq_err	 rc;

	/* The creator becomes the owner: the quota is still a server administrator's. */
	if ((rc = project_validate(in, 1, e)) != SQ_OK ||
	    (rc = project_quota_check(who, ROLE_OWNER, in, e)) != SQ_OK)
		return rc;
	uuid_v7(&id);
	uuid_format(&id, ids);
	if ((rc = db_begin(db)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	rc = db_exec(db, "INSERT INTO projects (id, name, description, daily_job_limit, "
	    "max_results_per_target, created_by) VALUES (?, ?, ?, ?, ?, ?)",
	    DB_PARAMS(DB_STR(ids), DB_STR(in->name), DB_STR(in->description),
	    in->daily_job_limit == -1 ? DB_NUL : DB_INT(in->daily_job_limit),
	    DB_INT(in->max_results_per_target == -1 ? 100 : in->max_results_per_target),
	    DB_INT(owner_id)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "INSERT INTO memberships (user_id, project_id, role) "
		    "VALUES (?, ?, 'owner')", DB_PARAMS(DB_INT(owner_id), DB_STR(ids)), NULL);
	if (rc == SQ_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	return project_get(db, who, &id, out, e);
}

/* The settings an update may change, as one JSON object text (*out: the caller frees). */
static enum sq_err
project_snapshot(struct db *db, const char *pids, char **out)
{
	struct db_res	 r;
	enum sq_err	 rc;

	*out = NULL;
	rc = db_exec(db, "SELECT JSON_OBJECT('name', name, 'description', description, "
	    "'daily_job_limit', daily_job_limit, 'max_results_per_target', "
	    "max_results_per_target) FROM projects WHERE id = ?", DB_PARAMS(DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return rc;
	if (r.nrows == 1 && db_str(&r, 0, 0) != NULL && (*out = strdup(db_str(&r, 0, 0))) == NULL)
		rc = SQ_ERR_NOMEM;
	db_res_free(&r);
	return rc;
}

/* Locks project pids with who's membership; NOT_FOUND without one, then the role rules. */
static enum sq_err
project_lock_manage(struct db *db, const struct principal *who, const char *pids,
    const struct project_input *in, struct sq_error *e)
{
	struct db_res	 r;
	enum role	 role = ROLE_NONE;
	enum sq_err	 rc;

	rc = db_exec(db, "SELECT m.role FROM projects p JOIN memberships m ON m.project_id = p.id "
	    "AND m.user_id = ? WHERE p.id = ? FOR UPDATE",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || role_parse(db_str(&r, 0, 0), &role) == -1)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
	db_res_free(&r);
	if (rc == SQ_OK && (rc = role_require(who, role, ROLE_MANAGE,
	    "change project settings", e)) == SQ_OK)
		rc = project_quota_check(who, role, in, e);
	return rc;
}

/* Writes the given fields; inside the caller's transaction. */
static enum sq_err
project_write(struct db *db, const char *pids, const struct project_input *in)
{
	long long daily = in->daily_job_limit;

	return db_exec(db, "UPDATE projects SET name = COALESCE(?, name), "
	    "description = IF(?, ?, description), daily_job_limit = IF(?, ?, daily_job_limit), "
	    "max_results_per_target = COALESCE(?, max_results_per_target), "
	    "updated_at = NOW(6) WHERE id = ?",
	    DB_PARAMS(DB_STR(in->name), DB_INT(in->description_given || in->description),
	    DB_STR(in->description), DB_INT(daily != -1), daily < 0 ? DB_NUL : DB_INT(daily),
	    in->max_results_per_target == -1 ? DB_NUL : DB_INT(in->max_results_per_target),
	    DB_STR(pids)), NULL);
}

enum sq_err
project_update(struct db *db, const struct principal *who, const struct uuid *id,
    const struct project_input *in, struct project *out, struct sq_error *e)
{
	char		 pids[UUID_STR_LEN + 1];
	char		*before = NULL, *after = NULL;
	enum sq_err	 rc;

	e->code = SQ_OK;
	if ((rc = project_validate(in, 0, e)) != SQ_OK)
		return rc;
	uuid_format(id, pids);
	if ((rc = db_begin(db)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	if ((rc = project_lock_manage(db, who, pids, in, e)) != SQ_OK)
		goto fail;
	if ((rc = project_snapshot(db, pids, &before)) != SQ_OK ||
	    (rc = project_write(db, pids, in)) != SQ_OK ||
	    (rc = project_snapshot(db, pids, &after)) != SQ_OK)
		goto fail;
	/* Nothing changed: no audit row, and updated_at stays as it was. */
	if (before != NULL && after != NULL && strcmp(before, after) == 0) {
		db_rollback(db);
		goto out;
	}
	if ((rc = audit_write(db, who, pids, "project", pids, "update", before, after)) != SQ_OK ||
	    (rc = db_commit(db)) != SQ_OK)
		goto fail;
out:
	free(before);
	free(after);
	return project_get(db, who, id, out, e);
fail:
	db_rollback(db);
	free(before);
	free(after);
	if (e->code != rc)
		sq_fail(e, rc, NULL);
	return rc;
}

enum sq_err
project_set_daily_limit(struct db *db, const struct uuid *id, long long limit,
    struct sq_error *e)
{
	char		 ids[UUID_STR_LEN + 1];
	enum sq_err	 rc;

	if (limit < -1 || limit > SQ_DAILY_JOB_LIMIT_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "daily job limit must be from 0 to %d",
		    SQ_DAILY_JOB_LIMIT_MAX);
	uuid_format(id, ids);
	rc = db_exec(db, "UPDATE projects SET daily_job_limit = ?, updated_at = NOW(6) "
	    "WHERE id = ?", DB_PARAMS(limit == -1 ? DB_NUL : DB_INT(limit), DB_STR(ids)), NULL);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	/* affected_rows counts changed rows; updated_at always changes, so 0 means none. */
	if (db_affected(db) == 0)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
	return SQ_OK;
}

enum sq_err
project_get(struct db *db, const struct principal *who, const struct uuid *id,
    struct project *out, struct sq_error *e)
{
	struct db_res	 r;
	char		 ids[UUID_STR_LEN + 1];
	enum sq_err	 rc;

	uuid_format(id, ids);
	rc = db_exec(db, "SELECT " PROJECT_COLS " FROM memberships m "
	    "JOIN projects p ON p.id = m.project_id WHERE m.user_id = ? AND m.project_id = ?",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(ids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
	else if (project_from_row(out, &r, 0) == -1)
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	db_res_free(&r);
	return rc;
}

enum sq_err
project_access(struct db *db, const struct principal *who, const struct uuid *id,
    enum role *role, struct sq_error *e)
{
	struct db_res	 r;
	char		 ids[UUID_STR_LEN + 1];
	enum role	 got = ROLE_NONE;
	enum sq_err	 rc;

	uuid_format(id, ids);
	rc = db_exec(db, "SELECT role FROM memberships WHERE user_id = ? AND project_id = ?",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(ids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || role_parse(db_str(&r, 0, 0), &got) == -1)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
	db_res_free(&r);
	if (role != NULL)
		*role = got;
	return rc;
}

enum sq_err
project_workspace(struct db *db, const struct principal *who, const char *ref,
    struct uuid *id, long long *seq, struct sq_error *e)
{
	struct db_res	 r;
	struct uuid	 u;
	char		 ids[UUID_STR_LEN + 1];
	const char	*s;
	long long	 n;
	enum sq_err	 rc;

	if (ref != NULL && parse_int_range(ref, 1, PROJECT_SEQ_MAX, &n) == 0)
		rc = db_exec(db, "SELECT p.id, p.seq, m.user_id FROM projects p LEFT JOIN "
		    "memberships m ON m.project_id = p.id AND m.user_id = ? WHERE p.seq = ?",
		    DB_PARAMS(DB_INT(who->user_id), DB_INT(n)), &r);
	else if (id_parse(ID_PREFIX_PROJECT, ref, &u) == 0) {
		uuid_format(&u, ids);
		rc = db_exec(db, "SELECT p.id, p.seq, m.user_id FROM projects p LEFT JOIN "
		    "memberships m ON m.project_id = p.id AND m.user_id = ? WHERE p.id = ?",
		    DB_PARAMS(DB_INT(who->user_id), DB_STR(ids)), &r);
	} else
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Workspace not found");
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	/* One answer whether the workspace is missing or not the caller's: no enumeration. */
	if (r.nrows == 0 || db_str(&r, 0, 2) == NULL)
		rc = sq_fail(e, SQ_ERR_FORBIDDEN, "No access to this workspace");
	else if ((s = db_str(&r, 0, 0)) == NULL || uuid_parse(s, strlen(s), id) == -1)
		rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	else
		*seq = db_int(&r, 0, 1);
	db_res_free(&r);
	return rc;
}

enum sq_err
project_list(struct db *db, const struct principal *who, const struct page *pg,
    struct project **items, size_t *n, long long *total, struct sq_error *e)
{
	struct db_res	 r, c;
	struct project	*v = NULL;
	enum sq_err	 rc;
	size_t		 i, rows;

	*items = NULL;
	*n = 0;
	rc = db_exec(db, "SELECT COUNT(*) FROM memberships WHERE user_id = ?",
	    DB_PARAMS(DB_INT(who->user_id)), &c);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	*total = db_int(&c, 0, 0);
	db_res_free(&c);
	rc = db_exec(db, "SELECT " PROJECT_COLS " FROM memberships m "
	    "JOIN projects p ON p.id = m.project_id WHERE m.user_id = ? "
	    "ORDER BY p.id DESC LIMIT ? OFFSET ?",
	    DB_PARAMS(DB_INT(who->user_id), DB_INT(pg->per_page), DB_INT(pg->offset)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	rows = r.nrows;
	if (rows > 0 && (v = calloc(rows, sizeof(*v))) == NULL)
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	for (i = 0; rc == SQ_OK && i < rows; i++)
		if (project_from_row(&v[i], &r, i) == -1)
			rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	db_res_free(&r);
	if (rc != SQ_OK) {
		project_list_free(v, v ? rows : 0);
		return rc;
	}
	*items = v;
	*n = i;
	return SQ_OK;
}

void
project_list_free(struct project *items, size_t n)
{
	size_t i;

	for (i = 0; items != NULL && i < n; i++)
		project_clear(&items[i]);
	free(items);
}
