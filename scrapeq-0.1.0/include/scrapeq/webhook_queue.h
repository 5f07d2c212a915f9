/* webhook_queue.h: scrapeqd's side of webhooks in MariaDB: the fan-out from job_events, claiming webhooks, recording attempts. */
#ifndef SCRAPEQ_WEBHOOK_QUEUE_H
#define SCRAPEQ_WEBHOOK_QUEUE_H

#include <stddef.h>
#include "db.h"
#include "err.h"
#include "limits.h"
#include "uuid.h"

/*
 * One fan-out step, one transaction: takes the cursor row (webhook_fanout, FOR
 * UPDATE SKIP LOCKED: one daemon at a time; the others return at once), reads up to
 * SQ_WEBHOOK_FANOUT_BATCH job_events after it in id order and writes one delivery,
 * body included (webhook_body), for each enabled webhook of the event's project that
 * asked for one of the event's names and was made before it; then moves the cursor.
 *
 * An id missing from the outbox may belong to a transaction not committed yet (an
 * AUTO_INCREMENT id is taken at insert, seen at commit): the cursor stops before such
 * a gap until the row after it is SQ_WEBHOOK_GAP_WAIT_MS old (then the id is taken
 * for one never used: a rollback, or ids a multi-row insert reserved). Without
 * enabled webhooks the cursor moves to the outbox's end.
 *
 * *made: deliveries written; *more: 1 when a full batch was read (call again at once).
 * Returns SQ_OK or a db error (nothing written).
 */
enum sq_err webhook_fanout(struct db *, size_t *made, int *more);

/* A webhook claimed for delivery. */
struct webhook_claim {
	struct uuid	 id;
	char		 url[SQ_URL_MAX + 1];
	int		 has_secret;
	char		 secret[SQ_WEBHOOK_SECRET_MAX + 1];
};

/*
 * Claims up to max (at most SQ_WEBHOOK_CLAIM_BATCH) enabled webhooks with pending
 * deliveries that no daemon holds and whose oldest delivery is due, in one short
 * transaction (FOR UPDATE SKIP LOCKED, so daemons claim disjoint webhooks), leasing
 * them to daemon for SQ_WEBHOOK_LEASE_SECONDS. A webhook's deliveries go in event
 * order, so one daemon at a time sends them. Fills out[0..*n).
 */
enum sq_err webhook_claim(struct db *, const char *daemon, unsigned max,
	    struct webhook_claim *out, size_t *n);

/* One pending delivery of a claimed webhook. */
struct webhook_send {
	struct uuid	 id;                     /* X-Scrapeq-Delivery */
	char		 event[SQ_WEBHOOK_EVENT_NAME_MAX + 1];
	char		*payload;                /* the body; owned */
	long long	 attempts;               /* before this one */
	long long	 age_ms;                 /* since the delivery was made */
};

/*
 * The webhook's pending deliveries, oldest event first, at most max; *out is freed
 * with webhook_sends_free.
 */
enum sq_err webhook_pending(struct db *, const struct uuid *hook, size_t max,
	    struct webhook_send **out, size_t *n);
void	webhook_sends_free(struct webhook_send *, size_t n);

/* What one attempt got. */
struct webhook_attempt {
	int	 ok;                             /* a 2xx answer */
	int	 status_code;                    /* 0: none */
	char	 error[SQ_WEBHOOK_ERROR_MAX + 1];
};

/*
 * Records a claimed webhook's run and releases it, in one transaction: sent[i] got
 * att[i] for i < nsent, every one ok but perhaps the last. The ok ones are delivered.
 * A failed last one gets its next attempt after webhook_backoff(backoff_ms) and holds
 * the webhook back until then (retry_at), or, past SQ_WEBHOOK_GIVE_UP_SECONDS, is
 * failed and the next one goes. The webhook's failing_since starts at a failure and
 * ends at a success; a webhook failing SQ_WEBHOOK_GIVE_UP_SECONDS is disabled (saying
 * why) and its pending deliveries failed: *disabled = 1. nsent 0 only releases it.
 * Nothing is written when daemon no longer holds the lease (SQ_ERR_CONFLICT).
 */
enum sq_err webhook_record(struct db *, const char *daemon, const struct uuid *hook,
	    const struct webhook_send *sent, const struct webhook_attempt *att, size_t nsent,
	    unsigned backoff_ms, int *disabled);

/* Deletes up to limit finished deliveries made more than days ago; *n how many. */
enum sq_err webhook_prune(struct db *, unsigned days, unsigned limit, size_t *n);

#endif
