/* schedrun.c: the thread of scrapeqd that fires due schedules, beside the claim loop. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/schedule.h"
#include "scrapeq/text.h"
#include "bgtask.h"
#include "schedrun.h"

#define SCHEDRUN_NAP_MS 50      /* the stop flag is looked at this often while idle */

struct schedrun {
	struct config	 cfg;            /* a copy: reloads do not reach a running thread */
	char		 id[64];
	struct bgtask	*bg;
};

static void
nap(const atomic_int *stop, long ms)
{
	struct timespec ts = { 0, SCHEDRUN_NAP_MS * 1000000L };

	for (; ms > 0 && !atomic_load(stop); ms -= SCHEDRUN_NAP_MS)
		nanosleep(&ts, NULL);
}

static void
run(struct db *db, const atomic_int *stop, void *arg)
{
	struct schedrun	*s = arg;
	size_t		 fired, refused;
	enum sq_err	 rc;

	while (!atomic_load(stop)) {
		rc = schedule_fire_due(db, &s->cfg, s->id, SQ_SCHEDULE_BATCH, &fired, &refused);
		if (fired > 0)
			log_info("schedules: %zu slot(s) fired a job", fired);
		if (refused > 0)
			log_warn("schedules: %zu slot(s) refused by the project's limits", refused);
		if (rc == SQ_OK && fired + refused == SQ_SCHEDULE_BATCH)
			continue;       /* more may be due */
		nap(stop, SQ_SCHEDULE_POLL_MS);
	}
}

struct schedrun *
schedrun_start(const struct config *cfg, const char *daemon_id)
{
	struct schedrun *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cfg = *cfg;
	text_copy(s->id, sizeof(s->id), daemon_id);
	if ((s->bg = bgtask_start(&s->cfg, run, s)) == NULL) {
		explicit_bzero(&s->cfg, sizeof(s->cfg));
		free(s);
		return NULL;
	}
	return s;
}

void
schedrun_stop(struct schedrun *s)
{
	bgtask_stop(s->bg);
}

int
schedrun_done(const struct schedrun *s)
{
	return bgtask_done(s->bg);
}

void
schedrun_free(struct schedrun *s)
{
	if (s == NULL)
		return;
	bgtask_free(s->bg);
	explicit_bzero(&s->cfg, sizeof(s->cfg));
	free(s);
}
