/* job_target_state.c: keeps jobs.target_state equal to the job's job_targets rows. */
#include "scrapeq/job_target_state.h"

enum sq_err
job_target_state_sync(struct db *db, const char *jids)
{
	return db_exec(db, "UPDATE jobs j SET j.target_state = (" JOB_TARGET_STATE_AGG ") "
	    "WHERE j.id = ?", DB_PARAMS(DB_STR(jids)), NULL);
}

enum sq_err
job_target_state_sync_ids(struct db *db, const char *ids_json)
{
	return db_exec(db, "UPDATE " DB_IDS_TABLE " JOIN jobs j ON j.id = t.id "
	    "SET j.target_state = (" JOB_TARGET_STATE_AGG ")", DB_PARAMS(DB_STR(ids_json)), NULL);
}
