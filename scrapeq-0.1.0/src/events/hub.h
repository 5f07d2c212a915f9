/*
 * hub.h: the watchers, found by job or project id, each with a bounded queue of
 * messages shared between watchers (reference counted). No I/O: the server gives
 * the hub a wake function that asks the event loop for a write.
 */
#ifndef SCRAPEQ_EVENTS_HUB_H
#define SCRAPEQ_EVENTS_HUB_H

#include <stddef.h>

#include "scrapeq/uuid.h"
#include "message.h"

/* One encoded message: headroom bytes (the server's LWS_PRE), then len bytes of payload. */
struct msg {
	unsigned	 refs;
	size_t		 len;
	unsigned char	 data[];
};

enum watcher_kind { WATCH_WS, WATCH_SSE_JOB, WATCH_SSE_PROJECT };

enum watcher_end {
	WATCH_OPEN,       /* watching */
	WATCH_FINISHED,   /* the job ended: close once the queue is written */
	WATCH_SLOW        /* the queue passed queue_max: dropped, the queue emptied */
};

struct hub;

struct watcher {
	enum watcher_kind kind;
	struct uuid	 key;            /* the job (WS, job SSE) or the project (project SSE) */
	void		*conn;           /* the server's connection (struct lws) */
	struct hub	*hub;
	struct msg	**q;             /* ring of qcap, qlen queued from qhead */
	size_t		 qcap, qhead, qlen;
	enum watcher_end end;
	int		 replaying;      /* a Last-Event-ID resume still reading the outbox */
	unsigned long long replay_after; /* the last id the resume sent */
	long long	 last_write_ms;
	size_t		 popped;         /* messages taken for writing since the last hub_tick */
	int		 ping_due;       /* WebSocket: idle for keepalive_seconds, a ping goes out */
	struct watcher	*next, *prev;    /* bucket chain */
	struct watcher	*rnext;          /* hub's list of replaying watchers */
};

#define HUB_BUCKETS 4096

struct hub {
	struct watcher	*buckets[HUB_BUCKETS];
	struct watcher	*replays;        /* watchers with replaying set */
	size_t		 nwatchers, max_watchers;
	size_t		 queue_max;
	size_t		 headroom;
	void		(*wake)(struct watcher *);
	unsigned long long delivered;    /* messages queued to watchers, in all */
	unsigned long long dropped;      /* watchers dropped as slow */
};

/* A message of len payload bytes after hub->headroom bytes; refs 1. NULL when out of memory. */
struct msg *hub_msg_new(const struct hub *, const void *payload, size_t len);
void	hub_msg_unref(struct msg *);   /* NULL ok; frees at zero */

void	hub_init(struct hub *, size_t max_watchers, size_t queue_max, size_t headroom,
	    void (*wake)(struct watcher *));

/* Registers w (kind, key, conn set by the caller). Returns 0, or -1 at max_watchers. */
int	hub_add(struct hub *, struct watcher *w);
/* Unregisters w and frees its queue; safe on a watcher never added (hub NULL). */
void	hub_remove(struct watcher *w);

/*
 * Queues m for w (taking a reference) and wakes it. One tick may queue up to
 * SQ_EVENTS_BATCH_MAX messages before the loop writes any, so a push drops the
 * watcher only past queue_max + SQ_EVENTS_BATCH_MAX (the memory bound); the rule
 * for slow watchers is hub_tick's. A dropped watcher's queue is emptied, its end
 * becomes WATCH_SLOW and it is woken to be closed. Returns 0, or -1 (dropped, or
 * out of memory: dropped too).
 */
int	hub_push(struct watcher *w, struct msg *m);
/* The next queued message (the caller owns the reference), or NULL. */
struct msg *hub_pop(struct watcher *w);

/*
 * Queues ev to every watcher of its job and project: seed 000's message to
 * WebSocket watchers (finishing the watch after a final one), an SSE frame to SSE
 * watchers. late: a row of a given-up gap (its SSE frame has no id, so a client's
 * Last-Event-ID never goes back). Watchers still resuming are skipped (their resume
 * reads the row). Returns the watchers reached, or -1 when the message cannot be built.
 */
long	hub_fanout(struct hub *, const struct event *ev, int late);

/*
 * The slow-watcher rule, run at the start of each tick: a watcher holding more than
 * queue_max messages that took none since the last tick (its connection accepts
 * nothing) is dropped. One that reads, but slower than its job's events come, is
 * dropped by hub_push past queue_max + SQ_EVENTS_BATCH_MAX. Returns how many were.
 */
size_t	hub_tick(struct hub *);

/* Builds the WebSocket message (ws != 0) or SSE frame for ev into a new msg; NULL on failure. */
struct msg *hub_encode(const struct hub *, const struct event *ev, int ws, int with_id);

/* Marks w as resuming after id after (it joins the hub's replay list). */
void	hub_replay_start(struct watcher *w, unsigned long long after);
/* Ends w's resume: it is live from now on. */
void	hub_replay_done(struct watcher *w);

#endif
