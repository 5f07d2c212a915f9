/* fuzz_query.c: libFuzzer target for query_parse, parse_int_range (against strtoll), pagination_parse and pagination_window_parse. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/pagination.h"
#include "scrapeq/query.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A second opinion on parse_int_range: the same grammar, with strtoll doing the sums. */
static int
ref_int_range(const char *s, long long min, long long max, long long *out)
{
	const char	*d = s + (*s == '-');
	char		*end;
	long long	 v;
	size_t		 i;

	if (*d == '\0' || (d[0] == '0' && (d != s || d[1] != '\0')))
		return -1;
	for (i = 0; d[i] != '\0'; i++)
		if (d[i] < '0' || d[i] > '9')
			return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void
check_int(const char *s)
{
	static const long long bounds[][2] = {
		{ LLONG_MIN, LLONG_MAX }, { 1, 100 }, { 0, 0 }, { -5, -1 },
	};
	long long	 a, b;
	size_t		 i;
	int		 ra, rb;

	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		a = b = 7;
		ra = parse_int_range(s, bounds[i][0], bounds[i][1], &a);
		rb = ref_int_range(s, bounds[i][0], bounds[i][1], &b);
		if (ra != rb || a != b)
			abort();
	}
}

/* offset/limit, with a default limit and with "every row" when none is given. */
static void
check_window(const struct query *q)
{
	static const long long defs[] = { SQ_RESULTS_LIMIT_DEFAULT, -1 };
	struct rows_window	 w;
	struct sq_error		 e;
	size_t			 i;

	for (i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		if (pagination_window_parse(q, defs[i], SQ_RESULTS_LIMIT_MAX, SQ_RESULTS_OFFSET_MAX,
		    &w, &e) != SQ_OK) {
			if (e.code != SQ_ERR_BAD_REQUEST)
				abort();
			continue;
		}
		if (w.offset < 0 || w.offset > SQ_RESULTS_OFFSET_MAX ||
		    (w.limit == -1) != (defs[i] == -1 && query_get(q, "limit") == NULL) ||
		    (w.limit != -1 && (w.limit < 1 || w.limit > SQ_RESULTS_LIMIT_MAX)))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query	 q;
	struct page	 pg;
	struct sq_error	 e;
	char		 err[128];
	size_t		 i;

	if (query_parse(&q, (const char *)data, size, err, sizeof(err)) != 0) {
		if (q.n != 0 || q.mem != NULL || memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		return 0;
	}
	if (q.n > SQ_QUERY_PARAMS_MAX)
		abort();
	for (i = 0; i < q.n; i++) {
		if (strlen(q.p[i].val) > SQ_QUERY_VALUE_MAX ||
		    query_count(&q, q.p[i].key) == 0 || query_get(&q, q.p[i].key) == NULL)
			abort();
		check_int(q.p[i].val);
	}
	if (pagination_parse(&q, SQ_PER_PAGE_DEFAULT, SQ_PER_PAGE_MAX, &pg, &e) == SQ_OK) {
		if (pg.page < 1 || pg.page > SQ_PAGE_MAX || pg.per_page < 1 ||
		    pg.per_page > SQ_PER_PAGE_MAX || pg.offset != (pg.page - 1) * pg.per_page)
			abort();
	} else if (e.code != SQ_ERR_BAD_REQUEST)
		abort();
	check_window(&q);
	query_free(&q);
	return 0;
}
