/* test_prometheus.c: the /metrics text: label escapes, the pool's counters and histogram, the figures. */
#include <stdlib.h>
#include <string.h>

#include "prometheus.h"
#include "tap.h"

static const struct {
	const char	*in;
	const char	*want;
} labels[] = {
	{ "v1", "v1" },
	{ "", "" },
	{ "a\"b", "a\\\"b" },
	{ "a\\b", "a\\\\b" },
	{ "line\nbreak", "line\\nbreak" },
	{ "\\\"\n", "\\\\\\\"\\n" },
	{ "tab\there", "tab\there" },          /* only the three escapes the format names */
	{ "caf\xc3\xa9", "caf\xc3\xa9" },      /* UTF-8 passes through */
};

static int
has(const struct buf *b, const char *line)
{
	return b->data != NULL && strstr(b->data, line) != NULL;
}

static void
test_labels(void)
{
	struct buf	 b;
	size_t		 i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		buf_init(&b, 0);
		TAP_CHECK(prometheus_label(&b, labels[i].in) == 0, "row %zu: failed", i);
		TAP_STREQ(b.len ? b.data : "", labels[i].want, labels[i].in);
		buf_free(&b);
	}
	buf_init(&b, 4);                    /* past the buffer's cap: -1, not a crash */
	TAP_CHECK(prometheus_label(&b, "longer than four") == -1, "cap: want -1");
	buf_free(&b);
}

static void
test_requests(void)
{
	struct reqstats	*s = reqstats_new();
	struct buf	 b;

	TAP_CHECK(s != NULL, "reqstats_new");
	if (s == NULL)
		return;
	reqstats_record(s, RG_V1, 200, 0.0004);      /* bucket 0.001 */
	reqstats_record(s, RG_V1, 200, 0.003);       /* bucket 0.005 */
	reqstats_record(s, RG_V1, 404, 20.0);        /* +Inf only */
	reqstats_record(s, RG_AUTH, 429, 0.001);     /* a bound is inclusive (le) */
	reqstats_record(s, RG_OTHER, 0, 0.01);       /* no status: histogram only */
	reqstats_record(s, RG__COUNT, 200, 0.01);    /* out of range: ignored */
	reqstats_record(NULL, RG_V1, 200, 0.01);     /* no counters: ignored */
	buf_init(&b, 0);
	TAP_CHECK(prometheus_write_requests(&b, s) == 0, "write_requests");
	TAP_CHECK(has(&b, "# TYPE scrapeq_http_requests_total counter\n"), "TYPE line\n%s", b.data);
	TAP_CHECK(has(&b, "\nscrapeq_http_requests_total{group=\"v1\",code=\"200\"} 2\n"), "v1 200");
	TAP_CHECK(has(&b, "\nscrapeq_http_requests_total{group=\"v1\",code=\"404\"} 1\n"), "v1 404");
	TAP_CHECK(has(&b, "\nscrapeq_http_requests_total{group=\"auth\",code=\"429\"} 1\n"), "auth 429");
	TAP_CHECK(!has(&b, "group=\"other\",code="), "no code for status 0");
	TAP_CHECK(!has(&b, "group=\"v1\",code=\"500\""), "codes never seen are left out");
	TAP_CHECK(has(&b, "{group=\"v1\",le=\"0.001\"} 1\n"), "v1 le 0.001");
	TAP_CHECK(has(&b, "{group=\"v1\",le=\"0.0025\"} 1\n"), "v1 le 0.0025");
	TAP_CHECK(has(&b, "{group=\"v1\",le=\"0.005\"} 2\n"), "v1 le 0.005 cumulative");
	TAP_CHECK(has(&b, "{group=\"v1\",le=\"10\"} 2\n"), "v1 le 10");
	TAP_CHECK(has(&b, "{group=\"v1\",le=\"+Inf\"} 3\n"), "v1 +Inf");
	TAP_CHECK(has(&b, "scrapeq_http_request_duration_seconds_count{group=\"v1\"} 3\n"), "v1 count");
	TAP_CHECK(has(&b, "scrapeq_http_request_duration_seconds_sum{group=\"v1\"} 20.003400\n"),
	    "v1 sum");
	TAP_CHECK(has(&b, "{group=\"auth\",le=\"0.001\"} 1\n"), "auth le 0.001 inclusive");
	TAP_CHECK(has(&b, "scrapeq_http_request_duration_seconds_count{group=\"other\"} 1\n"),
	    "other count");
	TAP_CHECK(has(&b, "scrapeq_http_request_duration_seconds_count{group=\"metrics\"} 0\n"),
	    "every group has a histogram");
	TAP_CHECK(has(&b, "# TYPE scrapeq_api_start_time_seconds gauge\n"), "start time");
	buf_free(&b);
}

static void
test_figures(void)
{
	struct metrics	 m;
	struct buf	 b;

	memset(&m, 0, sizeof(m));
	m.jobs[JOB_PENDING] = 3;
	m.jobs[JOB_COMPLETED] = 1000000;
	m.health.queue_depth = 2;
	m.health.oldest_waiting_seconds = -1;
	m.pages.bytes = 5000000000LL;
	m.webhook_failed = 4;
	m.hub_watchers = 7;
	buf_init(&b, 0);
	TAP_CHECK(prometheus_write_figures(&b, &m, 0.0125) == 0, "write_figures");
	TAP_CHECK(has(&b, "\nscrapeq_jobs{status=\"pending\"} 3\n"), "pending\n%s", b.data);
	TAP_CHECK(has(&b, "\nscrapeq_jobs{status=\"completed\"} 1000000\n"), "completed");
	TAP_CHECK(has(&b, "\nscrapeq_jobs{status=\"cancelled\"} 0\n"), "every status");
	TAP_CHECK(has(&b, "\nscrapeq_queue_depth 2\n"), "depth");
	TAP_CHECK(has(&b, "\nscrapeq_queue_oldest_wait_seconds 0\n"), "no claimable job: 0");
	TAP_CHECK(has(&b, "\nscrapeq_fetched_bytes_total 5000000000\n"), "bytes past 32 bits");
	TAP_CHECK(has(&b, "\nscrapeq_webhook_deliveries_total{outcome=\"failed\"} 4\n"), "failed");
	TAP_CHECK(has(&b, "\nscrapeq_events_connections 7\n"), "watchers");
	TAP_CHECK(has(&b, "\nscrapeq_database_up 1\n"), "up");
	TAP_CHECK(has(&b, "\nscrapeq_metrics_read_seconds 0.012500\n"), "read time");
	buf_free(&b);
	buf_init(&b, 0);
	TAP_CHECK(prometheus_write_figures(&b, NULL, 0) == 0, "write_figures NULL");
	TAP_CHECK(has(&b, "\nscrapeq_database_up 0\n"), "down");
	TAP_CHECK(!has(&b, "scrapeq_jobs"), "down: no figures");
	TAP_CHECK(!has(&b, "scrapeq_metrics_read_seconds"), "down: no read time");
	buf_free(&b);
}

int
main(void)
{
	test_labels();
	test_requests();
	test_figures();
	return tap_done("test_prometheus");
}
