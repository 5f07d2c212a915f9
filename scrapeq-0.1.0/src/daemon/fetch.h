/* fetch.h: the fetch engine: libcurl multi, global and per-host limits, the SSRF guard. */
#ifndef SCRAPEQ_FETCH_H
#define SCRAPEQ_FETCH_H

#include <stddef.h>
#include <curl/curl.h>

#include "scrapeq/buf.h"
#include "scrapeq/config.h"
#include "scrapeq/netguard.h"

#define FETCH_HOST_MAX 300

enum fetch_kind { FETCH_PAGE, FETCH_ROBOTS, FETCH_SITEMAP };

/*
 * One request. The submitter fills the first block; the engine fills the second
 * and hands the fetch back through the done callback, after which the owner frees
 * it with fetch_free.
 */
struct fetch {
	char		*url;            /* owned */
	char		 host[FETCH_HOST_MAX]; /* politeness key: scheme://host:port */
	enum fetch_kind	 kind;
	int		 depth;
	int		 hops;           /* redirects followed to get here */
	char		*origin;         /* the URL the redirect chain started from, owned, or NULL */
	int		 attempts;       /* tries so far (429/503 retries) */
	int		 target;         /* index of the job's target */
	int		 follow;         /* let curl follow redirects (robots.txt, sitemaps) */
	long		 timeout_s;
	const char	*user_agent;     /* must outlive the fetch */
	void		*owner;

	long		 status;         /* HTTP status, 0 when no response */
	char		*content_type;   /* owned, may be NULL */
	char		*location;       /* absolute redirect target, owned, may be NULL */
	char		*final_url;      /* owned */
	struct buf	 body;
	double		 total_ms;
	long		 retry_after;    /* seconds from Retry-After, -1 when none */
	CURLcode	 result;
	char		 refused[32];    /* netguard's reason, "" when not refused */
	int		 too_large;      /* body passed the daemon's max_body */

	CURL		*easy;           /* engine internals below */
	const struct netguard *guard;
	struct fetch	*next;
	struct host	*h;
};

struct fetch *fetch_new(const char *url, const char *host, enum fetch_kind, void *owner);
void	fetch_free(struct fetch *);

struct engine;
typedef void (*fetch_done_fn)(struct fetch *);

/* c and g must outlive the engine. done is called once per submitted fetch. */
struct engine *engine_new(const struct config *c, const struct netguard *g, fetch_done_fn done);
void	engine_free(struct engine *);

/* Queues f behind its host's limits; the engine owns it until done is called. */
void	engine_submit(struct engine *, struct fetch *f);

/*
 * Starts what the limits allow, waits up to timeout_ms for traffic or for one of
 * the nextra extra descriptors (the selector workers' pipes) to be ready, and calls
 * done for every finished fetch. Returns the number finished, or -1 on a multi error.
 */
int	engine_run(struct engine *, int timeout_ms, struct curl_waitfd *extra, unsigned nextra);

/* At least ms between two fetch starts on host (keeps the largest asked for). */
void	engine_host_delay(struct engine *, const char *host, long ms);
/* No fetch starts on host for ms from now (429/503 with Retry-After). */
void	engine_host_pause(struct engine *, const char *host, long ms);

/* Drops every queued and in-flight fetch of owner without calling done. */
void	engine_cancel(struct engine *, void *owner);

size_t	engine_busy(const struct engine *);   /* queued + in flight */

#endif
