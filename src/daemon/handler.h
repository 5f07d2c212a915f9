/* handler.h: a job type the sysadmin maps to a command: run it, feed it the job, read its output. */
#ifndef SCRAPEQ_HANDLER_H
#define SCRAPEQ_HANDLER_H

#include "scrapeq/config.h"
#include "scrapeq/queue.h"
#include "store.h"

#define HANDLER_OUTPUT_MAX (1024 * 1024)   /* bytes of result JSON kept */

enum handler_state { HANDLER_RUNNING, HANDLER_COMPLETED, HANDLER_FAILED, HANDLER_CANCELLED };

struct handler_run;

/*
 * Starts command (an absolute path and space-separated arguments, no shell) for the
 * claimed job qj (moved into the run), with the job as one JSON object on its stdin:
 * {"id","type","project_id","retry_count","config"}. It runs as [daemon] handler_user
 * (handler_user.h) in /, with only stdin, stdout and stderr open. Returns NULL only
 * when out of memory; a command that cannot be started (or whose user cannot be taken
 * on: none by that name, uid 0) gives a run that has failed, and never runs.
 */
struct handler_run *handler_start(const struct config *c, struct store *st,
	    struct queue_job *qj, const char *command);

/*
 * Reads what the command wrote: a line "progress N text" sets the job's progress to
 * N (0..100) and logs text; everything else is the result, one JSON value. Reaps it
 * when it exits (0: completed; other status or signal: failed) and kills it past
 * [daemon] handler_timeout. Never blocks.
 */
void	handler_poll(struct handler_run *);
/* Kills the command (SIGTERM, then SIGKILL); the state becomes HANDLER_CANCELLED. */
void	handler_cancel(struct handler_run *);
void	handler_free(struct handler_run *);     /* kills it if still running */

enum handler_state handler_state(const struct handler_run *);
const struct uuid *handler_job(const struct handler_run *);
/* stats ({"progress", "progressMessage"}), result (JSON or NULL), error ({"code","message"} or NULL); caller frees. */
char	*handler_stats_json(const struct handler_run *);
char	*handler_result_json(const struct handler_run *);
char	*handler_error_json(const struct handler_run *);
const char *handler_error_text(const struct handler_run *);

#endif
