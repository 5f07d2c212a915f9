/* rhost.h: the hosts of a crawl's current target: robots.txt, politeness, the URLs waiting for them. */
#ifndef SCRAPEQ_RHOST_H
#define SCRAPEQ_RHOST_H

#include <stddef.h>
#include "scrapeq/robots.h"
#include "fetch.h"
#include "frontier.h"

/* One host (scheme://host:port) of a target, in a list the crawl owns. */
struct rhost {
	char			 key[FETCH_HOST_MAX];
	struct robots		*robots;        /* NULL until fetched */
	int			 fetching;      /* its robots.txt is being fetched */
	char			 refused[32];   /* the guard refused the host's address: why */
	char			 unreachable[160]; /* robots.txt could not be had: why (retryable) */
	long			 delay_ms;      /* this job's gap between fetches to the host */
	long long		 next_at;       /* monotonic ms before which the next may not start */
	struct frontier_item	*waiting;       /* URLs held until robots.txt is known */
	size_t			 nwaiting, capwaiting;
	struct rhost		*next;
};

/*
 * The host of key in *list, added (zeroed, at the head) when it is not there yet.
 * Returns NULL only when out of memory.
 */
struct rhost *rhost_get(struct rhost **list, const char *key);
/* Frees every host of *list with its robots.txt and waiting URLs; *list becomes NULL. */
void	rhost_free_all(struct rhost **list);
/* Holds it (taking its strings) until the host's robots.txt is known; past FRONTIER_MAX it is freed. */
void	rhost_wait(struct rhost *, struct frontier_item *it);

/*
 * scheme://host:port of a normalised URL (default port spelled out), the key for
 * robots.txt and politeness, into out. Returns 0, or -1 for a URL libcurl cannot
 * parse or a key longer than outsz.
 */
int	rhost_key(const char *url, char *out, size_t outsz);
/* The path and query of a URL as robots.txt rules see them. Returns 0 or -1. */
int	rhost_path(const char *url, char *out, size_t outsz);

#endif
