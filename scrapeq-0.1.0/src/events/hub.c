/* hub.c: watcher registry, shared messages and bounded per-watcher queues. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/limits.h"
#include "hub.h"

struct msg *
hub_msg_new(const struct hub *h, const void *payload, size_t len)
{
	struct msg	*m;

	if ((m = malloc(sizeof(*m) + h->headroom + len)) == NULL)
		return NULL;
	m->refs = 1;
	m->len = len;
	memcpy(m->data + h->headroom, payload, len);
	return m;
}

void
hub_msg_unref(struct msg *m)
{
	if (m != NULL && --m->refs == 0)
		free(m);
}

void
hub_init(struct hub *h, size_t max_watchers, size_t queue_max, size_t headroom,
    void (*wake)(struct watcher *))
{
	memset(h, 0, sizeof(*h));
	h->max_watchers = max_watchers;
	h->queue_max = queue_max;
	h->headroom = headroom;
	h->wake = wake;
}

static size_t
bucket(const struct uuid *u)
{
	size_t	 i, v = 2166136261u;

	for (i = 0; i < sizeof(u->b); i++)
		v = (v ^ u->b[i]) * 16777619u;
	return v % HUB_BUCKETS;
}

int
hub_add(struct hub *h, struct watcher *w)
{
	size_t	 b;

	if (h->nwatchers >= h->max_watchers)
		return -1;
	b = bucket(&w->key);
	w->hub = h;
	w->prev = NULL;
	w->next = h->buckets[b];
	if (w->next != NULL)
		w->next->prev = w;
	h->buckets[b] = w;
	h->nwatchers++;
	return 0;
}

static void
queue_clear(struct watcher *w)
{
	while (w->qlen > 0)
		hub_msg_unref(hub_pop(w));
	free(w->q);
	w->q = NULL;
	w->qcap = w->qhead = 0;
}

void
hub_remove(struct watcher *w)
{
	struct hub	*h = w->hub;

	queue_clear(w);
	if (h == NULL)
		return;
	hub_replay_done(w);
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		h->buckets[bucket(&w->key)] = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	h->nwatchers--;
	w->hub = NULL;
}

static void
drop(struct watcher *w)
{
	queue_clear(w);
	if (w->end != WATCH_SLOW && w->hub != NULL)
		w->hub->dropped++;
	w->end = WATCH_SLOW;
	if (w->hub != NULL && w->hub->wake != NULL)
		w->hub->wake(w);
}

/* Doubles the ring up to queue_max, keeping the order. */
static int
grow(struct watcher *w, size_t max)
{
	struct msg	**q;
	size_t		 n = w->qcap == 0 ? 8 : w->qcap * 2, i;

	if (n > max)
		n = max;
	if ((q = malloc(n * sizeof(*q))) == NULL)
		return -1;
	for (i = 0; i < w->qlen; i++)
		q[i] = w->q[(w->qhead + i) % w->qcap];
	free(w->q);
	w->q = q;
	w->qcap = n;
	w->qhead = 0;
	return 0;
}

int
hub_push(struct watcher *w, struct msg *m)
{
	size_t	 max = (w->hub != NULL ? w->hub->queue_max : SQ_EVENTS_QUEUE_MIN) +
	    SQ_EVENTS_BATCH_MAX;

	if (w->end == WATCH_SLOW)
		return -1;
	if (w->qlen >= max || (w->qlen == w->qcap && grow(w, max) == -1)) {
		drop(w);
		return -1;
	}
	m->refs++;
	w->q[(w->qhead + w->qlen) % w->qcap] = m;
	w->qlen++;
	if (w->hub != NULL) {
		w->hub->delivered++;
		if (w->hub->wake != NULL)
			w->hub->wake(w);
	}
	return 0;
}

struct msg *
hub_pop(struct watcher *w)
{
	struct msg	*m;

	if (w->qlen == 0)
		return NULL;
	m = w->q[w->qhead];
	w->qhead = (w->qhead + 1) % w->qcap;
	w->qlen--;
	w->popped++;
	return m;
}

struct msg *
hub_encode(const struct hub *h, const struct event *ev, int ws, int with_id)
{
	struct buf	 json, sse;
	struct msg	*m = NULL;

	buf_init(&json, SQ_EVENTS_MESSAGE_MAX);
	buf_init(&sse, SQ_EVENTS_MESSAGE_MAX + 256);
	if (message_build(ev, &json) == -1)
		goto out;
	if (ws)
		m = hub_msg_new(h, json.data, json.len);
	else if (message_sse(with_id ? ev->id : 0, message_ws_type(ev->type), json.data,
	    json.len, &sse) == 0)
		m = hub_msg_new(h, sse.data, sse.len);
out:
	buf_free(&json);
	buf_free(&sse);
	return m;
}

/* Queues the right encoding of ev to w, building it on first use. */
static int
deliver(struct hub *h, struct watcher *w, const struct event *ev, int late,
    struct msg **ws, struct msg **sse)
{
	struct msg	**m = w->kind == WATCH_WS ? ws : sse;

	if (*m == NULL && (*m = hub_encode(h, ev, w->kind == WATCH_WS, !late)) == NULL)
		return -1;
	(void)hub_push(w, *m);
	if (w->kind == WATCH_WS && w->end == WATCH_OPEN &&
	    message_terminal(message_ws_type(ev->type))) {
		w->end = WATCH_FINISHED;
		if (h->wake != NULL)
			h->wake(w);
	}
	return 0;
}

long
hub_fanout(struct hub *h, const struct event *ev, int late)
{
	struct watcher	*w, *next;
	struct msg	*ws = NULL, *sse = NULL;
	long		 n = 0;
	int		 pass;

	for (pass = 0; pass < 2; pass++) {
		const struct uuid *key = pass == 0 ? &ev->job_id : &ev->project_id;

		for (w = h->buckets[bucket(key)]; w != NULL; w = next) {
			next = w->next;
			if (memcmp(&w->key, key, sizeof(*key)) != 0 || w->replaying ||
			    w->end != WATCH_OPEN ||
			    (pass == 0) != (w->kind != WATCH_SSE_PROJECT))
				continue;
			if (deliver(h, w, ev, late, &ws, &sse) == -1) {
				n = -1;
				goto out;
			}
			n++;
		}
	}
out:
	hub_msg_unref(ws);
	hub_msg_unref(sse);
	return n;
}

size_t
hub_tick(struct hub *h)
{
	struct watcher	*w;
	size_t		 b, n = 0;

	for (b = 0; b < HUB_BUCKETS; b++)
		for (w = h->buckets[b]; w != NULL; w = w->next)
		{
			if (w->end != WATCH_SLOW && w->qlen > h->queue_max && w->popped == 0) {
				drop(w);
				n++;
			}
			w->popped = 0;
		}
	return n;
}

void
hub_replay_start(struct watcher *w, unsigned long long after)
{
	if (w->replaying || w->hub == NULL)
		return;
	w->replaying = 1;
	w->replay_after = after;
	w->rnext = w->hub->replays;
	w->hub->replays = w;
}

void
hub_replay_done(struct watcher *w)
{
	struct watcher	**pp;

	if (!w->replaying || w->hub == NULL)
		return;
	for (pp = &w->hub->replays; *pp != NULL; pp = &(*pp)->rnext)
		if (*pp == w) {
			*pp = w->rnext;
			break;
		}
	w->replaying = 0;
	w->rnext = NULL;
}
