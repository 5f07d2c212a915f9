/* page_read.h: one page of a parent's rows (webhooks, deliveries, schedules, targets, members) as an array. */
#ifndef SCRAPEQ_PAGE_READ_H
#define SCRAPEQ_PAGE_READ_H

#include <stddef.h>
#include "db.h"
#include "err.h"
#include "pagination.h"

/* Fills the zeroed *item from row `row` of r; returns 0, or -1 for a malformed row. */
typedef int (*page_row_fn)(void *item, const struct db_res *r, size_t row);
/* Releases what the first n items own, then the array itself. */
typedef void (*page_free_fn)(void *items, size_t n);

/* How one kind of row is paged; a module keeps one of these as a static const. */
struct page_read {
	const char	*count_sql;   /* one `?` for the key; NULL: the caller has the total */
	const char	*page_sql;    /* `?` for the key, then LIMIT ? OFFSET ? */
	size_t		 item_size;
	page_row_fn	 from_row;
	page_free_fn	 release;     /* NULL: the items own nothing, free() the array */
};

/*
 * Reads the total (when how->count_sql is set) and the rows of page pg whose parent
 * is key (a string bound to the first `?` of both statements), converted by
 * how->from_row into a calloc'd array of how->item_size items. On SQ_OK the caller
 * owns *items (NULL when *n is 0) and frees it as how->release would; on an error
 * *items is NULL, *n is 0, nothing is left allocated, and e says why (a malformed
 * row is SQ_ERR_INTERNAL).
 */
enum sq_err page_read(struct db *db, const struct page_read *how, const char *key,
	    const struct page *pg, void **items, size_t *n, long long *total,
	    struct sq_error *e);

#endif
