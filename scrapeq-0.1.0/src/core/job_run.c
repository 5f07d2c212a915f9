/* job_run.c: seed 004's run view of jobs, read through the caller's memberships. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/job_run.h"

#define RUN_COLS "j.id, j.type, j.status, j.created_by, u.external_id, " \
	"JSON_VALUE(j.config, '$.dataset_id'), JSON_VALUE(j.config, '$.dataset_name'), " \
	"JSON_VALUE(j.config, '$.source_job_id'), j.config, j.result, " \
	"JSON_VALUE(j.error, '$.message'), j.created_at, COALESCE(j.completed_at, j.cancelled_at), " \
	"TIMESTAMPDIFF(MICROSECOND, j.started_at, COALESCE(j.completed_at, j.cancelled_at))"

/* One text: each optional filter is "? IS NULL OR col = ?", bound twice. */
#define RUN_WHERE \
	"FROM jobs j JOIN memberships m ON m.project_id = j.project_id AND m.user_id = ? " \
	"LEFT JOIN users u ON u.id = j.created_by " \
	"WHERE (? IS NULL OR j.id = ?) AND (? IS NULL OR j.status = ?) " \
	"AND (? IS NULL OR j.type = ?) AND (? IS NULL OR j.created_by = ?) " \
	"AND (? IS NULL OR u.external_id = ?) " \
	"AND (? IS NULL OR JSON_VALUE(j.config, '$.dataset_id') = ?)"

struct run_ctx {
	job_run_fn	 fn;
	void		*arg;
	size_t		 seen;
};

static int
run_row(void *arg, const struct db_res *r)
{
	struct run_ctx	*x = arg;
	struct job_run	 j;
	const char	*s;

	memset(&j, 0, sizeof(j));
	s = db_str(r, 0, 0);
	if (s == NULL || uuid_parse(s, strlen(s), &j.id) == -1)
		return 0;                               /* cannot happen: the column is a UUID */
	j.type = db_str(r, 0, 1);
	if (job_status_parse(db_str(r, 0, 2), &j.status) == -1)
		j.status = JOB_PENDING;
	j.user_id = db_str(r, 0, 3) ? db_int(r, 0, 3) : -1;
	j.user_soeid = db_str(r, 0, 4);
	j.dataset_id = db_str(r, 0, 5);
	j.dataset_name = db_str(r, 0, 6);
	j.source_commit_id = db_str(r, 0, 7);
	j.config = db_str(r, 0, 8);
	j.result = db_str(r, 0, 9);
	j.error_message = db_str(r, 0, 10);
	j.created_at = db_str(r, 0, 11);
	j.completed_at = db_str(r, 0, 12);
	j.duration_us = db_str(r, 0, 13) ? db_int(r, 0, 13) : -1;
	x->seen++;
	return x->fn(x->arg, &j);
}

/* job_run_each, also saying how many jobs were handed out (*seen). */
static enum sq_err
run_query(struct db *db, const struct principal *who, const struct job_run_filter *f,
    long long offset, long long limit, job_run_fn fn, void *arg, long long *total,
    size_t *seen, struct sq_error *e)
{
	struct db_res	 r;
	struct run_ctx	 x = { fn, arg, 0 };
	char		 ids[UUID_STR_LEN + 1], uid[24];
	const char	*id = NULL, *st = f->has_status ? job_status_name(f->status) : NULL;
	const char	*us = NULL;
	enum sq_err	 rc;

	if (f->id != NULL) {
		uuid_format(f->id, ids);
		id = ids;
	}
	if (f->user_id >= 0) {
		snprintf(uid, sizeof(uid), "%lld", f->user_id);
		us = uid;
	}
#define RUN_FILTERS DB_INT(who->user_id), DB_STR(id), DB_STR(id), DB_STR(st), DB_STR(st), \
	DB_STR(f->type), DB_STR(f->type), DB_STR(us), DB_STR(us), DB_STR(f->user_soeid), \
	DB_STR(f->user_soeid), DB_STR(f->dataset_id), DB_STR(f->dataset_id)
	if (total != NULL) {
		if ((rc = db_exec(db, "SELECT COUNT(*) " RUN_WHERE, DB_PARAMS(RUN_FILTERS), &r)) != SQ_OK)
			return sq_fail(e, rc, NULL);
		*total = db_int(&r, 0, 0);
		db_res_free(&r);
		if (offset >= *total)
			return SQ_OK;
	}
	rc = db_exec_each(db, "SELECT " RUN_COLS " " RUN_WHERE " ORDER BY j.id DESC LIMIT ? OFFSET ?",
	    DB_PARAMS(RUN_FILTERS, DB_INT(limit), DB_INT(offset)), run_row, &x);
#undef RUN_FILTERS
	*seen = x.seen;
	return rc == SQ_OK ? SQ_OK : sq_fail(e, rc, NULL);
}

enum sq_err
job_run_each(struct db *db, const struct principal *who, const struct job_run_filter *f,
    long long offset, long long limit, job_run_fn fn, void *arg, long long *total,
    struct sq_error *e)
{
	size_t seen;

	return run_query(db, who, f, offset, limit, fn, arg, total, &seen, e);
}

enum sq_err
job_run_get(struct db *db, const struct principal *who, const struct uuid *id, job_run_fn fn,
    void *arg, struct sq_error *e)
{
	struct job_run_filter	 f;
	size_t			 seen = 0;
	enum sq_err		 rc;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.user_id = -1;
	if ((rc = run_query(db, who, &f, 0, 1, fn, arg, NULL, &seen, e)) != SQ_OK)
		return rc;
	return seen == 0 ? sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found") : SQ_OK;
}
