/* health.c: the service's vital signs (daemons alive, queue depth and age, job counts) without scanning jobs. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/health.h"
#include "scrapeq/jsonw.h"
#include "scrapeq/limits.h"
#include "scrapeq/text.h"

#define ALIVE "stopped_at IS NULL AND heartbeat_at >= NOW(6) - INTERVAL ? SECOND"

/*
 * NOW(6) is one instant for the whole statement, so depth, scheduled and age agree.
 * Waiting time counts from run_after: when the row became claimable (created, or its
 * retry backoff ended), not when the job was created.
 */
static const char figures_sql[] =
	"SELECT (SELECT COUNT(*) FROM daemons WHERE " ALIVE "), q.depth, q.scheduled, "
	"TIMESTAMPDIFF(SECOND, q.oldest, NOW(6)), "
	"(SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE status = 'running'), "
	"(SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE status = 'pending') "
	"FROM (SELECT COALESCE(SUM(run_after <= NOW(6)), 0) AS depth, "
	"COALESCE(SUM(run_after > NOW(6)), 0) AS scheduled, "
	"MIN(IF(run_after <= NOW(6), run_after, NULL)) AS oldest FROM job_queue) q";

static const char daemons_sql[] =
	"SELECT id, host, pid, started_at, heartbeat_at, jobs_running FROM daemons "
	"WHERE " ALIVE " ORDER BY id LIMIT ?";

static enum sq_err
read_figures(struct db *db, struct health *h)
{
	struct db_res	 r;
	enum sq_err	 rc;

	if ((rc = db_exec(db, figures_sql, DB_PARAMS(DB_INT(SQ_DAEMON_ALIVE_SECONDS)), &r)) != SQ_OK)
		return rc;
	if (r.nrows != 1) {
		db_res_free(&r);
		return SQ_ERR_INTERNAL;
	}
	h->daemons_alive = db_int(&r, 0, 0);
	h->queue_depth = db_int(&r, 0, 1);
	h->queue_scheduled = db_int(&r, 0, 2);
	h->oldest_waiting_seconds = db_str(&r, 0, 3) != NULL ? db_int(&r, 0, 3) : -1;
	h->jobs_running = db_int(&r, 0, 4);
	h->jobs_pending = db_int(&r, 0, 5);
	db_res_free(&r);
	return SQ_OK;
}

static enum sq_err
read_daemons(struct db *db, struct health *h)
{
	struct db_res	 r;
	size_t		 i;
	enum sq_err	 rc;

	rc = db_exec(db, daemons_sql, DB_PARAMS(DB_INT(SQ_DAEMON_ALIVE_SECONDS),
	    DB_INT(SQ_STATUS_DAEMONS_MAX)), &r);
	if (rc != SQ_OK)
		return rc;
	if (r.nrows > 0 && (h->daemons = calloc(r.nrows, sizeof(*h->daemons))) == NULL) {
		db_res_free(&r);
		return SQ_ERR_NOMEM;
	}
	for (i = 0; i < r.nrows; i++) {
		struct health_daemon *d = &h->daemons[i];

		text_copy(d->id, sizeof(d->id), db_str(&r, i, 0));
		text_copy(d->host, sizeof(d->host), db_str(&r, i, 1));
		d->pid = db_int(&r, i, 2);
		text_copy(d->started_at, sizeof(d->started_at), db_str(&r, i, 3));
		text_copy(d->heartbeat_at, sizeof(d->heartbeat_at), db_str(&r, i, 4));
		d->jobs_running = db_int(&r, i, 5);
	}
	h->ndaemons = r.nrows;
	db_res_free(&r);
	return SQ_OK;
}

enum sq_err
health_read(struct db *db, struct health *h, struct sq_error *e)
{
	enum sq_err rc;

	memset(h, 0, sizeof(*h));
	if ((rc = read_figures(db, h)) != SQ_OK || (rc = read_daemons(db, h)) != SQ_OK) {
		health_clear(h);
		return sq_fail(e, rc, NULL);
	}
	return SQ_OK;
}

void
health_clear(struct health *h)
{
	if (h == NULL)
		return;
	free(h->daemons);
	memset(h, 0, sizeof(*h));
}

void
health_json(struct jsonw *w, const struct health *h, int with_daemons, int events_up)
{
	size_t i;

	jsonw_object(w, "daemons");
	jsonw_int(w, "alive", h->daemons_alive);
	jsonw_array(w, "items");
	for (i = 0; with_daemons && i < h->ndaemons; i++) {
		const struct health_daemon *d = &h->daemons[i];

		jsonw_object(w, NULL);
		jsonw_str(w, "id", d->id);
		jsonw_str(w, "host", d->host);
		jsonw_int(w, "pid", d->pid);
		jsonw_time(w, "started_at", d->started_at, 0);
		jsonw_time(w, "heartbeat_at", d->heartbeat_at, 0);
		jsonw_int(w, "jobs_running", d->jobs_running);
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_end(w);
	jsonw_object(w, "queue");
	jsonw_int(w, "depth", h->queue_depth);
	jsonw_int(w, "scheduled", h->queue_scheduled);
	if (h->oldest_waiting_seconds >= 0)
		jsonw_int(w, "oldest_waiting_seconds", h->oldest_waiting_seconds);
	else
		jsonw_null(w, "oldest_waiting_seconds");
	jsonw_end(w);
	jsonw_object(w, "jobs");
	jsonw_int(w, "running", h->jobs_running);
	jsonw_int(w, "pending", h->jobs_pending);
	jsonw_end(w);
	jsonw_object(w, "events");
	jsonw_bool(w, "up", events_up);
	jsonw_end(w);
}
