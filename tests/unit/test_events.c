/* test_events.c: table-driven tests of the hub's pure parts: routes, Last-Event-ID, ?token=, messages, the gap cursor, queues. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/limits.h"
#include "cursor.h"
#include "hub.h"
#include "message.h"
#include "route.h"
#include "tap.h"

#define JOBHEX "0190f3a2b4c67d8e9f00112233445566"
#define JOBUUID "0190f3a2-b4c6-7d8e-9f00-112233445566"
#define TGTUUID "0190f3a2-0000-7000-8000-00000000abcd"

static void
test_routes(void)
{
	static const struct {
		const char	*path;
		int		 rc;
		enum route_kind	 kind;
	} rows[] = {
		{ "/api/v1/jobs/job_" JOBHEX "/ws", 0, ROUTE_JOB_WS },
		{ "/api/v1/jobs/job_" JOBHEX "/events", 0, ROUTE_JOB_SSE },
		{ "/api/v1/jobs/" JOBUUID "/ws", 0, ROUTE_JOB_WS },
		{ "/api/v1/jobs/" JOBHEX "/events", 0, ROUTE_JOB_SSE },
		{ "/api/v1/projects/proj_" JOBHEX "/events", 0, ROUTE_PROJECT_SSE },
		{ "/api/v1/projects/" JOBUUID "/events", 0, ROUTE_PROJECT_SSE },
		{ "/api/v1/projects/proj_" JOBHEX "/ws", -1, ROUTE_NONE },
		{ "/api/v1/jobs/proj_" JOBHEX "/ws", -1, ROUTE_NONE },
		{ "/api/v1/projects/job_" JOBHEX "/events", -1, ROUTE_NONE },
		{ "/api/v1/jobs/job_" JOBHEX "/ws/", -1, ROUTE_NONE },
		{ "/api/v1/jobs/job_" JOBHEX "/wss", -1, ROUTE_NONE },
		{ "/api/v1/jobs//ws", -1, ROUTE_NONE },
		{ "/api/v1/jobs/ws", -1, ROUTE_NONE },
		{ "/api/v1/jobs/job_" JOBHEX "x/ws", -1, ROUTE_NONE },
		{ "/api/v1/jobs/job_0190/ws", -1, ROUTE_NONE },
		{ "/api/v1/jobs/a/b/ws", -1, ROUTE_NONE },
		{ "/api/v1/jobs/job_" JOBHEX JOBHEX JOBHEX "/ws", -1, ROUTE_NONE },
		{ "/api/v1/jobs/job_" JOBHEX, -1, ROUTE_NONE },
		{ "/api/v1/ping", -1, ROUTE_NONE },
		{ "", -1, ROUTE_NONE },
		{ "/API/v1/jobs/job_" JOBHEX "/ws", -1, ROUTE_NONE },
	};
	struct route_hit	 h;
	char			 want[UUID_STR_LEN + 1], got[UUID_STR_LEN + 1];
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rc = route_parse(rows[i].path, strlen(rows[i].path), &h);
		TAP_CHECK(rc == rows[i].rc && h.kind == rows[i].kind, "route %s: rc %d kind %d",
		    rows[i].path, rc, h.kind);
		if (rc == 0) {
			uuid_format(&h.id, got);
			snprintf(want, sizeof(want), "%s", JOBUUID);
			TAP_STREQ(got, want, rows[i].path);
		}
	}
}

static void
test_last_event_id(void)
{
	static const struct {
		const char		*s;
		int			 rc;
		unsigned long long	 v;
	} rows[] = {
		{ "0", 0, 0 }, { "1", 0, 1 }, { "42", 0, 42 }, { " 42 ", 0, 42 }, { "\t7", 0, 7 },
		{ "9223372036854775807", 0, 9223372036854775807ULL },
		{ "9223372036854775808", -1, 0 },           /* past LLONG_MAX */
		{ "99999999999999999999", -1, 0 },          /* 20 digits */
		{ "", -1, 0 }, { " ", -1, 0 }, { "-1", -1, 0 }, { "+1", -1, 0 }, { "1a", -1, 0 },
		{ "0x10", -1, 0 }, { "1 2", -1, 0 }, { "1.5", -1, 0 },
	};
	unsigned long long	 v;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		v = 12345;
		rc = route_last_event_id(rows[i].s, strlen(rows[i].s), &v);
		TAP_CHECK(rc == rows[i].rc && (rc == -1 || v == rows[i].v),
		    "Last-Event-ID '%s': rc %d value %llu", rows[i].s, rc, v);
	}
	/* Not NUL-terminated: only len bytes are read. */
	TAP_CHECK(route_last_event_id("123456", 3, &v) == 0 && v == 123, "length bound: %llu", v);
}

static void
test_token(void)
{
	static const struct {
		const char	*tok;
		size_t		 outsz;
		const char	*want;    /* NULL: refused */
	} rows[] = {
		{ "sq_0123abcd", 64, "Bearer sq_0123abcd" },
		{ "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_x", 128,
		    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_x" },
		{ "", 64, NULL },
		{ "a b", 64, NULL },
		{ "a\r\nX-Injected: 1", 64, NULL },
		{ "a\"", 64, NULL },
		{ "abcdef", 10, NULL },             /* does not fit: never cut */
		{ "abc", 11, "Bearer abc" },
	};
	char	 out[256];
	size_t	 i;
	int	 rc;
	char	*big;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rc = route_token_header(rows[i].tok, out, rows[i].outsz);
		if (rows[i].want == NULL)
			TAP_CHECK(rc == -1, "token '%s' accepted", rows[i].tok);
		else {
			TAP_CHECK(rc == 0, "token '%s' refused", rows[i].tok);
			TAP_STREQ(rc == 0 ? out : NULL, rows[i].want, rows[i].tok);
		}
	}
	big = malloc(SQ_EVENTS_TOKEN_MAX + 2);
	memset(big, 'a', SQ_EVENTS_TOKEN_MAX + 1);
	big[SQ_EVENTS_TOKEN_MAX + 1] = '\0';
	TAP_CHECK(route_token_header(big, out, sizeof(out)) == -1, "token past SQ_EVENTS_TOKEN_MAX");
	free(big);
}

static void
mkevent(struct event *ev, const char *type, const char *data)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = 7;
	ev->type = type;
	ev->data = data;
	(void)uuid_parse(JOBUUID, strlen(JOBUUID), &ev->job_id);
	ev->status = JOB_RUNNING;
	ev->total_targets = 4;
	ev->completed_targets = 1;
	ev->total_results = 33;
}

#define JOBID "\"job_id\":\"job_" JOBHEX "\""
#define TGTID "\"tgt_0190f3a200007000800000000000abcd\""

static void
test_messages(void)
{
	static const struct {
		const char	*type;
		const char	*data;
		int		 target;     /* the row has its target's id */
		const char	*error;      /* jobs.error */
		const char	*want;       /* NULL: refused */
	} rows[] = {
		{ "progress", "{\"status\":\"running\",\"percentage\":45,\"current_target\":\"" TGTUUID
		    "\",\"results_count\":127}", 0, NULL,
		    "{\"type\":\"progress\",\"data\":{" JOBID ",\"status\":\"running\",\"percentage\":45,"
		    "\"current_target\":" TGTID ",\"results_count\":127,\"event\":\"progress\"}}" },
		{ "progress", "{\"status\":\"running\",\"percentage\":0,\"current_target\":null,"
		    "\"results_count\":0}", 0, NULL,
		    "{\"type\":\"progress\",\"data\":{" JOBID ",\"status\":\"running\",\"percentage\":0,"
		    "\"current_target\":null,\"results_count\":0,\"event\":\"progress\"}}" },
		{ "created", "{\"status\":\"pending\"}", 0, NULL,
		    "{\"type\":\"progress\",\"data\":{" JOBID ",\"status\":\"pending\",\"percentage\":25,"
		    "\"current_target\":null,\"results_count\":33,\"event\":\"created\"}}" },
		{ "started", "{\"status\":\"running\",\"daemon\":\"d1\"}", 0, NULL,
		    "{\"type\":\"progress\",\"data\":{" JOBID ",\"status\":\"running\",\"percentage\":25,"
		    "\"current_target\":null,\"results_count\":33,\"event\":\"started\"}}" },
		{ "target_completed", "{\"position\":2,\"results_count\":9}", 1, NULL,
		    "{\"type\":\"target_completed\",\"data\":{" JOBID ",\"status\":\"running\","
		    "\"percentage\":25,\"current_target\":" TGTID ",\"results_count\":33,\"position\":2,"
		    "\"target_results_count\":9,\"event\":\"target_completed\"}}" },
		{ "completed", "{\"status\":\"completed\",\"old_status\":\"running\",\"total_results\":40,"
		    "\"error\":null}", 0, NULL,
		    "{\"type\":\"completed\",\"data\":{" JOBID ",\"status\":\"completed\",\"percentage\":100,"
		    "\"current_target\":null,\"results_count\":40,\"event\":\"completed\"}}" },
		{ "failed", "{\"status\":\"failed\",\"total_results\":3,\"error\":{\"code\":\"x\","
		    "\"message\":\"boom\"}}", 0, NULL,
		    "{\"type\":\"failed\",\"data\":{" JOBID ",\"status\":\"failed\",\"percentage\":25,"
		    "\"current_target\":null,\"results_count\":3,\"error\":{\"code\":\"x\",\"message\":"
		    "\"boom\"},\"event\":\"failed\"}}" },
		{ "failed", "{\"status\":\"failed\",\"lost_daemon\":\"d\"}", 0, "{\"code\":\"lost\"}",
		    "{\"type\":\"failed\",\"data\":{" JOBID ",\"status\":\"failed\",\"percentage\":25,"
		    "\"current_target\":null,\"results_count\":33,\"error\":{\"code\":\"lost\"},"
		    "\"event\":\"failed\"}}" },
		{ "cancelled", "{\"status\":\"cancelled\"}", 0, NULL,
		    "{\"type\":\"cancelled\",\"data\":{" JOBID ",\"status\":\"cancelled\",\"percentage\":25,"
		    "\"current_target\":null,\"results_count\":33,\"event\":\"cancelled\"}}" },
		{ "some_new_type", "{}", 0, NULL,
		    "{\"type\":\"progress\",\"data\":{" JOBID ",\"status\":\"running\",\"percentage\":25,"
		    "\"current_target\":null,\"results_count\":33,\"event\":\"some_new_type\"}}" },
		{ "progress", "[1]", 0, NULL, NULL },
		{ "progress", "{", 0, NULL, NULL },
		{ "progress", "", 0, NULL, NULL },
	};
	struct event	 ev;
	struct buf	 b;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		mkevent(&ev, rows[i].type, rows[i].data);
		ev.job_error = rows[i].error;
		if (rows[i].target) {
			ev.has_target = 1;
			(void)uuid_parse(TGTUUID, strlen(TGTUUID), &ev.target);
		}
		buf_init(&b, SQ_EVENTS_MESSAGE_MAX);
		rc = message_build(&ev, &b);
		if (rows[i].want == NULL)
			TAP_CHECK(rc == -1, "message for data '%s' built", rows[i].data);
		else
			TAP_STREQ(rc == 0 ? b.data : NULL, rows[i].want, rows[i].type);
		buf_free(&b);
	}
	/* A message past its cap is refused, never cut. */
	mkevent(&ev, "progress", "{}");
	buf_init(&b, 40);
	TAP_CHECK(message_build(&ev, &b) == -1, "message past its buffer's cap built");
	buf_free(&b);
	TAP_CHECK(message_terminal("completed") && message_terminal("failed") &&
	    message_terminal("cancelled") && !message_terminal("progress") &&
	    !message_terminal("target_failed"), "terminal types");
}

static void
test_sse(void)
{
	struct buf	 b;

	buf_init(&b, 0);
	TAP_CHECK(message_sse(12, "progress", "{\"a\":1}", 7, &b) == 0, "sse frame");
	TAP_STREQ(b.data, "id: 12\nevent: progress\ndata: {\"a\":1}\n\n", "sse frame");
	buf_reset(&b);
	TAP_CHECK(message_sse(0, "completed", "{}", 2, &b) == 0, "sse frame without id");
	TAP_STREQ(b.data, "event: completed\ndata: {}\n\n", "sse frame without id");
	buf_reset(&b);
	TAP_CHECK(message_sse(1, "x", "{\n}", 3, &b) == -1, "a newline in data is refused");
	TAP_CHECK(message_sse(1, "x", "{\r}", 3, &b) == -1, "a CR in data is refused");
	buf_free(&b);
}

/* One cursor scenario: rows (id, ms) fed in order, each with its verdict. */
struct feed {
	unsigned long long	 id;
	long long		 ms;
	enum cursor_verdict	 want;
	int			 tick;    /* start a new tick first */
	long long		 age;     /* the row's age by the database's clock */
};

static void
run_feed(const char *name, unsigned long long start, unsigned grace, const struct feed *f,
    size_t n, unsigned long long want_pos)
{
	struct cursor	*c = malloc(sizeof(*c));
	struct buf	 b;
	size_t		 i;
	enum cursor_verdict v;

	cursor_init(c, start, grace);
	buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		if (f[i].tick || i == 0) {
			buf_reset(&b);
			(void)cursor_tick(c, f[i].ms, &b);
		}
		v = cursor_feed(c, f[i].id, f[i].age, f[i].ms);
		TAP_CHECK(v == f[i].want, "%s: row %zu (id %llu at %lld): verdict %d, want %d",
		    name, i, f[i].id, f[i].ms, v, f[i].want);
	}
	TAP_CHECK(c->pos == want_pos, "%s: pos %llu, want %llu", name, c->pos, want_pos);
	buf_free(&b);
	free(c);
}

static void
test_cursor(void)
{
	static const struct feed inorder[] = {
		{ 11, 0, CURSOR_DELIVER, 1 }, { 12, 0, CURSOR_DELIVER, 0 }, { 13, 0, CURSOR_DELIVER, 0 },
		{ 13, 100, CURSOR_SKIP, 1 }, { 5, 100, CURSOR_SKIP, 0 },
	};
	/* 12 is missing: 13 waits out the grace, then 12 commits within it. */
	static const struct feed filled[] = {
		{ 11, 0, CURSOR_DELIVER, 1 }, { 13, 0, CURSOR_HOLD, 0 }, { 14, 0, CURSOR_HOLD, 0 },
		{ 13, 100, CURSOR_HOLD, 1 }, { 14, 100, CURSOR_HOLD, 0 },
		{ 12, 200, CURSOR_DELIVER, 1 }, { 13, 200, CURSOR_DELIVER, 0 },
		{ 14, 200, CURSOR_DELIVER, 0 },
	};
	/* 12 never comes (a rollback): given up after 300 ms; it turns up late anyway. */
	static const struct feed given_up[] = {
		{ 11, 0, CURSOR_DELIVER, 1 }, { 13, 0, CURSOR_HOLD, 0 },
		{ 13, 299, CURSOR_HOLD, 1 },
		{ 13, 300, CURSOR_DELIVER, 1 }, { 14, 300, CURSOR_DELIVER, 0 },
		{ 12, 5000, CURSOR_LATE, 1 }, { 15, 5000, CURSOR_DELIVER, 0 },
		{ 12, 5100, CURSOR_SKIP, 1 },
	};
	/* A wide gap [2, 9]: 5 fills inside it, the rest given up; late rows split it. */
	static const struct feed wide[] = {
		{ 1, 0, CURSOR_DELIVER, 1 }, { 10, 0, CURSOR_HOLD, 0 },
		{ 5, 400, CURSOR_DELIVER, 1 }, { 10, 400, CURSOR_DELIVER, 0 },
		{ 3, 500, CURSOR_LATE, 1 }, { 8, 500, CURSOR_LATE, 0 }, { 3, 600, CURSOR_SKIP, 1 },
		{ 2, 600, CURSOR_LATE, 0 }, { 9, 600, CURSOR_LATE, 0 }, { 5, 600, CURSOR_SKIP, 0 },
	};
	/* Past the recheck window a given-up gap is forgotten: its late row is skipped. */
	static const struct feed forgotten[] = {
		{ 2, 0, CURSOR_HOLD, 1 }, { 2, 300, CURSOR_DELIVER, 1 },
		{ 1, SQ_EVENTS_GAP_RECHECK_MS + 1, CURSOR_SKIP, 1 },
	};
	/* Grace 0: a gap never holds anything back. */
	static const struct feed nograce[] = {
		{ 5, 0, CURSOR_DELIVER, 1 }, { 7, 0, CURSOR_DELIVER, 0 }, { 6, 10, CURSOR_LATE, 1 },
	};
	/* The part of a gap seen missing later gets its own grace. */
	static const struct feed staged[] = {
		{ 3, 0, CURSOR_HOLD, 1 },               /* [1, 2] missing since 0 */
		{ 3, 200, CURSOR_HOLD, 1 }, { 6, 200, CURSOR_HOLD, 0 },
		{ 3, 300, CURSOR_DELIVER, 1 },          /* [1, 2] given up, 3 out ... */
		{ 6, 300, CURSOR_HOLD, 0 },             /* ... [4, 5] missing only since 300 */
		{ 6, 599, CURSOR_HOLD, 1 },
		{ 6, 600, CURSOR_DELIVER, 1 },
	};
	/*
	 * A backlog of old rows with three gaps (12, 15, 18 rolled back long ago): given
	 * up in one tick, since the rows after them are older than the grace. Before,
	 * each gap waited its own grace from when the hub reached it: 300 ms per gap.
	 */
	static const struct feed backlog[] = {
		{ 11, 0, CURSOR_DELIVER, 1, 5000 }, { 13, 0, CURSOR_DELIVER, 0, 5000 },
		{ 14, 0, CURSOR_DELIVER, 0, 5000 }, { 16, 0, CURSOR_DELIVER, 0, 4000 },
		{ 17, 0, CURSOR_DELIVER, 0, 4000 }, { 19, 0, CURSOR_DELIVER, 0, 3000 },
		{ 22, 0, CURSOR_HOLD, 0, 100 },       /* 21 missing, but 22 is fresh: 21 waits */
	};
	struct buf	 b;
	struct cursor	*c = malloc(sizeof(*c));
	size_t		 i;

	run_feed("in order", 10, 300, inorder, sizeof(inorder) / sizeof(inorder[0]), 13);
	run_feed("filled", 10, 300, filled, sizeof(filled) / sizeof(filled[0]), 14);
	run_feed("given up", 10, 300, given_up, sizeof(given_up) / sizeof(given_up[0]), 15);
	run_feed("wide", 0, 300, wide, sizeof(wide) / sizeof(wide[0]), 10);
	run_feed("forgotten", 0, 300, forgotten, sizeof(forgotten) / sizeof(forgotten[0]), 2);
	run_feed("no grace", 4, 0, nograce, sizeof(nograce) / sizeof(nograce[0]), 7);
	run_feed("staged", 0, 300, staged, sizeof(staged) / sizeof(staged[0]), 6);
	run_feed("backlog", 10, 300, backlog, sizeof(backlog) / sizeof(backlog[0]), 19);

	/* The recheck list is what the tick's query reads, and it stays bounded. */
	cursor_init(c, 0, 0);
	buf_init(&b, 0);
	(void)cursor_tick(c, 0, &b);
	for (i = 1; i <= 2 * SQ_EVENTS_GAPS_MAX + 2; i += 2)
		(void)cursor_feed(c, i + 1, 0, 0);
	TAP_CHECK(c->ngaps == SQ_EVENTS_GAPS_MAX, "gaps bounded: %zu", c->ngaps);
	buf_reset(&b);
	cursor_init(c, 0, 0);
	(void)cursor_tick(c, 0, &b);
	(void)cursor_feed(c, 3, 0, 0);
	(void)cursor_feed(c, 6, 0, 0);
	buf_reset(&b);
	(void)cursor_tick(c, 1, &b);
	TAP_STREQ(b.data, "[[1,2],[4,5]]", "recheck list");
	buf_free(&b);
	free(c);
}

static int wakes;

static void
wake(struct watcher *w)
{
	(void)w;
	wakes++;
}

static void
test_hub(void)
{
	struct hub	*h = malloc(sizeof(*h));
	struct watcher	 a, b, p, other;
	struct event	 ev;
	struct msg	*m;
	int		 i;
	long		 n;

	hub_init(h, 3, 4, 16, wake);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&p, 0, sizeof(p));
	memset(&other, 0, sizeof(other));
	mkevent(&ev, "progress", "{\"status\":\"running\"}");
	memset(&ev.project_id, 0x11, sizeof(ev.project_id));
	a.kind = WATCH_WS;
	a.key = ev.job_id;
	b.kind = WATCH_SSE_JOB;
	b.key = ev.job_id;
	p.kind = WATCH_SSE_PROJECT;
	p.key = ev.project_id;
	TAP_CHECK(hub_add(h, &a) == 0 && hub_add(h, &b) == 0 && hub_add(h, &p) == 0, "add 3");
	other.key = ev.job_id;
	TAP_CHECK(hub_add(h, &other) == -1, "max_watchers refuses the 4th");
	n = hub_fanout(h, &ev, 0);
	TAP_CHECK(n == 3 && a.qlen == 1 && b.qlen == 1 && p.qlen == 1, "fanout reached %ld", n);
	m = hub_pop(&a);
	TAP_CHECK(m != NULL && m->len > 0 && m->data[16] == '{', "ws message is JSON");
	hub_msg_unref(m);
	m = hub_pop(&b);
	TAP_CHECK(m != NULL && strncmp((char *)m->data + 16, "id: 7\n", 6) == 0, "sse frame has id");
	hub_msg_unref(m);
	/* A late row's SSE frame has no id line. */
	(void)hub_fanout(h, &ev, 1);
	m = hub_pop(&b);
	TAP_CHECK(m != NULL && strncmp((char *)m->data + 16, "event: ", 7) == 0, "late frame: no id");
	hub_msg_unref(m);
	/* A resuming watcher is skipped by the live fan-out. */
	hub_replay_start(&b, 3);
	n = hub_fanout(h, &ev, 0);
	TAP_CHECK(b.qlen == 0 && n == 2 && h->replays == &b, "resuming watcher skipped");
	hub_replay_done(&b);
	TAP_CHECK(h->replays == NULL && !b.replaying, "resume done");
	/* p never reads: a tick finds it past queue_max (4); dropped, its queue freed, the others go on. */
	for (i = 0; i < 6; i++) {
		(void)hub_fanout(h, &ev, 0);
		while ((m = hub_pop(&a)) != NULL)
			hub_msg_unref(m);
		while ((m = hub_pop(&b)) != NULL)
			hub_msg_unref(m);
	}
	TAP_CHECK(p.end == WATCH_OPEN && p.qlen == 9, "a burst within a tick is kept: %zu", p.qlen);
	TAP_CHECK(hub_tick(h) == 1, "the tick drops one");
	TAP_CHECK(p.end == WATCH_SLOW && p.qlen == 0 && h->dropped == 1, "slow watcher dropped");
	TAP_CHECK(a.end == WATCH_OPEN, "others untouched by the drop");
	while ((m = hub_pop(&a)) != NULL)
		hub_msg_unref(m);
	/* A terminal message finishes a WebSocket watch, not an SSE one. */
	mkevent(&ev, "completed", "{\"status\":\"completed\"}");
	(void)hub_fanout(h, &ev, 0);
	TAP_CHECK(a.end == WATCH_FINISHED, "completed finishes the WebSocket watch");
	TAP_CHECK(b.end == WATCH_OPEN || b.end == WATCH_SLOW, "SSE watch not finished");
	hub_remove(&a);
	hub_remove(&b);
	hub_remove(&p);
	hub_remove(&other);
	TAP_CHECK(h->nwatchers == 0, "all removed: %zu", h->nwatchers);
	TAP_CHECK(wakes > 0, "wakes");
	free(h);
}

int
main(void)
{
	test_routes();
	test_last_event_id();
	test_token();
	test_messages();
	test_sse();
	test_cursor();
	test_hub();
	return tap_done("test_events");
}
