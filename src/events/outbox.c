/* outbox.c: SELECTs over job_events joined to jobs (and a target row's id), nothing else. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/limits.h"
#include "outbox.h"

#define COLS "e.id, e.job_id, e.project_id, e.type, e.data, j.status, j.total_targets, " \
    "j.completed_targets, j.total_results, j.current_target, j.error, t.target_id, " \
    "TIMESTAMPDIFF(MICROSECOND, e.created_at, NOW(6)) DIV 1000 "
/*
 * STRAIGHT_JOIN: job_events first, in id order, so LIMIT stops the read; left to
 * itself the optimizer started from jobs and looked every job's events up (a temporary
 * table and a sort per tick, growing with the number of jobs).
 */
#define JOINS "STRAIGHT_JOIN jobs j ON j.id = e.job_id " \
    "LEFT JOIN job_targets t ON e.type LIKE 'target\\_%' AND t.job_id = e.job_id " \
    "AND t.position = JSON_VALUE(e.data, '$.position') "
#define FROM "FROM job_events e " JOINS

struct each {
	outbox_fn	 fn;
	void		*arg;
	int		 stopped;	/* fn returned non-zero */
};

static int
parse_uuid(const struct db_res *r, size_t col, struct uuid *u)
{
	const char *s = db_str(r, 0, col);

	return s == NULL ? -1 : uuid_parse(s, strlen(s), u);
}

/* One row into an event; a row that does not parse is skipped (logged by the caller's count). */
static int
row(void *arg, const struct db_res *r)
{
	struct each	*x = arg;
	struct event	 ev;
	const char	*st;

	memset(&ev, 0, sizeof(ev));
	ev.id = strtoull(db_str(r, 0, 0), NULL, 10);
	ev.type = db_str(r, 0, 3);
	ev.data = db_str(r, 0, 4);
	st = db_str(r, 0, 5);
	if (ev.type == NULL || ev.data == NULL || st == NULL ||
	    parse_uuid(r, 1, &ev.job_id) == -1 || parse_uuid(r, 2, &ev.project_id) == -1 ||
	    job_status_parse(st, &ev.status) == -1)
		return 0;
	ev.total_targets = db_int(r, 0, 6);
	ev.completed_targets = db_int(r, 0, 7);
	ev.total_results = db_int(r, 0, 8);
	ev.has_current = parse_uuid(r, 9, &ev.current) == 0;
	ev.job_error = db_str(r, 0, 10);
	ev.has_target = parse_uuid(r, 11, &ev.target) == 0;
	ev.age_ms = db_int(r, 0, 12);
	return x->stopped = x->fn(x->arg, &ev);
}

enum sq_err
outbox_max_id(struct db *db, unsigned long long *out)
{
	struct db_res	 r;
	enum sq_err	 rc;

	rc = db_exec(db, "SELECT COALESCE(MAX(id), 0) FROM job_events", NULL, 0, &r);
	if (rc != SQ_OK)
		return rc;
	*out = r.nrows == 1 && db_str(&r, 0, 0) != NULL ? strtoull(db_str(&r, 0, 0), NULL, 10) : 0;
	db_res_free(&r);
	return SQ_OK;
}

enum sq_err
outbox_tick(struct db *db, unsigned long long after, const char *gaps_json, outbox_fn fn,
    void *arg)
{
	struct each	 x = { fn, arg, 0 };
	enum sq_err	 rc;

	/*
	 * The given-up gaps lie below `after`, so their rows come first in id order. Two
	 * SELECTs, not one UNION: MariaDB 10.11.19 crashed twice here, under tests' load,
	 * creating the UNION's temporary table. Most ticks have no gap: one SELECT then.
	 */
	if (strcmp(gaps_json, "[]") != 0) {
		rc = db_exec_each(db, "SELECT " COLS "FROM JSON_TABLE(?, '$[*]' COLUMNS ("
		    "lo BIGINT UNSIGNED PATH '$[0]', hi BIGINT UNSIGNED PATH '$[1]')) g "
		    "JOIN job_events e ON e.id BETWEEN g.lo AND g.hi " JOINS "ORDER BY e.id",
		    DB_PARAMS(DB_STR(gaps_json)), row, &x);
		if (rc != SQ_OK || x.stopped)
			return rc;
	}
	return db_exec_each(db, "SELECT " COLS FROM "WHERE e.id > ? ORDER BY e.id LIMIT ?",
	    DB_PARAMS(DB_INT(after), DB_INT(SQ_EVENTS_BATCH_MAX)), row, &x);
}

enum sq_err
outbox_replay(struct db *db, enum outbox_scope scope, const struct uuid *id,
    unsigned long long after, unsigned long long upto, size_t limit, outbox_fn fn, void *arg)
{
	struct each	 x = { fn, arg, 0 };
	char		 ids[UUID_STR_LEN + 1];

	uuid_format(id, ids);
	if (scope == OUTBOX_JOB)
		return db_exec_each(db, "SELECT " COLS FROM "WHERE e.job_id = ? AND e.id > ? "
		    "AND e.id <= ? ORDER BY e.id LIMIT ?", DB_PARAMS(DB_STR(ids), DB_INT(after),
		    DB_INT(upto), DB_INT(limit)), row, &x);
	return db_exec_each(db, "SELECT " COLS FROM "WHERE e.project_id = ? AND e.id > ? "
	    "AND e.id <= ? ORDER BY e.id LIMIT ?", DB_PARAMS(DB_STR(ids), DB_INT(after),
	    DB_INT(upto), DB_INT(limit)), row, &x);
}
