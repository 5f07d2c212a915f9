-- 004_sampling.sql: the rows a sampling job (seed 004) drew, by round, as references to results.
-- The draw is written in one transaction before the job completes, so a completed
-- sampling job's rows are all here; they are read back in (round, ordinal) order.
CREATE TABLE IF NOT EXISTS sample_rows (
  job_id     UUID NOT NULL,
  round      INT NOT NULL,
  ordinal    INT NOT NULL,
  result_id  BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (job_id, round, ordinal)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
