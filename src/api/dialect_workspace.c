/* dialect_workspace.c: seed 003: /auth/ login and refresh, /workspace/{seq}/jobs, legacy /jobs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/job_domain.h"
#include "scrapeq/job_spec.h"
#include "scrapeq/job_update.h"
#include "scrapeq/jsonbody.h"
#include "scrapeq/jsonw.h"
#include "scrapeq/pagination.h"
#include "scrapeq/project.h"
#include "scrapeq/timefmt.h"
#include "dialect.h"
#include "workspace_query.h"

static void
ws_error(struct req *r, const struct sq_error *e)
{
	struct json_object *o = json_object_new_object();

	const char		*msg = e->message[0] ? e->message : sq_strerror(e->code);
	struct json_object	*l, *v;

	/* FastAPI's shape: a 422's detail is a list of {loc, msg, type}. */
	if (e->code == SQ_ERR_INVALID && strncmp(r->path, "/auth/", 6) != 0) {
		l = json_object_new_array();
		v = json_object_new_object();
		json_object_object_add(v, "loc", json_object_new_array());
		json_object_array_add(json_object_object_get(v, "loc"),
		    json_object_new_string(strcmp(r->method, "GET") == 0 ? "query" : "body"));
		json_object_object_add(v, "msg", json_object_new_string(msg));
		json_object_object_add(v, "type", json_object_new_string("value_error"));
		json_object_array_add(l, v);
		json_object_object_add(o, "detail", l);
	} else
		json_object_object_add(o, "detail", json_object_new_string(msg));
	if (e->code == SQ_ERR_UNAUTHORIZED)
		r->extra_header = "WWW-Authenticate: Bearer";
	/* A throttled or busy login set its Retry-After (h_login) before it got here. */
	/* The daily limit is what HTTP calls 429, which clients retry; 400 says "fix your request". */
	req_reply_json(r, e->code == SQ_ERR_RATE_LIMITED ? req_retry_at_midnight(r) :
	    sq_http_status(e->code), o);
	json_object_put(o);
}

const struct dialect dialect_workspace = { "workspace", ws_error };

static void
reply_session(struct req *r, const struct auth_session *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "access_token", json_object_new_string(s->access_token));
	json_object_object_add(o, "refresh_token", json_object_new_string(s->refresh_token));
	json_object_object_add(o, "token_type", json_object_new_string("bearer"));
	json_object_object_add(o, "expires_in", json_object_new_int64(s->expires_in));
	req_reply_json(r, 200, o);
	json_object_put(o);
}

/* Returns the string value of a required field, or NULL with e filled. */
static const char *
required_str(struct json_object *b, const char *key, size_t max, struct sq_error *e)
{
	struct json_object *v;

	if (!json_object_object_get_ex(b, key, &v) || v == NULL) {
		sq_fail(e, SQ_ERR_INVALID, "Field '%s' is required", key);
		return NULL;
	}
	if (json_object_get_string_len(v) > (int)max) {
		sq_fail(e, SQ_ERR_INVALID, "Field '%s' is too long", key);
		return NULL;
	}
	return json_object_get_string(v);
}

static const struct jsonbody_field login_fields[] = {
	{ "username", JF_STRING, 0 },
	{ "password", JF_STRING, 0 },
};

/* Sets Retry-After for a throttled (429) or busy (503) login. */
static void
login_retry_after(struct req *r, unsigned seconds)
{
	snprintf(r->extra_buf, sizeof(r->extra_buf), "Retry-After: %u", seconds);
	r->extra_header = r->extra_buf;
}

static enum sq_err
h_login(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct auth_session	 s;
	struct auth_login_req	 in;
	enum sq_err		 rc;

	if ((b = req_json(r, 0, e)) == NULL)
		return e->code;
	if ((rc = jsonbody_check(b, login_fields, 2, e)) == SQ_OK) {
		in.client_addr = FCGX_GetParam("REMOTE_ADDR", r->fcgx->envp);
		if ((in.username = required_str(b, "username", SQ_USERNAME_MAX, e)) == NULL ||
		    (in.password = required_str(b, "password", SQ_PASSWORD_MAX, e)) == NULL)
			rc = e->code;
		else if ((rc = auth_login(r->w->cfg, r->w->db, r->w->gate, &in, &s, e)) == SQ_OK)
			reply_session(r, &s);
		else if (rc == SQ_ERR_THROTTLED || rc == SQ_ERR_BUSY)
			login_retry_after(r, s.retry_after);
	}
	json_object_put(b);
	return rc;
}

static const struct jsonbody_field refresh_fields[] = {
	{ "refresh_token", JF_STRING, 0 },
};

/*
 * The body {"refresh_token": "..."} of /auth/refresh and /auth/logout: the token (it
 * lives in *b, which the caller puts whenever it is not NULL), or NULL with e set.
 */
static const char *
refresh_body(struct req *r, struct json_object **b, struct sq_error *e)
{
	if ((*b = req_json(r, 0, e)) == NULL ||
	    jsonbody_check(*b, refresh_fields, 1, e) != SQ_OK)
		return NULL;
	return required_str(*b, "refresh_token", SQ_AUTH_HEADER_MAX, e);
}

static enum sq_err
h_refresh(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct auth_session	 s;
	const char		*tok;
	enum sq_err		 rc;

	if ((tok = refresh_body(r, &b, e)) == NULL)
		rc = e->code;
	else if ((rc = auth_refresh(r->w->cfg, r->w->db, tok, &s, e)) == SQ_OK)
		reply_session(r, &s);
	json_object_put(b);
	return rc;
}

/* Not in seed 003: ends a session (the dashboard's "Log out"); 204 whether or not it was live. */
static enum sq_err
h_logout(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	const char		*tok;
	enum sq_err		 rc;

	if ((tok = refresh_body(r, &b, e)) == NULL)
		rc = e->code;
	else if ((rc = auth_logout(r->w->db, tok, e)) == SQ_OK)
		req_reply_empty(r, 204);
	json_object_put(b);
	return rc;
}

/* ---- /workspace/{seq}/jobs: the one job model in seed 003's shape ---- */

static const char *
status_name(enum job_status s)
{
	return s == JOB_COMPLETED ? "success" : job_status_name(s);
}

/* estimated_duration is kept in the job's metadata under that name. */
static void
write_estimate(struct jsonw *w, const char *metadata)
{
	struct json_object *m = json_tokener_parse(metadata), *v;

	if (m != NULL && json_object_object_get_ex(m, "estimated_duration", &v) &&
	    json_object_is_type(v, json_type_int))
		jsonw_int(w, "estimated_duration", json_object_get_int64(v));
	else
		jsonw_null(w, "estimated_duration");
	json_object_put(m);
}

/* The member "message" of a JSON object text, or NULL; *o owns it (json_object_put). */
static const char *
json_message(const char *text, struct json_object **o)
{
	struct json_object *m;

	*o = text ? json_tokener_parse(text) : NULL;
	if (*o != NULL && json_object_is_type(*o, json_type_object) &&
	    json_object_object_get_ex(*o, "message", &m) && json_object_is_type(m, json_type_string))
		return json_object_get_string(m);
	return NULL;
}

/* Adds the seed's own members of the result, as the job's columns have them, to r. */
static void
result_view(struct json_object *r, const struct job_domain_view *v)
{
	const struct job	*j = &v->job;
	struct json_object	*st = NULL, *err = NULL, *x;
	const char		*msg = json_message(j->error, &err);

	if (j->status == JOB_RUNNING && (st = v->stats ? json_tokener_parse(v->stats) : NULL)) {
		if (json_object_object_get_ex(st, "progress", &x))
			json_object_object_add(r, "progress_percent", json_object_get(x));
		if (json_object_object_get_ex(st, "progressMessage", &x))
			json_object_object_add(r, "progress_message", json_object_get(x));
	} else if (j->status == JOB_CANCELLED)
		json_object_object_add(r, "cancelled_reason",
		    json_object_new_string(msg ? msg : "Cancelled via API"));
	else if (j->status == JOB_PENDING && j->retry_count > 0) {
		json_object_object_add(r, "retry_reason",
		    json_object_new_string(msg ? msg : "Retried via API"));
		json_object_object_add(r, "previous_attempts", json_object_new_int64(j->retry_count));
	}
	json_object_put(st);
	json_object_put(err);
}

/*
 * The job's result as the seed shows it, a view of the job's columns: a running job's
 * progress_percent and progress_message (stats, where PATCH and handlers put them),
 * a cancelled job's cancelled_reason (its error message, "Cancelled via API[: ...]"),
 * a job waiting for a retry its retry_reason and previous_attempts; then the stored
 * result's own members. null when there is none of it; a stored result that is not
 * an object is shown as it is.
 */
static void
write_result(struct jsonw *w, const char *key, const struct job_domain_view *v)
{
	struct json_object	*r = json_object_new_object(), *stored = NULL;

	stored = v->result ? json_tokener_parse(v->result) : NULL;
	if (v->result != NULL && (stored == NULL || !json_object_is_type(stored, json_type_object)))
		jsonw_raw(w, key, v->result);
	else if (r == NULL)
		jsonw_null(w, key);
	else {
		result_view(r, v);
		if (stored != NULL) {
			json_object_object_foreach(stored, k, val)
				if (!json_object_object_get_ex(r, k, NULL))
					json_object_object_add(r, k, json_object_get(val));
		}
		if (stored == NULL && json_object_object_length(r) == 0)
			jsonw_null(w, key);
		else
			jsonw_raw(w, key, json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object_put(stored);
	json_object_put(r);
}

static void
write_job(struct jsonw *w, const char *key, const struct job_domain_view *v)
{
	const struct job	*j = &v->job;
	char			 id[64];
	long long		 d = job_duration_seconds(j);

	id_format(ID_PREFIX_JOB, &j->id, id, sizeof(id));
	jsonw_object(w, key);
	jsonw_str(w, "job_id", id);
	jsonw_str(w, "job_type", job_spec_type_from_core(j->type));
	jsonw_str(w, "status", status_name(j->status));
	jsonw_str(w, "priority", job_spec_priority_name(j->priority));
	jsonw_int(w, "workspace_id", v->project_seq);
	if (v->created_by >= 0)
		jsonw_int(w, "created_by", v->created_by);
	else
		jsonw_null(w, "created_by");
	write_result(w, "result", v);
	jsonw_raw(w, "metadata", j->metadata);
	write_estimate(w, j->metadata);
	if (j->completed_at[0] || j->cancelled_at[0])
		jsonw_int(w, "actual_duration", d < 0 ? 0 : d);
	else
		jsonw_null(w, "actual_duration");
	jsonw_int(w, "retry_count", j->retry_count);
	jsonw_int(w, "max_retries", j->max_retries);
	jsonw_time(w, "created_at", j->created_at, 0);
	jsonw_time(w, "updated_at", j->updated_at, 0);
	jsonw_time(w, "started_at", j->started_at, 0);
	jsonw_time(w, "completed_at", j->completed_at[0] ? j->completed_at : j->cancelled_at, 0);
	jsonw_time(w, "scheduled_at", j->scheduled_at, 0);
	jsonw_end(w);
}

/* The workspace of the path (its number or project id): 403 unless the caller may see it. */
static enum sq_err
param_workspace(struct req *r, struct uuid *pid, long long *seq, struct sq_error *e)
{
	if (r->nparams < 1)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Workspace not found");
	return project_workspace(r->w->db, &r->who, r->params[0], pid, seq, e);
}

/* The job of the path, loaded, in the workspace of the path. */
static enum sq_err
load_job(struct req *r, struct job_domain_view *v, struct sq_error *e)
{
	struct uuid	 pid, id;
	enum id_child	 child;
	long long	 seq;
	enum sq_err	 rc;

	memset(v, 0, sizeof(*v));
	if ((rc = param_workspace(r, &pid, &seq, e)) != SQ_OK)
		return rc;
	if (r->nparams < 2 || id_parse_job(r->params[1], &id, &child) == -1)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found in specified workspace");
	if ((rc = job_domain_get(r->w->db, &r->who, &id, v, e)) == SQ_ERR_NOT_FOUND)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found in specified workspace");
	if (rc == SQ_OK && memcmp(&v->job.project_id, &pid, sizeof(pid)) != 0) {
		job_domain_view_clear(v);
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found in specified workspace");
	}
	return rc;
}

static void
reply_view(struct req *r, int status, const struct job_domain_view *v)
{
	struct buf		 b;
	struct jsonw		 w;

	buf_init(&b, 0);
	jsonw_init(&w, &b);
	write_job(&w, NULL, v);
	req_reply_doc(r, status, &w);
	buf_free(&b);
}

static enum sq_err
reply_id(struct req *r, int status, const struct uuid *id, struct sq_error *e)
{
	struct job_domain_view	 v;
	enum sq_err		 rc;

	if ((rc = job_domain_get(r->w->db, &r->who, id, &v, e)) != SQ_OK)
		return rc;
	reply_view(r, status, &v);
	job_domain_view_clear(&v);
	return SQ_OK;
}

/* A change's answer, read in its transaction (job_update.h), then freed. */
static void
reply_changed(struct req *r, struct job_domain_view *after)
{
	reply_view(r, 200, after);
	job_domain_view_clear(after);
}

static enum sq_err
h_job_get(struct req *r, struct sq_error *e)
{
	struct job_domain_view	 v;
	enum sq_err		 rc;

	if ((rc = load_job(r, &v, e)) != SQ_OK)
		return rc;
	rc = reply_id(r, 200, &v.job.id, e);
	job_domain_view_clear(&v);
	return rc;
}

static enum sq_err
h_job_status(struct req *r, struct sq_error *e)
{
	struct job_domain_view	 v;
	struct json_object	*st = NULL, *p, *m;
	struct buf		 b;
	struct jsonw		 w;
	char			 id[64];
	enum sq_err		 rc;

	if ((rc = load_job(r, &v, e)) != SQ_OK)
		return rc;
	st = v.stats ? json_tokener_parse(v.stats) : NULL;
	id_format(ID_PREFIX_JOB, &v.job.id, id, sizeof(id));
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "job_id", id);
	jsonw_str(&w, "status", status_name(v.job.status));
	if (st != NULL && json_object_object_get_ex(st, "progress", &p) &&
	    (json_object_is_type(p, json_type_int) || json_object_is_type(p, json_type_double)))
		jsonw_int(&w, "progress_percent", json_object_get_int64(p));
	else
		jsonw_int(&w, "progress_percent", v.job.status == JOB_COMPLETED ? 100 :
		    job_percentage(&v.job));
	if (st != NULL && json_object_object_get_ex(st, "progressMessage", &m) &&
	    json_object_is_type(m, json_type_string))
		jsonw_str(&w, "progress_message", json_object_get_string(m));
	else
		jsonw_null(&w, "progress_message");
	jsonw_time(&w, "updated_at", v.job.updated_at, 0);
	jsonw_end(&w);
	req_reply_doc(r, 200, &w);
	buf_free(&b);
	json_object_put(st);
	job_domain_view_clear(&v);
	return SQ_OK;
}

static enum sq_err
h_job_result(struct req *r, struct sq_error *e)
{
	struct job_domain_view	 v;
	struct buf		 b;
	struct jsonw		 w;
	char			 id[64];
	enum sq_err		 rc;

	if ((rc = load_job(r, &v, e)) != SQ_OK)
		return rc;
	id_format(ID_PREFIX_JOB, &v.job.id, id, sizeof(id));
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "job_id", id);
	write_result(&w, "result", &v);
	jsonw_str(&w, "status", status_name(v.job.status));
	jsonw_time(&w, "completed_at", v.job.completed_at[0] ? v.job.completed_at :
	    v.job.cancelled_at, 0);
	jsonw_end(&w);
	req_reply_doc(r, 200, &w);
	buf_free(&b);
	job_domain_view_clear(&v);
	return SQ_OK;
}

static enum sq_err
h_job_cancel(struct req *r, struct sq_error *e)
{
	struct job_domain_view	 v, after;
	enum sq_err		 rc;

	if ((rc = load_job(r, &v, e)) != SQ_OK)
		return rc;
	if ((rc = job_cancel_reason(r->w->db, &r->who, &v.job.id, NULL, &after, e)) == SQ_OK)
		reply_changed(r, &after);
	job_domain_view_clear(&v);
	return rc;
}

static enum sq_err
h_job_retry(struct req *r, struct sq_error *e)
{
	struct job_domain_view	 v, after;
	enum sq_err		 rc;

	if ((rc = load_job(r, &v, e)) != SQ_OK)
		return rc;
	if ((rc = job_requeue(r->w->db, r->w->cfg, &r->who, &v.job.id, &after, e)) == SQ_OK)
		reply_changed(r, &after);
	job_domain_view_clear(&v);
	return rc;
}

static const struct jsonbody_field patch_fields[] = {
	{ "status", JF_STRING, 0 }, { "progress_percent", JF_INT, 0 },
	{ "progress_message", JF_STRING, 1 }, { "result", JF_OBJECT, 1 },
};

/*
 * The seed's PATCH on job_update: status (success is completed), progress into
 * jobs.stats {"progress","progressMessage"} as handlers report it, and a result that
 * shows the progress fields beside the client's own.
 */
static enum sq_err
patch_change(struct json_object *b, struct job_change *c, struct sq_error *e)
{
	struct json_object	*x;
	const char		*s;

	if (json_object_object_get_ex(b, "status", &x)) {
		s = json_object_get_string(x);
		/* "completed" too: the seed's own response examples spell it so. */
		if (strcmp(s, "success") == 0)
			c->status = JOB_COMPLETED;
		else if (job_status_parse(s, &c->status) == -1)
			return sq_fail(e, SQ_ERR_INVALID, "status must be one of pending, running, "
			    "success, failed, cancelled");
		c->has_status = 1;
	}
	/* Set on the stats read under the row lock, where PATCH and handlers keep progress. */
	c->progress.given = json_object_object_get_ex(b, "progress_percent", &c->progress.v);
	c->progress_message.given = json_object_object_get_ex(b, "progress_message",
	    &c->progress_message.v);
	/* The client's result as sent (null: none); progress is shown beside it (write_result). */
	c->result.given = json_object_object_get_ex(b, "result", &c->result.v) &&
	    c->result.v != NULL;
	return SQ_OK;
}

enum sq_err
workspace_patch_change(struct json_object *b, struct job_change *c, struct sq_error *e)
{
	enum sq_err rc;

	if ((rc = jsonbody_check(b, patch_fields, 4, e)) != SQ_OK)
		return rc;
	return patch_change(b, c, e);
}

/* The core's refusal of a field in the seed's own words; e->message otherwise. */
void
workspace_patch_phrase(enum job_field bad, struct sq_error *e)
{
	if (bad == JOB_FIELD_PROGRESS)
		sq_fail(e, SQ_ERR_INVALID, "progress_percent must be from 0 to %d",
		    SQ_JOB_PROGRESS_MAX);
	else if (bad == JOB_FIELD_PROGRESS_MESSAGE)
		sq_fail(e, SQ_ERR_INVALID, "progress_message is longer than %d bytes",
		    SQ_JOB_MESSAGE_MAX);
	else if (bad == JOB_FIELD_RESULT)
		sq_fail(e, SQ_ERR_INVALID, "result is larger than %d bytes", SQ_JOB_JSON_MAX);
}

static enum sq_err
h_job_patch(struct req *r, struct sq_error *e)
{
	struct job_domain_view	 v, after;
	struct json_object	*b = NULL;
	struct job_change	 c;
	enum job_field		 bad = JOB_FIELD_NONE;
	enum sq_err		 rc;

	memset(&c, 0, sizeof(c));
	if ((rc = load_job(r, &v, e)) != SQ_OK)
		return rc;
	if ((b = req_json(r, 0, e)) == NULL)
		rc = e->code;
	else if ((rc = workspace_patch_change(b, &c, e)) == SQ_OK &&
	    (rc = job_update(r->w->db, r->w->cfg, &r->who, &v.job.id, &c, &bad, &after, e)) == SQ_OK)
		reply_changed(r, &after);
	if (bad != JOB_FIELD_NONE)
		workspace_patch_phrase(bad, e);
	if (b != NULL && rc == SQ_ERR_BAD_REQUEST)   /* valid JSON, invalid data */
		rc = e->code = SQ_ERR_INVALID;
	json_object_put(b);
	job_domain_view_clear(&v);
	return rc;
}

static const struct jsonbody_field create_fields[] = {
	{ "job_type", JF_STRING, 0 }, { "workspace_id", JF_INT, 0 },
	{ "priority", JF_STRING, 0 }, { "metadata", JF_OBJECT, 1 },
	{ "estimated_duration", JF_INT, 1 }, { "scheduled_at", JF_STRING, 1 },
};

static enum sq_err
h_create(struct req *r, struct sq_error *e)
{
	struct json_object	*b, *v, *meta = NULL;
	struct job_domain_input	 in;
	struct job_domain_view	 view;
	struct uuid		 pid, id;
	long long		 seq;
	char			 sched[32];
	enum sq_err		 rc;

	memset(&in, 0, sizeof(in));
	if ((rc = param_workspace(r, &pid, &seq, e)) != SQ_OK)
		return rc;
	if ((b = req_json(r, 0, e)) == NULL)
		return e->code;
	if ((rc = jsonbody_check(b, create_fields, 6, e)) != SQ_OK)
		goto out;
	if (!json_object_object_get_ex(b, "job_type", &v) || v == NULL) {
		rc = sq_fail(e, SQ_ERR_INVALID, "Field 'job_type' is required");
		goto out;
	}
	in.job_type = json_object_get_string(v);
	if (!json_object_object_get_ex(b, "workspace_id", &v) || v == NULL) {
		rc = sq_fail(e, SQ_ERR_INVALID, "Field 'workspace_id' is required");
		goto out;
	}
	if (json_object_get_int64(v) != seq) {
		rc = sq_fail(e, SQ_ERR_INVALID, "workspace_id must match the URL's workspace");
		goto out;
	}
	in.priority = JOB_PRIORITY_DEFAULT;
	if (json_object_object_get_ex(b, "priority", &v) && v != NULL &&
	    (in.priority = job_spec_priority_parse(json_object_get_string(v))) == -1) {
		rc = sq_fail(e, SQ_ERR_INVALID, "priority must be one of low, normal, high, "
		    "urgent");
		goto out;
	}
	meta = json_object_object_get_ex(b, "metadata", &v) && v != NULL ?
	    json_object_get(v) : json_object_new_object();
	if (json_object_object_get_ex(b, "estimated_duration", &v) && v != NULL) {
		if (json_object_get_int64(v) < 0) {
			rc = sq_fail(e, SQ_ERR_INVALID, "estimated_duration must be >= 0");
			goto out;
		}
		json_object_object_add(meta, "estimated_duration", json_object_get(v));
	}
	if (json_object_object_get_ex(b, "scheduled_at", &v) && v != NULL) {
		if (job_spec_time(json_object_get_string(v), sched) == -1) {
			rc = sq_fail(e, SQ_ERR_INVALID, "scheduled_at must be an ISO 8601 "
			    "timestamp");
			goto out;
		}
		in.scheduled_at = sched;
	}
	/* A scrape crawls metadata.domain (a host name or an http(s) URL). */
	if (json_object_object_get_ex(meta, "domain", &v) &&
	    json_object_is_type(v, json_type_string))
		in.domain = json_object_get_string(v);
	in.project = &pid;
	in.max_retries = -1;
	in.metadata = meta;
	in.domain_optional = 1;
	if ((rc = job_domain_create(r->w->db, r->w->cfg, &r->who, &in, &id, &view, e)) == SQ_OK) {
		reply_view(r, 201, &view);
		job_domain_view_clear(&view);
	}
out:
	if (rc == SQ_ERR_BAD_REQUEST)   /* valid JSON, invalid data: the seed's 422 */
		rc = e->code = SQ_ERR_INVALID;
	json_object_put(meta);
	json_object_put(b);
	return rc;
}

static enum sq_err
list_reply(struct req *r, const struct job_domain_filter *f, const struct page *pg,
    struct sq_error *e)
{
	struct job_domain_view	*v;
	struct buf		 b;
	struct jsonw		 w;
	long long		 total;
	size_t			 n, i;
	enum sq_err		 rc;

	if ((rc = job_domain_page(r->w->db, &r->who, f, pg, &v, &n, &total, e)) != SQ_OK)
		return rc;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_array(&w, "data");
	for (i = 0; i < n; i++)
		write_job(&w, NULL, &v[i]);
	jsonw_end(&w);
	jsonw_object(&w, "pagination");
	jsonw_int(&w, "page", pg->page);
	jsonw_int(&w, "limit", pg->per_page);
	jsonw_int(&w, "total", total);
	jsonw_int(&w, "total_pages", pagination_pages(total, pg->per_page));
	jsonw_end(&w);
	jsonw_end(&w);
	req_reply_doc(r, 200, &w);
	buf_free(&b);
	job_domain_views_free(v, n);
	return SQ_OK;
}

static enum sq_err
h_list(struct req *r, struct sq_error *e)
{
	struct job_domain_filter f;
	struct uuid		 pid;
	struct page		 pg;
	long long		 seq;
	enum sq_err		 rc;

	if ((rc = param_workspace(r, &pid, &seq, e)) != SQ_OK ||
	    (rc = req_query(r, e)) != SQ_OK ||
	    (rc = workspace_query_parse(&r->query, &f, &pg, e)) != SQ_OK)
		return rc;
	f.project = &pid;
	return list_reply(r, &f, &pg, e);
}

/* GET /jobs: deprecated; every workspace of the caller, or the one workspace_id names. */
static enum sq_err
h_legacy_list(struct req *r, struct sq_error *e)
{
	struct job_domain_filter f;
	struct uuid		 pid;
	struct page		 pg;
	const char		*s;
	long long		 seq;
	enum sq_err		 rc;

	/* On every answer, errors too; the successor is named once the workspace is known. */
	r->extra_header = "Deprecation: true";
	if ((rc = req_query(r, e)) != SQ_OK ||
	    (rc = workspace_query_parse(&r->query, &f, &pg, e)) != SQ_OK)
		return rc;
	if ((s = query_get(&r->query, "workspace_id")) != NULL) {
		rc = project_workspace(r->w->db, &r->who, s, &pid, &seq, e);
		if (rc == SQ_ERR_NOT_FOUND)
			return sq_fail(e, SQ_ERR_INVALID, "workspace_id must be a workspace number "
			    "or a project id");
		if (rc != SQ_OK)
			return rc;
		snprintf(r->extra_buf, sizeof(r->extra_buf), "Deprecation: true\r\nLink: "
		    "</workspace/%lld/jobs>; rel=\"successor-version\"", seq);
		r->extra_header = r->extra_buf;
		f.project = &pid;
	}
	return list_reply(r, &f, &pg, e);
}

const struct route dialect_workspace_routes[] = {
	{ "POST", "/auth/login", h_login, 0 },
	{ "POST", "/auth/refresh", h_refresh, 0 },
	{ "POST", "/auth/logout", h_logout, 0 },
	{ "GET", "/workspace/{}/jobs", h_list, 1 },
	{ "POST", "/workspace/{}/jobs", h_create, 1 },
	{ "GET", "/workspace/{}/jobs/{}", h_job_get, 1 },
	{ "PATCH", "/workspace/{}/jobs/{}", h_job_patch, 1 },
	{ "GET", "/workspace/{}/jobs/{}/status", h_job_status, 1 },
	{ "GET", "/workspace/{}/jobs/{}/result", h_job_result, 1 },
	{ "POST", "/workspace/{}/jobs/{}/cancel", h_job_cancel, 1 },
	{ "POST", "/workspace/{}/jobs/{}/retry", h_job_retry, 1 },
	{ "GET", "/jobs", h_legacy_list, 1 },
	{ NULL, NULL, NULL, 0 },
};
