/* job_transition.c: the job state machine, one table every dialect and the daemon obey. */
#include <string.h>

#include "scrapeq/job_transition.h"

static const char *const status_names[JOB_STATUS__COUNT] = {
	"pending", "running", "completed", "failed", "cancelled",
};

static const char *const source_names[JOB_SOURCE__COUNT] = {
	"manual", "scheduled", "api", "retry",
};

/*
 * allowed[from][to]. running -> pending is a retry with backoff or a reclaimed
 * lease; failed/cancelled -> pending is an in-place retry (seed 003's /retry);
 * failed -> cancelled is seed 001's client marking a failed job given up. completed
 * is final. Every move the client table allows is in this one too.
 */
static const unsigned char allowed[JOB_STATUS__COUNT][JOB_STATUS__COUNT] = {
	/*               pend run comp fail canc */
	[JOB_PENDING]   = { 0,  1,   0,   1,   1 },
	[JOB_RUNNING]   = { 1,  0,   1,   1,   1 },
	[JOB_COMPLETED] = { 0,  0,   0,   0,   0 },
	[JOB_FAILED]    = { 1,  0,   0,   0,   1 },
	[JOB_CANCELLED] = { 1,  0,   0,   0,   0 },
};

/* client[from][to]: seed 001's "Valid Status Updates" table, exactly. */
static const unsigned char client[JOB_STATUS__COUNT][JOB_STATUS__COUNT] = {
	/*               pend run comp fail canc */
	[JOB_PENDING]   = { 0,  1,   0,   0,   1 },
	[JOB_RUNNING]   = { 0,  0,   1,   1,   1 },
	[JOB_COMPLETED] = { 0,  0,   0,   0,   0 },
	[JOB_FAILED]    = { 1,  0,   0,   0,   1 },
	[JOB_CANCELLED] = { 0,  0,   0,   0,   0 },
};

const char *
job_status_name(enum job_status s)
{
	if ((unsigned)s >= JOB_STATUS__COUNT)
		return "unknown";
	return status_names[s];
}

int
job_status_parse(const char *s, enum job_status *out)
{
	int i;

	for (i = 0; s != NULL && i < JOB_STATUS__COUNT; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum job_status)i;
			return 0;
		}
	return -1;
}

const char *
job_source_name(enum job_source s)
{
	if ((unsigned)s >= JOB_SOURCE__COUNT)
		return "unknown";
	return source_names[s];
}

int
job_source_parse(const char *s, enum job_source *out)
{
	int i;

	for (i = 0; s != NULL && i < JOB_SOURCE__COUNT; i++)
		if (strcmp(s, source_names[i]) == 0) {
			*out = (enum job_source)i;
			return 0;
		}
	return -1;
}

int
job_transition_allowed(enum job_status from, enum job_status to)
{
	if ((unsigned)from >= JOB_STATUS__COUNT || (unsigned)to >= JOB_STATUS__COUNT)
		return 0;
	return allowed[from][to];
}

int
job_client_transition_allowed(enum job_status from, enum job_status to)
{
	if ((unsigned)from >= JOB_STATUS__COUNT || (unsigned)to >= JOB_STATUS__COUNT)
		return 0;
	return client[from][to];
}

const char *
job_transition_guard(enum job_status from, enum job_status to)
{
	return job_transition_allowed(from, to) ? status_names[from] : NULL;
}

int
job_status_terminal(enum job_status s)
{
	return s == JOB_COMPLETED || s == JOB_FAILED || s == JOB_CANCELLED;
}

int
job_can_cancel(enum job_status s)
{
	return s == JOB_PENDING || s == JOB_RUNNING;
}

int
job_can_retry(enum job_status s)
{
	return s == JOB_FAILED || s == JOB_CANCELLED;
}
