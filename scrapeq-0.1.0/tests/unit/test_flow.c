/* test_flow.c: table-driven tests of seed 002's ids, names, times and filter parsing. */
#include <stdio.h>
#include <string.h>

#include "scrapeq/flow.h"
#include "integrator_query.h"
#include "tap.h"

#define HEX "0190f3a1b2c34d5e8f00112233445566"
#define CAN "0190f3a1-b2c3-4d5e-8f00-112233445566"

struct idrow {
	const char	*in;
	int		 rc;
	enum flow_kind	 kind;
};

static const struct idrow idrows[] = {
	{ HEX, 0, FLOW_KIND_FLOW },
	{ HEX "-export", 0, FLOW_KIND_EXPORT },
	{ HEX "-import", 0, FLOW_KIND_IMPORT },
	{ "0190F3A1B2C34D5E8F00112233445566", 0, FLOW_KIND_FLOW },
	{ HEX "-Export", -1, 0 },
	{ HEX "-exports", -1, 0 },
	{ HEX "-", -1, 0 },
	{ HEX "x", -1, 0 },
	{ "0190f3a1b2c34d5e8f0011223344556", -1, 0 },       /* 31 digits */
	{ "0190f3a1b2c34d5e8f001122334455zz", -1, 0 },
	{ CAN, 0, FLOW_KIND_FLOW },                      /* every form of a job id, in every dialect */
	{ "job_" HEX, 0, FLOW_KIND_FLOW },
	{ "job_" HEX "-import", 0, FLOW_KIND_IMPORT },
	{ CAN "-export", 0, FLOW_KIND_EXPORT },
	{ "proj_" HEX, -1, 0 },
	{ "job_" CAN, -1, 0 },
	{ "-export", -1, 0 },
	{ "", -1, 0 },
};

static void
test_ids(void)
{
	size_t		 i;
	struct uuid	 u;
	enum flow_kind	 k;
	char		 out[FLOW_ID_MAX], ref[FLOW_REF_MAX];

	for (i = 0; i < sizeof(idrows) / sizeof(idrows[0]); i++) {
		int rc = flow_id_parse(idrows[i].in, &u, &k);

		TAP_CHECK(rc == idrows[i].rc, "flow_id_parse(%s) = %d", idrows[i].in, rc);
		if (rc == 0 && idrows[i].rc == 0) {
			TAP_CHECK(k == idrows[i].kind, "flow_id_parse(%s) kind %d", idrows[i].in, k);
			flow_id_format(&u, k, out);
			TAP_CHECK(strncasecmp(out, HEX, UUID_HEX_LEN) == 0 &&
			    strcmp(out + UUID_HEX_LEN, idrows[i].in + strlen(idrows[i].in) -
			    strlen(out + UUID_HEX_LEN)) == 0, "round trip %s -> %s", idrows[i].in, out);
		}
	}
	TAP_CHECK(flow_id_parse(NULL, &u, &k) == -1, "flow_id_parse(NULL)");
	(void)flow_id_parse(HEX, &u, &k);
	flow_ref_format(FLOW_PREFIX_FLOW, &u, ref);
	TAP_STREQ(ref, "flow_" HEX, "flow ref");
	flow_ref_format(FLOW_PREFIX_EXPORT, &u, ref);
	TAP_STREQ(ref, "exp_" HEX, "export ref");
}

static void
test_names(void)
{
	static const struct { const char *s; int rc; enum job_status st; } rows[] = {
		{ "queued", 0, JOB_PENDING }, { "running", 0, JOB_RUNNING },
		{ "completed", 0, JOB_COMPLETED }, { "failed", 0, JOB_FAILED },
		{ "canceled", 0, JOB_CANCELLED }, { "pending", -1, 0 }, { "cancelled", -1, 0 },
		{ "Queued", -1, 0 }, { "", -1, 0 },
	};
	enum job_status	 st;
	enum flow_kind	 k;
	size_t		 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = integrator_status_parse(rows[i].s, &st);

		TAP_CHECK(rc == rows[i].rc, "integrator_status_parse(%s) = %d", rows[i].s, rc);
		if (rc == 0) {
			TAP_CHECK(st == rows[i].st, "integrator_status_parse(%s) status", rows[i].s);
			TAP_STREQ(integrator_status_name(st), rows[i].s, "flow_status_name");
		}
	}
	TAP_CHECK(flow_kind_parse("flow", &k) == 0 && k == FLOW_KIND_FLOW, "kind flow");
	TAP_CHECK(flow_kind_parse("export", &k) == 0 && k == FLOW_KIND_EXPORT, "kind export");
	TAP_CHECK(flow_kind_parse("import", &k) == 0 && k == FLOW_KIND_IMPORT, "kind import");
	TAP_CHECK(flow_kind_parse("Flow", &k) == -1, "kind Flow refused");
	TAP_CHECK(flow_kind_parse(NULL, &k) == -1, "kind NULL refused");
	TAP_STREQ(flow_kind_name(FLOW_KIND_IMPORT), "import", "flow_kind_name");
}

struct trow {
	const char	*in;
	const char	*want;   /* NULL: refused */
};

static const struct trow parse_rows[] = {
	{ "2024-01-01T00:00:00.000Z", "2024-01-01 00:00:00.000000" },
	{ "2024-01-31T23:59:59.999Z", "2024-01-31 23:59:59.999000" },
	{ "2024-01-31T23:59:59.123456Z", "2024-01-31 23:59:59.123456" },
	{ "2024-01-31T23:59:59.1Z", "2024-01-31 23:59:59.100000" },
	{ "2024-01-31T23:59:59Z", "2024-01-31 23:59:59.000000" },
	{ "2024-01-31T23:59:59", "2024-01-31 23:59:59.000000" },
	{ "2024-01-31T23:59:59.5+00:00", "2024-01-31 23:59:59.500000" },
	{ "2024-01-31", "2024-01-31 00:00:00.000000" },
	{ "2024-02-29T12:00:00Z", "2024-02-29 12:00:00.000000" },
	{ "2023-02-29T12:00:00Z", NULL },
	{ "2024-13-01T00:00:00Z", NULL },
	{ "2024-00-01T00:00:00Z", NULL },
	{ "2024-04-31T00:00:00Z", NULL },
	{ "2024-01-01T24:00:00Z", NULL },
	{ "2024-01-01T23:60:00Z", NULL },
	{ "2024-01-01T23:59:60Z", NULL },
	{ "2024-01-01T00:00:00.1234567Z", NULL },   /* more than microseconds */
	{ "2024-01-01T00:00:00.Z", NULL },
	{ "2024-01-01T00:00:00+01:00", NULL },      /* only UTC */
	{ "2024-01-01T00:00:00 00:00", "2024-01-01 00:00:00.000000" },   /* '+' sent unencoded */
	{ "2024-01-01T00:00:00 01:00", NULL },
	{ "2024-01-01T00:00:00  00:00", NULL },
	{ "2024-01-01T00:00:00ZZ", NULL },
	{ "2024-01-01 00:00:00", NULL },
	{ "2024-1-01", NULL },
	{ "0999-01-01", NULL },
	{ "", NULL },
	{ "yesterday", NULL },
	{ "2024-01-01T00:00", NULL },
};

static const struct trow render_rows[] = {
	{ "2024-01-15 10:00:00.123456", "2024-01-15T10:00:00.123456Z" },
	{ "2024-01-15 10:00:00", "2024-01-15T10:00:00.000000Z" },
	{ "2024-01-15 10:00:00.5", "2024-01-15T10:00:00.500000Z" },
	{ "2024-01-15 10:00:00.1234567", NULL },
	{ "2024-01-15T10:00:00", NULL },
	{ "2024-01-15 10:00:00x", NULL },
	{ "2024-01-15", NULL },
	{ "", NULL },
};

static void
test_times(void)
{
	char	 out[FLOW_TIME_MAX], back[FLOW_TIME_MAX];
	size_t	 i;

	for (i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
		int rc = flow_time_parse(parse_rows[i].in, out);

		TAP_CHECK(rc == (parse_rows[i].want ? 0 : -1), "flow_time_parse(%s) = %d",
		    parse_rows[i].in, rc);
		if (rc == 0 && parse_rows[i].want)
			TAP_STREQ(out, parse_rows[i].want, parse_rows[i].in);
	}
	for (i = 0; i < sizeof(render_rows) / sizeof(render_rows[0]); i++) {
		int rc = flow_time_render(render_rows[i].in, out);

		TAP_CHECK(rc == (render_rows[i].want ? 0 : -1), "flow_time_render(%s) = %d",
		    render_rows[i].in, rc);
		if (rc == 0 && render_rows[i].want) {
			TAP_STREQ(out, render_rows[i].want, render_rows[i].in);
			/* What is rendered parses back to the same instant. */
			TAP_CHECK(flow_time_parse(out, back) == 0 &&
			    strncmp(back, render_rows[i].in, strlen(render_rows[i].in)) == 0,
			    "round trip %s", render_rows[i].in);
		}
	}
	TAP_CHECK(flow_time_parse(NULL, out) == -1, "flow_time_parse(NULL)");
	TAP_CHECK(flow_time_render(NULL, out) == -1, "flow_time_render(NULL)");
}

struct frow {
	const char	*qs;
	enum sq_err	 rc;
	const char	*msg_has;   /* a word the message must hold, or NULL */
};

static const struct frow frows[] = {
	{ "", SQ_OK, NULL },
	{ "integration_id=proj_" HEX, SQ_OK, NULL },
	{ "integration_id=" CAN, SQ_OK, NULL },
	{ "integration_id=flow_" HEX, SQ_ERR_BAD_REQUEST, "integration_id" },
	{ "flow_id=flow_" HEX, SQ_OK, NULL },
	{ "flow_id=proj_" HEX, SQ_ERR_BAD_REQUEST, "flow_id" },
	{ "export_id=exp_" HEX, SQ_OK, NULL },
	{ "export_id=abc123", SQ_ERR_BAD_REQUEST, "export_id" },
	{ "flow_job_id=" HEX, SQ_OK, NULL },
	{ "flow_job_id=" HEX "-export", SQ_ERR_BAD_REQUEST, "flow_job_id" },
	{ "status=queued", SQ_OK, NULL },
	{ "status=canceled", SQ_OK, NULL },
	{ "status=cancelled", SQ_ERR_BAD_REQUEST, "status" },
	{ "status=pending", SQ_ERR_BAD_REQUEST, "status" },
	{ "type=import", SQ_OK, NULL },
	{ "type=scrape", SQ_ERR_BAD_REQUEST, "type" },
	{ "createdAt_gte=2024-01-01T00:00:00.000Z&createdAt_lte=2024-01-31T23:59:59.999Z", SQ_OK,
	  NULL },
	{ "createdAt_gte=2024-01-32", SQ_ERR_BAD_REQUEST, "createdAt_gte" },
	{ "createdAt_lte=", SQ_ERR_BAD_REQUEST, "createdAt_lte" },
	{ "numSuccess_gte=100&numSuccess_lte=10&numError_gte=1&numError_lte=0&numIgnore_gte=1",
	  SQ_OK, NULL },
	{ "numSuccess_gte=-1", SQ_ERR_BAD_REQUEST, "numSuccess_gte" },
	{ "numError_lte=2147483648", SQ_ERR_BAD_REQUEST, "numError_lte" },
	{ "numIgnore_gte=1.5", SQ_ERR_BAD_REQUEST, "numIgnore_gte" },
	{ "numIgnore_gte=01", SQ_ERR_BAD_REQUEST, "numIgnore_gte" },
	{ "numIgnore_lte=1", SQ_ERR_BAD_REQUEST, "numIgnore_lte" },   /* not in the document */
	{ "flow_id_in=flow_" HEX ",flow_" HEX, SQ_OK, NULL },
	{ "flow_id_in=flow_" HEX ",", SQ_ERR_BAD_REQUEST, "flow_id_in" },
	{ "flow_id_in=,flow_" HEX, SQ_ERR_BAD_REQUEST, "flow_id_in" },
	{ "flow_id_in=", SQ_ERR_BAD_REQUEST, "flow_id_in" },
	{ "flow_id_in=flow1,flow2", SQ_ERR_BAD_REQUEST, "flow_id_in" },
	{ "status=running&status=failed", SQ_ERR_BAD_REQUEST, "status" },
	{ "limit=10", SQ_ERR_BAD_REQUEST, "limit" },
	{ "after_id=" HEX "-import&createdAt_lte=2024-01-01T00:00:00.000001Z", SQ_OK, NULL },
	{ "after_id=" HEX, SQ_ERR_BAD_REQUEST, "createdAt_lte" },
	{ "after_id=nope&createdAt_lte=2024-01-01", SQ_ERR_BAD_REQUEST, "after_id" },
};

static void
test_filters(void)
{
	struct flow_filter	 f;
	struct sq_error		 e;
	struct query		 q;
	char			 err[128];
	size_t			 i;

	for (i = 0; i < sizeof(frows) / sizeof(frows[0]); i++) {
		enum sq_err rc;

		e.code = SQ_OK;
		e.message[0] = '\0';
		if (query_parse(&q, frows[i].qs, strlen(frows[i].qs), err, sizeof(err)) == -1) {
			TAP_FAIL("query_parse(%s): %s", frows[i].qs, err);
			continue;
		}
		rc = integrator_query_parse(&q, &f, &e);
		TAP_CHECK(rc == frows[i].rc, "integrator_query_parse(%s) = %d", frows[i].qs, rc);
		if (frows[i].msg_has != NULL)
			TAP_CHECK(strstr(e.message, frows[i].msg_has) != NULL,
			    "message of %s names %s: %s", frows[i].qs, frows[i].msg_has, e.message);
		query_free(&q);
	}
}

/* The parsed values, for the rows whose meaning is not just "accepted". */
static void
test_filter_values(void)
{
	static const char qs[] = "status=canceled&type=export&numSuccess_gte=100&numError_lte=0"
	    "&createdAt_lte=2024-01-31T23:59:59.999Z&flow_id_in=flow_" HEX ",flow_" HEX
	    "&after_id=" HEX "-export";
	struct flow_filter	 f;
	struct sq_error		 e;
	struct query		 q;
	char			 err[128];

	if (query_parse(&q, qs, strlen(qs), err, sizeof(err)) == -1 ||
	    integrator_query_parse(&q, &f, &e) != SQ_OK) {
		TAP_FAIL("parse %s", qs);
		return;
	}
	TAP_CHECK(f.has_status && f.status == JOB_CANCELLED, "status canceled -> cancelled");
	TAP_CHECK(f.has_kind && f.kind == FLOW_KIND_EXPORT, "type export");
	TAP_CHECK(f.success_gte == 100 && f.success_lte == -1 && f.error_lte == 0 &&
	    f.error_gte == -1 && f.ignore_gte == -1, "counts");
	TAP_STREQ(f.created_lte, "2024-01-31 23:59:59.999000", "createdAt_lte");
	TAP_STREQ(f.created_gte, "", "createdAt_gte absent");
	TAP_STREQ(f.flow_in, "[\"" CAN "\",\"" CAN "\"]", "flow_id_in as JSON");
	TAP_CHECK(f.has_after && f.after_kind == FLOW_KIND_EXPORT, "after_id");
	query_free(&q);
}

/* flow_id_in takes at most SQ_FLOW_IDS_IN_MAX ids, and fits its buffer at that many. */
static void
test_flow_in_cap(void)
{
	char			 qs[SQ_QUERY_MAX + 1], err[128];
	size_t			 i, len;
	struct flow_filter	 f;
	struct sq_error		 e;
	struct query		 q;
	int			 n;

	for (n = SQ_FLOW_IDS_IN_MAX; n <= SQ_FLOW_IDS_IN_MAX + 1; n++) {
		len = (size_t)snprintf(qs, sizeof(qs), "flow_id_in=");
		for (i = 0; i < (size_t)n; i++)
			len += (size_t)snprintf(qs + len, sizeof(qs) - len, "%s" CAN, i ? "," : "");
		/* Canonical UUIDs keep the value under SQ_QUERY_MAX but over the value cap: */
		if (query_parse(&q, qs, len, err, sizeof(err)) == -1) {
			TAP_CHECK(len - 11 > SQ_QUERY_VALUE_MAX, "%d ids refused by the query cap", n);
			continue;
		}
		TAP_CHECK(integrator_query_parse(&q, &f, &e) == (n <= SQ_FLOW_IDS_IN_MAX ? SQ_OK :
		    SQ_ERR_BAD_REQUEST), "%d ids", n);
		query_free(&q);
	}
}

int
main(void)
{
	test_ids();
	test_names();
	test_times();
	test_filters();
	test_filter_values();
	test_flow_in_cap();
	return tap_done("test_flow");
}
