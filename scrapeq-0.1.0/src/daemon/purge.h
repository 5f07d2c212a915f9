/* purge.h: scrapeqd's retention purge, on a bgtask of its own (src/core/retention.c does the deleting). */
#ifndef SCRAPEQD_PURGE_H
#define SCRAPEQD_PURGE_H

#include <stddef.h>
#include "scrapeq/config.h"
#include "scrapeq/err.h"

#define PURGE_BATCHES_MAX 50   /* transactions of RETENTION_BATCH jobs in one run */

/*
 * One purge run on its own thread and database connection, so that deleting a large
 * job's results never holds the daemon's loop: batches of RETENTION_BATCH jobs past
 * cfg's retention_days until none is left, PURGE_BATCHES_MAX batches are done or it
 * is stopped. NULL when out of memory or no thread could start.
 */
struct purge_run *purge_start(const struct config *cfg);
/* 1 once the thread has ended. */
int	purge_done(const struct purge_run *);
/* Asks the thread to end after the batch it is in. */
void	purge_stop(struct purge_run *);
/* After the end: jobs deleted, and whether more may be waiting (the batches ran out). */
size_t	purge_count(const struct purge_run *);
int	purge_more(const struct purge_run *);
/* The error that ended it (SQ_OK when none). */
enum sq_err purge_error(const struct purge_run *);
/* Waits for the thread and frees the run. NULL ok. */
void	purge_free(struct purge_run *);

#endif
