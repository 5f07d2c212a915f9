-- 001_initial.sql: users, tenancy, auth, targets, the job model, its queue, logs, results, events, audit.
-- Every timestamp is DATETIME(6) in UTC (sessions run with time_zone '+00:00').

CREATE TABLE IF NOT EXISTS users (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username       VARCHAR(64)  NOT NULL,
  password_hash  VARCHAR(128) NULL,
  is_admin       TINYINT(1)   NOT NULL DEFAULT 0,
  external_id    VARCHAR(64)  NULL,
  created_at     DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY users_username (username),
  KEY users_external (external_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS projects (
  id                     UUID NOT NULL PRIMARY KEY,
  seq                    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name                   VARCHAR(200) NOT NULL,
  description            TEXT NULL,
  daily_job_limit        INT NULL,
  max_results_per_target INT NOT NULL DEFAULT 100,
  created_by             BIGINT UNSIGNED NULL,
  created_at             DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at             DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY projects_seq (seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS memberships (
  user_id     BIGINT UNSIGNED NOT NULL,
  project_id  UUID NOT NULL,
  role        ENUM('owner','admin','member','viewer') NOT NULL DEFAULT 'member',
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (user_id, project_id),
  KEY memberships_project (project_id),
  CONSTRAINT memberships_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT memberships_proj FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS api_tokens (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id       BIGINT UNSIGNED NOT NULL,
  token_hash    BINARY(32) NOT NULL,
  name          VARCHAR(200) NOT NULL DEFAULT '',
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  revoked_at    DATETIME(6) NULL,
  UNIQUE KEY api_tokens_hash (token_hash),
  KEY api_tokens_user (user_id),
  CONSTRAINT api_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS refresh_tokens (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id       BIGINT UNSIGNED NOT NULL,
  token_hash    BINARY(32) NOT NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at    DATETIME(6) NOT NULL,
  revoked_at    DATETIME(6) NULL,
  UNIQUE KEY refresh_tokens_hash (token_hash),
  KEY refresh_tokens_user (user_id),
  CONSTRAINT refresh_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS targets (
  id          UUID NOT NULL PRIMARY KEY,
  project_id  UUID NOT NULL,
  url         VARCHAR(2048) NOT NULL,
  name        VARCHAR(200) NULL,
  enabled     TINYINT(1) NOT NULL DEFAULT 1,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY targets_project (project_id, id),
  CONSTRAINT targets_proj FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One job model for every dialect. Progress counters are columns so the daemon can
-- bump them without rewriting JSON; config/metadata/stats/result/error are JSON text.
CREATE TABLE IF NOT EXISTS jobs (
  id                UUID NOT NULL PRIMARY KEY,
  project_id        UUID NOT NULL,
  type              VARCHAR(32) NOT NULL DEFAULT 'scrape',
  parent_id         UUID NULL,
  status            ENUM('pending','running','completed','failed','cancelled') NOT NULL DEFAULT 'pending',
  source            ENUM('manual','scheduled','api','retry') NOT NULL DEFAULT 'api',
  project_run       TINYINT(1) NOT NULL DEFAULT 0,
  schedule_id       VARCHAR(64) NULL,
  retry_of          UUID NULL,
  priority          SMALLINT NOT NULL DEFAULT 0,
  retry_count       INT NOT NULL DEFAULT 0,
  max_retries       INT NOT NULL DEFAULT 3,
  config            LONGTEXT NOT NULL DEFAULT '{}' CHECK (JSON_VALID(config)),
  metadata          LONGTEXT NOT NULL DEFAULT '{}' CHECK (JSON_VALID(metadata)),
  stats             LONGTEXT NULL CHECK (stats IS NULL OR JSON_VALID(stats)),
  result            LONGTEXT NULL CHECK (result IS NULL OR JSON_VALID(result)),
  error             LONGTEXT NULL CHECK (error IS NULL OR JSON_VALID(error)),
  total_targets     INT NOT NULL DEFAULT 0,
  completed_targets INT NOT NULL DEFAULT 0,
  total_results     INT NOT NULL DEFAULT 0,
  current_target    UUID NULL,
  cancel_requested  TINYINT(1) NOT NULL DEFAULT 0,
  created_by        BIGINT UNSIGNED NULL,
  created_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  scheduled_at      DATETIME(6) NULL,
  started_at        DATETIME(6) NULL,
  completed_at      DATETIME(6) NULL,
  cancelled_at      DATETIME(6) NULL,
  updated_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  purge_at          DATETIME(6) NULL,
  lease_owner       VARCHAR(64) NULL,
  lease_expires_at  DATETIME(6) NULL,
  KEY jobs_project_list (project_id, id),
  KEY jobs_project_status (project_id, status, id),
  KEY jobs_project_source (project_id, source, id),
  KEY jobs_lease (status, lease_expires_at),
  KEY jobs_parent (parent_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Job counts per (project, status, source, project_run), kept by triggers so a list's
-- total, and the number of a project's active runs, is a sum over a few rows instead
-- of a COUNT over every job. Each connection writes its
-- own slot (CONNECTION_ID() % 16), so concurrent writers rarely share a counter row
-- and never wait on one another for it; a slot's n may go negative, the sum is exact.
CREATE TABLE IF NOT EXISTS job_counts (
  project_id  UUID NOT NULL,
  status      ENUM('pending','running','completed','failed','cancelled') NOT NULL,
  source      ENUM('manual','scheduled','api','retry') NOT NULL,
  project_run TINYINT(1) NOT NULL,
  slot        TINYINT UNSIGNED NOT NULL,
  n           BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, status, source, project_run, slot)
) ENGINE=InnoDB;

CREATE TRIGGER IF NOT EXISTS jobs_count_insert AFTER INSERT ON jobs FOR EACH ROW
  INSERT INTO job_counts (project_id, status, source, project_run, slot, n)
  VALUES (NEW.project_id, NEW.status, NEW.source, NEW.project_run, CONNECTION_ID() % 16, 1)
  ON DUPLICATE KEY UPDATE n = n + 1;

CREATE TRIGGER IF NOT EXISTS jobs_count_update AFTER UPDATE ON jobs FOR EACH ROW
BEGIN
  IF NOT (OLD.status <=> NEW.status AND OLD.source <=> NEW.source
      AND OLD.project_id <=> NEW.project_id AND OLD.project_run <=> NEW.project_run) THEN
    INSERT INTO job_counts (project_id, status, source, project_run, slot, n)
    VALUES (OLD.project_id, OLD.status, OLD.source, OLD.project_run, CONNECTION_ID() % 16, -1)
    ON DUPLICATE KEY UPDATE n = n - 1;
    INSERT INTO job_counts (project_id, status, source, project_run, slot, n)
    VALUES (NEW.project_id, NEW.status, NEW.source, NEW.project_run, CONNECTION_ID() % 16, 1)
    ON DUPLICATE KEY UPDATE n = n + 1;
  END IF;
END;

CREATE TRIGGER IF NOT EXISTS jobs_count_delete AFTER DELETE ON jobs FOR EACH ROW
  INSERT INTO job_counts (project_id, status, source, project_run, slot, n)
  VALUES (OLD.project_id, OLD.status, OLD.source, OLD.project_run, CONNECTION_ID() % 16, -1)
  ON DUPLICATE KEY UPDATE n = n - 1;

-- Jobs created per project per UTC day: the daily limit is one primary-key read.
CREATE TABLE IF NOT EXISTS project_daily_jobs (
  project_id  UUID NOT NULL,
  day         DATE NOT NULL,
  n           INT NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, day)
) ENGINE=InnoDB;

-- Claimable work only: one narrow row per pending job, one index matching the claim.
CREATE TABLE IF NOT EXISTS job_queue (
  job_id     UUID NOT NULL PRIMARY KEY,
  priority   SMALLINT NOT NULL DEFAULT 0,
  run_after  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY job_queue_claim (priority DESC, job_id, run_after)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS job_targets (
  job_id         UUID NOT NULL,
  position       INT NOT NULL,
  target_id      UUID NOT NULL,
  url            VARCHAR(2048) NOT NULL,
  status         ENUM('pending','running','completed','failed','cancelled') NOT NULL DEFAULT 'pending',
  results_count  INT NOT NULL DEFAULT 0,
  started_at     DATETIME(6) NULL,
  completed_at   DATETIME(6) NULL,
  error          VARCHAR(1024) NULL,
  PRIMARY KEY (job_id, position),
  KEY job_targets_target (target_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS job_logs (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id     UUID NOT NULL,
  ts         DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  level      ENUM('debug','info','warning','error') NOT NULL DEFAULT 'info',
  message    VARCHAR(1024) NOT NULL,
  target_id  UUID NULL,
  KEY job_logs_job (job_id, id),
  KEY job_logs_job_level (job_id, level, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS results (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id         UUID NOT NULL,
  target_id      UUID NULL,
  url            VARCHAR(4096) NOT NULL,
  url_hash       BINARY(32) NOT NULL,
  status_code    SMALLINT NULL,
  content_type   VARCHAR(255) NULL,
  bytes          BIGINT NULL,
  fetch_ms       INT NULL,
  depth          INT NULL,
  title          VARCHAR(1024) NULL,
  description    VARCHAR(2048) NULL,
  canonical_url  VARCHAR(4096) NULL,
  links_count    INT NULL,
  images_count   INT NULL,
  products_count INT NULL,
  data           LONGTEXT NULL CHECK (data IS NULL OR JSON_VALID(data)),
  created_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY results_job_url (job_id, url_hash),
  KEY results_job (job_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The outbox: every state change of a job, in the transaction that made it.
CREATE TABLE IF NOT EXISTS job_events (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id      UUID NOT NULL,
  project_id  UUID NOT NULL,
  type        VARCHAR(32) NOT NULL,
  data        LONGTEXT NOT NULL CHECK (JSON_VALID(data)),
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY job_events_job (job_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS audit_log (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ts           DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  user_id      BIGINT UNSIGNED NULL,
  project_id   UUID NULL,
  action       VARCHAR(64) NOT NULL,
  entity_type  VARCHAR(32) NOT NULL,
  entity_id    VARCHAR(64) NOT NULL,
  before_data  LONGTEXT NULL CHECK (before_data IS NULL OR JSON_VALID(before_data)),
  after_data   LONGTEXT NULL CHECK (after_data IS NULL OR JSON_VALID(after_data)),
  KEY audit_entity (entity_type, entity_id, id),
  KEY audit_project (project_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
