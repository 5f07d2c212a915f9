/* crawl.c: a job's crawl: BFS over each target in turn, under its scope, robots.txt and limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/wait.h>

#include <json-c/json.h>
#include <sodium.h>

#include "scrapeq/crawl_config.h"
#include "scrapeq/extract.h"
#include "scrapeq/jsonw.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/robots.h"
#include "scrapeq/sitemap.h"
#include "scrapeq/text.h"
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

/* ---- options from the job's config (crawl_config: the API wrote it, checked) ---- */

/* The strings of a JSON array the config owns, as the array urlscope takes. */
static int
strings_of(struct json_object *a, char ***out, size_t *n)
{
	size_t i, len;

	*out = NULL;
	*n = 0;
	if (a == NULL || (len = json_object_array_length(a)) == 0)
		return 0;
	if ((*out = calloc(len, sizeof(**out))) == NULL)
		return -1;
	for (i = 0; i < len; i++)
		(*out)[(*n)++] = (char *)json_object_get_string(json_object_array_get_idx(a, i));
	return 0;
}

/* The job's selectors, name and XPath pointing into the config. */
static int
selectors_of(struct json_object *sel, struct opts *o)
{
	size_t n = 0;

	if (sel == NULL)
		return 0;
	if ((o->sel = calloc((size_t)json_object_object_length(sel) + 1, sizeof(*o->sel))) == NULL)
		return -1;
	json_object_object_foreach(sel, name, xp) {
		o->sel[n].name = name;
		o->sel[n].xpath = json_object_get_string(xp);
		n++;
	}
	o->nsel = n;
	return 0;
}

/* The robots.txt product token: the user agent up to its first '/' or space. */
static void
agent_token(const char *ua, char *out, size_t outsz)
{
	size_t n = strcspn(ua, "/ ");

	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, ua, n);
	out[n] = '\0';
	if (n == 0)
		text_copy(out, outsz, "scrapeq");
}

static int
opts_parse(struct crawl *c)
{
	struct opts		*o = &c->o;
	struct crawl_config	*cc = &o->cc;
	struct sq_error		 e;

	/* Read as the API wrote it, every key checked again: a config it would refuse is no crawl. */
	if (crawl_config_load(cc, c->q.config, c->env->cfg, &e) == -1)
		return snprintf(c->error, sizeof(c->error), "%s", e.message), -1;
	o->max_results = cc->max_results;
	o->max_pages = cc->max_pages;
	o->depth = (int)cc->depth;
	o->respect_robots = cc->respect_robots;
	o->include_subdomains = cc->include_subdomains;
	o->allow_external = cc->allow_external;
	o->ignore_query = cc->ignore_query;
	o->ignore_sitemap = cc->ignore_sitemap;
	o->delay_ms = (long)cc->delay_ms;
	/* Whole seconds, rounded up: no fetch is cut shorter than asked. */
	o->timeout_s = (long)((cc->timeout_ms + 999) / 1000);
	o->user_agent = cc->user_agent;
	agent_token(o->user_agent, o->agent, sizeof(o->agent));
	if (strings_of(cc->include_paths, &o->include, &o->ninclude) == -1 ||
	    strings_of(cc->exclude_paths, &o->exclude, &o->nexclude) == -1 ||
	    selectors_of(cc->selectors, o) == -1)
		return snprintf(c->error, sizeof(c->error), "out of memory"), -1;
	return 0;
}

static void
opts_free(struct opts *o)
{
	free(o->include);
	free(o->exclude);
	free(o->sel);
	crawl_config_clear(&o->cc);
}

/* ---- bookkeeping ---- */

static const struct uuid *
target_id(const struct crawl *c)
{
	return &c->q.targets[c->cur].target_id;
}

static void
note_error(struct crawl *c, const char *url, const char *kind, long status, const char *msg)
{
	struct json_object *e;

	c->st.failed++;
	/* A retry meets the same refusal, the same robots.txt and the same selector. */
	if (strcmp(kind, "refused") != 0 && strcmp(kind, "robots") != 0 &&
	    strcmp(kind, "selector") != 0)
		c->retryable = 1;
	snprintf(c->last_error, sizeof(c->last_error), "%s: %.200s", msg, url);
	store_error(c->env->store, &c->q.id, target_id(c), url, kind, status, msg);
	if (c->st.errors == NULL)
		c->st.errors = json_object_new_array();
	if (json_object_array_length(c->st.errors) < CRAWL_ERRORS_KEPT) {
		char		 ts[32];
		time_t		 now = time(NULL);
		struct tm	 tm;

		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		e = json_object_new_object();
		json_object_object_add(e, "url", json_object_new_string(url));
		json_object_object_add(e, "error", json_object_new_string(msg));
		json_object_object_add(e, "timestamp", json_object_new_string(ts));
		json_object_array_add(c->st.errors, e);
	}
}

static struct fetch *
new_fetch(struct crawl *c, const char *url, const char *key, enum fetch_kind kind)
{
	struct fetch *f = fetch_new(url, key, kind, c);

	if (f == NULL)
		return NULL;
	f->target = (int)c->cur;
	f->timeout_s = c->o.timeout_s;
	f->user_agent = c->o.user_agent;
	return f;
}

/* The SSRF guard refused url's address: an error row and a warning in the job's log. */
static void
refuse(struct crawl *c, const char *url, const char *why)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "Refused: %s address (not in [daemon] allow_networks)", why);
	note_error(c, url, "refused", 0, msg);
	store_log(c->env->store, &c->q.id, target_id(c), "warning", "%s: %.300s", msg, url);
}

/* Queues url (normalised, in scope, not seen yet) at depth. */
static void
enqueue(struct crawl *c, const char *url, int depth, int hops)
{
	char		 norm[URLSCOPE_URL_MAX + 1];
	struct frontier_item	 it;

	if (urlscope_normalise(c->scope, url, norm, sizeof(norm)) == -1)
		return;
	if (!urlscope_allows(c->scope, norm))
		return;
	if (urlset_add(c->seen, norm) != 1)
		return;
	memset(&it, 0, sizeof(it));
	if ((it.url = strdup(norm)) == NULL)
		return;
	it.depth = depth;
	it.hops = hops;
	frontier_push(&c->frontier, &it, 0);
}

/* ---- targets ---- */

static void
target_reset(struct crawl *c)
{
	frontier_clear(&c->frontier);
	rhost_free_all(&c->hosts);
	urlscope_free(c->scope);
	urlset_free(c->seen);
	c->scope = NULL;
	c->seen = NULL;
	c->pages = c->results = c->target_ok = 0;
	c->sitemaps = 0;
	c->target_live = 0;
	c->last_error[0] = '\0';
}

static void
target_event(struct crawl *c, const char *type, long long results)
{
	char data[160];

	snprintf(data, sizeof(data), "{\"position\":%d,\"results_count\":%lld}",
	    c->q.targets[c->cur].position, results);
	store_event(c->env->store, &c->q.id, &c->q.project_id, type, data);
}

/* Starts target c->cur; returns -1 (target failed at once) for a URL that cannot be crawled. */
static int
target_begin(struct crawl *c)
{
	const struct queue_target	*t = &c->q.targets[c->cur];
	struct urlscope_opts		 so;
	char				 err[256], norm[URLSCOPE_URL_MAX + 1];

	memset(&so, 0, sizeof(so));
	so.start_url = t->url;
	so.include_subdomains = c->o.include_subdomains;
	so.allow_external = c->o.allow_external;
	so.ignore_query = c->o.ignore_query;
	so.include_paths = (const char *const *)c->o.include;
	so.ninclude = c->o.ninclude;
	so.exclude_paths = (const char *const *)c->o.exclude;
	so.nexclude = c->o.nexclude;
	c->target_live = 1;
	store_target(c->env->store, &c->q.id, t->position, JOB_RUNNING, 1, 0, NULL);
	store_log(c->env->store, &c->q.id, &t->target_id, "info", "Scraping target: %s", t->url);
	target_event(c, "target_started", 0);
	if ((c->scope = urlscope_new(&so, err, sizeof(err))) == NULL ||
	    (c->seen = urlset_new(CRAWL_SEEN_MAX)) == NULL ||
	    urlscope_normalise(c->scope, t->url, norm, sizeof(norm)) == -1 ||
	    rhost_key(norm, c->start_host, sizeof(c->start_host)) == -1) {
		snprintf(c->error, sizeof(c->error), "target %.120s: %.120s", t->url,
		    c->scope == NULL ? err : "not a crawlable URL");
		return -1;
	}
	/* The start URL is in scope by definition, whatever includePaths say. */
	if (urlset_add(c->seen, norm) == 1) {
		struct frontier_item it = { strdup(norm), 0, 0, 0, NULL };

		if (it.url != NULL)
			frontier_push(&c->frontier, &it, 0);
	}
	return 0;
}

static void
target_end(struct crawl *c, int failed, const char *why)
{
	const struct queue_target *t = &c->q.targets[c->cur];

	c->completed_targets++;
	if (!failed)
		c->good_targets++;
	store_target(c->env->store, &c->q.id, t->position, failed ? JOB_FAILED : JOB_COMPLETED,
	    0, 1, failed ? why : NULL);
	if (failed) {
		store_log(c->env->store, &c->q.id, &t->target_id, "error", "Target failed: %s", why);
		text_copy(c->job_last_error, sizeof(c->job_last_error), why);
	}
	else
		store_log(c->env->store, &c->q.id, &t->target_id, "info",
		    "Target completed: %lld results", c->results);
	target_event(c, failed ? "target_failed" : "target_completed", c->results);
	target_reset(c);
	c->cur++;
}

/* ---- fetch results ---- */

static void sitemap_child(struct crawl *, const char *);

/* robots.txt arrived (or failed): RFC 9309 2.3.1: 4xx allows all, 5xx/unreachable none. */
static void
on_robots(struct crawl *c, struct fetch *f, struct rhost *h)
{
	size_t i;

	h->fetching = 0;
	if (f->refused[0] != '\0')
		text_copy(h->refused, sizeof(h->refused), f->refused);
	if (f->result == CURLE_OK && f->status >= 200 && f->status < 300)
		h->robots = robots_parse(f->body.data ? f->body.data : "", f->body.len, c->o.agent);
	else if (f->result == CURLE_OK && f->status >= 400 && f->status < 500)
		h->robots = robots_allow_all();
	else
		h->robots = robots_disallow_all();
	if (h->robots == NULL)
		h->robots = robots_disallow_all();      /* out of memory: fail closed */
	else if (f->result != CURLE_OK)
		snprintf(h->unreachable, sizeof(h->unreachable), "Host unreachable: %s",
		    curl_easy_strerror(f->result));
	else if (f->status >= 500 && c->o.respect_robots)
		snprintf(h->unreachable, sizeof(h->unreachable),
		    "robots.txt answered HTTP %ld: host treated as disallowed (RFC 9309)", f->status);
	/* Delays are this job's own: another job on the host keeps its pace. */
	h->delay_ms = c->o.delay_ms;
	if (c->o.respect_robots && robots_crawl_delay_ms(h->robots) > h->delay_ms)
		h->delay_ms = robots_crawl_delay_ms(h->robots);
	/* Waiting URLs go back to the front, in their order. */
	for (i = h->nwaiting; i > 0; i--)
		frontier_push(&c->frontier, &h->waiting[i - 1], 1);
	h->nwaiting = 0;
	if (strcmp(h->key, c->start_host) != 0 || c->o.ignore_sitemap || c->sitemaps > 0)
		return;
	/* Sitemap discovery: the ones robots.txt names, else /sitemap.xml. */
	for (i = 0; i < robots_sitemap_count(h->robots); i++)
		sitemap_child(c, robots_sitemap(h->robots, i));
	if (c->sitemaps == 0) {
		char url[FETCH_HOST_MAX + 16];

		snprintf(url, sizeof(url), "%s/sitemap.xml", h->key);
		sitemap_child(c, url);
	}
}

/* The locs of one sitemap file, kept until its kind is known. */
struct sitemap_walk {
	char	**locs;
	size_t	  n, cap;
};

static int
on_sitemap_loc(void *arg, const char *loc)
{
	struct sitemap_walk *w = arg;

	if (w->n == w->cap) {
		size_t	 cap = w->cap ? w->cap * 2 : 64;
		void	*p = realloc(w->locs, cap * sizeof(*w->locs));

		if (p == NULL)
			return 1;
		w->locs = p;
		w->cap = cap;
	}
	if ((w->locs[w->n] = strdup(loc)) == NULL)
		return 1;
	w->n++;
	return 0;
}

static void
sitemap_child(struct crawl *c, const char *loc)
{
	char		 key[FETCH_HOST_MAX];
	struct fetch	*s;

	if (c->sitemaps >= CRAWL_SITEMAPS_MAX || rhost_key(loc, key, sizeof(key)) == -1 ||
	    (s = new_fetch(c, loc, key, FETCH_SITEMAP)) == NULL)
		return;
	s->follow = 1;
	c->sitemaps++;
	c->inflight++;
	engine_submit(c->env->engine, s);
}

static void
on_sitemap(struct crawl *c, struct fetch *f)
{
	struct sitemap_walk	 w = { NULL, 0, 0 };
	enum sitemap_kind	 k;
	size_t			 i;

	if (f->result != CURLE_OK || f->status < 200 || f->status >= 300 || f->body.len == 0)
		return;      /* a missing sitemap is normal, not an error */
	k = sitemap_parse(f->body.data, f->body.len, on_sitemap_loc, &w);
	if (k == SITEMAP_INVALID)
		store_log(c->env->store, &c->q.id, target_id(c), "warning",
		    "Sitemap %s is not a valid sitemap", f->url);
	for (i = 0; i < w.n; i++) {
		if (k == SITEMAP_INDEX)
			sitemap_child(c, w.locs[i]);
		else if (k == SITEMAP_URLSET)
			enqueue(c, w.locs[i], 1, 0);
		free(w.locs[i]);
	}
	free(w.locs);
}

static int
is_html(const char *ctype)
{
	return ctype != NULL && (strncasecmp(ctype, "text/html", 9) == 0 ||
	    strncasecmp(ctype, "application/xhtml+xml", 21) == 0);
}

/* {"products":[...],"fields":{...}} of an extracted page, or NULL when both are empty. */
static char *
page_data(const struct crawl *c, const struct extract_page *p, char *const *values)
{
	struct buf	 b;
	struct jsonw	 w;
	size_t		 i;

	if (p->nproducts == 0 && c->o.nsel == 0)
		return NULL;
	buf_init(&b, 2 * 1024 * 1024);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_array(&w, "products");
	for (i = 0; i < p->nproducts; i++) {
		jsonw_object(&w, NULL);
		jsonw_str(&w, "name", p->products[i].name);
		jsonw_str(&w, "price", p->products[i].price);
		jsonw_str(&w, "currency", p->products[i].currency);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_object(&w, "fields");
	for (i = 0; i < c->o.nsel; i++)
		jsonw_str(&w, c->o.sel[i].name, values ? values[i] : NULL);
	jsonw_end(&w);
	jsonw_end(&w);
	if (jsonw_failed(&w)) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* Stores a 2xx page: what extraction found (p NULL: not parsed) and its selectors' values. */
static void
store_page(struct crawl *c, const struct fetch *f, const struct extract_page *p,
    char *const *values)
{
	struct store_result	 r;
	char			*data = NULL;

	memset(&r, 0, sizeof(r));
	r.url = f->url;
	crypto_hash_sha256(r.hash, (const unsigned char *)f->url, strlen(f->url));
	r.status = f->status;
	r.content_type = f->content_type;
	r.bytes = (long long)f->body.len;
	r.fetch_ms = (long)f->total_ms;
	r.depth = f->depth;
	if (p != NULL) {
		c->st.products += (long long)p->nproducts;
		c->st.images += (long long)p->images;
		c->st.links += (long long)p->links_total;
		r.title = p->title;
		r.description = p->description;
		r.canonical = p->canonical;
		r.links = (long)p->links_total;
		r.images = (long)p->images;
		r.products = (long)p->nproducts;
		r.data_json = data = page_data(c, p, values);
	} else if (!is_html(f->content_type))
		c->st.documents++;
	store_result(c->env->store, &c->q.id, target_id(c), c->q.targets[c->cur].position, &r);
	c->st.results++;
	free(data);
}

/* Hands a parsed page's selectors to the selector workers; the page takes f and p's contents. */
static int
wait_selectors(struct crawl *c, struct fetch *f, struct extract_page *p)
{
	struct selpage *sp;

	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return -1;
	if (selpool_submit(c->env->selectors, c, sp, f->url, f->body.data, f->body.len,
	    c->o.sel, c->o.nsel) == -1) {
		free(sp);
		return -1;
	}
	sp->f = f;
	sp->p = *p;
	sp->next = c->selpages;
	c->selpages = sp;
	c->inflight++;
	return 0;
}

/*
 * A 2xx page: kept as a result; HTML is parsed for fields and links here. A job's
 * selectors run in a selector worker instead (this loop must not run them: one
 * XPath on a large page can take minutes), and the result is stored when they
 * end. Returns 1 when the page waits for them: f is theirs then.
 */
static int
on_page_ok(struct crawl *c, struct fetch *f)
{
	struct extract_page	 p;
	int			 parsed = 0, waits = 0;
	size_t			 i;

	memset(&p, 0, sizeof(p));
	if (is_html(f->content_type) && f->body.len > 0 &&
	    extract_html(f->body.data, f->body.len, f->url, NULL, 0, &p) == 0)
		parsed = 1;
	c->target_ok = 1;
	if (parsed && !p.nofollow && f->depth < c->o.depth)
		for (i = 0; i < p.nlinks; i++)
			enqueue(c, p.links[i], f->depth + 1, 0);
	if (c->results < c->o.max_results) {
		c->results++;                    /* a page waiting for its selectors counts */
		if (parsed && c->o.nsel > 0)
			waits = wait_selectors(c, f, &p) == 0;
		if (!waits)
			store_page(c, f, parsed ? &p : NULL, NULL);
	}
	if (parsed && !waits)
		extract_free(&p);
	return waits;
}

/* 429, or 503 with Retry-After: slow the host down and try the URL again later. */
static int
on_rate_limited(struct crawl *c, struct fetch *f, struct frontier_item *it)
{
	long secs;

	if (!(f->status == 429 || (f->status == 503 && f->retry_after > 0)))
		return 0;
	if (it->attempts + 1 >= CRAWL_RATE_RETRIES)
		return 0;
	secs = f->retry_after > 0 ? f->retry_after : CRAWL_RATE_DEFAULT_S;
	if (secs > CRAWL_RATE_MAX_S)
		secs = CRAWL_RATE_MAX_S;
	engine_host_pause(c->env->engine, f->host, secs * 1000);
	store_log(c->env->store, &c->q.id, target_id(c), "warning",
	    "Rate limited, waiting %ld seconds", secs);
	it->attempts++;
	c->pages--;                       /* the retry is the same page */
	frontier_push(&c->frontier, it, 1);
	it->url = NULL;
	return 1;
}

static void
on_redirect(struct crawl *c, struct fetch *f, const struct frontier_item *it)
{
	char norm[URLSCOPE_URL_MAX + 1], msg[300];

	if (it->hops + 1 > (int)c->env->cfg->daemon_max_redirects) {
		note_error(c, it->url, "redirects", f->status, "Too many redirects");
		return;
	}
	if (urlscope_normalise(c->scope, f->location, norm, sizeof(norm)) == -1) {
		note_error(c, it->url, "redirects", f->status, "Redirect to a URL that is not http(s)");
		return;
	}
	if (!urlscope_allows(c->scope, norm)) {
		snprintf(msg, sizeof(msg), "Redirect leaves the crawl scope: %.200s", norm);
		note_error(c, it->url, "redirects", f->status, msg);
		return;
	}
	if (urlset_add(c->seen, norm) != 1) {
		/* Back where the chain began: a loop, reported on the URL that was linked. */
		if (strcmp(norm, it->origin ? it->origin : it->url) == 0) {
			snprintf(msg, sizeof(msg), "Redirect loop (%d hops)", it->hops + 1);
			note_error(c, norm, "redirects", f->status, msg);
		}
		return;        /* else the target was reached another way: nothing lost */
	}
	{
		struct frontier_item next = { strdup(norm), it->depth, it->hops + 1, 0,
		    strdup(it->origin ? it->origin : it->url) };

		if (next.url != NULL && next.origin != NULL)
			frontier_push(&c->frontier, &next, 1);
		else
			frontier_item_free(&next);
	}
}

/* Returns 1 when the page now waits for its selectors (f is theirs). */
static int
on_page(struct crawl *c, struct fetch *f, struct frontier_item *it)
{
	char msg[256];

	c->st.processed++;
	c->st.ms_total += f->total_ms;
	c->st.bytes += (long long)f->body.len;
	if (f->refused[0] != '\0') {
		refuse(c, it->url, f->refused);
		return 0;
	}
	if (f->too_large) {
		snprintf(msg, sizeof(msg), "Body exceeds %zu bytes", c->env->cfg->daemon_max_body);
		note_error(c, it->url, "too_large", f->status, msg);
		return 0;
	}
	if (f->result != CURLE_OK) {
		note_error(c, it->url, "fetch", 0, curl_easy_strerror(f->result));
		return 0;
	}
	if (on_rate_limited(c, f, it))
		return 0;
	if (f->status >= 300 && f->status < 400 && f->location != NULL) {
		on_redirect(c, f, it);
		return 0;
	}
	if (f->status < 200 || f->status >= 300) {
		snprintf(msg, sizeof(msg), "HTTP %ld", f->status);
		note_error(c, it->url, "http", f->status, msg);
		return 0;
	}
	c->st.ok++;
	return on_page_ok(c, f);
}

/* ---- the places a job with selectors holds for its pages (SQ_SELECTOR_JOB_PAGES, the pool's) ---- */

static int
sel_room(const struct crawl *c)
{
	return c->o.nsel == 0 || (c->sel_held < SQ_SELECTOR_JOB_PAGES &&
	    selpool_room(c->env->selectors));
}

static int
sel_hold(struct crawl *c)
{
	if (c->o.nsel == 0)
		return 0;
	if (c->sel_held >= SQ_SELECTOR_JOB_PAGES || selpool_reserve(c->env->selectors) == -1)
		return -1;
	c->sel_held++;
	return 0;
}

static void
sel_release(struct crawl *c, size_t n)
{
	if (c->o.nsel == 0)
		return;
	selpool_unreserve(c->env->selectors, n);
	c->sel_held -= n;
}

/* Takes back every page of this crawl from the selector workers (cancel, free). */
static void
sel_drop_all(struct crawl *c)
{
	struct selpage *sp;

	if (c->o.nsel == 0)
		return;
	selpool_cancel(c->env->selectors, c);
	while ((sp = c->selpages) != NULL) {
		c->selpages = sp->next;
		fetch_free(sp->f);
		extract_free(&sp->p);
		free(sp);
	}
	sel_release(c, c->sel_held);
}

void
crawl_on_fetch(struct crawl *c, struct fetch *f)
{
	struct frontier_item	 it = { f->url, f->depth, f->hops, f->attempts, f->origin };
	struct rhost	*h;
	int		 waits = 0;

	c->inflight--;
	if (c->state != CRAWL_RUNNING || f->target != (int)c->cur) {
		if (f->kind == FETCH_PAGE && c->state == CRAWL_RUNNING)
			sel_release(c, 1);
		fetch_free(f);                   /* a fetch of a target already ended */
		return;
	}
	switch (f->kind) {
	case FETCH_ROBOTS:
		if ((h = rhost_get(&c->hosts, f->host)) != NULL)
			on_robots(c, f, h);
		break;
	case FETCH_SITEMAP:
		on_sitemap(c, f);
		break;
	case FETCH_PAGE:
		if ((waits = on_page(c, f, &it)) == 0)
			sel_release(c, 1);          /* a page waiting for its selectors keeps its place */
		if (it.url == NULL)
			f->url = f->origin = NULL;  /* moved back into the frontier */
		break;
	}
	if (!waits)
		fetch_free(f);
}

static const char *
selector_name(const struct crawl *c, int i)
{
	return i >= 0 && (size_t)i < c->o.nsel ? c->o.sel[i].name : "?";
}

/* Why a page's selectors gave no values, for its crawl error. */
static void
selector_error(struct crawl *c, const struct selpool_result *r, char *msg, size_t msgsz)
{
	unsigned ms = c->env->cfg->daemon_selector_cpu_ms;

	if (r->outcome == SELPOOL_CPU && ms % 1000 == 0)
		snprintf(msg, msgsz, "selector '%.100s' exceeded its CPU time (%u s)",
		    selector_name(c, r->selector), ms / 1000);
	else if (r->outcome == SELPOOL_CPU)
		snprintf(msg, msgsz, "selector '%.100s' exceeded its CPU time (%u ms)",
		    selector_name(c, r->selector), ms);
	else if (r->outcome == SELPOOL_WALL)
		snprintf(msg, msgsz, "selector '%.100s' did not finish within %lld s of wall-clock "
		    "time (the selector worker was killed)", selector_name(c, r->selector),
		    ((long long)ms * SQ_SELECTOR_WALL_FACTOR + SQ_SELECTOR_WALL_SLACK_MS) / 1000);
	else if (r->outcome == SELPOOL_DIED && r->selector >= 0)
		snprintf(msg, msgsz, "selector '%.100s' stopped the selector worker (%s %d)",
		    selector_name(c, r->selector), WIFSIGNALED(r->status) ? "signal" : "exit status",
		    WIFSIGNALED(r->status) ? WTERMSIG(r->status) : WEXITSTATUS(r->status));
	else if (r->outcome == SELPOOL_DIED)
		snprintf(msg, msgsz, "the selector worker died before the selectors ran (%s %d)",
		    WIFSIGNALED(r->status) ? "signal" : "exit status",
		    WIFSIGNALED(r->status) ? WTERMSIG(r->status) : WEXITSTATUS(r->status));
	else
		snprintf(msg, msgsz, "selectors not run: no selector worker could be started");
}

void
crawl_on_selectors(struct crawl *c, void *page, const struct selpool_result *r)
{
	struct selpage	*sp = page, **pp;
	char		 msg[300];

	for (pp = &c->selpages; *pp != NULL && *pp != sp; pp = &(*pp)->next)
		;
	if (*pp == sp)
		*pp = sp->next;
	c->inflight--;
	sel_release(c, 1);
	if (r->outcome == SELPOOL_OK)
		store_page(c, sp->f, &sp->p, r->values);
	else {
		c->results--;                    /* its place goes to another page */
		selector_error(c, r, msg, sizeof(msg));
		note_error(c, sp->f->url, "selector", sp->f->status, msg);
		if (r->outcome == SELPOOL_UNAVAILABLE || r->outcome == SELPOOL_WALL)
			c->retryable = 1;        /* the daemon's trouble, not the job's */
	}
	fetch_free(sp->f);
	extract_free(&sp->p);
	free(sp);
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts robots.txt for a host this target has not asked yet. */
static void
fetch_robots(struct crawl *c, struct rhost *h)
{
	char		 url[FETCH_HOST_MAX + 16];
	struct fetch	*f;

	snprintf(url, sizeof(url), "%s/robots.txt", h->key);
	if ((f = new_fetch(c, url, h->key, FETCH_ROBOTS)) == NULL)
		return;
	f->follow = 1;
	h->fetching = 1;
	c->inflight++;
	engine_submit(c->env->engine, f);
}

/* The page fetch itself; takes it's strings. */
static void
fetch_page(struct crawl *c, struct rhost *h, struct frontier_item *it)
{
	struct fetch *f;

	if (sel_hold(c) == -1) {
		frontier_push(&c->frontier, it, 1);           /* no place for its selectors yet: later */
		return;
	}
	if ((f = new_fetch(c, it->url, h->key, FETCH_PAGE)) == NULL) {
		sel_release(c, 1);
		frontier_item_free(it);
		return;
	}
	free(it->url);
	f->depth = it->depth;
	f->hops = it->hops;
	f->attempts = it->attempts;
	f->origin = it->origin;
	if (h->delay_ms > 0)
		h->next_at = mono_ms() + h->delay_ms;
	c->pages++;
	c->inflight++;
	engine_submit(c->env->engine, f);
}

/*
 * Sends one URL on its way: robots.txt first for a new host, then its rules, then
 * the page, or into the host's wait list while this job's delay for it runs.
 */
static void
submit(struct crawl *c, struct frontier_item *it)
{
	char		 key[FETCH_HOST_MAX], path[URLSCOPE_URL_MAX + 1];
	struct rhost	*h;

	if (rhost_key(it->url, key, sizeof(key)) == -1 || (h = rhost_get(&c->hosts, key)) == NULL) {
		frontier_item_free(it);
		return;
	}
	if (h->robots == NULL) {
		if (!h->fetching)
			fetch_robots(c, h);
		rhost_wait(h, it);
		return;
	}
	if (h->refused[0] != '\0') {
		refuse(c, it->url, h->refused);
		frontier_item_free(it);
		return;
	}
	if (h->unreachable[0] != '\0') {
		note_error(c, it->url, "fetch", 0, h->unreachable);
		c->retryable = 1;
		frontier_item_free(it);
		return;
	}
	if (c->o.respect_robots && (rhost_path(it->url, path, sizeof(path)) == -1 ||
	    !robots_allowed(h->robots, path))) {
		note_error(c, it->url, "robots", 0, "Blocked by robots.txt");
		frontier_item_free(it);
		return;
	}
	if (h->delay_ms > 0 && (h->next_at > mono_ms() || h->nwaiting > 0)) {
		rhost_wait(h, it);
		return;
	}
	fetch_page(c, h, it);
}

/* Hosts this job paces: the next waiting URL goes once its delay has passed. */
static void
release_delayed(struct crawl *c)
{
	struct rhost	*h;
	struct frontier_item	 it;
	long long	 now = mono_ms();

	for (h = c->hosts; h != NULL && sel_room(c); h = h->next) {
		if (h->robots == NULL || h->delay_ms <= 0 || h->nwaiting == 0 || h->next_at > now)
			continue;
		it = h->waiting[0];
		memmove(&h->waiting[0], &h->waiting[1], (h->nwaiting - 1) * sizeof(*h->waiting));
		h->nwaiting--;
		fetch_page(c, h, &it);
	}
}

static int
robots_pending(const struct crawl *c)
{
	const struct rhost *h;

	for (h = c->hosts; h != NULL; h = h->next)
		if (h->fetching || h->nwaiting > 0)
			return 1;
	return 0;
}

void
crawl_pump(struct crawl *c)
{
	struct frontier_item	 it;
	unsigned	 cap = c->env->cfg->daemon_concurrency * 2;

	while (c->state == CRAWL_RUNNING) {
		if (c->cur >= c->q.ntargets) {
			c->state = c->good_targets > 0 ? CRAWL_COMPLETED : CRAWL_FAILED;
			if (c->state == CRAWL_FAILED && c->error[0] == '\0')
				snprintf(c->error, sizeof(c->error), "every target failed%s%.200s%s",
				    c->job_last_error[0] ? " (last: " : "", c->job_last_error,
				    c->job_last_error[0] ? ")" : "");
			return;
		}
		if (!c->target_live) {
			if (c->q.targets[c->cur].status == JOB_COMPLETED) {
				c->completed_targets++;      /* done before a reclaim */
				c->good_targets++;
				c->cur++;
				continue;
			}
			if (target_begin(c) == -1) {
				target_end(c, 1, c->error);
				continue;
			}
		}
		if (c->pages < c->o.max_pages && c->results < c->o.max_results)
			release_delayed(c);
		while ((unsigned)c->inflight < cap && c->pages < c->o.max_pages &&
		    c->results < c->o.max_results && sel_room(c) && frontier_pop(&c->frontier, &it))
			submit(c, &it);
		if (c->inflight > 0 || (robots_pending(c) && c->pages < c->o.max_pages))
			return;
		if (c->frontier.len > 0 && c->pages < c->o.max_pages && c->results < c->o.max_results)
			return;
		target_end(c, !c->target_ok, c->last_error[0] ? c->last_error :
		    "no page of the target could be fetched");
	}
}

struct crawl *
crawl_start(const struct crawl_env *env, struct queue_job *qj)
{
	struct crawl *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->env = env;
	c->q = *qj;
	memset(qj, 0, sizeof(*qj));
	c->state = CRAWL_RUNNING;
	c->st.started_ms = mono_ms();
	if (opts_parse(c) == -1) {
		c->state = CRAWL_FAILED;
		return c;
	}
	if (c->q.ntargets == 0) {
		snprintf(c->error, sizeof(c->error), "the job has no targets");
		c->state = CRAWL_FAILED;
	}
	return c;
}

void
crawl_free(struct crawl *c)
{
	if (c == NULL)
		return;
	engine_cancel(c->env->engine, c);
	sel_drop_all(c);
	target_reset(c);
	frontier_free(&c->frontier);
	opts_free(&c->o);
	json_object_put(c->st.errors);
	free(c->q.config);
	free(c->q.targets);
	free(c);
}

void
crawl_cancel(struct crawl *c)
{
	if (c->state != CRAWL_RUNNING)
		return;
	engine_cancel(c->env->engine, c);
	sel_drop_all(c);
	c->inflight = 0;
	c->state = CRAWL_CANCELLED;
	if (c->target_live && c->cur < c->q.ntargets)
		store_target(c->env->store, &c->q.id, c->q.targets[c->cur].position,
		    JOB_CANCELLED, 0, 1, NULL);
}

enum crawl_state
crawl_state(const struct crawl *c)
{
	return c->state;
}

const struct uuid *
crawl_job(const struct crawl *c)
{
	return &c->q.id;
}

int
crawl_retryable(const struct crawl *c)
{
	return c->retryable;
}

const char *
crawl_error_text(const struct crawl *c)
{
	return c->error;
}

long long
crawl_results(const struct crawl *c)
{
	return c->st.results;
}

char *
crawl_stats_json(const struct crawl *c)
{
	struct json_object	*o = json_object_new_object(), *d;
	long long		 total = c->st.processed + (long long)c->frontier.len;
	char			*s;

	json_object_object_add(o, "pagesProcessed", json_object_new_int64(c->st.processed));
	json_object_object_add(o, "totalPages", json_object_new_int64(total));
	json_object_object_add(o, "successfulRequests", json_object_new_int64(c->st.ok));
	json_object_object_add(o, "failedRequests", json_object_new_int64(c->st.failed));
	json_object_object_add(o, "avgResponseTime", json_object_new_int64(c->st.processed ?
	    (long long)(c->st.ms_total / (double)c->st.processed) : 0));
	json_object_object_add(o, "totalProcessingTime", json_object_new_int64(
	    c->st.started_ms ? mono_ms() - c->st.started_ms : 0));
	json_object_object_add(o, "bytesDownloaded", json_object_new_int64(c->st.bytes));
	d = json_object_new_object();
	json_object_object_add(d, "products", json_object_new_int64(c->st.products));
	json_object_object_add(d, "images", json_object_new_int64(c->st.images));
	json_object_object_add(d, "links", json_object_new_int64(c->st.links));
	json_object_object_add(d, "documents", json_object_new_int64(c->st.documents));
	json_object_object_add(o, "dataExtracted", d);
	json_object_object_add(o, "resultsStored", json_object_new_int64(c->st.results));
	json_object_object_add(o, "errors", c->st.errors ? json_object_get(c->st.errors) :
	    json_object_new_array());
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

char *
crawl_error_json(const struct crawl *c)
{
	struct json_object	*o;
	char			*s;

	if (c->state != CRAWL_FAILED)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "code", json_object_new_string("CRAWL_FAILED"));
	json_object_object_add(o, "message", json_object_new_string(c->error[0] ? c->error :
	    "the crawl failed"));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* The current target index and completed count, for progress. */
long long
crawl_completed_targets(const struct crawl *c)
{
	return c->completed_targets;
}

const struct uuid *
crawl_current_target(const struct crawl *c)
{
	return c->state == CRAWL_RUNNING && c->cur < c->q.ntargets ?
	    &c->q.targets[c->cur].target_id : NULL;
}
