/*
 * cursor.h: how far the hub has read job_events, and the id gaps it waits for.
 *
 * job_events.id is an AUTO_INCREMENT: ids are taken at INSERT and become visible at
 * COMMIT, so a row may appear after rows with higher ids (a slow transaction), and
 * some ids never appear (a rollback; InnoDB's bulk inserts reserve ids they may not
 * use). The cursor delivers rows in id order and holds everything after a missing
 * id for grace_ms; after that the gap is given up (the rows after it go out) but is
 * still looked for during SQ_EVENTS_GAP_RECHECK_MS, and a row that turns up there is
 * delivered late, out of order, to the watchers then connected. Pure: no I/O.
 */
#ifndef SCRAPEQ_EVENTS_CURSOR_H
#define SCRAPEQ_EVENTS_CURSOR_H

#include <stddef.h>

#include "scrapeq/buf.h"
#include "scrapeq/limits.h"

enum cursor_verdict {
	CURSOR_DELIVER,  /* next in order: deliver; the cursor moved to it */
	CURSOR_LATE,     /* a row of a given-up gap: deliver to live watchers only */
	CURSOR_HOLD,     /* behind a gap still in its grace: read it again next tick */
	CURSOR_SKIP      /* at or below the cursor and not in a gap: already delivered */
};

struct cursor_gap {
	unsigned long long lo, hi;       /* ids missing, inclusive */
	long long	 seen_ms;         /* when the hub first saw them missing */
};

struct cursor {
	unsigned long long pos;          /* every id <= pos was delivered or given up */
	unsigned	 grace_ms;
	int		 holding;         /* this tick met a gap in its grace */
	struct cursor_gap pend;          /* the gap just above pos (pend.hi == 0: none) */
	struct cursor_gap gaps[SQ_EVENTS_GAPS_MAX];   /* given up, still looked for */
	size_t		 ngaps;
};

/* Starts at pos (the highest id already there: watchers see what comes after it). */
void	cursor_init(struct cursor *, unsigned long long pos, unsigned grace_ms);

/*
 * Starts a tick at now_ms: forgets given-up gaps older than SQ_EVENTS_GAP_RECHECK_MS
 * and writes the ones left as a JSON array of [lo, hi] pairs into out ("[]" when
 * none) for the tick's query. Returns 0, or -1 (out full).
 */
int	cursor_tick(struct cursor *, long long now_ms, struct buf *out);

/*
 * Judges one row of the tick's query; rows come in ascending id order. age_ms is how
 * long ago the row was inserted, by the database's clock (0 when unknown): the ids
 * missing below it were taken before it, so their grace is counted from then. A
 * backlog with many gaps (rolled-back transactions while watchers were away, or a
 * hub catching up) is then given up in one tick, not one grace per gap.
 */
enum cursor_verdict cursor_feed(struct cursor *, unsigned long long id, long long age_ms,
	    long long now_ms);

#endif
