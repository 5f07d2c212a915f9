-- 012_job_target_state.sql: each job's per-target status kept on its row (issue 13).
-- GET job aggregated job_targets with JSON_ARRAYAGG on every read, which cost MariaDB
-- about as much as the rest of the read; the column holds that aggregate, written in
-- the same transaction as every change of job_targets (src/core/job_target_state.c).
-- NULL: the job has no targets. Backfilled here for the jobs that exist.

ALTER TABLE jobs ADD COLUMN IF NOT EXISTS target_state LONGTEXT NULL;

UPDATE jobs j SET j.target_state = (SELECT JSON_ARRAYAGG(JSON_ARRAY(jt.target_id, jt.status,
    jt.results_count, jt.started_at, jt.completed_at) ORDER BY jt.position)
  FROM job_targets jt WHERE jt.job_id = j.id)
WHERE j.id IN (SELECT DISTINCT job_id FROM job_targets);
