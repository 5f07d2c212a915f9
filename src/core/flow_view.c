/* flow_view.c: seed 002's flow, export and import objects of a scrape job, and the list that pages them. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/flow_view.h"
#include "scrapeq/job_update.h"
#include "scrapeq/job.h"
#include "scrapeq/limits.h"
#include "scrapeq/text.h"

/*
 * Each scrape job is read once and shown as three objects (flow, export, import):
 *   createdAt   the job's created_at for the flow; its export child is created 1 ms
 *               after it and its import child 2 ms after, so that no page boundary
 *               splits a job's objects at one instant and the document's recipe
 *               (createdAt_lte = the last createdAt - 1 ms) steps over none of them
 *   status      the job's; the import child is pending (queued) until the job ends
 *   numSuccess  results stored; the import child's is 0 until the job ends, then every
 *               result (with no sink configured, delivering is storing)
 *   numError    crawl errors (jobs.error_records); numIgnore robots.txt refusals
 *               (jobs.ignored_records); numPages* the crawl's stats; 0 on the import
 *   startedAt   the job's start; the import's is the job's end (completed or failed)
 *   endedAt     completed_at (completed, failed) or cancelled_at; purgeAt is endedAt
 *               + retention_days; lastModified is updated_at
 * The objects are built and matched in C from one row per job, so the statement
 * orders jobs alone and the index gives that order. The stats counts are cast to
 * short text: JSON_VALUE's LONGTEXT made the final sort's temporary table a disk
 * table, a quarter of the statement's time (issue 13). Numbers and times come as
 * text the server writes: the client library formats a binary DATETIME or BIGINT
 * with sprintf, a seventh of the worker's time on a full page.
 */
#define FV_ENDED "(CASE WHEN j.status IN ('completed', 'failed') THEN j.completed_at " \
	"WHEN j.status = 'cancelled' THEN j.cancelled_at END)"
#define FV_TXT(x) "CAST(" x " AS CHAR)"
#define FV_COLS "j.id, j.project_id, j.status, " FV_TXT("j.total_results") ", " \
	FV_TXT("j.error_records") ", " FV_TXT("j.ignored_records") ", " \
	"COALESCE(CAST(JSON_VALUE(j.stats, '$.totalPages') AS CHAR(32)), 0), " \
	"COALESCE(CAST(JSON_VALUE(j.stats, '$.pagesProcessed') AS CHAR(32)), 0), " \
	FV_TXT("j.started_at") ", " FV_TXT("j.completed_at") ", " FV_TXT(FV_ENDED) ", " \
	FV_TXT("j.updated_at") ", " FV_TXT(FV_ENDED " + INTERVAL ? DAY") ", " \
	FV_TXT("j.created_at") ", " FV_TXT("j.created_at + INTERVAL 1000 MICROSECOND") ", " \
	FV_TXT("j.created_at + INTERVAL 2000 MICROSECOND")
#define FV_COL_CREATED 13         /* + kind: that object's createdAt */
#define FV_COL_AFTER   16         /* 1: the job comes after the after_id job */
#define FV_CHILD_SPAN  "2000"     /* µs from a flow's createdAt to its import's */
#define FV_BATCH_SLACK 8          /* jobs read past a page's worth, so one batch fills it */

/*
 * A batch of jobs in job order (created_at, id descending) under the caller's
 * memberships, on jobs_project_type_created (sql/005). The batch cursor is the last
 * job read. The time, status and count conditions are only the necessary ones (no
 * object of a job that fails them could match); the objects are matched exactly in
 * C (fv_matches). FV_WHERE(a) are those conditions on the jobs alias a.
 */
#define FV_WHERE(a) \
	"AND (? IS NULL OR " a ".project_id = CAST(? AS UUID)) " \
	"AND (? IS NULL OR " a ".project_id = CAST(? AS UUID)) " \
	"AND (? IS NULL OR " a ".project_id = CAST(? AS UUID)) " \
	"AND (? IS NULL OR JSON_CONTAINS(?, JSON_QUOTE(CAST(" a ".project_id AS CHAR)))) " \
	"AND (? IS NULL OR " a ".created_at >= CAST(? AS DATETIME(6)) - INTERVAL " \
	FV_CHILD_SPAN " MICROSECOND) " \
	"AND (? IS NULL OR " a ".created_at <= ?) " \
	"AND (? IS NULL OR " a ".created_at < ? OR (" a ".created_at = ? AND " \
	a ".id < CAST(? AS UUID))) " \
	"AND (? IS NULL OR " a ".status IN (?, ?)) " \
	"AND (? IS NULL OR " a ".total_results >= ?) " \
	"AND (? IS NULL OR " a ".error_records >= ?) " \
	"AND (? IS NULL OR " a ".ignored_records >= ?) "
#define FV_HEAD "SELECT " FV_COLS ", (? IS NULL OR j.created_at < ? OR (j.created_at = ? AND " \
	"j.id < CAST(? AS UUID))) "
/* Any projects: the batch's ids first (ordered across projects), then their rows. */
#define FV_SQL(key) FV_HEAD "FROM jobs j " \
	"JOIN (SELECT i.id FROM jobs i JOIN memberships m " \
	"ON m.project_id = i.project_id AND m.user_id = ? WHERE i.type = 'scrape' " key \
	FV_WHERE("i") "ORDER BY i.created_at DESC, i.id DESC LIMIT ?) t ON t.id = j.id " \
	"ORDER BY j.created_at DESC, j.id DESC"
/*
 * One project: the index gives job order, so its rows are read in that order once;
 * the derived form read each row twice and sorted the batch again (a third of the
 * statement's time on a full page, issue 13). The index is named so that a status
 * filter never trades it for one that needs the whole project sorted.
 */
#define FV_SQL_ONE FV_HEAD "FROM jobs j FORCE INDEX (jobs_project_type_created) " \
	"JOIN memberships m ON m.project_id = j.project_id AND m.user_id = ? " \
	"WHERE j.type = 'scrape' " FV_WHERE("j") \
	"ORDER BY j.created_at DESC, j.id DESC LIMIT ?"
#define FV_NPARAMS 33

/* [0]: any filters; [1]: one job, by primary key; [2]: filters naming one project. */
static const char *const fv_sql[3] = {
	FV_SQL(""),
	FV_SQL("AND i.id = CAST(? AS UUID) "),
	FV_SQL_ONE,
};

/* A job in job order: its created_at and id, as the database has them. */
struct fv_pos {
	int		 has;
	char		 at[FLOW_TIME_MAX];
	char		 id[UUID_STR_LEN + 1];
};

/* Strings bound to a statement must outlive it: they live here. */
struct fv_binds {
	char	 integration[UUID_STR_LEN + 1], flow[UUID_STR_LEN + 1], export[UUID_STR_LEN + 1];
	char	 key[UUID_STR_LEN + 1];
};

/* A matching object and where it stands: objects sort by createdAt, then job order, then kind. */
struct fv_item {
	struct flow_job	 o;
	size_t		 rank;            /* the job's place in job order */
};

/* A page being filled: items from every batch read so far. */
struct fv_page {
	struct fv_item	*v;
	size_t		 n, cap;
};

static struct db_param
opt_uuid(int has, const struct uuid *u, char *s)
{
	if (!has)
		return DB_NUL;
	uuid_format(u, s);
	return DB_STR(s);
}

/* A count condition worth giving the database: at least 1. */
static struct db_param
opt_min(long long v)
{
	return v < 1 ? DB_NUL : DB_INT(v);
}

static struct db_param
opt_str(const char *s)
{
	return s[0] ? DB_STR(s) : DB_NUL;
}

/* The "? IS NULL OR ... ?" pairs bind one value twice. */
static size_t
put2(struct db_param *p, size_t n, struct db_param v)
{
	p[n] = p[n + 1] = v;
	return n + 2;
}

/* "? IS NULL OR created_at < ? OR (created_at = ? AND id < ?)": strictly after pos. */
static size_t
put_pos(struct db_param *p, size_t n, const struct fv_pos *pos)
{
	struct db_param at = pos->has ? DB_STR(pos->at) : DB_NUL;

	p[n++] = at;
	p[n++] = at;
	p[n++] = at;
	p[n++] = pos->has ? DB_STR(pos->id) : DB_NUL;
	return n;
}

/* The job statuses whose objects can have status s: the import is pending while its job runs. */
static size_t
put_status(struct db_param *p, size_t n, const struct flow_filter *f)
{
	const char *s = job_status_name(f->status), *s2 = s;

	if (!f->has_status) {
		p[n] = p[n + 1] = p[n + 2] = DB_NUL;
		return n + 3;
	}
	if (f->status == JOB_PENDING && (!f->has_kind || f->kind == FLOW_KIND_IMPORT))
		s2 = job_status_name(JOB_RUNNING);
	p[n++] = DB_STR(s);
	p[n++] = DB_STR(s);
	p[n++] = DB_STR(s2);
	return n;
}

/* Fills p in the order of FV_SQL's placeholders; key (may be NULL) picks fv_sql[1]. */
static size_t
fv_params(struct db_param *p, const struct config *cfg, const struct principal *who,
    const struct flow_filter *f, const struct uuid *key, const struct fv_pos *after,
    const struct fv_pos *batch, struct fv_binds *b, long long limit)
{
	size_t n = 0;

	p[n++] = DB_INT(cfg->retention_days);
	n = put_pos(p, n, after);
	p[n++] = DB_INT(who->user_id);
	if (key != NULL)
		p[n++] = opt_uuid(1, key, b->key);
	n = put2(p, n, opt_uuid(f->has_integration, &f->integration, b->integration));
	n = put2(p, n, opt_uuid(f->has_flow, &f->flow, b->flow));
	n = put2(p, n, opt_uuid(f->has_export, &f->export, b->export));
	n = put2(p, n, f->has_flow_in ? DB_STR(f->flow_in) : DB_NUL);
	n = put2(p, n, opt_str(f->created_gte));
	n = put2(p, n, opt_str(f->created_lte));
	n = put_pos(p, n, batch);
	n = put_status(p, n, f);
	n = put2(p, n, opt_min(f->success_gte));
	n = put2(p, n, opt_min(f->error_gte));
	n = put2(p, n, opt_min(f->ignore_gte));
	p[n++] = DB_INT(limit);
	return n;
}

/* The flow object of the job in row, parsed once for all three; -1 if the row does not parse. */
static int
fv_from_row(struct flow_job *o, const struct db_res *r, size_t row)
{
	const char *s;

	memset(o, 0, sizeof(*o));
	if ((s = db_str(r, row, 0)) == NULL || uuid_parse(s, strlen(s), &o->job_id) == -1 ||
	    (s = db_str(r, row, 1)) == NULL || uuid_parse(s, strlen(s), &o->project_id) == -1 ||
	    job_status_parse(db_str(r, row, 2), &o->status) == -1)
		return -1;
	o->kind = FLOW_KIND_FLOW;
	o->num_success = db_int(r, row, 3);
	o->num_error = db_int(r, row, 4);
	o->num_ignore = db_int(r, row, 5);
	o->pages_generated = db_int(r, row, 6);
	o->pages_processed = db_int(r, row, 7);
	o->num_export = o->num_success + o->num_error + o->num_ignore;
	text_copy(o->created_at, sizeof(o->created_at), db_str(r, row, FV_COL_CREATED));
	text_copy(o->started_at, sizeof(o->started_at), db_str(r, row, 8));
	o->done_exporting = db_str(r, row, 10) != NULL;
	text_copy(o->ended_at, sizeof(o->ended_at), db_str(r, row, 10));
	text_copy(o->last_modified, sizeof(o->last_modified), db_str(r, row, 11));
	text_copy(o->purge_at, sizeof(o->purge_at), db_str(r, row, 12));
	return 0;
}

/* Object k of a job from its flow object (the header comment says how they differ). */
static void
fv_kind(struct flow_job *o, const struct flow_job *flow, const struct db_res *r, size_t row,
    enum flow_kind k)
{
	enum job_status st = flow->status;

	*o = *flow;
	o->kind = k;
	text_copy(o->created_at, sizeof(o->created_at), db_str(r, row, FV_COL_CREATED + k));
	if (k != FLOW_KIND_IMPORT)
		return;
	if (!job_status_terminal(st)) {
		o->status = JOB_PENDING;
		o->num_success = 0;
	}
	o->num_error = o->num_ignore = o->num_export = 0;
	o->pages_generated = o->pages_processed = 0;
	text_copy(o->started_at, sizeof(o->started_at), st == JOB_COMPLETED || st == JOB_FAILED ?
	    db_str(r, row, 9) : NULL);
}

static int
in_range(long long v, long long lo, long long hi)
{
	return (lo < 0 || v >= lo) && (hi < 0 || v <= hi);
}

/*
 * The exact filter, object by object. Database times compare as text (always six
 * fraction digits). after_job says the object's job comes after the after_id job.
 */
static int
fv_matches(const struct flow_job *o, const struct flow_filter *f, int after_job)
{
	int c = 1;

	if ((f->has_kind && o->kind != f->kind) || (f->has_flow_job && o->kind == FLOW_KIND_FLOW) ||
	    (f->has_status && o->status != f->status) ||
	    (f->created_gte[0] && strcmp(o->created_at, f->created_gte) < 0) ||
	    (f->created_lte[0] && (c = strcmp(o->created_at, f->created_lte)) > 0))
		return 0;
	/* after_id: past the cursor object, which has createdAt created_lte. */
	if (f->has_after && c == 0 && !after_job &&
	    !(memcmp(o->job_id.b, f->after_job.b, sizeof(o->job_id.b)) == 0 && o->kind > f->after_kind))
		return 0;
	return in_range(o->num_success, f->success_gte, f->success_lte) &&
	    in_range(o->num_error, f->error_gte, f->error_lte) &&
	    in_range(o->num_ignore, f->ignore_gte, -1);
}

static enum sq_err
page_add(struct fv_page *pg, const struct flow_job *o, size_t rank)
{
	struct fv_item	*v;
	size_t		 cap;

	if (pg->n == pg->cap) {
		cap = pg->cap ? pg->cap * 2 : 1024;
		if ((v = realloc(pg->v, cap * sizeof(*v))) == NULL)
			return SQ_ERR_NOMEM;
		pg->v = v;
		pg->cap = cap;
	}
	pg->v[pg->n].o = *o;
	pg->v[pg->n++].rank = rank;
	return SQ_OK;
}

/* Newest createdAt first; at one instant, job order, then flow, export, import. */
static int
item_cmp(const void *a, const void *b)
{
	const struct fv_item	*x = *(const struct fv_item *const *)a;
	const struct fv_item	*y = *(const struct fv_item *const *)b;
	int			 c = strcmp(y->o.created_at, x->o.created_at);

	if (c != 0)
		return c;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return (int)x->o.kind - (int)y->o.kind;
}

/* Adds the matching objects of every row to pg; moves the batch cursor to the last job. */
static enum sq_err
fv_take(const struct db_res *r, const struct flow_filter *f, struct fv_pos *batch,
    size_t *rank, struct fv_page *pg, struct sq_error *e)
{
	struct flow_job	 flow, o;
	size_t		 i;
	int		 k, after;

	for (i = 0; i < r->nrows; i++, (*rank)++) {
		if (fv_from_row(&flow, r, i) == -1)
			return sq_fail(e, SQ_ERR_INTERNAL, NULL);
		after = db_int(r, i, FV_COL_AFTER) == 1;
		for (k = FLOW_KIND_FLOW; k <= FLOW_KIND_IMPORT; k++) {
			fv_kind(&o, &flow, r, i, (enum flow_kind)k);
			if (fv_matches(&o, f, after) && page_add(pg, &o, *rank) != SQ_OK)
				return sq_fail(e, SQ_ERR_NOMEM, NULL);
		}
	}
	if (r->nrows > 0) {
		batch->has = 1;
		text_copy(batch->at, sizeof(batch->at), db_str(r, r->nrows - 1, FV_COL_CREATED));
		text_copy(batch->id, sizeof(batch->id), db_str(r, r->nrows - 1, 0));
	}
	return SQ_OK;
}

/* Objects at or after t (every object when t is NULL): final, since jobs not read yet have none. */
static size_t
count_final(const struct fv_page *pg, const char *t)
{
	size_t i, n = 0;

	for (i = 0; i < pg->n; i++)
		if (t == NULL || strcmp(pg->v[i].o.created_at, t) >= 0)
			n++;
	return n;
}

/* The after_id job's place in job order (its created_at, or the cursor's time less its kind's offset). */
static enum sq_err
after_pos(struct db *db, const struct flow_filter *f, struct fv_pos *pos, struct sq_error *e)
{
	struct db_res	 r;
	enum sq_err	 rc;

	memset(pos, 0, sizeof(*pos));
	if (!f->has_after)
		return SQ_OK;
	uuid_format(&f->after_job, pos->id);
	rc = db_exec(db, "SELECT COALESCE((SELECT created_at FROM jobs WHERE id = CAST(? AS UUID)), "
	    "CAST(? AS DATETIME(6)) - INTERVAL ? MICROSECOND)", DB_PARAMS(DB_STR(pos->id),
	    DB_STR(f->created_lte), DB_INT(1000 * (long long)f->after_kind)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	pos->has = r.nrows == 1 && db_str(&r, 0, 0) != NULL;
	text_copy(pos->at, sizeof(pos->at), db_str(&r, 0, 0));
	db_res_free(&r);
	return SQ_OK;
}

/* Whether f names one project (integration, flow or export id), so one index range holds its jobs. */
static int
fv_one_project(const struct flow_filter *f)
{
	return f->has_integration || f->has_flow || f->has_export;
}

/*
 * Reads batches of jobs in job order until want objects are final or the jobs run
 * out, then sorts them into list order. An object is final once its createdAt is at
 * or past the last job read plus FV_CHILD_SPAN: every job not read yet was created no
 * later, so it has no object before it.
 */
static enum sq_err
fv_query(struct db *db, const struct config *cfg, const struct principal *who,
    const struct flow_filter *f, const struct uuid *key, size_t want,
    struct flow_job **items, size_t *n, struct sq_error *e)
{
	struct db_param		 p[FV_NPARAMS];
	struct fv_binds		 b;
	struct fv_pos		 after, batch;
	struct fv_page		 pg = { NULL, 0, 0 };
	struct db_res		 r;
	struct flow_job		*v = NULL;
	struct fv_item		**ix = NULL;
	char			 edge[FLOW_TIME_MAX];
	size_t			 np, nbatch, rank = 0, i, nfinal = 0;
	int			 done = 0;
	enum sq_err		 rc;

	*items = NULL;
	*n = 0;
	memset(&batch, 0, sizeof(batch));
	if ((rc = after_pos(db, f, &after, e)) != SQ_OK)
		return rc;
	/*
	 * Enough jobs for a page when every object matches, and a few more: the objects of
	 * the last jobs read are not final yet (a job not read may still sort before them).
	 */
	nbatch = f->has_kind ? want + FV_BATCH_SLACK : (want + 2) / 3 + FV_BATCH_SLACK;
	while (!done && rc == SQ_OK) {
		np = fv_params(p, cfg, who, f, key, &after, &batch, &b, (long long)nbatch);
		if ((rc = db_exec(db, fv_sql[key != NULL ? 1 : fv_one_project(f) ? 2 : 0], p, np,
		    &r)) != SQ_OK) {
			sq_fail(e, rc, NULL);
			break;
		}
		done = r.nrows < nbatch || key != NULL;
		if (r.nrows > 0)
			text_copy(edge, sizeof(edge), db_str(&r, r.nrows - 1, FV_COL_CREATED + 2));
		rc = fv_take(&r, f, &batch, &rank, &pg, e);
		db_res_free(&r);
		nfinal = count_final(&pg, done ? NULL : edge);
		done = done || nfinal >= want;
		nbatch = SQ_FLOW_PAGE_MAX;
	}
	/* Sorted by pointer: an item is a whole job object, too big to move around. */
	if (rc == SQ_OK && pg.n > 0) {
		if (nfinal > want)
			nfinal = want;
		if ((ix = calloc(pg.n, sizeof(*ix))) == NULL ||
		    (v = calloc(nfinal + 1, sizeof(*v))) == NULL)
			rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
		for (i = 0; rc == SQ_OK && i < pg.n; i++)
			ix[i] = &pg.v[i];
		if (rc == SQ_OK)
			qsort(ix, pg.n, sizeof(*ix), item_cmp);
		for (i = 0; rc == SQ_OK && i < nfinal; i++)
			v[i] = ix[i]->o;
	}
	free(ix);
	free(pg.v);
	if (rc != SQ_OK) {
		free(v);
		return rc;
	}
	*items = v;
	*n = v != NULL ? nfinal : 0;
	return SQ_OK;
}

enum sq_err
flow_list(struct db *db, const struct config *cfg, const struct principal *who,
    const struct flow_filter *f, struct flow_job **items, size_t *n, struct sq_error *e)
{
	/* flow_job_id names one job: its children are found by primary key. */
	return fv_query(db, cfg, who, f, f->has_flow_job ? &f->flow_job : NULL,
	    SQ_FLOW_PAGE_MAX, items, n, e);
}

enum sq_err
flow_get(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *job, enum flow_kind k, struct flow_job *out, struct sq_error *e)
{
	struct flow_filter	 f;
	struct flow_job		*v;
	size_t			 n;
	enum sq_err		 rc;

	memset(&f, 0, sizeof(f));
	f.success_gte = f.success_lte = f.error_gte = f.error_lte = f.ignore_gte = -1;
	f.has_kind = 1;
	f.kind = k;
	if ((rc = fv_query(db, cfg, who, &f, job, 1, &v, &n, e)) != SQ_OK)
		return rc;
	if (n == 0)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found");
	else
		*out = v[0];
	free(v);
	return rc;
}

/* flow_cancel's answer, read inside the cancel's transaction. */
struct flow_answer {
	const struct config	*cfg;
	enum flow_kind		 kind;
	struct flow_job		*out;
	char			*canceled_by;
};

static enum sq_err
flow_answer_read(struct db *db, const struct principal *who, const struct uuid *job, void *arg,
    struct sq_error *e)
{
	struct flow_answer	*a = arg;
	struct db_res		 r;
	enum sq_err		 rc;

	if ((rc = db_exec(db, "SELECT username FROM users WHERE id = ?",
	    DB_PARAMS(DB_INT(who->user_id)), &r)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	text_copy(a->canceled_by, SQ_USERNAME_MAX + 1, r.nrows ? db_str(&r, 0, 0) : "");
	db_res_free(&r);
	return flow_get(db, a->cfg, who, job, a->kind, a->out, e);
}

enum sq_err
flow_cancel(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *job, enum flow_kind k, struct flow_job *out, char *canceled_by,
    struct sq_error *e)
{
	struct flow_answer	 a = { cfg, k, out, canceled_by };
	enum sq_err		 rc;

	if ((rc = flow_get(db, cfg, who, job, k, out, e)) != SQ_OK)
		return rc;
	if (k != FLOW_KIND_FLOW)
		return sq_fail(e, SQ_ERR_INVALID, "Only flow jobs can be canceled");
	/* The core's cancel judges the caller's role first, then the job's status. */
	rc = job_cancel_answer(db, who, job, NULL, flow_answer_read, &a, e);
	/* *out still shows the status that refused: the dialect names it in its spelling. */
	if (rc == SQ_ERR_CANNOT_CANCEL && job_can_cancel(out->status))
		sq_fail(e, rc, "Cannot cancel a finished job"); /* it finished since flow_get */
	return rc;
}
