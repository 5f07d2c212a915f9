/* crawl_error.c: listing a job's crawl errors (failed, refused and robots-blocked URLs) for a member. */
#include <limits.h>
#include <string.h>

#include "scrapeq/crawl_error.h"

static const char *const kinds[CRAWL_ERR__COUNT] = {
	"fetch", "http", "robots", "refused", "too_large", "redirects", "type", "selector",
};

const char *
crawl_error_kind_name(enum crawl_error_kind k)
{
	return (unsigned)k < CRAWL_ERR__COUNT ? kinds[k] : "?";
}

int
crawl_error_kind_parse(const char *s, enum crawl_error_kind *out)
{
	int i;

	for (i = 0; s != NULL && i < CRAWL_ERR__COUNT; i++)
		if (strcmp(s, kinds[i]) == 0) {
			*out = (enum crawl_error_kind)i;
			return 0;
		}
	return -1;
}

#define ERR_COLS "c.url, c.kind, c.status_code, c.message, c.target_id, c.created_at"
/* The page's ids come off the (job_id, id) index; a kind filter reads the rows it tests. */
#define ERR_SQL(where) "SELECT " ERR_COLS " FROM (SELECT id FROM crawl_errors " \
	"WHERE job_id = ? " where " ORDER BY id LIMIT ? OFFSET ?) k " \
	"JOIN crawl_errors c ON c.id = k.id ORDER BY c.id"
#define COUNT_SQL(where) "SELECT (SELECT COUNT(*) FROM crawl_errors c WHERE c.job_id = j.id " \
	where ") FROM jobs j JOIN memberships m ON m.project_id = j.project_id " \
	"AND m.user_id = ? WHERE j.id = ?"
#define MEMBER_SQL "SELECT 1 FROM jobs j JOIN memberships m " \
	"ON m.project_id = j.project_id AND m.user_id = ? WHERE j.id = ?"

static const char *const page_sql[2] = { ERR_SQL(""), ERR_SQL("AND kind = ?") };
static const char *const count_sql[2] = { COUNT_SQL(""), COUNT_SQL("AND c.kind = ?") };

struct read_ctx {
	crawl_error_fn	 fn;
	void		*arg;
};

static int
read_row(void *arg, const struct db_res *r)
{
	struct read_ctx		*x = arg;
	struct crawl_error	 ce;
	const char		*s;

	memset(&ce, 0, sizeof(ce));
	ce.url = db_str(r, 0, 0) ? db_str(r, 0, 0) : "";
	if (crawl_error_kind_parse(db_str(r, 0, 1), &ce.kind) == -1)
		ce.kind = CRAWL_ERR_FETCH;              /* the ENUM column allows no other */
	if ((ce.has_status = db_str(r, 0, 2) != NULL))
		ce.status_code = db_int(r, 0, 2);
	ce.message = db_str(r, 0, 3) ? db_str(r, 0, 3) : "";
	s = db_str(r, 0, 4);
	ce.has_target = s != NULL && uuid_parse(s, strlen(s), &ce.target_id) == 0;
	ce.created_at = db_str(r, 0, 5);
	return x->fn(x->arg, &ce);
}

/* SQ_ERR_NOT_FOUND unless who is a member; counts the matching rows when total is set. */
static enum sq_err
errors_check(struct db *db, const struct principal *who, const char *jid, const char *kind,
    long long *total, struct sq_error *e)
{
	struct db_param	 p[3];
	struct db_res	 r;
	size_t		 np = 0;
	enum sq_err	 rc;

	if (total != NULL && kind != NULL)
		p[np++] = DB_STR(kind);
	p[np++] = DB_INT(who->user_id);
	p[np++] = DB_STR(jid);
	rc = db_exec(db, total != NULL ? count_sql[kind != NULL] : MEMBER_SQL, p, np, &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found");
	else if (total != NULL)
		*total = db_int(&r, 0, 0);
	db_res_free(&r);
	return rc;
}

enum sq_err
crawl_errors_read(struct db *db, const struct principal *who, const struct uuid *job,
    const enum crawl_error_kind *kind, const struct rows_window *win, crawl_error_fn fn,
    void *arg, long long *total, struct sq_error *e)
{
	struct read_ctx	 x = { fn, arg };
	struct db_param	 p[4];
	char		 jid[UUID_STR_LEN + 1];
	const char	*kname = kind != NULL ? crawl_error_kind_name(*kind) : NULL;
	size_t		 np = 0;
	enum sq_err	 rc;

	uuid_format(job, jid);
	if ((rc = errors_check(db, who, jid, kname, total, e)) != SQ_OK)
		return rc;
	if (total != NULL && win->offset >= *total)
		return SQ_OK;
	p[np++] = DB_STR(jid);
	if (kname != NULL)
		p[np++] = DB_STR(kname);
	p[np++] = DB_INT(win->limit < 0 ? LLONG_MAX : win->limit);
	p[np++] = DB_INT(win->offset);
	rc = db_exec_each(db, page_sql[kname != NULL], p, np, read_row, &x);
	return rc == SQ_OK ? SQ_OK : sq_fail(e, rc, NULL);
}
