/* dialect_v1_schedule.c: the canonical API's schedules routes: body reader and serializer over schedule.h. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scrapeq/jsonbody.h"
#include "scrapeq/jsonw.h"
#include "scrapeq/limits.h"
#include "scrapeq/pagination.h"
#include "scrapeq/schedule.h"
#include "scrapeq/timefmt.h"
#include "dialect_v1.h"

static void
write_schedule(struct jsonw *w, const struct schedule *s)
{
	size_t i;

	jsonw_object(w, NULL);
	v1_write_id(w, "id", ID_PREFIX_SCHEDULE, &s->id);
	v1_write_id(w, "project_id", ID_PREFIX_PROJECT, &s->project_id);
	jsonw_str(w, "cron", s->cron);
	jsonw_str(w, "timezone", s->timezone);
	if (s->target_ids != NULL) {
		jsonw_array(w, "target_ids");
		for (i = 0; i < s->ntarget_ids; i++)
			v1_write_id(w, NULL, ID_PREFIX_TARGET, &s->target_ids[i]);
		jsonw_end(w);
	} else
		jsonw_null(w, "target_ids");
	jsonw_raw(w, "config", s->config);
	jsonw_bool(w, "enabled", s->enabled);
	v1_write_time(w, "next_run_at", s->next_run_at, 1);
	v1_write_time(w, "last_run_at", s->last_run_at, 1);
	if (s->has_last_job)
		v1_write_id(w, "last_job_id", ID_PREFIX_JOB, &s->last_job_id);
	else
		jsonw_null(w, "last_job_id");
	jsonw_str(w, "last_error", s->last_error[0] ? s->last_error : NULL);
	v1_write_time(w, "created_at", s->created_at, 1);
	v1_write_time(w, "updated_at", s->updated_at, 1);
	jsonw_end(w);
}

static void
reply_schedule(struct req *r, int status, const struct schedule *s)
{
	struct buf	 b;
	struct jsonw	 w;

	buf_init(&b, 0);
	jsonw_init(&w, &b);
	write_schedule(&w, s);
	req_reply_doc(r, status, &w);
	buf_free(&b);
}

/* The project of the path, and the schedule when the route has one. */
static enum sq_err
path_ids(struct req *r, struct uuid *pid, struct uuid *sid, struct sq_error *e)
{
	if (r->nparams < 1 || id_parse(ID_PREFIX_PROJECT, r->params[0], pid) == -1)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
	if (sid != NULL && (r->nparams < 2 ||
	    id_parse(ID_PREFIX_SCHEDULE, r->params[1], sid) == -1))
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Schedule not found");
	return SQ_OK;
}

static const struct jsonbody_field schedule_fields[] = {
	{ "cron", JF_STRING, 0 },
	{ "timezone", JF_STRING, 0 },
	{ "target_ids", JF_ARRAY, 1 },
	{ "config", JF_OBJECT, 1 },
	{ "enabled", JF_BOOL, 0 },
};

/* Reads a body into *in (its strings and objects point into b; ids the caller frees). */
static enum sq_err
read_input(struct json_object *b, struct schedule_input *in, struct uuid **ids,
    struct sq_error *e)
{
	struct json_object	*v;
	enum sq_err		 rc;

	memset(in, 0, sizeof(*in));
	in->enabled = -1;
	if ((rc = jsonbody_check(b, schedule_fields,
	    sizeof(schedule_fields) / sizeof(schedule_fields[0]), e)) != SQ_OK)
		return rc;
	if (json_object_object_get_ex(b, "cron", &v))
		in->cron = json_object_get_string(v);
	if (json_object_object_get_ex(b, "timezone", &v))
		in->timezone = json_object_get_string(v);
	if ((in->config_given = json_object_object_get_ex(b, "config", &v)))
		in->config = v;
	if (json_object_object_get_ex(b, "enabled", &v))
		in->enabled = json_object_get_boolean(v);
	if ((in->targets_given = json_object_object_get_ex(b, "target_ids", &v))) {
		if ((rc = v1_read_target_ids(b, ids, &in->ntarget_ids, e)) != SQ_OK)
			return rc;
		in->target_ids = *ids;
	}
	return SQ_OK;
}

enum sq_err
v1_schedule_create(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct schedule_input	 in;
	struct schedule		 s;
	struct uuid		 pid, *ids = NULL;
	enum sq_err		 rc;

	memset(&s, 0, sizeof(s));
	if ((rc = path_ids(r, &pid, NULL, e)) != SQ_OK)
		return rc;
	if ((b = req_json(r, 0, e)) == NULL)
		return e->code;
	if ((rc = read_input(b, &in, &ids, e)) == SQ_OK &&
	    (rc = schedule_create(r->w->db, &r->who, &pid, &in, &s, e)) == SQ_OK)
		reply_schedule(r, 201, &s);
	schedule_clear(&s);
	free(ids);
	json_object_put(b);
	return rc;
}

enum sq_err
v1_schedule_list(struct req *r, struct sq_error *e)
{
	struct schedule	*items;
	struct buf	 b;
	struct jsonw	 w;
	struct page	 pg;
	struct uuid	 pid;
	long long	 total;
	size_t		 n, i;
	enum sq_err	 rc;

	if ((rc = path_ids(r, &pid, NULL, e)) != SQ_OK || (rc = req_query(r, e)) != SQ_OK ||
	    (rc = pagination_parse(&r->query, SQ_PER_PAGE_DEFAULT, SQ_PER_PAGE_MAX, &pg,
	    e)) != SQ_OK ||
	    (rc = schedule_list(r->w->db, &r->who, &pid, &pg, &items, &n, &total, e)) != SQ_OK)
		return rc;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	v1_page_begin(&w);
	for (i = 0; i < n; i++)
		write_schedule(&w, &items[i]);
	v1_page_end(r, &w, total, &pg);
	schedule_list_free(items, n);
	return SQ_OK;
}

enum sq_err
v1_schedule_get(struct req *r, struct sq_error *e)
{
	struct schedule	 s;
	struct uuid	 pid, sid;
	enum sq_err	 rc;

	if ((rc = path_ids(r, &pid, &sid, e)) != SQ_OK ||
	    (rc = schedule_get(r->w->db, &r->who, &pid, &sid, &s, e)) != SQ_OK)
		return rc;
	reply_schedule(r, 200, &s);
	schedule_clear(&s);
	return SQ_OK;
}

enum sq_err
v1_schedule_patch(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct schedule_input	 in;
	struct schedule		 s;
	struct uuid		 pid, sid, *ids = NULL;
	enum sq_err		 rc;

	memset(&s, 0, sizeof(s));
	if ((rc = path_ids(r, &pid, &sid, e)) != SQ_OK)
		return rc;
	if ((b = req_json(r, 1, e)) == NULL)
		return e->code;
	if ((rc = read_input(b, &in, &ids, e)) == SQ_OK &&
	    (rc = schedule_update(r->w->db, &r->who, &pid, &sid, &in, &s, e)) == SQ_OK)
		reply_schedule(r, 200, &s);
	schedule_clear(&s);
	free(ids);
	json_object_put(b);
	return rc;
}

enum sq_err
v1_schedule_delete(struct req *r, struct sq_error *e)
{
	struct uuid	 pid, sid;
	enum sq_err	 rc;

	if ((rc = path_ids(r, &pid, &sid, e)) != SQ_OK ||
	    (rc = schedule_delete(r->w->db, &r->who, &pid, &sid, e)) != SQ_OK)
		return rc;
	req_reply_empty(r, 204);
	return SQ_OK;
}
