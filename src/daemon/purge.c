/* purge.c: one retention purge run of scrapeqd, on a thread with its own database connection. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "scrapeq/db.h"
#include "scrapeq/retention.h"
#include "purge.h"

struct purge_run {
	pthread_t	 thread;
	struct db	*db;
	unsigned	 days;
	atomic_int	 stop;
	atomic_int	 done;
	size_t		 n;
	int		 more;
	enum sq_err	 rc;
};

static void *
run_main(void *arg)
{
	struct purge_run	*p = arg;
	size_t			 got = 0, i;

	for (i = 0; i < PURGE_BATCHES_MAX && !atomic_load(&p->stop); i++) {
		if ((p->rc = retention_purge(p->db, p->days, RETENTION_BATCH, &got)) != SQ_OK)
			break;
		p->n += got;
		if (got < RETENTION_BATCH)
			break;
	}
	p->more = p->rc == SQ_OK && got == RETENTION_BATCH;
	atomic_store(&p->done, 1);
	return NULL;
}

struct purge_run *
purge_start(const struct config *cfg)
{
	struct purge_run *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->days = cfg->retention_days;
	atomic_init(&p->stop, 0);
	atomic_init(&p->done, 0);
	if ((p->db = db_new(cfg)) == NULL || pthread_create(&p->thread, NULL, run_main, p) != 0) {
		db_free(p->db);
		free(p);
		return NULL;
	}
	return p;
}

int
purge_done(const struct purge_run *p)
{
	return atomic_load(&p->done);
}

void
purge_stop(struct purge_run *p)
{
	atomic_store(&p->stop, 1);
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
	pthread_join(p->thread, NULL);
	db_free(p->db);
	free(p);
}
