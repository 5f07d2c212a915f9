-- bench/peer/seed.sql: copied unchanged from ../shared/peers/sql/seed.sql, the PHP peer issue 13 measures GET job against (bench/api runs it); only this line was added.
-- Deterministic data for the peer baselines: 2,000 users, 1,000 projects, 3,000
-- memberships, 2,000 API tokens (one per user), 100,000 jobs, 10,000 items.
-- Uses MariaDB's built-in Sequence engine (seq_1_to_N). Runs in a few seconds.
USE peer;
SET time_zone = '+00:00';
SET SESSION sql_log_bin = 0;

DROP FUNCTION IF EXISTS peer_token;
DROP FUNCTION IF EXISTS peer_job_ts;
DROP FUNCTION IF EXISTS peer_job_uuid;

-- the plaintext bearer token of user u (the DB stores only sha256 of it)
CREATE FUNCTION peer_token(u BIGINT) RETURNS VARCHAR(64) DETERMINISTIC
  RETURN CONCAT('sq_', LPAD(u, 6, '0'), '_', LEFT(SHA2(CONCAT('peer-token-', u), 256), 40));

-- job n was created 86.4 s after job n-1, starting 2026-08-01 (100k jobs = 100 days)
CREATE FUNCTION peer_job_ts(n BIGINT) RETURNS DATETIME(6) DETERMINISTIC
  RETURN TIMESTAMP('2026-08-01 00:00:00') + INTERVAL (n * 86400000) MICROSECOND;

-- UUIDv7 of job n: 48-bit unix ms of its created_at, version 7, variant 10xx, md5 bits
CREATE FUNCTION peer_job_uuid(n BIGINT) RETURNS CHAR(36) DETERMINISTIC
  RETURN LOWER(INSERT(INSERT(INSERT(INSERT(
      CONCAT(LPAD(HEX(FLOOR(UNIX_TIMESTAMP(peer_job_ts(n)) * 1000)), 12, '0'),
             '7', SUBSTR(MD5(CONCAT('job', n)), 1, 3),
             ELT(1 + n % 4, '8', '9', 'a', 'b'), SUBSTR(MD5(CONCAT('job', n)), 4, 15)),
      21, 0, '-'), 17, 0, '-'), 13, 0, '-'), 9, 0, '-'));

INSERT INTO users (id, email, name, created_at)
SELECT seq, CONCAT('user', seq, '@example.org'), CONCAT('User ', seq),
       TIMESTAMP('2026-01-01') + INTERVAL seq MINUTE
  FROM seq_1_to_2000;

INSERT INTO projects (id, name, created_at)
SELECT seq, CONCAT('Project ', seq), TIMESTAMP('2026-02-01') + INTERVAL seq MINUTE
  FROM seq_1_to_1000;

-- project p: owner p, member 1000+p, viewer (p mod 1000)+1
INSERT INTO project_members (project_id, user_id, role, created_at)
SELECT seq, seq, 'owner', TIMESTAMP('2026-02-01') FROM seq_1_to_1000
UNION ALL
SELECT seq, 1000 + seq, 'member', TIMESTAMP('2026-02-02') FROM seq_1_to_1000
UNION ALL
SELECT seq, (seq % 1000) + 1, 'viewer', TIMESTAMP('2026-02-03') FROM seq_1_to_1000;

INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at, revoked_at)
SELECT UNHEX(SHA2(peer_token(seq), 256)), seq, 'default', TIMESTAMP('2026-03-01'),
       NULL, NULL
  FROM seq_1_to_2000;

INSERT INTO jobs (id, project_id, type, status, source, schedule_id, retry_of, priority,
                  retry_count, max_retries, config, progress, error, lease_owner,
                  lease_expires_at, created_by, created_at, started_at, completed_at,
                  cancelled_at, updated_at)
SELECT peer_job_uuid(n), p, 'scrape', st,
       ELT(1 + n % 10, 'manual','manual','manual','manual','manual','manual',
                       'scheduled','scheduled','api','retry'),
       IF(n % 10 IN (6, 7), CONCAT('sch_', LPAD(HEX(p * 7 + n % 3), 6, '0')), NULL),
       IF(n % 10 = 9 AND n > 1, peer_job_uuid(n - 1), NULL),
       n % 3, IF(n % 10 = 9, 1, 0), 3,
       JSON_OBJECT(
         'max_results_per_target', 100 + (n % 5) * 50,
         'targets', JSON_EXTRACT(ELT(1 + n % 3,
             CONCAT('["tgt_', p, 'a"]'),
             CONCAT('["tgt_', p, 'a", "tgt_', p, 'b"]'),
             CONCAT('["tgt_', p, 'a", "tgt_', p, 'b", "tgt_', p, 'c"]')), '$'),
         'start_urls', JSON_ARRAY(CONCAT('https://shop', p % 97, '.example.com/catalog/page-', n % 1000)),
         'max_depth', 1 + n % 5,
         'max_pages', 1000,
         'include_paths', JSON_ARRAY('/catalog/*', '/product/*'),
         'exclude_paths', JSON_ARRAY('/cart', '/login', '/account/*'),
         'respect_robots', JSON_EXTRACT('true', '$'),
         'user_agent', 'scrapeq/0.1 (+https://example.org/bot)',
         'formats', JSON_ARRAY('html', 'links', 'metadata')),
       JSON_OBJECT(
         'total_targets', 1 + n % 3,
         'completed_targets', IF(st IN ('completed'), 1 + n % 3, IF(st = 'pending', 0, n % 2)),
         'current_target', IF(st = 'running', CONCAT('tgt_', p, 'a'), NULL),
         'total_results', IF(st = 'pending', 0, (n * 37) % 500),
         'pages_crawled', IF(st = 'pending', 0, (n * 53) % 1000),
         'pages_failed', IF(st = 'pending', 0, n % 7),
         'percentage', CASE st WHEN 'completed' THEN 100 WHEN 'pending' THEN 0 ELSE (n * 13) % 100 END),
       IF(st = 'failed', JSON_OBJECT('code', 'FETCH_FAILED',
            'message', 'Connection timed out after 30000 ms',
            'url', CONCAT('https://shop', p % 97, '.example.com/catalog/page-', n % 1000)), NULL),
       IF(st = 'running', CONCAT('worker-', n % 4, '@host1'), NULL),
       IF(st = 'running', ts + INTERVAL 10 MINUTE, NULL),
       p, ts,
       IF(st = 'pending', NULL, ts + INTERVAL 2 SECOND),
       IF(st IN ('completed', 'failed'), ts + INTERVAL (62 + n % 600) SECOND, NULL),
       IF(st = 'cancelled', ts + INTERVAL (30 + n % 60) SECOND, NULL),
       ts + INTERVAL (62 + n % 600) SECOND
  FROM (SELECT seq AS n, 1 + seq % 1000 AS p, peer_job_ts(seq) AS ts,
               ELT(1 + seq % 20, 'completed','completed','completed','completed','completed',
                   'completed','completed','completed','completed','completed','completed',
                   'completed','failed','failed','cancelled','running','running',
                   'pending','pending','pending') AS st
          FROM seq_1_to_100000) g;

INSERT INTO items (id, name, qty, updated_at)
SELECT seq, CONCAT('item-', seq), seq % 1000, TIMESTAMP('2026-04-01') + INTERVAL seq SECOND
  FROM seq_1_to_10000;

ANALYZE TABLE users, projects, project_members, api_tokens, jobs, items;
