/* retention.h: finished jobs deleted once [limits] retention_days have passed (seed 002's purgeAt). */
#ifndef SCRAPEQ_RETENTION_H
#define SCRAPEQ_RETENTION_H

#include <stddef.h>
#include "db.h"
#include "err.h"

#define RETENTION_BATCH 20     /* jobs deleted per transaction */

/*
 * Deletes up to max jobs that ended (completed or failed: completed_at; cancelled:
 * cancelled_at) more than days days ago, with everything kept for them: results,
 * crawl errors, logs, events, sample rows, per-target status and any queue row.
 * Pending and running jobs are never touched, whatever their age; the audit log is
 * kept (it outlives what it describes). One transaction; jobs another purger has
 * locked are skipped (SKIP LOCKED), so any number of daemons may purge at once.
 * *n gets the number of jobs deleted. Returns SQ_OK or a db error (nothing deleted).
 */
enum sq_err retention_purge(struct db *, unsigned days, unsigned max, size_t *n);

#endif
