/* crawl_int.h: what the parts of a crawl share: its state, and the helpers one part gives the other. */
#ifndef SCRAPEQ_CRAWL_INT_H
#define SCRAPEQ_CRAWL_INT_H

#include <json-c/json.h>

#include "scrapeq/crawl_config.h"
#include "scrapeq/extract.h"
#include "scrapeq/urlscope.h"
#include "crawl.h"
#include "frontier.h"
#include "rhost.h"

#define CRAWL_SEEN_MAX          1000000
#define CRAWL_SITEMAPS_MAX      16          /* sitemap files fetched per target */
#define CRAWL_RATE_RETRIES      3           /* 429/503 answers before a URL gives up */
#define CRAWL_RATE_DEFAULT_S    5           /* a 429 without Retry-After */
#define CRAWL_RATE_MAX_S        120
#define CRAWL_ERRORS_KEPT       20          /* stats.errors list */
#define CRAWL_AGENT_MAX         64

struct opts {
	long long	 max_results;
	long long	 max_pages;
	int		 depth;
	int		 respect_robots;
	int		 include_subdomains;
	int		 allow_external;
	int		 ignore_query;
	int		 ignore_sitemap;
	long		 delay_ms;
	long		 timeout_s;
	char		*user_agent;     /* cc's */
	char		 agent[CRAWL_AGENT_MAX];   /* robots.txt product token */
	char		**include, **exclude;
	size_t		 ninclude, nexclude;
	struct extract_selector *sel;
	size_t		 nsel;
	struct crawl_config cc;          /* the job's config; owns what the above point into */
};

/* Seed 001's stats object, accumulated over the whole job. */
struct stats {
	long long	 processed, ok, failed, bytes, results;
	long long	 products, images, links, documents;
	double		 ms_total;
	long long	 started_ms;      /* monotonic, for totalProcessingTime */
	struct json_object *errors;      /* array of {url, error, timestamp}, bounded */
};

/* A page whose selectors run in a selector worker: in flight until they end. */
struct selpage {
	struct fetch		*f;        /* its url, status, content type and body */
	struct extract_page	 p;        /* what the loop extracted */
	struct selpage		*next;
};

struct crawl {
	const struct crawl_env	*env;
	struct queue_job	 q;
	struct opts		 o;
	enum crawl_state	 state;
	char			 error[256];
	size_t			 cur;             /* target index */
	int			 target_live;     /* the current target was started */
	long long		 completed_targets, good_targets;
	/* the current target */
	struct urlscope		*scope;
	struct urlset		*seen;
	struct urlset		*judged;          /* links as found, each judged once (crawl_enqueue) */
	struct frontier		 frontier;
	long long		 pages, results, target_ok;
	int			 inflight;
	int			 sitemaps;
	char			 start_host[FETCH_HOST_MAX];
	char			 last_error[256];  /* of the current target */
	char			 job_last_error[256]; /* why the last failed target failed */
	int			 retryable;        /* some failure could go away on a retry */
	struct rhost		*hosts;
	struct selpage		*selpages;         /* waiting for their selectors */
	size_t			 sel_held;         /* pages from fetch start to selectors done */
	struct stats		 st;
};


/* crawl.c: bookkeeping the fetch results use. */
const struct uuid *crawl_target_id(const struct crawl *);
/* A crawl error for url (kind, HTTP status or 0, message) into the store and the stats. */
void	crawl_note_error(struct crawl *, const char *url, const char *kind, long status,
	    const char *msg);
/* A fetch of url for this crawl (its host key, kind), counted in flight; NULL when out of memory. */
struct fetch *crawl_new_fetch(struct crawl *, const char *url, const char *key, enum fetch_kind);
/* url refused by the address guard: a "refused" crawl error and a warning in the job's log. */
void	crawl_refuse(struct crawl *, const char *url, const char *why);
/* url into the frontier if it is in scope, not seen and within the depth. */
void	crawl_enqueue(struct crawl *, const char *url, int depth, int hops);

/* crawl_page.c: the places a job with selectors holds for its pages (SQ_SELECTOR_JOB_PAGES). */
int	crawl_sel_room(const struct crawl *);
/* Takes a place for a page about to be fetched: 0, or -1 when there is none (nothing taken). */
int	crawl_sel_hold(struct crawl *);
void	crawl_sel_release(struct crawl *, size_t n);
/* Drops every page waiting for its selectors (a cancel, a release), freeing their places. */
void	crawl_sel_drop_all(struct crawl *);

#endif
