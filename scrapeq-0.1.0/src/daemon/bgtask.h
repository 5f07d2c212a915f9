/* bgtask.h: work scrapeqd runs beside its loop: one thread, its own database connection, a stop flag. */
#ifndef SCRAPEQD_BGTASK_H
#define SCRAPEQD_BGTASK_H

#include <stdatomic.h>
#include "scrapeq/config.h"
#include "scrapeq/db.h"

/*
 * Runs fn(db, stop, arg) on a new thread with a database connection of its own (made
 * from cfg), so that the loop never waits for it: a sampling draw, a retention purge.
 * fn should look at *stop between its steps and end early once it is set. arg stays
 * the caller's; what fn leaves in it may be read once bgtask_done says 1. NULL when
 * out of memory or no thread could start.
 */
struct bgtask *bgtask_start(const struct config *cfg,
	    void (*fn)(struct db *, const atomic_int *stop, void *arg), void *arg);
/* 1 once fn has returned. */
int	bgtask_done(const struct bgtask *);
/* Sets the stop flag fn looks at. */
void	bgtask_stop(struct bgtask *);
/* Waits for the thread, closes its connection and frees the task. NULL ok. */
void	bgtask_free(struct bgtask *);

#endif
