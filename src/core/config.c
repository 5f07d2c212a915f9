/* config.c: scrapeq.conf (INI) read into struct config, every error located as file:line. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "scrapeq/config.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/query.h"

#define JWT_KEY_MIN	32	/* HS256 wants a key at least as long as its hash */
#define ECHO_MAX	64	/* longest part of a key or value quoted back in an error */

enum cfg_type { CT_STR, CT_UINT, CT_BYTES, CT_ACCESS_LOG, CT_LEVEL, CT_TLS };

struct cfg_key {
	const char	*section;
	const char	*name;
	enum cfg_type	 type;
	size_t		 off;		/* offset of the field in struct config */
	size_t		 size;		/* CT_STR: size of the char array */
	long long	 min, max;	/* CT_UINT, CT_BYTES */
};

#define FIELD_SIZE(f)	sizeof(((struct config *)0)->f)
#define K_STR(s, k, f)	{ s, k, CT_STR, offsetof(struct config, f), FIELD_SIZE(f), 0, 0 }
#define K_UINT(s, k, f, lo, hi) { s, k, CT_UINT, offsetof(struct config, f), 0, lo, hi }

static const struct cfg_key cfg_keys[] = {
	K_STR("database", "socket", db_socket),
	K_STR("database", "host", db_host),
	K_UINT("database", "port", db_port, 1, 65535),
	K_STR("database", "name", db_name),
	K_STR("database", "user", db_user),
	K_STR("database", "password_file", db_password_file),
	K_UINT("database", "connect_timeout", db_connect_timeout, 1, 300),
	K_UINT("database", "read_timeout", db_read_timeout, 1, SQ_DB_READ_TIMEOUT_MAX),
	{ "database", "tls", CT_TLS, offsetof(struct config, db_tls), 0, 0, 0 },
	K_STR("database", "tls_ca", db_tls_ca),
	K_STR("api", "socket", api_socket),
	K_STR("api", "socket_group", api_socket_group),
	K_UINT("api", "workers", api_workers, 1, SQ_WORKERS_MAX),
	K_UINT("api", "threads", api_threads, 1, SQ_THREADS_MAX),
	{ "api", "body_max", CT_BYTES, offsetof(struct config, api_body_max), 0,
	    1, SQ_BODY_MAX_CEILING },
	{ "api", "access_log", CT_ACCESS_LOG, offsetof(struct config, api_access_log),
	    FIELD_SIZE(api_access_log), 0, 0 },
	K_UINT("api", "token_cache_seconds", api_token_cache_seconds, 0, 3600),
	K_STR("auth", "jwt_key_file", jwt_key_file),
	K_UINT("auth", "access_token_ttl", access_token_ttl, 1, 86400),
	K_UINT("auth", "refresh_token_ttl", refresh_token_ttl, 1, 31536000),
	K_UINT("auth", "login_failures_per_user", login_failures_per_user, 1, SQ_LOGIN_FAILURES_MAX),
	K_UINT("auth", "login_failures_per_address", login_failures_per_addr, 1,
	    SQ_LOGIN_FAILURES_MAX),
	K_UINT("auth", "login_window_seconds", login_window_seconds, 1, SQ_LOGIN_WINDOW_MAX),
	K_UINT("auth", "login_verify_max", login_verify_max, 1, SQ_THREADS_MAX),
	K_UINT("auth", "login_verify_wait_ms", login_verify_wait_ms, 0, SQ_LOGIN_VERIFY_WAIT_MS_MAX),
	K_UINT("limits", "jobs_per_day", jobs_per_day, 1, SQ_JOBS_PER_DAY_MAX),
	K_UINT("limits", "active_runs_per_project", active_runs_per_project, 1, 10000),
	K_UINT("limits", "retention_days", retention_days, 1, 36500),
	K_UINT("limits", "max_results_per_target", max_results_per_target, 1,
	    SQ_RESULTS_PER_TARGET_MAX),
	K_STR("daemon", "id", daemon_id),
	K_UINT("daemon", "concurrency", daemon_concurrency, 1, 1024),
	K_UINT("daemon", "per_host_connections", daemon_per_host, 1, 256),
	K_UINT("daemon", "per_host_delay_ms", daemon_host_delay_ms, 0, 600000),
	K_UINT("daemon", "max_jobs", daemon_max_jobs, 1, 1024),
	K_UINT("daemon", "claim_batch", daemon_claim_batch, 1, 1000),
	K_UINT("daemon", "idle_poll_ms", daemon_idle_poll_ms, SQ_DAEMON_IDLE_POLL_MS_MIN,
	    SQ_DAEMON_IDLE_POLL_MS_MAX),
	K_UINT("daemon", "lease_seconds", daemon_lease_seconds,
	    SQ_DAEMON_LEASE_SECONDS_MIN, SQ_LEASE_SECONDS_MAX),
	K_UINT("daemon", "grace_seconds", daemon_grace_seconds, 0, 3600),
	K_UINT("daemon", "flush_ms", daemon_flush_ms, 10, 60000),
	K_UINT("daemon", "retry_backoff_seconds", daemon_retry_backoff, 0, 86400),
	K_UINT("daemon", "timeout", daemon_timeout, 1, 3600),
	K_UINT("daemon", "max_redirects", daemon_max_redirects, 0, 50),
	{ "daemon", "max_body", CT_BYTES, offsetof(struct config, daemon_max_body), 0,
	    1024, 256 * 1024 * 1024 },
	K_STR("daemon", "user_agent", daemon_user_agent),
	K_STR("daemon", "allow_networks", daemon_allow_networks),
	K_UINT("daemon", "handler_timeout", daemon_handler_timeout, 1, 86400),
	K_STR("daemon", "handler_user", daemon_handler_user),
	K_UINT("daemon", "selector_cpu_ms", daemon_selector_cpu_ms, SQ_SELECTOR_CPU_MS_MIN,
	    SQ_SELECTOR_CPU_MS_MAX),
	K_UINT("daemon", "webhook_timeout", daemon_webhook_timeout, 1, SQ_WEBHOOK_TIMEOUT_MAX),
	K_UINT("daemon", "webhook_backoff_ms", daemon_webhook_backoff_ms, SQ_WEBHOOK_BACKOFF_MS_MIN,
	    SQ_WEBHOOK_BACKOFF_MS_MAX),
	K_STR("events", "listen", events_listen),
	K_UINT("events", "tick_ms", events_tick_ms, SQ_EVENTS_TICK_MS_MIN, SQ_EVENTS_TICK_MS_MAX),
	K_UINT("events", "gap_grace_ms", events_gap_grace_ms, 0, SQ_EVENTS_GAP_GRACE_MS_MAX),
	K_UINT("events", "max_watchers", events_max_watchers, 1, SQ_EVENTS_WATCHERS_MAX),
	K_UINT("events", "queue_max", events_queue_max, SQ_EVENTS_QUEUE_MIN, SQ_EVENTS_QUEUE_MAX),
	K_UINT("events", "keepalive_seconds", events_keepalive_seconds, 1, 3600),
	{ "log", "level", CT_LEVEL, offsetof(struct config, log_level), 0, 0, 0 },
};
#define NKEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

static const char *const level_names[] = {
	[LOG_LVL_DEBUG] = "debug", [LOG_LVL_INFO] = "info",
	[LOG_LVL_WARNING] = "warning", [LOG_LVL_ERROR] = "error",
};

static const char *const tls_names[] = {
	[CONFIG_TLS_OFF] = "off", [CONFIG_TLS_VERIFY] = "verify",
};

/* One parse in progress: where we are, and where each key was first set. */
struct parser {
	struct config	*c;
	const char	*name;
	unsigned	 line;
	const char	*section;	/* points into cfg_keys; NULL before the first header */
	unsigned	 seen[NKEYS];	/* line that set each key, 0 if not yet */
	char		*err;
	size_t		 errsz;
};

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->db_host, sizeof(c->db_host), "localhost");
	c->db_port = 3306;
	snprintf(c->db_name, sizeof(c->db_name), "scrapeq");
	snprintf(c->db_user, sizeof(c->db_user), "scrapeq");
	c->db_connect_timeout = 1;
	c->db_read_timeout = SQ_DB_READ_TIMEOUT_DEFAULT;
	c->api_workers = 2;
	c->api_threads = 4;
	c->api_body_max = SQ_BODY_MAX_DEFAULT;
	snprintf(c->api_access_log, sizeof(c->api_access_log), "stderr");
	c->api_token_cache_seconds = 10;
	c->access_token_ttl = 900;
	c->refresh_token_ttl = 30U * 24 * 3600;
	c->login_failures_per_user = SQ_LOGIN_FAILURES_PER_USER_DEFAULT;
	c->login_failures_per_addr = SQ_LOGIN_FAILURES_PER_ADDR_DEFAULT;
	c->login_window_seconds = SQ_LOGIN_WINDOW_DEFAULT;
	c->login_verify_max = SQ_LOGIN_VERIFY_MAX_DEFAULT;
	c->login_verify_wait_ms = SQ_LOGIN_VERIFY_WAIT_MS_DEFAULT;
	c->jobs_per_day = 100;
	c->active_runs_per_project = 1;
	c->max_results_per_target = 100;
	c->retention_days = 30;
	c->daemon_concurrency = 32;
	c->daemon_per_host = 8;
	c->daemon_host_delay_ms = 0;
	c->daemon_max_jobs = 32;
	c->daemon_claim_batch = 32;
	c->daemon_idle_poll_ms = SQ_DAEMON_IDLE_POLL_MS_DEFAULT;
	c->daemon_lease_seconds = SQ_LEASE_SECONDS_DEFAULT;
	c->daemon_grace_seconds = 10;
	c->daemon_flush_ms = 500;
	c->daemon_retry_backoff = 30;
	c->daemon_timeout = 30;
	c->daemon_max_redirects = 5;
	c->daemon_max_body = 5 * 1024 * 1024;
	c->daemon_handler_timeout = 300;
	snprintf(c->daemon_handler_user, sizeof(c->daemon_handler_user), "%s",
	    SQ_HANDLER_USER_DEFAULT);
	c->daemon_selector_cpu_ms = SQ_SELECTOR_CPU_MS_DEFAULT;
	c->daemon_webhook_timeout = SQ_WEBHOOK_TIMEOUT_DEFAULT;
	c->daemon_webhook_backoff_ms = SQ_WEBHOOK_BACKOFF_MS_DEFAULT;
	snprintf(c->daemon_user_agent, sizeof(c->daemon_user_agent), "%s",
	    "scrapeq/0.1 (+https://github.com/scrapeq/scrapeq)");
	snprintf(c->events_listen, sizeof(c->events_listen), "%s", SQ_EVENTS_LISTEN_DEFAULT);
	c->events_tick_ms = SQ_EVENTS_TICK_MS_DEFAULT;
	c->events_gap_grace_ms = SQ_EVENTS_GAP_GRACE_MS_DEFAULT;
	c->events_max_watchers = SQ_EVENTS_WATCHERS_DEFAULT;
	c->events_queue_max = SQ_EVENTS_QUEUE_DEFAULT;
	c->events_keepalive_seconds = SQ_EVENTS_KEEPALIVE_SECONDS;
	c->log_level = LOG_LVL_INFO;
}

static void
set_err(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* Writes "file:line: <fmt>" into the parser's error buffer; returns -1. */
static int
perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
perr(struct parser *p, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (p->err == NULL || p->errsz == 0)
		return -1;
	n = snprintf(p->err, p->errsz, "%s:%u: ", p->name, p->line);
	if (n < 0 || (size_t)n >= p->errsz)
		return -1;
	va_start(ap, fmt);
	(void)vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Untrusted text quoted in an error: cut short and scrubbed of control bytes. */
static char *
echo(char *out, size_t outsz, const char *s)
{
	return log_clean(out, outsz, s, strlen(s), ECHO_MAX);
}

static char *
trim(char *s)
{
	size_t	 n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* An integer spelled the way parse_int_range wants it, whatever its size. */
static int
canonical_int(const char *s)
{
	int	 neg = *s == '-';

	s += neg;
	if (!isdigit((unsigned char)*s) || (s[0] == '0' && (neg || s[1] != '\0')))
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* The error for a number: out of range if it is spelled right, else not a number. */
static int
range_err(struct parser *p, const struct cfg_key *k, const char *val, const char *num,
    const char *unit)
{
	char	 q[ECHO_MAX + 4];

	if (canonical_int(num))
		return perr(p, "[%s] %s: %s is out of range (must be from %lld to %lld%s)",
		    k->section, k->name, echo(q, sizeof(q), val), k->min, k->max, unit);
	return perr(p, "[%s] %s: '%s' is not a valid number (must be from %lld to %lld%s)",
	    k->section, k->name, echo(q, sizeof(q), val), k->min, k->max, unit);
}

/* "512k", "1M" or plain bytes; the suffix is binary (k = 1024). */
static int
set_bytes(struct parser *p, const struct cfg_key *k, const char *val)
{
	char		 num[SQ_CONFIG_VALUE_MAX + 1];
	size_t		 n = strlen(val);
	long long	 mult = 1, v;

	if (n > 0 && (val[n - 1] == 'k' || val[n - 1] == 'K'))
		mult = 1024;
	else if (n > 0 && (val[n - 1] == 'm' || val[n - 1] == 'M'))
		mult = 1024 * 1024;
	if (mult != 1)
		n--;
	/* parse_pair has already refused values longer than SQ_CONFIG_VALUE_MAX. */
	memcpy(num, val, n);
	num[n] = '\0';
	/* The minimum is in bytes: with a suffix, the number may be as small as it allows. */
	if (parse_int_range(num, (k->min + mult - 1) / mult, k->max / mult, &v) != 0)
		return range_err(p, k, val, num, " bytes, with an optional k or M suffix");
	*(size_t *)(void *)((char *)p->c + k->off) = (size_t)(v * mult);
	return 0;
}

static int
set_value(struct parser *p, const struct cfg_key *k, const char *val)
{
	char		*field = (char *)p->c + k->off;
	char		 q[ECHO_MAX + 4];
	long long	 v;
	size_t		 i;

	switch (k->type) {
	case CT_STR:
		if (strlen(val) >= k->size)
			return perr(p, "[%s] %s: value too long (max %zu bytes)",
			    k->section, k->name, k->size - 1);
		memcpy(field, val, strlen(val) + 1);
		return 0;
	case CT_UINT:
		if (parse_int_range(val, k->min, k->max, &v) != 0)
			return range_err(p, k, val, val, "");
		*(unsigned *)(void *)field = (unsigned)v;
		return 0;
	case CT_BYTES:
		return set_bytes(p, k, val);
	case CT_ACCESS_LOG:
		if (strcmp(val, "stderr") != 0 && strcmp(val, "syslog") != 0 &&
		    strcmp(val, "off") != 0)
			return perr(p, "[%s] %s: '%s' is not one of stderr, syslog, off",
			    k->section, k->name, echo(q, sizeof(q), val));
		memcpy(field, val, strlen(val) + 1);
		return 0;
	case CT_LEVEL:
		for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
			if (strcmp(val, level_names[i]) == 0) {
				p->c->log_level = (enum log_level)i;
				return 0;
			}
		return perr(p, "[%s] %s: '%s' is not one of debug, info, warning, error",
		    k->section, k->name, echo(q, sizeof(q), val));
	case CT_TLS:
		for (i = 0; i < sizeof(tls_names) / sizeof(tls_names[0]); i++)
			if (strcmp(val, tls_names[i]) == 0) {
				p->c->db_tls = (enum config_tls)i;
				return 0;
			}
		return perr(p, "[%s] %s: '%s' is not one of off, verify",
		    k->section, k->name, echo(q, sizeof(q), val));
	}
	return perr(p, "internal error: unknown key type");
}

/* [handlers] takes any job type as a key, so it is not in cfg_keys. */
static const char handlers_section[] = "handlers";

/* A job type name: a lower-case letter, then letters, digits or '_'. */
static int
type_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > SQ_JOB_TYPE_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* The words of a handler's command, as scrapeqd splits it: runs of non-spaces. */
static size_t
handler_words(const char *cmd)
{
	size_t	 n = 0;

	for (; *cmd != '\0'; cmd++)
		if (*cmd != ' ' && (cmd[1] == ' ' || cmd[1] == '\0'))
			n++;
	return n;
}

static int
handler_add(struct parser *p, const char *type, const char *cmd)
{
	struct config	*c = p->c;
	char		 q[ECHO_MAX + 4];
	size_t		 i;

	if (!type_name_ok(type))
		return perr(p, "[handlers] '%s': a job type is a lower-case letter, then up to "
		    "%d letters, digits or '_'", echo(q, sizeof(q), type), SQ_JOB_TYPE_MAX - 1);
	if (strcmp(type, "scrape") == 0 || strcmp(type, "noop") == 0 ||
	    strcmp(type, "sampling") == 0)
		return perr(p, "[handlers] %s: a built-in job type cannot have a handler", type);
	for (i = 0; i < c->nhandlers; i++)
		if (strcmp(c->handlers[i].type, type) == 0)
			return perr(p, "duplicate key '%s' in [handlers]", type);
	if (c->nhandlers == SQ_HANDLERS_MAX)
		return perr(p, "[handlers]: more than %d handlers", SQ_HANDLERS_MAX);
	if (cmd[0] != '/' || strlen(cmd) > SQ_HANDLER_CMD_MAX)
		return perr(p, "[handlers] %s: the command must be an absolute path (then its "
		    "arguments), at most %d bytes", type, SQ_HANDLER_CMD_MAX);
	if (handler_words(cmd) > SQ_HANDLER_ARGS_MAX)
		return perr(p, "[handlers] %s: the command has more than %d words (the path "
		    "and its arguments)", type, SQ_HANDLER_ARGS_MAX);
	memcpy(c->handlers[c->nhandlers].type, type, strlen(type) + 1);
	memcpy(c->handlers[c->nhandlers].command, cmd, strlen(cmd) + 1);
	c->nhandlers++;
	return 0;
}

const char *
config_handler(const struct config *c, const char *type)
{
	size_t i;

	for (i = 0; type != NULL && i < c->nhandlers; i++)
		if (strcmp(c->handlers[i].type, type) == 0)
			return c->handlers[i].command;
	return NULL;
}

static int
parse_section(struct parser *p, char *t)
{
	char	 q[ECHO_MAX + 4];
	size_t	 n = strlen(t), i;

	if (t[n - 1] != ']')
		return perr(p, "malformed section header (expected [name])");
	t[n - 1] = '\0';
	t = trim(t + 1);
	if (strcmp(t, handlers_section) == 0) {
		p->section = handlers_section;
		return 0;
	}
	for (i = 0; i < NKEYS; i++)
		if (strcmp(cfg_keys[i].section, t) == 0) {
			p->section = cfg_keys[i].section;
			return 0;
		}
	return perr(p, "unknown section [%s]", echo(q, sizeof(q), t));
}

static int
parse_pair(struct parser *p, char *t)
{
	char	*eq = strchr(t, '='), *key, *val;
	char	 q[ECHO_MAX + 4];
	size_t	 i;

	if (eq == NULL)
		return perr(p, "missing '=' (expected key = value)");
	*eq = '\0';
	key = trim(t);
	val = trim(eq + 1);
	if (*key == '\0')
		return perr(p, "missing key before '='");
	if (p->section == NULL)
		return perr(p, "key '%s' outside a section", echo(q, sizeof(q), key));
	if (p->section == handlers_section)
		return handler_add(p, key, val);
	for (i = 0; i < NKEYS; i++)
		if (cfg_keys[i].section == p->section && strcmp(cfg_keys[i].name, key) == 0)
			break;
	if (i == NKEYS)
		return perr(p, "unknown key '%s' in [%s]", echo(q, sizeof(q), key), p->section);
	if (p->seen[i] != 0)
		return perr(p, "duplicate key '%s' in [%s] (first set on line %u)",
		    key, p->section, p->seen[i]);
	p->seen[i] = p->line;
	if (cfg_keys[i].off == offsetof(struct config, db_password_file))
		p->c->db_password_file_line = p->line;
	else if (cfg_keys[i].off == offsetof(struct config, jwt_key_file))
		p->c->jwt_key_file_line = p->line;
	else if (cfg_keys[i].off == offsetof(struct config, db_tls))
		p->c->db_tls_line = p->line;
	else if (cfg_keys[i].off == offsetof(struct config, db_tls_ca))
		p->c->db_tls_ca_line = p->line;
	if (strlen(val) > SQ_CONFIG_VALUE_MAX)
		return perr(p, "[%s] %s: value too long (max %d bytes)", p->section, key,
		    SQ_CONFIG_VALUE_MAX);
	return set_value(p, &cfg_keys[i], val);
}

static int
parse_line(struct parser *p, const char *s, size_t n)
{
	char	 buf[SQ_CONFIG_LINE_MAX + 1], *t;

	if (n > SQ_CONFIG_LINE_MAX)
		return perr(p, "line too long (max %d bytes)", SQ_CONFIG_LINE_MAX);
	if (memchr(s, '\0', n) != NULL)
		return perr(p, "NUL byte in line");
	memcpy(buf, s, n);
	buf[n] = '\0';
	t = trim(buf);
	if (*t == '\0' || *t == '#' || *t == ';')
		return 0;
	if (*t == '[')
		return parse_section(p, t);
	return parse_pair(p, t);
}

/*
 * [database] keys that only make sense together: TLS is a TCP matter, verify needs
 * the CA to verify with, and a CA with tls off would look encrypted and not be.
 */
static int
check_database(struct parser *p)
{
	const struct config *c = p->c;

	if (c->db_tls != CONFIG_TLS_OFF && c->db_socket[0] != '\0') {
		p->line = c->db_tls_line;
		return perr(p, "[database] tls = verify needs TCP (host, port): remove socket");
	}
	if (c->db_tls == CONFIG_TLS_VERIFY && c->db_tls_ca[0] == '\0') {
		p->line = c->db_tls_line;
		return perr(p, "[database] tls = verify needs tls_ca (the CA file that signed "
		    "the server's certificate)");
	}
	if (c->db_tls == CONFIG_TLS_OFF && c->db_tls_ca[0] != '\0') {
		p->line = c->db_tls_ca_line;
		return perr(p, "[database] tls_ca is set but tls is off (set tls = verify)");
	}
	return 0;
}

int
config_parse(struct config *c, const char *name, const char *text, size_t len,
    char *err, size_t errsz)
{
	struct parser	 p;
	const char	*nl;
	size_t		 pos = 0, n;

	config_defaults(c);
	snprintf(c->path, sizeof(c->path), "%s", name);
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.name = name;
	p.err = err;
	p.errsz = errsz;
	/* Editors on other systems may leave a UTF-8 byte order mark. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		p.line++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		if (parse_line(&p, text + pos, n) != 0)
			return -1;
		pos += n + 1;
	}
	return check_database(&p);
}

/*
 * A secret file that its group or others may read (or write) is refused: the
 * sysadmin made a mistake that leaks the secret, and saying so beats running.
 * Checked on the descriptor that is read, so a rename in between changes nothing.
 */
static int
secret_mode_ok(int fd, const char *path, char *err, size_t errsz)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		set_err(err, errsz, "%s: %s", path, strerror(errno));
		return 0;
	}
	if ((st.st_mode & SQ_SECRET_MODE_FORBIDDEN) != 0) {
		set_err(err, errsz, "%s: mode %04o, want %04o", path,
		    (unsigned)(st.st_mode & 07777), (unsigned)SQ_SECRET_MODE);
		return 0;
	}
	return 1;
}

/*
 * Reads all of path into buf (room for max + 1 bytes; NUL-terminated).
 * Refuses a file longer than max, and a secret one with group or other bits.
 * Errors are "path: why (what)", or "path: mode 0644, want 0600".
 */
static int
read_bounded(const char *path, const char *what, int secret, char *buf, size_t max,
    size_t *len, char *err, size_t errsz)
{
	ssize_t	 r;
	size_t	 got = 0;
	int	 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		set_err(err, errsz, "%s: %s (%s)", path, strerror(errno), what);
		return -1;
	}
	if (secret && !secret_mode_ok(fd, path, err, errsz))
		goto out;
	while (got <= max) {
		r = read(fd, buf + got, max + 1 - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			set_err(err, errsz, "%s: %s (%s)", path, strerror(errno), what);
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got > max) {
		set_err(err, errsz, "%s: larger than %zu bytes (%s)", path, max, what);
		goto out;
	}
	buf[got] = '\0';
	*len = got;
	rc = 0;
out:
	close(fd);
	return rc;
}

/* A secret file named by a relative path lives next to the config file. */
static int
resolve(const char *conf, const char *file, const char *what, char *out, size_t outsz,
    char *err, size_t errsz)
{
	const char	*slash = strrchr(conf, '/');
	int		 n;

	if (file[0] == '/' || slash == NULL)
		n = snprintf(out, outsz, "%s", file);
	else
		n = snprintf(out, outsz, "%.*s/%s", (int)(slash - conf), conf, file);
	if (n < 0 || (size_t)n >= outsz) {
		set_err(err, errsz, "%s: path too long (%s)", file, what);
		return -1;
	}
	return 0;
}

/* The password is the file's bytes less one trailing newline (LF or CRLF). */
static int
read_password(struct config *c, char *err, size_t errsz)
{
	static const char what[] = "[database] password_file";
	char		 path[PATH_MAX], buf[SQ_SECRET_FILE_MAX + 1];
	size_t		 len;
	int		 rc = -1;

	if (resolve(c->path, c->db_password_file, what, path, sizeof(path), err, errsz) != 0)
		return -1;
	if (read_bounded(path, what, 1, buf, SQ_SECRET_FILE_MAX, &len, err, errsz) != 0)
		goto out;
	if (len > 0 && buf[len - 1] == '\n') {
		len--;
		if (len > 0 && buf[len - 1] == '\r')
			len--;
	}
	if (len == 0)
		set_err(err, errsz, "%s: password file is empty (%s)", path, what);
	else if (memchr(buf, '\0', len) != NULL)
		set_err(err, errsz, "%s: NUL byte in password (%s)", path, what);
	else if (len >= sizeof(c->db_password))
		set_err(err, errsz, "%s: password longer than %zu bytes (%s)", path,
		    sizeof(c->db_password) - 1, what);
	else {
		memcpy(c->db_password, buf, len);
		c->db_password[len] = '\0';
		rc = 0;
	}
out:
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/* The key is the file's raw bytes, newline included if there is one. */
static int
read_jwt_key(struct config *c, char *err, size_t errsz)
{
	static const char what[] = "[auth] jwt_key_file";
	char		 path[PATH_MAX], buf[sizeof(c->jwt_key) + 1];
	size_t		 len;
	int		 rc = -1;

	if (resolve(c->path, c->jwt_key_file, what, path, sizeof(path), err, errsz) != 0)
		return -1;
	if (read_bounded(path, what, 1, buf, sizeof(c->jwt_key), &len, err, errsz) != 0)
		goto out;
	if (len < JWT_KEY_MIN)
		set_err(err, errsz, "%s: key shorter than %d bytes (%s)", path, JWT_KEY_MIN,
		    what);
	else {
		memcpy(c->jwt_key, buf, len);
		c->jwt_key_len = len;
		rc = 0;
	}
out:
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/*
 * Makes tls_ca absolute (relative to the config file, like the secret files) and
 * checks now that it can be read, so a typo stops start-up instead of every connect.
 */
static int
resolve_tls_ca(struct config *c, char *err, size_t errsz)
{
	static const char what[] = "[database] tls_ca";
	char		 path[PATH_MAX];
	int		 fd;

	if (resolve(c->path, c->db_tls_ca, what, path, sizeof(path), err, errsz) != 0)
		return -1;
	if (strlen(path) >= sizeof(c->db_tls_ca)) {
		set_err(err, errsz, "%s: path too long (%s)", path, what);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		set_err(err, errsz, "%s: %s (%s)", path, strerror(errno), what);
		return -1;
	}
	close(fd);
	memcpy(c->db_tls_ca, path, strlen(path) + 1);
	return 0;
}

/* Prefixes err with the config file and the line that named the secret file. */
static void
locate_err(const char *path, unsigned line, char *err, size_t errsz)
{
	char inner[512];

	if (err == NULL || errsz == 0)
		return;
	snprintf(inner, sizeof(inner), "%s", err);
	set_err(err, errsz, "%s:%u: %s", path, line, inner);
}

int
config_load(struct config *c, const char *path, char *err, size_t errsz)
{
	char	*text = NULL;
	size_t	 len;
	int	 rc = -1;

	config_defaults(c);
	if (strlen(path) >= sizeof(c->path)) {
		set_err(err, errsz, "%s: path too long", path);
		goto out;
	}
	if ((text = malloc(SQ_CONFIG_FILE_MAX + 1)) == NULL) {
		set_err(err, errsz, "%s: out of memory", path);
		goto out;
	}
	if (read_bounded(path, "config file", 0, text, SQ_CONFIG_FILE_MAX, &len, err,
	    errsz) != 0)
		goto out;
	if (config_parse(c, path, text, len, err, errsz) != 0)
		goto out;
	if (c->db_password_file[0] != '\0' && read_password(c, err, errsz) != 0) {
		locate_err(path, c->db_password_file_line, err, errsz);
		goto out;
	}
	if (c->jwt_key_file[0] != '\0' && read_jwt_key(c, err, errsz) != 0) {
		locate_err(path, c->jwt_key_file_line, err, errsz);
		goto out;
	}
	if (c->db_tls_ca[0] != '\0' && resolve_tls_ca(c, err, errsz) != 0) {
		locate_err(path, c->db_tls_ca_line, err, errsz);
		goto out;
	}
	rc = 0;
out:
	free(text);
	if (rc != 0) {
		explicit_bzero(c->db_password, sizeof(c->db_password));
		explicit_bzero(c->jwt_key, sizeof(c->jwt_key));
		c->jwt_key_len = 0;
	}
	return rc;
}

const char *
config_path(const char *arg)
{
	const char	*env;

	if (arg != NULL)
		return arg;
	if ((env = getenv("SCRAPEQ_CONFIG")) != NULL && *env != '\0')
		return env;
	return SQ_CONFIG_DEFAULT_PATH;
}

const char *
config_key(size_t i, const char **section)
{
	if (i >= NKEYS)
		return NULL;
	*section = cfg_keys[i].section;
	return cfg_keys[i].name;
}
