/*
 * server.c: scrapeq-events' libwebsockets server. libwebsockets does the HTTP
 * parsing, the WebSocket handshake and framing (RFC 6455) and the event loop; this
 * file routes, authenticates before any upgrade, starts SSE streams, writes queued
 * messages when a connection can take them, and runs the outbox tick on a timer.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "scrapeq/auth.h"
#include "scrapeq/clock.h"
#include "scrapeq/db.h"
#include "scrapeq/events_addr.h"
#include "scrapeq/jsonw.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "access.h"
#include "cursor.h"
#include "hub.h"
#include "outbox.h"
#include "registry.h"
#include "route.h"
#include "server.h"

#define REPLAYS_PER_TICK 32
#define WRITES_PER_WAKE  64     /* WebSocket frames written per writeable callback at most */
#define CLOSE_REASON_FINISHED "job finished"
#define CLOSE_REASON_SLOW "watcher too slow"

/* One connection: a watcher once it is accepted. Attached to its wsi as opaque user data. */
struct conn {
	struct watcher	 w;           /* first: a watcher pointer is a conn pointer */
	struct server	*srv;
	struct lws	*wsi;
	struct msg	*first;       /* WebSocket: the job's state, sent before anything else */
	int		 first_final; /* ... and the job had already ended */
	int		 added;       /* registered in the hub */
	unsigned char	 ping[LWS_PRE + 1];
};

struct server {
	const struct config	*cfg;
	struct db		*db;
	struct auth_cache	*auth;
	struct lws_context	*ctx;
	struct events_addr	 addr;
	struct hub		 hub;
	struct cursor		 cur;
	struct registry		 reg;         /* this hub's row in event_hubs */
	int			 started;     /* the cursor has its start id */
	lws_sorted_usec_list_t	 tick;
	long long		 keepalive_ms;
	unsigned long long	 dropped_logged; /* hub.dropped when last logged */
	struct msg		*keepalive;
	struct buf		 gaps;
	unsigned char		 sse_out[LWS_PRE + 16384];  /* one SSE write, frames joined */
};

/* Seed 000's error codes for the errors the hub answers (dialect_v1.c has the full table). */
static const char *
error_code(enum sq_err e)
{
	switch (e) {
	case SQ_ERR_UNAUTHORIZED: return "UNAUTHORIZED";
	case SQ_ERR_NOT_FOUND: return "NOT_FOUND";
	case SQ_ERR_BAD_REQUEST: return "VALIDATION_ERROR";
	case SQ_ERR_METHOD: return "METHOD_NOT_ALLOWED";
	case SQ_ERR_DB_DOWN: return "SERVICE_UNAVAILABLE";
	default: return "INTERNAL_ERROR";
	}
}

/*
 * Answers e as seed 000's {"error": {"code", "message"}} with its HTTP status
 * (struct sq_error never holds driver text: err.h). Returns 0, or -1 (hang up).
 */
static int
reply_error(struct lws *wsi, const struct sq_error *e)
{
	unsigned char	 hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start;
	unsigned char	 body[LWS_PRE + 512];
	unsigned char	*end = hdr + sizeof(hdr) - 1;
	struct buf	 b;
	struct jsonw	 w;
	int		 rc = -1;
	const char	*msg = e->message[0] == '\0' ? sq_strerror(e->code) : e->message;

	buf_init(&b, sizeof(body) - LWS_PRE);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_object(&w, "error");
	jsonw_str(&w, "code", error_code(e->code));
	jsonw_str(&w, "message", msg);
	jsonw_end(&w);
	jsonw_end(&w);
	if (jsonw_failed(&w))
		goto out;
	memcpy(body + LWS_PRE, b.data, b.len);
	if (lws_add_http_common_headers(wsi, (unsigned)sq_http_status(e->code),
	    "application/json", b.len, &p, end) ||
	    (e->code == SQ_ERR_UNAUTHORIZED && lws_add_http_header_by_name(wsi,
	    (const unsigned char *)"www-authenticate:", (const unsigned char *)"Bearer", 6,
	    &p, end)) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		goto out;
	if (lws_write(wsi, body + LWS_PRE, b.len, LWS_WRITE_HTTP_FINAL) != (int)b.len)
		goto out;
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/* The Authorization header value to check: the header itself, else "Bearer " + ?token=. */
static int
read_authz(struct lws *wsi, char *out, size_t outsz)
{
	char		 arg[SQ_EVENTS_TOKEN_MAX + 16];
	const char	*tok;
	int		 n;

	n = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n > 0)
		return n < (int)outsz &&
		    lws_hdr_copy(wsi, out, (int)outsz, WSI_TOKEN_HTTP_AUTHORIZATION) == n ? 1 : -1;
	if ((tok = lws_get_urlarg_by_name(wsi, "token=", arg, (int)sizeof(arg))) == NULL)
		return 0;
	return route_token_header(tok, out, outsz) == 0 ? 1 : -1;
}

/* Routes and authenticates the request on wsi; fills *hit and *job (for job routes). */
static enum sq_err
admit(struct server *s, struct lws *wsi, struct route_hit *hit, struct job *job,
    struct sq_error *e)
{
	char	 path[512], authz[SQ_EVENTS_HEADER_MAX];
	int	 n, a;

	memset(job, 0, sizeof(*job));
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0)
		return sq_fail(e, SQ_ERR_METHOD, "Method not allowed (the event routes take GET)");
	n = lws_hdr_copy(wsi, path, (int)sizeof(path), WSI_TOKEN_GET_URI);
	if (n <= 0 || route_parse(path, (size_t)n, hit) == -1)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "No such endpoint");
	if ((a = read_authz(wsi, authz, sizeof(authz))) == -1)
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, "Malformed token");
	return access_check(s->cfg, s->db, s->auth, a == 1 ? authz : NULL, hit, job, e);
}

static void
conn_wake(struct watcher *w)
{
	struct conn	*c = (struct conn *)w;

	lws_callback_on_writable(c->wsi);
}

static struct conn *
conn_new(struct server *s, struct lws *wsi, enum watcher_kind kind, const struct uuid *key)
{
	struct conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->srv = s;
	c->wsi = wsi;
	c->w.kind = kind;
	c->w.key = *key;
	c->w.conn = wsi;
	c->w.last_write_ms = clock_mono_ms();
	lws_set_opaque_user_data(wsi, c);
	return c;
}

static void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	hub_remove(&c->w);
	hub_msg_unref(c->first);
	lws_set_opaque_user_data(c->wsi, NULL);
	free(c);
}

/* A WebSocket upgrade: checked and refused (as HTTP) before libwebsockets answers 101. */
static int
ws_confirm(struct server *s, struct lws *wsi)
{
	struct route_hit	 hit;
	struct job		 job;
	struct sq_error		 e = { SQ_OK, "" };
	struct event		 ev;
	struct conn		*c = NULL;
	enum sq_err		 rc;

	if ((rc = admit(s, wsi, &hit, &job, &e)) == SQ_OK && hit.kind != ROUTE_JOB_WS)
		rc = sq_fail(&e, SQ_ERR_NOT_FOUND, "No such WebSocket endpoint");
	if (rc == SQ_OK && s->hub.nwatchers >= s->hub.max_watchers)
		rc = sq_fail(&e, SQ_ERR_DB_DOWN, "Too many watchers");
	if (rc == SQ_OK && (c = conn_new(s, wsi, WATCH_WS, &hit.id)) == NULL)
		rc = sq_fail(&e, SQ_ERR_NOMEM, NULL);
	if (rc == SQ_OK) {
		c->first_final = message_terminal(message_ws_type(message_from_job(&job, &ev)));
		if ((c->first = hub_encode(&s->hub, &ev, 1, 0)) == NULL)
			rc = sq_fail(&e, SQ_ERR_INTERNAL, NULL);
	}
	job_clear(&job);
	if (rc == SQ_OK)
		return 0;
	conn_free(c);
	if (e.code == SQ_ERR_DB || e.code == SQ_ERR_DB_DOWN || e.code == SQ_ERR_INTERNAL)
		log_msg(LOG_LVL_WARNING, "ws: refused: %s", sq_strerror(e.code));
	return reply_error(wsi, &e) == 0 ? 1 : -1;
}

static int
ws_established(struct server *s, struct lws *wsi)
{
	struct conn	*c = lws_get_opaque_user_data(wsi);

	if (c == NULL || hub_add(&s->hub, &c->w) == -1)
		return -1;
	c->added = 1;
	(void)hub_push(&c->w, c->first);
	hub_msg_unref(c->first);
	c->first = NULL;
	if (c->first_final)
		c->w.end = WATCH_FINISHED;
	return 0;
}

static int
ws_writeable(struct lws *wsi)
{
	struct conn	*c = lws_get_opaque_user_data(wsi);
	struct msg	*m;
	int		 n, i;

	if (c == NULL)
		return -1;
	if (c->w.end == WATCH_SLOW) {
		lws_close_reason(wsi, (enum lws_close_status)SQ_EVENTS_CLOSE_SLOW,
		    (unsigned char *)CLOSE_REASON_SLOW, strlen(CLOSE_REASON_SLOW));
		return -1;
	}
	if (c->w.qlen > 0) {
		/* Several frames per wake while the socket takes them: a poll round each costs more. */
		for (i = 0; i < WRITES_PER_WAKE && (m = hub_pop(&c->w)) != NULL; i++) {
			n = lws_write(wsi, m->data + LWS_PRE, m->len, LWS_WRITE_TEXT);
			hub_msg_unref(m);
			if (n < 0)
				return -1;
			if (lws_send_pipe_choked(wsi))
				break;
		}
		c->w.last_write_ms = clock_mono_ms();
		if (c->w.qlen > 0 || c->w.end == WATCH_FINISHED)
			lws_callback_on_writable(wsi);
		return 0;
	}
	if (c->w.ping_due) {
		/* An idle watch pings (RFC 6455 5.5.2): proxies see traffic, a dead peer is found. */
		c->w.ping_due = 0;
		c->w.last_write_ms = clock_mono_ms();
		if (lws_write(wsi, c->ping + LWS_PRE, 0, LWS_WRITE_PING) < 0)
			return -1;
		return 0;
	}
	if (c->w.end == WATCH_FINISHED) {
		/* Only now: libwebsockets calls this once what was written has gone out. */
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
		    (unsigned char *)CLOSE_REASON_FINISHED, strlen(CLOSE_REASON_FINISHED));
		return -1;
	}
	return 0;
}

/* Reads Last-Event-ID: 0 absent, 1 with *id, -1 malformed. */
static int
last_event_id(struct lws *wsi, unsigned long long *id)
{
	char	 v[64];
	int	 n;

	n = lws_hdr_custom_length(wsi, "last-event-id:", 14);
	if (n <= 0)
		return 0;
	if (n >= (int)sizeof(v) || lws_hdr_custom_copy(wsi, v, (int)sizeof(v),
	    "last-event-id:", 14) < 0)
		return -1;
	return route_last_event_id(v, strlen(v), id) == 0 ? 1 : -1;
}

static int
sse_headers(struct lws *wsi)
{
	unsigned char	 hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start;
	unsigned char	*end = hdr + sizeof(hdr) - 1;

	if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, "text/event-stream",
	    LWS_ILLEGAL_HTTP_CONTENT_LEN, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
	    (const unsigned char *)"no-cache", 8, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"x-accel-buffering:",
	    (const unsigned char *)"no", 2, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	/* An SSE stream never ends by itself (lws_http_mark_sse is for h2 streams only). */
	lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
	return 0;
}

/* A plain HTTP request: the two SSE routes start a stream; anything else is an error. */
static int
http_request(struct server *s, struct lws *wsi)
{
	static const char	 hello[] = ": scrapeq-events\nretry: 2000\n\n";
	struct route_hit	 hit;
	struct job		 job;
	struct sq_error		 e = { SQ_OK, "" };
	struct conn		*c;
	struct msg		*m;
	unsigned long long	 after = 0;
	enum sq_err		 rc;
	int			 has_after = 0;

	rc = admit(s, wsi, &hit, &job, &e);
	job_clear(&job);
	if (rc == SQ_OK && hit.kind == ROUTE_JOB_WS)
		rc = sq_fail(&e, SQ_ERR_BAD_REQUEST, "This endpoint takes a WebSocket upgrade");
	if (rc == SQ_OK && (has_after = last_event_id(wsi, &after)) == -1)
		rc = sq_fail(&e, SQ_ERR_BAD_REQUEST, "Last-Event-ID must be an event id (digits)");
	if (rc == SQ_OK && s->hub.nwatchers >= s->hub.max_watchers)
		rc = sq_fail(&e, SQ_ERR_DB_DOWN, "Too many watchers");
	if (rc != SQ_OK) {
		if (reply_error(wsi, &e) == -1)
			return -1;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	if ((c = conn_new(s, wsi, hit.kind == ROUTE_PROJECT_SSE ? WATCH_SSE_PROJECT :
	    WATCH_SSE_JOB, &hit.id)) == NULL || hub_add(&s->hub, &c->w) == -1)
		return -1;
	c->added = 1;
	if (sse_headers(wsi) == -1 || (m = hub_msg_new(&s->hub, hello, sizeof(hello) - 1)) == NULL)
		return -1;
	(void)hub_push(&c->w, m);
	hub_msg_unref(m);
	/*
	 * Before the first tick (a hub started while the database was down) the cursor's
	 * start is not known yet: resume anyway, the replay runs from that tick on and
	 * reads up to where the cursor starts. Live delivery begins after that start, so
	 * without it the rows between Last-Event-ID and the start were never sent.
	 */
	if (has_after && (!s->started || after < s->cur.pos))
		hub_replay_start(&c->w, after);
	return 0;
}

static int
sse_writeable(struct server *s, struct lws *wsi)
{
	struct conn	*c = lws_get_opaque_user_data(wsi);
	struct msg	*m;
	size_t		 len;
	int		 n;

	if (c == NULL || c->w.end == WATCH_SLOW)
		return -1;
	if (c->w.qlen == 0)
		return 0;
	/* SSE frames are plain bytes: what is queued goes out in one write, up to a bound. */
	len = 0;
	while (c->w.qlen > 0 && len + c->w.q[c->w.qhead]->len <= sizeof(s->sse_out) - LWS_PRE) {
		m = hub_pop(&c->w);
		memcpy(s->sse_out + LWS_PRE + len, m->data + LWS_PRE, m->len);
		len += m->len;
		hub_msg_unref(m);
	}
	if (len == 0) {
		/* One frame larger than the buffer: written alone. */
		m = hub_pop(&c->w);
		n = lws_write(wsi, m->data + LWS_PRE, m->len, LWS_WRITE_HTTP);
		hub_msg_unref(m);
	} else
		n = lws_write(wsi, s->sse_out + LWS_PRE, len, LWS_WRITE_HTTP);
	if (n < 0)
		return -1;
	c->w.last_write_ms = clock_mono_ms();
	if (c->w.qlen > 0)
		lws_callback_on_writable(wsi);
	return 0;
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct server	*s = lws_context_user(lws_get_context(wsi));

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return ws_confirm(s, wsi);
	case LWS_CALLBACK_ESTABLISHED:
		return ws_established(s, wsi);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return ws_writeable(wsi);
	case LWS_CALLBACK_RECEIVE:
		return 0;   /* watchers only listen; libwebsockets answers pings itself */
	case LWS_CALLBACK_HTTP:
		return http_request(s, wsi);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return sse_writeable(s, wsi);
	case LWS_CALLBACK_CLOSED:
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_WSI_DESTROY:
		conn_free(lws_get_opaque_user_data(wsi));
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{ "scrapeq-events", callback, 0, 1024, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* --- the tick: one outbox read for every watcher, then resumes, then keep-alives --- */

static int
on_row(void *arg, const struct event *ev)
{
	struct server	*s = arg;

	switch (cursor_feed(&s->cur, ev->id, ev->age_ms, clock_mono_ms())) {
	case CURSOR_DELIVER:
		(void)hub_fanout(&s->hub, ev, 0);
		break;
	case CURSOR_LATE:
		log_msg(LOG_LVL_INFO, "job_events %llu committed late (behind a given-up id gap)",
		    ev->id);
		(void)hub_fanout(&s->hub, ev, 1);
		break;
	default:
		break;
	}
	return 0;
}

struct replay {
	struct server	*s;
	struct watcher	*w;
	size_t		 n;
};

static int
on_replay_row(void *arg, const struct event *ev)
{
	struct replay	*r = arg;
	struct msg	*m;

	r->n++;
	r->w->replay_after = ev->id;
	if ((m = hub_encode(&r->s->hub, ev, 0, 1)) == NULL)
		return 0;
	(void)hub_push(r->w, m);
	hub_msg_unref(m);
	return r->w->end == WATCH_SLOW;
}

/* Resumes read the outbox as far as the cursor, as much as each queue has room for. */
static void
replays(struct server *s)
{
	struct watcher	*w, *next;
	struct replay	 r;
	size_t		 room, limit;
	int		 budget = REPLAYS_PER_TICK;

	for (w = s->hub.replays; w != NULL && budget > 0; w = next) {
		next = w->rnext;
		room = s->hub.queue_max - w->qlen;
		if (room < 2 || w->end != WATCH_OPEN)
			continue;
		limit = room - 1 < SQ_EVENTS_REPLAY_MAX ? room - 1 : SQ_EVENTS_REPLAY_MAX;
		r.s = s;
		r.w = w;
		r.n = 0;
		budget--;
		if (outbox_replay(s->db, w->kind == WATCH_SSE_PROJECT ? OUTBOX_PROJECT :
		    OUTBOX_JOB, &w->key, w->replay_after, s->cur.pos, limit, on_replay_row,
		    &r) != SQ_OK)
			return;
		if (r.n < limit)
			hub_replay_done(w);
	}
}

/* Idle watchers: an SSE stream gets a ": keep-alive" comment, a WebSocket a ping. */
static void
keepalives(struct server *s, long long now)
{
	struct watcher	*w;
	long long	 every = (long long)s->cfg->events_keepalive_seconds * 1000;
	size_t		 b;

	if (now - s->keepalive_ms < 1000)
		return;
	s->keepalive_ms = now;
	for (b = 0; b < HUB_BUCKETS; b++)
		for (w = s->hub.buckets[b]; w != NULL; w = w->next) {
			if (w->qlen > 0 || now - w->last_write_ms < every || w->end != WATCH_OPEN)
				continue;
			if (w->kind != WATCH_WS)
				(void)hub_push(w, s->keepalive);
			else if (!w->ping_due) {
				w->ping_due = 1;
				conn_wake(w);
			}
		}
}

static void
tick(lws_sorted_usec_list_t *sul)
{
	struct server		*s = lws_container_of(sul, struct server, tick);
	unsigned long long	 start;
	long long		 now = clock_mono_ms();

	if (!s->started && outbox_max_id(s->db, &start) == SQ_OK) {
		cursor_init(&s->cur, start, s->cfg->events_gap_grace_ms);
		s->started = 1;
		log_msg(LOG_LVL_INFO, "tailing job_events after id %llu", start);
	}
	if (s->started) {
		(void)hub_tick(&s->hub);
		buf_reset(&s->gaps);
		if (cursor_tick(&s->cur, now, &s->gaps) == 0)
			(void)outbox_tick(s->db, s->cur.pos, s->gaps.data, on_row, s);
		replays(s);
		/* Both ways of dropping count: hub_tick's, and hub_push's hard bound. */
		if (s->hub.dropped != s->dropped_logged) {
			log_msg(LOG_LVL_INFO, "dropped %llu slow watcher(s) (queue past %zu)",
			    s->hub.dropped - s->dropped_logged, s->hub.queue_max);
			s->dropped_logged = s->hub.dropped;
		}
	}
	keepalives(s, now);
	registry_tick(&s->reg, s->db, now, s->hub.nwatchers);
	lws_sul_schedule(s->ctx, 0, &s->tick, tick,
	    (lws_usec_t)s->cfg->events_tick_ms * LWS_US_PER_MS);
}

static void
lws_log(int level, const char *line)
{
	char	 clean[512];
	size_t	 n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	log_msg(level == LLL_ERR ? LOG_LVL_ERROR : LOG_LVL_WARNING, "lws: %s",
	    log_clean(clean, sizeof(clean), line, n, 400));
}

struct server *
server_new(const struct config *c, char *err, size_t errsz)
{
	struct lws_context_creation_info	 info;
	struct server				*s;
	static const char			 ka[] = ": keep-alive\n\n";

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->cfg = c;
	buf_init(&s->gaps, 64 * 1024);
	if (events_addr_parse(c->events_listen, &s->addr) == -1) {
		snprintf(err, errsz, "[events] listen: '%s' is not HOST:PORT or unix:/path",
		    c->events_listen);
		goto fail;
	}
	registry_init(&s->reg);
	hub_init(&s->hub, c->events_max_watchers, c->events_queue_max, LWS_PRE, conn_wake);
	if ((s->db = db_new(c)) == NULL || (s->auth = auth_cache_new(
	    c->api_token_cache_seconds)) == NULL ||
	    (s->keepalive = hub_msg_new(&s->hub, ka, sizeof(ka) - 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
	memset(&info, 0, sizeof(info));
	info.protocols = protocols;
	info.user = s;
	info.max_http_header_data = SQ_EVENTS_HEADER_MAX;
	info.fd_limit_per_thread = c->events_max_watchers + 64;
	info.pt_serv_buf_size = SQ_EVENTS_MESSAGE_MAX + 4096;
	if (s->addr.is_unix) {
		info.options |= LWS_SERVER_OPTION_UNIX_SOCK;
		info.iface = s->addr.host;
	} else {
		info.iface = s->addr.host;
		info.port = (int)s->addr.port;
		if (strchr(s->addr.host, ':') == NULL)
			info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	}
	if ((s->ctx = lws_create_context(&info)) == NULL) {
		snprintf(err, errsz, "cannot listen on %s (in use, or not allowed)",
		    c->events_listen);
		goto fail;
	}
	lws_sul_schedule(s->ctx, 0, &s->tick, tick, 1);
	return s;
fail:
	server_free(s);
	return NULL;
}

int
server_run(struct server *s, volatile int *stop)
{
	while (!*stop)
		if (lws_service(s->ctx, 0) < 0)
			return -1;
	return 0;
}

void
server_free(struct server *s)
{
	if (s == NULL)
		return;
	if (s->ctx != NULL)
		lws_context_destroy(s->ctx);
	if (s->db != NULL)
		registry_stop(&s->reg, s->db);
	hub_msg_unref(s->keepalive);
	auth_cache_free(s->auth);
	db_free(s->db);
	buf_free(&s->gaps);
	free(s);
}
