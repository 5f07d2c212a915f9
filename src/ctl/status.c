/* status.c: scrapeqctl status: the health figures (health_read, the core's one reading) as text or JSON. */
#include <stdio.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/events_addr.h"
#include "scrapeq/health.h"
#include "scrapeq/jsonw.h"
#include "scrapeq/limits.h"
#include "scrapeq/timefmt.h"
#include "status.h"

/* "2026-12-05T17:00:00Z" from DATETIME(6) text, or the text itself when it does not parse. */
static const char *
when(const char *db, char out[TIMEFMT_MAX])
{
	if (timefmt_rfc3339(db, 0, out) != 0)
		snprintf(out, TIMEFMT_MAX, "%s", db);
	return out;
}

static void
print_text(const struct health *h, const struct config *cfg, int events_up)
{
	char	 t1[TIMEFMT_MAX], t2[TIMEFMT_MAX];
	size_t	 i;

	printf("daemons    %lld alive\n", h->daemons_alive);
	for (i = 0; i < h->ndaemons; i++)
		printf("  %s  host %s  pid %lld  jobs running %lld  started %s  heartbeat %s\n",
		    h->daemons[i].id, h->daemons[i].host, h->daemons[i].pid,
		    h->daemons[i].jobs_running, when(h->daemons[i].started_at, t1),
		    when(h->daemons[i].heartbeat_at, t2));
	if (h->daemons_alive > (long long)h->ndaemons)
		printf("  (%lld more not listed)\n", h->daemons_alive - (long long)h->ndaemons);
	printf("queue      %lld claimable, %lld scheduled", h->queue_depth, h->queue_scheduled);
	if (h->oldest_waiting_seconds >= 0)
		printf(", oldest waiting %lld s", h->oldest_waiting_seconds);
	printf("\njobs       %lld running, %lld pending\n", h->jobs_running, h->jobs_pending);
	printf("event hub  %s at %s\n", events_up ? "up" : "DOWN (no answer)", cfg->events_listen);
	if (h->daemons_alive > 0 && events_up)
		printf("status     healthy\n");
	else
		printf("status     UNHEALTHY:%s%s\n", h->daemons_alive > 0 ? "" : " no scrapeqd alive;",
		    events_up ? "" : " the event hub does not answer;");
}

static int
print_json(const struct health *h, int events_up)
{
	struct buf	 b;
	struct jsonw	 w;
	int		 rc;

	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_bool(&w, "healthy", h->daemons_alive > 0 && events_up);
	health_json(&w, h, 1, events_up);       /* GET /api/v1/status's shape, items included */
	jsonw_end(&w);
	if ((rc = jsonw_failed(&w) ? -1 : 0) == 0)
		printf("%.*s\n", (int)b.len, b.data);
	buf_free(&b);
	return rc;
}

int
status_print(struct db *db, const struct config *cfg, int json)
{
	struct health	 h;
	struct sq_error	 e = { SQ_OK, "" };
	int		 up, rc;

	if (health_read(db, &h, &e) != SQ_OK) {
		fprintf(stderr, "scrapeqctl: reading the status: %s\n", sq_strerror(e.code));
		return 1;
	}
	up = events_probe(cfg->events_listen, SQ_EVENTS_PROBE_MS);
	if (json)
		rc = print_json(&h, up);
	else {
		print_text(&h, cfg, up);
		rc = 0;
	}
	if (rc == 0 && !(h.daemons_alive > 0 && up))
		rc = STATUS_EXIT_UNHEALTHY;
	else if (rc != 0) {
		fprintf(stderr, "scrapeqctl: out of memory\n");
		rc = 1;
	}
	health_clear(&h);
	return rc;
}
