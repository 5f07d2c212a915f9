/* registry.c: scrapeq-events records its watcher count in event_hubs, so the API reads it from the database. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/text.h"
#include "registry.h"

#define REGISTRY_CHANGE_MS 1000     /* a changed count is written at most this often */

void
registry_init(struct registry *g)
{
	memset(g, 0, sizeof(*g));
	if (gethostname(g->host, sizeof(g->host)) != 0)
		text_copy(g->host, sizeof(g->host), "localhost");
	g->host[sizeof(g->host) - 1] = '\0';
	g->pid = (int)getpid();
	snprintf(g->id, sizeof(g->id), "%.40s-%d", g->host, g->pid);
	g->written = -1;
}

/* Whether the row is due: never written, a heartbeat old, or a changed count a second old. */
static int
due(const struct registry *g, long long now_ms, long long n)
{
	if (now_ms < g->retry_ms)
		return 0;
	return g->written < 0 || now_ms - g->last_ms >= SQ_EVENTS_HEARTBEAT_SECONDS * 1000LL ||
	    (n != g->written && now_ms - g->last_ms >= REGISTRY_CHANGE_MS);
}

void
registry_tick(struct registry *g, struct db *db, long long now_ms, size_t watchers)
{
	long long n = (long long)watchers;

	if (!due(g, now_ms, n))
		return;
	if (db_exec(db, "INSERT INTO event_hubs (id, host, pid, watchers) VALUES (?, ?, ?, ?) "
	    "ON DUPLICATE KEY UPDATE watchers = VALUES(watchers), heartbeat_at = NOW(6), "
	    "stopped_at = NULL", DB_PARAMS(DB_STR(g->id), DB_STR(g->host), DB_INT(g->pid),
	    DB_INT(n)), NULL) != SQ_OK) {
		/* A database that is down, or a user without INSERT, UPDATE on event_hubs. */
		if (!g->failing)
			log_msg(LOG_LVL_WARNING, "cannot record this hub's watchers in event_hubs "
			    "(GET /metrics will not count them); trying again every %d s",
			    SQ_EVENTS_HEARTBEAT_SECONDS);
		g->failing = 1;
		g->retry_ms = now_ms + SQ_EVENTS_HEARTBEAT_SECONDS * 1000LL;
		return;
	}
	if (g->written < 0)        /* once per start: rows of hubs gone a week */
		(void)db_exec(db, "DELETE FROM event_hubs WHERE heartbeat_at < NOW(6) - INTERVAL 7 DAY",
		    NULL, 0, NULL);
	g->failing = 0;
	g->written = n;
	g->last_ms = now_ms;
}

void
registry_stop(struct registry *g, struct db *db)
{
	if (g->written < 0)
		return;
	if (db_exec(db, "UPDATE event_hubs SET watchers = 0, stopped_at = NOW(6) WHERE id = ?",
	    DB_PARAMS(DB_STR(g->id)), NULL) != SQ_OK)
		log_msg(LOG_LVL_WARNING, "could not mark this hub stopped in event_hubs");
}
