/* integrator_query.c: seed 002's spellings of the job statuses and its GET /v1/jobs query, read into the core's flow filter. */
#include <stdio.h>
#include <string.h>

#include "integrator_query.h"

/* Indexed by enum job_status. */
static const char *const status_names[] = {
	"queued", "running", "completed", "failed", "canceled"
};

const char *
integrator_status_name(enum job_status st)
{
	return (unsigned)st <= JOB_CANCELLED ? status_names[st] : "queued";
}

int
integrator_status_parse(const char *s, enum job_status *st)
{
	size_t i;

	for (i = 0; s != NULL && i <= JOB_CANCELLED; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*st = (enum job_status)i;
			return 0;
		}
	return -1;
}

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
		if (integrator_status_parse(v, &f->status) == -1)
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
integrator_query_parse(const struct query *q, struct flow_filter *f, struct sq_error *e)
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
