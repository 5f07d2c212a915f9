/* dialect_v1.c: seed 000, scrapeq's canonical API: projects, targets, jobs, webhooks under /api/v1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/crawl_config.h"
#include "scrapeq/crawl_error.h"
#include "scrapeq/events_addr.h"
#include "scrapeq/health.h"
#include "scrapeq/job.h"
#include "scrapeq/jsonbody.h"
#include "scrapeq/jsonw.h"
#include "scrapeq/log.h"
#include "scrapeq/member.h"
#include "scrapeq/pagination.h"
#include "scrapeq/project.h"
#include "scrapeq/results.h"
#include "scrapeq/target.h"
#include "scrapeq/timefmt.h"
#include "scrapeq/webhook.h"
#include "dialect.h"
#include "dialect_v1.h"
#include "export.h"

/* Seed 000's error codes, one per core error. */
static const char *const v1_codes[SQ_ERR__COUNT] = {
	[SQ_ERR_NOMEM] = "INTERNAL_ERROR",
	[SQ_ERR_DB] = "INTERNAL_ERROR",
	[SQ_ERR_DB_DOWN] = "SERVICE_UNAVAILABLE",
	[SQ_ERR_INTERNAL] = "INTERNAL_ERROR",
	[SQ_ERR_BAD_REQUEST] = "VALIDATION_ERROR",
	[SQ_ERR_INVALID] = "VALIDATION_ERROR",
	[SQ_ERR_UNAUTHORIZED] = "UNAUTHORIZED",
	[SQ_ERR_FORBIDDEN] = "FORBIDDEN",
	[SQ_ERR_NOT_FOUND] = "NOT_FOUND",
	[SQ_ERR_METHOD] = "METHOD_NOT_ALLOWED",
	[SQ_ERR_CONFLICT] = "CONFLICT",
	[SQ_ERR_TOO_LARGE] = "PAYLOAD_TOO_LARGE",
	[SQ_ERR_UNSUPPORTED_MEDIA] = "UNSUPPORTED_MEDIA_TYPE",
	[SQ_ERR_NO_TARGETS] = "NO_TARGETS",
	[SQ_ERR_JOB_RUNNING] = "JOB_RUNNING",
	[SQ_ERR_RATE_LIMITED] = "RATE_LIMITED",
	[SQ_ERR_CANNOT_CANCEL] = "CANNOT_CANCEL",
	[SQ_ERR_CANNOT_RETRY] = "CANNOT_RETRY",
};

static void
v1_error(struct req *r, const struct sq_error *e)
{
	const char	*code = (unsigned)e->code < SQ_ERR__COUNT && v1_codes[e->code] ?
	    v1_codes[e->code] : "INTERNAL_ERROR";
	struct buf	 b;
	struct jsonw	 w;

	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_object(&w, "error");
	jsonw_str(&w, "code", code);
	jsonw_str(&w, "message", e->message[0] ? e->message : sq_strerror(e->code));
	jsonw_end(&w);
	jsonw_end(&w);
	req_reply_doc(r, sq_http_status(e->code), &w);
	buf_free(&b);
}

const struct dialect dialect_v1 = { "v1", v1_error };

/* ---- rendering: the seed's field names and shapes ---- */

void
v1_write_id(struct jsonw *w, const char *key, const char *prefix, const struct uuid *u)
{
	char s[ID_STR_MAX];

	id_format(prefix, u, s, sizeof(s));
	jsonw_str(w, key, s);
}

/* Writes key only when the timestamp is set (as the seed's examples do), else null if always. */
void
v1_write_time(struct jsonw *w, const char *key, const char *db, int always)
{
	char t[TIMEFMT_MAX];

	if (always)
		jsonw_time(w, key, db, 0);
	else if (db != NULL && db[0] != '\0' && timefmt_rfc3339(db, 0, t) == 0)
		jsonw_str(w, key, t);
}

static void
write_progress(struct jsonw *w, const struct job *j)
{
	jsonw_object(w, "progress");
	jsonw_int(w, "total_targets", j->total_targets);
	jsonw_int(w, "completed_targets", j->completed_targets);
	if (j->has_current_target && j->status == JOB_RUNNING)
		v1_write_id(w, "current_target", ID_PREFIX_TARGET, &j->current_target);
	jsonw_int(w, "total_results", j->total_results);
	jsonw_int(w, "percentage", job_percentage(j));
	jsonw_end(w);
}

static long long
span_seconds(const char *a, const char *b)
{
	struct job t;

	memset(&t, 0, sizeof(t));
	memcpy(t.started_at, a, sizeof(t.started_at));
	memcpy(t.completed_at, b, sizeof(t.completed_at));
	return job_duration_seconds(&t);
}

static void
write_target_status(struct jsonw *w, const struct job *j)
{
	size_t		 i;
	long long	 d;

	jsonw_array(w, "target_status");
	for (i = 0; i < j->ntargets; i++) {
		const struct job_target *t = &j->targets[i];

		jsonw_object(w, NULL);
		v1_write_id(w, "target_id", ID_PREFIX_TARGET, &t->target_id);
		jsonw_str(w, "status", job_status_name(t->status));
		jsonw_int(w, "results_count", t->results_count);
		if (t->completed_at[0] && (d = span_seconds(t->started_at, t->completed_at)) >= 0)
			jsonw_int(w, "duration_seconds", d);
		jsonw_end(w);
	}
	jsonw_end(w);
}

/* The job's config: max_results_per_target, targets and the crawl options, timeout in ms. */
static void
write_config(struct jsonw *w, const char *stored, const struct config *cfg)
{
	struct buf b;

	buf_init(&b, 0);
	jsonw_raw(w, "config", crawl_config_view(stored, cfg, 1, &b) == 0 ? b.data : stored);
	buf_free(&b);
}

static void
write_job(struct jsonw *w, const char *key, const struct job *j, int full,
    const struct config *cfg)
{
	long long d;

	jsonw_object(w, key);
	v1_write_id(w, "id", ID_PREFIX_JOB, &j->id);
	v1_write_id(w, "project_id", ID_PREFIX_PROJECT, &j->project_id);
	jsonw_str(w, "status", job_status_name(j->status));
	jsonw_str(w, "source", job_source_name(j->source));
	if (j->schedule_id[0])
		jsonw_str(w, "schedule_id", j->schedule_id);
	if (j->has_retry_of)
		v1_write_id(w, "retry_of", ID_PREFIX_JOB, &j->retry_of);
	write_config(w, j->config, cfg);
	write_progress(w, j);
	if (full)
		write_target_status(w, j);
	if (j->error != NULL)
		jsonw_raw(w, "error", j->error);
	v1_write_time(w, "started_at", j->started_at, 0);
	v1_write_time(w, "completed_at", j->completed_at, 0);
	v1_write_time(w, "cancelled_at", j->cancelled_at, 0);
	if ((d = job_duration_seconds(j)) >= 0)
		jsonw_int(w, "duration_seconds", d);
	v1_write_time(w, "created_at", j->created_at, 1);
	jsonw_end(w);
}

/*
 * What the caller may do in the project, from the core's one rule (role_allows, with
 * the server administrator's widening), so a client such as web/ shows only the
 * buttons that will work and holds no copy of the rule.
 */
static void
write_may(struct jsonw *w, const struct project *p, int is_admin)
{
	enum role	 role = ROLE_NONE;

	(void)role_parse(p->role, &role);
	jsonw_object(w, "may");
	jsonw_bool(w, "run_jobs", role_allows(role, is_admin, ROLE_JOB_WRITE));
	jsonw_bool(w, "manage", role_allows(role, is_admin, ROLE_MANAGE));
	jsonw_end(w);
}

static void
write_project(struct jsonw *w, const char *key, const struct project *p, int is_admin)
{
	jsonw_object(w, key);
	v1_write_id(w, "id", ID_PREFIX_PROJECT, &p->id);
	jsonw_int(w, "workspace_id", p->seq);   /* seed 003's /workspace/{w} */
	jsonw_str(w, "name", p->name);
	jsonw_str(w, "description", p->description);
	if (p->daily_job_limit >= 0)
		jsonw_int(w, "daily_job_limit", p->daily_job_limit);
	else
		jsonw_null(w, "daily_job_limit");
	jsonw_int(w, "max_results_per_target", p->max_results_per_target);
	jsonw_str(w, "role", p->role);
	write_may(w, p, is_admin);
	v1_write_time(w, "created_at", p->created_at, 1);
	v1_write_time(w, "updated_at", p->updated_at, 1);
	jsonw_end(w);
}

static void
write_target(struct jsonw *w, const char *key, const struct target *t)
{
	jsonw_object(w, key);
	v1_write_id(w, "id", ID_PREFIX_TARGET, &t->id);
	v1_write_id(w, "project_id", ID_PREFIX_PROJECT, &t->project_id);
	jsonw_str(w, "url", t->url);
	jsonw_str(w, "name", t->has_name ? t->name : NULL);
	jsonw_bool(w, "enabled", t->enabled);
	v1_write_time(w, "created_at", t->created_at, 1);
	v1_write_time(w, "updated_at", t->updated_at, 1);
	jsonw_end(w);
}

/* Starts a document; the caller writes into *w and finishes with reply_one / v1_page_end. */
static void
doc_begin(struct buf *b, struct jsonw *w)
{
	buf_init(b, 0);
	jsonw_init(w, b);
}

void
v1_page_begin(struct jsonw *w)
{
	jsonw_object(w, NULL);
	jsonw_array(w, "items");
}

void
v1_page_end(struct req *r, struct jsonw *w, long long total, const struct page *pg)
{
	jsonw_end(w);
	jsonw_int(w, "total", total);
	jsonw_int(w, "page", pg->page);
	jsonw_int(w, "per_page", pg->per_page);
	jsonw_int(w, "pages", pagination_pages(total, pg->per_page));
	jsonw_end(w);
	req_reply_doc(r, 200, w);
	buf_free(w->b);
}

#define REPLY_ONE(r, status, writer, obj) do {				\
	struct buf b_;							\
	struct jsonw w_;						\
	doc_begin(&b_, &w_);						\
	writer(&w_, NULL, (obj));					\
	req_reply_doc((r), (status), &w_);					\
	buf_free(&b_);							\
} while (0)

/* One project, with what the caller may do in it, as the answer. */
static void
reply_project(struct req *r, int status, const struct project *p)
{
	struct buf	 b;
	struct jsonw	 w;

	doc_begin(&b, &w);
	write_project(&w, NULL, p, r->who.is_admin);
	req_reply_doc(r, status, &w);
	buf_free(&b);
}

/* One job, with its per-target status, as the answer. */
static void
reply_job(struct req *r, int status, const struct job *j)
{
	struct buf	 b;
	struct jsonw	 w;

	doc_begin(&b, &w);
	write_job(&w, NULL, j, 1, r->w->cfg);
	req_reply_doc(r, status, &w);
	buf_free(&b);
}

/* ---- path and body helpers ---- */

static enum sq_err
param_id(struct req *r, size_t i, const char *prefix, const char *what, struct uuid *u,
    struct sq_error *e)
{
	enum id_child c;

	if (i >= r->nparams || (strcmp(prefix, ID_PREFIX_JOB) == 0 ? id_parse_job(r->params[i], u, &c) :
	    id_parse(prefix, r->params[i], u)) == -1)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "%s not found", what);
	return SQ_OK;
}

/* Reads an optional integer field; -1 when absent or null. Types were checked already. */
static long long
opt_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return -1;
	return json_object_get_int64(v);
}

static const char *
opt_str(struct json_object *o, const char *key, int *given)
{
	struct json_object *v;

	*given = json_object_object_get_ex(o, key, &v);
	return *given && v != NULL ? json_object_get_string(v) : NULL;
}

/* Parses and checks a body against fields; the caller puts *out. */
static enum sq_err
body_object(struct req *r, const struct jsonbody_field *f, size_t nf, int empty_ok,
    struct json_object **out, struct sq_error *e)
{
	enum sq_err rc;

	if ((*out = req_json(r, empty_ok, e)) == NULL)
		return e->code;
	if ((rc = jsonbody_check(*out, f, nf, e)) != SQ_OK) {
		json_object_put(*out);
		*out = NULL;
	}
	return rc;
}

/* Integer fields must fit the range they are stored in; json-c clamps silently otherwise. */
static enum sq_err
check_int_range(struct json_object *o, const char *key, long long lo, long long hi,
    struct sq_error *e)
{
	struct json_object	*v;
	long long		 n;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return SQ_OK;
	n = json_object_get_int64(v);
	if (n < lo || n > hi)
		return sq_fail(e, SQ_ERR_INVALID, "Field '%s' must be an integer from %lld to %lld",
		    key, lo, hi);
	return SQ_OK;
}

static enum sq_err
get_page(struct req *r, struct page *pg, struct sq_error *e)
{
	enum sq_err rc;

	if ((rc = req_query(r, e)) != SQ_OK)
		return rc;
	return pagination_parse(&r->query, SQ_PER_PAGE_DEFAULT, SQ_PER_PAGE_MAX, pg, e);
}

/* ---- ping ---- */

static enum sq_err
h_ping(struct req *r, struct sq_error *e)
{
	struct db_res	 res;
	enum sq_err	 rc;
	const char	*db;

	if ((rc = req_query(r, e)) != SQ_OK)
		return rc;
	db = query_get(&r->query, "db");
	if (db == NULL || strcmp(db, "0") == 0) {
		static const char ok[] = "{\"status\":\"ok\"}";

		req_reply_raw(r, 200, ok, sizeof(ok) - 1);
		return SQ_OK;
	}
	if (strcmp(db, "1") != 0)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid db: must be 0 or 1");
	if ((rc = db_exec(r->w->db, "SELECT 1", NULL, 0, &res)) != SQ_OK)
		return rc;
	db_res_free(&res);
	{
		static const char ok[] = "{\"status\":\"ok\",\"db\":\"ok\"}";

		req_reply_raw(r, 200, ok, sizeof(ok) - 1);
	}
	return SQ_OK;
}

/* ---- projects ---- */

static const struct jsonbody_field project_fields[] = {
	{ "name", JF_STRING, 0 },
	{ "description", JF_STRING, 1 },
	{ "daily_job_limit", JF_INT, 1 },
	{ "max_results_per_target", JF_INT, 0 },
};

static enum sq_err
h_project_create(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct project_input	 in;
	struct project		 p;
	enum sq_err		 rc;
	int			 given;

	if ((rc = body_object(r, project_fields, 4, 0, &b, e)) != SQ_OK)
		return rc;
	memset(&p, 0, sizeof(p));
	in.name = opt_str(b, "name", &given);
	in.description = opt_str(b, "description", &given);
	in.daily_job_limit = opt_int(b, "daily_job_limit");
	in.max_results_per_target = opt_int(b, "max_results_per_target");
	if ((rc = check_int_range(b, "daily_job_limit", 0, SQ_DAILY_JOB_LIMIT_MAX, e)) == SQ_OK &&
	    (rc = check_int_range(b, "max_results_per_target", 1, SQ_RESULTS_PER_TARGET_MAX,
	    e)) == SQ_OK &&
	    (rc = project_create(r->w->db, &r->who, &in, &p, e)) == SQ_OK)
		reply_project(r, 201, &p);
	project_clear(&p);
	json_object_put(b);
	return rc;
}

static enum sq_err
h_project_list(struct req *r, struct sq_error *e)
{
	struct project		*items;
	struct buf		 b;
	struct jsonw		 w;
	struct page		 pg;
	long long		 total;
	size_t			 n, i;
	enum sq_err		 rc;

	if ((rc = get_page(r, &pg, e)) != SQ_OK ||
	    (rc = project_list(r->w->db, &r->who, &pg, &items, &n, &total, e)) != SQ_OK)
		return rc;
	doc_begin(&b, &w);
	v1_page_begin(&w);
	for (i = 0; i < n; i++)
		write_project(&w, NULL, &items[i], r->who.is_admin);
	project_list_free(items, n);
	v1_page_end(r, &w, total, &pg);
	return SQ_OK;
}

static enum sq_err
h_project_get(struct req *r, struct sq_error *e)
{
	struct project	 p;
	struct uuid	 id;
	enum sq_err	 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", &id, e)) != SQ_OK ||
	    (rc = project_get(r->w->db, &r->who, &id, &p, e)) != SQ_OK)
		return rc;
	reply_project(r, 200, &p);
	project_clear(&p);
	return SQ_OK;
}

/* PATCH: the fields given change; null description clears it, null daily_job_limit resets it. */
static enum sq_err
h_project_patch(struct req *r, struct sq_error *e)
{
	struct json_object	*b, *v;
	struct project_input	 in;
	struct project		 p;
	struct uuid		 id;
	enum sq_err		 rc;
	int			 given;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", &id, e)) != SQ_OK ||
	    (rc = body_object(r, project_fields, 4, 1, &b, e)) != SQ_OK)
		return rc;
	memset(&in, 0, sizeof(in));
	memset(&p, 0, sizeof(p));
	in.name = opt_str(b, "name", &given);
	in.description = opt_str(b, "description", &in.description_given);
	in.daily_job_limit = !json_object_object_get_ex(b, "daily_job_limit", &v) ? -1 :
	    v == NULL ? PROJECT_DAILY_DEFAULT : json_object_get_int64(v);
	in.max_results_per_target = opt_int(b, "max_results_per_target");
	if ((rc = check_int_range(b, "daily_job_limit", 0, SQ_DAILY_JOB_LIMIT_MAX, e)) == SQ_OK &&
	    (rc = check_int_range(b, "max_results_per_target", 1, SQ_RESULTS_PER_TARGET_MAX,
	    e)) == SQ_OK &&
	    (rc = project_update(r->w->db, &r->who, &id, &in, &p, e)) == SQ_OK)
		reply_project(r, 200, &p);
	project_clear(&p);
	json_object_put(b);
	return rc;
}

/* ---- members ---- */

static void
write_member(struct jsonw *w, const char *key, const struct member *m)
{
	jsonw_object(w, key);
	jsonw_int(w, "user_id", m->user_id);
	jsonw_str(w, "username", m->username);
	jsonw_str(w, "role", role_name(m->role));
	v1_write_time(w, "created_at", m->created_at, 1);
	jsonw_end(w);
}

static enum sq_err
h_member_list(struct req *r, struct sq_error *e)
{
	struct member		*items;
	struct buf		 b;
	struct jsonw		 w;
	struct page		 pg;
	struct uuid		 pid;
	long long		 total;
	size_t			 n, i;
	enum sq_err		 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", &pid, e)) != SQ_OK ||
	    (rc = get_page(r, &pg, e)) != SQ_OK ||
	    (rc = member_list(r->w->db, &r->who, &pid, &pg, &items, &n, &total, e)) != SQ_OK)
		return rc;
	doc_begin(&b, &w);
	v1_page_begin(&w);
	for (i = 0; i < n; i++)
		write_member(&w, NULL, &items[i]);
	free(items);
	v1_page_end(r, &w, total, &pg);
	return SQ_OK;
}

static const struct jsonbody_field member_fields[] = {
	{ "role", JF_STRING, 0 },
};

/* PUT {role}: 201 with the membership when the user was added, 200 when changed (or not). */
static enum sq_err
h_member_put(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct member		 m;
	struct uuid		 pid;
	enum sq_err		 rc;
	int			 given, created = 0;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", &pid, e)) != SQ_OK ||
	    (rc = body_object(r, member_fields, 1, 0, &b, e)) != SQ_OK)
		return rc;
	if ((rc = member_set(r->w->db, &r->who, &pid, r->params[1], opt_str(b, "role", &given),
	    &m, &created, e)) == SQ_OK)
		REPLY_ONE(r, created ? 201 : 200, write_member, &m);
	json_object_put(b);
	return rc;
}

static enum sq_err
h_member_delete(struct req *r, struct sq_error *e)
{
	struct uuid	 pid;
	enum sq_err	 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", &pid, e)) != SQ_OK ||
	    (rc = member_remove(r->w->db, &r->who, &pid, r->params[1], e)) != SQ_OK)
		return rc;
	req_reply_empty(r, 204);
	return SQ_OK;
}

/* ---- targets ---- */

static const struct jsonbody_field target_fields[] = {
	{ "url", JF_STRING, 0 },
	{ "name", JF_STRING, 1 },
	{ "enabled", JF_BOOL, 0 },
};

static void
target_input_from(struct json_object *b, struct target_input *in)
{
	struct json_object *v;
	int given;

	in->url = opt_str(b, "url", &given);
	in->name = opt_str(b, "name", &in->name_given);
	in->enabled = json_object_object_get_ex(b, "enabled", &v) ?
	    json_object_get_boolean(v) : -1;
}

static enum sq_err
h_target_create(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct target_input	 in;
	struct target		 t;
	struct uuid		 pid;
	enum sq_err		 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", &pid, e)) != SQ_OK ||
	    (rc = body_object(r, target_fields, 3, 0, &b, e)) != SQ_OK)
		return rc;
	target_input_from(b, &in);
	if ((rc = target_create(r->w->db, &r->who, &pid, &in, &t, e)) == SQ_OK)
		REPLY_ONE(r, 201, write_target, &t);
	json_object_put(b);
	return rc;
}

static enum sq_err
h_target_list(struct req *r, struct sq_error *e)
{
	struct target		*items;
	struct buf		 b;
	struct jsonw		 w;
	struct page		 pg;
	struct uuid		 pid;
	long long		 total;
	size_t			 n, i;
	enum sq_err		 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", &pid, e)) != SQ_OK ||
	    (rc = get_page(r, &pg, e)) != SQ_OK ||
	    (rc = target_list(r->w->db, &r->who, &pid, &pg, &items, &n, &total, e)) != SQ_OK)
		return rc;
	doc_begin(&b, &w);
	v1_page_begin(&w);
	for (i = 0; i < n; i++)
		write_target(&w, NULL, &items[i]);
	free(items);
	v1_page_end(r, &w, total, &pg);
	return SQ_OK;
}

static enum sq_err
target_ids(struct req *r, struct uuid *pid, struct uuid *tid, struct sq_error *e)
{
	enum sq_err rc;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", pid, e)) != SQ_OK)
		return rc;
	return param_id(r, 1, ID_PREFIX_TARGET, "Target", tid, e);
}

static enum sq_err
h_target_get(struct req *r, struct sq_error *e)
{
	struct target	 t;
	struct uuid	 pid, tid;
	enum sq_err	 rc;

	if ((rc = target_ids(r, &pid, &tid, e)) != SQ_OK ||
	    (rc = target_get(r->w->db, &r->who, &pid, &tid, &t, e)) != SQ_OK)
		return rc;
	REPLY_ONE(r, 200, write_target, &t);
	return SQ_OK;
}

static enum sq_err
h_target_patch(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct target_input	 in;
	struct target		 t;
	struct uuid		 pid, tid;
	enum sq_err		 rc;

	if ((rc = target_ids(r, &pid, &tid, e)) != SQ_OK ||
	    (rc = body_object(r, target_fields, 3, 1, &b, e)) != SQ_OK)
		return rc;
	target_input_from(b, &in);
	if ((rc = target_update(r->w->db, &r->who, &pid, &tid, &in, &t, e)) == SQ_OK)
		REPLY_ONE(r, 200, write_target, &t);
	json_object_put(b);
	return rc;
}

static enum sq_err
h_target_delete(struct req *r, struct sq_error *e)
{
	struct uuid	 pid, tid;
	enum sq_err	 rc;

	if ((rc = target_ids(r, &pid, &tid, e)) != SQ_OK ||
	    (rc = target_delete(r->w->db, &r->who, &pid, &tid, e)) != SQ_OK)
		return rc;
	req_reply_empty(r, 204);
	return SQ_OK;
}

/* ---- webhooks ---- */

static void
write_webhook(struct jsonw *w, const char *key, const struct webhook *h)
{
	unsigned i;

	jsonw_object(w, key);
	v1_write_id(w, "id", ID_PREFIX_WEBHOOK, &h->id);
	v1_write_id(w, "project_id", ID_PREFIX_PROJECT, &h->project_id);
	jsonw_str(w, "url", h->url);
	jsonw_array(w, "events");
	for (i = 0; i < WEBHOOK_EVENT__COUNT; i++)
		if (h->events & (1u << i))
			jsonw_str(w, NULL, webhook_event_name((enum webhook_event)i));
	jsonw_end(w);
	jsonw_bool(w, "secret_set", h->has_secret);
	jsonw_bool(w, "enabled", h->enabled);
	v1_write_time(w, "disabled_at", h->disabled_at, 1);
	jsonw_str(w, "disabled_reason", h->disabled_reason[0] ? h->disabled_reason : NULL);
	v1_write_time(w, "failing_since", h->failing_since, 1);
	v1_write_time(w, "created_at", h->created_at, 1);
	jsonw_end(w);
}

static void
write_delivery(struct jsonw *w, const char *key, const struct webhook_delivery *d)
{
	char id[UUID_STR_LEN + 1];

	jsonw_object(w, key);
	uuid_format(&d->id, id);
	jsonw_str(w, "id", id);
	jsonw_str(w, "event", d->event);
	jsonw_int(w, "event_id", d->event_id);
	v1_write_id(w, "job_id", ID_PREFIX_JOB, &d->job_id);
	jsonw_str(w, "state", webhook_state_name(d->state));
	jsonw_int(w, "attempts", d->attempts);
	if (d->last_status_code > 0)
		jsonw_int(w, "last_status_code", d->last_status_code);
	else
		jsonw_null(w, "last_status_code");
	jsonw_str(w, "last_error", d->last_error[0] ? d->last_error : NULL);
	v1_write_time(w, "next_attempt_at", d->next_attempt_at, 1);
	v1_write_time(w, "last_attempt_at", d->last_attempt_at, 1);
	v1_write_time(w, "delivered_at", d->delivered_at, 1);
	v1_write_time(w, "created_at", d->created_at, 1);
	jsonw_end(w);
}

static const struct jsonbody_field webhook_fields[] = {
	{ "url", JF_STRING, 0 },
	{ "events", JF_ARRAY, 0 },
	{ "secret", JF_STRING, 1 },
};

/*
 * events as names for the core: at most SQ_WEBHOOK_EVENTS_MAX + 1 are copied (the
 * core refuses a longer list by its count before reading any).
 */
static enum sq_err
webhook_events_from(struct json_object *b, const char **names, struct webhook_input *in,
    struct sq_error *e)
{
	struct json_object	*a, *v;
	size_t			 i, n;

	if (!json_object_object_get_ex(b, "events", &a))
		return SQ_OK;
	n = json_object_array_length(a);
	for (i = 0; i < n && i <= SQ_WEBHOOK_EVENTS_MAX; i++) {
		v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string))
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Field 'events[%zu]' must be a string",
			    i);
		names[i] = json_object_get_string(v);
	}
	in->events = names;
	in->nevents = n;
	return SQ_OK;
}

static enum sq_err
h_webhook_create(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct webhook_input	 in;
	struct webhook		 h;
	struct uuid		 pid;
	const char		*names[SQ_WEBHOOK_EVENTS_MAX + 1];
	enum sq_err		 rc;
	int			 given;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", &pid, e)) != SQ_OK ||
	    (rc = body_object(r, webhook_fields, 3, 0, &b, e)) != SQ_OK)
		return rc;
	memset(&in, 0, sizeof(in));
	in.url = opt_str(b, "url", &given);
	in.secret = opt_str(b, "secret", &given);
	if ((rc = webhook_events_from(b, names, &in, e)) == SQ_OK &&
	    (rc = webhook_create(r->w->db, &r->who, &pid, &in, &h, e)) == SQ_OK)
		REPLY_ONE(r, 201, write_webhook, &h);
	json_object_put(b);
	return rc;
}

static enum sq_err
h_webhook_list(struct req *r, struct sq_error *e)
{
	struct webhook	*items;
	struct buf	 b;
	struct jsonw	 w;
	struct page	 pg;
	struct uuid	 pid;
	long long	 total;
	size_t		 n, i;
	enum sq_err	 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", &pid, e)) != SQ_OK ||
	    (rc = get_page(r, &pg, e)) != SQ_OK ||
	    (rc = webhook_list(r->w->db, &r->who, &pid, &pg, &items, &n, &total, e)) != SQ_OK)
		return rc;
	doc_begin(&b, &w);
	v1_page_begin(&w);
	for (i = 0; i < n; i++)
		write_webhook(&w, NULL, &items[i]);
	free(items);
	v1_page_end(r, &w, total, &pg);
	return SQ_OK;
}

static enum sq_err
webhook_ids(struct req *r, struct uuid *pid, struct uuid *wid, struct sq_error *e)
{
	enum sq_err rc;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", pid, e)) != SQ_OK)
		return rc;
	return param_id(r, 1, ID_PREFIX_WEBHOOK, "Webhook", wid, e);
}

static enum sq_err
h_webhook_get(struct req *r, struct sq_error *e)
{
	struct webhook	 h;
	struct uuid	 pid, wid;
	enum sq_err	 rc;

	if ((rc = webhook_ids(r, &pid, &wid, e)) != SQ_OK ||
	    (rc = webhook_get(r->w->db, &r->who, &pid, &wid, &h, e)) != SQ_OK)
		return rc;
	REPLY_ONE(r, 200, write_webhook, &h);
	return SQ_OK;
}

static enum sq_err
h_webhook_delete(struct req *r, struct sq_error *e)
{
	struct uuid	 pid, wid;
	enum sq_err	 rc;

	if ((rc = webhook_ids(r, &pid, &wid, e)) != SQ_OK ||
	    (rc = webhook_delete(r->w->db, &r->who, &pid, &wid, e)) != SQ_OK)
		return rc;
	req_reply_empty(r, 204);
	return SQ_OK;
}

static enum sq_err
h_webhook_deliveries(struct req *r, struct sq_error *e)
{
	struct webhook_delivery	*items;
	struct buf		 b;
	struct jsonw		 w;
	struct page		 pg;
	struct uuid		 pid, wid;
	long long		 total;
	size_t			 n, i;
	enum sq_err		 rc;

	if ((rc = webhook_ids(r, &pid, &wid, e)) != SQ_OK || (rc = get_page(r, &pg, e)) != SQ_OK ||
	    (rc = webhook_deliveries(r->w->db, &r->who, &pid, &wid, &pg, &items, &n, &total,
	    e)) != SQ_OK)
		return rc;
	doc_begin(&b, &w);
	v1_page_begin(&w);
	for (i = 0; i < n; i++)
		write_delivery(&w, NULL, &items[i]);
	free(items);
	v1_page_end(r, &w, total, &pg);
	return SQ_OK;
}

/* ---- jobs ---- */

static enum sq_err
h_job_list(struct req *r, struct sq_error *e)
{
	struct job_filter	 f;
	struct job		*items;
	struct buf		 b;
	struct jsonw		 w;
	struct page		 pg;
	struct uuid		 pid;
	const char		*s;
	long long		 total;
	size_t			 n, i;
	enum sq_err		 rc;

	memset(&f, 0, sizeof(f));
	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", &pid, e)) != SQ_OK ||
	    (rc = get_page(r, &pg, e)) != SQ_OK)
		return rc;
	if ((s = query_get(&r->query, "status")) != NULL) {
		if (job_status_parse(s, &f.status) == -1)
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid status: must be one of "
			    "pending, running, completed, failed, cancelled");
		f.has_status = 1;
	}
	if ((s = query_get(&r->query, "source")) != NULL) {
		if (job_source_parse(s, &f.source) == -1)
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid source: must be one of "
			    "manual, scheduled, api, retry");
		f.has_source = 1;
	}
	if ((rc = job_list(r->w->db, &r->who, &pid, &f, &pg, &items, &n, &total, e)) != SQ_OK)
		return rc;
	doc_begin(&b, &w);
	v1_page_begin(&w);
	for (i = 0; i < n; i++)
		write_job(&w, NULL, &items[i], 0, r->w->cfg);
	job_list_free(items, n);
	v1_page_end(r, &w, total, &pg);
	return SQ_OK;
}

static const struct jsonbody_field job_fields[] = {
	{ "target_ids", JF_ARRAY, 1 },
	{ "max_results_per_target", JF_INT, 1 },
	{ "config", JF_OBJECT, 1 },
};

/*
 * A job's config shows max_results_per_target and targets beside the crawl options;
 * sent back in a create's config they mean max_results_per_target and target_ids
 * (given in both places, they must agree).
 */
static enum sq_err
config_aliases(struct json_object *b, struct sq_error *e)
{
	static const char *const alias[][2] = {
		{ "max_results_per_target", "max_results_per_target" }, { "targets", "target_ids" },
	};
	struct json_object	*c, *v, *top;
	size_t			 i;

	if (!json_object_is_type(b, json_type_object) ||
	    !json_object_object_get_ex(b, "config", &c) || !json_object_is_type(c, json_type_object))
		return SQ_OK;
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++) {
		if (!json_object_object_get_ex(c, alias[i][0], &v))
			continue;
		if (json_object_object_get_ex(b, alias[i][1], &top) && top != NULL &&
		    !json_object_equal(top, v))
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Fields '%s' and 'config.%s' disagree",
			    alias[i][1], alias[i][0]);
		json_object_object_add(b, alias[i][1], json_object_get(v));
		json_object_object_del(c, alias[i][0]);
	}
	return SQ_OK;
}

enum sq_err
v1_read_target_ids(struct json_object *b, struct uuid **ids, size_t *n, struct sq_error *e)
{
	struct json_object	*a, *v;
	size_t			 i, len;

	*ids = NULL;
	*n = 0;
	if (!json_object_object_get_ex(b, "target_ids", &a) || a == NULL)
		return SQ_OK;
	if ((len = json_object_array_length(a)) > SQ_TARGET_IDS_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "Field 'target_ids' may hold at most %d ids",
		    SQ_TARGET_IDS_MAX);
	if ((*ids = calloc(len ? len : 1, sizeof(**ids))) == NULL)
		return sq_fail(e, SQ_ERR_NOMEM, NULL);
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string)) {
			free(*ids);
			*ids = NULL;
			return sq_fail(e, SQ_ERR_BAD_REQUEST,
			    "Field 'target_ids' must be an array of strings");
		}
		if (id_parse(ID_PREFIX_TARGET, json_object_get_string(v), &(*ids)[i]) == -1) {
			free(*ids);
			*ids = NULL;
			return sq_fail(e, SQ_ERR_INVALID, "Unknown target id: %.80s",
			    json_object_get_string(v));
		}
	}
	*n = len;
	return SQ_OK;
}

static enum sq_err
h_job_create(struct req *r, struct sq_error *e)
{
	struct json_object	*b, *c;
	struct job_input	 in;
	struct uuid		 pid, *ids = NULL;
	struct job		 j;
	enum sq_err		 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_PROJECT, "Project", &pid, e)) != SQ_OK)
		return rc;
	if ((b = req_json(r, 1, e)) == NULL)
		return e->code;
	memset(&in, 0, sizeof(in));
	memset(&j, 0, sizeof(j));
	if ((rc = config_aliases(b, e)) != SQ_OK || (rc = jsonbody_check(b, job_fields,
	    sizeof(job_fields) / sizeof(job_fields[0]), e)) != SQ_OK)
		goto out;
	in.config = json_object_object_get_ex(b, "config", &c) ? c : NULL;
	if ((rc = check_int_range(b, "max_results_per_target", 1, SQ_RESULTS_PER_TARGET_MAX,
	    e)) != SQ_OK || (rc = v1_read_target_ids(b, &ids, &in.ntarget_ids, e)) != SQ_OK)
		goto out;
	in.target_ids = ids;
	in.max_results_per_target = opt_int(b, "max_results_per_target");
	if ((rc = job_create(r->w->db, r->w->cfg, &r->who, &pid, &in, &j, e)) == SQ_OK)
		reply_job(r, 201, &j);
out:
	job_clear(&j);
	free(ids);
	json_object_put(b);
	return rc;
}

static enum sq_err
h_job_get(struct req *r, struct sq_error *e)
{
	struct uuid	 id;
	struct job	 j;
	enum sq_err	 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_JOB, "Job", &id, e)) != SQ_OK ||
	    (rc = job_get_auth(r->w->db, &r->who, &id, &j, e)) != SQ_OK)
		return rc;
	reply_job(r, 200, &j);
	job_clear(&j);
	return SQ_OK;
}

/* cancel and retry take no body; a body, if sent, must be an empty object. */
static enum sq_err
empty_body(struct req *r, struct sq_error *e)
{
	struct json_object *b;
	enum sq_err rc;

	if ((rc = body_object(r, NULL, 0, 1, &b, e)) != SQ_OK)
		return rc;
	json_object_put(b);
	return SQ_OK;
}

static enum sq_err
h_job_cancel(struct req *r, struct sq_error *e)
{
	struct uuid	 id;
	struct job	 j;
	enum sq_err	 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_JOB, "Job", &id, e)) != SQ_OK ||
	    (rc = empty_body(r, e)) != SQ_OK ||
	    (rc = job_cancel(r->w->db, &r->who, &id, &j, e)) != SQ_OK)
		return rc;
	reply_job(r, 200, &j);
	job_clear(&j);
	return SQ_OK;
}

static enum sq_err
h_job_retry(struct req *r, struct sq_error *e)
{
	struct uuid	 id;
	struct job	 j;
	enum sq_err	 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_JOB, "Job", &id, e)) != SQ_OK ||
	    (rc = empty_body(r, e)) != SQ_OK ||
	    (rc = job_retry(r->w->db, r->w->cfg, &r->who, &id, &j, e)) != SQ_OK)
		return rc;
	reply_job(r, 201, &j);
	job_clear(&j);
	return SQ_OK;
}

static enum sq_err
h_job_logs(struct req *r, struct sq_error *e)
{
	struct job_log		*items;
	struct buf		 b;
	struct jsonw		 w;
	enum job_log_level	 lvl;
	struct uuid		 id;
	const char		*s;
	long long		 limit = SQ_LOG_LIMIT_DEFAULT;
	size_t			 n, i;
	enum sq_err		 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_JOB, "Job", &id, e)) != SQ_OK ||
	    (rc = req_query(r, e)) != SQ_OK)
		return rc;
	if ((s = query_get(&r->query, "limit")) != NULL &&
	    parse_int_range(s, 1, SQ_LOG_LIMIT_MAX, &limit) == -1)
		return sq_fail(e, SQ_ERR_BAD_REQUEST,
		    "Invalid limit: must be an integer from 1 to %d", SQ_LOG_LIMIT_MAX);
	if ((s = query_get(&r->query, "level")) != NULL && job_log_level_parse(s, &lvl) == -1)
		return sq_fail(e, SQ_ERR_BAD_REQUEST,
		    "Invalid level: must be one of debug, info, warning, error");
	if ((rc = job_logs(r->w->db, &r->who, &id, s ? &lvl : NULL, limit, &items, &n, e)) != SQ_OK)
		return rc;
	doc_begin(&b, &w);
	jsonw_object(&w, NULL);
	jsonw_array(&w, "logs");
	for (i = 0; i < n; i++) {
		jsonw_object(&w, NULL);
		v1_write_time(&w, "timestamp", items[i].ts, 1);
		jsonw_str(&w, "level", job_log_level_name(items[i].level));
		jsonw_str(&w, "message", items[i].message);
		if (items[i].has_target)
			v1_write_id(&w, "target_id", ID_PREFIX_TARGET, &items[i].target_id);
		else
			jsonw_null(&w, "target_id");
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_end(&w);
	job_logs_free(items, n);
	req_reply_doc(r, 200, &w);
	buf_free(&b);
	return SQ_OK;
}

/* ---- results, crawl errors, status ---- */

/* A query parameter given at most once: its value, or NULL when absent. */
static enum sq_err
one_param(struct req *r, const char *name, const char **out, struct sq_error *e)
{
	if (query_count(&r->query, name) > 1)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid %s: must be given at most once", name);
	*out = query_get(&r->query, name);
	return SQ_OK;
}

/* The paging members that close a streamed page; next is NULL on the last page. */
static void
window_end(struct jsonw *w, long long total, const struct rows_window *win, const char *next)
{
	jsonw_end(w);
	jsonw_int(w, "total", total);
	jsonw_int(w, "offset", win->offset);
	jsonw_int(w, "limit", win->limit);
	jsonw_str(w, "next", next);
	jsonw_end(w);
}

/* Writes the link to the page after win into out ("" when win is the last page). */
static void
window_next(char *out, size_t outsz, const char *base, const struct rows_window *win,
    long long total, const char *extra_key, const char *extra_val)
{
	int n;

	out[0] = '\0';
	if (win->limit < 0 || win->offset + win->limit >= total ||
	    win->offset + win->limit > SQ_RESULTS_OFFSET_MAX)
		return;
	n = snprintf(out, outsz, "%s?offset=%lld&limit=%lld%s%s%s%s", base,
	    win->offset + win->limit, win->limit, extra_val ? "&" : "",
	    extra_val ? extra_key : "", extra_val ? "=" : "", extra_val ? extra_val : "");
	if (n < 0 || (size_t)n >= outsz)
		out[0] = '\0';
}

/* The query of GET /api/v1/jobs/{id}/results. */
struct results_ask {
	enum export_format	 format;
	unsigned		 csv_flags;
	int			 has_columns;
	struct result_cols	 cols;
	struct rows_window	 win;
};

static enum sq_err
results_ask_parse(struct req *r, struct results_ask *a, struct sq_error *e)
{
	const char	*format = NULL, *columns = NULL, *guard = NULL;
	enum sq_err	 rc;

	memset(a, 0, sizeof(*a));
	if ((rc = req_query(r, e)) != SQ_OK || (rc = one_param(r, "format", &format, e)) != SQ_OK ||
	    (rc = one_param(r, "columns", &columns, e)) != SQ_OK ||
	    (rc = one_param(r, "formula_guard", &guard, e)) != SQ_OK ||
	    (rc = export_format_parse(format, &a->format, e)) != SQ_OK)
		return rc;
	if (guard != NULL && strcmp(guard, "0") != 0 && strcmp(guard, "1") != 0)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid formula_guard: must be 0 or 1");
	a->csv_flags = guard != NULL && strcmp(guard, "0") == 0 ? 0 : CSV_GUARD_FORMULAS;
	if ((a->has_columns = columns != NULL))
		rc = result_cols_parse(columns, &a->cols, e);
	else
		result_cols_all(&a->cols);
	if (rc != SQ_OK)
		return rc;
	return export_window_parse(&r->query, a->format, &a->win, e);
}

/* The paging members after the rows: total, offset, limit, and the link to the next page. */
static void
results_page_end(struct jsonw *w, const struct uuid *id, const struct results_ask *a,
    long long total)
{
	char jid[ID_STR_MAX], base[96], next[512], cols[256];

	id_format(ID_PREFIX_JOB, id, jid, sizeof(jid));
	snprintf(base, sizeof(base), "/api/v1/jobs/%s/results", jid);
	if (!a->has_columns || result_cols_format(&a->cols, cols, sizeof(cols)) == -1)
		cols[0] = '\0';
	window_next(next, sizeof(next), base, &a->win, total, "columns", cols[0] ? cols : NULL);
	window_end(w, total, &a->win, next[0] ? next : NULL);
}

static enum sq_err
h_job_results(struct req *r, struct sq_error *e)
{
	struct results_ask	 a;
	struct export_opts	 o;
	struct export		 x;
	struct uuid		 id;
	char			 jid[ID_STR_MAX], name[ID_STR_MAX + 4];
	long long		 total = 0;
	enum sq_err		 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_JOB, "Job", &id, e)) != SQ_OK ||
	    (rc = results_ask_parse(r, &a, e)) != SQ_OK)
		return rc;
	id_format(ID_PREFIX_JOB, &id, jid, sizeof(jid));
	snprintf(name, sizeof(name), "%s.csv", jid);
	o = (struct export_opts){ a.format, &a.cols, a.csv_flags, name, NULL };
	export_begin(&x, r, &o);
	if (a.format == EXPORT_CSV)
		return export_finish(&x, results_read(r->w->db, &r->who, &id, &a.win, &a.cols,
		    export_row, &x, NULL, e), e);
	v1_page_begin(&x.w);
	rc = results_read(r->w->db, &r->who, &id, &a.win, &a.cols, export_row, &x, &total, e);
	if (rc == SQ_OK)
		results_page_end(&x.w, &id, &a, total);
	return export_finish(&x, rc, e);
}

struct errors_out {
	struct req_stream	 s;
	struct jsonw		 w;
};

static int
crawl_error_json(void *arg, const struct crawl_error *ce)
{
	struct errors_out	*o = arg;
	struct jsonw		*w = &o->w;

	jsonw_object(w, NULL);
	jsonw_str(w, "url", ce->url);
	jsonw_str(w, "kind", crawl_error_kind_name(ce->kind));
	if (ce->has_status)
		jsonw_int(w, "status_code", ce->status_code);
	else
		jsonw_null(w, "status_code");
	jsonw_str(w, "message", ce->message);
	if (ce->has_target)
		v1_write_id(w, "target_id", ID_PREFIX_TARGET, &ce->target_id);
	else
		jsonw_null(w, "target_id");
	v1_write_time(w, "created_at", ce->created_at, 1);
	jsonw_end(w);
	return req_stream_flush(&o->s);
}

static enum sq_err
h_job_errors(struct req *r, struct sq_error *e)
{
	struct errors_out	 o;
	struct rows_window	 win;
	enum crawl_error_kind	 kind;
	struct uuid		 id;
	const char		*k = NULL;
	char			 jid[ID_STR_MAX], base[96], next[256];
	long long		 total = 0;
	enum sq_err		 rc;

	if ((rc = param_id(r, 0, ID_PREFIX_JOB, "Job", &id, e)) != SQ_OK ||
	    (rc = req_query(r, e)) != SQ_OK || (rc = one_param(r, "kind", &k, e)) != SQ_OK ||
	    (rc = pagination_window_parse(&r->query, SQ_RESULTS_LIMIT_DEFAULT,
	    SQ_RESULTS_LIMIT_MAX, SQ_RESULTS_OFFSET_MAX, &win, e)) != SQ_OK)
		return rc;
	if (k != NULL && crawl_error_kind_parse(k, &kind) == -1)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid kind: must be one of fetch, http, "
		    "robots, refused, too_large, redirects, type, selector");
	req_stream_begin(&o.s, r, 200, "application/json", NULL);
	jsonw_init(&o.w, &o.s.b);
	v1_page_begin(&o.w);
	rc = crawl_errors_read(r->w->db, &r->who, &id, k ? &kind : NULL, &win, crawl_error_json,
	    &o, &total, e);
	if (rc == SQ_OK) {
		id_format(ID_PREFIX_JOB, &id, jid, sizeof(jid));
		snprintf(base, sizeof(base), "/api/v1/jobs/%s/errors", jid);
		window_next(next, sizeof(next), base, &win, total, "kind",
		    k ? crawl_error_kind_name(kind) : NULL);
		window_end(&o.w, total, &win, next[0] ? next : NULL);
		if (jsonw_failed(&o.w))
			rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	}
	return req_stream_finish(&o.s, rc, e);
}

static enum sq_err
h_status(struct req *r, struct sq_error *e)
{
	struct health	 h;
	enum sq_err	 rc;
	struct buf	 b;
	struct jsonw	 w;

	if ((rc = health_read(r->w->db, &h, e)) != SQ_OK)
		return rc;
	doc_begin(&b, &w);
	jsonw_object(&w, NULL);
	health_json(&w, &h, r->who.is_admin,       /* hosts and pids: administrators only */
	    events_probe(r->w->cfg->events_listen, SQ_EVENTS_PROBE_MS));
	jsonw_end(&w);
	req_reply_doc(r, 200, &w);
	buf_free(&b);
	health_clear(&h);
	return SQ_OK;
}

const struct route dialect_v1_routes[] = {
	{ "GET", "/api/v1/ping", h_ping, 0 },
	{ "POST", "/api/v1/projects", h_project_create, 1 },
	{ "GET", "/api/v1/projects", h_project_list, 1 },
	{ "GET", "/api/v1/projects/{}", h_project_get, 1 },
	{ "PATCH", "/api/v1/projects/{}", h_project_patch, 1 },
	{ "GET", "/api/v1/projects/{}/members", h_member_list, 1 },
	{ "PUT", "/api/v1/projects/{}/members/{}", h_member_put, 1 },
	{ "DELETE", "/api/v1/projects/{}/members/{}", h_member_delete, 1 },
	{ "POST", "/api/v1/projects/{}/targets", h_target_create, 1 },
	{ "GET", "/api/v1/projects/{}/targets", h_target_list, 1 },
	{ "GET", "/api/v1/projects/{}/targets/{}", h_target_get, 1 },
	{ "PATCH", "/api/v1/projects/{}/targets/{}", h_target_patch, 1 },
	{ "DELETE", "/api/v1/projects/{}/targets/{}", h_target_delete, 1 },
	{ "POST", "/api/v1/projects/{}/webhooks", h_webhook_create, 1 },
	{ "GET", "/api/v1/projects/{}/webhooks", h_webhook_list, 1 },
	{ "GET", "/api/v1/projects/{}/webhooks/{}", h_webhook_get, 1 },
	{ "DELETE", "/api/v1/projects/{}/webhooks/{}", h_webhook_delete, 1 },
	{ "GET", "/api/v1/projects/{}/webhooks/{}/deliveries", h_webhook_deliveries, 1 },
	{ "GET", "/api/v1/projects/{}/jobs", h_job_list, ROUTE_AUTH_READ },
	{ "POST", "/api/v1/projects/{}/jobs", h_job_create, 1 },
	{ "GET", "/api/v1/jobs/{}", h_job_get, ROUTE_AUTH_READ },
	{ "POST", "/api/v1/jobs/{}/cancel", h_job_cancel, 1 },
	{ "POST", "/api/v1/jobs/{}/retry", h_job_retry, 1 },
	{ "GET", "/api/v1/jobs/{}/logs", h_job_logs, 1 },
	{ "GET", "/api/v1/jobs/{}/results", h_job_results, 1 },
	{ "GET", "/api/v1/jobs/{}/errors", h_job_errors, 1 },
	{ "GET", "/api/v1/status", h_status, 1 },
	{ "POST", "/api/v1/projects/{}/schedules", v1_schedule_create, 1 },
	{ "GET", "/api/v1/projects/{}/schedules", v1_schedule_list, 1 },
	{ "GET", "/api/v1/projects/{}/schedules/{}", v1_schedule_get, 1 },
	{ "PATCH", "/api/v1/projects/{}/schedules/{}", v1_schedule_patch, 1 },
	{ "DELETE", "/api/v1/projects/{}/schedules/{}", v1_schedule_delete, 1 },
	{ NULL, NULL, NULL, 0 },
};
