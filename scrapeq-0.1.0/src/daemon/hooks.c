/* hooks.c: scrapeqd's webhook delivery thread: fan-out, claims, POSTs through the network guard, attempts recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "scrapeq/clock.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/text.h"
#include "scrapeq/webhook_event.h"
#include "scrapeq/webhook_queue.h"
#include "bgtask.h"
#include "hooks.h"

#define HOOKS_IDLE_MS    200       /* between looks once nothing is due ... */
#define HOOKS_IDLE_MAX_MS 1000     /* ... doubling while it stays so (a daemon's idle load) */
#define HOOKS_DB_WAIT_MS 1000      /* after a database error */
#define HOOKS_PRUNE_MS   60000     /* between deletions of old finished deliveries */
#define HOOKS_PRUNE_ROWS 1000

struct hooks {
	struct bgtask		*bg;
	struct netguard		 guard;
	char			 daemon[64];
	char			 agent[256];
	unsigned		 timeout_s, backoff_ms, retention_days;
};

/* One attempt's connection state, for libcurl's callbacks. */
struct attempt {
	const struct hooks	*h;
	const atomic_int	*stop;
	char			 refused[64];
};

/* Every connection is judged on the address it is opened to, as the crawler's are. */
static curl_socket_t
on_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct attempt	*at = arg;
	const char	*why;

	(void)purpose;
	if ((why = netguard_refuse(&at->h->guard, &a->addr, a->addrlen)) != NULL) {
		text_copy(at->refused, sizeof(at->refused), why);
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* The receiver's answer is not kept. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct attempt *at = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return atomic_load(at->stop) ? 1 : 0;
}

static struct curl_slist *
headers(const struct webhook_claim *c, const struct webhook_send *s, struct curl_slist **out)
{
	char			 line[160 + WEBHOOK_SIGNATURE_MAX], ids[UUID_STR_LEN + 1];
	char			 sig[WEBHOOK_SIGNATURE_MAX];
	struct curl_slist	*l = NULL, *t;

	uuid_format(&s->id, ids);
	*out = NULL;
	if ((l = curl_slist_append(l, "Content-Type: application/json")) == NULL ||
	    (t = curl_slist_append(l, "Expect:")) == NULL)
		goto fail;
	snprintf(line, sizeof(line), "X-Scrapeq-Event: %s", s->event);
	if ((t = curl_slist_append(l, line)) == NULL)
		goto fail;
	snprintf(line, sizeof(line), "X-Scrapeq-Delivery: %s", ids);
	if ((t = curl_slist_append(l, line)) == NULL)
		goto fail;
	if (c->has_secret) {
		if (webhook_sign(c->secret, (long long)time(NULL), s->payload, strlen(s->payload),
		    sig) == -1)
			goto fail;
		snprintf(line, sizeof(line), "X-Scrapeq-Signature: %s", sig);
		if ((t = curl_slist_append(l, line)) == NULL)
			goto fail;
	}
	*out = l;
	return l;
fail:
	curl_slist_free_all(l);
	return NULL;
}

static void
set_options(CURL *e, const struct hooks *h, const struct webhook_claim *c,
    const struct webhook_send *s, struct curl_slist *hl, struct attempt *at, char *errbuf)
{
	curl_easy_reset(e);             /* keeps the connections it has open */
	curl_easy_setopt(e, CURLOPT_URL, c->url);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->payload);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(s->payload));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(e, CURLOPT_USERAGENT, h->agent);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, at);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, at);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)h->timeout_s);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)(h->timeout_s < 10 ? h->timeout_s : 10));
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
}

/*
 * POSTs one delivery. Returns 0 with *a filled, or -1 when the thread was asked to
 * stop during it (not an attempt: it goes again later).
 */
static int
send_one(CURL *e, const struct hooks *h, const atomic_int *stop, const struct webhook_claim *c,
    const struct webhook_send *s, struct webhook_attempt *a)
{
	struct attempt		 at = { h, stop, "" };
	struct curl_slist	*hl;
	char			 errbuf[CURL_ERROR_SIZE] = "";
	long			 code = 0;
	CURLcode		 rc;

	memset(a, 0, sizeof(*a));
	if (headers(c, s, &hl) == NULL) {
		text_copy(a->error, sizeof(a->error), "out of memory building the request");
		return 0;
	}
	set_options(e, h, c, s, hl, &at, errbuf);
	rc = curl_easy_perform(e);
	curl_slist_free_all(hl);
	if (rc == CURLE_ABORTED_BY_CALLBACK && atomic_load(stop))
		return -1;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	a->status_code = rc == CURLE_OK ? (int)code : 0;
	a->ok = rc == CURLE_OK && code >= 200 && code < 300;
	if (at.refused[0] != '\0')
		snprintf(a->error, sizeof(a->error), "refused: %s address (not in [daemon] "
		    "allow_networks)", at.refused);
	else if (rc != CURLE_OK)
		snprintf(a->error, sizeof(a->error), "%s", errbuf[0] ? errbuf :
		    curl_easy_strerror(rc));
	else if (code >= 300 && code < 400)
		snprintf(a->error, sizeof(a->error), "HTTP %ld (redirects are not followed)", code);
	else if (!a->ok)
		snprintf(a->error, sizeof(a->error), "HTTP %ld", code);
	return 0;
}

/* Sends a claimed webhook's pending deliveries in order until one fails, then records them. */
static void
deliver(struct db *db, CURL *e, const struct hooks *h, const atomic_int *stop,
    const struct webhook_claim *c)
{
	struct webhook_send	*s = NULL;
	struct webhook_attempt	*a = NULL;
	size_t			 n = 0, i = 0;
	long long		 until = clock_mono_ms() + SQ_WEBHOOK_SEND_BUDGET_SECONDS * 1000LL;
	int			 disabled = 0;
	enum sq_err		 rc;

	if ((rc = webhook_pending(db, &c->id, SQ_WEBHOOK_SENDS_PER_CLAIM, &s, &n)) == SQ_OK &&
	    n > 0 && (a = calloc(n, sizeof(*a))) == NULL)
		rc = SQ_ERR_NOMEM;
	for (i = 0; rc == SQ_OK && i < n && !atomic_load(stop) && clock_mono_ms() < until; i++) {
		if (send_one(e, h, stop, c, &s[i], &a[i]) == -1)
			break;
		if (!a[i].ok) {
			i++;
			break;
		}
	}
	if (rc != SQ_OK)
		i = 0;              /* only the lease is given back */
	rc = webhook_record(db, h->daemon, &c->id, s, a, i, h->backoff_ms, &disabled);
	if (rc != SQ_OK && rc != SQ_ERR_CONFLICT)
		log_warn("webhooks: recording deliveries failed: %s (they are sent again)",
		    sq_strerror(rc));
	if (i > 0 && !a[i - 1].ok)
		log_info("webhooks: a delivery to %.200s failed: %s", c->url, a[i - 1].error);
	if (disabled)
		log_warn("webhooks: %.200s failed for a day and is disabled", c->url);
	webhook_sends_free(s, n);
	free(a);
}

/* Sleeps up to ms, waking early when asked to stop. */
static void
nap(const atomic_int *stop, long long ms)
{
	for (; ms > 0 && !atomic_load(stop); ms -= 50)
		usleep(50 * 1000);
}

/* One turn: fan out, prune now and then, deliver what is due. Returns 1 when there may be more at once. */
static int
turn(struct db *db, CURL *e, const struct hooks *h, const atomic_int *stop, long long *next_prune)
{
	struct webhook_claim	 c[SQ_WEBHOOK_CLAIM_BATCH];
	size_t			 made = 0, n = 0, i, pruned;
	int			 more = 0;
	enum sq_err		 rc;

	if ((rc = webhook_fanout(db, &made, &more)) != SQ_OK) {
		log_debug("webhooks: fan-out: %s", sq_strerror(rc));
		return -1;
	}
	if (clock_mono_ms() >= *next_prune) {
		if (webhook_prune(db, h->retention_days, HOOKS_PRUNE_ROWS, &pruned) == SQ_OK &&
		    pruned > 0)
			log_info("webhooks: deleted %zu finished deliveries older than %u days",
			    pruned, h->retention_days);
		*next_prune = clock_mono_ms() + HOOKS_PRUNE_MS;
	}
	if ((rc = webhook_claim(db, h->daemon, SQ_WEBHOOK_CLAIM_BATCH, c, &n)) != SQ_OK) {
		log_debug("webhooks: claim: %s", sq_strerror(rc));
		return -1;
	}
	for (i = 0; i < n; i++)
		deliver(db, e, h, stop, &c[i]);
	return more || n > 0;
}

static void
run(struct db *db, const atomic_int *stop, void *arg)
{
	const struct hooks	*h = arg;
	CURL			*e;
	long long		 next_prune = 0, idle_ms = HOOKS_IDLE_MS;
	int			 r, down = 0;

	if ((e = curl_easy_init()) == NULL) {
		log_err("webhooks: no curl handle; webhooks are not delivered by this daemon");
		return;
	}
	while (!atomic_load(stop)) {
		if ((r = turn(db, e, h, stop, &next_prune)) == -1) {
			if (!down)
				log_warn("webhooks: database writes fail; retrying every %d ms",
				    HOOKS_DB_WAIT_MS);
			down = 1;
			nap(stop, HOOKS_DB_WAIT_MS);
			continue;
		}
		if (down)
			log_info("webhooks: database writes work again");
		down = 0;
		if (r != 0) {
			idle_ms = HOOKS_IDLE_MS;
			continue;
		}
		nap(stop, idle_ms);
		if ((idle_ms *= 2) > HOOKS_IDLE_MAX_MS)
			idle_ms = HOOKS_IDLE_MAX_MS;
	}
	curl_easy_cleanup(e);
}

struct hooks *
hooks_start(const struct config *cfg, const struct netguard *guard, const char *daemon_id)
{
	struct hooks *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->guard = *guard;
	text_copy(h->daemon, sizeof(h->daemon), daemon_id);
	text_copy(h->agent, sizeof(h->agent), cfg->daemon_user_agent);
	h->timeout_s = cfg->daemon_webhook_timeout;
	h->backoff_ms = cfg->daemon_webhook_backoff_ms;
	h->retention_days = cfg->retention_days;
	if ((h->bg = bgtask_start(cfg, run, h)) == NULL) {
		free(h);
		return NULL;
	}
	return h;
}

void
hooks_stop(struct hooks *h)
{
	if (h != NULL)
		bgtask_stop(h->bg);
}

void
hooks_free(struct hooks *h)
{
	if (h == NULL)
		return;
	bgtask_stop(h->bg);
	bgtask_free(h->bg);
	free(h);
}
