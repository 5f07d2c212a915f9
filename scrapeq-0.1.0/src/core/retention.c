/* retention.c: deleting finished jobs, and all that was kept for them, once their retention has run out. */
#include <stdlib.h>

#include "scrapeq/buf.h"
#include "scrapeq/retention.h"

/*
 * The tables that hold a job's data, each keyed (or indexed) by job_id; jobs last, so
 * a job row is gone only with everything else. Fixed texts: nothing is built from input.
 */
static const char *const purge_sql[] = {
	"DELETE x FROM " DB_IDS_TABLE " JOIN results x ON x.job_id = t.id",
	"DELETE x FROM " DB_IDS_TABLE " JOIN crawl_errors x ON x.job_id = t.id",
	"DELETE x FROM " DB_IDS_TABLE " JOIN job_logs x ON x.job_id = t.id",
	"DELETE x FROM " DB_IDS_TABLE " JOIN job_events x ON x.job_id = t.id",
	"DELETE x FROM " DB_IDS_TABLE " JOIN sample_rows x ON x.job_id = t.id",
	"DELETE x FROM " DB_IDS_TABLE " JOIN job_targets x ON x.job_id = t.id",
	"DELETE x FROM " DB_IDS_TABLE " JOIN job_queue x ON x.job_id = t.id",
	"DELETE x FROM " DB_IDS_TABLE " JOIN jobs x ON x.id = t.id",
};

/*
 * Locks up to max expired jobs into b (a JSON array): a finished one ends at
 * completed_at, a cancelled one at cancelled_at; each side has its index (sql/006).
 */
static enum sq_err
pick(struct db *db, unsigned days, unsigned max, struct buf *b, size_t *n)
{
	struct db_res	 r;
	enum sq_err	 rc;

	rc = db_exec(db, "SELECT id FROM jobs WHERE (status IN ('completed', 'failed') AND "
	    "completed_at < NOW(6) - INTERVAL ? DAY) OR (status = 'cancelled' AND "
	    "cancelled_at < NOW(6) - INTERVAL ? DAY) LIMIT ? FOR UPDATE SKIP LOCKED",
	    DB_PARAMS(DB_INT(days), DB_INT(days), DB_INT(max)), &r);
	if (rc != SQ_OK)
		return rc;
	*n = r.nrows;
	if (db_res_ids_json(&r, b) == -1)
		rc = SQ_ERR_NOMEM;
	db_res_free(&r);
	return rc;
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
