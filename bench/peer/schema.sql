-- bench/peer/schema.sql: copied unchanged from ../shared/peers/sql/schema.sql, the PHP peer issue 13 measures GET job against (bench/api runs it); only this line was added.
-- Peer-baseline schema (MariaDB 10.11). A LAMP-style cut of the scrapeq job model:
-- users, projects, memberships, hashed API tokens, a ~20-column jobs row with JSON
-- config/progress, plus the stackproof `items` table that the C `dbapp` reads.
CREATE DATABASE IF NOT EXISTS peer CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
USE peer;

DROP TABLE IF EXISTS jobs, project_members, api_tokens, projects, users, items;

CREATE TABLE users (
  id          BIGINT PRIMARY KEY,
  email       VARCHAR(190) NOT NULL UNIQUE,
  name        VARCHAR(100) NOT NULL,
  created_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE projects (
  id          BIGINT PRIMARY KEY,
  name        VARCHAR(100) NOT NULL,
  created_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB;

-- membership: the tenant boundary (a job of another project is a 404)
CREATE TABLE project_members (
  project_id  BIGINT NOT NULL,
  user_id     BIGINT NOT NULL,
  role        VARCHAR(16) NOT NULL,
  created_at  DATETIME(6) NOT NULL,
  PRIMARY KEY (project_id, user_id),
  KEY ix_members_user (user_id)
) ENGINE=InnoDB;

-- API tokens are stored only as sha256(token)
CREATE TABLE api_tokens (
  token_hash    BINARY(32) PRIMARY KEY,
  user_id       BIGINT NOT NULL,
  name          VARCHAR(64) NOT NULL,
  created_at    DATETIME(6) NOT NULL,
  expires_at    DATETIME(6) NULL,
  revoked_at    DATETIME(6) NULL,
  KEY ix_tokens_user (user_id)
) ENGINE=InnoDB;

CREATE TABLE jobs (
  id                UUID PRIMARY KEY,          -- UUIDv7, MariaDB native UUID type
  project_id        BIGINT NOT NULL,
  type              VARCHAR(32) NOT NULL DEFAULT 'scrape',
  status            VARCHAR(16) NOT NULL,      -- pending running completed failed cancelled
  source            VARCHAR(16) NOT NULL,      -- manual scheduled api retry
  schedule_id       VARCHAR(32) NULL,
  retry_of          UUID NULL,
  priority          SMALLINT NOT NULL DEFAULT 0,
  retry_count       SMALLINT NOT NULL DEFAULT 0,
  max_retries       SMALLINT NOT NULL DEFAULT 3,
  config            JSON NOT NULL,
  progress          JSON NOT NULL,
  error             JSON NULL,
  lease_owner       VARCHAR(64) NULL,
  lease_expires_at  DATETIME(6) NULL,
  created_by        BIGINT NOT NULL,
  created_at        DATETIME(6) NOT NULL,
  started_at        DATETIME(6) NULL,
  completed_at      DATETIME(6) NULL,
  cancelled_at      DATETIME(6) NULL,
  updated_at        DATETIME(6) NOT NULL,
  KEY ix_jobs_project_created (project_id, created_at),
  KEY ix_jobs_project_status (project_id, status, created_at)
) ENGINE=InnoDB;

-- the table stackproof's C dbapp (db.c) selects from: SELECT id,name,qty,updated_at FROM items WHERE id=?
CREATE TABLE items (
  id          BIGINT PRIMARY KEY,
  name        VARCHAR(64) NOT NULL,
  qty         INT NOT NULL,
  updated_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB;
