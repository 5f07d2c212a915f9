/* test_transition.c: the job state machine, every (from, to) pair. */
#include <string.h>

#include "scrapeq/job_transition.h"
#include "tap.h"

/* Expected legality, written out longhand so a change to the table shows up here. */
static const struct {
	enum job_status from, to;
	int ok;
} rows[] = {
	{ JOB_PENDING, JOB_PENDING, 0 }, { JOB_PENDING, JOB_RUNNING, 1 },
	{ JOB_PENDING, JOB_COMPLETED, 0 }, { JOB_PENDING, JOB_FAILED, 1 },
	{ JOB_PENDING, JOB_CANCELLED, 1 },
	{ JOB_RUNNING, JOB_PENDING, 1 }, { JOB_RUNNING, JOB_RUNNING, 0 },
	{ JOB_RUNNING, JOB_COMPLETED, 1 }, { JOB_RUNNING, JOB_FAILED, 1 },
	{ JOB_RUNNING, JOB_CANCELLED, 1 },
	{ JOB_COMPLETED, JOB_PENDING, 0 }, { JOB_COMPLETED, JOB_RUNNING, 0 },
	{ JOB_COMPLETED, JOB_COMPLETED, 0 }, { JOB_COMPLETED, JOB_FAILED, 0 },
	{ JOB_COMPLETED, JOB_CANCELLED, 0 },
	{ JOB_FAILED, JOB_PENDING, 1 }, { JOB_FAILED, JOB_RUNNING, 0 },
	{ JOB_FAILED, JOB_COMPLETED, 0 }, { JOB_FAILED, JOB_FAILED, 0 },
	{ JOB_FAILED, JOB_CANCELLED, 1 },
	{ JOB_CANCELLED, JOB_PENDING, 1 }, { JOB_CANCELLED, JOB_RUNNING, 0 },
	{ JOB_CANCELLED, JOB_COMPLETED, 0 }, { JOB_CANCELLED, JOB_FAILED, 0 },
	{ JOB_CANCELLED, JOB_CANCELLED, 0 },
	{ (enum job_status)99, JOB_PENDING, 0 }, { JOB_PENDING, (enum job_status)-1, 0 },
};

/* Seed 001's client table (PUT /api/scrape-jobs/{id}), every pair. */
static const struct {
	enum job_status from, to;
	int ok;
} client_rows[] = {
	{ JOB_PENDING, JOB_PENDING, 0 }, { JOB_PENDING, JOB_RUNNING, 1 },
	{ JOB_PENDING, JOB_COMPLETED, 0 }, { JOB_PENDING, JOB_FAILED, 0 },
	{ JOB_PENDING, JOB_CANCELLED, 1 },
	{ JOB_RUNNING, JOB_PENDING, 0 }, { JOB_RUNNING, JOB_RUNNING, 0 },
	{ JOB_RUNNING, JOB_COMPLETED, 1 }, { JOB_RUNNING, JOB_FAILED, 1 },
	{ JOB_RUNNING, JOB_CANCELLED, 1 },
	{ JOB_COMPLETED, JOB_PENDING, 0 }, { JOB_COMPLETED, JOB_RUNNING, 0 },
	{ JOB_COMPLETED, JOB_COMPLETED, 0 }, { JOB_COMPLETED, JOB_FAILED, 0 },
	{ JOB_COMPLETED, JOB_CANCELLED, 0 },
	{ JOB_FAILED, JOB_PENDING, 1 }, { JOB_FAILED, JOB_RUNNING, 0 },
	{ JOB_FAILED, JOB_COMPLETED, 0 }, { JOB_FAILED, JOB_FAILED, 0 },
	{ JOB_FAILED, JOB_CANCELLED, 1 },
	{ JOB_CANCELLED, JOB_PENDING, 0 }, { JOB_CANCELLED, JOB_RUNNING, 0 },
	{ JOB_CANCELLED, JOB_COMPLETED, 0 }, { JOB_CANCELLED, JOB_FAILED, 0 },
	{ JOB_CANCELLED, JOB_CANCELLED, 0 },
	{ (enum job_status)99, JOB_PENDING, 0 }, { JOB_FAILED, (enum job_status)-1, 0 },
};

static const struct {
	const char *name;
	int ok;
	enum job_status st;
} names[] = {
	{ "pending", 1, JOB_PENDING }, { "running", 1, JOB_RUNNING },
	{ "completed", 1, JOB_COMPLETED }, { "failed", 1, JOB_FAILED },
	{ "cancelled", 1, JOB_CANCELLED }, { "canceled", 0, 0 }, { "queued", 0, 0 },
	{ "success", 0, 0 }, { "Pending", 0, 0 }, { "", 0, 0 }, { "pending ", 0, 0 },
};

int
main(void)
{
	enum job_status	 st, to;
	enum job_source	 src;
	size_t		 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		TAP_CHECK(job_transition_allowed(rows[i].from, rows[i].to) == rows[i].ok,
		    "%s -> %s should be %s", job_status_name(rows[i].from),
		    job_status_name(rows[i].to), rows[i].ok ? "allowed" : "refused");
	for (i = 0; i < sizeof(client_rows) / sizeof(client_rows[0]); i++)
		TAP_CHECK(job_client_transition_allowed(client_rows[i].from, client_rows[i].to) ==
		    client_rows[i].ok, "client %s -> %s should be %s",
		    job_status_name(client_rows[i].from), job_status_name(client_rows[i].to),
		    client_rows[i].ok ? "allowed" : "refused");
	/* The door binds its guards from the table: a client's move must be in it too. */
	for (st = 0; st < JOB_STATUS__COUNT; st++)
		for (to = 0; to < JOB_STATUS__COUNT; to++) {
			const char *g = job_transition_guard(st, to);

			TAP_CHECK(!job_client_transition_allowed(st, to) ||
			    job_transition_allowed(st, to), "client move %s -> %s is in the table",
			    job_status_name(st), job_status_name(to));
			TAP_CHECK(job_transition_allowed(st, to) ? g != NULL &&
			    strcmp(g, job_status_name(st)) == 0 : g == NULL,
			    "guard of %s -> %s", job_status_name(st), job_status_name(to));
		}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int ok = job_status_parse(names[i].name, &st) == 0;

		TAP_CHECK(ok == names[i].ok && (!ok || st == names[i].st),
		    "job_status_parse(\"%s\")", names[i].name);
		if (ok)
			TAP_STREQ(job_status_name(st), names[i].name, "name round trip");
	}
	TAP_CHECK(job_status_parse(NULL, &st) == -1, "NULL status");
	TAP_CHECK(job_source_parse("retry", &src) == 0 && src == JOB_SRC_RETRY, "source retry");
	TAP_CHECK(job_source_parse("cron", &src) == -1, "unknown source");
	TAP_CHECK(job_can_cancel(JOB_PENDING) && job_can_cancel(JOB_RUNNING) &&
	    !job_can_cancel(JOB_COMPLETED) && !job_can_cancel(JOB_FAILED) &&
	    !job_can_cancel(JOB_CANCELLED), "cancellable statuses");
	TAP_CHECK(!job_can_retry(JOB_PENDING) && !job_can_retry(JOB_RUNNING) &&
	    !job_can_retry(JOB_COMPLETED) && job_can_retry(JOB_FAILED) &&
	    job_can_retry(JOB_CANCELLED), "retryable statuses");
	TAP_CHECK(!job_status_terminal(JOB_PENDING) && !job_status_terminal(JOB_RUNNING) &&
	    job_status_terminal(JOB_COMPLETED) && job_status_terminal(JOB_FAILED) &&
	    job_status_terminal(JOB_CANCELLED), "terminal statuses");
	TAP_STREQ(job_status_name((enum job_status)42), "unknown", "out of range name");
	return tap_done("test_transition");
}
