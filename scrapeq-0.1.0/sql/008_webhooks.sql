-- 008_webhooks.sql: webhooks (issue 11), their deliveries, and the outbox cursor that
-- scrapeqd's fan-out reads job_events from (src/core/webhook.c, webhook_queue.c).

-- A project's webhook. events is a bitmask of the event names (webhook_event.h).
-- since_event_id: the outbox's end when it was created (earlier events are not sent).
-- A daemon delivering to it holds lease_owner until lease_expires_at; retry_at holds
-- its oldest pending delivery back after a failure (deliveries go in event order).
CREATE TABLE IF NOT EXISTS webhooks (
  id               UUID NOT NULL PRIMARY KEY,
  project_id       UUID NOT NULL,
  url              VARCHAR(2048) NOT NULL,
  events           INT UNSIGNED NOT NULL,
  secret           VARCHAR(256) NULL,
  enabled          TINYINT(1) NOT NULL DEFAULT 1,
  disabled_at      DATETIME(6) NULL,
  disabled_reason  VARCHAR(512) NULL,
  since_event_id   BIGINT UNSIGNED NOT NULL DEFAULT 0,
  failing_since    DATETIME(6) NULL,
  retry_at         DATETIME(6) NULL,
  lease_owner      VARCHAR(64) NULL,
  lease_expires_at DATETIME(6) NULL,
  created_by       BIGINT UNSIGNED NULL,
  created_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY webhooks_project (project_id, id),
  KEY webhooks_claim (enabled, retry_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per (webhook, outbox event, event name): its id is the X-Scrapeq-Delivery
-- header, the same on every attempt; payload is the body, built once.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id               UUID NOT NULL PRIMARY KEY,
  webhook_id       UUID NOT NULL,
  event_id         BIGINT UNSIGNED NOT NULL,
  event            VARCHAR(32) NOT NULL,
  job_id           UUID NOT NULL,
  payload          LONGTEXT NOT NULL,
  state            ENUM('pending', 'delivered', 'failed') NOT NULL DEFAULT 'pending',
  attempts         INT UNSIGNED NOT NULL DEFAULT 0,
  last_status_code SMALLINT UNSIGNED NULL,
  last_error       VARCHAR(255) NULL,
  last_daemon      VARCHAR(64) NULL,
  next_attempt_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_attempt_at  DATETIME(6) NULL,
  delivered_at     DATETIME(6) NULL,
  created_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY webhook_deliveries_event (webhook_id, event_id, event),
  KEY webhook_deliveries_state (webhook_id, state, event_id),
  KEY webhook_deliveries_created (state, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The fan-out's place in job_events: one row, locked FOR UPDATE SKIP LOCKED by the
-- one daemon fanning out at a time. It starts at the outbox's end.
CREATE TABLE IF NOT EXISTS webhook_fanout (
  id               TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  last_event_id    BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO webhook_fanout (id, last_event_id)
  SELECT 1, COALESCE(MAX(id), 0) FROM job_events;
