/* page_read.c: the count-then-page read every paged list of a parent's rows shares. */
#include <stdlib.h>

#include "scrapeq/page_read.h"

static void
release(const struct page_read *how, void *items, size_t n)
{
	if (how->release != NULL)
		how->release(items, n);
	else
		free(items);
}

enum sq_err
page_read(struct db *db, const struct page_read *how, const char *key,
    const struct page *pg, void **items, size_t *n, long long *total,
    struct sq_error *e)
{
	struct db_res	 r;
	char		*v = NULL;
	size_t		 i;
	enum sq_err	 rc;

	*items = NULL;
	*n = 0;
	if (how->count_sql != NULL) {
		if ((rc = db_exec(db, how->count_sql, DB_PARAMS(DB_STR(key)), &r)) != SQ_OK)
			return sq_fail(e, rc, NULL);
		*total = db_int(&r, 0, 0);
		db_res_free(&r);
	}
	rc = db_exec(db, how->page_sql,
	    DB_PARAMS(DB_STR(key), DB_INT(pg->per_page), DB_INT(pg->offset)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows > 0 && (v = calloc(r.nrows, how->item_size)) == NULL)
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	/* i counts the items touched, the malformed one included: release clears it too. */
	for (i = 0; rc == SQ_OK && i < r.nrows; i++)
		if (how->from_row(v + i * how->item_size, &r, i) == -1)
			rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	db_res_free(&r);
	if (rc != SQ_OK) {
		release(how, v, i);
		return rc;
	}
	*items = v;
	*n = i;
	return SQ_OK;
}
