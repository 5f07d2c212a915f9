-- 010_auth_hardening.sql: login throttling, immediate revocation, refresh token families
-- (issue 12, src/core/login_throttle.c and src/core/auth.c).

-- The user's revocation generation: bumped by auth_revoke_user (scrapeqctl token revoke),
-- a password change and a refresh token's reuse. Every authenticated request reads it by
-- primary key (with is_admin, so a demotion counts from the next request too); an access
-- JWT carries the generation it was issued under ("gen") and a cached API token the one
-- it was looked up under: either is refused or looked up again once they differ.
ALTER TABLE users
  ADD COLUMN IF NOT EXISTS auth_gen BIGINT UNSIGNED NOT NULL DEFAULT 0;

-- Refresh token families: a login starts one, each /auth/refresh rotates within it.
-- rotated_at marks a token spent by rotation (it is also revoked); presenting it again is
-- a reuse, which revokes every token of the family. A token from before this migration
-- is a family of its own.
ALTER TABLE refresh_tokens
  ADD COLUMN IF NOT EXISTS family_id BINARY(16) NULL,
  ADD COLUMN IF NOT EXISTS rotated_at DATETIME(6) NULL;
UPDATE refresh_tokens SET family_id = UNHEX(MD5(CONCAT('legacy-', id))) WHERE family_id IS NULL;
ALTER TABLE refresh_tokens
  MODIFY family_id BINARY(16) NOT NULL,
  ADD INDEX IF NOT EXISTS refresh_tokens_family (family_id);

-- Failed password logins in a fixed window, per user name (kind 'user') and per client
-- address (kind 'addr': an IPv4 address, or an IPv6 /64). A window starts at its first
-- failure and ends login_window_seconds later; rows of ended windows are deleted by the
-- next failures (a bounded batch each), so the table holds about the live windows only.
CREATE TABLE IF NOT EXISTS login_failures (
  kind          ENUM('user','addr') NOT NULL,
  subject       VARCHAR(64) NOT NULL,
  window_start  DATETIME(6) NOT NULL,
  failures      INT UNSIGNED NOT NULL,
  PRIMARY KEY (kind, subject),
  KEY login_failures_window (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
