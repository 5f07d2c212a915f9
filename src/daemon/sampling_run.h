/* sampling_run.h: scrapeqd's built-in "sampling" job type (seed 004). */
#ifndef SCRAPEQD_SAMPLING_RUN_H
#define SCRAPEQD_SAMPLING_RUN_H

#include "scrapeq/db.h"
#include "scrapeq/queue.h"

#define SAMPLING_POPULATION_MAX 5000000    /* rows of a dataset one job may draw from */

/*
 * Runs a claimed sampling job to its end, synchronously: reads its dataset's rows as
 * its config names them, draws each round with the round's recorded seed, writes the
 * chosen rows to sample_rows in one transaction and completes the job with an output
 * summary. A config that cannot be drawn (a population past SAMPLING_POPULATION_MAX,
 * more strata than SAMPLING_STRATA_MAX) fails the job at once; a database error fails
 * it for a retry. The same config over the same rows always draws the same rows.
 */
void	sampling_run(struct db *, const char *daemon_id, const struct queue_job *);

#endif
