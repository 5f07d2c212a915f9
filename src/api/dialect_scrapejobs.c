/* dialect_scrapejobs.c: seed 001, /api/scrape-jobs: a route table and a serializer over the core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/crawl_config.h"
#include "scrapeq/job_audit.h"
#include "scrapeq/job_domain.h"
#include "scrapeq/job_spec.h"
#include "scrapeq/job_stats.h"
#include "scrapeq/job_update.h"
#include "scrapeq/jsonbody.h"
#include "scrapeq/jsonw.h"
#include "scrapeq/pagination.h"
#include "scrapeq/queue.h"
#include "scrapeq/timefmt.h"
#include "dialect.h"

/* What the request was doing, for "Failed to <verb> scrape job". */
static const char *
op_verb(const struct req *r)
{
	size_t n = strlen(r->path);

	if (strcmp(r->method, "PUT") == 0)
		return "update";
	if (strcmp(r->method, "DELETE") == 0)
		return "cancel";
	if (n >= 6 && strcmp(r->path + n - 6, "/retry") == 0)
		return "retry";
	if (n >= 5 && strcmp(r->path + n - 5, "/next") == 0)
		return "claim";
	if (strcmp(r->method, "POST") == 0)
		return "create";
	return "fetch";
}

/*
 * The seed's envelope. Seed 001 says 400 for invalid data (the core's 422) and 409
 * for a job that cannot be cancelled; a database failure is a 500 (503 while it is
 * unreachable) whose details are a stable phrase, never driver text.
 */
static void
sj_error(struct req *r, const struct sq_error *e)
{
	struct buf	 b;
	struct jsonw	 w;
	char		 what[64];
	const char	*msg = e->message[0] ? e->message : sq_strerror(e->code);
	int		 status = sq_http_status(e->code);

	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_bool(&w, "success", 0);
	switch (e->code) {
	case SQ_ERR_INVALID:
		status = 400;
		jsonw_str(&w, "error", msg);
		break;
	case SQ_ERR_CANNOT_CANCEL:
		status = 409;
		jsonw_str(&w, "error", "Job not found or cannot be cancelled");
		jsonw_str(&w, "details", msg);
		break;
	case SQ_ERR_DB:
	case SQ_ERR_DB_DOWN:
	case SQ_ERR_NOMEM:
	case SQ_ERR_INTERNAL:
		snprintf(what, sizeof(what), "Failed to %s scrape job", op_verb(r));
		jsonw_str(&w, "error", what);
		jsonw_str(&w, "details", e->code == SQ_ERR_DB_DOWN ?
		    "Database unavailable, try again shortly" : e->code == SQ_ERR_DB ?
		    "Internal database error" : "Internal error");
		break;
	default:
		jsonw_str(&w, "error", msg);
	}
	jsonw_end(&w);
	req_reply_doc(r, status, &w);
	buf_free(&b);
}

const struct dialect dialect_scrapejobs = { "scrape-jobs", sj_error };

/* ---- rendering ---- */

static void
write_uuid(struct jsonw *w, const char *key, const struct uuid *u)
{
	char s[UUID_STR_LEN + 1];

	uuid_format(u, s);
	jsonw_str(w, key, s);
}

static void
write_double(struct jsonw *w, const char *key, double v)
{
	char s[48];

	snprintf(s, sizeof(s), "%.2f", v);
	jsonw_raw(w, key, s);
}

/* The stored config as the seed shows it (crawl_config_view): timeout in milliseconds. */
static void
write_config(struct jsonw *w, const char *text, const struct config *cfg)
{
	struct buf b;

	buf_init(&b, 0);
	jsonw_raw(w, "config", crawl_config_view(text, cfg, 0, &b) == 0 ? b.data : text);
	buf_free(&b);
}

static void
write_error_message(struct jsonw *w, const char *err)
{
	struct json_object *o = err ? json_tokener_parse(err) : NULL, *m;

	if (o != NULL && json_object_object_get_ex(o, "message", &m) &&
	    json_object_is_type(m, json_type_string))
		jsonw_str(w, "error_message", json_object_get_string(m));
	else
		jsonw_null(w, "error_message");
	json_object_put(o);
}

static void
write_job(struct jsonw *w, const char *key, const struct job_domain_view *v,
    const struct config *cfg)
{
	const struct job *j = &v->job;

	jsonw_object(w, key);
	write_uuid(w, "id", &j->id);
	if (v->has_target)
		write_uuid(w, "domain_id", &v->target_id);
	else
		jsonw_null(w, "domain_id");
	write_uuid(w, "customer_config_id", &j->project_id);
	jsonw_str(w, "domain", v->domain);
	jsonw_str(w, "url", v->url);
	jsonw_str(w, "job_type", job_spec_type_from_core(j->type));
	jsonw_str(w, "status", job_status_name(j->status));
	jsonw_int(w, "priority", j->priority);
	jsonw_int(w, "retry_count", j->retry_count);
	jsonw_int(w, "max_retries", j->max_retries);
	write_config(w, j->config, cfg);
	jsonw_raw(w, "metadata", j->metadata);
	jsonw_time(w, "started_at", j->started_at, 1);
	jsonw_time(w, "completed_at", j->completed_at[0] ? j->completed_at : j->cancelled_at, 1);
	write_error_message(w, j->error);
	jsonw_raw(w, "stats", v->stats ? v->stats : "{}");
	if (v->result != NULL)
		jsonw_raw(w, "result", v->result);
	jsonw_str(w, "worker_id", j->status == JOB_RUNNING && v->lease_owner[0] ?
	    v->lease_owner : NULL);
	jsonw_time(w, "created_at", j->created_at, 1);
	jsonw_time(w, "updated_at", j->updated_at, 1);
	jsonw_end(w);
}

/* Reads the job again and answers {"success": true, "data": job[, "message"]}. */
static void
reply_view(struct req *r, int status, const struct job_domain_view *v, const char *message)
{
	struct buf		 b;
	struct jsonw		 w;

	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_bool(&w, "success", 1);
	write_job(&w, "data", v, r->w->cfg);
	if (message != NULL)
		jsonw_str(&w, "message", message);
	jsonw_end(&w);
	req_reply_doc(r, status, &w);
	buf_free(&b);
}

static enum sq_err
reply_job(struct req *r, int status, const struct uuid *id, const char *message,
    struct sq_error *e)
{
	struct job_domain_view	 v;
	enum sq_err		 rc;

	if ((rc = job_domain_get(r->w->db, &r->who, id, &v, e)) != SQ_OK)
		return rc;
	reply_view(r, status, &v, message);
	job_domain_view_clear(&v);
	return SQ_OK;
}

static enum sq_err
param_job(struct req *r, struct uuid *u, struct sq_error *e)
{
	enum id_child c;

	if (r->nparams < 1 || id_parse_job(r->params[0], u, &c) == -1)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found");
	return SQ_OK;
}

/* An optional lease_seconds query parameter (*given 1; given may be NULL), else the daemons' lease. */
static enum sq_err
lease_param(struct req *r, unsigned *out, int *given, struct sq_error *e)
{
	const char	*s;
	enum sq_err	 rc;

	if ((rc = req_query(r, e)) != SQ_OK)
		return rc;
	s = query_get(&r->query, "lease_seconds");
	if (given != NULL)
		*given = s != NULL;
	return job_lease_parse(r->w->cfg, s, out, e);
}

/* ---- GET / PUT / DELETE /api/scrape-jobs/{id} ---- */

static enum sq_err
h_get(struct req *r, struct sq_error *e)
{
	struct uuid	 id;
	enum sq_err	 rc;

	if ((rc = param_job(r, &id, e)) != SQ_OK)
		return rc;
	return reply_job(r, 200, &id, NULL, e);
}

static const struct jsonbody_field update_fields[] = {
	{ "status", JF_ANY, 1 }, { "error_message", JF_ANY, 1 }, { "stats", JF_ANY, 1 },
	{ "retry_count", JF_ANY, 1 }, { "started_at", JF_ANY, 1 },
	{ "completed_at", JF_ANY, 1 }, { "metadata", JF_ANY, 1 }, { "result", JF_ANY, 1 },
};

static enum sq_err
status_field(struct json_object *b, struct job_change *c, struct sq_error *e)
{
	struct json_object *v;

	if (!json_object_object_get_ex(b, "status", &v))
		return SQ_OK;
	if (!json_object_is_type(v, json_type_string) ||
	    job_status_parse(json_object_get_string(v), &c->status) == -1)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid status: must be one of pending, "
		    "running, completed, failed, cancelled");
	c->has_status = 1;
	return SQ_OK;
}

/* The request's member k as the core takes it (the core checks it). */
static void
member(struct json_object *b, const char *k, struct job_value *out)
{
	out->given = json_object_object_get_ex(b, k, &out->v);
}

enum sq_err
scrapejobs_put_change(struct json_object *b, struct job_change *c, struct sq_error *e)
{
	enum sq_err rc;

	member(b, "retry_count", &c->retry_count);
	member(b, "error_message", &c->error_message);
	member(b, "stats", &c->stats);
	member(b, "metadata", &c->metadata);
	member(b, "result", &c->result);
	member(b, "started_at", &c->started_at);
	member(b, "completed_at", &c->completed_at);
	if ((rc = jsonbody_check(b, update_fields, 8, e)) != SQ_OK)
		return rc;
	return status_field(b, c, e);
}

/* A change's answer, read in its transaction (job_update.h), then freed. */
static void
reply_changed(struct req *r, struct job_domain_view *v, const char *message)
{
	reply_view(r, 200, v, message);
	job_domain_view_clear(v);
}

static enum sq_err
h_put(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct job_change	 c;
	struct job_domain_view	 v;
	struct uuid		 id;
	enum sq_err		 rc;

	memset(&c, 0, sizeof(c));
	if ((rc = param_job(r, &id, e)) != SQ_OK || (rc = lease_param(r, &c.lease_seconds,
	    &c.lease_start, e)) != SQ_OK)
		return rc;
	if ((b = req_json(r, 0, e)) == NULL)
		return e->code;
	if ((rc = scrapejobs_put_change(b, &c, e)) == SQ_OK &&
	    (rc = job_update(r->w->db, r->w->cfg, &r->who, &id, &c, NULL, &v, e)) == SQ_OK)
		reply_changed(r, &v, "Job updated successfully");
	json_object_put(b);
	return rc;
}

static enum sq_err
h_delete(struct req *r, struct sq_error *e)
{
	struct job_domain_view	 v;
	struct uuid		 id;
	const char		*reason;
	enum sq_err		 rc;

	if ((rc = param_job(r, &id, e)) != SQ_OK || (rc = req_query(r, e)) != SQ_OK)
		return rc;
	reason = query_get(&r->query, "reason");
	if (reason != NULL && strlen(reason) > SQ_JOB_MESSAGE_MAX / 2)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid reason: at most %d bytes",
		    SQ_JOB_MESSAGE_MAX / 2);
	if ((rc = job_cancel_reason(r->w->db, &r->who, &id, reason, &v, e)) != SQ_OK)
		return rc;
	reply_changed(r, &v, "Job cancelled successfully");
	return SQ_OK;
}

static enum sq_err
h_retry(struct req *r, struct sq_error *e)
{
	struct job_domain_view	 v;
	struct uuid		 id;
	enum sq_err		 rc;

	if ((rc = param_job(r, &id, e)) != SQ_OK ||
	    (rc = job_requeue(r->w->db, r->w->cfg, &r->who, &id, &v, e)) != SQ_OK)
		return rc;
	reply_changed(r, &v, "Job queued for retry");
	return SQ_OK;
}

/* ---- list and create ---- */

static const struct jsonbody_field create_fields[] = {
	{ "domain", JF_STRING, 0 }, { "domain_id", JF_STRING, 0 },
	{ "job_type", JF_STRING, 0 }, { "priority", JF_INT, 0 },
	{ "max_retries", JF_INT, 0 }, { "config", JF_OBJECT, 1 }, { "metadata", JF_OBJECT, 1 },
	{ "project_id", JF_STRING, 0 }, { "customer_config_id", JF_STRING, 0 },
};

/*
 * The integer member k for the core, which reads -1 as "absent, take the default":
 * a value the client gave that is below 0 comes back as bad, which the core refuses
 * by name (a -1 the client sent must not pass as absent).
 */
static long long
opt_int(struct json_object *b, const char *k, long long bad)
{
	struct json_object	*v;
	long long		 n;

	if (!json_object_object_get_ex(b, k, &v))
		return -1;
	n = json_object_get_int64(v);
	return n < 0 ? bad : n;
}

static const char *
opt_str(struct json_object *b, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(b, k, &v) && v ? json_object_get_string(v) : NULL;
}

static enum sq_err
h_create(struct req *r, struct sq_error *e)
{
	struct json_object	*b, *v;
	struct job_domain_input	 in;
	struct job_domain_view	 view;
	struct uuid		 pid, tid, id;
	const char		*ps, *ts;
	enum sq_err		 rc;

	memset(&in, 0, sizeof(in));
	if ((b = req_json(r, 0, e)) == NULL)
		return e->code;
	if ((rc = jsonbody_check(b, create_fields, sizeof(create_fields) /
	    sizeof(create_fields[0]), e)) != SQ_OK)
		goto out;
	in.domain = opt_str(b, "domain");
	/* domain_id: the id the job object shows, in any of its forms. */
	if ((ts = opt_str(b, "domain_id")) != NULL && id_parse(ID_PREFIX_TARGET, ts, &tid) == -1) {
		rc = sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid domain_id: not a domain id");
		goto out;
	}
	in.target = ts ? &tid : NULL;
	if ((ps = opt_str(b, "project_id")) == NULL)
		ps = opt_str(b, "customer_config_id");
	if (ps != NULL && id_parse(ID_PREFIX_PROJECT, ps, &pid) == -1) {
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
		goto out;
	}
	in.project = ps ? &pid : NULL;
	in.job_type = opt_str(b, "job_type");
	in.priority = opt_int(b, "priority", 0);         /* 0: out of range, named by the core */
	in.max_retries = opt_int(b, "max_retries", -2);
	in.config = json_object_object_get_ex(b, "config", &v) ? v : NULL;
	in.metadata = json_object_object_get_ex(b, "metadata", &v) ? v : NULL;
	if ((rc = job_domain_create(r->w->db, r->w->cfg, &r->who, &in, &id, &view, e)) == SQ_OK) {
		reply_view(r, 201, &view, "Job created successfully");
		job_domain_view_clear(&view);
	}
out:
	json_object_put(b);
	return rc;
}

static enum sq_err
list_filter(struct req *r, struct job_domain_filter *f, struct uuid *pid, struct sq_error *e)
{
	const char *s;

	memset(f, 0, sizeof(*f));
	if ((s = query_get(&r->query, "status")) != NULL) {
		if (job_status_parse(s, &f->status) == -1)
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid status: must be one of "
			    "pending, running, completed, failed, cancelled");
		f->has_status = 1;
	}
	if ((s = query_get(&r->query, "job_type")) != NULL) {
		if (!job_spec_type_ok(s))
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid job_type");
		f->type = job_spec_type_to_core(s);
	}
	if ((s = query_get(&r->query, "project_id")) != NULL ||
	    (s = query_get(&r->query, "customer_config_id")) != NULL) {
		if (id_parse(ID_PREFIX_PROJECT, s, pid) == -1)
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid project_id");
		f->project = pid;
	}
	return SQ_OK;
}

static enum sq_err
h_list(struct req *r, struct sq_error *e)
{
	struct job_domain_filter f;
	struct job_domain_view	*v;
	struct uuid		 pid;
	struct page		 pg;
	struct buf		 b;
	struct jsonw		 w;
	long long		 total;
	size_t			 n, i;
	enum sq_err		 rc;

	if ((rc = req_query(r, e)) != SQ_OK ||
	    (rc = pagination_parse(&r->query, SQ_PER_PAGE_DEFAULT, SQ_PER_PAGE_MAX, &pg, e)) !=
	    SQ_OK || (rc = list_filter(r, &f, &pid, e)) != SQ_OK ||
	    (rc = job_domain_page(r->w->db, &r->who, &f, &pg, &v, &n, &total, e)) != SQ_OK)
		return rc;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_bool(&w, "success", 1);
	jsonw_array(&w, "data");
	for (i = 0; i < n; i++)
		write_job(&w, NULL, &v[i], r->w->cfg);
	jsonw_end(&w);
	jsonw_object(&w, "pagination");
	jsonw_int(&w, "page", pg.page);
	jsonw_int(&w, "per_page", pg.per_page);
	jsonw_int(&w, "total", total);
	jsonw_int(&w, "pages", pagination_pages(total, pg.per_page));
	jsonw_end(&w);
	jsonw_end(&w);
	req_reply_doc(r, 200, &w);
	buf_free(&b);
	job_domain_views_free(v, n);
	return SQ_OK;
}

/* ---- /next: an external worker takes the next job through the daemons' claim ---- */

static enum sq_err
h_next(struct req *r, struct sq_error *e)
{
	struct queue_job	*jobs = NULL;
	char			 worker[32];
	unsigned		 lease;
	size_t			 n = 0;
	struct uuid		 id;
	enum sq_err		 rc;

	if ((rc = lease_param(r, &lease, NULL, e)) != SQ_OK)
		return rc;
	snprintf(worker, sizeof(worker), "api:%lld", r->who.user_id);
	if ((rc = queue_claim_member(r->w->db, worker, &r->who, lease, 1, &jobs, &n, NULL,
	    e)) != SQ_OK)
		return rc;
	if (n == 0) {
		static const char none[] = "{\"success\":true,\"data\":null,"
		    "\"message\":\"No pending jobs\"}";

		queue_jobs_free(jobs, n);
		req_reply_raw(r, 200, none, sizeof(none) - 1);
		return SQ_OK;
	}
	id = jobs[0].id;
	queue_jobs_free(jobs, n);
	return reply_job(r, 200, &id, "Job claimed", e);
}

/* ---- /stats ---- */

/* The figures of one group, as members of the object being written. */
static void
write_stats_fields(struct jsonw *w, const struct job_stats_row *s)
{
	int i;

	jsonw_int(w, "total", s->total);
	jsonw_object(w, "by_status");
	for (i = 0; i < JOB_STATUS__COUNT; i++)
		jsonw_int(w, job_status_name((enum job_status)i), s->by_status[i]);
	jsonw_end(w);
	write_double(w, "success_rate", job_stats_success_rate(s));
	write_double(w, "failure_rate", job_stats_failure_rate(s));
	if (s->avg_duration_seconds >= 0)
		write_double(w, "average_duration_seconds", s->avg_duration_seconds);
	else
		jsonw_null(w, "average_duration_seconds");
	jsonw_int(w, "pages_processed", s->pages);
	write_double(w, "pages_per_minute", job_stats_pages_per_minute(s));
}

static void
write_stats_row(struct jsonw *w, const struct job_stats_row *s, const char *key_name,
    const char *key)
{
	jsonw_object(w, NULL);
	jsonw_str(w, key_name, key);
	write_stats_fields(w, s);
	jsonw_end(w);
}

static enum sq_err
stats_group(struct req *r, struct jsonw *w, enum job_stats_by by, struct sq_error *e)
{
	struct job_stats_row	*rows;
	char			 dom[SQ_URL_MAX + 1];
	size_t			 n, i;
	enum sq_err		 rc;

	if ((rc = job_stats(r->w->db, &r->who, by, &rows, &n, e)) != SQ_OK)
		return rc;
	jsonw_array(w, by == JOB_STATS_DOMAIN ? "by_domain" : "by_job_type");
	for (i = 0; i < n; i++) {
		if (by == JOB_STATS_DOMAIN) {
			const char *p = strstr(rows[i].key, "://");

			p = p ? p + 3 : rows[i].key;
			snprintf(dom, sizeof(dom), "%.*s", (int)strcspn(p, "/?#"), p);
			write_stats_row(w, &rows[i], "domain", dom);
		} else
			write_stats_row(w, &rows[i], "job_type",
			    job_spec_type_from_core(rows[i].key));
	}
	jsonw_end(w);
	free(rows);
	return SQ_OK;
}

static enum sq_err
h_stats(struct req *r, struct sq_error *e)
{
	struct job_stats_row	*all, none;
	struct buf		 b;
	struct jsonw		 w;
	size_t			 n;
	enum sq_err		 rc;

	if ((rc = job_stats(r->w->db, &r->who, JOB_STATS_ALL, &all, &n, e)) != SQ_OK)
		return rc;
	memset(&none, 0, sizeof(none));
	none.avg_duration_seconds = -1;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_bool(&w, "success", 1);
	jsonw_object(&w, "data");
	write_stats_fields(&w, n ? &all[0] : &none);
	free(all);
	if ((rc = stats_group(r, &w, JOB_STATS_DOMAIN, e)) == SQ_OK &&
	    (rc = stats_group(r, &w, JOB_STATS_TYPE, e)) == SQ_OK) {
		jsonw_end(&w);
		jsonw_end(&w);
		req_reply_doc(r, 200, &w);
	}
	buf_free(&b);
	return rc;
}

/* ---- /{id}/audit ---- */

static enum sq_err
h_audit(struct req *r, struct sq_error *e)
{
	struct job_audit_row	*rows;
	struct rows_window	 win;
	struct uuid		 id;
	struct buf		 b;
	struct jsonw		 w;
	char			 t[TIMEFMT_MAX];
	size_t			 n, i;
	enum sq_err		 rc;

	if ((rc = param_job(r, &id, e)) != SQ_OK || (rc = req_query(r, e)) != SQ_OK ||
	    (rc = pagination_window_parse(&r->query, SQ_AUDIT_LIMIT_DEFAULT, SQ_AUDIT_LIMIT_MAX,
	    SQ_AUDIT_OFFSET_MAX, &win, e)) != SQ_OK ||
	    (rc = job_audit_list(r->w->db, &r->who, &id, win.offset, win.limit, &rows, &n, e)) !=
	    SQ_OK)
		return rc;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_bool(&w, "success", 1);
	jsonw_array(&w, "data");
	for (i = 0; i < n; i++) {
		jsonw_object(&w, NULL);
		jsonw_int(&w, "id", rows[i].id);
		if (timefmt_rfc3339(rows[i].ts, 1, t) == 0)
			jsonw_str(&w, "timestamp", t);
		if (rows[i].user_id > 0)
			jsonw_int(&w, "user_id", rows[i].user_id);
		else
			jsonw_null(&w, "user_id");
		jsonw_str(&w, "action", rows[i].action);
		jsonw_raw(&w, "before", rows[i].before);
		jsonw_raw(&w, "after", rows[i].after);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_end(&w);
	req_reply_doc(r, 200, &w);
	buf_free(&b);
	job_audit_free(rows, n);
	return SQ_OK;
}

/* Fixed paths before the {id} ones: the first route that matches path and method wins. */
const struct route dialect_scrapejobs_routes[] = {
	{ "GET", "/api/scrape-jobs", h_list, 1 },
	{ "POST", "/api/scrape-jobs", h_create, 1 },
	{ "GET", "/api/scrape-jobs/stats", h_stats, 1 },
	{ "GET", "/api/scrape-jobs/next", h_next, 1 },
	{ "POST", "/api/scrape-jobs/next", h_next, 1 },
	{ "GET", "/api/scrape-jobs/{}", h_get, 1 },
	{ "PUT", "/api/scrape-jobs/{}", h_put, 1 },
	{ "DELETE", "/api/scrape-jobs/{}", h_delete, 1 },
	{ "POST", "/api/scrape-jobs/{}/retry", h_retry, 1 },
	{ "GET", "/api/scrape-jobs/{}/audit", h_audit, 1 },
	{ NULL, NULL, NULL, 0 },
};
