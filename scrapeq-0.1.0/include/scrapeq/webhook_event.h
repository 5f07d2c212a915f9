/* webhook_event.h: what a webhook is sent: event names, which outbox rows they match, the body, the signature, the retry schedule. */
#ifndef SCRAPEQ_WEBHOOK_EVENT_H
#define SCRAPEQ_WEBHOOK_EVENT_H

#include <stddef.h>
#include "buf.h"

/*
 * The events a webhook may ask for: seed 001's job_status_changed and seed 000's
 * WebSocket message types. A webhook stores them as a bitmask (1u << event).
 */
enum webhook_event {
	WEBHOOK_STATUS_CHANGED,     /* "job_status_changed" */
	WEBHOOK_PROGRESS,           /* "progress" */
	WEBHOOK_TARGET_STARTED,     /* "target_started" */
	WEBHOOK_TARGET_COMPLETED,   /* "target_completed" */
	WEBHOOK_TARGET_FAILED,      /* "target_failed" */
	WEBHOOK_COMPLETED,          /* "completed" */
	WEBHOOK_FAILED,             /* "failed" */
	WEBHOOK_EVENT__COUNT
};

#define WEBHOOK_EVENTS_ALL ((1u << WEBHOOK_EVENT__COUNT) - 1)
#define WEBHOOK_EVENTS_DEFAULT (1u << WEBHOOK_STATUS_CHANGED)

/* The name of e; NULL out of range. */
const char *webhook_event_name(enum webhook_event e);
/* Parses an exact name into *out: 0, or -1 (NULL too). */
int	webhook_event_parse(const char *s, enum webhook_event *out);

/*
 * The webhook events an outbox row of type (job_events.type) is, as a bitmask: a
 * status change (started, requeued, completed, failed, cancelled, and a client's
 * change, typed by the status it set: pending, running) is job_status_changed;
 * progress and target_* are themselves; completed and failed are also themselves.
 * created and updated are nothing (no status moved). 0 for an unknown type or NULL.
 */
unsigned webhook_events_of(const char *type);

/*
 * The status a status-change row moved to: data's "status" when it names one, else
 * what its type implies (started: running, requeued: pending, a status name: itself).
 * NULL when type is no status change.
 */
const char *webhook_new_status(const char *type, const char *data_status);

/*
 * The status a status-change row moved from: data's "old_status" when given; else the
 * job's status before, when known (prev, from an earlier row of the job); else what
 * the type implies (started and running come from pending; the others from running).
 */
const char *webhook_old_status(const char *type, const char *data_old, const char *prev);

/* What a delivery's body is built from: one outbox row, the job's domain and stats. */
struct webhook_body_in {
	enum webhook_event	 event;
	const char		*job_uuid;     /* the job's UUID text */
	const char		*job_public;   /* its v1 id ("job_<hex>"), for seed 000's messages */
	const char		*domain;       /* seed 001's domain: host[:port] of the first target; NULL: null */
	const char		*type;         /* job_events.type */
	const char		*data;         /* job_events.data (JSON object text); NULL: {} */
	const char		*prev_status;  /* the job's status before, when known, or NULL */
	const char		*stats;        /* jobs.stats (JSON text) or NULL: {} */
	const char		*created_at;   /* job_events.created_at, DATETIME(6) text */
};

/*
 * Appends the body of one delivery to b. job_status_changed is seed 001's object:
 * {"event","job_id" (UUID),"domain","old_status","new_status","stats","timestamp"
 * (RFC 3339 with milliseconds)}. The other events are seed 000's WebSocket message
 * with the webhook's envelope: {"event": type, "job_id": "job_<hex>", "data": {the
 * row's data with "job_id" first}, "timestamp"}. Returns 0, or -1 (data or stats is
 * not a JSON object, created_at is malformed, out of memory, or the body would pass
 * SQ_WEBHOOK_PAYLOAD_MAX).
 */
int	webhook_body(struct buf *b, const struct webhook_body_in *in);

/* "t=<unix>,v1=<64 hex>" plus the NUL. */
#define WEBHOOK_SIGNATURE_MAX (2 + 20 + 4 + 64 + 1)

/*
 * Writes the X-Scrapeq-Signature value for body signed at unix time t with secret:
 * "t=<t>,v1=<hex of HMAC-SHA256(secret, "<t>.<body>")>" (libsodium's
 * crypto_auth_hmacsha256, any key length). Returns 0, or -1 (sodium not ready).
 */
int	webhook_sign(const char *secret, long long t, const char *body, size_t len,
	    char out[WEBHOOK_SIGNATURE_MAX]);

/*
 * The retry schedule. After attempt number attempts (1 for the first) failed, with the
 * delivery age_ms old: 0 and *next_ms, the wait before the next attempt (base_ms
 * doubling each time, at most SQ_WEBHOOK_BACKOFF_MS_MAX); or 1 when the delivery is
 * given up: the next attempt would come SQ_WEBHOOK_GIVE_UP_SECONDS or more after it
 * was made.
 */
int	webhook_backoff(unsigned base_ms, unsigned attempts, long long age_ms, long long *next_ms);

#endif
