/* job_target_state.h: jobs.target_state, each job's per-target status kept on its row. */
#ifndef SCRAPEQ_JOB_TARGET_STATE_H
#define SCRAPEQ_JOB_TARGET_STATE_H

#include "db.h"
#include "err.h"

/*
 * What jobs.target_state holds (sql/012): the job's job_targets rows in position order
 * as one JSON array of [target_id, status, results_count, started_at, completed_at],
 * or NULL when it has none; GET job reads it instead of aggregating job_targets on
 * every read. Everything that writes job_targets calls a sync below in the same
 * transaction, after its last write to them (lifecycle and lease changes, the
 * daemon's flush); retention deletes the rows with the job.
 */
#define JOB_TARGET_STATE_AGG \
	"SELECT JSON_ARRAYAGG(JSON_ARRAY(jt.target_id, jt.status, jt.results_count, " \
	"jt.started_at, jt.completed_at) ORDER BY jt.position) FROM job_targets jt " \
	"WHERE jt.job_id = j.id"

/* Sets target_state of the job jids (UUID text) from its job_targets. SQ_OK or a db error. */
enum sq_err job_target_state_sync(struct db *, const char *jids);

/*
 * The same for every job of ids_json (a JSON array of UUID strings, duplicates
 * allowed) in one statement. SQ_OK or a db error.
 */
enum sq_err job_target_state_sync_ids(struct db *, const char *ids_json);

#endif
