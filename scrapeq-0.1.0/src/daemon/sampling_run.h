/* sampling_run.h: scrapeqd's built-in "sampling" job type (seed 004), run on a thread of its own. */
#ifndef SCRAPEQD_SAMPLING_RUN_H
#define SCRAPEQD_SAMPLING_RUN_H

#include "scrapeq/config.h"
#include "scrapeq/db.h"
#include "scrapeq/queue.h"

#define SAMPLING_POPULATION_MAX 5000000    /* rows of a dataset one job may draw from */

/*
 * A claimed sampling job, drawn on its own thread over its own database connection so
 * that the daemon's loop (heartbeats, leases, crawls) never waits for it. The thread
 * reads the dataset's rows as the job's config names them, draws each round with the
 * round's recorded seed, writes the chosen rows to sample_rows in one transaction
 * (1,000 rows a statement) and finishes the job itself: completed with an output
 * summary; failed at once for a config that cannot be drawn (a population past
 * SAMPLING_POPULATION_MAX, more strata than SAMPLING_STRATA_MAX); failed for a retry
 * on a database error. The same config over the same rows always draws the same rows.
 */
struct sampling_task;

/* Starts j (copied) on a new thread; NULL when out of memory or no thread could start. */
struct sampling_task *sampling_start(const struct config *, const char *daemon_id,
	    const struct queue_job *j);
/* 1 once the thread has ended. */
int	sampling_done(const struct sampling_task *);
/* Asks the thread to give up at its next 1,024 rows read or batch written (cancel, shutdown). */
void	sampling_stop(struct sampling_task *);
/* 1 when it gave up before finishing its job: nothing was kept, the job is the caller's to end. */
int	sampling_unfinished(const struct sampling_task *);
const struct uuid *sampling_job(const struct sampling_task *);
/* Waits for the thread to end and frees the task. NULL ok. */
void	sampling_free(struct sampling_task *);

#endif
