/* crawl.c: a job's crawl: BFS over each target in turn, under its scope, robots.txt and limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "scrapeq/clock.h"
#include "scrapeq/crawl_config.h"
#include "scrapeq/extract.h"
#include "scrapeq/hrefcache.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/robots.h"
#include "scrapeq/text.h"
#include "scrapeq/urlscope.h"
#include "crawl_int.h"

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

const struct uuid *
crawl_target_id(const struct crawl *c)
{
	return &c->q.targets[c->cur].target_id;
}

void
crawl_note_error(struct crawl *c, const char *url, const char *kind, long status, const char *msg)
{
	struct json_object *e;

	c->st.failed++;
	if (c->env->pages != NULL)
		c->env->pages->failed++;
	/* A retry meets the same refusal, the same robots.txt and the same selector. */
	if (strcmp(kind, "refused") != 0 && strcmp(kind, "robots") != 0 &&
	    strcmp(kind, "selector") != 0)
		c->retryable = 1;
	snprintf(c->last_error, sizeof(c->last_error), "%s: %.200s", msg, url);
	store_error(c->env->store, &c->q.id, crawl_target_id(c), url, kind, status, msg);
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

struct fetch *
crawl_new_fetch(struct crawl *c, const char *url, const char *key, enum fetch_kind kind)
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
void
crawl_refuse(struct crawl *c, const char *url, const char *why)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "Refused: %s address (not in [daemon] allow_networks)", why);
	crawl_note_error(c, url, "refused", 0, msg);
	store_log(c->env->store, &c->q.id, crawl_target_id(c), "warning", "%s: %.300s", msg, url);
}

/*
 * Queues url (normalised, in scope, not seen yet) at depth. What that finds for one
 * string cannot change within a target (the scope is fixed and the seen set only
 * grows), so a string met again, as every page's navigation is, is skipped before the
 * work: judged holds each string's SipHash, like seen (the same odds of a collision).
 */
void
crawl_enqueue(struct crawl *c, const char *url, int depth, int hops)
{
	char		 norm[URLSCOPE_URL_MAX + 1];
	struct frontier_item	 it;

	if (c->judged != NULL && urlset_add(c->judged, url) == 0)
		return;
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
	urlset_free(c->judged);
	c->scope = NULL;
	c->seen = NULL;
	c->judged = NULL;
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
	    (c->judged = urlset_new(CRAWL_SEEN_MAX)) == NULL ||
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

/* Starts robots.txt for a host this target has not asked yet. */
static void
fetch_robots(struct crawl *c, struct rhost *h)
{
	char		 url[FETCH_HOST_MAX + 16];
	struct fetch	*f;

	snprintf(url, sizeof(url), "%s/robots.txt", h->key);
	if ((f = crawl_new_fetch(c, url, h->key, FETCH_ROBOTS)) == NULL)
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

	if (crawl_sel_hold(c) == -1) {
		frontier_push(&c->frontier, it, 1);           /* no place for its selectors yet: later */
		return;
	}
	if ((f = crawl_new_fetch(c, it->url, h->key, FETCH_PAGE)) == NULL) {
		crawl_sel_release(c, 1);
		frontier_item_free(it);
		return;
	}
	free(it->url);
	f->depth = it->depth;
	f->hops = it->hops;
	f->attempts = it->attempts;
	f->origin = it->origin;
	if (h->delay_ms > 0)
		h->next_at = clock_mono_ms() + h->delay_ms;
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
		crawl_refuse(c, it->url, h->refused);
		frontier_item_free(it);
		return;
	}
	if (h->unreachable[0] != '\0') {
		crawl_note_error(c, it->url, "fetch", 0, h->unreachable);
		c->retryable = 1;
		frontier_item_free(it);
		return;
	}
	if (c->o.respect_robots && (rhost_path(it->url, path, sizeof(path)) == -1 ||
	    !robots_allowed(h->robots, path))) {
		crawl_note_error(c, it->url, "robots", 0, "Blocked by robots.txt");
		frontier_item_free(it);
		return;
	}
	if (h->delay_ms > 0 && (h->next_at > clock_mono_ms() || h->nwaiting > 0)) {
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
	long long	 now = clock_mono_ms();

	for (h = c->hosts; h != NULL && crawl_sel_room(c); h = h->next) {
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
		    c->results < c->o.max_results && crawl_sel_room(c) && frontier_pop(&c->frontier, &it))
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
	c->st.started_ms = clock_mono_ms();
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
	unsigned long long hits, misses;

	if (c == NULL)
		return;
	if (c->env->memo != NULL) {
		hrefcache_counts(c->env->memo, &hits, &misses);
		log_debug("href memo so far: %llu of %llu resolutions kept", hits, hits + misses);
	}
	engine_cancel(c->env->engine, c);
	crawl_sel_drop_all(c);
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
	crawl_sel_drop_all(c);
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
	    c->st.started_ms ? clock_mono_ms() - c->st.started_ms : 0));
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
