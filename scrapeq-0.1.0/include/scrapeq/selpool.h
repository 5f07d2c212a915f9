/* selpool.h: scrapeqd's selector workers: job selectors evaluated in processes of their own, spoken to from the loop without blocking. */
#ifndef SCRAPEQ_SELPOOL_H
#define SCRAPEQ_SELPOOL_H

#include <stddef.h>
#include <curl/curl.h>

#include "scrapeq/config.h"
#include "scrapeq/extract.h"

#define SELPOOL_WAITFDS_MAX (2 * SQ_SELECTOR_WORKERS)

enum selpool_outcome {
	SELPOOL_OK,          /* every selector ran: values[i] is selector i's value, or NULL */
	SELPOOL_CPU,         /* the page's selectors used up [daemon] selector_cpu_ms of CPU time */
	SELPOOL_WALL,        /* the worker said nothing within the wall-clock backstop and was killed */
	SELPOOL_DIED,        /* the worker died otherwise (status), or said something malformed */
	SELPOOL_UNAVAILABLE, /* no worker could be started, or given the page (no memory) */
};

/* What became of a page; valid only during the done call. */
struct selpool_result {
	enum selpool_outcome	 outcome;
	int			 selector;   /* the selector being evaluated when it stopped; -1: none had begun */
	int			 status;     /* the worker's waitpid status, when it died */
	char *const		*values;    /* SELPOOL_OK: nvalues values (NULL: none), freed after the call */
	size_t			 nvalues;
};

/* Called once per page submitted and not cancelled. It must not call selpool_cancel or selpool_free. */
typedef void (*selpool_done_fn)(void *owner, void *page, const struct selpool_result *);

/*
 * A pool of SQ_SELECTOR_WORKERS workers, each started when a page first needs it
 * as exe with the one argument SELWORKER_ARG. exe NULL is this very executable
 * (held open from now: the daemon's own build even after its file is replaced),
 * which is how scrapeqd runs its workers. cfg must outlive the pool; its
 * daemon_selector_cpu_ms is read for each page. NULL when out of memory or this
 * executable cannot be opened.
 */
struct selpool *selpool_new(const struct config *cfg, const char *exe, selpool_done_fn done);
/* Kills the workers and waits for them; pages not done are dropped without a call. NULL ok. */
void	selpool_free(struct selpool *);

/*
 * Queues one page's selectors; url, body, sel and the strings sel points to must
 * stay valid until done is called for it or its owner is cancelled. Pages go to a
 * free worker oldest first, a job that has none being evaluated before one that
 * has. Returns 0, or -1 when out of memory. Never calls done itself.
 */
int	selpool_submit(struct selpool *, void *owner, void *page, const char *url,
	    const char *body, size_t len, const struct extract_selector *sel, size_t nsel);
/*
 * Drops every page of owner without calling done. A worker evaluating one of them
 * is killed (the next page starts another), so a cancel never waits for a page.
 */
void	selpool_cancel(struct selpool *, void *owner);

/*
 * Places for pages between the start of their fetch and the end of their
 * selectors, SQ_SELECTOR_PAGES in all, so that the pages waiting for a worker stay
 * bounded: selpool_room says whether one is left, selpool_reserve takes one (-1:
 * none left), selpool_unreserve gives n back.
 */
int	selpool_room(const struct selpool *);
int	selpool_reserve(struct selpool *);
void	selpool_unreserve(struct selpool *, size_t n);

/* The pipes the loop should wait on (at most max, SELPOOL_WAITFDS_MAX is enough); returns how many. */
unsigned selpool_waitfds(const struct selpool *, struct curl_waitfd *fds, unsigned max);
/*
 * Writes requests and reads replies as far as the pipes allow without blocking,
 * calls done for pages that ended, reaps workers that died, kills one past its
 * wall-clock backstop, and gives waiting pages to free workers.
 */
void	selpool_step(struct selpool *);

#endif
