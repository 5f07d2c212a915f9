-- 003_flow_counts.sql: per-job record counters seed 002 filters on (numError, numIgnore).
-- A crawl's errors are counted into the job row as they are written, so a list
-- filtered by numError_gte reads a column instead of counting crawl_errors per job.
-- robots.txt refusals are "ignored" records; every other kind is an error record.

ALTER TABLE jobs
  ADD COLUMN IF NOT EXISTS error_records INT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS ignored_records INT NOT NULL DEFAULT 0,
  ADD INDEX IF NOT EXISTS jobs_project_created (project_id, created_at, id);

CREATE TRIGGER IF NOT EXISTS crawl_errors_count_insert AFTER INSERT ON crawl_errors FOR EACH ROW
  UPDATE jobs SET error_records = error_records + (NEW.kind <> 'robots'),
    ignored_records = ignored_records + (NEW.kind = 'robots')
  WHERE id = NEW.job_id;

CREATE TRIGGER IF NOT EXISTS crawl_errors_count_delete AFTER DELETE ON crawl_errors FOR EACH ROW
  UPDATE jobs SET error_records = error_records - (OLD.kind <> 'robots'),
    ignored_records = ignored_records - (OLD.kind = 'robots')
  WHERE id = OLD.job_id;

UPDATE jobs j JOIN (SELECT job_id, SUM(kind <> 'robots') AS e, SUM(kind = 'robots') AS i
    FROM crawl_errors GROUP BY job_id) c ON c.job_id = j.id
  SET j.error_records = c.e, j.ignored_records = c.i;

-- The three objects seed 002 shows per scrape job (0 flow, 1 export, 2 import): the list
-- joins jobs to this table. A real table, because MariaDB 10.11 sorted rows joined to a
-- JSON_TABLE or UNION derived table wrongly in prepared statements (kind order lost).
CREATE TABLE IF NOT EXISTS flow_kinds (
  k  TINYINT UNSIGNED NOT NULL PRIMARY KEY
) ENGINE=InnoDB;
INSERT IGNORE INTO flow_kinds (k) VALUES (0), (1), (2);
