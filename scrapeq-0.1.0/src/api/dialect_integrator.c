/* dialect_integrator.c: seed 002's /v1/jobs: flow, export and import job objects over the one job model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/flow_view.h"
#include "scrapeq/jsonw.h"
#include "dialect.h"
#include "integrator_query.h"

/* Seed 002's codes and statuses, one row per core error. */
static const struct {
	const char	*code;
	int		 status;
} int_codes[SQ_ERR__COUNT] = {
	[SQ_ERR_NOMEM] = { "internal_error", 500 },
	[SQ_ERR_DB] = { "internal_error", 500 },
	[SQ_ERR_DB_DOWN] = { "service_unavailable", 503 },
	[SQ_ERR_INTERNAL] = { "internal_error", 500 },
	[SQ_ERR_BAD_REQUEST] = { "invalid_parameter", 400 },
	[SQ_ERR_INVALID] = { "invalid_operation", 400 },
	[SQ_ERR_UNAUTHORIZED] = { "unauthorized", 401 },
	[SQ_ERR_FORBIDDEN] = { "forbidden", 403 },
	[SQ_ERR_NOT_FOUND] = { "not_found", 404 },
	[SQ_ERR_METHOD] = { "method_not_allowed", 405 },
	[SQ_ERR_CONFLICT] = { "conflict", 409 },
	[SQ_ERR_TOO_LARGE] = { "payload_too_large", 413 },
	[SQ_ERR_UNSUPPORTED_MEDIA] = { "unsupported_media_type", 415 },
	[SQ_ERR_CANNOT_CANCEL] = { "conflict", 409 },
};

static void
int_error(struct req *r, const struct sq_error *e)
{
	const char	*code = "internal_error";
	int		 status = 500;
	struct buf	 b;
	struct jsonw	 w;

	if ((unsigned)e->code < SQ_ERR__COUNT && int_codes[e->code].code != NULL) {
		code = int_codes[e->code].code;
		status = int_codes[e->code].status;
	}
	if (e->code == SQ_ERR_UNAUTHORIZED)
		r->extra_header = "WWW-Authenticate: Bearer";
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_array(&w, "errors");
	jsonw_object(&w, NULL);
	jsonw_str(&w, "code", code);
	jsonw_str(&w, "message", e->message[0] ? e->message : sq_strerror(e->code));
	jsonw_end(&w);
	jsonw_end(&w);
	jsonw_end(&w);
	req_reply_doc(r, status, &w);
	buf_free(&b);
}

const struct dialect dialect_integrator = { "integrator", int_error };

/* ---- rendering ---- */

static void
write_time(struct jsonw *w, const char *key, const char *db)
{
	char t[FLOW_TIME_MAX];

	if (db[0] != '\0' && flow_time_render(db, t) == 0)
		jsonw_str(w, key, t);
	else
		jsonw_null(w, key);
}

/* The job object of the document's "Job Object", field for field. */
static void
write_flow_job(struct jsonw *w, const struct flow_job *j, const char *canceled_by)
{
	char id[FLOW_ID_MAX], ref[FLOW_REF_MAX], pid[ID_STR_MAX];

	jsonw_object(w, NULL);
	flow_id_format(&j->job_id, j->kind, id);
	jsonw_str(w, "_id", id);
	jsonw_str(w, "type", flow_kind_name(j->kind));
	jsonw_str(w, "status", integrator_status_name(j->status));
	id_format(ID_PREFIX_PROJECT, &j->project_id, pid, sizeof(pid));
	jsonw_str(w, "_integrationId", pid);
	flow_ref_format(FLOW_PREFIX_FLOW, &j->project_id, ref);
	jsonw_str(w, "_flowId", ref);
	flow_ref_format(FLOW_PREFIX_EXPORT, &j->project_id, ref);
	jsonw_str(w, "_exportId", ref);
	if (j->kind != FLOW_KIND_FLOW) {
		flow_id_format(&j->job_id, FLOW_KIND_FLOW, id);
		jsonw_str(w, "_flowJobId", id);
	}
	jsonw_int(w, "numSuccess", j->num_success);
	jsonw_int(w, "numError", j->num_error);
	jsonw_int(w, "numIgnore", j->num_ignore);
	jsonw_int(w, "numExport", j->num_export);
	jsonw_int(w, "numPagesGenerated", j->pages_generated);
	jsonw_int(w, "numPagesProcessed", j->pages_processed);
	jsonw_bool(w, "doneExporting", j->done_exporting);
	flow_id_format(&j->job_id, FLOW_KIND_FLOW, id);
	jsonw_str(w, "flowExecutionGroupId", id);
	if (canceled_by != NULL)
		jsonw_str(w, "canceledBy", canceled_by);
	write_time(w, "createdAt", j->created_at);
	write_time(w, "startedAt", j->started_at);
	write_time(w, "endedAt", j->ended_at);
	write_time(w, "lastModified", j->last_modified);
	write_time(w, "purgeAt", j->purge_at);
	jsonw_end(w);
}

static void
reply_one(struct req *r, const struct flow_job *j, const char *canceled_by)
{
	struct buf	 b;
	struct jsonw	 w;

	buf_init(&b, 0);
	jsonw_init(&w, &b);
	write_flow_job(&w, j, canceled_by);
	req_reply_doc(r, 200, &w);
	buf_free(&b);
}

/* ---- handlers ---- */

/* GET /v1/jobs: a bare array, newest first, at most SQ_FLOW_PAGE_MAX. */
static enum sq_err
h_list(struct req *r, struct sq_error *e)
{
	struct flow_filter	 f;
	struct flow_job		*v = NULL;
	struct buf		 b;
	struct jsonw		 w;
	size_t			 n = 0, i;
	enum sq_err		 rc;

	if ((rc = req_query(r, e)) != SQ_OK ||
	    (rc = integrator_query_parse(&r->query, &f, e)) != SQ_OK ||
	    (rc = flow_list(r->w->db, r->w->cfg, &r->who, &f, &v, &n, e)) != SQ_OK)
		return rc;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_array(&w, NULL);
	for (i = 0; i < n; i++)
		write_flow_job(&w, &v[i], NULL);
	jsonw_end(&w);
	req_reply_doc(r, 200, &w);
	buf_free(&b);
	free(v);
	return SQ_OK;
}

/* An unparsable id is a job that does not exist. */
static enum sq_err
path_id(struct req *r, struct uuid *job, enum flow_kind *k, struct sq_error *e)
{
	if (flow_id_parse(r->params[0], job, k) == -1)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found");
	return SQ_OK;
}

/* GET /v1/jobs/{id}: a flow, export or import job. */
static enum sq_err
h_get(struct req *r, struct sq_error *e)
{
	struct flow_job	 j;
	struct uuid	 id;
	enum flow_kind	 k;
	enum sq_err	 rc;

	if ((rc = path_id(r, &id, &k, e)) != SQ_OK ||
	    (rc = flow_get(r->w->db, r->w->cfg, &r->who, &id, k, &j, e)) != SQ_OK)
		return rc;
	reply_one(r, &j, NULL);
	return SQ_OK;
}

/* DELETE /v1/jobs/{id}: cancels a flow job; answers with canceledBy and endedAt. */
static enum sq_err
h_delete(struct req *r, struct sq_error *e)
{
	struct flow_job	 j;
	struct uuid	 id;
	enum flow_kind	 k;
	char		 by[SQ_USERNAME_MAX + 1];
	enum sq_err	 rc;

	if ((rc = path_id(r, &id, &k, e)) != SQ_OK)
		return rc;
	rc = flow_cancel(r->w->db, r->w->cfg, &r->who, &id, k, &j, by, e);
	if (rc == SQ_ERR_CANNOT_CANCEL && !job_can_cancel(j.status))
		return sq_fail(e, rc, "Cannot cancel %s job", integrator_status_name(j.status));
	if (rc != SQ_OK)
		return rc;
	reply_one(r, &j, by);
	return SQ_OK;
}

const struct route dialect_integrator_routes[] = {
	{ "GET", "/v1/jobs", h_list, 1 },
	{ "GET", "/v1/jobs/{}", h_get, 1 },
	{ "DELETE", "/v1/jobs/{}", h_delete, 1 },
	{ NULL, NULL, NULL, 0 },
};
