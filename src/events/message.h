/* message.h: one job_events row (with its job's row) as seed 000's WebSocket message and as an SSE frame. */
#ifndef SCRAPEQ_EVENTS_MESSAGE_H
#define SCRAPEQ_EVENTS_MESSAGE_H

#include <stddef.h>

#include "scrapeq/buf.h"
#include "scrapeq/job.h"
#include "scrapeq/uuid.h"

/* An outbox row as the tail reads it, with the job's row beside it. Borrowed strings. */
struct event {
	unsigned long long id;               /* job_events.id; 0 for a snapshot of the job row */
	const char	*type;               /* job_events.type ("progress", "completed", ...) */
	struct uuid	 job_id;
	struct uuid	 project_id;
	const char	*data;               /* job_events.data, JSON text ("{}" for a snapshot) */
	enum job_status	 status;             /* jobs.status when read */
	long long	 total_targets;
	long long	 completed_targets;
	long long	 total_results;
	int		 has_current;        /* jobs.current_target */
	struct uuid	 current;
	int		 has_target;         /* target events: the job_targets row at data.position */
	struct uuid	 target;
	const char	*job_error;          /* jobs.error JSON text, or NULL */
	long long	 age_ms;             /* since the job_events row was inserted (0: a snapshot) */
};

/*
 * Seed 000's message type for an outbox type: progress, target_started,
 * target_completed, target_failed, completed and failed as the seed lists them;
 * "cancelled" for cancelled (the seed has none; README says so); every other change
 * (created, started, requeued, updated, and a type added later) is a "progress"
 * message carrying the new status.
 */
const char *message_ws_type(const char *outbox_type);

/* 1 when a WebSocket watch ends after a message of this seed 000 type (completed, failed, cancelled). */
int	message_terminal(const char *ws_type);

/*
 * Appends {"type": T, "data": {...}} for ev to out: data has job_id (job_ + 32 hex),
 * status, percentage, current_target (tgt_ + 32 hex or null), results_count, and
 * event (the outbox type); target messages add position and target_results_count;
 * failed adds error (the job's error object, or null). Returns 0, or -1 (out full,
 * or ev->data not a JSON object).
 */
int	message_build(const struct event *ev, struct buf *out);

/*
 * Appends one Server-Sent Events frame to out: "id: N" (N = ev id, left out when 0),
 * "event: T", "data: <json>" and a blank line. json must hold no newline (what
 * message_build writes holds none). Returns 0, or -1.
 */
int	message_sse(unsigned long long id, const char *ws_type, const char *json, size_t len,
	    struct buf *out);

/*
 * Fills *ev with a snapshot of job j (id 0, data "{}"): the type a watcher that
 * arrives now is sent first (progress while pending or running, else the final
 * one). Borrows j's strings. Returns the outbox-style type it chose.
 */
const char *message_from_job(const struct job *j, struct event *ev);

#endif
