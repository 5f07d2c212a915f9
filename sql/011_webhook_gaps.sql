-- 011_webhook_gaps.sql: id gaps in job_events the webhook fan-out moved past, still
-- looked for. An outbox id is taken when its row is inserted and seen when its
-- transaction commits; a transaction that commits long after a later one (it waited
-- for a lock, or its commit stalled) leaves a gap the cursor has already passed. The
-- fan-out records such a gap here and delivers a row that appears in it later, until
-- the gap is SQ_WEBHOOK_GAP_RECHECK_SECONDS old (then it was a rollback or ids a
-- multi-row insert reserved and never used).

CREATE TABLE IF NOT EXISTS webhook_fanout_gaps (
  lo           BIGINT UNSIGNED NOT NULL PRIMARY KEY,  -- first missing id
  hi           BIGINT UNSIGNED NOT NULL,              -- last missing id
  given_up_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
