/* test_job_update.c: job_change_check, the value rules every dialect's job update meets, in the order they are reported. */
#include <string.h>

#include <json-c/json.h>

#include "scrapeq/config.h"
#include "scrapeq/job_update.h"
#include "tap.h"

struct urow {
	const char	*body;       /* members of the change, as JSON */
	unsigned	 lease;      /* c.lease_seconds */
	enum job_field	 want;
	const char	*message;    /* the start of e.message, or NULL */
};

static const struct urow rows[] = {
	{ "{}", 0, JOB_FIELD_NONE, NULL },
	{ "{\"progress\":0,\"progress_message\":null,\"retry_count\":100,\"error_message\":\"x\","
	    "\"stats\":{},\"metadata\":{\"a\":[1]},\"result\":{},\"started_at\":\"2024-02-29T00:00:00Z\","
	    "\"completed_at\":null}", 3600, JOB_FIELD_NONE, NULL },
	{ "{\"progress\":100.0}", 5, JOB_FIELD_NONE, NULL },
	{ "{}", 4, JOB_FIELD_LEASE_SECONDS, "Invalid lease_seconds: " },
	{ "{}", 3601, JOB_FIELD_LEASE_SECONDS, "Invalid lease_seconds: " },
	{ "{\"progress\":101}", 0, JOB_FIELD_PROGRESS, "Invalid progress: " },
	{ "{\"progress\":-1}", 0, JOB_FIELD_PROGRESS, "Invalid progress: " },
	{ "{\"progress\":50.5}", 0, JOB_FIELD_PROGRESS, "Invalid progress: " },
	{ "{\"progress\":\"5\"}", 0, JOB_FIELD_PROGRESS, "Invalid progress: " },
	{ "{\"progress\":null}", 0, JOB_FIELD_PROGRESS, "Invalid progress: " },
	{ "{\"progress_message\":7}", 0, JOB_FIELD_PROGRESS_MESSAGE, "Invalid progress_message: " },
	{ "{\"retry_count\":101}", 0, JOB_FIELD_RETRY_COUNT, "Invalid retry_count: must be at most 100" },
	{ "{\"retry_count\":-1}", 0, JOB_FIELD_RETRY_COUNT, "Invalid retry_count: " },
	{ "{\"retry_count\":1.0}", 0, JOB_FIELD_RETRY_COUNT, "Invalid retry_count: " },
	{ "{\"error_message\":[]}", 0, JOB_FIELD_ERROR_MESSAGE, "Invalid error_message: " },
	{ "{\"stats\":[1]}", 0, JOB_FIELD_STATS, "Invalid stats: must be an object" },
	{ "{\"metadata\":null}", 0, JOB_FIELD_METADATA, "Invalid metadata: " },
	{ "{\"result\":\"x\"}", 0, JOB_FIELD_RESULT, "Invalid result: " },
	{ "{\"started_at\":\"2024-02-30T00:00:00Z\"}", 0, JOB_FIELD_STARTED_AT, "Invalid started_at: " },
	{ "{\"completed_at\":\"2024-01-01T00:00:00\"}", 0, JOB_FIELD_COMPLETED_AT, "Invalid completed_at: " },
	/* Several broken: the first in job_update.h's order is the one named. */
	{ "{\"completed_at\":1,\"stats\":1,\"progress\":500}", 0, JOB_FIELD_PROGRESS, "Invalid progress: " },
	{ "{\"completed_at\":1,\"stats\":1}", 9999, JOB_FIELD_LEASE_SECONDS, "Invalid lease_seconds: " },
};

static void
member(struct json_object *b, const char *k, struct job_value *v)
{
	v->given = json_object_object_get_ex(b, k, &v->v);
}

int
main(void)
{
	struct config		 cfg;
	struct job_change	 c;
	struct sq_error		 e;
	struct json_object	*b;
	enum job_field		 got;
	size_t			 i;

	config_defaults(&cfg);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&c, 0, sizeof(c));
		memset(&e, 0, sizeof(e));
		b = json_tokener_parse(rows[i].body);
		member(b, "progress", &c.progress);
		member(b, "progress_message", &c.progress_message);
		member(b, "retry_count", &c.retry_count);
		member(b, "error_message", &c.error_message);
		member(b, "stats", &c.stats);
		member(b, "metadata", &c.metadata);
		member(b, "result", &c.result);
		member(b, "started_at", &c.started_at);
		member(b, "completed_at", &c.completed_at);
		c.lease_seconds = rows[i].lease;
		got = job_change_check(&cfg, &c, &e);
		TAP_CHECK(got == rows[i].want, "row %zu: field %d, want %d (%s)", i, got, rows[i].want,
		    e.message);
		if (rows[i].message == NULL)
			TAP_CHECK(e.code == SQ_OK, "row %zu: code %d", i, e.code);
		else
			TAP_CHECK(e.code == SQ_ERR_BAD_REQUEST && strncmp(e.message, rows[i].message,
			    strlen(rows[i].message)) == 0, "row %zu: [%s]", i, e.message);
		json_object_put(b);
	}
	return tap_done("test_job_update");
}
