/* member.c: a project's memberships: the list, and changes judged under the project's lock, audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/audit.h"
#include "scrapeq/buf.h"
#include "scrapeq/member.h"
#include "scrapeq/page_read.h"
#include "scrapeq/project.h"
#include "scrapeq/text.h"

static int
member_from_row(struct member *m, const struct db_res *r, size_t row)
{
	memset(m, 0, sizeof(*m));
	m->user_id = db_int(r, row, 0);
	text_copy(m->username, sizeof(m->username), db_str(r, row, 1));
	text_copy(m->created_at, sizeof(m->created_at), db_str(r, row, 3));
	return role_parse(db_str(r, row, 2), &m->role);
}

static int
member_row(void *item, const struct db_res *r, size_t row)
{
	return member_from_row(item, r, row);
}

static const struct page_read member_page = {
	"SELECT COUNT(*) FROM memberships WHERE project_id = ?",
	"SELECT m.user_id, u.username, m.role, m.created_at FROM memberships m "
	"JOIN users u ON u.id = m.user_id WHERE m.project_id = ? "
	"ORDER BY m.created_at, m.user_id LIMIT ? OFFSET ?",
	sizeof(struct member), member_row, NULL
};

enum sq_err
member_list(struct db *db, const struct principal *who, const struct uuid *project,
    const struct page *pg, struct member **items, size_t *n, long long *total,
    struct sq_error *e)
{
	char		 pids[UUID_STR_LEN + 1];
	enum role	 role;
	void		*v;
	enum sq_err	 rc;

	*items = NULL;
	*n = 0;
	if ((rc = project_access(db, who, project, &role, e)) != SQ_OK ||
	    (rc = role_require(who, role, ROLE_READ, "read members", e)) != SQ_OK)
		return rc;
	uuid_format(project, pids);
	rc = page_read(db, &member_page, pids, pg, &v, n, total, e);
	*items = v;
	return rc;
}

/* What a membership change is judged on, read under the project's row lock. */
struct change {
	char		 pids[UUID_STR_LEN + 1];
	enum role	 actor;                  /* the caller's role */
	long long	 owners;                 /* the project's owners now */
	long long	 user_id;                /* the member's */
	char		 username[SQ_USERNAME_MAX + 1];
	enum role	 from;                   /* the member's role now; ROLE_NONE: none */
};

/*
 * Locks the project row with the caller's membership (every membership change takes
 * this lock first, so the owner count cannot change under us) and checks that the
 * caller may manage members before anyone is looked up.
 */
static enum sq_err
change_lock(struct db *db, const struct principal *who, struct change *c, struct sq_error *e)
{
	struct db_res	 r;
	enum sq_err	 rc;

	rc = db_exec(db, "SELECT m.role, (SELECT COUNT(*) FROM memberships o "
	    "WHERE o.project_id = p.id AND o.role = ?) FROM projects p JOIN memberships m "
	    "ON m.project_id = p.id AND m.user_id = ? WHERE p.id = ? FOR UPDATE",
	    DB_PARAMS(DB_STR(role_name(ROLE_OWNER)), DB_INT(who->user_id), DB_STR(c->pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || role_parse(db_str(&r, 0, 0), &c->actor) == -1)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
	else
		c->owners = db_int(&r, 0, 1);
	db_res_free(&r);
	if (rc != SQ_OK)
		return rc;
	return role_require(who, c->actor, ROLE_MANAGE, "manage members", e);
}

/* The user named username and their membership of the project, if any. */
static enum sq_err
change_member(struct db *db, const char *username, struct change *c, struct sq_error *e)
{
	struct db_res	 r;
	const char	*s;
	size_t		 len = strlen(username);
	enum sq_err	 rc;

	if (len == 0 || len > SQ_USERNAME_MAX)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "User not found");
	rc = db_exec(db, "SELECT u.id, u.username, m.role FROM users u "
	    "LEFT JOIN memberships m ON m.user_id = u.id AND m.project_id = ? "
	    "WHERE u.username = ?", DB_PARAMS(DB_STR(c->pids), DB_STR(username)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	c->from = ROLE_NONE;
	if (r.nrows == 0)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "User '%s' not found", username);
	else if ((s = db_str(&r, 0, 2)) != NULL && role_parse(s, &c->from) == -1)
		rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	else {
		c->user_id = db_int(&r, 0, 0);
		text_copy(c->username, sizeof(c->username), db_str(&r, 0, 1));
	}
	db_res_free(&r);
	return rc;
}

/* {"user_id":N,"username":"x","role":"r"} into b, or nothing for ROLE_NONE. */
static const char *
member_json(struct buf *b, const struct change *c, enum role role)
{
	if (role == ROLE_NONE)
		return NULL;
	buf_printf(b, "{\"user_id\":%lld,\"username\":", c->user_id);
	buf_json_str(b, c->username, strlen(c->username));
	buf_printf(b, ",\"role\":\"%s\"}", role_name(role));
	return b->data;
}

/* Writes the membership as to (ROLE_NONE: removed) and its audit row. */
static enum sq_err
change_write(struct db *db, const struct principal *who, const struct change *c, enum role to)
{
	struct buf	 before, after;
	char		 uid[24];
	const char	*action;
	enum sq_err	 rc;

	buf_init(&before, 0);
	buf_init(&after, 0);
	snprintf(uid, sizeof(uid), "%lld", c->user_id);
	if (to == ROLE_NONE) {
		action = "member_remove";
		rc = db_exec(db, "DELETE FROM memberships WHERE user_id = ? AND project_id = ?",
		    DB_PARAMS(DB_INT(c->user_id), DB_STR(c->pids)), NULL);
	} else {
		action = c->from == ROLE_NONE ? "member_add" : "member_update";
		rc = db_exec(db, "INSERT INTO memberships (user_id, project_id, role) "
		    "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE role = VALUES(role)",
		    DB_PARAMS(DB_INT(c->user_id), DB_STR(c->pids), DB_STR(role_name(to))), NULL);
	}
	if (rc == SQ_OK) {
		const char *b = member_json(&before, c, c->from), *a = member_json(&after, c, to);

		rc = before.oom || after.oom ? SQ_ERR_NOMEM :
		    audit_write(db, who, c->pids, "member", uid, action, b, a);
	}
	buf_free(&before);
	buf_free(&after);
	return rc;
}

/*
 * The one path of every membership change: lock, check the caller, find the member,
 * judge the change (role_member_change), write it unless it changes nothing, commit.
 * *c is what was judged, for the caller's answer.
 */
static enum sq_err
change(struct db *db, const struct principal *who, const struct uuid *project,
    const char *username, enum role to, int removing, struct change *c, struct sq_error *e)
{
	enum sq_err rc;

	memset(c, 0, sizeof(*c));
	e->code = SQ_OK;
	uuid_format(project, c->pids);
	if ((rc = db_begin(db)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	if ((rc = change_lock(db, who, c, e)) != SQ_OK ||
	    (rc = change_member(db, username, c, e)) != SQ_OK)
		goto fail;
	if (removing && c->from == ROLE_NONE) {
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "'%s' is not a member of this project",
		    c->username);
		goto fail;
	}
	if ((rc = role_member_change(who, c->actor, c->from, to, c->owners, e)) != SQ_OK)
		goto fail;
	if (c->from == to) {                   /* nothing to change, nothing to audit */
		db_rollback(db);
		return SQ_OK;
	}
	if ((rc = change_write(db, who, c, to)) != SQ_OK || (rc = db_commit(db)) != SQ_OK) {
		sq_fail(e, rc, NULL);
		goto fail;
	}
	return SQ_OK;
fail:
	db_rollback(db);
	return rc;
}

enum sq_err
member_set(struct db *db, const struct principal *who, const struct uuid *project,
    const char *username, const char *role, struct member *out, int *created,
    struct sq_error *e)
{
	struct change	 c;
	struct db_res	 r;
	enum role	 to;
	enum sq_err	 rc;

	*created = 0;
	if (role == NULL)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Field 'role' is required");
	if (role_parse(role, &to) == -1)
		return sq_fail(e, SQ_ERR_INVALID, "Field 'role' must be one of owner, admin, "
		    "member, viewer");
	if ((rc = change(db, who, project, username, to, 0, &c, e)) != SQ_OK)
		return rc;
	*created = c.from == ROLE_NONE;
	/* The membership as it now is (created_at of a new one comes from the database). */
	rc = db_exec(db, "SELECT m.user_id, u.username, m.role, m.created_at FROM memberships m "
	    "JOIN users u ON u.id = m.user_id WHERE m.user_id = ? AND m.project_id = ?",
	    DB_PARAMS(DB_INT(c.user_id), DB_STR(c.pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0)
		rc = sq_fail(e, SQ_ERR_CONFLICT, "The membership changed meanwhile");
	else if (member_from_row(out, &r, 0) == -1)
		rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	db_res_free(&r);
	return rc;
}

enum sq_err
member_remove(struct db *db, const struct principal *who, const struct uuid *project,
    const char *username, struct sq_error *e)
{
	struct change c;

	return change(db, who, project, username, ROLE_NONE, 1, &c, e);
}
