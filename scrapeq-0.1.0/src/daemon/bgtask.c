/* bgtask.c: one piece of scrapeqd's work on a thread of its own, with its own database connection. */
#include <pthread.h>
#include <stdlib.h>

#include "bgtask.h"

struct bgtask {
	pthread_t	 thread;
	struct db	*db;
	void		(*fn)(struct db *, const atomic_int *, void *);
	void		*arg;
	atomic_int	 stop;
	atomic_int	 done;
};

static void *
bgtask_main(void *p)
{
	struct bgtask *t = p;

	t->fn(t->db, &t->stop, t->arg);
	atomic_store(&t->done, 1);      /* what fn wrote is visible to whoever sees this */
	return NULL;
}

struct bgtask *
bgtask_start(const struct config *cfg, void (*fn)(struct db *, const atomic_int *, void *),
    void *arg)
{
	struct bgtask *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	atomic_init(&t->stop, 0);
	atomic_init(&t->done, 0);
	if ((t->db = db_new(cfg)) == NULL || pthread_create(&t->thread, NULL, bgtask_main, t) != 0) {
		db_free(t->db);
		free(t);
		return NULL;
	}
	return t;
}

int
bgtask_done(const struct bgtask *t)
{
	return atomic_load(&t->done);
}

void
bgtask_stop(struct bgtask *t)
{
	atomic_store(&t->stop, 1);
}

void
bgtask_free(struct bgtask *t)
{
	if (t == NULL)
		return;
	pthread_join(t->thread, NULL);
	db_free(t->db);
	free(t);
}
