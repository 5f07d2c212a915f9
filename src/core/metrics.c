/* metrics.c: the figures GET /metrics exposes, read from small tables and indexes, never by scanning jobs. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/limits.h"
#include "scrapeq/metrics.h"

/* job_counts holds a few rows per project and status (its slots): summing them is cheap. */
static const char jobs_sql[] =
	"SELECT status, COALESCE(SUM(n), 0) FROM job_counts GROUP BY status";

/*
 * Page counters: every daemons row (alive or not; rows are few, one per daemon id)
 * plus what the daemons_counters_delete trigger folded into metric_counters when a
 * row was removed, so a total never drops (017_metrics.sql). Pending deliveries read
 * the webhook_deliveries_created index's 'pending' range only.
 */
#define PAGES(col) "(SELECT COALESCE(SUM(" col "), 0) FROM daemons) + " \
	"(SELECT COALESCE(SUM(n), 0) FROM metric_counters WHERE name = '" col "'), "
#define COUNTER(name) "(SELECT COALESCE(SUM(n), 0) FROM metric_counters WHERE name = '" name "'), "
static const char figures_sql[] =
	"SELECT " PAGES("pages_fetched") PAGES("pages_stored") PAGES("pages_failed")
	PAGES("bytes_fetched")
	COUNTER("webhook_delivered") COUNTER("webhook_failed")
	"(SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'), "
	"h.alive, h.watchers FROM (SELECT COUNT(*) AS alive, COALESCE(SUM(watchers), 0) AS watchers "
	"FROM event_hubs WHERE stopped_at IS NULL AND heartbeat_at >= NOW(6) - INTERVAL ? SECOND) h";

static enum sq_err
read_jobs(struct db *db, struct metrics *m)
{
	struct db_res	 r;
	enum job_status	 st;
	size_t		 i;
	enum sq_err	 rc;

	if ((rc = db_exec(db, jobs_sql, NULL, 0, &r)) != SQ_OK)
		return rc;
	for (i = 0; i < r.nrows; i++)
		if (db_str(&r, i, 0) != NULL && job_status_parse(db_str(&r, i, 0), &st) == 0)
			m->jobs[st] = db_int(&r, i, 1);
	db_res_free(&r);
	return SQ_OK;
}

static enum sq_err
read_figures(struct db *db, struct metrics *m)
{
	struct db_res	 r;
	enum sq_err	 rc;

	rc = db_exec(db, figures_sql, DB_PARAMS(DB_INT(SQ_EVENTS_ALIVE_SECONDS)), &r);
	if (rc != SQ_OK)
		return rc;
	if (r.nrows != 1) {
		db_res_free(&r);
		return SQ_ERR_INTERNAL;
	}
	m->pages.fetched = db_int(&r, 0, 0);
	m->pages.stored = db_int(&r, 0, 1);
	m->pages.failed = db_int(&r, 0, 2);
	m->pages.bytes = db_int(&r, 0, 3);
	m->webhook_delivered = db_int(&r, 0, 4);
	m->webhook_failed = db_int(&r, 0, 5);
	m->webhook_pending = db_int(&r, 0, 6);
	m->hubs_alive = db_int(&r, 0, 7);
	m->hub_watchers = db_int(&r, 0, 8);
	db_res_free(&r);
	return SQ_OK;
}

enum sq_err
metrics_read(struct db *db, struct metrics *m, struct sq_error *e)
{
	enum sq_err rc;

	memset(m, 0, sizeof(*m));
	if ((rc = health_read(db, &m->health, e)) != SQ_OK)
		return rc;
	if ((rc = read_jobs(db, m)) != SQ_OK || (rc = read_figures(db, m)) != SQ_OK) {
		metrics_clear(m);
		return sq_fail(e, rc, NULL);
	}
	return SQ_OK;
}

void
metrics_clear(struct metrics *m)
{
	if (m == NULL)
		return;
	health_clear(&m->health);
	memset(m, 0, sizeof(*m));
}
