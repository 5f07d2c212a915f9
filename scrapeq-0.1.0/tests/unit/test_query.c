/* test_query.c: table-driven tests of query_parse, query_get/query_count and parse_int_range. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/query.h"
#include "tap.h"

#define E_LONG	"Query string too long"
#define E_MANY	"Too many query parameters"
#define E_VAL	"Query parameter value too long"
#define E_ESC	"Malformed %-escape in query string"
#define E_NUL	"Query string contains a NUL byte"

struct qrow {
	const char	*in;
	size_t		 len;	/* 0: strlen(in) */
	const char	*want;	/* "[k]=[v]..." on success, NULL on failure */
	const char	*err;	/* expected error on failure */
};

static const struct qrow qrows[] = {
	{ "", 0, "", NULL },
	{ "a=1", 0, "[a]=[1]", NULL },
	{ "a=1&b=2", 0, "[a]=[1][b]=[2]", NULL },
	{ "a", 0, "[a]=[]", NULL },
	{ "a=", 0, "[a]=[]", NULL },
	{ "=v", 0, "[]=[v]", NULL },
	{ "=", 0, "[]=[]", NULL },
	{ "a=1&&b=2", 0, "[a]=[1][b]=[2]", NULL },
	{ "&a=1&", 0, "[a]=[1]", NULL },
	{ "&&&", 0, "", NULL },
	{ "a+b=c+d", 0, "[a b]=[c d]", NULL },
	{ "a%20b=%41%62%63", 0, "[a b]=[Abc]", NULL },
	{ "x=%2B", 0, "[x]=[+]", NULL },
	{ "x=%2b%2F", 0, "[x]=[+/]", NULL },
	{ "x=%26%3D", 0, "[x]=[&=]", NULL },
	{ "x=a=b", 0, "[x]=[a=b]", NULL },
	{ "x=%C3%A9", 0, "[x]=[\xC3\xA9]", NULL },
	{ "x=%FF", 0, "[x]=[\xFF]", NULL },
	{ "a=1&a=2", 0, "[a]=[1][a]=[2]", NULL },
	{ "page=2&per_page=50", 0, "[page]=[2][per_page]=[50]", NULL },
	{ "x=%", 0, NULL, E_ESC },
	{ "x=%4", 0, NULL, E_ESC },
	{ "x=%4g", 0, NULL, E_ESC },
	{ "x=%g4", 0, NULL, E_ESC },
	{ "x=%%41", 0, NULL, E_ESC },
	{ "%zz=1", 0, NULL, E_ESC },
	{ "a=1&b=%", 0, NULL, E_ESC },
	{ "x=%00", 0, NULL, E_NUL },
	{ "%00=1", 0, NULL, E_NUL },
	{ "x=a\0b", 5, NULL, E_NUL },
};

/* Renders q as "[k]=[v]..." into out. */
static void
render(const struct query *q, char *out, size_t outsz)
{
	size_t	 i, used = 0;
	int	 n;

	out[0] = '\0';
	for (i = 0; i < q->n && used < outsz; i++) {
		n = snprintf(out + used, outsz - used, "[%s]=[%s]", q->p[i].key, q->p[i].val);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

/* One row: parse in, compare with want (or with werr on failure); one line if wrong. */
static void
check_row(const char *what, const char *in, size_t len, const char *want, const char *werr)
{
	struct query	 q;
	char		 err[128] = "", got[8192] = "";
	int		 rc;

	rc = query_parse(&q, in, len, err, sizeof(err));
	if (rc == 0)
		render(&q, got, sizeof(got));
	if (want != NULL)
		TAP_CHECK(rc == 0 && strcmp(got, want) == 0,
		    "%s: rc %d err \"%s\" got \"%.60s\", want \"%.60s\"", what, rc, err, got,
		    want);
	else
		TAP_CHECK(rc == -1 && strcmp(err, werr) == 0 && q.n == 0 && q.mem == NULL,
		    "%s: rc %d err \"%s\" n %zu, want -1 \"%s\" and q empty", what, rc, err,
		    q.n, werr);
	query_free(&q);
}

static void
test_table(void)
{
	size_t	 i;
	char	 what[64];

	for (i = 0; i < sizeof(qrows) / sizeof(qrows[0]); i++) {
		snprintf(what, sizeof(what), "query row %zu", i);
		check_row(what, qrows[i].in,
		    qrows[i].len ? qrows[i].len : strlen(qrows[i].in), qrows[i].want,
		    qrows[i].err);
	}
	check_row("NULL query", NULL, 0, "", NULL);
	check_row("NULL with len", NULL, 5, "", NULL);
}

/* Builds n pairs "k=v&" (with extra empty segments) and checks the pair cap. */
static void
test_param_count(void)
{
	char	 qs[1024], want[1024];
	size_t	 used = 0, wused = 0;
	int	 i;

	for (i = 0; i < SQ_QUERY_PARAMS_MAX; i++) {
		used += (size_t)snprintf(qs + used, sizeof(qs) - used, "k%d=%d&&", i, i);
		wused += (size_t)snprintf(want + wused, sizeof(want) - wused, "[k%d]=[%d]", i, i);
	}
	check_row("32 params", qs, used, want, NULL);
	used += (size_t)snprintf(qs + used, sizeof(qs) - used, "extra");
	check_row("33 params", qs, used, NULL, E_MANY);
}

/* Length caps: the whole string, and one decoded value, each at and past the limit. */
static void
test_lengths(void)
{
	char	*qs = malloc(SQ_QUERY_MAX + 2), *want = malloc(SQ_QUERY_MAX + 16);
	size_t	 i;

	if (qs == NULL || want == NULL) {
		TAP_FAIL("malloc");
		goto out;
	}
	qs[0] = 'k';
	qs[1] = '=';
	memset(qs + 2, 'v', SQ_QUERY_MAX);
	/* "k=" then SQ_QUERY_VALUE_MAX bytes: at the limit, then one over. */
	memcpy(want, "[k]=[", 5);
	memset(want + 5, 'v', SQ_QUERY_VALUE_MAX);
	memcpy(want + 5 + SQ_QUERY_VALUE_MAX, "]", 2);
	check_row("value of max bytes", qs, 2 + SQ_QUERY_VALUE_MAX, want, NULL);
	check_row("value one over", qs, 3 + SQ_QUERY_VALUE_MAX, NULL, E_VAL);
	/* A long key is bounded by the string cap only. */
	memset(qs, 'k', SQ_QUERY_MAX);
	want[0] = '[';
	memset(want + 1, 'k', SQ_QUERY_MAX);
	memcpy(want + 1 + SQ_QUERY_MAX, "]=[]", 5);
	check_row("key of SQ_QUERY_MAX", qs, SQ_QUERY_MAX, want, NULL);
	check_row("string one over", qs, SQ_QUERY_MAX + 1, NULL, E_LONG);
	/* %-escapes count decoded bytes: 1024 "%41" is a 1024-byte value. */
	qs[0] = 'k';
	qs[1] = '=';
	for (i = 0; i < SQ_QUERY_VALUE_MAX + 1; i++)
		memcpy(qs + 2 + 3 * i, "%41", 3);
	memcpy(want, "[k]=[", 5);
	memset(want + 5, 'A', SQ_QUERY_VALUE_MAX);
	memcpy(want + 5 + SQ_QUERY_VALUE_MAX, "]", 2);
	check_row("escaped value of max", qs, 2 + 3 * SQ_QUERY_VALUE_MAX, want, NULL);
	check_row("escaped value over", qs, 2 + 3 * (SQ_QUERY_VALUE_MAX + 1), NULL, E_VAL);
out:
	free(qs);
	free(want);
}

static void
test_get_count(void)
{
	struct query	 q;
	const char	*qs = "a=1&b=&a=2&c&a=3";

	if (query_parse(&q, qs, strlen(qs), NULL, 0) != 0) {
		TAP_FAIL("parse for get/count");
		return;
	}
	TAP_STREQ(query_get(&q, "a"), "1", "get first of repeated");
	TAP_STREQ(query_get(&q, "b"), "", "get empty value");
	TAP_STREQ(query_get(&q, "c"), "", "get key without '='");
	TAP_STREQ(query_get(&q, "d"), NULL, "get absent");
	TAP_STREQ(query_get(&q, "A"), NULL, "get is case-sensitive");
	TAP_CHECK(query_count(&q, "a") == 3, "count a = %zu", query_count(&q, "a"));
	TAP_CHECK(query_count(&q, "b") == 1, "count b");
	TAP_CHECK(query_count(&q, "d") == 0, "count absent");
	query_free(&q);
	query_free(&q);
	query_free(NULL);
	TAP_CHECK(q.n == 0 && q.mem == NULL, "query_free leaves q empty");
}

struct irow {
	const char	*s;
	long long	 min, max;
	int		 rc;
	long long	 want;
};

static const struct irow irows[] = {
	{ "0", LLONG_MIN, LLONG_MAX, 0, 0 },
	{ "1", LLONG_MIN, LLONG_MAX, 0, 1 },
	{ "-1", LLONG_MIN, LLONG_MAX, 0, -1 },
	{ "123", LLONG_MIN, LLONG_MAX, 0, 123 },
	{ "9223372036854775807", LLONG_MIN, LLONG_MAX, 0, LLONG_MAX },
	{ "-9223372036854775808", LLONG_MIN, LLONG_MAX, 0, LLONG_MIN },
	{ "9223372036854775808", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "-9223372036854775809", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "18446744073709551615", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "18446744073709551616", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "99999999999999999999", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "-99999999999999999999", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "-0", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "01", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "00", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "-01", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "-", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "--1", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "1 ", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ " 1", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "\t1", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "1\n", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "+1", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "1a", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "0x10", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "1e3", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "1.0", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "1,000", LLONG_MIN, LLONG_MAX, -1, 0 },
	{ "\xD9\xA1", LLONG_MIN, LLONG_MAX, -1, 0 },	/* ARABIC-INDIC DIGIT ONE */
	{ "1", 1, 4, 0, 1 },
	{ "4", 1, 4, 0, 4 },
	{ "0", 1, 4, -1, 0 },
	{ "5", 1, 4, -1, 0 },
	{ "-5", -5, -1, 0, -5 },
	{ "-6", -5, -1, -1, 0 },
	{ "0", -5, -1, -1, 0 },
	{ "3", 3, 3, 0, 3 },
	{ "3", 4, 3, -1, 0 },		/* min > max */
	{ "100", 1, 100, 0, 100 },
	{ "101", 1, 100, -1, 0 },
	{ "1000000", 1, 1000000, 0, 1000000 },
	{ "1000001", 1, 1000000, -1, 0 },
};

static void
test_int_range(void)
{
	size_t		 i;
	long long	 out;
	int		 rc;

	for (i = 0; i < sizeof(irows) / sizeof(irows[0]); i++) {
		out = 4242;
		rc = parse_int_range(irows[i].s, irows[i].min, irows[i].max, &out);
		TAP_CHECK(rc == irows[i].rc && out == (rc == 0 ? irows[i].want : 4242),
		    "int row %zu \"%s\" in [%lld, %lld]: rc %d out %lld, want rc %d out %lld",
		    i, irows[i].s, irows[i].min, irows[i].max, rc, out, irows[i].rc,
		    irows[i].rc == 0 ? irows[i].want : 4242);
	}
	out = 4242;
	TAP_CHECK(parse_int_range(NULL, 0, 10, &out) == -1 && out == 4242, "NULL string");
}

int
main(void)
{
	test_table();
	test_param_count();
	test_lengths();
	test_get_count();
	test_int_range();
	return tap_done("test_query");
}
