/* frontier.h: a target's URLs waiting to be fetched: a bounded ring, breadth first, retries in front. */
#ifndef SCRAPEQ_FRONTIER_H
#define SCRAPEQ_FRONTIER_H

#include <stddef.h>

#define FRONTIER_MAX 200000   /* URLs waiting per target; more are dropped */

/* One URL to fetch, with how it was reached. */
struct frontier_item {
	char	*url;         /* owned */
	int	 depth;       /* links followed from the start URL */
	int	 hops;        /* redirects followed to reach it */
	int	 attempts;    /* 429/503 answers so far */
	char	*origin;      /* first URL of a redirect chain, or NULL; owned */
};

void	frontier_item_free(struct frontier_item *);   /* frees url and origin; NULL-safe fields */

struct frontier {
	struct frontier_item	*ring;
	size_t			 head, len, cap;
};

/*
 * Adds it at the back (front 0: breadth first) or the front (a retry, a redirect's
 * next hop). Takes ownership of its strings: when the frontier holds FRONTIER_MAX
 * already, or memory runs out, it is freed instead.
 */
void	frontier_push(struct frontier *, struct frontier_item *it, int front);
/* Takes the next item into *it (the caller owns it then): 1, or 0 when empty. */
int	frontier_pop(struct frontier *, struct frontier_item *it);
/* Frees every item; the frontier can be used again. */
void	frontier_clear(struct frontier *);
/* Frees the ring too (after frontier_clear). */
void	frontier_free(struct frontier *);

#endif
