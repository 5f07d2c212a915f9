/* registry.h: the hub's row in event_hubs: its open watchers, heartbeat by heartbeat, for GET /metrics. */
#ifndef SCRAPEQ_EVENTS_REGISTRY_H
#define SCRAPEQ_EVENTS_REGISTRY_H

#include <stddef.h>

#include "scrapeq/db.h"

struct registry {
	char		 id[64];          /* host-pid, as a scrapeqd's default id */
	char		 host[256];
	int		 pid;
	long long	 last_ms;         /* monotonic: the last write */
	long long	 retry_ms;        /* after a failed write, not before this */
	long long	 written;         /* the watcher count last written; -1: none yet */
	int		 failing;         /* the last write failed (logged once) */
};

void	registry_init(struct registry *);

/*
 * Called from the hub's tick with its watcher count: writes the row (an upsert, on
 * the tick's own connection) when SQ_EVENTS_HEARTBEAT_SECONDS have passed, or when
 * the count changed and a second has passed since the last write. A failed write is
 * logged once and tried again SQ_EVENTS_HEARTBEAT_SECONDS later. Once per start, the
 * rows of hubs silent for a week are deleted.
 */
void	registry_tick(struct registry *, struct db *, long long now_ms, size_t watchers);

/* Marks the row stopped (best effort, at exit). */
void	registry_stop(struct registry *, struct db *);

#endif
