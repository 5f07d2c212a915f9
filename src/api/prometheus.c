/* prometheus.c: GET /metrics: a text serializer over reqstats and the core's metrics_read. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "scrapeq/job_transition.h"
#include "prometheus.h"

#define METRICS_BODY_MAX (256 * 1024)    /* bytes of one exposition; a few KB in practice */

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample: name{label="value"} v, the label optional. */
static void
sample(struct buf *b, const char *name, const char *label, const char *value, long long v)
{
	buf_puts(b, name);
	if (label != NULL) {
		buf_printf(b, "{%s=\"", label);
		prometheus_label(b, value);
		buf_puts(b, "\"}");
	}
	buf_putc(b, ' ');
	buf_putint(b, v);
	buf_putc(b, '\n');
}

/* A family of one unlabelled sample. */
static void
metric1(struct buf *b, const char *name, const char *type, const char *help, long long v)
{
	family(b, name, type, help);
	sample(b, name, NULL, NULL, v);
}

int
prometheus_label(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			buf_puts(b, "\\\\");
		else if (*v == '"')
			buf_puts(b, "\\\"");
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *v);
	}
	return b->oom ? -1 : 0;
}

static void
write_codes(struct buf *b, const struct reqstats *s)
{
	unsigned long long	 n;
	size_t			 g, c;

	family(b, "scrapeq_http_requests_total", "counter",
	    "Requests answered by this scrapeq-api pool (all its workers), by route group and status code.");
	for (g = 0; g < RG__COUNT; g++)
		for (c = 0; c < REQSTATS_CODES; c++) {
			if ((n = atomic_load_explicit(&s->g[g].codes[c], memory_order_relaxed)) == 0)
				continue;
			buf_puts(b, "scrapeq_http_requests_total{group=\"");
			prometheus_label(b, reqstats_group_name((enum reqstats_group)g));
			buf_printf(b, "\",code=\"%zu\"} %llu\n", c + REQSTATS_CODE_MIN, n);
		}
}

/* Cumulative buckets from the per-bound counts, so _count always equals the +Inf bucket. */
static void
write_histogram(struct buf *b, const struct reqstats *s)
{
	unsigned long long	 cum;
	size_t			 g, i;
	const char		*name;
	double			 le;

	family(b, "scrapeq_http_request_duration_seconds", "histogram",
	    "Time from a request's first byte read to its answer written, by route group.");
	for (g = 0; g < RG__COUNT; g++) {
		name = reqstats_group_name((enum reqstats_group)g);
		cum = 0;
		for (i = 0; i < REQSTATS_BUCKETS; i++) {
			cum += atomic_load_explicit(&s->g[g].buckets[i], memory_order_relaxed);
			le = reqstats_bucket_le(i);
			buf_printf(b, "scrapeq_http_request_duration_seconds_bucket{group=\"%s\",le=\"", name);
			if (isinf(le))
				buf_puts(b, "+Inf");
			else
				buf_printf(b, "%g", le);
			buf_printf(b, "\"} %llu\n", cum);
		}
		buf_printf(b, "scrapeq_http_request_duration_seconds_sum{group=\"%s\"} %.6f\n", name,
		    (double)atomic_load_explicit(&s->g[g].sum_us, memory_order_relaxed) / 1e6);
		buf_printf(b, "scrapeq_http_request_duration_seconds_count{group=\"%s\"} %llu\n", name, cum);
	}
}

int
prometheus_write_requests(struct buf *b, const struct reqstats *s)
{
	write_codes(b, s);
	write_histogram(b, s);
	metric1(b, "scrapeq_api_start_time_seconds", "gauge",
	    "When this scrapeq-api pool's supervisor started (Unix time): its counters start at zero then.",
	    s->started);
	return b->oom ? -1 : 0;
}

static void
write_jobs(struct buf *b, const struct metrics *m)
{
	int st;

	family(b, "scrapeq_jobs", "gauge", "Jobs by status, every project.");
	for (st = 0; st < JOB_STATUS__COUNT; st++)
		sample(b, "scrapeq_jobs", "status", job_status_name((enum job_status)st), m->jobs[st]);
	metric1(b, "scrapeq_queue_depth", "gauge", "Queued jobs claimable now.",
	    m->health.queue_depth);
	metric1(b, "scrapeq_queue_scheduled", "gauge",
	    "Queued jobs not claimable yet (a retry's backoff, a later start).",
	    m->health.queue_scheduled);
	metric1(b, "scrapeq_queue_oldest_wait_seconds", "gauge",
	    "How long the oldest claimable job has been claimable; 0 when none is.",
	    m->health.oldest_waiting_seconds > 0 ? m->health.oldest_waiting_seconds : 0);
	metric1(b, "scrapeq_daemons_alive", "gauge", "scrapeqd processes whose heartbeat is recent.",
	    m->health.daemons_alive);
}

static void
write_pages(struct buf *b, const struct metrics *m)
{
	metric1(b, "scrapeq_pages_fetched_total", "counter",
	    "Pages fetched by every scrapeqd (responses and failed fetches), as of their last heartbeats.",
	    m->pages.fetched);
	metric1(b, "scrapeq_pages_stored_total", "counter", "Result rows stored by every scrapeqd.",
	    m->pages.stored);
	metric1(b, "scrapeq_pages_failed_total", "counter",
	    "URLs every scrapeqd recorded as crawl errors (fetch, HTTP, robots, refused, ...).",
	    m->pages.failed);
	metric1(b, "scrapeq_fetched_bytes_total", "counter", "Body bytes fetched by every scrapeqd.",
	    m->pages.bytes);
}

static void
write_hooks_and_hubs(struct buf *b, const struct metrics *m)
{
	family(b, "scrapeq_webhook_deliveries_total", "counter",
	    "Webhook deliveries that reached an outcome: delivered, or failed after their last attempt.");
	sample(b, "scrapeq_webhook_deliveries_total", "outcome", "delivered", m->webhook_delivered);
	sample(b, "scrapeq_webhook_deliveries_total", "outcome", "failed", m->webhook_failed);
	metric1(b, "scrapeq_webhook_deliveries_pending", "gauge",
	    "Webhook deliveries still to be made or retried.", m->webhook_pending);
	metric1(b, "scrapeq_events_hubs_alive", "gauge",
	    "scrapeq-events processes whose heartbeat is recent.", m->hubs_alive);
	metric1(b, "scrapeq_events_connections", "gauge",
	    "Open WebSocket and SSE watchers on those hubs, as of their last heartbeats.",
	    m->hub_watchers);
}

int
prometheus_write_figures(struct buf *b, const struct metrics *m, double read_seconds)
{
	if (m != NULL) {
		write_jobs(b, m);
		write_pages(b, m);
		write_hooks_and_hubs(b, m);
	}
	metric1(b, "scrapeq_database_up", "gauge",
	    "1 when this scrape read the database's figures, 0 when it could not (they are then absent).",
	    m != NULL);
	if (m != NULL) {
		family(b, "scrapeq_metrics_read_seconds", "gauge",
		    "How long this scrape took to read the database's figures.");
		buf_printf(b, "scrapeq_metrics_read_seconds %.6f\n", read_seconds);
	}
	return b->oom ? -1 : 0;
}

static double
since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * A database that cannot be read still gets a 200 with the pool's own counters and
 * scrapeq_database_up 0 (the failure is logged by db.c): an outage then shows on the
 * dashboard as a value, not as a scrape error that hides the request rates too.
 */
static enum sq_err
h_metrics(struct req *r, struct sq_error *e)
{
	const char		*via = FCGX_GetParam("SCRAPEQ_METRICS", r->fcgx->envp);
	struct metrics		 m;
	struct sq_error		 dbe = { SQ_OK, "" };
	struct req_stream	 s;
	struct timespec		 t0;
	int			 ok;

	if (via == NULL || strcmp(via, "1") != 0)
		return sq_fail(e, SQ_ERR_FORBIDDEN, "/metrics is served only through the nginx "
		    "snippet's location = /metrics");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok = metrics_read(r->w->db, &m, &dbe) == SQ_OK;
	req_stream_begin(&s, r, 200, PROMETHEUS_CTYPE, NULL);
	s.b.max = METRICS_BODY_MAX;
	if (r->w->stats != NULL)
		prometheus_write_requests(&s.b, r->w->stats);
	prometheus_write_figures(&s.b, ok ? &m : NULL, since(&t0));
	metrics_clear(&m);
	return req_stream_finish(&s, s.b.oom ? SQ_ERR_NOMEM : SQ_OK, e);
}

const struct route prometheus_routes[] = {
	{ "GET", "/metrics", h_metrics, ROUTE_OPEN },
	{ NULL, NULL, NULL, 0 },
};
