/* outbox.h: the hub's reads of job_events (with each row's job): one per tick, and resumes. */
#ifndef SCRAPEQ_EVENTS_OUTBOX_H
#define SCRAPEQ_EVENTS_OUTBOX_H

#include <stddef.h>

#include "scrapeq/db.h"
#include "scrapeq/err.h"
#include "message.h"

/* Called once per row, in ascending id order; ev and its strings live for the call only. Non-zero stops. */
typedef int (*outbox_fn)(void *arg, const struct event *ev);

/* The highest job_events id now (0 when none): where a starting hub begins. */
enum sq_err outbox_max_id(struct db *, unsigned long long *out);

/*
 * The tick's one query, for every job and project watched: the rows after id
 * `after` (at most SQ_EVENTS_BATCH_MAX), and the rows inside the given-up gaps
 * gaps_json ([[lo, hi], ...], cursor_tick's), each with its job's row. Returns
 * SQ_OK or a db error (the connection reconnects on the next call).
 */
enum sq_err outbox_tick(struct db *, unsigned long long after, const char *gaps_json,
	    outbox_fn fn, void *arg);

enum outbox_scope { OUTBOX_JOB, OUTBOX_PROJECT };

/*
 * A Last-Event-ID resume: the rows of one job or project with after < id <= upto,
 * at most limit of them. Returns SQ_OK or a db error.
 */
enum sq_err outbox_replay(struct db *, enum outbox_scope, const struct uuid *id,
	    unsigned long long after, unsigned long long upto, size_t limit,
	    outbox_fn fn, void *arg);

#endif
