/* job_stats.c: seed 001's statistics: one GROUP BY over the caller's jobs per breakdown. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/job_stats.h"
#include "scrapeq/text.h"

#define DONE "j.status = 'completed' AND j.started_at IS NOT NULL AND j.completed_at IS NOT NULL"
#define SPAN "TIMESTAMPDIFF(MICROSECOND, j.started_at, j.completed_at) / 1e6"
#define AGG \
	"COUNT(*), SUM(j.status = 'pending'), SUM(j.status = 'running'), " \
	"SUM(j.status = 'completed'), SUM(j.status = 'failed'), SUM(j.status = 'cancelled'), " \
	"COALESCE(AVG(IF(" DONE ", " SPAN ", NULL)), -1), " \
	"COALESCE(SUM(IF(" DONE ", COALESCE(CAST(JSON_VALUE(j.stats, '$.pagesProcessed') " \
	"AS INTEGER), j.total_results), 0)), 0), " \
	"COALESCE(SUM(IF(" DONE ", " SPAN ", 0)), 0) "
#define FROM \
	"FROM jobs j JOIN memberships m ON m.project_id = j.project_id AND m.user_id = ? "

static const char *const stats_sql[] = {
	[JOB_STATS_ALL] = "SELECT '', " AGG FROM,
	[JOB_STATS_DOMAIN] = "SELECT jt.url, " AGG FROM
	    "JOIN job_targets jt ON jt.job_id = j.id AND jt.position = 1 "
	    "GROUP BY jt.url ORDER BY COUNT(*) DESC, jt.url LIMIT ?",
	[JOB_STATS_TYPE] = "SELECT j.type, " AGG FROM
	    "GROUP BY j.type ORDER BY COUNT(*) DESC, j.type LIMIT ?",
};

double
job_stats_success_rate(const struct job_stats_row *r)
{
	long long fin = r->by_status[JOB_COMPLETED] + r->by_status[JOB_FAILED];

	return fin > 0 ? 100.0 * (double)r->by_status[JOB_COMPLETED] / (double)fin : 0.0;
}

double
job_stats_failure_rate(const struct job_stats_row *r)
{
	long long fin = r->by_status[JOB_COMPLETED] + r->by_status[JOB_FAILED];

	return fin > 0 ? 100.0 * (double)r->by_status[JOB_FAILED] / (double)fin : 0.0;
}

double
job_stats_pages_per_minute(const struct job_stats_row *r)
{
	return r->busy_seconds > 0 ? (double)r->pages * 60.0 / r->busy_seconds : 0.0;
}

enum sq_err
job_stats(struct db *db, const struct principal *who, enum job_stats_by by,
    struct job_stats_row **rows, size_t *n, struct sq_error *e)
{
	struct db_res		 r;
	struct job_stats_row	*v = NULL;
	size_t			 i, k;
	enum sq_err		 rc;

	*rows = NULL;
	*n = 0;
	if (by == JOB_STATS_ALL)
		rc = db_exec(db, stats_sql[by], DB_PARAMS(DB_INT(who->user_id)), &r);
	else
		rc = db_exec(db, stats_sql[by], DB_PARAMS(DB_INT(who->user_id),
		    DB_INT(JOB_STATS_GROUPS_MAX)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows > 0 && (v = calloc(r.nrows, sizeof(*v))) == NULL) {
		db_res_free(&r);
		return sq_fail(e, SQ_ERR_NOMEM, NULL);
	}
	for (i = 0; i < r.nrows; i++) {
		text_copy(v[i].key, sizeof(v[i].key), db_str(&r, i, 0));
		v[i].total = db_int(&r, i, 1);
		for (k = 0; k < JOB_STATUS__COUNT; k++)
			v[i].by_status[k] = db_int(&r, i, 2 + k);
		v[i].avg_duration_seconds = db_str(&r, i, 7) ? strtod(db_str(&r, i, 7), NULL) : -1;
		v[i].pages = db_int(&r, i, 8);
		v[i].busy_seconds = db_str(&r, i, 9) ? strtod(db_str(&r, i, 9), NULL) : 0;
	}
	db_res_free(&r);
	*rows = v;
	*n = i;
	return SQ_OK;
}
