-- 006_retention.sql: the indexes scrapeqd's purge finds expired jobs by (src/core/retention.c).
-- A finished job ends at completed_at, a cancelled one at cancelled_at; each purge
-- batch reads the oldest few of each, locking only those rows (SKIP LOCKED).

ALTER TABLE jobs
  ADD INDEX IF NOT EXISTS jobs_ended (status, completed_at),
  ADD INDEX IF NOT EXISTS jobs_cancelled (status, cancelled_at);
