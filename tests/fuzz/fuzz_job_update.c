/* fuzz_job_update.c: libFuzzer target for the PUT/PATCH job bodies: seed 001's PUT, seed 003's PATCH, and the core's checks behind both. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scrapeq/config.h"
#include "scrapeq/job_spec.h"
#include "scrapeq/job_update.h"
#include "scrapeq/jsonbody.h"
#include "scrapeq/limits.h"
#include "dialect.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
is(struct json_object *v, enum json_type t)
{
	return v != NULL && json_object_is_type(v, t);
}

/* The rules of job_update.h, written again; each returns 1 when x keeps its rule. */
static int
ok_progress(const struct job_value *x)
{
	double d;

	if (!x->given)
		return 1;
	if (is(x->v, json_type_int))
		return json_object_get_int64(x->v) >= 0 &&
		    json_object_get_int64(x->v) <= SQ_JOB_PROGRESS_MAX;
	if (!is(x->v, json_type_double))
		return 0;
	d = json_object_get_double(x->v);
	return d >= 0 && d <= SQ_JOB_PROGRESS_MAX && d == (double)(int)d;
}

static int
ok_message(const struct job_value *x)
{
	return !x->given || x->v == NULL || (is(x->v, json_type_string) &&
	    strlen(json_object_get_string(x->v)) <= SQ_JOB_MESSAGE_MAX);
}

static int
ok_retry(const struct job_value *x)
{
	return !x->given || (is(x->v, json_type_int) && json_object_get_int64(x->v) >= 0 &&
	    json_object_get_int64(x->v) <= SQ_JOB_RETRIES_MAX);
}

static int
ok_object(const struct job_value *x)
{
	return !x->given || (is(x->v, json_type_object) &&
	    strlen(json_object_to_json_string_ext(x->v, JSON_C_TO_STRING_PLAIN)) <= SQ_JOB_JSON_MAX);
}

static int
ok_time(const struct job_value *x)
{
	char out[32];

	return !x->given || x->v == NULL || (is(x->v, json_type_string) &&
	    job_spec_time(json_object_get_string(x->v), out) == 0);
}

static int
ok_lease(unsigned s)
{
	return s == 0 || (s >= SQ_LEASE_SECONDS_MIN && s <= SQ_LEASE_SECONDS_MAX);
}

/* Which field the first broken rule is, in the order job_update reports them. */
static enum job_field
model(const struct job_change *c)
{
	if (!ok_lease(c->lease_seconds))
		return JOB_FIELD_LEASE_SECONDS;
	if (!ok_progress(&c->progress))
		return JOB_FIELD_PROGRESS;
	if (!ok_message(&c->progress_message))
		return JOB_FIELD_PROGRESS_MESSAGE;
	if (!ok_retry(&c->retry_count))
		return JOB_FIELD_RETRY_COUNT;
	if (!ok_message(&c->error_message))
		return JOB_FIELD_ERROR_MESSAGE;
	if (!ok_object(&c->stats))
		return JOB_FIELD_STATS;
	if (!ok_object(&c->metadata))
		return JOB_FIELD_METADATA;
	if (!ok_object(&c->result))
		return JOB_FIELD_RESULT;
	if (!ok_time(&c->started_at))
		return JOB_FIELD_STARTED_AT;
	if (!ok_time(&c->completed_at))
		return JOB_FIELD_COMPLETED_AT;
	return JOB_FIELD_NONE;
}

static const char *const names[] = {
	[JOB_FIELD_PROGRESS] = "progress", [JOB_FIELD_PROGRESS_MESSAGE] = "progress_message",
	[JOB_FIELD_RETRY_COUNT] = "retry_count", [JOB_FIELD_ERROR_MESSAGE] = "error_message",
	[JOB_FIELD_STATS] = "stats", [JOB_FIELD_METADATA] = "metadata",
	[JOB_FIELD_RESULT] = "result", [JOB_FIELD_STARTED_AT] = "started_at",
	[JOB_FIELD_COMPLETED_AT] = "completed_at", [JOB_FIELD_LEASE_SECONDS] = "lease_seconds",
};

static void
check_error(const struct sq_error *e)
{
	if (e->code == SQ_OK || memchr(e->message, '\0', sizeof(e->message)) == NULL ||
	    e->message[0] == '\0')
		abort();
}

/* Every member of the body, straight into the change, whatever its type: the core alone judges. */
static void
raw_change(struct json_object *b, struct job_change *c)
{
	c->progress.given = json_object_object_get_ex(b, "progress", &c->progress.v);
	c->progress_message.given = json_object_object_get_ex(b, "progress_message",
	    &c->progress_message.v);
	c->retry_count.given = json_object_object_get_ex(b, "retry_count", &c->retry_count.v);
	c->error_message.given = json_object_object_get_ex(b, "error_message",
	    &c->error_message.v);
	c->stats.given = json_object_object_get_ex(b, "stats", &c->stats.v);
	c->metadata.given = json_object_object_get_ex(b, "metadata", &c->metadata.v);
	c->result.given = json_object_object_get_ex(b, "result", &c->result.v);
	c->started_at.given = json_object_object_get_ex(b, "started_at", &c->started_at.v);
	c->completed_at.given = json_object_object_get_ex(b, "completed_at", &c->completed_at.v);
}

/*
 * Input: a byte picking the reader (seed 001's PUT, seed 003's PATCH, the core's
 * change from every member) and, with two more, a lease in seconds; then the body.
 * A refusal names its field and is the first rule broken; a taken change keeps all.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config	 cfg;
	static int		 ready;
	struct json_object	*b;
	struct job_change	 c;
	struct sq_error		 e;
	enum job_field		 bad, want;
	enum sq_err		 rc = SQ_OK;
	unsigned		 mode;

	if (!ready) {
		config_defaults(&cfg);
		ready = 1;
	}
	if (size < 3)
		return 0;
	memset(&c, 0, sizeof c);
	memset(&e, 0, sizeof e);
	mode = data[0] % 3;
	c.lease_seconds = data[0] & 0x80 ? (unsigned)(data[1] << 8 | data[2]) : 0;
	data += 3, size -= 3;
	if ((b = jsonbody_parse((const char *)data, size, 0, &e)) == NULL) {
		check_error(&e);
		return 0;
	}
	if (mode == 0)
		rc = scrapejobs_put_change(b, &c, &e);
	else if (mode == 1)
		rc = workspace_patch_change(b, &c, &e);
	else if (json_object_is_type(b, json_type_object))
		raw_change(b, &c);
	if (rc != SQ_OK) {
		check_error(&e);
		if (e.code != rc)
			abort();
		goto out;
	}
	memset(&e, 0, sizeof e);
	bad = job_change_check(&cfg, &c, &e);
	want = model(&c);
	if (bad != want)
		abort();
	if (bad == JOB_FIELD_NONE) {
		if (e.code != SQ_OK)
			abort();
		goto out;
	}
	check_error(&e);
	if (e.code != SQ_ERR_BAD_REQUEST || strncmp(e.message, "Invalid ", 8) != 0 ||
	    strncmp(e.message + 8, names[bad], strlen(names[bad])) != 0 ||
	    e.message[8 + strlen(names[bad])] != ':')
		abort();
	if (mode == 1) {
		workspace_patch_phrase(bad, &e);
		check_error(&e);
	}
out:
	json_object_put(b);
	return 0;
}
