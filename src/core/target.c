/* target.c: a project's targets; URLs are checked and normalised with libcurl's URL API. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "scrapeq/page_read.h"
#include "scrapeq/project.h"
#include "scrapeq/role.h"
#include "scrapeq/target.h"
#include "scrapeq/text.h"

#define TARGET_COLS "id, project_id, url, name, enabled, created_at, updated_at"

enum sq_err
target_url_normalise(const char *url, char *out, struct sq_error *e)
{
	CURLU		*h;
	char		*scheme = NULL, *host = NULL, *user = NULL, *norm = NULL;
	size_t		 i;
	enum sq_err	 rc = SQ_OK;

	if (strlen(url) > SQ_URL_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "Field 'url' must be at most %d bytes",
		    SQ_URL_MAX);
	if ((h = curl_url()) == NULL)
		return sq_fail(e, SQ_ERR_NOMEM, NULL);
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
		rc = sq_fail(e, SQ_ERR_INVALID, "Field 'url' must be an absolute http or https URL");
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
		rc = sq_fail(e, SQ_ERR_INVALID, "Field 'url' must use http or https");
		goto out;
	}
	/* Every member sees a target's URL (and seed 001 its host as the domain). */
	if (curl_url_get(h, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		rc = sq_fail(e, SQ_ERR_INVALID, "Field 'url' must not hold a user name or password");
		goto out;
	}
	for (i = 0; host[i] != '\0'; i++)       /* host names are case-insensitive */
		host[i] = (char)text_lower((unsigned char)host[i]);
	if (curl_url_set(h, CURLUPART_HOST, host, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_URL, &norm, 0) != CURLUE_OK || strlen(norm) > SQ_URL_MAX) {
		rc = sq_fail(e, SQ_ERR_INVALID, "Field 'url' is not a usable URL");
		goto out;
	}
	text_copy(out, SQ_URL_MAX + 1, norm);
out:
	curl_free(norm);
	curl_free(user);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(h);
	return rc;
}

static int
target_from_row(struct target *t, const struct db_res *r, size_t row)
{
	const char *s;

	memset(t, 0, sizeof(*t));
	if ((s = db_str(r, row, 0)) == NULL || uuid_parse(s, strlen(s), &t->id) == -1)
		return -1;
	if ((s = db_str(r, row, 1)) == NULL || uuid_parse(s, strlen(s), &t->project_id) == -1)
		return -1;
	text_copy(t->url, sizeof(t->url), db_str(r, row, 2));
	t->has_name = db_str(r, row, 3) != NULL;
	text_copy(t->name, sizeof(t->name), db_str(r, row, 3));
	t->enabled = db_int(r, row, 4) != 0;
	text_copy(t->created_at, sizeof(t->created_at), db_str(r, row, 5));
	text_copy(t->updated_at, sizeof(t->updated_at), db_str(r, row, 6));
	return 0;
}

static enum sq_err
target_validate(const struct target_input *in, int creating, char *url, struct sq_error *e)
{
	enum sq_err rc;

	if (creating && in->url == NULL)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Field 'url' is required");
	if (in->url != NULL && (rc = target_url_normalise(in->url, url, e)) != SQ_OK)
		return rc;
	if (in->name_given && in->name != NULL && strlen(in->name) > SQ_NAME_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "Field 'name' must be at most %d bytes",
		    SQ_NAME_MAX);
	return SQ_OK;
}

/*
 * Loads one target of project through who's membership (SQ_ERR_NOT_FOUND without
 * one), and who's role in the project into *role (may be NULL).
 */
static enum sq_err
target_load(struct db *db, const struct principal *who, const char *pids, const char *tids,
    struct target *out, enum role *role, struct sq_error *e)
{
	struct db_res	 r;
	enum role	 got = ROLE_NONE;
	enum sq_err	 rc;

	rc = db_exec(db, "SELECT t.id, t.project_id, t.url, t.name, t.enabled, t.created_at, "
	    "t.updated_at, m.role FROM targets t JOIN memberships m ON m.project_id = t.project_id "
	    "AND m.user_id = ? WHERE t.id = ? AND t.project_id = ?",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(tids), DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || role_parse(db_str(&r, 0, 7), &got) == -1)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Target not found");
	else if (target_from_row(out, &r, 0) == -1)
		rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	db_res_free(&r);
	if (role != NULL)
		*role = got;
	return rc;
}

enum sq_err
target_create(struct db *db, const struct principal *who, const struct uuid *project,
    const struct target_input *in, struct target *out, struct sq_error *e)
{
	char		 url[SQ_URL_MAX + 1], pids[UUID_STR_LEN + 1], tids[UUID_STR_LEN + 1];
	struct uuid	 id;
	enum role	 role;
	enum sq_err	 rc;

	if ((rc = target_validate(in, 1, url, e)) != SQ_OK ||
	    (rc = project_access(db, who, project, &role, e)) != SQ_OK ||
	    (rc = role_require(who, role, ROLE_MANAGE, "create targets", e)) != SQ_OK)
		return rc;
	uuid_format(project, pids);
	uuid_v7(&id);
	uuid_format(&id, tids);
	/*
	 * The membership check and the insert are one statement: no window between them.
	 * The answer is read before the commit: after a commit nothing may fail (job.c).
	 */
	if ((rc = db_begin(db)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	rc = db_exec(db, "INSERT INTO targets (id, project_id, url, name, enabled) "
	    "SELECT ?, m.project_id, ?, ?, ? FROM memberships m "
	    "WHERE m.user_id = ? AND m.project_id = ?",
	    DB_PARAMS(DB_STR(tids), DB_STR(url), DB_STR(in->name_given ? in->name : NULL),
	    DB_INT(in->enabled == -1 ? 1 : in->enabled), DB_INT(who->user_id), DB_STR(pids)),
	    NULL);
	if (rc != SQ_OK)
		sq_fail(e, rc, NULL);
	else if (db_affected(db) == 0)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
	else if ((rc = target_load(db, who, pids, tids, out, NULL, e)) == SQ_OK &&
	    (rc = db_commit(db)) != SQ_OK)
		sq_fail(e, rc, NULL);
	if (rc != SQ_OK)
		db_rollback(db);
	return rc;
}

enum sq_err
target_get(struct db *db, const struct principal *who, const struct uuid *project,
    const struct uuid *id, struct target *out, struct sq_error *e)
{
	char pids[UUID_STR_LEN + 1], tids[UUID_STR_LEN + 1];

	uuid_format(project, pids);
	uuid_format(id, tids);
	return target_load(db, who, pids, tids, out, NULL, e);
}

static int
target_row(void *item, const struct db_res *r, size_t row)
{
	return target_from_row(item, r, row);
}

static const struct page_read target_page = {
	"SELECT COUNT(*) FROM targets WHERE project_id = ?",
	"SELECT " TARGET_COLS " FROM targets WHERE project_id = ? ORDER BY id LIMIT ? OFFSET ?",
	sizeof(struct target), target_row, NULL
};

enum sq_err
target_list(struct db *db, const struct principal *who, const struct uuid *project,
    const struct page *pg, struct target **items, size_t *n, long long *total,
    struct sq_error *e)
{
	char		 pids[UUID_STR_LEN + 1];
	void		*v;
	enum sq_err	 rc;

	*items = NULL;
	*n = 0;
	if ((rc = project_access(db, who, project, NULL, e)) != SQ_OK)
		return rc;
	uuid_format(project, pids);
	rc = page_read(db, &target_page, pids, pg, &v, n, total, e);
	*items = v;
	return rc;
}

enum sq_err
target_update(struct db *db, const struct principal *who, const struct uuid *project,
    const struct uuid *id, const struct target_input *in, struct target *out,
    struct sq_error *e)
{
	char		 url[SQ_URL_MAX + 1], pids[UUID_STR_LEN + 1], tids[UUID_STR_LEN + 1];
	enum role	 role;
	enum sq_err	 rc;

	if ((rc = target_validate(in, 0, url, e)) != SQ_OK)
		return rc;
	uuid_format(project, pids);
	uuid_format(id, tids);
	if ((rc = target_load(db, who, pids, tids, out, &role, e)) != SQ_OK ||
	    (rc = role_require(who, role, ROLE_MANAGE, "update targets", e)) != SQ_OK)
		return rc;
	rc = db_exec(db, "UPDATE targets SET url = COALESCE(?, url), "
	    "name = IF(?, ?, name), enabled = COALESCE(?, enabled), updated_at = NOW(6) "
	    "WHERE id = ? AND project_id = ?",
	    DB_PARAMS(DB_STR(in->url ? url : NULL), DB_INT(in->name_given),
	    DB_STR(in->name_given ? in->name : NULL),
	    in->enabled == -1 ? DB_NUL : DB_INT(in->enabled), DB_STR(tids), DB_STR(pids)),
	    NULL);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	return target_load(db, who, pids, tids, out, NULL, e);
}

enum sq_err
target_delete(struct db *db, const struct principal *who, const struct uuid *project,
    const struct uuid *id, struct sq_error *e)
{
	char		 pids[UUID_STR_LEN + 1], tids[UUID_STR_LEN + 1];
	struct target	 t;
	enum role	 role;
	enum sq_err	 rc;

	uuid_format(project, pids);
	uuid_format(id, tids);
	if ((rc = target_load(db, who, pids, tids, &t, &role, e)) != SQ_OK ||
	    (rc = role_require(who, role, ROLE_MANAGE, "delete targets", e)) != SQ_OK)
		return rc;
	rc = db_exec(db, "DELETE t FROM targets t JOIN memberships m "
	    "ON m.project_id = t.project_id AND m.user_id = ? WHERE t.id = ? AND t.project_id = ?",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(tids), DB_STR(pids)), NULL);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (db_affected(db) == 0)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Target not found");
	return SQ_OK;
}
