/* purge.c: one retention purge run of scrapeqd, on a bgtask (its own thread and connection). */
#include <stdlib.h>

#include "scrapeq/retention.h"
#include "bgtask.h"
#include "purge.h"

struct purge_run {
	struct bgtask	*bg;
	unsigned	 days;
	size_t		 n;
	int		 more;
	enum sq_err	 rc;
};

static void
run(struct db *db, const atomic_int *stop, void *arg)
{
	struct purge_run	*p = arg;
	size_t			 got = 0, i;

	for (i = 0; i < PURGE_BATCHES_MAX && !atomic_load(stop); i++) {
		if ((p->rc = retention_purge(db, p->days, RETENTION_BATCH, &got)) != SQ_OK)
			break;
		p->n += got;
		if (got < RETENTION_BATCH)
			break;
	}
	p->more = p->rc == SQ_OK && got == RETENTION_BATCH;
}

struct purge_run *
purge_start(const struct config *cfg)
{
	struct purge_run *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->days = cfg->retention_days;
	if ((p->bg = bgtask_start(cfg, run, p)) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

int
purge_done(const struct purge_run *p)
{
	return bgtask_done(p->bg);
}

void
purge_stop(struct purge_run *p)
{
	bgtask_stop(p->bg);
}

size_t
purge_count(const struct purge_run *p)
{
	return p->n;
}

int
purge_more(const struct purge_run *p)
{
	return p->more;
}

enum sq_err
purge_error(const struct purge_run *p)
{
	return p->rc;
}

void
purge_free(struct purge_run *p)
{
	if (p == NULL)
		return;
	bgtask_free(p->bg);
	free(p);
}
