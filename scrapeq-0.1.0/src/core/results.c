/* results.c: a job's result rows for a member of its project, by window, streamed row by row. */
#include <limits.h>
#include <string.h>

#include "scrapeq/results.h"

/* In enum result_col order; the SELECT lists below read them in the same order. */
static const struct {
	const char		*name;
	enum result_type	 type;
} result_cols[RESULT_COL__COUNT] = {
	[RESULT_URL] = { "url", RESULT_T_TEXT },
	[RESULT_STATUS_CODE] = { "status_code", RESULT_T_INT },
	[RESULT_CONTENT_TYPE] = { "content_type", RESULT_T_TEXT },
	[RESULT_BYTES] = { "bytes", RESULT_T_INT },
	[RESULT_FETCH_MS] = { "fetch_ms", RESULT_T_INT },
	[RESULT_DEPTH] = { "depth", RESULT_T_INT },
	[RESULT_TITLE] = { "title", RESULT_T_TEXT },
	[RESULT_DESCRIPTION] = { "description", RESULT_T_TEXT },
	[RESULT_CANONICAL_URL] = { "canonical_url", RESULT_T_TEXT },
	[RESULT_LINKS_COUNT] = { "links_count", RESULT_T_INT },
	[RESULT_IMAGES_COUNT] = { "images_count", RESULT_T_INT },
	[RESULT_PRODUCTS_COUNT] = { "products_count", RESULT_T_INT },
	[RESULT_PRODUCTS] = { "products", RESULT_T_JSON },
	[RESULT_FIELDS] = { "fields", RESULT_T_JSON },
	[RESULT_TARGET_ID] = { "target_id", RESULT_T_ID },
	[RESULT_CREATED_AT] = { "created_at", RESULT_T_TIME },
};

/*
 * The JSON columns come out of results.data only when one is chosen: data is a
 * LONGTEXT that InnoDB may keep off-page, and naming it at all makes every row read it.
 */
#define COLS(json) "r.url, r.status_code, r.content_type, r.bytes, r.fetch_ms, r.depth, " \
	"r.title, r.description, r.canonical_url, r.links_count, r.images_count, " \
	"r.products_count, " json ", r.target_id, r.created_at"
#define WITH_JSON "JSON_QUERY(r.data, '$.products'), JSON_QUERY(r.data, '$.fields')"
#define NO_JSON "NULL, NULL"

/* A page: its ids found on the (job_id, id) index first, so a deep offset skips index entries, not rows. */
#define PAGE_SQL(json) "SELECT " COLS(json) " FROM (SELECT id FROM results WHERE job_id = ? " \
	"ORDER BY id LIMIT ? OFFSET ?) k JOIN results r ON r.id = k.id ORDER BY r.id"
/* Everything after an offset: one walk along the same index. */
#define ALL_SQL(json) "SELECT " COLS(json) " FROM results r WHERE r.job_id = ? " \
	"ORDER BY r.id LIMIT ? OFFSET ?"

/* A sampling job's rows, in the order they were drawn. */
#define SAMPLE_SQL(json) "SELECT " COLS(json) " FROM sample_rows s JOIN results r " \
	"ON r.id = s.result_id WHERE s.job_id = ? ORDER BY s.round, s.ordinal LIMIT ? OFFSET ?"

static const char *const sample_sql[2] = { SAMPLE_SQL(NO_JSON), SAMPLE_SQL(WITH_JSON) };

static const char *const read_sql[2][2] = {	/* [all][json] */
	{ PAGE_SQL(NO_JSON), PAGE_SQL(WITH_JSON) },
	{ ALL_SQL(NO_JSON), ALL_SQL(WITH_JSON) },
};

#define MEMBER_FROM "FROM jobs j JOIN memberships m ON m.project_id = j.project_id " \
	"AND m.user_id = ? WHERE j.id = ?"

const char *
result_col_name(enum result_col c)
{
	return (unsigned)c < RESULT_COL__COUNT ? result_cols[c].name : "?";
}

enum result_type
result_col_type(enum result_col c)
{
	return (unsigned)c < RESULT_COL__COUNT ? result_cols[c].type : RESULT_T_TEXT;
}

void
result_cols_all(struct result_cols *out)
{
	size_t i;

	for (i = 0; i < RESULT_COL__COUNT; i++)
		out->col[i] = (enum result_col)i;
	out->n = RESULT_COL__COUNT;
}

static int
col_lookup(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < RESULT_COL__COUNT; i++)
		if (strlen(result_cols[i].name) == len && memcmp(result_cols[i].name, s, len) == 0)
			return (int)i;
	return -1;
}

enum sq_err
result_cols_parse(const char *list, struct result_cols *out, struct sq_error *e)
{
	unsigned	 seen[RESULT_COL__COUNT] = { 0 };
	const char	*p = list;
	size_t		 len;
	int		 c;

	out->n = 0;
	if (list[0] == '\0')
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid columns: must name at least one column");
	for (;;) {
		len = strcspn(p, ",");
		if (len == 0)
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid columns: empty column name");
		if ((c = col_lookup(p, len)) == -1)
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid columns: unknown column '%.*s'",
			    (int)(len > 64 ? 64 : len), p);
		if (seen[c]++)
			return sq_fail(e, SQ_ERR_BAD_REQUEST,
			    "Invalid columns: column '%s' given twice", result_cols[c].name);
		out->col[out->n++] = (enum result_col)c;
		if (p[len] == '\0')
			return SQ_OK;
		p += len + 1;
	}
}

int
result_cols_format(const struct result_cols *cols, char *out, size_t outsz)
{
	size_t i, used = 0, n;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < cols->n; i++) {
		const char *name = result_col_name(cols->col[i]);

		n = strlen(name);
		if (used + (i > 0) + n + 1 > outsz)
			return -1;
		if (i > 0)
			out[used++] = ',';
		memcpy(out + used, name, n + 1);
		used += n;
	}
	return 0;
}

struct read_ctx {
	unsigned	 want[RESULT_COL__COUNT];
	result_row_fn	 fn;
	void		*arg;
};

/* db_exec_each's callback: one db row to one result_row, only the chosen cells. */
static int
read_row(void *arg, const struct db_res *r)
{
	struct read_ctx		*x = arg;
	struct result_row	 row;
	struct result_cell	*c;
	size_t			 i;

	memset(&row, 0, sizeof(row));
	for (i = 0; i < RESULT_COL__COUNT; i++) {
		c = &row.c[i];
		c->s = x->want[i] ? db_str(r, 0, i) : NULL;
		c->null = c->s == NULL;
		if (c->null)
			continue;
		c->len = r->len[i];
		if (result_cols[i].type == RESULT_T_INT)
			c->i = db_int(r, 0, i);
		else if (result_cols[i].type == RESULT_T_ID && uuid_parse(c->s, c->len, &c->id) == -1)
			c->null = 1;
	}
	return x->fn(x->arg, &row);
}

/* A member's check that also counts the rows a total is made of: a job's results, a sampling job's draws. */
#define COUNT_RESULTS "SELECT (SELECT COUNT(*) FROM results r WHERE r.job_id = j.id) " MEMBER_FROM
#define COUNT_SAMPLE "SELECT (SELECT COUNT(*) FROM sample_rows s WHERE s.job_id = j.id) " MEMBER_FROM

/*
 * The membership check: sql selects one value (a count, read into total unless that
 * is NULL) from MEMBER_FROM. SQ_ERR_NOT_FOUND unless who is a member.
 */
static enum sq_err
results_check(struct db *db, const char *sql, const struct principal *who, const char *jid,
    long long *total, struct sq_error *e)
{
	struct db_res	 r;
	enum sq_err	 rc;

	rc = db_exec(db, sql, DB_PARAMS(DB_INT(who->user_id), DB_STR(jid)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found");
	else if (total != NULL)
		*total = db_int(&r, 0, 0);
	db_res_free(&r);
	return rc;
}

/*
 * The member's check with count_sql, then the rows of sql[json] for job and win,
 * handed to fn with only cols' cells filled (json: cols want the data columns).
 */
static enum sq_err
read_job(struct db *db, const char *count_sql, const char *const sql[2],
    const struct principal *who, const struct uuid *job, const struct rows_window *win,
    const struct result_cols *cols, result_row_fn fn, void *arg, long long *total,
    struct sq_error *e)
{
	struct read_ctx	 x;
	char		 jid[UUID_STR_LEN + 1];
	size_t		 i;
	int		 json;
	enum sq_err	 rc;

	uuid_format(job, jid);
	if ((rc = results_check(db, count_sql, who, jid, total, e)) != SQ_OK)
		return rc;
	if (total != NULL && win->offset >= *total)
		return SQ_OK;                           /* past the end: no second round trip */
	memset(&x, 0, sizeof(x));
	for (i = 0; i < cols->n; i++)
		if ((unsigned)cols->col[i] < RESULT_COL__COUNT)
			x.want[cols->col[i]] = 1;
	x.fn = fn;
	x.arg = arg;
	json = x.want[RESULT_PRODUCTS] || x.want[RESULT_FIELDS];
	rc = db_exec_each(db, sql[json], DB_PARAMS(DB_STR(jid),
	    DB_INT(win->limit < 0 ? LLONG_MAX : win->limit), DB_INT(win->offset)), read_row, &x);
	return rc == SQ_OK ? SQ_OK : sq_fail(e, rc, NULL);
}

enum sq_err
results_read(struct db *db, const struct principal *who, const struct uuid *job,
    const struct rows_window *win, const struct result_cols *cols, result_row_fn fn,
    void *arg, long long *total, struct sq_error *e)
{
	return read_job(db, total != NULL ? COUNT_RESULTS : "SELECT 1 " MEMBER_FROM,
	    read_sql[win->limit < 0], who, job, win, cols, fn, arg, total, e);
}

enum sq_err
results_read_sample(struct db *db, const struct principal *who, const struct uuid *job,
    const struct rows_window *win, const struct result_cols *cols, result_row_fn fn,
    void *arg, long long *total, struct sq_error *e)
{
	return read_job(db, COUNT_SAMPLE, sample_sql, who, job, win, cols, fn, arg, total, e);
}
