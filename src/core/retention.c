/* retention.c: deleting finished jobs, and all that was kept for them, once their retention has run out. */
#include <stdlib.h>

#include "scrapeq/buf.h"
#include "scrapeq/retention.h"

#define IDS "JSON_TABLE(?, '$[*]' COLUMNS (id VARCHAR(36) PATH '$')) AS t"

/*
 * The tables that hold a job's data, each keyed (or indexed) by job_id; jobs last, so
 * a job row is gone only with everything else. Fixed texts: nothing is built from input.
 */
static const char *const purge_sql[] = {
	"DELETE x FROM " IDS " JOIN results x ON x.job_id = t.id",
	"DELETE x FROM " IDS " JOIN crawl_errors x ON x.job_id = t.id",
	"DELETE x FROM " IDS " JOIN job_logs x ON x.job_id = t.id",
	"DELETE x FROM " IDS " JOIN job_events x ON x.job_id = t.id",
	"DELETE x FROM " IDS " JOIN sample_rows x ON x.job_id = t.id",
	"DELETE x FROM " IDS " JOIN job_targets x ON x.job_id = t.id",
	"DELETE x FROM " IDS " JOIN job_queue x ON x.job_id = t.id",
	"DELETE x FROM " IDS " JOIN jobs x ON x.id = t.id",
};

/* Appends the ids of r's first column to the JSON array being built in b. */
static void
add_ids(struct buf *b, const struct db_res *r, size_t *n)
{
	size_t i;

	for (i = 0; i < r->nrows; i++, (*n)++)
		buf_printf(b, "%s\"%s\"", *n ? "," : "", db_str(r, i, 0));
}

/* Locks up to max expired jobs, oldest end first: finished ones by completed_at, cancelled by cancelled_at. */
static enum sq_err
pick(struct db *db, unsigned days, unsigned max, struct buf *b, size_t *n)
{
	struct db_res	 r;
	enum sq_err	 rc;

	buf_putc(b, '[');
	rc = db_exec(db, "SELECT id FROM jobs WHERE status IN ('completed', 'failed') AND "
	    "completed_at < NOW(6) - INTERVAL ? DAY ORDER BY status, completed_at LIMIT ? "
	    "FOR UPDATE SKIP LOCKED", DB_PARAMS(DB_INT(days), DB_INT(max)), &r);
	if (rc != SQ_OK)
		return rc;
	add_ids(b, &r, n);
	db_res_free(&r);
	if (*n < max) {
		rc = db_exec(db, "SELECT id FROM jobs WHERE status = 'cancelled' AND "
		    "cancelled_at < NOW(6) - INTERVAL ? DAY ORDER BY status, cancelled_at LIMIT ? "
		    "FOR UPDATE SKIP LOCKED", DB_PARAMS(DB_INT(days), DB_INT(max - *n)), &r);
		if (rc != SQ_OK)
			return rc;
		add_ids(b, &r, n);
		db_res_free(&r);
	}
	buf_putc(b, ']');
	return b->oom ? SQ_ERR_NOMEM : SQ_OK;
}

enum sq_err
retention_purge(struct db *db, unsigned days, unsigned max, size_t *n)
{
	struct buf	 b;
	size_t		 i, got = 0;
	enum sq_err	 rc;

	*n = 0;
	buf_init(&b, 0);
	if ((rc = db_begin(db)) != SQ_OK)
		goto out;
	rc = pick(db, days, max, &b, &got);
	for (i = 0; rc == SQ_OK && got > 0 && i < sizeof(purge_sql) / sizeof(purge_sql[0]); i++)
		rc = db_exec(db, purge_sql[i], DB_PARAMS(DB_STR(b.data)), NULL);
	if (rc == SQ_OK && (rc = db_commit(db)) == SQ_OK)
		*n = got;
	else
		db_rollback(db);
out:
	buf_free(&b);
	return rc;
}
