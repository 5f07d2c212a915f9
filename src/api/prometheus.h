/* prometheus.h: GET /metrics: the pool's request counters and the core's figures in Prometheus' text format. */
#ifndef SCRAPEQ_PROMETHEUS_H
#define SCRAPEQ_PROMETHEUS_H

#include "scrapeq/buf.h"
#include "scrapeq/metrics.h"
#include "reqstats.h"
#include "router.h"

/* Text exposition format 0.0.4, as Prometheus' exposition_formats.md fixes it. */
#define PROMETHEUS_CTYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * The route table mounted at /metrics: GET only, no bearer token. The request must
 * carry the FastCGI param SCRAPEQ_METRICS=1, which only the nginx snippet's
 * `location = /metrics` sets (behind its allow/deny list): without it the answer is
 * 403, so another location that passes everything to the pool cannot expose it.
 */
extern const struct route prometheus_routes[];

/*
 * Appends a label value to b with the format's escapes (backslash, double quote and
 * line feed become \\, \" and \n). Returns 0, or -1 when b failed (b->oom).
 */
int	prometheus_label(struct buf *b, const char *v);

/* Appends the request counters and histogram of s (its groups in order, codes seen only). */
int	prometheus_write_requests(struct buf *b, const struct reqstats *s);

/*
 * Appends the database's figures m, then scrapeq_database_up 1 and how long reading
 * them took; m NULL (the read failed): scrapeq_database_up 0 alone.
 */
int	prometheus_write_figures(struct buf *b, const struct metrics *m, double read_seconds);

#endif
