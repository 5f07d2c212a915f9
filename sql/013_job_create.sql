-- 013_job_create.sql: the rows of a new job in one statement: lifecycle_create's body (issue 13).
--
-- A create wrote seven statements under the project's row lock, each one a round trip
-- from the API (the job, its targets, the day's count, the queue row, the "created"
-- event, the queued log line, the audit row). This procedure writes the same rows with
-- the same SQL in one CALL, which lifecycle_create (src/core/lifecycle.c) makes through
-- a prepared statement with bound parameters; nothing else calls it, so the door is
-- still one: lifecycle_create. Its parameters are lifecycle_create's struct
-- lifecycle_new, in order. A change to the rows a new job writes is a new migration
-- that replaces this procedure.
--
-- It runs with its caller's rights (SQL SECURITY INVOKER): a user that may write the
-- rows of a create may call it, and it grants nothing more. Calling it needs EXECUTE
-- (README "Beyond one machine" grants it on scrapeq.* to the API's and the daemons'
-- users).
--
-- The audit row's after_data is the job snapshot of src/core/job_audit.c (JOB_SNAPSHOT):
-- the two must stay the same text (tests/integration/test_create.py compares them).
--
-- When a given target is not the project's (any more) the procedure stops with
-- SQLSTATE 23000, errno 1062 (a duplicate-key error is what the API maps to a
-- conflict, SQ_ERR_CONFLICT, as a lost race); the caller rolls back.

CREATE OR REPLACE PROCEDURE sq_job_create(
  p_id          UUID,
  p_project_id  UUID,
  p_type        VARCHAR(255) CHARSET utf8mb4,
  p_source      VARCHAR(32) CHARSET utf8mb4,
  p_project_run INT,
  p_retry_of    UUID,
  p_schedule_id VARCHAR(255) CHARSET utf8mb4,
  p_priority    BIGINT,
  p_max_retries BIGINT,
  p_config      LONGTEXT CHARSET utf8mb4,
  p_metadata    LONGTEXT CHARSET utf8mb4,
  p_targets     LONGTEXT CHARSET utf8mb4,
  p_ntargets    BIGINT,
  p_created_by  BIGINT UNSIGNED,
  p_run_after   DATETIME(6),
  p_created_at  DATETIME(6),
  p_log_message TEXT CHARSET utf8mb4,
  p_log_max     INT
)
MODIFIES SQL DATA
SQL SECURITY INVOKER
BEGIN
  INSERT INTO jobs (id, project_id, type, status, source, project_run, retry_of,
    schedule_id, priority, max_retries, config, metadata, total_targets, created_by,
    scheduled_at, created_at, updated_at)
  VALUES (p_id, p_project_id, p_type, 'pending', p_source, p_project_run, p_retry_of,
    p_schedule_id, p_priority, IF(p_max_retries < 0, DEFAULT(max_retries), p_max_retries),
    COALESCE(p_config, '{}'), COALESCE(p_metadata, '{}'), p_ntargets, p_created_by,
    p_run_after, COALESCE(p_created_at, NOW(6)), COALESCE(p_created_at, NOW(6)));
  IF p_ntargets > 0 THEN
    INSERT INTO job_targets (job_id, position, target_id, url)
    SELECT p_id, jt.pos, t.id, t.url FROM JSON_TABLE(p_targets, '$[*]' COLUMNS
      (pos FOR ORDINALITY, tid VARCHAR(36) PATH '$')) jt
    JOIN targets t ON t.id = jt.tid AND t.project_id = p_project_id;
    IF ROW_COUNT() <> p_ntargets THEN
      SIGNAL SQLSTATE '23000' SET MYSQL_ERRNO = 1062,
        MESSAGE_TEXT = 'sq_job_create: a target is not the project''s';
    END IF;
  END IF;
  INSERT INTO project_daily_jobs (project_id, day, n)
  VALUES (p_project_id, UTC_DATE(), 1) ON DUPLICATE KEY UPDATE n = n + 1;
  INSERT INTO job_queue (job_id, priority, run_after)
  VALUES (p_id, p_priority, COALESCE(p_run_after, NOW(6)));
  INSERT INTO job_events (job_id, project_id, type, data)
  SELECT id, project_id, 'created', JSON_OBJECT('status', status) FROM jobs WHERE id = p_id;
  INSERT INTO job_logs (job_id, level, message)
  VALUES (p_id, 'info', LEFT(p_log_message, p_log_max));
  INSERT INTO audit_log (user_id, project_id, action, entity_type, entity_id, before_data,
    after_data)
  SELECT p_created_by, p_project_id, 'create', 'job', p_id, NULL,
    JSON_OBJECT('status', status, 'priority', priority,
    'retry_count', retry_count, 'max_retries', max_retries,
    'metadata', JSON_EXTRACT(metadata, '$'), 'stats', JSON_EXTRACT(stats, '$'),
    'result', JSON_EXTRACT(result, '$'), 'error', JSON_EXTRACT(error, '$'),
    'started_at', started_at, 'completed_at', completed_at,
    'cancelled_at', cancelled_at, 'lease_owner', lease_owner)
  FROM jobs WHERE id = p_id;
END;
