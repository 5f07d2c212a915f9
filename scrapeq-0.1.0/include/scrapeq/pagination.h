/* pagination.h: page/per_page query parameters and the page count of a total. */
#ifndef SCRAPEQ_PAGINATION_H
#define SCRAPEQ_PAGINATION_H

#include "err.h"
#include "query.h"

struct page {
	long long page;      /* 1-based */
	long long per_page;
	long long offset;    /* (page - 1) * per_page */
};

/*
 * Reads `page` (default 1, 1..SQ_PAGE_MAX) and `per_page` (default def, 1..max)
 * from q. A value that is not an integer in range is SQ_ERR_BAD_REQUEST with a
 * message naming the parameter and the range: "Invalid per_page: must be an integer from 1 to 100".
 * A parameter given twice is an error too.
 */
enum sq_err pagination_parse(const struct query *q, long long def, long long max,
	    struct page *out, struct sq_error *e);

/* A window of rows by position: what offset/limit paging asks for. */
struct rows_window {
	long long offset;    /* rows skipped, 0..offset_max */
	long long limit;     /* rows wanted, 1..max; -1: every row after offset */
};

/*
 * Reads `offset` (default 0, 0..offset_max) and `limit` (default def, 1..max) from
 * q; def -1 makes an absent limit mean every row. Errors as pagination_parse:
 * SQ_ERR_BAD_REQUEST naming the parameter and its range, also for one given twice.
 */
enum sq_err pagination_window_parse(const struct query *q, long long def, long long max,
	    long long offset_max, struct rows_window *out, struct sq_error *e);

/* Returns ceil(total / per_page), 0 when total is 0; per_page must be > 0. */
long long pagination_pages(long long total, long long per_page);

#endif
