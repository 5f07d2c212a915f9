/* test_sampling.c: table-driven tests of the seeded random, stratified and systematic draws. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scrapeq/sampling.h"
#include "scrapeq/sampling_spec.h"
#include "tap.h"

#define NMAX 1000

/* Sorted, distinct, below n. */
static int
well_formed(const size_t *v, size_t got, size_t n)
{
	size_t i;

	for (i = 0; i < got; i++)
		if (v[i] >= n || (i > 0 && v[i] <= v[i - 1]))
			return 0;
	return 1;
}

struct randrow {
	uint64_t	 seed;
	size_t		 n, k, want;
};

static const struct randrow randrows[] = {
	{ 1, 100, 10, 10 },
	{ 42, 1000, 1000, 1000 },       /* everything */
	{ 42, 10, 1000, 10 },           /* k past n: every row */
	{ 7, 0, 5, 0 },                 /* an empty dataset */
	{ 7, 5, 0, 0 },
	{ UINT64_MAX, 1000, 1, 1 },
	{ 0, 1, 1, 1 },
};

static void
test_random(void)
{
	size_t	 a[NMAX], b[NMAX], i, got, got2;
	int	 differ;

	for (i = 0; i < sizeof(randrows) / sizeof(randrows[0]); i++) {
		const struct randrow *t = &randrows[i];

		got = sampling_random(t->seed, t->n, t->k, a);
		got2 = sampling_random(t->seed, t->n, t->k, b);
		TAP_CHECK(got == t->want, "random row %zu: got %zu rows, want %zu", i, got, t->want);
		TAP_CHECK(well_formed(a, got, t->n), "random row %zu: not sorted/distinct/in range", i);
		TAP_CHECK(got == got2 && memcmp(a, b, got * sizeof(a[0])) == 0,
		    "random row %zu: same seed drew different rows", i);
	}
	got = sampling_random(1, 1000, 50, a);
	got2 = sampling_random(2, 1000, 50, b);
	differ = got != got2 || memcmp(a, b, got * sizeof(a[0])) != 0;
	TAP_CHECK(differ, "random: seeds 1 and 2 drew the same 50 of 1000");
	/* A pinned draw: the sequence must not change between builds or hosts. */
	got = sampling_random(12345, 20, 3, a);
	TAP_CHECK(got == 3, "random pinned: %zu rows", got);
	{
		struct sampling_rng g;

		sampling_rng_init(&g, 0);
		TAP_CHECK(sampling_rng_next(&g) == UINT64_C(0xe220a8397b1dcdaf),
		    "splitmix64(0) first value changed");
	}
}

/* Every position is drawn about k/n of the time over many seeds (a loose uniformity check). */
static void
test_random_uniform(void)
{
	size_t	 hits[10] = { 0 }, out[3], i, j, got;

	for (i = 0; i < 20000; i++) {
		got = sampling_random(i, 10, 3, out);
		for (j = 0; j < got; j++)
			hits[out[j]]++;
	}
	for (i = 0; i < 10; i++)                /* expected 6000 each */
		TAP_CHECK(hits[i] > 5600 && hits[i] < 6400, "uniform: position %zu drawn %zu times",
		    i, hits[i]);
}

struct sysrow {
	size_t		 n, start, interval, max, want;
	size_t		 first, last;
};

static const struct sysrow sysrows[] = {
	{ 100, 0, 10, 0, 10, 0, 90 },
	{ 100, 3, 10, 0, 10, 3, 93 },
	{ 100, 9, 10, 0, 10, 9, 99 },
	{ 95, 5, 10, 0, 9, 5, 85 },
	{ 100, 0, 10, 4, 4, 0, 30 },    /* capped at max */
	{ 5, 0, 10, 0, 1, 0, 0 },
	{ 0, 0, 10, 0, 0, 0, 0 },
	{ 100, 0, 1, 0, 100, 0, 99 },
	{ 10, 0, 0, 0, (size_t)-1, 0, 0 },      /* interval 0 refused */
	{ 10, 10, 10, 0, (size_t)-1, 0, 0 },    /* start not below interval refused */
};

static void
test_systematic(void)
{
	size_t	 out[NMAX], i, j, got;

	for (i = 0; i < sizeof(sysrows) / sizeof(sysrows[0]); i++) {
		const struct sysrow *t = &sysrows[i];

		got = sampling_systematic(t->n, t->start, t->interval, t->max, out);
		TAP_CHECK(got == t->want, "systematic row %zu: got %zu, want %zu", i, got, t->want);
		if (got == (size_t)-1 || got == 0 || got != t->want)
			continue;
		TAP_CHECK(out[0] == t->first && out[got - 1] == t->last,
		    "systematic row %zu: first %zu last %zu", i, out[0], out[got - 1]);
		for (j = 1; j < got; j++)
			TAP_CHECK(out[j] - out[j - 1] == t->interval, "systematic row %zu: step", i);
	}
	got = sampling_systematic(SIZE_MAX, SIZE_MAX - 2, SIZE_MAX - 1, 0, out);
	TAP_CHECK(got == 1, "systematic: no wrap near SIZE_MAX (%zu)", got);
	TAP_CHECK(sampling_interval(100, 10) == 10, "interval 100/10");
	TAP_CHECK(sampling_interval(5, 10) == 1, "interval below 1 is 1");
	TAP_CHECK(sampling_interval(100, 0) == 0, "interval of k 0");
	TAP_CHECK(sampling_interval(105, 10) == 10, "interval floors");
}

struct stratrow {
	size_t		 n;
	size_t		 sizes[4];
	size_t		 total, want[4], sum;
};

static const struct stratrow stratrows[] = {
	{ 3, { 50, 30, 20 }, 10, { 5, 3, 2 }, 10 },
	{ 3, { 50, 30, 20 }, 100, { 50, 30, 20 }, 100 },
	{ 3, { 50, 30, 20 }, 1000, { 50, 30, 20 }, 100 },      /* more than all: all */
	{ 3, { 1, 1, 1 }, 2, { 1, 1, 0 }, 2 },                 /* ties go to the earlier */
	{ 2, { 99, 1 }, 10, { 10, 0 }, 10 },                   /* 9.9 / 0.1 */
	{ 3, { 10, 0, 10 }, 5, { 3, 0, 2 }, 5 },               /* an empty stratum */
	{ 0, { 0 }, 5, { 0 }, 0 },
	{ 2, { 7, 3 }, 0, { 0, 0 }, 0 },
};

static void
test_stratified(void)
{
	size_t	 alloc[SAMPLING_STRATA_MAX + 1], sizes[SAMPLING_STRATA_MAX + 1], i, j, sum;

	for (i = 0; i < sizeof(stratrows) / sizeof(stratrows[0]); i++) {
		const struct stratrow *t = &stratrows[i];

		sum = sampling_allocate(t->sizes, t->n, t->total, alloc);
		TAP_CHECK(sum == t->sum, "stratified row %zu: sum %zu, want %zu", i, sum, t->sum);
		for (j = 0; j < t->n; j++)
			TAP_CHECK(alloc[j] == t->want[j], "stratified row %zu stratum %zu: %zu, want %zu",
			    i, j, alloc[j], t->want[j]);
	}
	for (i = 0; i <= SAMPLING_STRATA_MAX; i++)
		sizes[i] = 10;
	TAP_CHECK(sampling_allocate(sizes, SAMPLING_STRATA_MAX + 1, 5, alloc) == (size_t)-1,
	    "stratified: too many strata refused");
	TAP_CHECK(sampling_allocate(sizes, SAMPLING_STRATA_MAX, 5, alloc) == 5,
	    "stratified: the most strata allowed");
	sizes[0] = 2;
	sizes[1] = 10;
	TAP_CHECK(sampling_allocate_each(sizes, 2, 5, alloc) == 7 && alloc[0] == 2 && alloc[1] == 5,
	    "stratified per stratum: capped by the stratum's size");
	TAP_CHECK(sampling_subseed(1, 0) != sampling_subseed(1, 1), "subseeds differ by stratum");
	TAP_CHECK(sampling_subseed(1, 3) == sampling_subseed(1, 3), "subseeds are stable");
}

static void
test_below(void)
{
	struct sampling_rng	 g;
	size_t			 i;
	int			 ok = 1;

	sampling_rng_init(&g, 99);
	TAP_CHECK(sampling_rng_below(&g, 0) == 0, "below(0) is 0");
	for (i = 0; i < 1000; i++)
		if (sampling_rng_below(&g, 7) >= 7 || sampling_rng_below(&g, 1) != 0)
			ok = 0;
	TAP_CHECK(ok, "below stays in range");
	for (i = 0; i < 100; i++)
		if (sampling_rng_below(&g, UINT64_MAX) == UINT64_MAX)
			ok = 0;
	TAP_CHECK(ok, "below(UINT64_MAX) stays in range");
}

struct specrow {
	const char	*json;          /* the request's "rounds" value; NULL: absent */
	size_t		 n;             /* rounds accepted; 0: refused */
	const char	*msg;           /* a part of the refusal */
};

static const struct specrow specrows[] = {
	{ "[{\"round_number\":1,\"method\":\"random\",\"parameters\":{\"sample_size\":1000}}]", 1, NULL },
	{ "[{\"method\":\"random\",\"parameters\":{\"sample_size\":5,\"seed\":42}},"
	  "{\"method\":\"systematic\",\"parameters\":{\"interval\":10,\"start\":3}},"
	  "{\"method\":\"stratified\",\"parameters\":{\"column\":\"status_code\",\"sample_size\":9}}]", 3, NULL },
	{ "[{\"method\":\"stratified\",\"parameters\":{\"column\":\"depth\",\"per_stratum\":2}}]", 1, NULL },
	{ "[{\"method\":\"systematic\",\"parameters\":{\"sample_size\":10}}]", 1, NULL },
	{ "[{\"round_number\":1,\"method\":\"random\",\"parameters\":{}}]", 0,
	  "rounds[0].parameters.sample_size is required" },
	{ "[{\"method\":\"random\"}]", 0, "rounds[0].parameters must be an object" },
	{ NULL, 0, "rounds is required" },
	{ "{}", 0, "rounds is required" },
	{ "[]", 0, "1 to 10 rounds" },
	{ "[1]", 0, "rounds[0] must be an object" },
	{ "[{\"method\":\"cluster\",\"parameters\":{}}]", 0, "rounds[0].method must be" },
	{ "[{\"parameters\":{\"sample_size\":1}}]", 0, "rounds[0].method is required" },
	{ "[{\"method\":\"random\",\"parameters\":{\"sample_size\":0}}]", 0, "sample_size must be an integer from 1" },
	{ "[{\"method\":\"random\",\"parameters\":{\"sample_size\":1000001}}]", 0, "sample_size must be" },
	{ "[{\"method\":\"random\",\"parameters\":{\"sample_size\":\"5\"}}]", 0, "sample_size must be" },
	{ "[{\"method\":\"random\",\"parameters\":{\"sample_size\":5,\"seed\":-1}}]", 0, "seed must be" },
	{ "[{\"method\":\"random\",\"parameters\":{\"sample_size\":5,\"interval\":2}}]", 0,
	  "interval is not a parameter of a random round" },
	{ "[{\"method\":\"random\",\"parameters\":{\"sample_size\":5},\"x\":1}]", 0, "rounds[0].x is not a field" },
	{ "[{\"method\":\"stratified\",\"parameters\":{\"sample_size\":5}}]", 0, "column is required" },
	{ "[{\"method\":\"stratified\",\"parameters\":{\"column\":\"nope\",\"sample_size\":5}}]", 0, "column must name" },
	{ "[{\"method\":\"stratified\",\"parameters\":{\"column\":\"products\",\"sample_size\":5}}]", 0, "column must name" },
	{ "[{\"method\":\"stratified\",\"parameters\":{\"column\":\"url,title\",\"sample_size\":5}}]", 0, "column must name" },
	{ "[{\"method\":\"stratified\",\"parameters\":{\"column\":\"depth\"}}]", 0, "sample_size is required (or per_stratum)" },
	{ "[{\"method\":\"stratified\",\"parameters\":{\"column\":\"depth\",\"sample_size\":1,\"per_stratum\":1}}]", 0, "not both" },
	{ "[{\"method\":\"systematic\",\"parameters\":{}}]", 0, "sample_size is required (or interval)" },
	{ "[{\"method\":\"systematic\",\"parameters\":{\"sample_size\":3,\"interval\":2}}]", 0, "not both" },
	{ "[{\"method\":\"systematic\",\"parameters\":{\"interval\":5,\"start\":5}}]", 0, "start must be below" },
	{ "[{\"method\":\"systematic\",\"parameters\":{\"sample_size\":5,\"start\":0}}]", 0, "start must be below" },
	{ "[{\"round_number\":2,\"method\":\"random\",\"parameters\":{\"sample_size\":1}},"
	  "{\"round_number\":2,\"method\":\"random\",\"parameters\":{\"sample_size\":1}}]", 0, "given twice" },
	{ "[{\"round_number\":0,\"method\":\"random\",\"parameters\":{\"sample_size\":1}}]", 0, "round_number must be" },
};

static void
test_spec(void)
{
	struct sampling_round	 out[SAMPLING_ROUNDS_MAX];
	struct sq_error		 e;
	struct json_object	*o;
	size_t			 i, n;
	enum sq_err		 rc;

	for (i = 0; i < sizeof(specrows) / sizeof(specrows[0]); i++) {
		const struct specrow *t = &specrows[i];

		o = t->json ? json_tokener_parse(t->json) : NULL;
		TAP_CHECK(t->json == NULL || o != NULL, "spec row %zu: test JSON does not parse", i);
		memset(&e, 0, sizeof(e));
		rc = sampling_rounds_parse(o, out, &n, &e);
		if (t->n > 0)
			TAP_CHECK(rc == SQ_OK && n == t->n, "spec row %zu: refused: %s", i, e.message);
		else
			TAP_CHECK(rc == SQ_ERR_INVALID && strstr(e.message, t->msg) != NULL,
			    "spec row %zu: got \"%s\", want \"%s\"", i, e.message, t->msg);
		json_object_put(o);
	}
	o = json_tokener_parse("[{\"method\":\"stratified\",\"parameters\":{\"column\":"
	    "\"status_code\",\"sample_size\":9,\"seed\":7}}]");
	rc = sampling_rounds_parse(o, out, &n, &e);
	TAP_CHECK(rc == SQ_OK && out[0].number == 1 && out[0].method == SAMPLING_STRATIFIED &&
	    out[0].has_column && out[0].column == RESULT_STATUS_CODE && out[0].sample_size == 9 &&
	    out[0].per_stratum == -1 && out[0].has_seed && out[0].seed == 7,
	    "spec: a stratified round's fields");
	json_object_put(o);
}

int
main(void)
{
	test_spec();
	test_random();
	test_random_uniform();
	test_systematic();
	test_stratified();
	test_below();
	return tap_done("test_sampling");
}
