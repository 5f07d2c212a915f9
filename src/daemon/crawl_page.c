/* crawl_page.c: what a crawl does with each fetch that ends: robots.txt, sitemaps, pages, redirects, rate limits, selectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "scrapeq/jsonw.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/robots.h"
#include "scrapeq/sitemap.h"
#include "scrapeq/text.h"
#include "crawl_int.h"

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
	    (s = crawl_new_fetch(c, loc, key, FETCH_SITEMAP)) == NULL)
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
		store_log(c->env->store, &c->q.id, crawl_target_id(c), "warning",
		    "Sitemap %s is not a valid sitemap", f->url);
	for (i = 0; i < w.n; i++) {
		if (k == SITEMAP_INDEX)
			sitemap_child(c, w.locs[i]);
		else if (k == SITEMAP_URLSET)
			crawl_enqueue(c, w.locs[i], 1, 0);
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
	store_result(c->env->store, &c->q.id, crawl_target_id(c), c->q.targets[c->cur].position, &r);
	c->st.results++;
	if (c->env->pages != NULL)
		c->env->pages->stored++;
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
	    extract_html_memo(f->body.data, f->body.len, f->url, c->env->memo, &p) == 0)
		parsed = 1;
	c->target_ok = 1;
	if (parsed && !p.nofollow && f->depth < c->o.depth)
		for (i = 0; i < p.nlinks; i++)
			crawl_enqueue(c, p.links[i], f->depth + 1, 0);
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
	store_log(c->env->store, &c->q.id, crawl_target_id(c), "warning",
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
		crawl_note_error(c, it->url, "redirects", f->status, "Too many redirects");
		return;
	}
	if (urlscope_normalise(c->scope, f->location, norm, sizeof(norm)) == -1) {
		crawl_note_error(c, it->url, "redirects", f->status, "Redirect to a URL that is not http(s)");
		return;
	}
	if (!urlscope_allows(c->scope, norm)) {
		snprintf(msg, sizeof(msg), "Redirect leaves the crawl scope: %.200s", norm);
		crawl_note_error(c, it->url, "redirects", f->status, msg);
		return;
	}
	if (urlset_add(c->seen, norm) != 1) {
		/* Back where the chain began: a loop, reported on the URL that was linked. */
		if (strcmp(norm, it->origin ? it->origin : it->url) == 0) {
			snprintf(msg, sizeof(msg), "Redirect loop (%d hops)", it->hops + 1);
			crawl_note_error(c, norm, "redirects", f->status, msg);
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
	if (c->env->pages != NULL) {
		c->env->pages->fetched++;
		c->env->pages->bytes += (long long)f->body.len;
	}
	if (f->refused[0] != '\0') {
		crawl_refuse(c, it->url, f->refused);
		return 0;
	}
	if (f->too_large) {
		snprintf(msg, sizeof(msg), "Body exceeds %zu bytes", c->env->cfg->daemon_max_body);
		crawl_note_error(c, it->url, "too_large", f->status, msg);
		return 0;
	}
	if (f->result != CURLE_OK) {
		crawl_note_error(c, it->url, "fetch", 0, curl_easy_strerror(f->result));
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
		crawl_note_error(c, it->url, "http", f->status, msg);
		return 0;
	}
	c->st.ok++;
	return on_page_ok(c, f);
}

/* ---- the places a job with selectors holds for its pages (SQ_SELECTOR_JOB_PAGES, the pool's) ---- */

int
crawl_sel_room(const struct crawl *c)
{
	return c->o.nsel == 0 || (c->sel_held < SQ_SELECTOR_JOB_PAGES &&
	    selpool_room(c->env->selectors));
}

int
crawl_sel_hold(struct crawl *c)
{
	if (c->o.nsel == 0)
		return 0;
	if (c->sel_held >= SQ_SELECTOR_JOB_PAGES || selpool_reserve(c->env->selectors) == -1)
		return -1;
	c->sel_held++;
	return 0;
}

void
crawl_sel_release(struct crawl *c, size_t n)
{
	if (c->o.nsel == 0)
		return;
	selpool_unreserve(c->env->selectors, n);
	c->sel_held -= n;
}

/* Takes back every page of this crawl from the selector workers (cancel, free). */
void
crawl_sel_drop_all(struct crawl *c)
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
	crawl_sel_release(c, c->sel_held);
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
			crawl_sel_release(c, 1);
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
			crawl_sel_release(c, 1);          /* a page waiting for its selectors keeps its place */
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
	crawl_sel_release(c, 1);
	if (r->outcome == SELPOOL_OK)
		store_page(c, sp->f, &sp->p, r->values);
	else {
		c->results--;                    /* its place goes to another page */
		selector_error(c, r, msg, sizeof(msg));
		crawl_note_error(c, sp->f->url, "selector", sp->f->status, msg);
		if (r->outcome == SELPOOL_UNAVAILABLE || r->outcome == SELPOOL_WALL)
			c->retryable = 1;        /* the daemon's trouble, not the job's */
	}
	fetch_free(sp->f);
	extract_free(&sp->p);
	free(sp);
}

