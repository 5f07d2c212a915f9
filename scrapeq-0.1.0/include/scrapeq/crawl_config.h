/* crawl_config.h: a scrape job's crawl options, one model for every dialect: checked once, defaults filled, stored, shown. */
#ifndef SCRAPEQ_CRAWL_CONFIG_H
#define SCRAPEQ_CRAWL_CONFIG_H

#include <json-c/json.h>
#include "buf.h"
#include "config.h"
#include "err.h"
#include "limits.h"

/*
 * The options the crawler obeys, by the names clients use (seed 001's): depth,
 * maxPages, timeout (milliseconds per fetch), delay (milliseconds between fetch
 * starts on a host), respectRobots, includeSubdomains, allowExternalLinks,
 * ignoreSitemap, ignoreQueryParameters, userAgent, includePaths/excludePaths (POSIX
 * extended regexes on the path) and selectors ({"name": "XPath"}).
 */
struct crawl_config {
	unsigned	 given;             /* CRAWL_GIVEN_* bits: what the client set */
	long long	 max_results;       /* results kept per target (the project's unless set) */
	long long	 depth;
	long long	 max_pages;
	long long	 timeout_ms;
	long long	 delay_ms;
	int		 respect_robots;
	int		 include_subdomains;
	int		 allow_external;
	int		 ignore_sitemap;
	int		 ignore_query;
	char		 user_agent[SQ_JOB_AGENT_MAX + 1];
	struct json_object *include_paths;  /* array of strings, or NULL; owned */
	struct json_object *exclude_paths;
	struct json_object *selectors;      /* object of name -> XPath, or NULL; owned */
};

#define CRAWL_GIVEN_MAX_RESULTS 0x001
#define CRAWL_GIVEN_DEPTH       0x002
#define CRAWL_GIVEN_MAX_PAGES   0x004
#define CRAWL_GIVEN_TIMEOUT     0x008
#define CRAWL_GIVEN_USER_AGENT  0x010

void	crawl_config_init(struct crawl_config *);   /* nothing given yet */
void	crawl_config_clear(struct crawl_config *);  /* drops the owned JSON; NULL-safe fields */

/*
 * Checks a client's config object (NULL: nothing given) and records what it sets in
 * *c. Every key must be one of the options above, of its type and in its range
 * (limits.h); patterns must compile as bounded regexes and selectors as XPath.
 * Changes *c only on success. Returns SQ_OK; SQ_ERR_BAD_REQUEST for a config that is
 * not an object, an unknown key or a wrong type; SQ_ERR_INVALID for a value out of
 * range or a pattern or selector that does not compile. The message names the key:
 * "Invalid config.depth: must be an integer from 0 to 100".
 */
enum sq_err crawl_config_parse(struct crawl_config *c, struct json_object *cfg,
	    struct sq_error *e);

/*
 * Fills what the client did not give with what the crawl will use: max_results from
 * the project (project_max_results), maxPages = max_results, depth 3, delay 0,
 * robots.txt obeyed, the same site only, the sitemap and query used; timeout and
 * userAgent from [daemon] timeout and user_agent. The given bits stay as they are.
 */
void	crawl_config_finish(struct crawl_config *c, const struct config *cfg,
	    long long project_max_results);

/*
 * Reads a stored config back (as written by crawl_config_store, or an older partial
 * one), every key present counted as given and checked by the rules a client's config
 * meets, the rest filled as crawl_config_finish does with cfg (the config file's results
 * cap when none is stored). scrapeqd reads a job's options through it. Returns 0, or -1
 * with *e saying why for text that is not a JSON object or a key the rules refuse (*c
 * then holds what did parse, completed).
 */
int	crawl_config_load(struct crawl_config *c, const char *stored, const struct config *cfg,
	    struct sq_error *e);

/*
 * Writes the stored form: a JSON object with "max_results_per_target", "targets" (a
 * JSON array text) when not NULL, and the options. timeout and userAgent are stored
 * only when the client gave them, timeout as whole seconds rounded up (what scrapeqd
 * reads) beside "timeout_ms": a job that did not set them takes the config file's when
 * it runs, so a changed [daemon] timeout or user_agent reaches it. The list options
 * only when set. Returns 0, or -1 when out ran out of memory.
 */
int	crawl_config_store(const struct crawl_config *c, const char *targets, struct buf *out);

/*
 * Writes a stored config as clients see it: every option with the value the crawl
 * will use (crawl_config_load with cfg), timeout in milliseconds. With run_keys,
 * "max_results_per_target" and the stored "targets" (the canonical API's) lead.
 * Returns 0, or -1 for a stored text that is not an object or out of memory.
 */
int	crawl_config_view(const char *stored, const struct config *cfg, int run_keys,
	    struct buf *out);

#endif
