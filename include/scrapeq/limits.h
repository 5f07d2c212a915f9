/* limits.h: every bound scrapeq puts on input, in one place. */
#ifndef SCRAPEQ_LIMITS_H
#define SCRAPEQ_LIMITS_H

#define SQ_BODY_MAX_DEFAULT   (1024 * 1024)   /* request body; nginx client_max_body_size matches */
#define SQ_BODY_MAX_CEILING   (64 * 1024 * 1024)
#define SQ_JSON_DEPTH_MAX     16              /* passed to json_tokener_new_ex */
#define SQ_QUERY_MAX          4096            /* bytes of QUERY_STRING */
#define SQ_QUERY_PARAMS_MAX   32              /* key=value pairs in one query string */
#define SQ_QUERY_VALUE_MAX    1024            /* one decoded value */
#define SQ_PATH_MAX           1024            /* bytes of the request path */
#define SQ_PATH_PARAMS_MAX    4               /* {} captures in one route */
#define SQ_AUTH_HEADER_MAX    4096            /* Authorization header */
#define SQ_NAME_MAX           200             /* project / target names */
#define SQ_DESCRIPTION_MAX    2000
#define SQ_URL_MAX            2048            /* a target URL */
#define SQ_USERNAME_MAX       64
#define SQ_PASSWORD_MAX       1024
#define SQ_PASSWORD_MIN       8
#define SQ_TARGET_IDS_MAX     1000            /* target_ids in one job */
#define SQ_TARGETS_PER_PROJECT_MAX 10000
#define SQ_RESULTS_PER_TARGET_MAX  1000000
#define SQ_DAILY_JOB_LIMIT_MAX 1000000         /* a project's daily_job_limit */
#define SQ_PER_PAGE_DEFAULT   20
#define SQ_PER_PAGE_MAX       100
#define SQ_PAGE_MAX           1000000
#define SQ_LOG_LIMIT_DEFAULT  100
#define SQ_LOG_LIMIT_MAX      1000
#define SQ_LOG_MESSAGE_MAX    1024
#define SQ_RESULTS_LIMIT_DEFAULT 100           /* rows of results or crawl errors per page */
#define SQ_RESULTS_LIMIT_MAX  1000
#define SQ_RESULTS_OFFSET_MAX 10000000
#define SQ_RUNS_LIMIT_DEFAULT 100             /* jobs per page of seed 004's GET /api/jobs */
#define SQ_RUNS_LIMIT_MAX     1000
#define SQ_STREAM_HOLD_MAX    (64 * 1024)     /* a streamed answer past this goes out without Content-Length */
#define SQ_DAEMON_HEARTBEAT_SECONDS 10        /* how often a scrapeqd heartbeats (lease 30 s / 3) */
#define SQ_DAEMON_ALIVE_SECONDS (3 * SQ_DAEMON_HEARTBEAT_SECONDS) /* older heartbeat: not alive */
#define SQ_DAEMON_IDLE_POLL_MS_DEFAULT 20     /* [daemon] idle_poll_ms: an idle daemon asks if a job is due */
#define SQ_DAEMON_IDLE_POLL_MS_MIN 1
#define SQ_DAEMON_CLAIM_GAP_MS 50           /* a busy daemon's claims of freed slots, at most this often */
#define SQ_DAEMON_IDLE_POLL_MS_MAX 60000
#define SQ_STATUS_DAEMONS_MAX 100             /* live daemons listed by GET /api/v1/status */
#define SQ_CONFIG_LINE_MAX    1024            /* one line of scrapeq.conf */
#define SQ_CONFIG_VALUE_MAX   512
#define SQ_SECRET_FILE_MAX    4096            /* password / key files */
#define SQ_SECRET_MODE        0600            /* what a secret file's mode should be (in messages) */
#define SQ_SECRET_MODE_FORBIDDEN 0077         /* any of these bits on a secret file: refused at start-up */
#define SQ_API_SOCKET_MODE    0660            /* scrapeq-api's own unix socket: owner and group only */
#define SQ_API_KEPT_MAX       512             /* idle FastCGI connections one worker process keeps (nginx keepalive) */
#define SQ_API_DRAIN_MAX      (64 * 1024)     /* unread request body read past to keep a connection */
#define SQ_HANDLER_GROUPS_MAX 64              /* supplementary groups of [daemon] handler_user */
#define SQ_ID_MAX             64              /* longest public id we accept in a path */
#define SQ_FLOW_PAGE_MAX      1001            /* seed 002: job objects in one GET /v1/jobs */
#define SQ_FLOW_IDS_IN_MAX    25              /* seed 002: ids in one flow_id_in (fits SQ_QUERY_VALUE_MAX) */
#define SQ_WORKSPACE_LIMIT_DEFAULT 50        /* seed 003: jobs in one list page, by default */
#define SQ_WORKSPACE_LIMIT_MAX 100            /* seed 003: limit past it is a 422 */
#define SQ_WORKERS_MAX        256
#define SQ_THREADS_MAX        256
/* Seed 001's scrape jobs (job_spec.h) */
#define SQ_JOB_TYPE_MAX       32              /* job_type: [a-z0-9_] */
#define SQ_JOB_DEPTH_DEFAULT  3               /* config.depth when not given */
#define SQ_JOB_DEPTH_MAX      100             /* config.depth (the crawler's own cap) */
#define SQ_JOB_PAGES_MAX      1000000         /* config.maxPages */
#define SQ_JOB_TIMEOUT_MS_MIN 1000            /* config.timeout, per fetch, in ms */
#define SQ_JOB_TIMEOUT_MS_MAX 3600000
#define SQ_JOB_AGENT_MAX      256             /* config.userAgent */
#define SQ_JOB_DELAY_MS_MAX   600000          /* config.delay between fetch starts on a host */
#define SQ_CRAWL_PATTERNS_MAX 32              /* config.includePaths / excludePaths, each */
#define SQ_CRAWL_SELECTORS_MAX 32             /* config.selectors */
#define SQ_CRAWL_SELECTOR_NAME_MAX 64         /* a selector's name */
#define SQ_CRAWL_XPATH_MAX    1024            /* bytes of one selector expression */
#define SQ_JOB_RETRIES_MAX    100             /* max_retries, retry_count */
#define SQ_JOB_JSON_MAX       (64 * 1024)     /* metadata, stats or result as JSON text */
#define SQ_JOB_MESSAGE_MAX    1024            /* error_message, cancel reason */
#define SQ_AUDIT_LIMIT_DEFAULT 100            /* audit rows per page */
#define SQ_AUDIT_LIMIT_MAX    1000
#define SQ_AUDIT_OFFSET_MAX   10000000
#define SQ_LEASE_SECONDS_MIN  5               /* an external worker's lease (?lease_seconds) */
#define SQ_LEASE_SECONDS_MAX  3600
#define SQ_LEASE_SECONDS_DEFAULT 30           /* [daemon] lease_seconds when not set */
#define SQ_DAEMON_LEASE_SECONDS_MIN 3         /* [daemon] lease_seconds (max: SQ_LEASE_SECONDS_MAX) */
#define SQ_JOBS_PER_DAY_MAX   10000000        /* [limits] jobs_per_day */
#define SQ_JOB_PROGRESS_MAX   100             /* a client's progress, in percent */
/* A scrape job's selectors (config.selectors, XPath), run by scrapeqd's selector workers */
#define SQ_SELECTOR_CPU_MS_DEFAULT 2000       /* [daemon] selector_cpu_ms: CPU time one page's selectors may use */
#define SQ_SELECTOR_CPU_MS_MIN 10
#define SQ_SELECTOR_CPU_MS_MAX 600000
#define SQ_SELECTOR_WALL_FACTOR 5             /* a worker silent past 5 x selector_cpu_ms ... */
#define SQ_SELECTOR_WALL_SLACK_MS 10000       /* ... + 10 s of wall-clock time is killed (stopped, starved) */
#define SQ_SELECTOR_WORKERS   2               /* worker processes of one scrapeqd, started when first needed */
#define SQ_SELECTOR_WORKER_MEM (1024L * 1024 * 1024) /* a worker's address space (RLIMIT_AS) */
#define SQ_SELECTOR_JOB_PAGES 8               /* pages of one job from fetch start to selectors done */
#define SQ_SELECTOR_PAGES     64              /* the same, all jobs of one scrapeqd together */

/* Webhooks (issue 11): the API's bounds and scrapeqd's delivery (webhook.h, webhook_queue.h) */
#define SQ_WEBHOOKS_PER_PROJECT_MAX 20        /* webhooks one project may have */
#define SQ_WEBHOOK_EVENTS_MAX 16              /* names in one create's events list */
#define SQ_WEBHOOK_EVENT_NAME_MAX 32          /* one name in it */
#define SQ_WEBHOOK_SECRET_MIN 16              /* bytes of a signing secret */
#define SQ_WEBHOOK_SECRET_MAX 256
#define SQ_WEBHOOK_TIMEOUT_DEFAULT 10         /* [daemon] webhook_timeout: seconds per delivery attempt */
#define SQ_WEBHOOK_TIMEOUT_MAX 60
#define SQ_WEBHOOK_BACKOFF_MS_DEFAULT 10000   /* [daemon] webhook_backoff_ms: before the first retry; doubles */
#define SQ_WEBHOOK_BACKOFF_MS_MIN 100
#define SQ_WEBHOOK_BACKOFF_MS_MAX 3600000     /* ... and no gap between attempts is longer */
#define SQ_WEBHOOK_GIVE_UP_SECONDS 86400      /* a delivery failing this long is failed; a webhook, disabled */
#define SQ_WEBHOOK_FANOUT_BATCH 500           /* job_events read per fan-out transaction */
#define SQ_WEBHOOK_GAP_WAIT_MS 2000           /* an id gap in job_events is waited for this long */
#define SQ_WEBHOOK_GAP_RECHECK_SECONDS 600    /* ... then moved past, and still looked for this long */
#define SQ_WEBHOOK_LEASE_SECONDS 300          /* a daemon holds a webhook this long per claim */
#define SQ_WEBHOOK_CLAIM_BATCH 8              /* webhooks claimed per claim transaction */
#define SQ_WEBHOOK_SENDS_PER_CLAIM 200        /* deliveries sent per claimed webhook before it is released */
#define SQ_WEBHOOK_SEND_BUDGET_SECONDS 60     /* ... or sending time (well inside the lease) */
#define SQ_WEBHOOK_ERROR_MAX 255              /* a delivery's last_error */
#define SQ_WEBHOOK_PAYLOAD_MAX (64 * 1024)    /* one delivery's body */
/* Schedules (issue 11): cron expressions, time zones, firing */
#define SQ_CRON_MAX           256             /* bytes of a five-field cron expression */
#define SQ_CRON_HORIZON_YEARS 10              /* a next slot is looked for this far ahead at most */
#define SQ_TIMEZONE_MAX       64              /* bytes of an IANA zone name */
#define SQ_TZFILE_MAX         (64 * 1024)     /* bytes of one TZif file read from the zoneinfo */
#define SQ_SCHEDULES_PER_PROJECT_MAX 100      /* schedules of one project */
#define SQ_SCHEDULE_BATCH     16              /* due schedules fired in one transaction */
#define SQ_SCHEDULE_POLL_MS   1000            /* how often scrapeqd looks for due schedules */
#define SQ_SCHEDULE_ERROR_MAX 512             /* bytes of a schedule's last_error */

/* scrapeq-events, the WebSocket/SSE hub ([events] in the config) */
#define SQ_DB_READ_TIMEOUT_DEFAULT 30      /* [database] read_timeout: seconds a statement waits for the server */
#define SQ_DB_READ_TIMEOUT_MAX 3600
#define SQ_EVENTS_LISTEN_DEFAULT "127.0.0.1:8091"  /* [events] listen */
#define SQ_EVENTS_TICK_MS_DEFAULT 150         /* [events] tick_ms: one job_events read per tick */
#define SQ_EVENTS_TICK_MS_MIN 10
#define SQ_EVENTS_TICK_MS_MAX 5000
#define SQ_EVENTS_GAP_GRACE_MS_DEFAULT 300    /* [events] gap_grace_ms: an id gap holds later rows back this long */
#define SQ_EVENTS_GAP_GRACE_MS_MAX 10000
#define SQ_EVENTS_GAP_RECHECK_MS 30000        /* a gap given up on is still looked for this long (late rows go to live watchers) */
#define SQ_EVENTS_GAPS_MAX    256             /* given-up id gaps still looked for; past it the oldest is forgotten */
#define SQ_EVENTS_BATCH_MAX   2000            /* job_events rows read per tick (the rest next tick) */
#define SQ_EVENTS_REPLAY_MAX  500             /* rows one Last-Event-ID resume reads per tick */
#define SQ_EVENTS_WATCHERS_DEFAULT 10000      /* [events] max_watchers */
#define SQ_EVENTS_WATCHERS_MAX 100000
#define SQ_EVENTS_QUEUE_DEFAULT 256           /* [events] queue_max: a watcher's queued messages before it is dropped */
#define SQ_EVENTS_QUEUE_MIN   4
#define SQ_EVENTS_QUEUE_MAX   65536
#define SQ_EVENTS_KEEPALIVE_SECONDS 15        /* [events] keepalive_seconds: SSE comment interval */
#define SQ_EVENTS_HEADER_MAX  8192            /* bytes of one request's headers (Authorization, ?token=) */
#define SQ_EVENTS_TOKEN_MAX   2048            /* bytes of a ?token= value */
#define SQ_EVENTS_MESSAGE_MAX (64 * 1024)     /* bytes of one WebSocket or SSE message */
#define SQ_EVENTS_CLOSE_SLOW  4008            /* WebSocket close code for a watcher dropped as too slow */
#define SQ_EVENTS_PROBE_MS    300             /* /api/v1/status: connect timeout to the hub */
#define SQ_EVENTS_HEARTBEAT_SECONDS 5       /* how often a hub records its watcher count (event_hubs) */
#define SQ_EVENTS_ALIVE_SECONDS (3 * SQ_EVENTS_HEARTBEAT_SECONDS) /* older heartbeat: hub not counted */

/* Password logins (issue 12): throttling ([auth] login_*) and the Argon2id bound */
#define SQ_LOGIN_FAILURES_PER_USER_DEFAULT 10  /* [auth] login_failures_per_user: per window */
#define SQ_LOGIN_FAILURES_PER_ADDR_DEFAULT 30  /* [auth] login_failures_per_address: per window */
#define SQ_LOGIN_FAILURES_MAX 100000          /* either key's ceiling */
#define SQ_LOGIN_WINDOW_DEFAULT 300           /* [auth] login_window_seconds */
#define SQ_LOGIN_WINDOW_MAX   86400
#define SQ_LOGIN_SUBJECT_MAX  64              /* login_failures.subject: a user name or an address key */
#define SQ_LOGIN_PURGE_BATCH  100             /* ended windows deleted per recorded failure */
#define SQ_LOGIN_VERIFY_MAX_DEFAULT 2         /* [auth] login_verify_max: Argon2id checks at once per worker */
#define SQ_LOGIN_VERIFY_WAIT_MS_DEFAULT 1000  /* [auth] login_verify_wait_ms: then 503 */
#define SQ_LOGIN_VERIFY_WAIT_MS_MAX 10000
#define SQ_LOGIN_BUSY_RETRY_SECONDS 1         /* Retry-After of that 503 */

#endif
