/* pagination.c: the page and per_page query parameters, checked strictly, and page counts. */
#include <limits.h>

#include "scrapeq/pagination.h"

/* Reads one parameter into *out: def when absent, else an integer in [min, max]. */
static enum sq_err
read_range(const struct query *q, const char *name, long long def, long long min,
    long long max, long long *out, struct sq_error *e)
{
	const char	*v;

	if (query_count(q, name) > 1)
		return sq_fail(e, SQ_ERR_BAD_REQUEST,
		    "Invalid %s: must be given at most once", name);
	if ((v = query_get(q, name)) == NULL) {
		*out = def;
		return SQ_OK;
	}
	if (parse_int_range(v, min, max, out) != 0)
		return sq_fail(e, SQ_ERR_BAD_REQUEST,
		    "Invalid %s: must be an integer from %lld to %lld", name, min, max);
	return SQ_OK;
}

static enum sq_err
read_param(const struct query *q, const char *name, long long def, long long max,
    long long *out, struct sq_error *e)
{
	return read_range(q, name, def, 1, max, out, e);
}

enum sq_err
pagination_parse(const struct query *q, long long def, long long max,
    struct page *out, struct sq_error *e)
{
	enum sq_err	 rc;

	if (max < 1 || def < 1 || def > max)
		return sq_fail(e, SQ_ERR_INTERNAL, NULL);
	if ((rc = read_param(q, "page", 1, SQ_PAGE_MAX, &out->page, e)) != SQ_OK)
		return rc;
	if ((rc = read_param(q, "per_page", def, max, &out->per_page, e)) != SQ_OK)
		return rc;
	/* Only a caller passing a huge max could overflow; refuse rather than wrap. */
	if (out->page - 1 > LLONG_MAX / out->per_page)
		return sq_fail(e, SQ_ERR_BAD_REQUEST,
		    "Invalid page: must be an integer from 1 to %lld",
		    LLONG_MAX / out->per_page + 1);
	out->offset = (out->page - 1) * out->per_page;
	return SQ_OK;
}

enum sq_err
pagination_window_parse(const struct query *q, long long def, long long max,
    long long offset_max, struct rows_window *out, struct sq_error *e)
{
	enum sq_err	 rc;

	if (max < 1 || offset_max < 0 || (def != -1 && (def < 1 || def > max)))
		return sq_fail(e, SQ_ERR_INTERNAL, NULL);
	if ((rc = read_range(q, "offset", 0, 0, offset_max, &out->offset, e)) != SQ_OK)
		return rc;
	return read_range(q, "limit", def, 1, max, &out->limit, e);
}

long long
pagination_pages(long long total, long long per_page)
{
	if (total <= 0 || per_page <= 0)
		return 0;
	return total / per_page + (total % per_page != 0);
}
