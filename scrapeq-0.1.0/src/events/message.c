/* message.c: seed 000's message shape, built once per outbox row and shared by every watcher. */
#include <string.h>

#include <json-c/json.h>

#include "scrapeq/jsonw.h"
#include "scrapeq/limits.h"
#include "message.h"

static const struct {
	const char	*outbox;
	const char	*ws;
} type_map[] = {
	{ "progress", "progress" },
	{ "target_started", "target_started" },
	{ "target_completed", "target_completed" },
	{ "target_failed", "target_failed" },
	{ "completed", "completed" },
	{ "failed", "failed" },
	{ "cancelled", "cancelled" },
};

const char *
message_ws_type(const char *outbox_type)
{
	size_t	 i;

	for (i = 0; i < sizeof(type_map) / sizeof(type_map[0]); i++)
		if (strcmp(type_map[i].outbox, outbox_type) == 0)
			return type_map[i].ws;
	return "progress";
}

int
message_terminal(const char *ws_type)
{
	return strcmp(ws_type, "completed") == 0 || strcmp(ws_type, "failed") == 0 ||
	    strcmp(ws_type, "cancelled") == 0;
}

/* data's member key as an integer, or dflt when absent or not an integer. */
static long long
data_int(struct json_object *d, const char *key, long long dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(d, key, &v) || !json_object_is_type(v, json_type_int))
		return dflt;
	return json_object_get_int64(v);
}

static void
put_target(struct jsonw *w, const char *key, const struct uuid *u)
{
	char	 s[ID_STR_MAX + 1];

	if (u == NULL) {
		jsonw_null(w, key);
		return;
	}
	id_format(ID_PREFIX_TARGET, u, s, sizeof(s));
	jsonw_str(w, key, s);
}

/* current_target: a progress row's own value, a target row's target, else the job's. */
static void
put_current(struct jsonw *w, const struct event *ev, struct json_object *d)
{
	struct json_object	*v;
	struct uuid		 u;
	const char		*s;

	if (strcmp(ev->type, "progress") == 0 && json_object_object_get_ex(d, "current_target", &v)) {
		s = json_object_get_string(v);
		put_target(w, "current_target", json_object_is_type(v, json_type_string) &&
		    uuid_parse(s, strlen(s), &u) == 0 ? &u : NULL);
	} else if (ev->has_target)
		put_target(w, "current_target", &ev->target);
	else
		put_target(w, "current_target", ev->has_current ? &ev->current : NULL);
}

/* The job's error: the row's own "error" member when it has one, else the job's. */
static void
put_error(struct jsonw *w, const struct event *ev, struct json_object *d)
{
	struct json_object	*v;

	if (json_object_object_get_ex(d, "error", &v)) {
		jsonw_raw(w, "error", v == NULL ? NULL :
		    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		return;
	}
	jsonw_raw(w, "error", ev->job_error);
}

static void
put_data(struct jsonw *w, const struct event *ev, struct json_object *d, const char *ws)
{
	struct json_object	*v;
	struct job		 j;
	enum job_status		 st = ev->status;
	char			 id[ID_STR_MAX + 1];

	if (json_object_object_get_ex(d, "status", &v) && json_object_is_type(v, json_type_string))
		(void)job_status_parse(json_object_get_string(v), &st);
	memset(&j, 0, sizeof(j));
	j.status = st;
	j.total_targets = ev->total_targets;
	j.completed_targets = ev->completed_targets;
	id_format(ID_PREFIX_JOB, &ev->job_id, id, sizeof(id));
	jsonw_str(w, "job_id", id);
	jsonw_str(w, "status", job_status_name(st));
	jsonw_int(w, "percentage", data_int(d, "percentage", job_percentage(&j)));
	put_current(w, ev, d);
	if (strncmp(ev->type, "target_", 7) == 0) {
		jsonw_int(w, "results_count", ev->total_results);
		jsonw_int(w, "position", data_int(d, "position", 0));
		jsonw_int(w, "target_results_count", data_int(d, "results_count", 0));
	} else
		jsonw_int(w, "results_count", data_int(d, "results_count",
		    data_int(d, "total_results", ev->total_results)));
	if (strcmp(ws, "failed") == 0)
		put_error(w, ev, d);
	jsonw_str(w, "event", ev->type);
}

int
message_build(const struct event *ev, struct buf *out)
{
	struct json_tokener	*tok = NULL;
	struct json_object	*d = NULL;
	struct jsonw		 w;
	const char		*ws = message_ws_type(ev->type);
	int			 rc = -1;

	if ((tok = json_tokener_new_ex(SQ_JSON_DEPTH_MAX)) == NULL)
		goto out;
	d = json_tokener_parse_ex(tok, ev->data, (int)strlen(ev->data));
	if (d == NULL || !json_object_is_type(d, json_type_object))
		goto out;
	jsonw_init(&w, out);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "type", ws);
	jsonw_object(&w, "data");
	put_data(&w, ev, d, ws);
	jsonw_end(&w);
	jsonw_end(&w);
	rc = jsonw_failed(&w) ? -1 : 0;
out:
	json_object_put(d);
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

int
message_sse(unsigned long long id, const char *ws_type, const char *json, size_t len,
    struct buf *out)
{
	if (memchr(json, '\n', len) != NULL || memchr(json, '\r', len) != NULL)
		return -1;
	if (id > 0)
		buf_printf(out, "id: %llu\n", id);
	buf_printf(out, "event: %s\ndata: ", ws_type);
	buf_append(out, json, len);
	buf_puts(out, "\n\n");
	return out->oom ? -1 : 0;
}

const char *
message_from_job(const struct job *j, struct event *ev)
{
	static const char *const types[] = {
		[JOB_PENDING] = "progress", [JOB_RUNNING] = "progress",
		[JOB_COMPLETED] = "completed", [JOB_FAILED] = "failed",
		[JOB_CANCELLED] = "cancelled",
	};

	memset(ev, 0, sizeof(*ev));
	ev->type = (size_t)j->status < sizeof(types) / sizeof(types[0]) &&
	    types[j->status] != NULL ? types[j->status] : "progress";
	ev->job_id = j->id;
	ev->project_id = j->project_id;
	ev->data = "{}";
	ev->status = j->status;
	ev->total_targets = j->total_targets;
	ev->completed_targets = j->completed_targets;
	ev->total_results = j->total_results;
	ev->has_current = j->has_current_target;
	ev->current = j->current_target;
	ev->job_error = j->error;
	return ev->type;
}
