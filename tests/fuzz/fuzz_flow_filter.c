/* fuzz_flow_filter.c: libFuzzer target for seed 002's list filters and the id, time, status and kind parsers under them. */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "scrapeq/flow.h"
#include "scrapeq/job_transition.h"
#include "scrapeq/query.h"
#include "scrapeq/uuid.h"
#include "integrator_query.h"
#include "model.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The documented grammars, written again as regular expressions: a second opinion. */
#define TIME_RE "^([0-9]{4})-([0-9]{2})-([0-9]{2})" \
	"(T([0-9]{2}):([0-9]{2}):([0-9]{2})(\\.([0-9]{1,6}))?(Z|[+ ]00:00)?)?$"
/* A job id in every form a dialect shows (id_parse_job), then seed 002's child suffix. */
#define HEX(n)  "[0-9a-fA-F]{" #n "}"
#define ID_RE   "^(job_" HEX(32) "|" HEX(32) "|" HEX(8) "-" HEX(4) "-" HEX(4) "-" HEX(4) "-" \
	HEX(12) ")(-export|-import)?$"

static const regex_t *
re(int which)
{
	static regex_t	 r[2];
	static int	 done[2];

	return model_regex(&r[which], &done[which], which ? ID_RE : TIME_RE);
}

/* What flow_time_parse must give for s, from the regex and the calendar; 0 or -1. */
static int
ref_time(const char *s, char out[FLOW_TIME_MAX])
{
	regmatch_t	 m[11];
	char		 frac[7] = "000000";
	int		 y, mo, d, h = 0, mi = 0, se = 0;

	if (regexec(re(0), s, 11, m, 0) != 0)
		return -1;
	y = model_digits(s, &m[1]);
	mo = model_digits(s, &m[2]);
	d = model_digits(s, &m[3]);
	if (m[4].rm_so != -1) {
		h = model_digits(s, &m[5]);
		mi = model_digits(s, &m[6]);
		se = model_digits(s, &m[7]);
	}
	if (m[9].rm_so != -1)
		memcpy(frac, s + m[9].rm_so, (size_t)(m[9].rm_eo - m[9].rm_so));
	if (y < 1000 || mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 59)
		return -1;
	if (d < 1 || d > model_month_days(y, mo))
		return -1;
	snprintf(out, FLOW_TIME_MAX, "%04d-%02d-%02d %02d:%02d:%02d.%s", y, mo, d, h, mi, se,
	    frac);
	return 0;
}

/* Parse agrees with the reference; the result renders and re-parses to itself. */
static void
check_time(const char *s)
{
	char	 a[FLOW_TIME_MAX], b[FLOW_TIME_MAX], iso[FLOW_TIME_MAX];
	int	 ra, rb;

	ra = flow_time_parse(s, a);
	rb = ref_time(s, b);
	if (ra != rb || (ra == 0 && strcmp(a, b) != 0))
		abort();
	if (ra == 0 && (strlen(a) != 26 || flow_time_render(a, iso) != 0 ||
	    strlen(iso) != 27 || iso[26] != 'Z' || flow_time_parse(iso, b) != 0 ||
	    strcmp(a, b) != 0))
		abort();
	/* A database time renders to the documented shape or is refused. */
	if (flow_time_render(s, iso) == 0 && (strlen(iso) != 27 || iso[10] != 'T' ||
	    iso[19] != '.' || iso[26] != 'Z' || memcmp(iso, s, 10) != 0))
		abort();
}

/*
 * An _id is a job id in any form and an optional suffix; it formats back as 32 hex
 * digits with the same suffix, which parses to the same job and kind.
 */
static void
check_id(const char *s)
{
	struct uuid	 u, v;
	enum flow_kind	 k = FLOW_KIND_FLOW, k2 = FLOW_KIND_FLOW;
	char		 back[FLOW_ID_MAX];
	size_t		 suffix;
	int		 rc;

	rc = flow_id_parse(s, &u, &k);
	if ((rc == 0) != (regexec(re(1), s, 0, NULL, 0) == 0))
		abort();
	if (rc == 0) {
		if ((unsigned)k > FLOW_KIND_IMPORT)
			abort();
		flow_id_format(&u, k, back);
		suffix = strlen(back + UUID_HEX_LEN);
		if (flow_id_parse(back, &v, &k2) != 0 || memcmp(&u, &v, sizeof(u)) != 0 ||
		    k2 != k || strlen(s) < suffix ||
		    strcmp(back + UUID_HEX_LEN, s + strlen(s) - suffix) != 0)
			abort();
	}
}

/* The status and kind names are exact: what parses is what the name function gives. */
static void
check_names(const char *s)
{
	enum job_status	 st;
	enum flow_kind	 k;

	if (integrator_status_parse(s, &st) == 0 &&
	    ((unsigned)st > JOB_CANCELLED || strcmp(integrator_status_name(st), s) != 0))
		abort();
	if (flow_kind_parse(s, &k) == 0 &&
	    ((unsigned)k > FLOW_KIND_IMPORT || strcmp(flow_kind_name(k), s) != 0))
		abort();
}

static void
check_scalar(const char *s)
{
	check_time(s);
	check_id(s);
	check_names(s);
}

static const char *const names[] = {
	"integration_id", "flow_id", "export_id", "flow_job_id", "status", "type",
	"createdAt_gte", "createdAt_lte", "numSuccess_gte", "numSuccess_lte", "numError_gte",
	"numError_lte", "numIgnore_gte", "flow_id_in", "after_id",
};

/* Every key known and given once: what a successful parse needs. */
static int
keys_ok(const struct query *q)
{
	size_t i, k;

	for (i = 0; i < q->n; i++) {
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strcmp(q->p[i].key, names[k]) == 0)
				break;
		if (k == sizeof(names) / sizeof(names[0]) || query_count(q, q->p[i].key) != 1)
			return 0;
	}
	return 1;
}

/* A count is exactly its value, or -1 when absent. */
static void
check_count(const struct query *q, const char *key, long long got)
{
	const char	*v = query_get(q, key);
	long long	 want = -1;

	if (v != NULL && parse_int_range(v, 0, 2147483647LL, &want) != 0)
		abort();
	if (got != want)
		abort();
}

/* A time filter is what flow_time_parse gives for its value, or "" when absent. */
static void
check_time_filter(const struct query *q, const char *key, const char *got)
{
	const char	*v = query_get(q, key);
	char		 want[FLOW_TIME_MAX] = "";

	if (v != NULL && flow_time_parse(v, want) != 0)
		abort();
	if (strcmp(got, want) != 0)
		abort();
}

/* flow_id_in: a JSON array with one canonical UUID per listed id, in order, 1..25. */
static void
check_flow_in(const struct query *q, const struct flow_filter *f)
{
	const char		*v = query_get(q, "flow_id_in"), *item;
	struct json_object	*a;
	struct uuid		 u, w;
	char			 one[FLOW_REF_MAX + 1];
	size_t			 i, n, len;

	if ((v != NULL) != (f->has_flow_in != 0))
		abort();
	if (v == NULL)
		return;
	if (memchr(f->flow_in, '\0', sizeof(f->flow_in)) == NULL ||
	    (a = json_tokener_parse(f->flow_in)) == NULL)
		abort();
	n = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
	if (n < 1 || n > SQ_FLOW_IDS_IN_MAX)
		abort();
	for (i = 0; i < n; i++) {
		item = json_object_get_string(json_object_array_get_idx(a, i));
		len = strcspn(v, ",");
		if (len >= sizeof(one) || strlen(item) != UUID_STR_LEN ||
		    uuid_parse(item, UUID_STR_LEN, &u) != 0)
			abort();
		memcpy(one, v, len);
		one[len] = '\0';
		if (id_parse(FLOW_PREFIX_FLOW, one, &w) != 0 || memcmp(&u, &w, sizeof(u)) != 0)
			abort();
		v += len;
		/* One listed id per element: a comma before each but the last, then the end. */
		if ((*v == '\0') != (i + 1 == n))
			abort();
		v += *v == ',';
	}
	json_object_put(a);
}

/* A reference parameter was given iff its flag is set, and holds what id_parse gives. */
static void
check_ref(const struct query *q, const char *key, const char *prefix, int has,
    const struct uuid *got)
{
	const char	*v = query_get(q, key);
	struct uuid	 u;

	if ((v != NULL) != (has != 0))
		abort();
	if (v != NULL && (id_parse(prefix, v, &u) != 0 || memcmp(&u, got, sizeof(u)) != 0))
		abort();
}

/* flow_job_id (a flow job's _id only) and after_id (any _id, with createdAt_lte). */
static void
check_job_ids(const struct query *q, const struct flow_filter *f)
{
	const char	*fj = query_get(q, "flow_job_id"), *after = query_get(q, "after_id");
	struct uuid	 u;
	enum flow_kind	 k;

	if ((fj != NULL) != (f->has_flow_job != 0) || (fj != NULL &&
	    (flow_id_parse(fj, &u, &k) != 0 || k != FLOW_KIND_FLOW ||
	    memcmp(&u, &f->flow_job, sizeof(u)) != 0)))
		abort();
	if ((after != NULL) != (f->has_after != 0) || (after != NULL &&
	    (f->created_lte[0] == '\0' || flow_id_parse(after, &u, &k) != 0 ||
	    k != f->after_kind || memcmp(&u, &f->after_job, sizeof(u)) != 0)))
		abort();
}

/* Every filter given is in f exactly as its own parser reads it; none other is set. */
static void
check_accepted(const struct query *q, const struct flow_filter *f)
{
	const char *st = query_get(q, "status"), *type = query_get(q, "type");

	if (!keys_ok(q))
		abort();
	check_ref(q, "integration_id", ID_PREFIX_PROJECT, f->has_integration, &f->integration);
	check_ref(q, "flow_id", FLOW_PREFIX_FLOW, f->has_flow, &f->flow);
	check_ref(q, "export_id", FLOW_PREFIX_EXPORT, f->has_export, &f->export);
	check_job_ids(q, f);
	if ((st != NULL) != (f->has_status != 0) ||
	    (st != NULL && strcmp(integrator_status_name(f->status), st) != 0) ||
	    (type != NULL) != (f->has_kind != 0) ||
	    (type != NULL && strcmp(flow_kind_name(f->kind), type) != 0))
		abort();
	check_time_filter(q, "createdAt_gte", f->created_gte);
	check_time_filter(q, "createdAt_lte", f->created_lte);
	check_count(q, "numSuccess_gte", f->success_gte);
	check_count(q, "numSuccess_lte", f->success_lte);
	check_count(q, "numError_gte", f->error_gte);
	check_count(q, "numError_lte", f->error_lte);
	check_count(q, "numIgnore_gte", f->ignore_gte);
	check_flow_in(q, f);
}

/* A refusal is a 400 with a NUL-terminated message that names the parameter. */
static void
check_refused(const struct query *q, enum sq_err rc, const struct sq_error *e)
{
	static const char inv[] = "Invalid query parameter '", unk[] = "Unknown query parameter '";

	if (rc != SQ_ERR_BAD_REQUEST || e->code != rc ||
	    memchr(e->message, '\0', sizeof(e->message)) == NULL ||
	    (strncmp(e->message, inv, sizeof(inv) - 1) != 0 &&
	    strncmp(e->message, unk, sizeof(unk) - 1) != 0))
		abort();
	if (strncmp(e->message, unk, sizeof(unk) - 1) == 0 && keys_ok(q))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query		 q;
	struct flow_filter	 f;
	struct sq_error		 e;
	char			 err[128], *s;
	enum sq_err		 rc;
	size_t			 i;

	/* The scalar parsers see the raw bytes too, '&' and '%' included. */
	if (size <= SQ_QUERY_VALUE_MAX && (s = malloc(size + 1)) != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		check_scalar(s);
		free(s);
	}
	if (query_parse(&q, (const char *)data, size, err, sizeof(err)) != 0)
		return 0;
	for (i = 0; i < q.n; i++)
		check_scalar(q.p[i].val);
	memset(&e, 0, sizeof(e));
	if ((rc = integrator_query_parse(&q, &f, &e)) == SQ_OK)
		check_accepted(&q, &f);
	else
		check_refused(&q, rc, &e);
	query_free(&q);
	return 0;
}
