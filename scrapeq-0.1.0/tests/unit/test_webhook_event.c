/* test_webhook_event.c: webhook event names and matching, bodies, signatures and the retry schedule, table-driven. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/limits.h"
#include "scrapeq/webhook_event.h"
#include "tap.h"

#define B(e) (1u << (e))

static const struct {
	const char	*s;
	int		 rc;
	enum webhook_event e;
} names[] = {
	{ "job_status_changed", 0, WEBHOOK_STATUS_CHANGED }, { "progress", 0, WEBHOOK_PROGRESS },
	{ "target_started", 0, WEBHOOK_TARGET_STARTED },
	{ "target_completed", 0, WEBHOOK_TARGET_COMPLETED },
	{ "target_failed", 0, WEBHOOK_TARGET_FAILED }, { "completed", 0, WEBHOOK_COMPLETED },
	{ "failed", 0, WEBHOOK_FAILED },
	{ "", -1, 0 }, { NULL, -1, 0 }, { "Progress", -1, 0 }, { "job_status_changed ", -1, 0 },
	{ "status_changed", -1, 0 }, { "cancelled", -1, 0 }, { "created", -1, 0 },
};

/* Outbox row types: the events they are, the status they move to and from. */
static const struct {
	const char	*type;
	unsigned	 events;
	const char	*data_status, *new_status;
	const char	*data_old, *prev, *old_status;
} rows[] = {
	{ "started", B(WEBHOOK_STATUS_CHANGED), "running", "running", NULL, NULL, "pending" },
	{ "started", B(WEBHOOK_STATUS_CHANGED), NULL, "running", "pending", NULL, "pending" },
	{ "completed", B(WEBHOOK_STATUS_CHANGED) | B(WEBHOOK_COMPLETED), "completed", "completed",
	    NULL, NULL, "running" },
	{ "failed", B(WEBHOOK_STATUS_CHANGED) | B(WEBHOOK_FAILED), "failed", "failed", NULL,
	    "running", "running" },
	{ "cancelled", B(WEBHOOK_STATUS_CHANGED), "cancelled", "cancelled", NULL, "pending",
	    "pending" },
	{ "cancelled", B(WEBHOOK_STATUS_CHANGED), "cancelled", "cancelled", "running", "pending",
	    "running" },                        /* data's old_status wins over what was seen */
	{ "requeued", B(WEBHOOK_STATUS_CHANGED), "pending", "pending", NULL, NULL, "running" },
	{ "requeued", B(WEBHOOK_STATUS_CHANGED), "bogus", "pending", "bogus", "failed", "failed" },
	{ "running", B(WEBHOOK_STATUS_CHANGED), "running", "running", NULL, NULL, "pending" },
	{ "pending", B(WEBHOOK_STATUS_CHANGED), "pending", "pending", NULL, "failed", "failed" },
	{ "progress", B(WEBHOOK_PROGRESS), "running", NULL, NULL, NULL, NULL },
	{ "target_started", B(WEBHOOK_TARGET_STARTED), NULL, NULL, NULL, NULL, NULL },
	{ "target_completed", B(WEBHOOK_TARGET_COMPLETED), NULL, NULL, NULL, NULL, NULL },
	{ "target_failed", B(WEBHOOK_TARGET_FAILED), NULL, NULL, NULL, NULL, NULL },
	{ "created", 0, "pending", NULL, NULL, NULL, NULL },
	{ "updated", 0, "running", NULL, NULL, NULL, NULL },
	{ "released", 0, "cancelled", NULL, NULL, NULL, NULL },   /* a worker let go of a cancelled job */
	{ "", 0, NULL, NULL, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "Completed", 0, NULL, NULL, NULL, NULL, NULL },
};

#define JOB "0190f3a4-5b6c-7d8e-9f00-112233445566"
#define PUB "job_0190f3a45b6c7d8e9f00112233445566"

static const struct {
	struct webhook_body_in	 in;
	const char		*want;    /* NULL: refused */
} bodies[] = {
	{ { WEBHOOK_STATUS_CHANGED, JOB, PUB, "example.com", "completed",
	    "{\"status\":\"completed\",\"old_status\":\"running\",\"total_results\":3}", NULL,
	    "{\"pagesProcessed\":100,\"dataExtracted\":{\"products\":156}}",
	    "2024-01-01 12:30:00.000000" },
	  "{\"event\":\"job_status_changed\",\"job_id\":\"" JOB "\",\"domain\":\"example.com\","
	  "\"old_status\":\"running\",\"new_status\":\"completed\",\"stats\":{\"pagesProcessed\":100,"
	  "\"dataExtracted\":{\"products\":156}},\"timestamp\":\"2024-01-01T12:30:00.000Z\"}" },
	/* started without old_status: from pending; stats null: {}; no fraction: .000 */
	{ { WEBHOOK_STATUS_CHANGED, JOB, PUB, "127.0.0.1:8080", "started",
	    "{\"status\":\"running\",\"daemon\":\"d1\"}", NULL, NULL, "2026-12-05 07:00:01" },
	  "{\"event\":\"job_status_changed\",\"job_id\":\"" JOB "\",\"domain\":\"127.0.0.1:8080\","
	  "\"old_status\":\"pending\",\"new_status\":\"running\",\"stats\":{},"
	  "\"timestamp\":\"2026-12-05T07:00:01.000Z\"}" },
	/* a job without a target (a handler job): domain null; prev status known */
	{ { WEBHOOK_STATUS_CHANGED, JOB, PUB, NULL, "cancelled", "{\"status\":\"cancelled\"}",
	    "pending", "{}", "2026-12-05 07:00:01.123456" },
	  "{\"event\":\"job_status_changed\",\"job_id\":\"" JOB "\",\"domain\":null,"
	  "\"old_status\":\"pending\",\"new_status\":\"cancelled\",\"stats\":{},"
	  "\"timestamp\":\"2026-12-05T07:00:01.123Z\"}" },
	/* seed 000's message: data with job_id first, current_target as tgt_ */
	{ { WEBHOOK_PROGRESS, JOB, PUB, "example.com", "progress",
	    "{\"status\":\"running\",\"percentage\":45,\"current_target\":"
	    "\"0190f3a4-5b6c-7d8e-9f00-aabbccddeeff\",\"results_count\":127}", NULL, NULL,
	    "2026-12-05 07:00:01.500000" },
	  "{\"event\":\"progress\",\"job_id\":\"" PUB "\",\"data\":{\"job_id\":\"" PUB "\","
	  "\"status\":\"running\",\"percentage\":45,\"current_target\":"
	  "\"tgt_0190f3a45b6c7d8e9f00aabbccddeeff\",\"results_count\":127},"
	  "\"timestamp\":\"2026-12-05T07:00:01.500Z\"}" },
	{ { WEBHOOK_COMPLETED, JOB, PUB, "example.com", "completed",
	    "{\"status\":\"completed\",\"total_results\":3,\"job_id\":\"x\",\"error\":null}", NULL,
	    NULL, "2026-12-05 07:00:01" },
	  "{\"event\":\"completed\",\"job_id\":\"" PUB "\",\"data\":{\"job_id\":\"" PUB "\","
	  "\"status\":\"completed\",\"total_results\":3,\"error\":null},"
	  "\"timestamp\":\"2026-12-05T07:00:01.000Z\"}" },
	{ { WEBHOOK_TARGET_FAILED, JOB, PUB, NULL, "target_failed",
	    "{\"position\":2,\"results_count\":0}", NULL, NULL, "2026-12-05 07:00:01" },
	  "{\"event\":\"target_failed\",\"job_id\":\"" PUB "\",\"data\":{\"job_id\":\"" PUB "\","
	  "\"position\":2,\"results_count\":0},\"timestamp\":\"2026-12-05T07:00:01.000Z\"}" },
	/* refused: data not an object, bad JSON, bad stats, bad time, no status change */
	{ { WEBHOOK_PROGRESS, JOB, PUB, NULL, "progress", "[1]", NULL, NULL,
	    "2026-12-05 07:00:01" }, NULL },
	{ { WEBHOOK_PROGRESS, JOB, PUB, NULL, "progress", "{\"a\":", NULL, NULL,
	    "2026-12-05 07:00:01" }, NULL },
	{ { WEBHOOK_STATUS_CHANGED, JOB, PUB, NULL, "completed", "{}", NULL, "7",
	    "2026-12-05 07:00:01" }, NULL },
	{ { WEBHOOK_STATUS_CHANGED, JOB, PUB, NULL, "completed", "{}", NULL, NULL,
	    "2026-12-05T07:00:01" }, NULL },
	{ { WEBHOOK_STATUS_CHANGED, JOB, PUB, NULL, "progress", "{}", NULL, NULL,
	    "2026-12-05 07:00:01" }, NULL },
	{ { WEBHOOK_STATUS_CHANGED, JOB, PUB, NULL, "created", "{}", NULL, NULL,
	    "2026-12-05 07:00:01" }, NULL },
	{ { (enum webhook_event)WEBHOOK_EVENT__COUNT, JOB, PUB, NULL, "progress", "{}", NULL, NULL,
	    "2026-12-05 07:00:01" }, NULL },
};

/* Signatures computed independently (Python's hmac module). */
static const struct {
	const char	*secret;
	long long	 t;
	const char	*body;
	const char	*want;
} sigs[] = {
	{ "whsec_0123456789abcdef", 1700000000, "{\"a\":1}",
	  "t=1700000000,v1=9f5e37cdc7ea587c7c02062d93283cad000d66a831b2a1676418696db47ed6c2" },
	{ "kkkkkkkkkkkkkkkk", 0, "",
	  "t=0,v1=ebac77380a421376b9a6f1792d4339f5d34a256efbdcfd07f7a4f92fa274ab29" },
	{ NULL /* 256 x 's': a key longer than SHA-256's block */, 1733390000, NULL,
	  "t=1733390000,v1=7c48e753a4bd82f3fa394209751b036a572cffaca69e8c8beb6d268170755df1" },
};

#define DAY_MS (86400LL * 1000)

static const struct {
	unsigned	 base, attempts;
	long long	 age_ms;
	int		 give_up;
	long long	 next_ms;
} backoffs[] = {
	{ 10000, 1, 0, 0, 10000 }, { 10000, 2, 10000, 0, 20000 }, { 10000, 3, 30000, 0, 40000 },
	{ 10000, 9, 0, 0, 2560000 }, { 10000, 10, 0, 0, 3600000 },     /* 5,120 s: capped at 1 h */
	{ 10000, 4000000000u, 0, 0, 3600000 },                          /* no overflow */
	{ 100, 1, 0, 0, 100 }, { 500, 3, 1500, 0, 2000 }, { 0, 1, 0, 0, 1 },
	{ 10000, 30, DAY_MS - 3600000 - 1, 0, 3600000 },                /* lands just inside the day */
	{ 10000, 30, DAY_MS - 3600000, 1, 3600000 },                    /* would land on the day: failed */
	{ 10000, 1, DAY_MS, 1, 10000 }, { 10000, 1, -5, 0, 10000 },
	{ 3600000, 1, DAY_MS - 3600000 - 1, 0, 3600000 },
};

int
main(void)
{
	struct buf		 b;
	enum webhook_event	 e;
	size_t			 i;
	char			 sig[WEBHOOK_SIGNATURE_MAX], big[257], body[101];
	long long		 next;
	int			 rc;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		rc = webhook_event_parse(names[i].s, &e);
		TAP_CHECK(rc == names[i].rc && (rc != 0 || e == names[i].e), "parse row %zu", i);
		if (rc == 0)
			TAP_STREQ(webhook_event_name(e), names[i].s, "name round trip");
	}
	TAP_CHECK(webhook_event_name((enum webhook_event)WEBHOOK_EVENT__COUNT) == NULL, "name range");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		TAP_CHECK(webhook_events_of(rows[i].type) == rows[i].events, "events of row %zu", i);
		TAP_STREQ(webhook_new_status(rows[i].type, rows[i].data_status), rows[i].new_status,
		    "new status");
		TAP_STREQ(webhook_old_status(rows[i].type, rows[i].data_old, rows[i].prev),
		    rows[i].old_status, "old status");
	}
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		buf_init(&b, 0);
		rc = webhook_body(&b, &bodies[i].in);
		TAP_CHECK((rc == 0) == (bodies[i].want != NULL), "body row %zu: rc %d", i, rc);
		if (rc == 0 && bodies[i].want != NULL) {
			TAP_STREQ(b.data, bodies[i].want, "body");
		}
		buf_free(&b);
	}
	memset(big, 's', 256);
	big[256] = '\0';
	memset(body, 'x', 100);
	body[100] = '\0';
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		const char *s = sigs[i].secret ? sigs[i].secret : big;
		const char *bd = sigs[i].body ? sigs[i].body : body;

		TAP_CHECK(webhook_sign(s, sigs[i].t, bd, strlen(bd), sig) == 0, "sign row %zu", i);
		TAP_STREQ(sig, sigs[i].want, "signature");
	}
	/* one byte of the body or the time changes the signature */
	webhook_sign("whsec_0123456789abcdef", 1700000000, "{\"a\":2}", 7, sig);
	TAP_CHECK(strcmp(sig, sigs[0].want) != 0, "another body, another signature");
	webhook_sign("whsec_0123456789abcdef", 1700000001, "{\"a\":1}", 7, sig);
	TAP_CHECK(strcmp(sig + 13, sigs[0].want + 13) != 0, "another time, another signature");
	for (i = 0; i < sizeof(backoffs) / sizeof(backoffs[0]); i++) {
		rc = webhook_backoff(backoffs[i].base, backoffs[i].attempts, backoffs[i].age_ms, &next);
		TAP_CHECK(rc == backoffs[i].give_up && next == backoffs[i].next_ms,
		    "backoff row %zu: got %d %lld", i, rc, next);
	}
	return tap_done("test_webhook_event");
}
