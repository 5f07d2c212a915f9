-- 017_metrics.sql: what GET /metrics reads besides job_counts and job_queue: the
-- daemons' page counters, counters that outlive the rows they came from, and the
-- event hubs' watcher counts.

-- Each scrapeqd adds what it did since its last heartbeat to its own row (the
-- heartbeat's UPDATE, so no extra statement): pages fetched (every response or failed
-- fetch), result rows stored, URLs that failed (crawl_errors), and body bytes fetched.
-- A restarted daemon keeps adding to its row when its id is the same ([daemon] id),
-- or starts a new row when it is not (host-pid); the old row stays, stopped.
ALTER TABLE daemons
  ADD COLUMN IF NOT EXISTS pages_fetched BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS pages_stored  BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS pages_failed  BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS bytes_fetched BIGINT UNSIGNED NOT NULL DEFAULT 0;

-- Counters that must never go backwards although the rows they count are deleted:
-- a removed daemons row's page counters (folded in by the trigger below, so a
-- sysadmin who deletes old daemons rows does not make /metrics' totals drop), and
-- webhook deliveries that reached an outcome (retention purges the delivery rows).
-- Writers spread over 16 slots (CONNECTION_ID() % 16) as job_counts does; a metric
-- is the sum of its slots.
CREATE TABLE IF NOT EXISTS metric_counters (
  name  VARCHAR(64) NOT NULL,
  slot  TINYINT UNSIGNED NOT NULL,
  n     BIGINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (name, slot)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TRIGGER IF NOT EXISTS daemons_counters_delete AFTER DELETE ON daemons FOR EACH ROW
  INSERT INTO metric_counters (name, slot, n) VALUES
    ('pages_fetched', CONNECTION_ID() % 16, OLD.pages_fetched),
    ('pages_stored', CONNECTION_ID() % 16, OLD.pages_stored),
    ('pages_failed', CONNECTION_ID() % 16, OLD.pages_failed),
    ('bytes_fetched', CONNECTION_ID() % 16, OLD.bytes_fetched)
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);

-- A delivery counts once, when it leaves 'pending' for its outcome.
CREATE TRIGGER IF NOT EXISTS webhook_deliveries_outcome AFTER UPDATE ON webhook_deliveries
  FOR EACH ROW
  INSERT INTO metric_counters (name, slot, n)
  SELECT CONCAT('webhook_', NEW.state), CONNECTION_ID() % 16, 1
  FROM DUAL WHERE OLD.state = 'pending' AND NEW.state <> 'pending'
  ON DUPLICATE KEY UPDATE n = n + 1;

-- Every scrapeq-events process records its open watchers here with its own
-- heartbeat (src/events/server.c), so the API learns the count without asking the
-- hub anything: one upsert a few seconds apart, from the hub's own tick.
CREATE TABLE IF NOT EXISTS event_hubs (
  id            VARCHAR(64) NOT NULL PRIMARY KEY,
  host          VARCHAR(255) NOT NULL,
  pid           INT NOT NULL,
  watchers      INT UNSIGNED NOT NULL DEFAULT 0,
  started_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  heartbeat_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  stopped_at    DATETIME(6) NULL,
  KEY event_hubs_heartbeat (heartbeat_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
