/* flow.c: seed 002's view of the job model: ids, filters, and the flow/export/import job objects. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/flow.h"
#include "scrapeq/job.h"
#include "scrapeq/text.h"

/* ---- ids, names, times: pure ---- */

static const char *const kind_names[] = { "flow", "export", "import" };
static const char *const kind_suffix[] = { "", "-export", "-import" };

static void
hex32(const struct uuid *u, char out[UUID_HEX_LEN + 1])
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 16; i++) {
		out[2 * i] = hx[u->b[i] >> 4];
		out[2 * i + 1] = hx[u->b[i] & 15];
	}
	out[UUID_HEX_LEN] = '\0';
}

void
flow_id_format(const struct uuid *job, enum flow_kind k, char out[FLOW_ID_MAX])
{
	hex32(job, out);
	if ((unsigned)k <= FLOW_KIND_IMPORT)
		memcpy(out + UUID_HEX_LEN, kind_suffix[k], strlen(kind_suffix[k]) + 1);
}

int
flow_id_parse(const char *s, struct uuid *job, enum flow_kind *k)
{
	enum id_child c;

	if (id_parse_job(s, job, &c) == -1)
		return -1;
	*k = c == ID_CHILD_EXPORT ? FLOW_KIND_EXPORT : c == ID_CHILD_IMPORT ? FLOW_KIND_IMPORT :
	    FLOW_KIND_FLOW;
	return 0;
}

void
flow_ref_format(const char *prefix, const struct uuid *project, char out[FLOW_REF_MAX])
{
	char h[UUID_HEX_LEN + 1];

	hex32(project, h);
	snprintf(out, FLOW_REF_MAX, "%s%s", prefix, h);
}

const char *
flow_kind_name(enum flow_kind k)
{
	return (unsigned)k <= FLOW_KIND_IMPORT ? kind_names[k] : "flow";
}

int
flow_kind_parse(const char *s, enum flow_kind *k)
{
	size_t i;

	for (i = 0; s != NULL && i <= FLOW_KIND_IMPORT; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum flow_kind)i;
			return 0;
		}
	return -1;
}

/* Indexed by enum job_status. */
static const char *const status_names[] = {
	"queued", "running", "completed", "failed", "canceled"
};

const char *
flow_status_name(enum job_status st)
{
	return (unsigned)st <= JOB_CANCELLED ? status_names[st] : "queued";
}

int
flow_status_parse(const char *s, enum job_status *st)
{
	size_t i;

	for (i = 0; s != NULL && i <= JOB_CANCELLED; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*st = (enum job_status)i;
			return 0;
		}
	return -1;
}

/* Reads exactly n digits at *p into *v, advancing *p. */
static int
digits(const char **p, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

int
flow_time_parse(const char *s, char out[FLOW_TIME_MAX])
{
	const char	*p = s;
	int		 y, mo, d, h = 0, mi = 0, se = 0, n;
	char		 frac[7] = "000000", wide[64];

	if (s == NULL || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (*p == 'T') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
		    digits(&p, 2, &se))
			return -1;
		if (*p == '.') {
			for (p++, n = 0; isdigit((unsigned char)*p); p++, n++)
				if (n < 6)
					frac[n] = *p;
				else
					return -1;
			if (n == 0)
				return -1;
		}
		if (*p == 'Z')
			p++;
		else if (strcmp(p, "+00:00") == 0 || strcmp(p, " 00:00") == 0)
			p += 6;     /* an unencoded '+' in a query string arrives as a space */
	}
	if (*p != '\0' || y < 1000 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || se > 59)
		return -1;
	/* The ranges are checked above; the wide buffer only quiets -Wformat-truncation. */
	snprintf(wide, sizeof(wide), "%04d-%02d-%02d %02d:%02d:%02d.%s", y, mo, d, h, mi, se, frac);
	text_copy(out, FLOW_TIME_MAX, wide);
	return 0;
}

int
flow_time_render(const char *db, char out[FLOW_TIME_MAX])
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	char		 frac[7] = "000000";
	size_t		 i, len;

	if (db == NULL || (len = strlen(db)) < 19)
		return -1;
	for (i = 0; i < 19; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)db[i]) : db[i] != shape[i])
			return -1;
	if (len > 19) {
		if (db[19] != '.' || len > 26)
			return -1;
		for (i = 20; i < len; i++) {
			if (!isdigit((unsigned char)db[i]))
				return -1;
			frac[i - 20] = db[i];
		}
	}
	snprintf(out, FLOW_TIME_MAX, "%.10sT%.8s.%sZ", db, db + 11, frac);
	return 0;
}

/* ---- filters ---- */

/* Parses a project reference in any of its forms (id_parse). */
static int
ref_parse(const char *prefix, const char *s, struct uuid *u)
{
	return id_parse(prefix, s, u);
}

static enum sq_err
bad(struct sq_error *e, const char *param, const char *what)
{
	return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid query parameter '%s': %s", param, what);
}

/* flow_id_in: "flow_a,flow_b" into a JSON array of canonical UUIDs. */
static enum sq_err
flow_in_parse(const char *v, struct flow_filter *f, struct sq_error *e)
{
	char		 one[FLOW_REF_MAX + 1], us[UUID_STR_LEN + 1];
	size_t		 n = 0, len, pos = 0;
	struct uuid	 u;

	f->flow_in[pos++] = '[';
	while (*v != '\0') {
		len = strcspn(v, ",");
		if (len == 0 || len >= sizeof(one))
			return bad(e, "flow_id_in", "a comma-separated list of flow ids");
		memcpy(one, v, len);
		one[len] = '\0';
		if (ref_parse(FLOW_PREFIX_FLOW, one, &u) == -1)
			return bad(e, "flow_id_in", "not a flow id");
		if (++n > SQ_FLOW_IDS_IN_MAX)
			return bad(e, "flow_id_in", "too many ids");
		uuid_format(&u, us);
		pos += (size_t)snprintf(f->flow_in + pos, sizeof(f->flow_in) - pos, "%s\"%s\"",
		    n > 1 ? "," : "", us);
		v += len;
		if (*v == ',' && *++v == '\0')
			return bad(e, "flow_id_in", "a comma-separated list of flow ids");
	}
	if (n == 0)
		return bad(e, "flow_id_in", "a comma-separated list of flow ids");
	f->flow_in[pos++] = ']';
	f->flow_in[pos] = '\0';
	f->has_flow_in = 1;
	return SQ_OK;
}

enum fparam {
	FP_INTEGRATION, FP_FLOW, FP_EXPORT, FP_FLOW_JOB, FP_STATUS, FP_TYPE, FP_CGTE, FP_CLTE,
	FP_SGTE, FP_SLTE, FP_EGTE, FP_ELTE, FP_IGTE, FP_FLOW_IN, FP_AFTER, FP__COUNT
};

static const char *const fparam_names[FP__COUNT] = {
	"integration_id", "flow_id", "export_id", "flow_job_id", "status", "type",
	"createdAt_gte", "createdAt_lte", "numSuccess_gte", "numSuccess_lte", "numError_gte",
	"numError_lte", "numIgnore_gte", "flow_id_in", "after_id",
};

static long long *
count_slot(struct flow_filter *f, enum fparam p)
{
	switch (p) {
	case FP_SGTE: return &f->success_gte;
	case FP_SLTE: return &f->success_lte;
	case FP_EGTE: return &f->error_gte;
	case FP_ELTE: return &f->error_lte;
	case FP_IGTE: return &f->ignore_gte;
	default: return NULL;
	}
}

/* Applies one recognised parameter. */
static enum sq_err
fparam_apply(struct flow_filter *f, enum fparam p, const char *v, struct sq_error *e)
{
	const char	*name = fparam_names[p];
	long long	*slot;
	int		 rc = 0;

	switch (p) {
	case FP_INTEGRATION:
		rc = ref_parse(ID_PREFIX_PROJECT, v, &f->integration);
		f->has_integration = 1;
		break;
	case FP_FLOW:
		rc = ref_parse(FLOW_PREFIX_FLOW, v, &f->flow);
		f->has_flow = 1;
		break;
	case FP_EXPORT:
		rc = ref_parse(FLOW_PREFIX_EXPORT, v, &f->export);
		f->has_export = 1;
		break;
	case FP_FLOW_JOB: {
		enum flow_kind k;

		rc = flow_id_parse(v, &f->flow_job, &k) == -1 || k != FLOW_KIND_FLOW ? -1 : 0;
		f->has_flow_job = 1;
		break;
	}
	case FP_STATUS:
		if (flow_status_parse(v, &f->status) == -1)
			return bad(e, name, "one of queued, running, completed, failed, canceled");
		f->has_status = 1;
		break;
	case FP_TYPE:
		if (flow_kind_parse(v, &f->kind) == -1)
			return bad(e, name, "one of flow, export, import");
		f->has_kind = 1;
		break;
	case FP_CGTE:
	case FP_CLTE:
		if (flow_time_parse(v, p == FP_CGTE ? f->created_gte : f->created_lte) == -1)
			return bad(e, name, "an ISO 8601 UTC time like 2024-01-31T23:59:59.999Z");
		break;
	case FP_FLOW_IN:
		return flow_in_parse(v, f, e);
	case FP_AFTER:
		rc = flow_id_parse(v, &f->after_job, &f->after_kind);
		f->has_after = 1;
		break;
	default:
		if ((slot = count_slot(f, p)) == NULL ||
		    parse_int_range(v, 0, 2147483647LL, slot) == -1)
			return bad(e, name, "an integer from 0 to 2147483647");
		break;
	}
	return rc == -1 ? bad(e, name, "not a valid id") : SQ_OK;
}

enum sq_err
flow_filter_parse(const struct query *q, struct flow_filter *f, struct sq_error *e)
{
	size_t		 i, k;
	enum sq_err	 rc;

	memset(f, 0, sizeof(*f));
	f->success_gte = f->success_lte = f->error_gte = f->error_lte = f->ignore_gte = -1;
	for (i = 0; i < q->n; i++) {
		for (k = 0; k < FP__COUNT; k++)
			if (strcmp(q->p[i].key, fparam_names[k]) == 0)
				break;
		if (k == FP__COUNT)
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Unknown query parameter '%.64s'",
			    q->p[i].key);
		if (query_count(q, fparam_names[k]) > 1)
			return bad(e, fparam_names[k], "given more than once");
		if ((rc = fparam_apply(f, (enum fparam)k, q->p[i].val, e)) != SQ_OK)
			return rc;
	}
	if (f->has_after && f->created_lte[0] == '\0')
		return bad(e, "after_id", "needs createdAt_lte (the createdAt of that job)");
	return SQ_OK;
}
