/* test_pagination.c: table-driven tests of pagination_parse, pagination_window_parse, pagination_pages. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "scrapeq/pagination.h"
#include "tap.h"

#define E_PAGE		"Invalid page: must be an integer from 1 to 1000000"
#define E_PP100		"Invalid per_page: must be an integer from 1 to 100"
#define E_PP1000	"Invalid per_page: must be an integer from 1 to 1000"

struct prow {
	const char	*qs;
	long long	 def, max;
	enum sq_err	 rc;
	long long	 page, per_page, offset;
	const char	*msg;
};

static const struct prow prows[] = {
	{ "", 20, 100, SQ_OK, 1, 20, 0, NULL },
	{ "page=1", 20, 100, SQ_OK, 1, 20, 0, NULL },
	{ "page=2", 20, 100, SQ_OK, 2, 20, 20, NULL },
	{ "page=3&per_page=10", 20, 100, SQ_OK, 3, 10, 20, NULL },
	{ "per_page=100", 20, 100, SQ_OK, 1, 100, 0, NULL },
	{ "per_page=1", 20, 100, SQ_OK, 1, 1, 0, NULL },
	{ "page=1000000&per_page=100", 20, 100, SQ_OK, 1000000, 100, 99999900, NULL },
	{ "limit=5&other=x", 20, 100, SQ_OK, 1, 20, 0, NULL },
	{ "per_page=1000", 100, 1000, SQ_OK, 1, 1000, 0, NULL },
	{ "page=0", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "page=-1", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "page=1000001", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "page=", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "page", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "page=abc", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "page=01", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "page=+1", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "page=1+", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "page=1.5", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "page=9223372036854775808", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "per_page=0", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PP100 },
	{ "per_page=101", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PP100 },
	{ "per_page=-5", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PP100 },
	{ "per_page=ten", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PP100 },
	{ "per_page=1001", 100, 1000, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PP1000 },
	{ "page=1&page=2", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0,
	    "Invalid page: must be given at most once" },
	{ "per_page=5&per_page=5", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0,
	    "Invalid per_page: must be given at most once" },
	{ "page=x&per_page=0", 20, 100, SQ_ERR_BAD_REQUEST, 0, 0, 0, E_PAGE },
	{ "", 0, 100, SQ_ERR_INTERNAL, 0, 0, 0, "internal error" },	/* caller bug */
	{ "", 200, 100, SQ_ERR_INTERNAL, 0, 0, 0, "internal error" },
};

static void
test_parse(void)
{
	struct query	 q;
	struct page	 pg;
	struct sq_error	 e;
	enum sq_err	 rc;
	size_t		 i;
	int		 ok;

	for (i = 0; i < sizeof(prows) / sizeof(prows[0]); i++) {
		const struct prow *r = &prows[i];

		if (query_parse(&q, r->qs, strlen(r->qs), NULL, 0) != 0) {
			TAP_FAIL("row %zu \"%s\": query_parse failed", i, r->qs);
			continue;
		}
		memset(&pg, 0, sizeof(pg));
		memset(&e, 0, sizeof(e));
		rc = pagination_parse(&q, r->def, r->max, &pg, &e);
		if (r->rc == SQ_OK)
			ok = rc == SQ_OK && pg.page == r->page && pg.per_page == r->per_page &&
			    pg.offset == r->offset;
		else
			ok = rc == r->rc && e.code == r->rc && strcmp(e.message, r->msg) == 0;
		TAP_CHECK(ok, "row %zu \"%s\": rc %d \"%s\" page %lld per_page %lld offset %lld",
		    i, r->qs, (int)rc, e.message, pg.page, pg.per_page, pg.offset);
		query_free(&q);
	}
}

#define E_OFF	"Invalid offset: must be an integer from 0 to 10000000"
#define E_LIM	"Invalid limit: must be an integer from 1 to 1000"

struct wrow {
	const char	*qs;
	long long	 def;
	enum sq_err	 rc;
	long long	 offset, limit;
	const char	*msg;
};

static const struct wrow wrows[] = {
	{ "", 100, SQ_OK, 0, 100, NULL },
	{ "", -1, SQ_OK, 0, -1, NULL },                  /* no limit given: every row */
	{ "limit=5", -1, SQ_OK, 0, 5, NULL },
	{ "offset=0&limit=1", 100, SQ_OK, 0, 1, NULL },
	{ "offset=250&limit=1000", 100, SQ_OK, 250, 1000, NULL },
	{ "offset=10000000", 100, SQ_OK, 10000000, 100, NULL },
	{ "page=3&per_page=7", 100, SQ_OK, 0, 100, NULL },
	{ "offset=10000001", 100, SQ_ERR_BAD_REQUEST, 0, 0, E_OFF },
	{ "offset=-1", 100, SQ_ERR_BAD_REQUEST, 0, 0, E_OFF },
	{ "offset=", 100, SQ_ERR_BAD_REQUEST, 0, 0, E_OFF },
	{ "offset=00", 100, SQ_ERR_BAD_REQUEST, 0, 0, E_OFF },
	{ "offset=1e3", 100, SQ_ERR_BAD_REQUEST, 0, 0, E_OFF },
	{ "offset=99999999999999999999", 100, SQ_ERR_BAD_REQUEST, 0, 0, E_OFF },
	{ "limit=0", 100, SQ_ERR_BAD_REQUEST, 0, 0, E_LIM },
	{ "limit=0", -1, SQ_ERR_BAD_REQUEST, 0, 0, E_LIM },
	{ "limit=1001", 100, SQ_ERR_BAD_REQUEST, 0, 0, E_LIM },
	{ "limit=-1", -1, SQ_ERR_BAD_REQUEST, 0, 0, E_LIM },
	{ "limit= 5", 100, SQ_ERR_BAD_REQUEST, 0, 0, E_LIM },
	{ "limit=all", -1, SQ_ERR_BAD_REQUEST, 0, 0, E_LIM },
	{ "limit=5&limit=5", 100, SQ_ERR_BAD_REQUEST, 0, 0,
	    "Invalid limit: must be given at most once" },
	{ "offset=1&offset=2", 100, SQ_ERR_BAD_REQUEST, 0, 0,
	    "Invalid offset: must be given at most once" },
	{ "offset=x&limit=0", 100, SQ_ERR_BAD_REQUEST, 0, 0, E_OFF },
	{ "", 0, SQ_ERR_INTERNAL, 0, 0, "internal error" },       /* caller bug */
	{ "", 1001, SQ_ERR_INTERNAL, 0, 0, "internal error" },
};

static void
test_window(void)
{
	struct query		 q;
	struct rows_window	 w;
	struct sq_error		 e;
	enum sq_err		 rc;
	size_t			 i;
	int			 ok;

	for (i = 0; i < sizeof(wrows) / sizeof(wrows[0]); i++) {
		const struct wrow *r = &wrows[i];

		if (query_parse(&q, r->qs, strlen(r->qs), NULL, 0) != 0) {
			TAP_FAIL("window row %zu \"%s\": query_parse failed", i, r->qs);
			continue;
		}
		memset(&w, 0, sizeof(w));
		memset(&e, 0, sizeof(e));
		rc = pagination_window_parse(&q, r->def, 1000, 10000000, &w, &e);
		if (r->rc == SQ_OK)
			ok = rc == SQ_OK && w.offset == r->offset && w.limit == r->limit;
		else
			ok = rc == r->rc && e.code == r->rc && strcmp(e.message, r->msg) == 0;
		TAP_CHECK(ok, "window row %zu \"%s\": rc %d \"%s\" offset %lld limit %lld",
		    i, r->qs, (int)rc, e.message, w.offset, w.limit);
		query_free(&q);
	}
}

struct crow {
	long long	 total, per_page, want;
};

static const struct crow crows[] = {
	{ 0, 20, 0 },
	{ 1, 20, 1 },
	{ 19, 20, 1 },
	{ 20, 20, 1 },
	{ 21, 20, 2 },
	{ 40, 20, 2 },
	{ 41, 20, 3 },
	{ 100, 1, 100 },
	{ 5, 100, 1 },
	{ -3, 20, 0 },
	{ 10, 0, 0 },
	{ 10, -1, 0 },
	{ LLONG_MAX, 1, LLONG_MAX },
	{ LLONG_MAX, 2, LLONG_MAX / 2 + 1 },
	{ LLONG_MAX, LLONG_MAX, 1 },
};

static void
test_pages(void)
{
	size_t		 i;
	long long	 got;

	for (i = 0; i < sizeof(crows) / sizeof(crows[0]); i++) {
		got = pagination_pages(crows[i].total, crows[i].per_page);
		TAP_CHECK(got == crows[i].want, "pages(%lld, %lld) = %lld, want %lld",
		    crows[i].total, crows[i].per_page, got, crows[i].want);
	}
}

int
main(void)
{
	test_parse();
	test_window();
	test_pages();
	return tap_done("test_pagination");
}
