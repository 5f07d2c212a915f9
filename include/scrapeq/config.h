/* config.h: scrapeq.conf, the one INI file the sysadmin edits. */
#ifndef SCRAPEQ_CONFIG_H
#define SCRAPEQ_CONFIG_H

#include <stddef.h>

#include "limits.h"

#define SQ_CONFIG_DEFAULT_PATH "/etc/scrapeq/scrapeq.conf"
#define SQ_CONFIG_FILE_MAX     (1024 * 1024)   /* config_load refuses a larger file */

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARNING, LOG_LVL_ERROR };

/*
 * [database] tls: off (plain TCP, or a unix socket), or verify (TLS required, the
 * server's certificate checked against tls_ca and its name against host). There is
 * no "encrypt without verifying": Connector/C 3.3 then falls back to plain text when
 * the server offers no TLS, and sends the login before any check could refuse it.
 */
enum config_tls { CONFIG_TLS_OFF, CONFIG_TLS_VERIFY };

#define SQ_HANDLERS_MAX      32
#define SQ_HANDLER_CMD_MAX   511     /* bytes of a handler's command line */
#define SQ_HANDLER_ARGS_MAX  32      /* words of it: the path and its arguments */
#define SQ_HANDLER_USER_DEFAULT "nobody" /* [daemon] handler_user */

/* [handlers]: a job type other than scrape, run by scrapeqd as this command. */
struct config_handler {
	char	 type[SQ_JOB_TYPE_MAX + 1];
	char	 command[SQ_HANDLER_CMD_MAX + 1];   /* absolute path, then arguments */
};

struct config {
	char	 path[512];          /* the file this was loaded from */

	/* [database] */
	char	 db_socket[256];     /* unix socket; empty means use host/port */
	char	 db_host[256];       /* default "localhost" */
	unsigned db_port;            /* default 3306 */
	char	 db_name[64];        /* default "scrapeq" */
	char	 db_user[64];        /* default "scrapeq" */
	char	 db_password_file[512]; /* file holding the password; empty: no password */
	char	 db_password[256];   /* read from db_password_file at load time, never from the INI */
	unsigned db_password_file_line; /* where password_file was set, for error messages */
	unsigned db_connect_timeout; /* seconds, default 1 (the 503 must come within 2 s) */
	unsigned db_read_timeout;    /* seconds a statement may wait for the server's answer */
	enum config_tls db_tls;      /* default off; verify needs TCP (no socket) and tls_ca */
	char	 db_tls_ca[512];     /* PEM CA file for verify; relative to the config file */
	unsigned db_tls_line;        /* where tls and tls_ca were set, for error messages */
	unsigned db_tls_ca_line;

	/* [api] */
	char	 api_socket[256];    /* FastCGI socket path, or host:port; empty: inherit fd 0 */
	char	 api_socket_group[64]; /* group of the socket scrapeq-api creates (mode 0660); empty: its own */
	unsigned api_workers;        /* default 2 */
	unsigned api_threads;        /* default 4 */
	size_t	 api_body_max;       /* default SQ_BODY_MAX_DEFAULT */
	char	 api_access_log[16]; /* "stderr" (default), "syslog" or "off" */
	unsigned api_token_cache_seconds; /* how long a worker trusts a looked-up API token; default 10, 0 disables */

	/* [auth] */
	char	 jwt_key_file[512];  /* HS256 secret, at least 32 bytes; required for /auth/login */
	unsigned char jwt_key[256];
	size_t	 jwt_key_len;
	unsigned jwt_key_file_line;  /* where jwt_key_file was set, for error messages */
	unsigned access_token_ttl;   /* seconds, default 900 */
	unsigned refresh_token_ttl;  /* seconds, default 30 days */
	unsigned login_failures_per_user; /* failed logins of one user name per window, then 429 */
	unsigned login_failures_per_addr; /* failed logins from one address (IPv6: /64) per window */
	unsigned login_window_seconds; /* a throttling window, from its first failure */
	unsigned login_verify_max;   /* Argon2id verifications at once per worker process */
	unsigned login_verify_wait_ms; /* a login waits this long for one, then 503 */

	/* [limits] */
	unsigned jobs_per_day;       /* per project, default 100; a project's own value overrides */
	unsigned active_runs_per_project; /* JOB_RUNNING past this many pending/running project runs; default 1 */
	unsigned max_results_per_target; /* default for projects, default 100 */
	unsigned retention_days;     /* a finished job's data is kept this long (seed 002 purgeAt); default 30 */

	/* [daemon] (scrapeqd) */
	char	 daemon_id[64];      /* default "<hostname>-<pid>" */
	unsigned daemon_concurrency; /* fetches in flight at once, default 32 */
	unsigned daemon_per_host;    /* fetches in flight per host, default 8 */
	unsigned daemon_host_delay_ms; /* minimum gap between fetches to one host, default 0 */
	unsigned daemon_max_jobs;    /* jobs this daemon runs at once, default 32 */
	unsigned daemon_claim_batch; /* jobs claimed per claim transaction, default 32 */
	unsigned daemon_idle_poll_ms; /* with nothing claimable: how often to look again, default 20 */
	unsigned daemon_lease_seconds; /* lease length, default 30; extended every third of it */
	unsigned daemon_grace_seconds; /* on SIGTERM: time to finish before releasing jobs, default 10 */
	unsigned daemon_flush_ms;    /* results/progress written at least this often, default 500 */
	unsigned daemon_retry_backoff; /* seconds before a failed job's first retry (doubles), default 30 */
	unsigned daemon_timeout;     /* seconds per fetch, default 30 (a job's config.timeout overrides) */
	unsigned daemon_max_redirects; /* default 5 */
	size_t	 daemon_max_body;    /* bytes kept of one response, default 5 MiB */
	char	 daemon_user_agent[256]; /* default "scrapeq/0.1 (+https://github.com/scrapeq)" */
	char	 daemon_allow_networks[512]; /* CIDR list the crawler may fetch although private */

	unsigned daemon_handler_timeout; /* seconds a handler command may run, default 300 */
	char	 daemon_handler_user[64]; /* who handlers run as when scrapeqd may switch users; default SQ_HANDLER_USER_DEFAULT */
	unsigned daemon_selector_cpu_ms; /* CPU ms one page's selectors may use, default 2000 */
	unsigned daemon_webhook_timeout; /* seconds per webhook delivery attempt, default 10 */
	unsigned daemon_webhook_backoff_ms; /* before a failed delivery's first retry (doubles), default 10000 */

	/* [events] (scrapeq-events) */
	char	 events_listen[256];  /* "host:port" or "unix:/path"; default SQ_EVENTS_LISTEN_DEFAULT */
	unsigned events_tick_ms;      /* how often job_events is read, default SQ_EVENTS_TICK_MS_DEFAULT */
	unsigned events_gap_grace_ms; /* how long an id gap holds later events back */
	unsigned events_max_watchers; /* open WebSocket/SSE watchers at most */
	unsigned events_queue_max;    /* messages queued for one watcher before it is dropped */
	unsigned events_keepalive_seconds; /* SSE ": keep-alive" comment interval, default 15 */

	/* [handlers] */
	struct config_handler handlers[SQ_HANDLERS_MAX];
	size_t	 nhandlers;

	/* [log] */
	enum log_level log_level;    /* default info */
};

/* Fills *c with every default. */
void	config_defaults(struct config *c);

/*
 * Loads path into *c (defaults first, then the file), and reads the secret files it
 * names. Returns 0, or -1 with "file:line: what is wrong" (or "file: why") in err.
 * An unknown section or key, a duplicate key, or a bad value is an error.
 * Refuses a file over SQ_CONFIG_FILE_MAX. A relative secret-file path is taken
 * relative to the config file's directory. The password is the file's content
 * less one trailing newline; the JWT key is the file's raw bytes (32 to 256).
 * A secret file with any group or other permission bit (SQ_SECRET_MODE_FORBIDDEN)
 * is refused: "file:line: PATH: mode 0644, want 0600".
 * On -1 no secret is left in *c.
 */
int	config_load(struct config *c, const char *path, char *err, size_t errsz);

/*
 * Parses an in-memory INI text as if it came from name; no secret files are read
 * (for tests and the fuzzer). Same return contract as config_load; *c gets the
 * defaults first. Comments take a whole line (a '#' after a value is part of it).
 */
int	config_parse(struct config *c, const char *name, const char *text, size_t len,
	    char *err, size_t errsz);

/* Returns the handler command for a job type, or NULL when it has none. */
const char *config_handler(const struct config *c, const char *type);

/* Returns the path to use: -c argument if not NULL, else $SCRAPEQ_CONFIG, else the default. */
const char *config_path(const char *arg);

/*
 * The i-th key of the key table (0 first): returns its name and sets *section, or
 * returns NULL past the last. [handlers] takes any job type, so it is not listed.
 * For `scrapeqctl check-config --keys`, which the manual's test reads.
 */
const char *config_key(size_t i, const char **section);

#endif
