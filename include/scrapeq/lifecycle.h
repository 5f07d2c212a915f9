/* lifecycle.h: the door a job's state changes go through: the rows every change writes with it. */
#ifndef SCRAPEQ_LIFECYCLE_H
#define SCRAPEQ_LIFECYCLE_H

#include "auth.h"
#include "db.h"
#include "err.h"

/*
 * Appends one job_events row, the outbox the event hub and webhooks read: type is the
 * event ("created", a status), data a JSON object text. In the caller's transaction.
 * Returns SQ_OK or a db error.
 */
enum sq_err lifecycle_event(struct db *, const char *jids, const char *pids, const char *type,
	    const char *data);

/*
 * Appends one lifecycle line to the job's log (cut to SQ_LOG_MESSAGE_MAX characters),
 * level "info", "warning" or "error". Returns SQ_OK or a db error.
 */
enum sq_err lifecycle_log(struct db *, const char *jids, const char *level, const char *msg);

/* A job whose jobs row (and job_targets rows) were just written, pending. */
struct lifecycle_new {
	const char	*jids;           /* the job, canonical UUID text */
	const char	*pids;           /* its project */
	long long	 priority;       /* its queue row's */
	const char	*run_after;      /* DATETIME(6) text, or NULL: now */
	const char	*log_message;    /* the "queued" line of its log */
};

/*
 * What every new job writes after its own rows, the same for every kind of job and
 * every dialect: the project's count for the UTC day, the queue row, the "created"
 * event, the queued log line and the audit row ("create", after = the job). In the
 * caller's transaction, under the project's row lock, once the limits were checked
 * (job_check_limits). Returns SQ_OK or a db error.
 */
enum sq_err lifecycle_enqueue(struct db *, const struct principal *who,
	    const struct lifecycle_new *);

#endif
