-- 009_schedules.sql: a project's recurring scrape runs (issue 11), and the record of each
-- slot a schedule fired, whose primary key makes a slot fire once across any number of
-- daemons (src/core/schedule.c).

CREATE TABLE IF NOT EXISTS schedules (
  id           UUID NOT NULL PRIMARY KEY,
  project_id   UUID NOT NULL,
  cron         VARCHAR(256) NOT NULL,
  timezone     VARCHAR(64) NOT NULL DEFAULT 'UTC',
  -- JSON array of target UUIDs; NULL: every enabled target of the project when it fires
  target_ids   LONGTEXT NULL CHECK (target_ids IS NULL OR JSON_VALID(target_ids)),
  -- the crawl options as the client gave them, checked again when a slot fires
  config       LONGTEXT NOT NULL DEFAULT '{}' CHECK (JSON_VALID(config)),
  enabled      TINYINT(1) NOT NULL DEFAULT 1,
  next_run_at  DATETIME(6) NULL,
  last_run_at  DATETIME(6) NULL,
  last_job_id  UUID NULL,
  last_error   VARCHAR(512) NULL,
  created_by   BIGINT UNSIGNED NULL,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  -- the firing query's index: enabled = 1 AND next_run_at <= NOW(6) ORDER BY next_run_at,
  -- so a SKIP LOCKED scan locks only the row it takes
  KEY schedules_due (enabled, next_run_at),
  KEY schedules_project (project_id, id),
  CONSTRAINT schedules_proj FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per slot fired: the job it made, or why it was refused.
CREATE TABLE IF NOT EXISTS schedule_runs (
  schedule_id  UUID NOT NULL,
  slot         DATETIME(6) NOT NULL,
  job_id       UUID NULL,
  error        VARCHAR(512) NULL,
  fired_by     VARCHAR(64) NULL,
  fired_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (schedule_id, slot),
  CONSTRAINT schedule_runs_schedule FOREIGN KEY (schedule_id) REFERENCES schedules (id)
    ON DELETE CASCADE
) ENGINE=InnoDB;

-- The jobs of a schedule, by slot (jobs.schedule_id holds the schedule's public id).
ALTER TABLE jobs ADD INDEX IF NOT EXISTS jobs_schedule (schedule_id, scheduled_at);
