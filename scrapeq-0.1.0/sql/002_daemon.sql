-- 002_daemon.sql: what the scrape daemons need: their registry, crawl errors, the claim index.

-- Every scrapeqd registers here and heartbeats; a daemon whose heartbeat is old is
-- dead, and the leases it held expire and are reclaimed by the others.
CREATE TABLE IF NOT EXISTS daemons (
  id            VARCHAR(64) NOT NULL PRIMARY KEY,
  host          VARCHAR(255) NOT NULL,
  pid           INT NOT NULL,
  started_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  heartbeat_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  stopped_at    DATETIME(6) NULL,
  jobs_running  INT NOT NULL DEFAULT 0,
  KEY daemons_heartbeat (heartbeat_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- URLs a crawl did not store as results, and why: a failed fetch, an HTTP error,
-- robots.txt, a refused address. Unique per (job, URL) like results.
CREATE TABLE IF NOT EXISTS crawl_errors (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id       UUID NOT NULL,
  target_id    UUID NULL,
  url          VARCHAR(4096) NOT NULL,
  url_hash     BINARY(32) NOT NULL,
  kind         ENUM('fetch','http','robots','refused','too_large','redirects','type') NOT NULL,
  status_code  SMALLINT NULL,
  message      VARCHAR(1024) NOT NULL,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY crawl_errors_job_url (job_id, url_hash),
  KEY crawl_errors_job (job_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The claim reads job_queue in (priority DESC, job_id) order and skips rows whose
-- run_after is in the future; the index carries run_after so no row is read to test it.
-- (001 already creates job_queue_claim with exactly these columns.)

-- A daemon's running jobs, for heartbeats and for reclaiming a dead daemon's leases.
ALTER TABLE jobs ADD INDEX IF NOT EXISTS jobs_lease_owner (lease_owner, status);
