/* crawl.h: one claimed job's crawl: its targets in turn, scope, robots, sitemaps, extraction. */
#ifndef SCRAPEQ_CRAWL_H
#define SCRAPEQ_CRAWL_H

#include "scrapeq/config.h"
#include "scrapeq/queue.h"
#include "scrapeq/selpool.h"
#include "fetch.h"
#include "store.h"

/* What every crawl shares: must outlive the crawls. */
struct crawl_env {
	const struct config	*cfg;
	struct engine		*engine;
	struct store		*store;
	struct selpool		*selectors;
	struct hrefcache	*memo;           /* href resolutions shared by every crawl, or NULL */
	struct metrics_pages	*pages;          /* the daemon's running totals for its heartbeat, or NULL */
};

enum crawl_state { CRAWL_RUNNING, CRAWL_COMPLETED, CRAWL_FAILED, CRAWL_CANCELLED };

struct crawl;

/*
 * Starts crawling a claimed job (its queue_job is moved into the crawl: the caller
 * must not free it). A config that cannot be used fails the crawl at once with the
 * reason in crawl_error(). Returns NULL only when out of memory.
 */
struct crawl *crawl_start(const struct crawl_env *, struct queue_job *qj);
void	crawl_free(struct crawl *);        /* cancels its fetches in the engine */

/* The engine's done callback for fetches this crawl submitted (f->owner). */
void	crawl_on_fetch(struct crawl *, struct fetch *f);
/* The selector pool's done callback for pages this crawl submitted (owner). */
void	crawl_on_selectors(struct crawl *, void *page, const struct selpool_result *);
/* Submits fetches as limits allow and moves to the next target when one ends. */
void	crawl_pump(struct crawl *);
/*
 * Stops fetching (what was stored is kept; pages still waiting for their selectors
 * are dropped, like fetches in flight); the state becomes CRAWL_CANCELLED.
 */
void	crawl_cancel(struct crawl *);

enum crawl_state crawl_state(const struct crawl *);
const struct uuid *crawl_job(const struct crawl *);
/* Seed 001's stats object as JSON text (caller frees). */
char	*crawl_stats_json(const struct crawl *);
/* {"code","message"} JSON text for a failed crawl (caller frees), or NULL. */
char	*crawl_error_json(const struct crawl *);
/* 0 when a failed crawl failed for reasons a retry cannot change (config, refused addresses). */
int	crawl_retryable(const struct crawl *);
/* Why a failed crawl failed, as plain text ("" otherwise). */
const char *crawl_error_text(const struct crawl *);
/* How many results the crawl produced, for the final log line. */
long long crawl_results(const struct crawl *);
/* Targets ended so far (completed or failed), and the one being crawled (NULL: none). */
long long crawl_completed_targets(const struct crawl *);
const struct uuid *crawl_current_target(const struct crawl *);

#endif
