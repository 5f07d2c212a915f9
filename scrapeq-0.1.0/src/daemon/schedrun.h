/* schedrun.h: scrapeqd's schedule firing, on a bgtask of its own (src/core/schedule.c does the firing). */
#ifndef SCRAPEQD_SCHEDRUN_H
#define SCRAPEQD_SCHEDRUN_H

#include "scrapeq/config.h"

/*
 * Starts the thread that fires due schedules: every SQ_SCHEDULE_POLL_MS (at once
 * again while a full batch of SQ_SCHEDULE_BATCH was due), with its own database
 * connection and its own copy of cfg, so the claim loop never waits for it and a
 * reload never changes what it reads under it (stop it and start another instead).
 * daemon_id names the daemon in its log lines and the schedule_runs rows. NULL when
 * out of memory or no thread could start.
 */
struct schedrun *schedrun_start(const struct config *cfg, const char *daemon_id);
/* Asks the thread to end after the slot it is firing. */
void	schedrun_stop(struct schedrun *);
/* 1 once the thread has ended. */
int	schedrun_done(const struct schedrun *);
/* Waits for the thread and frees it. NULL ok. */
void	schedrun_free(struct schedrun *);

#endif
