/* job.c: the job model: queueing a run, reading, listing, cancelling, retrying, its logs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrapeq/buf.h"
#include "scrapeq/crawl_config.h"
#include "scrapeq/job.h"
#include "scrapeq/job_update.h"
#include "scrapeq/lifecycle.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/project.h"
#include "scrapeq/text.h"

#include <json-c/json.h>

/* Column order of every job read; job_from_row depends on it. */
#define JOB_COLS \
	"j.id, j.project_id, j.type, j.status, j.source, j.schedule_id, j.retry_of, " \
	"j.priority, j.retry_count, j.max_retries, j.config, j.metadata, j.error, " \
	"j.total_targets, j.completed_targets, j.total_results, j.current_target, " \
	"j.created_at, j.scheduled_at, j.started_at, j.completed_at, j.cancelled_at, " \
	"j.updated_at"
#define JOB_NCOLS 23

/* The per-target status of a job, as one JSON array kept on its row (job_target_state.h). */
#define JOB_TARGETS_COL ", j.target_state"

static int
parse_uuid_cell(const char *s, struct uuid *u)
{
	return s != NULL && uuid_parse(s, strlen(s), u) == 0 ? 0 : -1;
}

void
job_clear(struct job *j)
{
	if (j == NULL)
		return;
	free(j->config);
	free(j->metadata);
	free(j->error);
	free(j->targets);
	memset(j, 0, sizeof(*j));
}

static int
job_targets_from_json(struct job *j, const char *text)
{
	struct json_object	*arr;
	size_t			 i, n;
	int			 rc = -1;

	if (text == NULL)
		return 0;
	if ((arr = json_tokener_parse(text)) == NULL || !json_object_is_type(arr, json_type_array))
		goto out;
	n = json_object_array_length(arr);
	if (n > 0 && (j->targets = calloc(n, sizeof(*j->targets))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		struct json_object *row = json_object_array_get_idx(arr, i);
		struct job_target *t = &j->targets[i];
		const char *s;

		if (!json_object_is_type(row, json_type_array) || json_object_array_length(row) != 5)
			goto out;
		s = json_object_get_string(json_object_array_get_idx(row, 0));
		if (parse_uuid_cell(s, &t->target_id) == -1 ||
		    job_status_parse(json_object_get_string(json_object_array_get_idx(row, 1)),
		    &t->status) == -1)
			goto out;
		t->results_count = json_object_get_int64(json_object_array_get_idx(row, 2));
		if (json_object_get_type(json_object_array_get_idx(row, 3)) == json_type_string)
			text_copy(t->started_at, sizeof(t->started_at),
			    json_object_get_string(json_object_array_get_idx(row, 3)));
		if (json_object_get_type(json_object_array_get_idx(row, 4)) == json_type_string)
			text_copy(t->completed_at, sizeof(t->completed_at),
			    json_object_get_string(json_object_array_get_idx(row, 4)));
		j->ntargets = i + 1;
	}
	rc = 0;
out:
	json_object_put(arr);
	return rc;
}

static int
job_from_row(struct job *j, const struct db_res *r, size_t row, int with_targets)
{
	const char *s;

	memset(j, 0, sizeof(*j));
	if (parse_uuid_cell(db_str(r, row, 0), &j->id) == -1 ||
	    parse_uuid_cell(db_str(r, row, 1), &j->project_id) == -1 ||
	    job_status_parse(db_str(r, row, 3), &j->status) == -1 ||
	    job_source_parse(db_str(r, row, 4), &j->source) == -1)
		return -1;
	text_copy(j->type, sizeof(j->type), db_str(r, row, 2));
	text_copy(j->schedule_id, sizeof(j->schedule_id), db_str(r, row, 5));
	j->has_retry_of = parse_uuid_cell(db_str(r, row, 6), &j->retry_of) == 0;
	j->priority = db_int(r, row, 7);
	j->retry_count = db_int(r, row, 8);
	j->max_retries = db_int(r, row, 9);
	j->config = strdup((s = db_str(r, row, 10)) ? s : "{}");
	j->metadata = strdup((s = db_str(r, row, 11)) ? s : "{}");
	if ((s = db_str(r, row, 12)) != NULL)
		j->error = strdup(s);
	if (j->config == NULL || j->metadata == NULL || (s != NULL && j->error == NULL))
		return -1;
	j->total_targets = db_int(r, row, 13);
	j->completed_targets = db_int(r, row, 14);
	j->total_results = db_int(r, row, 15);
	j->has_current_target = parse_uuid_cell(db_str(r, row, 16), &j->current_target) == 0;
	text_copy(j->created_at, sizeof(j->created_at), db_str(r, row, 17));
	text_copy(j->scheduled_at, sizeof(j->scheduled_at), db_str(r, row, 18));
	text_copy(j->started_at, sizeof(j->started_at), db_str(r, row, 19));
	text_copy(j->completed_at, sizeof(j->completed_at), db_str(r, row, 20));
	text_copy(j->cancelled_at, sizeof(j->cancelled_at), db_str(r, row, 21));
	text_copy(j->updated_at, sizeof(j->updated_at), db_str(r, row, 22));
	if (with_targets)
		return job_targets_from_json(j, db_str(r, row, JOB_NCOLS));
	return 0;
}

int
job_percentage(const struct job *j)
{
	if (j->status == JOB_COMPLETED)
		return 100;
	if (j->total_targets <= 0)
		return 0;
	if (j->completed_targets >= j->total_targets)
		return 100;
	return (int)(j->completed_targets * 100 / j->total_targets);
}

/* Seconds since the epoch of a "YYYY-MM-DD HH:MM:SS" UTC text, or -1. */
static long long
db_time_seconds(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || s[0] == '\0' || strptime(s, "%Y-%m-%d %H:%M:%S", &tm) == NULL)
		return -1;
	return (long long)timegm(&tm);
}

long long
job_duration_seconds(const struct job *j)
{
	long long a = db_time_seconds(j->started_at), b;

	b = db_time_seconds(j->completed_at[0] ? j->completed_at : j->cancelled_at);
	if (a < 0 || b < 0 || b < a)
		return -1;
	return b - a;
}

/*
 * The user's row drives the read, so it comes back even when the job does not: its
 * auth_gen and is_admin confirm a pending principal in the same round trip.
 */
#define JOB_GET_SQL \
	"SELECT " JOB_COLS JOB_TARGETS_COL ", m.role, u.auth_gen, u.is_admin FROM users u " \
	"LEFT JOIN jobs j ON j.id = ? " \
	"LEFT JOIN memberships m ON m.project_id = j.project_id AND m.user_id = u.id " \
	"WHERE u.id = ?"
#define JOB_GET_ROLE	(JOB_NCOLS + 1)
#define JOB_GET_GEN	(JOB_NCOLS + 2)

/* job_get and job_get_auth: confirm, when not NULL, is who, confirmed by this read. */
static enum sq_err
job_read(struct db *db, const struct principal *who, struct principal *confirm,
    const struct uuid *id, struct job *out, struct sq_error *e)
{
	struct db_res	 r;
	char		 ids[UUID_STR_LEN + 1];
	enum sq_err	 rc;

	uuid_format(id, ids);
	rc = db_exec(db, JOB_GET_SQL, DB_PARAMS(DB_STR(ids), DB_INT(who->user_id)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (confirm != NULL && (rc = auth_confirm(confirm, r.nrows == 1, r.nrows == 1 ?
	    db_int(&r, 0, JOB_GET_GEN) : 0, r.nrows == 1 ?
	    (int)db_int(&r, 0, JOB_GET_GEN + 1) : 0, e)) != SQ_OK)
		goto out;
	if (r.nrows == 0 || db_str(&r, 0, 0) == NULL || db_str(&r, 0, JOB_GET_ROLE) == NULL)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found");
	else if (job_from_row(out, &r, 0, 1) == -1 ||
	    role_parse(db_str(&r, 0, JOB_GET_ROLE), &out->role) == -1) {
		job_clear(out);
		rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	}
out:
	db_res_free(&r);
	return rc;
}

enum sq_err
job_get(struct db *db, const struct principal *who, const struct uuid *id, struct job *out,
    struct sq_error *e)
{
	return job_read(db, who, NULL, id, out, e);
}

enum sq_err
job_get_auth(struct db *db, struct principal *who, const struct uuid *id, struct job *out,
    struct sq_error *e)
{
	return job_read(db, who, who, id, out, e);
}

int
job_ids_json(const struct uuid *ids, size_t n, struct buf *b)
{
	char	 s[UUID_STR_LEN + 1];
	size_t	 i;

	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		uuid_format(&ids[i], s);
		buf_printf(b, "%s\"%s\"", i ? "," : "", s);
	}
	buf_putc(b, ']');
	return b->oom ? -1 : 0;
}

/* The slot of the job in row, or n when it is not one of ids. */
static size_t
slot_of(const struct job *j, const struct uuid *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(ids[i].b, j->id.b, sizeof(ids[i].b)) == 0)
			return i;
	return n;
}

enum sq_err
job_get_many(struct db *db, const struct principal *who, const struct uuid *ids, size_t n,
    struct job *out, int *found, struct sq_error *e)
{
	struct db_res	 r;
	struct buf	 b;
	struct job	 j;
	size_t		 i, k;
	enum sq_err	 rc;

	memset(out, 0, n * sizeof(*out));
	memset(found, 0, n * sizeof(*found));
	buf_init(&b, 0);
	if (job_ids_json(ids, n, &b) == -1) {
		buf_free(&b);
		return sq_fail(e, SQ_ERR_NOMEM, NULL);
	}
	rc = db_exec(db, "SELECT " JOB_COLS JOB_TARGETS_COL " FROM " DB_IDS_TABLE " "
	    "JOIN jobs j ON j.id = t.id "
	    "JOIN memberships m ON m.project_id = j.project_id AND m.user_id = ?",
	    DB_PARAMS(DB_STR(b.data), DB_INT(who->user_id)), &r);
	buf_free(&b);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	for (i = 0; i < r.nrows && rc == SQ_OK; i++) {
		if (job_from_row(&j, &r, i, 1) == -1) {
			rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
			break;
		}
		if ((k = slot_of(&j, ids, n)) < n && !found[k]) {
			out[k] = j;
			found[k] = 1;
		} else
			job_clear(&j);
	}
	db_res_free(&r);
	if (rc != SQ_OK)
		for (i = 0; i < n; i++)
			job_clear(&out[i]);
	return rc;
}

/*
 * One SQL text per filter combination, each naming its index: the page's ids come
 * from the covering index of that combination (sql/001, sql/016), newest first, and
 * only those rows are read whole, so a deep OFFSET walks index entries, not rows.
 * FORCE INDEX because MariaDB re-plans a prepared statement on every execution, and
 * weighing every index on project_id and status cost it more than the read itself
 * (issue 13, README "Measured"); a deep source-filtered page was planned on
 * (project_id, id), reading every row it skipped.
 * The page also carries the total (a sum over the trigger-kept job_counts rows) and
 * the caller's users row (revocation generation, is_admin: auth_confirm), and
 * returns nothing unless who is a member, so a page with rows is one round trip;
 * an empty page asks count_sql for the total, the membership and the users row.
 */
#define LIST_USER_COLS \
	"(SELECT auth_gen FROM users WHERE id = ?), (SELECT is_admin FROM users WHERE id = ?)"
#define LIST_SQL(index, where, cnt) \
	"SELECT " JOB_COLS ", (SELECT COALESCE(SUM(n), 0) FROM job_counts " \
	"WHERE project_id = ? " cnt "), " LIST_USER_COLS " FROM (SELECT id FROM jobs " \
	"FORCE INDEX (" index ") " \
	"WHERE project_id = ? " where " AND EXISTS(SELECT 1 FROM memberships " \
	"WHERE user_id = ? AND project_id = ?) ORDER BY id DESC LIMIT ? OFFSET ?) k " \
	"JOIN jobs j ON j.id = k.id ORDER BY j.id DESC"
#define LIST_COL_TOTAL JOB_NCOLS
#define LIST_COL_GEN   (JOB_NCOLS + 1)
static const char *const list_sql[4] = {
	LIST_SQL("jobs_project_list", "", ""),
	LIST_SQL("jobs_project_status", "AND status = ?", "AND status = ?"),
	LIST_SQL("jobs_project_source", "AND source = ?", "AND source = ?"),
	LIST_SQL("jobs_project_status_source", "AND status = ? AND source = ?",
	    "AND status = ? AND source = ?"),
};

/* Totals come from job_counts (kept by triggers): a sum over a few rows, not a scan. */
static const char *const count_sql[4] = {
	"SELECT (SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE project_id = ?), "
	    "EXISTS(SELECT 1 FROM memberships WHERE user_id = ? AND project_id = ?), "
	    LIST_USER_COLS,
	"SELECT (SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE project_id = ? "
	    "AND status = ?), "
	    "EXISTS(SELECT 1 FROM memberships WHERE user_id = ? AND project_id = ?), "
	    LIST_USER_COLS,
	"SELECT (SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE project_id = ? "
	    "AND source = ?), "
	    "EXISTS(SELECT 1 FROM memberships WHERE user_id = ? AND project_id = ?), "
	    LIST_USER_COLS,
	"SELECT (SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE project_id = ? "
	    "AND status = ? AND source = ?), "
	    "EXISTS(SELECT 1 FROM memberships WHERE user_id = ? AND project_id = ?), "
	    LIST_USER_COLS,
};

/* Appends the project and the filters' values: the order of "project_id = ? <where>". */
static size_t
list_filter_params(struct db_param *p, size_t np, const char *pids, const struct job_filter *f)
{
	p[np++] = DB_STR(pids);
	if (f->has_status)
		p[np++] = DB_STR(job_status_name(f->status));
	if (f->has_source)
		p[np++] = DB_STR(job_source_name(f->source));
	return np;
}

/* The users row read with the page (col: its auth_gen) confirms who, once. */
static enum sq_err
list_confirm(struct principal *who, const struct db_res *r, size_t col, struct sq_error *e)
{
	int found = r->nrows > 0 && db_str(r, 0, col) != NULL;

	return auth_confirm(who, found, found ? db_int(r, 0, col) : 0,
	    found ? (int)db_int(r, 0, col + 1) : 0, e);
}

/* An empty page: the total and whether who is a member (SQ_ERR_NOT_FOUND if not). */
static enum sq_err
list_count(struct db *db, struct principal *who, const char *pids,
    const struct job_filter *f, int combo, long long *total, struct sq_error *e)
{
	struct db_param	 p[8];
	struct db_res	 r;
	size_t		 np;
	int		 member;
	enum sq_err	 rc;

	np = list_filter_params(p, 0, pids, f);
	p[np++] = DB_INT(who->user_id);
	p[np++] = DB_STR(pids);
	p[np++] = DB_INT(who->user_id);
	p[np++] = DB_INT(who->user_id);
	if ((rc = db_exec(db, count_sql[combo], p, np, &r)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	rc = list_confirm(who, &r, 2, e);
	*total = db_int(&r, 0, 0);
	member = db_int(&r, 0, 1) != 0;
	db_res_free(&r);
	if (rc != SQ_OK)
		return rc;
	return member ? SQ_OK : sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
}

enum sq_err
job_list(struct db *db, struct principal *who, const struct uuid *project,
    const struct job_filter *f, const struct page *pg, struct job **items, size_t *n,
    long long *total, struct sq_error *e)
{
	struct db_param	 p[14];
	struct db_res	 r;
	struct job	*v = NULL;
	char		 pids[UUID_STR_LEN + 1];
	size_t		 np, i;
	int		 combo = (f->has_status ? 1 : 0) | (f->has_source ? 2 : 0);
	enum sq_err	 rc;

	*items = NULL;
	*n = 0;
	uuid_format(project, pids);
	/* The total's filters, the users row, the page's filters, the membership, the window. */
	np = list_filter_params(p, 0, pids, f);
	p[np++] = DB_INT(who->user_id);
	p[np++] = DB_INT(who->user_id);
	np = list_filter_params(p, np, pids, f);
	p[np++] = DB_INT(who->user_id);
	p[np++] = DB_STR(pids);
	p[np++] = DB_INT(pg->per_page);
	p[np++] = DB_INT(pg->offset);
	if ((rc = db_exec(db, list_sql[combo], p, np, &r)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0) {
		db_res_free(&r);
		return list_count(db, who, pids, f, combo, total, e);
	}
	*total = db_int(&r, 0, LIST_COL_TOTAL);
	if ((rc = list_confirm(who, &r, LIST_COL_GEN, e)) != SQ_OK) {
		db_res_free(&r);
		return rc;
	}
	if ((v = calloc(r.nrows, sizeof(*v))) == NULL)
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	for (i = 0; rc == SQ_OK && i < r.nrows; i++)
		if (job_from_row(&v[i], &r, i, 0) == -1)
			rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	db_res_free(&r);
	if (rc != SQ_OK) {
		job_list_free(v, i);
		return rc;
	}
	*items = v;
	*n = i;
	return SQ_OK;
}

void
job_list_free(struct job *items, size_t n)
{
	size_t i;

	for (i = 0; items != NULL && i < n; i++)
		job_clear(&items[i]);
	free(items);
}

/* Everything a new job row needs, gathered before the transaction writes it. */
struct job_new {
	struct uuid		 id;
	enum job_source		 source;
	const struct uuid	*retry_of;
	struct crawl_config	*crawl;          /* completed with the project's defaults */
	const struct uuid	*target_ids;     /* NULL: all enabled */
	size_t			 ntarget_ids;
	const char		*schedule_id;    /* a scheduled run's schedule (public id), or NULL */
	const char		*scheduled_at;   /* its slot, DATETIME(6) text, or NULL */
};

/* SQ_OK while today's count is under the project's daily limit (-1: the config's). */
static enum sq_err
daily_left(const struct config *cfg, long long project_daily, long long today,
    struct sq_error *e)
{
	long long limit = project_daily >= 0 ? project_daily : (long long)cfg->jobs_per_day;

	if (today >= limit)
		return sq_fail(e, SQ_ERR_RATE_LIMITED,
		    "Daily job limit exceeded (%lld jobs per day)", limit);
	return SQ_OK;
}

/* The run limit, then the daily one, from the counts read under the project's lock. */
static enum sq_err
limits_left(const struct config *cfg, long long active, long long today,
    long long project_daily, struct sq_error *e)
{
	if (active >= (long long)cfg->active_runs_per_project)
		return sq_fail(e, SQ_ERR_JOB_RUNNING, "Another job is already running");
	return daily_left(cfg, project_daily, today, e);
}

/* The project's pending/running runs and today's jobs, as the two limits count them. */
#define LIMIT_COUNTS_SQL \
	"SELECT (SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE project_id = ? " \
	"AND status IN ('pending', 'running') AND project_run = 1), " \
	"(SELECT COALESCE(MAX(n), 0) FROM project_daily_jobs WHERE project_id = ? " \
	"AND day = UTC_DATE())"

/* Checks the project's run and daily limits; the project row is locked by the caller. */
enum sq_err
job_check_limits(struct db *db, const struct config *cfg, const char *pids,
    long long project_daily, struct sq_error *e)
{
	struct db_res	 r;
	long long	 active, today;
	enum sq_err	 rc;

	/* Both are counter reads: job_counts (kept by triggers) and a per-day row. */
	rc = db_exec(db, LIMIT_COUNTS_SQL, DB_PARAMS(DB_STR(pids), DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	active = db_int(&r, 0, 0);
	today = db_int(&r, 0, 1);
	db_res_free(&r);
	return limits_left(cfg, active, today, project_daily, e);
}

enum sq_err
job_check_daily(struct db *db, const struct config *cfg, const char *pids,
    long long project_daily, struct sq_error *e)
{
	struct db_res	 r;
	long long	 today;
	enum sq_err	 rc;

	rc = db_exec(db, "SELECT COALESCE(MAX(n), 0) FROM project_daily_jobs WHERE project_id = ? "
	    "AND day = UTC_DATE()", DB_PARAMS(DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	today = db_int(&r, 0, 0);
	db_res_free(&r);
	return daily_left(cfg, project_daily, today, e);
}

/* A new run's targets: the JSON for JSON_TABLE, the public ids for its config, the ids. */
struct job_targets_new {
	struct buf	 uuids, pub;
	struct uuid	*ids;
	size_t		 count;
};

static void
targets_new_free(struct job_targets_new *t)
{
	buf_free(&t->uuids);
	buf_free(&t->pub);
	free(t->ids);
}

/* 1 when the JSON array of UUID strings `have` holds u. */
static int
targets_have(struct json_object *have, const struct uuid *u)
{
	char	 s[UUID_STR_LEN + 1];
	size_t	 k, n = have ? json_object_array_length(have) : 0;

	uuid_format(u, s);
	for (k = 0; k < n; k++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(have, k)), s) == 0)
			return 1;
	return 0;
}

/*
 * Resolves the job's targets from `have`, the project's target ids read under its lock
 * (a JSON array of UUID strings, in id order, NULL for none): every given id must be
 * one of them, once; no ids given means all of them.
 */
static enum sq_err
job_resolve_targets(const char *have_json, const struct job_new *nj,
    struct job_targets_new *t, struct sq_error *e)
{
	struct json_object	*have = NULL;
	char			 s[UUID_STR_LEN + 1], pid[ID_STR_MAX];
	size_t			 i, k;
	enum sq_err		 rc = SQ_OK;
	struct uuid		 u;

	if (have_json != NULL && ((have = json_tokener_parse(have_json)) == NULL ||
	    !json_object_is_type(have, json_type_array))) {
		log_err("job_resolve_targets: the targets read is not a JSON array");
		rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
		goto out;
	}
	t->count = nj->target_ids ? nj->ntarget_ids : have ? json_object_array_length(have) : 0;
	if (t->count > 0 && (t->ids = calloc(t->count, sizeof(*t->ids))) == NULL) {
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
		goto out;
	}
	buf_putc(&t->uuids, '[');
	buf_putc(&t->pub, '[');
	for (i = 0; i < t->count; i++) {
		if (nj->target_ids == NULL) {
			const char *c = json_object_get_string(json_object_array_get_idx(have, i));

			if (c == NULL || uuid_parse(c, strlen(c), &u) == -1) {
				rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
				goto out;
			}
		} else {
			u = nj->target_ids[i];
			id_format(ID_PREFIX_TARGET, &u, pid, sizeof(pid));
			if (!targets_have(have, &u)) {
				rc = sq_fail(e, SQ_ERR_INVALID, "Unknown target id: %s", pid);
				goto out;
			}
			for (k = 0; k < i; k++)
				if (memcmp(&nj->target_ids[k], &u, sizeof(u)) == 0) {
					rc = sq_fail(e, SQ_ERR_INVALID,
					    "Duplicate target id: %s", pid);
					goto out;
				}
		}
		t->ids[i] = u;
		uuid_format(&u, s);
		id_format(ID_PREFIX_TARGET, &u, pid, sizeof(pid));
		buf_printf(&t->uuids, "%s\"%s\"", i ? "," : "", s);
		buf_printf(&t->pub, "%s\"%s\"", i ? "," : "", pid);
	}
	buf_putc(&t->uuids, ']');
	buf_putc(&t->pub, ']');
	if (t->uuids.oom || t->pub.oom)
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	else if (t->count == 0)
		rc = sq_fail(e, SQ_ERR_NO_TARGETS, "Project has no targets");
out:
	json_object_put(have);
	return rc;
}

/*
 * The answer to a create: the job as the transaction just wrote it, from the values
 * it wrote (the row is not read back). It matches what job_get reads for the new row,
 * tests/integration/test_create.py checks that byte for byte.
 */
static int
job_as_written(struct job *j, const struct job_new *nj, const char *pids,
    const char *config, const struct job_targets_new *t, const char *now, enum role role)
{
	size_t i;

	memset(j, 0, sizeof(*j));
	j->id = nj->id;
	(void)uuid_parse(pids, strlen(pids), &j->project_id);
	text_copy(j->type, sizeof(j->type), "scrape");
	j->status = JOB_PENDING;
	j->source = nj->source;
	if ((j->has_retry_of = nj->retry_of != NULL))
		j->retry_of = *nj->retry_of;
	text_copy(j->schedule_id, sizeof(j->schedule_id), nj->schedule_id);
	j->priority = JOB_PRIORITY_DEFAULT;
	j->max_retries = JOB_MAX_RETRIES_DEFAULT;
	j->total_targets = (long long)t->count;
	text_copy(j->created_at, sizeof(j->created_at), now);
	text_copy(j->updated_at, sizeof(j->updated_at), now);
	text_copy(j->scheduled_at, sizeof(j->scheduled_at), nj->scheduled_at);
	j->role = role;
	if ((j->config = strdup(config)) == NULL || (j->metadata = strdup("{}")) == NULL ||
	    (j->targets = calloc(t->count, sizeof(*j->targets))) == NULL)
		return -1;
	for (i = 0; i < t->count; i++) {
		j->targets[i].target_id = t->ids[i];
		j->targets[i].status = JOB_PENDING;
	}
	j->ntargets = t->count;
	return 0;
}

/*
 * What a new run reads under the project's lock, in one statement: the two limits'
 * counts, the time that stamps the job (its created_at and updated_at) and the
 * project's target ids in id order (every target when the caller names them, else
 * the enabled ones), as a JSON array.
 */
static enum sq_err
job_read_locked(struct db *db, const char *pids, const struct job_new *nj,
    struct db_res *r, struct sq_error *e)
{
	enum sq_err rc;

	rc = db_exec(db, LIMIT_COUNTS_SQL ", NOW(6), (SELECT JSON_ARRAYAGG(id ORDER BY id) "
	    "FROM (SELECT id FROM targets WHERE project_id = ? AND (? OR enabled = 1) "
	    "ORDER BY id LIMIT ?) t)", DB_PARAMS(DB_STR(pids), DB_STR(pids), DB_STR(pids),
	    DB_INT(nj->target_ids != NULL), DB_INT(SQ_TARGETS_PER_PROJECT_MAX)), r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r->nrows != 1 || db_str(r, 0, 2) == NULL) {
		db_res_free(r);
		return sq_fail(e, SQ_ERR_INTERNAL, NULL);
	}
	return SQ_OK;
}

/*
 * A new run of a project whose row the caller locked: the limits, the targets, the
 * rows (lifecycle_create) and, when out is not NULL, the answer. In the caller's
 * transaction.
 */
static enum sq_err
job_insert(struct db *db, const struct config *cfg, const struct principal *who,
    const char *pids, long long daily, enum role role, const struct job_new *nj,
    struct job *out, struct sq_error *e)
{
	struct lifecycle_new	 n = { 0 };
	struct job_targets_new	 t;
	struct db_res		 r;
	struct buf		 conf;
	char			 jids[UUID_STR_LEN + 1], rids[UUID_STR_LEN + 1], msg[96];
	enum sq_err		 rc;

	memset(&t, 0, sizeof(t));
	memset(&r, 0, sizeof(r));
	buf_init(&t.uuids, 0);
	buf_init(&t.pub, 0);
	buf_init(&conf, 0);
	uuid_format(&nj->id, jids);
	if (nj->retry_of != NULL)
		uuid_format(nj->retry_of, rids);
	if ((rc = job_read_locked(db, pids, nj, &r, e)) != SQ_OK ||
	    (rc = limits_left(cfg, db_int(&r, 0, 0), db_int(&r, 0, 1), daily, e)) != SQ_OK ||
	    (rc = job_resolve_targets(db_str(&r, 0, 3), nj, &t, e)) != SQ_OK)
		goto out;
	if (crawl_config_store(nj->crawl, t.pub.data, &conf) == -1) {
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
		goto out;
	}
	snprintf(msg, sizeof(msg), "Job queued with %zu target%s", t.count,
	    t.count == 1 ? "" : "s");
	n.jids = jids;
	n.pids = pids;
	n.type = "scrape";
	n.source = nj->source;
	n.project_run = 1;
	n.retry_of = nj->retry_of ? rids : NULL;
	n.priority = JOB_PRIORITY_DEFAULT;
	n.max_retries = JOB_MAX_RETRIES_DEFAULT;
	n.config = conf.data;
	n.targets = t.uuids.data;
	n.ntargets = t.count;
	n.schedule_id = nj->schedule_id;
	n.run_after = nj->scheduled_at;
	n.created_at = db_str(&r, 0, 2);
	n.log_message = msg;
	rc = lifecycle_create(db, who, &n);
	if (rc == SQ_ERR_CONFLICT)
		sq_fail(e, rc, "Targets changed while the job was created");
	else if (rc != SQ_OK)
		sq_fail(e, rc, NULL);
	else if (out != NULL && job_as_written(out, nj, pids, conf.data, &t, n.created_at,
	    role) == -1) {
		job_clear(out);
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	}
out:
	db_res_free(&r);
	buf_free(&conf);
	targets_new_free(&t);
	return rc;
}

/*
 * Locks the project's row (SELECT ... FOR UPDATE: the limits are exact under it) and
 * completes the crawl config with its defaults. With who_role not NULL the caller's
 * membership is read with it (no membership: SQ_ERR_NOT_FOUND, as no project).
 */
static enum sq_err
job_lock_project(struct db *db, const struct config *cfg, const struct principal *who,
    const char *pids, struct job_new *nj, long long *daily, enum role *who_role,
    struct sq_error *e)
{
	struct db_res	 r;
	enum sq_err	 rc;

	if (who_role != NULL)
		rc = db_exec(db, "SELECT p.daily_job_limit, p.max_results_per_target, m.role "
		    "FROM projects p JOIN memberships m ON m.project_id = p.id AND m.user_id = ? "
		    "WHERE p.id = ? FOR UPDATE", DB_PARAMS(DB_INT(who->user_id), DB_STR(pids)),
		    &r);
	else
		rc = db_exec(db, "SELECT daily_job_limit, max_results_per_target FROM projects "
		    "WHERE id = ? FOR UPDATE", DB_PARAMS(DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || (who_role != NULL && role_parse(db_str(&r, 0, 2), who_role) == -1))
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
	else {
		*daily = db_str(&r, 0, 0) ? db_int(&r, 0, 0) : -1;
		crawl_config_finish(nj->crawl, cfg, db_int(&r, 0, 1));
	}
	db_res_free(&r);
	return rc;
}

/* The one path every new job takes: lock the project, check role and limits, insert, commit. */
static enum sq_err
job_create_new(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *project, struct job_new *nj, struct job *out, struct sq_error *e)
{
	char		 pids[UUID_STR_LEN + 1];
	long long	 daily = -1;
	enum role	 role = ROLE_NONE;
	enum sq_err	 rc;

	e->code = SQ_OK;
	uuid_format(project, pids);
	uuid_v7(&nj->id);
	if ((rc = db_begin(db)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	/*
	 * The answer is built before the commit: once the commit has succeeded nothing may
	 * fail, or a client would be told "unavailable" about a job that exists (and
	 * create it again). Only a commit whose OK is lost stays ambiguous.
	 */
	if ((rc = job_lock_project(db, cfg, who, pids, nj, &daily, &role, e)) != SQ_OK ||
	    (rc = role_require(who, role, ROLE_JOB_WRITE, nj->retry_of ? "retry jobs" :
	    "create jobs", e)) != SQ_OK ||
	    (rc = job_insert(db, cfg, who, pids, daily, role, nj, out, e)) != SQ_OK)
		goto fail;
	if ((rc = db_commit(db)) != SQ_OK) {
		job_clear(out);
		return sq_fail(e, rc, NULL);
	}
	return SQ_OK;
fail:
	db_rollback(db);
	return rc;
}

enum sq_err
job_create(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *project, const struct job_input *in, struct job *out,
    struct sq_error *e)
{
	struct job_new		 nj;
	struct crawl_config	 crawl;
	enum sq_err		 rc;

	memset(&nj, 0, sizeof(nj));
	if (in->target_ids != NULL && in->ntarget_ids > SQ_TARGET_IDS_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "Field 'target_ids' may hold at most %d ids",
		    SQ_TARGET_IDS_MAX);
	if (in->target_ids != NULL && in->ntarget_ids == 0)
		return sq_fail(e, SQ_ERR_INVALID, "Field 'target_ids' must not be empty");
	if (in->max_results_per_target != -1 && (in->max_results_per_target < 1 ||
	    in->max_results_per_target > SQ_RESULTS_PER_TARGET_MAX))
		return sq_fail(e, SQ_ERR_INVALID,
		    "Field 'max_results_per_target' must be an integer from 1 to %d",
		    SQ_RESULTS_PER_TARGET_MAX);
	crawl_config_init(&crawl);
	if ((rc = crawl_config_parse(&crawl, in->config, e)) != SQ_OK)
		return rc;
	if (in->max_results_per_target != -1) {
		crawl.max_results = in->max_results_per_target;
		crawl.given |= CRAWL_GIVEN_MAX_RESULTS;
	}
	nj.source = lifecycle_source(who);
	nj.crawl = &crawl;
	nj.target_ids = in->target_ids;
	nj.ntarget_ids = in->ntarget_ids;
	rc = job_create_new(db, cfg, who, project, &nj, out, e);
	crawl_config_clear(&crawl);
	return rc;
}

enum sq_err
job_create_scheduled(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *project, const struct job_scheduled *in, struct uuid *id,
    struct sq_error *e)
{
	struct job_new		 nj;
	struct crawl_config	 crawl;
	char			 pids[UUID_STR_LEN + 1];
	long long		 daily = -1;
	enum sq_err		 rc;

	memset(&nj, 0, sizeof(nj));
	e->code = SQ_OK;
	crawl_config_init(&crawl);
	uuid_format(project, pids);
	if ((rc = crawl_config_parse(&crawl, in->config, e)) != SQ_OK)
		return rc;
	uuid_v7(&nj.id);
	nj.source = JOB_SRC_SCHEDULED;
	nj.crawl = &crawl;
	nj.target_ids = in->target_ids;
	nj.ntarget_ids = in->ntarget_ids;
	nj.schedule_id = in->schedule_id;
	nj.scheduled_at = in->slot;
	/* The same lock, limits and rows as every new run (job_create_new), without a role. */
	if ((rc = job_lock_project(db, cfg, who, pids, &nj, &daily, NULL, e)) == SQ_OK &&
	    (rc = job_insert(db, cfg, who, pids, daily, ROLE_NONE, &nj, NULL, e)) == SQ_OK)
		*id = nj.id;
	crawl_config_clear(&crawl);
	return rc;
}

enum sq_err
job_retry(struct db *db, const struct config *cfg, const struct principal *who,
    const struct uuid *id, struct job *out, struct sq_error *e)
{
	struct job	 old;
	struct job_new	 nj;
	struct crawl_config crawl;
	struct uuid	*ids = NULL;
	size_t		 i;
	enum sq_err	 rc;

	memset(&nj, 0, sizeof(nj));
	crawl_config_init(&crawl);
	if ((rc = job_get(db, who, id, &old, e)) != SQ_OK)
		return rc;
	/* Before the status: a viewer is refused for any job (job_create_new checks again, locked). */
	if ((rc = role_require(who, old.role, ROLE_JOB_WRITE, "retry jobs", e)) != SQ_OK)
		goto out;
	if (!job_can_retry(old.status)) {
		rc = sq_fail(e, SQ_ERR_CANNOT_RETRY, "Job is %s; only failed or cancelled jobs "
		    "can be retried", job_status_name(old.status));
		goto out;
	}
	if (old.ntargets > 0 && (ids = calloc(old.ntargets, sizeof(*ids))) == NULL) {
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
		goto out;
	}
	for (i = 0; i < old.ntargets; i++)
		ids[i] = old.targets[i].target_id;
	nj.source = JOB_SRC_RETRY;
	nj.retry_of = &old.id;
	/* The same crawl as the job retried: its stored options, completed as they were. */
	if (crawl_config_load(&crawl, old.config, cfg, e) == -1) {
		log_err("job_retry: stored config: %s", e->message);
		rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
		goto out;
	}
	nj.crawl = &crawl;
	nj.target_ids = ids;
	nj.ntarget_ids = old.ntargets;
	rc = job_create_new(db, cfg, who, &old.project_id, &nj, out, e);
out:
	crawl_config_clear(&crawl);
	free(ids);
	job_clear(&old);
	return rc;
}

/* job_cancel's answer: the job as the cancel left it, read in its transaction. */
static enum sq_err
read_answer(struct db *db, const struct principal *who, const struct uuid *id, void *arg,
    struct sq_error *e)
{
	return job_get(db, who, id, arg, e);
}

enum sq_err
job_cancel(struct db *db, const struct principal *who, const struct uuid *id, struct job *out,
    struct sq_error *e)
{
	enum sq_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = job_cancel_answer(db, who, id, NULL, read_answer, out, e)) != SQ_OK)
		job_clear(out);
	return rc;
}

static const char *const log_levels[] = { "debug", "info", "warning", "error" };

const char *
job_log_level_name(enum job_log_level l)
{
	if ((unsigned)l > JOB_LOG_ERROR)
		return "info";
	return log_levels[l];
}

int
job_log_level_parse(const char *s, enum job_log_level *out)
{
	int i;

	for (i = 0; s != NULL && i <= JOB_LOG_ERROR; i++)
		if (strcmp(s, log_levels[i]) == 0) {
			*out = (enum job_log_level)i;
			return 0;
		}
	return -1;
}

enum sq_err
job_logs(struct db *db, const struct principal *who, const struct uuid *id,
    const enum job_log_level *level_filter, long long limit, struct job_log **items,
    size_t *n, struct sq_error *e)
{
	struct db_res	 r;
	struct job_log	*v = NULL;
	char		 jids[UUID_STR_LEN + 1];
	const char	*lvl = level_filter ? job_log_level_name(*level_filter) : NULL;
	size_t		 i;
	enum sq_err	 rc;

	*items = NULL;
	*n = 0;
	uuid_format(id, jids);
	/* The membership check rides along: no job row, no log rows, and a 404. */
	rc = db_exec(db, "SELECT 1 AS k, NULL, NULL, NULL, NULL, NULL AS lid FROM jobs j "
	    "JOIN memberships m ON m.project_id = j.project_id AND m.user_id = ? WHERE j.id = ? "
	    "UNION ALL (SELECT 2, l.ts, l.level, l.message, l.target_id, l.id FROM job_logs l "
	    "WHERE l.job_id = ? AND (? IS NULL OR l.level = ?) ORDER BY l.id DESC LIMIT ?) "
	    "ORDER BY k, lid DESC",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(jids), DB_STR(jids), DB_STR(lvl),
	    DB_STR(lvl), DB_INT(limit)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || db_int(&r, 0, 0) != 1) {
		db_res_free(&r);
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found");
	}
	if (r.nrows > 1 && (v = calloc(r.nrows - 1, sizeof(*v))) == NULL)
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	/* Rows came newest first; hand them back in time order. */
	for (i = 0; rc == SQ_OK && i + 1 < r.nrows; i++) {
		struct job_log *l = &v[i];
		size_t src = r.nrows - 1 - i;

		text_copy(l->ts, sizeof(l->ts), db_str(&r, src, 1));
		if (job_log_level_parse(db_str(&r, src, 2), &l->level) == -1)
			l->level = JOB_LOG_INFO;
		if ((l->message = strdup(db_str(&r, src, 3) ? db_str(&r, src, 3) : "")) == NULL)
			rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
		l->has_target = parse_uuid_cell(db_str(&r, src, 4), &l->target_id) == 0;
	}
	db_res_free(&r);
	if (rc != SQ_OK) {
		job_logs_free(v, i);
		return rc;
	}
	*items = v;
	*n = i;
	return SQ_OK;
}

void
job_logs_free(struct job_log *items, size_t n)
{
	size_t i;

	for (i = 0; items != NULL && i < n; i++)
		free(items[i].message);
	free(items);
}
