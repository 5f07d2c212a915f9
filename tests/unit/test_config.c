/* test_config.c: table-driven tests of config_parse, config_load (secret files) and config_path. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scrapeq/config.h"
#include "scrapeq/limits.h"
#include "tap.h"

#define BYTES_RANGE	" bytes, with an optional k or M suffix)"

/* Rows that must fail, with the exact "file:line: what" message. */
struct erow {
	const char	*text;
	size_t		 len;	/* 0: strlen(text) */
	const char	*err;
};

static const struct erow erows[] = {
	{ "[foo]\n", 0, "t.conf:1: unknown section [foo]" },
	{ "[API]\n", 0, "t.conf:1: unknown section [API]" },
	{ "[]\n", 0, "t.conf:1: unknown section []" },
	{ "[api\n", 0, "t.conf:1: malformed section header (expected [name])" },
	{ "[api] x\n", 0, "t.conf:1: malformed section header (expected [name])" },
	{ "[api]\nfoo = 1\n", 0, "t.conf:2: unknown key 'foo' in [api]" },
	{ "[api]\nport = 1\n", 0, "t.conf:2: unknown key 'port' in [api]" },
	{ "[api]\nWorkers = 1\n", 0, "t.conf:2: unknown key 'Workers' in [api]" },
	{ "[api]\nfo\x1bo = 1\n", 0, "t.conf:2: unknown key 'fo?o' in [api]" },
	{ "[api]\nworkers = 2\n\n# again\nworkers = 3\n", 0,
	    "t.conf:5: duplicate key 'workers' in [api] (first set on line 2)" },
	{ "[api]\nworkers = 2\n[database]\n[api]\nworkers = 2\n", 0,
	    "t.conf:5: duplicate key 'workers' in [api] (first set on line 2)" },
	{ "port = 1\n", 0, "t.conf:1: key 'port' outside a section" },
	{ "# c\n\nport = 1\n[database]\n", 0, "t.conf:3: key 'port' outside a section" },
	{ "[api]\nworkers 2\n", 0, "t.conf:2: missing '=' (expected key = value)" },
	{ "[api]\nworkers\n", 0, "t.conf:2: missing '=' (expected key = value)" },
	{ "[api]\n= 2\n", 0, "t.conf:2: missing key before '='" },
	{ "[database]\nport = abc\n", 0,
	    "t.conf:2: [database] port: 'abc' is not a valid number (must be from 1 to 65535)" },
	{ "[database]\nport =\n", 0,
	    "t.conf:2: [database] port: '' is not a valid number (must be from 1 to 65535)" },
	{ "[database]\nport = 3306 # db\n", 0,
	    "t.conf:2: [database] port: '3306 # db' is not a valid number (must be from 1 to 65535)" },
	{ "[database]\nport = 0x10\n", 0,
	    "t.conf:2: [database] port: '0x10' is not a valid number (must be from 1 to 65535)" },
	{ "[database]\nport = +1\n", 0,
	    "t.conf:2: [database] port: '+1' is not a valid number (must be from 1 to 65535)" },
	{ "[database]\nport = 01\n", 0,
	    "t.conf:2: [database] port: '01' is not a valid number (must be from 1 to 65535)" },
	{ "[database]\nport = 1.0\n", 0,
	    "t.conf:2: [database] port: '1.0' is not a valid number (must be from 1 to 65535)" },
	{ "[events]\ntick_ms = 9\n", 0,
	    "t.conf:2: [events] tick_ms: 9 is out of range (must be from 10 to 5000)" },
	{ "[events]\nqueue_max = 3\n", 0,
	    "t.conf:2: [events] queue_max: 3 is out of range (must be from 4 to 65536)" },
	{ "[events]\nmax_watchers = 0\n", 0,
	    "t.conf:2: [events] max_watchers: 0 is out of range (must be from 1 to 100000)" },
	{ "[events]\nport = 8091\n", 0, "t.conf:2: unknown key 'port' in [events]" },
	{ "[database]\nport = 0\n", 0,
	    "t.conf:2: [database] port: 0 is out of range (must be from 1 to 65535)" },
	{ "[database]\nport = 65536\n", 0,
	    "t.conf:2: [database] port: 65536 is out of range (must be from 1 to 65535)" },
	{ "[database]\nport = -1\n", 0,
	    "t.conf:2: [database] port: -1 is out of range (must be from 1 to 65535)" },
	{ "[database]\nport = 99999999999999999999\n", 0,
	    "t.conf:2: [database] port: 99999999999999999999 is out of range (must be from 1 to 65535)" },
	{ "[database]\nport = 4294967297\n", 0,
	    "t.conf:2: [database] port: 4294967297 is out of range (must be from 1 to 65535)" },
	{ "[database]\nconnect_timeout = 0\n", 0,
	    "t.conf:2: [database] connect_timeout: 0 is out of range (must be from 1 to 300)" },
	{ "[database]\nread_timeout = 0\n", 0,
	    "t.conf:2: [database] read_timeout: 0 is out of range (must be from 1 to 3600)" },
	{ "[database]\nread_timeout = 3601\n", 0,
	    "t.conf:2: [database] read_timeout: 3601 is out of range (must be from 1 to 3600)" },
	{ "[database]\ntls = yes\n", 0,
	    "t.conf:2: [database] tls: 'yes' is not one of off, verify" },
	{ "[database]\ntls = VERIFY\n", 0,
	    "t.conf:2: [database] tls: 'VERIFY' is not one of off, verify" },
	{ "[database]\ntls = on\n", 0,
	    "t.conf:2: [database] tls: 'on' is not one of off, verify" },
	{ "[database]\nsocket = /run/m.sock\n\ntls = verify\ntls_ca = /ca.pem\n", 0,
	    "t.conf:4: [database] tls = verify needs TCP (host, port): remove socket" },
	{ "[database]\ntls = verify\nhost = 10.0.0.1\n", 0,
	    "t.conf:2: [database] tls = verify needs tls_ca (the CA file that signed the server's "
	    "certificate)" },
	{ "[database]\nhost = db\ntls_ca = /etc/ca.pem\n", 0,
	    "t.conf:3: [database] tls_ca is set but tls is off (set tls = verify)" },
	{ "[database]\ntls = off\ntls_ca = /etc/ca.pem\n", 0,
	    "t.conf:3: [database] tls_ca is set but tls is off (set tls = verify)" },
	{ "[api]\nworkers = 257\n", 0,
	    "t.conf:2: [api] workers: 257 is out of range (must be from 1 to 256)" },
	{ "[api]\nthreads = 0\n", 0,
	    "t.conf:2: [api] threads: 0 is out of range (must be from 1 to 256)" },
	{ "[api]\ntoken_cache_seconds = 3601\n", 0,
	    "t.conf:2: [api] token_cache_seconds: 3601 is out of range (must be from 0 to 3600)" },
	{ "[api]\nbody_max = 0\n", 0,
	    "t.conf:2: [api] body_max: 0 is out of range (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\nbody_max = 0k\n", 0,
	    "t.conf:2: [api] body_max: 0k is out of range (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\nbody_max = 65M\n", 0,
	    "t.conf:2: [api] body_max: 65M is out of range (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\nbody_max = 65537k\n", 0,
	    "t.conf:2: [api] body_max: 65537k is out of range (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\nbody_max = 67108865\n", 0,
	    "t.conf:2: [api] body_max: 67108865 is out of range (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\nbody_max = -1k\n", 0,
	    "t.conf:2: [api] body_max: -1k is out of range (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\nbody_max = 99999999999999999999M\n", 0,
	    "t.conf:2: [api] body_max: 99999999999999999999M is out of range (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\nbody_max = 1G\n", 0,
	    "t.conf:2: [api] body_max: '1G' is not a valid number (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\nbody_max = k\n", 0,
	    "t.conf:2: [api] body_max: 'k' is not a valid number (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\nbody_max = 1 M\n", 0,
	    "t.conf:2: [api] body_max: '1 M' is not a valid number (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\nbody_max = 1kb\n", 0,
	    "t.conf:2: [api] body_max: '1kb' is not a valid number (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\nbody_max = 1kk\n", 0,
	    "t.conf:2: [api] body_max: '1kk' is not a valid number (must be from 1 to 67108864" BYTES_RANGE },
	{ "[api]\naccess_log = file\n", 0,
	    "t.conf:2: [api] access_log: 'file' is not one of stderr, syslog, off" },
	{ "[api]\naccess_log = STDERR\n", 0,
	    "t.conf:2: [api] access_log: 'STDERR' is not one of stderr, syslog, off" },
	{ "[auth]\naccess_token_ttl = 0\n", 0,
	    "t.conf:2: [auth] access_token_ttl: 0 is out of range (must be from 1 to 86400)" },
	{ "[auth]\nrefresh_token_ttl = 31536001\n", 0,
	    "t.conf:2: [auth] refresh_token_ttl: 31536001 is out of range (must be from 1 to 31536000)" },
	{ "[auth]\nlogin_failures_per_user = 0\n", 0,
	    "t.conf:2: [auth] login_failures_per_user: 0 is out of range (must be from 1 to 100000)" },
	{ "[auth]\nlogin_failures_per_address = 100001\n", 0,
	    "t.conf:2: [auth] login_failures_per_address: 100001 is out of range (must be from 1 to 100000)" },
	{ "[auth]\nlogin_window_seconds = 86401\n", 0,
	    "t.conf:2: [auth] login_window_seconds: 86401 is out of range (must be from 1 to 86400)" },
	{ "[auth]\nlogin_verify_max = 0\n", 0,
	    "t.conf:2: [auth] login_verify_max: 0 is out of range (must be from 1 to 256)" },
	{ "[auth]\nlogin_verify_wait_ms = 10001\n", 0,
	    "t.conf:2: [auth] login_verify_wait_ms: 10001 is out of range (must be from 0 to 10000)" },
	{ "[limits]\njobs_per_day = 0\n", 0,
	    "t.conf:2: [limits] jobs_per_day: 0 is out of range (must be from 1 to 10000000)" },
	{ "[limits]\nactive_runs_per_project = 10001\n", 0,
	    "t.conf:2: [limits] active_runs_per_project: 10001 is out of range (must be from 1 to 10000)" },
	{ "[limits]\nmax_results_per_target = 1000001\n", 0,
	    "t.conf:2: [limits] max_results_per_target: 1000001 is out of range (must be from 1 to 1000000)" },
	{ "[daemon]\nselector_cpu_ms = 9\n", 0,
	    "t.conf:2: [daemon] selector_cpu_ms: 9 is out of range (must be from 10 to 600000)" },
	{ "[daemon]\nselector_cpu_ms = 600001\n", 0,
	    "t.conf:2: [daemon] selector_cpu_ms: 600001 is out of range (must be from 10 to 600000)" },
	{ "[daemon]\nselector_cpu_ms = 2s\n", 0,
	    "t.conf:2: [daemon] selector_cpu_ms: '2s' is not a valid number (must be from 10 to 600000)" },
	{ "[log]\nlevel = loud\n", 0,
	    "t.conf:2: [log] level: 'loud' is not one of debug, info, warning, error" },
	{ "[log]\nlevel = warn\n", 0,
	    "t.conf:2: [log] level: 'warn' is not one of debug, info, warning, error" },
	{ "[api]\nworkers = 2\0\n", 19, "t.conf:2: NUL byte in line" },
	{ "\0", 1, "t.conf:1: NUL byte in line" },
	/* A BOM and CRLF line ends do not shift line numbers. */
	{ "\xEF\xBB\xBF[api]\r\nworkers = 0\r\n", 0,
	    "t.conf:2: [api] workers: 0 is out of range (must be from 1 to 256)" },
	{ "[api]\nworkers = x", 0,
	    "t.conf:2: [api] workers: 'x' is not a valid number (must be from 1 to 256)" },
	{ "\n\n\n\n\n\n\n\n\n\n[nope]", 0, "t.conf:11: unknown section [nope]" },
};

static void
test_errors(void)
{
	struct config	 c;
	char		 err[512];
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(erows) / sizeof(erows[0]); i++) {
		err[0] = '\0';
		rc = config_parse(&c, "t.conf", erows[i].text,
		    erows[i].len ? erows[i].len : strlen(erows[i].text), err, sizeof(err));
		TAP_CHECK(rc == -1 && strcmp(err, erows[i].err) == 0,
		    "error row %zu: rc %d \"%s\", want \"%s\"", i, rc, err, erows[i].err);
	}
}

/* Builds "<prefix><n x c><suffix>" into a fresh heap string. */
static char *
repeat(const char *prefix, char c, size_t n, const char *suffix)
{
	size_t	 pl = strlen(prefix), sl = strlen(suffix);
	char	*s = malloc(pl + n + sl + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, prefix, pl);
	memset(s + pl, c, n);
	memcpy(s + pl + n, suffix, sl + 1);
	return s;
}

/* Length limits: a line, a value, a field; each at the limit passes, one over fails. */
static void
test_lengths(void)
{
	static const struct {
		const char	*prefix;
		size_t		 n;
		const char	*err;	/* NULL: must parse */
	} rows[] = {
		{ "[api]\n#", SQ_CONFIG_LINE_MAX - 1, NULL },
		{ "[api]\n#", SQ_CONFIG_LINE_MAX, "t.conf:2: line too long (max 1024 bytes)" },
		{ "[database]\nhost = ", 255, NULL },
		{ "[database]\nhost = ", 256,
		    "t.conf:2: [database] host: value too long (max 255 bytes)" },
		{ "[database]\nname = ", 63, NULL },
		{ "[database]\nname = ", 64,
		    "t.conf:2: [database] name: value too long (max 63 bytes)" },
		{ "[api]\nsocket_group = ", 63, NULL },
		{ "[api]\nsocket_group = ", 64,
		    "t.conf:2: [api] socket_group: value too long (max 63 bytes)" },
		{ "[daemon]\nhandler_user = ", 63, NULL },
		{ "[daemon]\nhandler_user = ", 64,
		    "t.conf:2: [daemon] handler_user: value too long (max 63 bytes)" },
		{ "[database]\npassword_file = ", 511, NULL },
		{ "[database]\npassword_file = ", 512,
		    "t.conf:2: [database] password_file: value too long (max 511 bytes)" },
		{ "[database]\nhost = ", 513,
		    "t.conf:2: [database] host: value too long (max 512 bytes)" },
		{ "[api]\nbody_max = ", 513,
		    "t.conf:2: [api] body_max: value too long (max 512 bytes)" },
		/* An unknown key is quoted back cut to 64 bytes. */
		{ "[api]\n", 200, "t.conf:2: unknown key '"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' in [api]" },
	};
	struct config	 c;
	char		 err[512], *s;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if ((s = repeat(rows[i].prefix, 'x', rows[i].n, rows[i].n == 200 ? "=1\n" : "\n"))
		    == NULL) {
			TAP_FAIL("malloc");
			return;
		}
		err[0] = '\0';
		rc = config_parse(&c, "t.conf", s, strlen(s), err, sizeof(err));
		if (rows[i].err == NULL)
			TAP_CHECK(rc == 0, "length row %zu: rc %d \"%s\"", i, rc, err);
		else
			TAP_CHECK(rc == -1 && strcmp(err, rows[i].err) == 0,
			    "length row %zu: rc %d \"%s\", want \"%s\"", i, rc, err, rows[i].err);
		free(s);
	}
}

static void
check_defaults(const struct config *c, const char *what)
{
	TAP_CHECK(c->db_socket[0] == '\0' && strcmp(c->db_host, "localhost") == 0 &&
	    c->db_port == 3306 && strcmp(c->db_name, "scrapeq") == 0 &&
	    strcmp(c->db_user, "scrapeq") == 0 && c->db_password_file[0] == '\0' &&
	    c->db_password[0] == '\0' && c->db_connect_timeout == 1 &&
	    c->db_read_timeout == SQ_DB_READ_TIMEOUT_DEFAULT,
	    "%s: [database] defaults", what);
	TAP_CHECK(c->api_socket[0] == '\0' && c->api_workers == 2 && c->api_threads == 4 &&
	    c->api_body_max == SQ_BODY_MAX_DEFAULT && c->api_body_max == 1048576 &&
	    strcmp(c->api_access_log, "stderr") == 0 && c->api_token_cache_seconds == 10,
	    "%s: [api] defaults", what);
	TAP_CHECK(c->jwt_key_file[0] == '\0' && c->jwt_key_len == 0 &&
	    c->access_token_ttl == 900 && c->refresh_token_ttl == 2592000 &&
	    c->login_failures_per_user == 10 && c->login_failures_per_addr == 30 &&
	    c->login_window_seconds == 300 && c->login_verify_max == 2 &&
	    c->login_verify_wait_ms == 1000,
	    "%s: [auth] defaults", what);
	TAP_CHECK(c->jobs_per_day == 100 && c->active_runs_per_project == 1 &&
	    c->max_results_per_target == 100, "%s: [limits] defaults", what);
	TAP_CHECK(strcmp(c->daemon_handler_user, "nobody") == 0 && c->api_socket_group[0] == '\0',
	    "%s: [daemon] handler_user nobody, [api] socket_group empty", what);
	TAP_CHECK(c->daemon_selector_cpu_ms == SQ_SELECTOR_CPU_MS_DEFAULT &&
	    c->daemon_selector_cpu_ms == 2000, "%s: [daemon] selector_cpu_ms default", what);
	TAP_CHECK(strcmp(c->events_listen, "127.0.0.1:8091") == 0 && c->events_tick_ms == 150 &&
	    c->events_gap_grace_ms == 300 && c->events_max_watchers == 10000 &&
	    c->events_queue_max == 256 && c->events_keepalive_seconds == 15,
	    "%s: [events] defaults", what);
	TAP_CHECK(c->log_level == LOG_LVL_INFO, "%s: [log] default", what);
}

static void
test_defaults(void)
{
	static const char *const texts[] = {
		"", "\n", "# only a comment\n", "; semicolon comment\n\n   \t\n",
		"[database]\n[api]\n[auth]\n[limits]\n[log]\n", "\xEF\xBB\xBF",
	};
	struct config	 c;
	char		 err[256] = "", what[32];
	size_t		 i;

	memset(&c, 0x5a, sizeof(c));
	config_defaults(&c);
	check_defaults(&c, "config_defaults");
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		memset(&c, 0x5a, sizeof(c));
		snprintf(what, sizeof(what), "defaults text %zu", i);
		TAP_CHECK(config_parse(&c, "d.conf", texts[i], strlen(texts[i]), err,
		    sizeof(err)) == 0, "%s: %s", what, err);
		check_defaults(&c, what);
		TAP_STREQ(c.path, "d.conf", what);
	}
}

static const char good[] =
    "\xEF\xBB\xBF# scrapeq.conf: every key set\n"
    "; a semicolon comment\n"
    "\n"
    "[database]\n"
    "socket = /run/mysqld/mysqld.sock\n"
    "  host=db.example.org  \n"
    "port\t=\t3307\r\n"
    "name = sq_test\n"
    "user = sq user\n"
    "password_file = db.pass\n"
    "connect_timeout = 2\n"
    "read_timeout = 7\n"
    "   # indented comment\n"
    "[ api ]\n"
    "socket = 127.0.0.1:9000\n"
    "workers = 256\n"
    "threads = 1\n"
    "body_max = 512k\n"
    "access_log = syslog\n"
    "token_cache_seconds = 0\n"
    "[auth]\n"
    "jwt_key_file = /etc/scrapeq/jwt.key\n"
    "access_token_ttl = 60\n"
    "refresh_token_ttl = 86400\n"
    "login_failures_per_user = 3\n"
    "login_failures_per_address = 100000\n"
    "login_window_seconds = 60\n"
    "login_verify_max = 1\n"
    "login_verify_wait_ms = 0\n"
    "[limits]\n"
    "jobs_per_day = 5000\n"
    "active_runs_per_project = 3\n"
    "max_results_per_target = 1000000\n"
    "[log]\n"
    "level = debug\n"
    "[database]\n"
    "# back in a section seen before; the keys above are not repeated\n";

static void
test_good(void)
{
	struct config	 c;
	char		 err[256] = "";

	if (config_parse(&c, "/etc/scrapeq/scrapeq.conf", good, sizeof(good) - 1, err,
	    sizeof(err)) != 0) {
		TAP_FAIL("good file: %s", err);
		return;
	}
	TAP_STREQ(c.path, "/etc/scrapeq/scrapeq.conf", "path");
	TAP_STREQ(c.db_socket, "/run/mysqld/mysqld.sock", "db_socket");
	TAP_STREQ(c.db_host, "db.example.org", "db_host");
	TAP_CHECK(c.db_port == 3307, "db_port %u", c.db_port);
	TAP_STREQ(c.db_name, "sq_test", "db_name");
	TAP_STREQ(c.db_user, "sq user", "db_user");
	TAP_STREQ(c.db_password_file, "db.pass", "db_password_file");
	TAP_STREQ(c.db_password, "", "config_parse reads no secret");
	TAP_CHECK(c.db_connect_timeout == 2, "db_connect_timeout %u", c.db_connect_timeout);
	TAP_CHECK(c.db_read_timeout == 7, "db_read_timeout %u", c.db_read_timeout);
	TAP_STREQ(c.api_socket, "127.0.0.1:9000", "api_socket");
	TAP_CHECK(c.api_workers == 256, "api_workers %u", c.api_workers);
	TAP_CHECK(c.api_threads == 1, "api_threads %u", c.api_threads);
	TAP_CHECK(c.api_body_max == 512 * 1024, "api_body_max %zu", c.api_body_max);
	TAP_STREQ(c.api_access_log, "syslog", "api_access_log");
	TAP_CHECK(c.api_token_cache_seconds == 0, "token_cache %u", c.api_token_cache_seconds);
	TAP_STREQ(c.jwt_key_file, "/etc/scrapeq/jwt.key", "jwt_key_file");
	TAP_CHECK(c.login_failures_per_user == 3 && c.login_failures_per_addr == 100000 &&
	    c.login_window_seconds == 60 && c.login_verify_max == 1 && c.login_verify_wait_ms == 0,
	    "[auth] login_* keys");
	TAP_CHECK(c.jwt_key_len == 0, "config_parse reads no key");
	TAP_CHECK(c.access_token_ttl == 60, "access_token_ttl %u", c.access_token_ttl);
	TAP_CHECK(c.refresh_token_ttl == 86400, "refresh_token_ttl %u", c.refresh_token_ttl);
	TAP_CHECK(c.jobs_per_day == 5000, "jobs_per_day %u", c.jobs_per_day);
	TAP_CHECK(c.active_runs_per_project == 3, "active_runs %u", c.active_runs_per_project);
	TAP_CHECK(c.max_results_per_target == 1000000, "max_results %u",
	    c.max_results_per_target);
	TAP_CHECK(c.log_level == LOG_LVL_DEBUG, "log_level %d", (int)c.log_level);
}

/* body_max spellings that must parse, and what they mean in bytes. */
/* [handlers]: any job type as a key, each checked; config_handler finds them. */
static void
test_handlers(void)
{
	static const struct {
		const char	*text;
		const char	*err;     /* NULL: accepted */
	} rows[] = {
		{ "[handlers]\ndata_processing = /usr/bin/sq-process --fast\n", NULL },
		{ "[handlers]\na = /bin/true\nb_2 = /bin/false\n", NULL },
		{ "[handlers]\nscrape = /bin/true\n",
		    "t.conf:2: [handlers] scrape: a built-in job type cannot have a handler" },
		{ "[handlers]\nnoop = /bin/true\n",
		    "t.conf:2: [handlers] noop: a built-in job type cannot have a handler" },
		{ "[handlers]\nsampling = /bin/true\n",
		    "t.conf:2: [handlers] sampling: a built-in job type cannot have a handler" },
		{ "[handlers]\nBad = /bin/true\n", "t.conf:2: [handlers] 'Bad': a job type is a "
		    "lower-case letter, then up to 31 letters, digits or '_'" },
		{ "[handlers]\n1x = /bin/true\n", "t.conf:2: [handlers] '1x': a job type is a "
		    "lower-case letter, then up to 31 letters, digits or '_'" },
		{ "[handlers]\nx = bin/true\n", "t.conf:2: [handlers] x: the command must be an "
		    "absolute path (then its arguments), at most 511 bytes" },
		{ "[handlers]\nx = /a\nx = /b\n", "t.conf:3: duplicate key 'x' in [handlers]" },
		/* 32 words, then 33: scrapeqd would have dropped the 33rd */
		{ "[handlers]\nx = /w 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 "
		    "24 25 26 27 28 29 30 31 32\n", NULL },
		{ "[handlers]\nx = /w  2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 "
		    "24 25 26 27 28 29 30 31 32 33\n", "t.conf:2: [handlers] x: the command has "
		    "more than 32 words (the path and its arguments)" },
	};
	struct config	 c;
	char		 err[256];
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		err[0] = '\0';
		rc = config_parse(&c, "t.conf", rows[i].text, strlen(rows[i].text), err,
		    sizeof(err));
		if (rows[i].err == NULL)
			TAP_CHECK(rc == 0, "handlers row %zu: %s", i, err);
		else
			TAP_CHECK(rc == -1 && strcmp(err, rows[i].err) == 0,
			    "handlers row %zu: got \"%s\"", i, err);
	}
	rc = config_parse(&c, "t.conf", rows[0].text, strlen(rows[0].text), err, sizeof(err));
	TAP_STREQ(config_handler(&c, "data_processing"), "/usr/bin/sq-process --fast",
	    "config_handler finds a handler");
	TAP_CHECK(config_handler(&c, "other") == NULL && config_handler(&c, NULL) == NULL,
	    "config_handler: none for an unknown type");
}

static void
test_suffixes(void)
{
	static const struct {
		const char	*v;
		size_t		 want;
	} rows[] = {
		{ "1", 1 }, { "1024", 1024 }, { "1k", 1024 }, { "1K", 1024 },
		{ "512k", 524288 }, { "1m", 1048576 }, { "1M", 1048576 },
		{ "64M", 67108864 }, { "65536k", 67108864 }, { "67108864", 67108864 },
	};
	struct config	 c;
	char		 text[128], err[256];
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(text, sizeof(text), "[api]\nbody_max = %s\n", rows[i].v);
		err[0] = '\0';
		rc = config_parse(&c, "t.conf", text, strlen(text), err, sizeof(err));
		TAP_CHECK(rc == 0 && c.api_body_max == rows[i].want,
		    "body_max %s: rc %d (%s) got %zu, want %zu", rows[i].v, rc, err,
		    c.api_body_max, rows[i].want);
	}
	/* A minimum in bytes still lets a suffixed value reach it (max_body >= 1024). */
	static const struct {
		const char	*v;
		int		 ok;
		size_t		 want;
	} mb[] = {
		{ "5M", 1, 5242880 }, { "1k", 1, 1024 }, { "1024", 1, 1024 }, { "1023", 0, 0 },
		{ "0k", 0, 0 }, { "256M", 1, 268435456 }, { "257M", 0, 0 },
	};
	for (i = 0; i < sizeof(mb) / sizeof(mb[0]); i++) {
		snprintf(text, sizeof(text), "[daemon]\nmax_body = %s\n", mb[i].v);
		err[0] = '\0';
		rc = config_parse(&c, "t.conf", text, strlen(text), err, sizeof(err));
		TAP_CHECK((rc == 0) == mb[i].ok && (!mb[i].ok || c.daemon_max_body == mb[i].want),
		    "max_body %s: rc %d (%s) got %zu", mb[i].v, rc, err, c.daemon_max_body);
	}
	/* selector_cpu_ms at both ends of its range. */
	static const unsigned cpu[] = { SQ_SELECTOR_CPU_MS_MIN, 2500, SQ_SELECTOR_CPU_MS_MAX };
	for (i = 0; i < sizeof(cpu) / sizeof(cpu[0]); i++) {
		snprintf(text, sizeof(text), "[daemon]\nselector_cpu_ms = %u\n", cpu[i]);
		err[0] = '\0';
		rc = config_parse(&c, "t.conf", text, strlen(text), err, sizeof(err));
		TAP_CHECK(rc == 0 && c.daemon_selector_cpu_ms == cpu[i],
		    "selector_cpu_ms %u: rc %d (%s) got %u", cpu[i], rc, err, c.daemon_selector_cpu_ms);
	}
	/* Every log level and access_log value. */
	static const char *const levels[] = { "debug", "info", "warning", "error" };
	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "[log]\nlevel = %s\n", levels[i]);
		rc = config_parse(&c, "t.conf", text, strlen(text), err, sizeof(err));
		TAP_CHECK(rc == 0 && c.log_level == (enum log_level)i, "level %s", levels[i]);
	}
	static const char *const logs[] = { "stderr", "syslog", "off" };
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "[api]\naccess_log = %s\n", logs[i]);
		rc = config_parse(&c, "t.conf", text, strlen(text), err, sizeof(err));
		TAP_CHECK(rc == 0 && strcmp(c.api_access_log, logs[i]) == 0, "access_log %s",
		    logs[i]);
	}
}

/* Small or absent error buffers are never overrun. */
static void
test_err_buffers(void)
{
	struct config	 c;
	char		 err[16];
	const char	*bad = "[nope]\n";

	memset(err, 'Z', sizeof(err));
	TAP_CHECK(config_parse(&c, "t.conf", bad, strlen(bad), err, 10) == -1 &&
	    strcmp(err, "t.conf:1:") == 0 && err[10] == 'Z', "small err: \"%.10s\"", err);
	TAP_CHECK(config_parse(&c, "t.conf", bad, strlen(bad), NULL, 0) == -1, "NULL err");
	TAP_CHECK(config_parse(&c, "t.conf", bad, strlen(bad), err, 0) == -1 && err[0] == 't',
	    "zero errsz");
}

static char tmpdir[] = "/tmp/test_config.XXXXXX";

static int
write_file(const char *name, const char *data, size_t len)
{
	char	 path[512];
	FILE	*f;
	int	 rc, fd;

	/* 0600 whatever the umask: config_load refuses secret files with more. */
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) == -1 ||
	    fchmod(fd, 0600) == -1 || (f = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	rc = fwrite(data, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

#define KEY32	"0123456789abcdef0123456789abcdef"

/* Secret files: each row writes the two files, a config naming them, and loads it. */
struct srow {
	const char	*pass;		/* contents of db.pass, NULL: not written */
	size_t		 passlen;	/* 0: strlen */
	const char	*key;		/* contents of jwt.key, NULL: not written */
	size_t		 keylen;
	const char	*conf_extra;	/* appended to the config */
	const char	*err;		/* after "<tmpdir>/"; NULL: must load */
	const char	*want_pass;
	size_t		 want_keylen;
};

static const struct srow srows[] = {
	{ "secret\n", 0, KEY32, 0, "", NULL, "secret", 32 },
	{ "secret", 0, KEY32 "\n", 0, "", NULL, "secret", 33 },
	{ "secret\r\n", 0, KEY32, 0, "", NULL, "secret", 32 },
	{ "secret\n\n", 0, KEY32, 0, "", NULL, "secret\n", 32 },
	{ " spaced pass \n", 0, KEY32, 0, "", NULL, " spaced pass ", 32 },
	{ "\n", 0, KEY32, 0, "", "db.pass: password file is empty ([database] password_file)",
	    NULL, 0 },
	{ "", 0, KEY32, 0, "", "db.pass: password file is empty ([database] password_file)",
	    NULL, 0 },
	{ "a\0b\n", 4, KEY32, 0, "", "db.pass: NUL byte in password ([database] password_file)",
	    NULL, 0 },
	{ NULL, 0, KEY32, 0, "",
	    "db.pass: No such file or directory ([database] password_file)", NULL, 0 },
	{ "secret\n", 0, NULL, 0, "",
	    "jwt.key: No such file or directory ([auth] jwt_key_file)", NULL, 0 },
	{ "secret\n", 0, KEY32, 31, "",
	    "jwt.key: key shorter than 32 bytes ([auth] jwt_key_file)", NULL, 0 },
	{ "secret\n", 0, "", 0, "",
	    "jwt.key: key shorter than 32 bytes ([auth] jwt_key_file)", NULL, 0 },
	{ "secret\n", 0, KEY32 KEY32 KEY32 KEY32 KEY32 KEY32 KEY32 KEY32, 0, "", NULL,
	    "secret", 256 },
	{ "secret\n", 0, KEY32 KEY32 KEY32 KEY32 KEY32 KEY32 KEY32 KEY32 "!", 0, "",
	    "jwt.key: larger than 256 bytes ([auth] jwt_key_file)", NULL, 0 },
	{ "secret\n", 0, KEY32, 0, "[log]\nlevel = nope\n",
	    "scrapeq.conf:6: [log] level: 'nope' is not one of debug, info, warning, error",
	    NULL, 0 },
};

static void
check_secret_row(size_t i, const struct srow *r)
{
	char		 conf[1024], err[1024] = "", want_err[1024] = "", path[512];
	struct config	 c;
	int		 rc;

	snprintf(path, sizeof(path), "%s/db.pass", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/jwt.key", tmpdir);
	unlink(path);
	/* The password file is relative to the config; the key file is absolute. */
	snprintf(conf, sizeof(conf), "[database]\npassword_file = db.pass\n[auth]\n"
	    "jwt_key_file = %s/jwt.key\n%s", tmpdir, r->conf_extra);
	if (write_file("scrapeq.conf", conf, strlen(conf)) != 0 ||
	    (r->pass != NULL &&
	    write_file("db.pass", r->pass, r->passlen ? r->passlen : strlen(r->pass)) != 0) ||
	    (r->key != NULL &&
	    write_file("jwt.key", r->key, r->keylen ? r->keylen : strlen(r->key)) != 0)) {
		TAP_FAIL("secret row %zu: cannot write files", i);
		return;
	}
	snprintf(path, sizeof(path), "%s/scrapeq.conf", tmpdir);
	rc = config_load(&c, path, err, sizeof(err));
	if (r->err == NULL) {
		TAP_CHECK(rc == 0 && strcmp(c.db_password, r->want_pass) == 0 &&
		    c.jwt_key_len == r->want_keylen && memcmp(c.jwt_key, r->key,
		    c.jwt_key_len) == 0, "secret row %zu: rc %d \"%s\" pass \"%s\" keylen %zu",
		    i, rc, err, c.db_password, c.jwt_key_len);
		return;
	}
	/* A secret file's error names the config line that set it: 2 or 4 above. */
	if (strncmp(r->err, "db.pass", 7) == 0 || strncmp(r->err, "jwt.key", 7) == 0)
		snprintf(want_err, sizeof(want_err), "%s/scrapeq.conf:%d: %s/%s", tmpdir,
		    r->err[0] == 'd' ? 2 : 4, tmpdir, r->err);
	else
		snprintf(want_err, sizeof(want_err), "%s/%s", tmpdir, r->err);
	TAP_CHECK(rc == -1 && strcmp(err, want_err) == 0 && c.db_password[0] == '\0' &&
	    c.jwt_key_len == 0, "secret row %zu: rc %d \"%s\", want \"%s\"", i, rc, err,
	    want_err);
}

/* Files that are too big, missing, or not files at all. */
static void
test_load_bounds(void)
{
	struct config	 c;
	char		 err[1024], want[1024], path[512], *s;
	int		 rc;

	/* A password file of SQ_SECRET_FILE_MAX + 1 bytes, and one of 256 bytes. */
	if ((s = repeat("", 'p', SQ_CONFIG_FILE_MAX + 1, "")) == NULL) {
		TAP_FAIL("malloc");
		return;
	}
	snprintf(path, sizeof(path), "%s/scrapeq.conf", tmpdir);
	write_file("scrapeq.conf", "[database]\npassword_file = db.pass\n", 35);
	write_file("db.pass", s, SQ_SECRET_FILE_MAX + 1);
	rc = config_load(&c, path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:2: %s/db.pass: larger than 4096 bytes "
	    "([database] password_file)", path, tmpdir);
	TAP_CHECK(rc == -1 && strcmp(err, want) == 0, "huge password file: \"%s\"", err);
	write_file("db.pass", s, 256);
	rc = config_load(&c, path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:2: %s/db.pass: password longer than 255 bytes "
	    "([database] password_file)", path, tmpdir);
	TAP_CHECK(rc == -1 && strcmp(err, want) == 0, "long password: \"%s\"", err);
	write_file("db.pass", s, 255);
	rc = config_load(&c, path, err, sizeof(err));
	TAP_CHECK(rc == 0 && strlen(c.db_password) == 255, "255-byte password: \"%s\"", err);

	/* A config file of exactly SQ_CONFIG_FILE_MAX bytes loads; one more byte does not. */
	memset(s, '#', SQ_CONFIG_FILE_MAX + 1);
	for (size_t i = 1000; i < SQ_CONFIG_FILE_MAX + 1; i += 1000)
		s[i] = '\n';
	write_file("scrapeq.conf", s, SQ_CONFIG_FILE_MAX);
	rc = config_load(&c, path, err, sizeof(err));
	TAP_CHECK(rc == 0, "config of SQ_CONFIG_FILE_MAX: \"%s\"", err);
	write_file("scrapeq.conf", s, SQ_CONFIG_FILE_MAX + 1);
	rc = config_load(&c, path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: larger than 1048576 bytes (config file)", path);
	TAP_CHECK(rc == -1 && strcmp(err, want) == 0, "config too big: \"%s\"", err);
	free(s);

	snprintf(path, sizeof(path), "%s/absent.conf", tmpdir);
	rc = config_load(&c, path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: No such file or directory (config file)", path);
	TAP_CHECK(rc == -1 && strcmp(err, want) == 0, "missing config: \"%s\"", err);
	rc = config_load(&c, tmpdir, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: Is a directory (config file)", tmpdir);
	TAP_CHECK(rc == -1 && strcmp(err, want) == 0, "directory as config: \"%s\"", err);
	s = repeat("/tmp/", 'x', 600, "");
	rc = s ? config_load(&c, s, err, sizeof(err)) : 0;
	TAP_CHECK(rc == -1 && strstr(err, ": path too long") != NULL, "long path: %.40s", err);
	free(s);
}

/* [database] tls: each value parses; tls_ca resolves next to the config and must exist. */
static void
test_tls(void)
{
	static const char *const names[] = { "off", "verify" };
	struct config	 c;
	char		 err[1024] = "", text[256], path[512], want[1024];
	size_t		 i;
	int		 rc;

	for (i = 0; i < 2; i++) {
		snprintf(text, sizeof(text), "[database]\nhost = 10.1.2.3\ntls = %s\n%s", names[i],
		    i == 1 ? "tls_ca = ca.pem\n" : "");
		rc = config_parse(&c, "t.conf", text, strlen(text), err, sizeof(err));
		TAP_CHECK(rc == 0 && c.db_tls == (enum config_tls)i, "tls = %s: \"%s\"", names[i],
		    err);
	}
	TAP_CHECK(config_parse(&c, "t.conf", "", 0, err, sizeof(err)) == 0 &&
	    c.db_tls == CONFIG_TLS_OFF && c.db_tls_ca[0] == '\0', "tls is off by default");
	write_file("scrapeq.conf", "[database]\nhost = 10.1.2.3\ntls = verify\ntls_ca = ca.pem\n",
	    56);
	snprintf(path, sizeof(path), "%s/scrapeq.conf", tmpdir);
	rc = config_load(&c, path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:4: %s/ca.pem: No such file or directory "
	    "([database] tls_ca)", path, tmpdir);
	TAP_CHECK(rc == -1 && strcmp(err, want) == 0, "missing tls_ca: \"%s\"", err);
	write_file("ca.pem", "-----BEGIN CERTIFICATE-----\n", 28);
	rc = config_load(&c, path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s/ca.pem", tmpdir);
	TAP_CHECK(rc == 0 && c.db_tls == CONFIG_TLS_VERIFY && strcmp(c.db_tls_ca, want) == 0,
	    "tls_ca resolved next to the config: rc %d \"%s\" \"%s\"", rc, err, c.db_tls_ca);
}

/* Relative config paths: secrets resolve next to the config, wherever that is. */
static void
test_relative(void)
{
	struct config	 c;
	char		 err[1024] = "", cwd[512], path[512];
	int		 rc;

	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(tmpdir) != 0) {
		TAP_FAIL("chdir");
		return;
	}
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	mkdir(path, 0700);
	write_file("sub/s.conf", "[database]\npassword_file = p\n", 29);
	write_file("sub/p", "in-sub\n", 7);
	write_file("p", "in-top\n", 7);
	write_file("top.conf", "[database]\npassword_file = p\n", 29);
	rc = config_load(&c, "sub/s.conf", err, sizeof(err));
	TAP_CHECK(rc == 0 && strcmp(c.db_password, "in-sub") == 0,
	    "sub/s.conf: rc %d \"%s\" pass \"%s\"", rc, err, c.db_password);
	rc = config_load(&c, "top.conf", err, sizeof(err));
	TAP_CHECK(rc == 0 && strcmp(c.db_password, "in-top") == 0,
	    "top.conf: rc %d \"%s\" pass \"%s\"", rc, err, c.db_password);
	rc = config_load(&c, "./sub/../top.conf", err, sizeof(err));
	TAP_CHECK(rc == 0 && strcmp(c.db_password, "in-top") == 0,
	    "./sub/../top.conf: rc %d \"%s\" pass \"%s\"", rc, err, c.db_password);
	if (chdir(cwd) != 0)
		TAP_FAIL("chdir back");
}

static void
test_secrets(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(srows) / sizeof(srows[0]); i++)
		check_secret_row(i, &srows[i]);
}

/* A secret file's mode: any group or other bit refuses it, with the path and both modes. */
struct mrow {
	const char	*file;		/* "db.pass" or "jwt.key" */
	mode_t		 mode;
	const char	*err;		/* after "<conf>:<line>: <tmpdir>/"; NULL: must load */
};

static const struct mrow mrows[] = {
	{ "db.pass", 0600, NULL },
	{ "db.pass", 0400, NULL },
	{ "jwt.key", 0700, NULL },
	{ "db.pass", 0644, "db.pass: mode 0644, want 0600" },
	{ "db.pass", 0640, "db.pass: mode 0640, want 0600" },
	{ "db.pass", 0604, "db.pass: mode 0604, want 0600" },
	{ "db.pass", 0610, "db.pass: mode 0610, want 0600" },
	{ "db.pass", 0602, "db.pass: mode 0602, want 0600" },
	{ "db.pass", 0666, "db.pass: mode 0666, want 0600" },
	{ "jwt.key", 0644, "jwt.key: mode 0644, want 0600" },
	{ "jwt.key", 0620, "jwt.key: mode 0620, want 0600" },
	{ "jwt.key", 04601, "jwt.key: mode 4601, want 0600" },
};

static void
test_secret_modes(void)
{
	struct config	 c;
	char		 conf[1024], err[1024], want[1024], path[512];
	size_t		 i;
	int		 rc;

	snprintf(conf, sizeof(conf), "[database]\npassword_file = db.pass\n[auth]\n"
	    "jwt_key_file = %s/jwt.key\n", tmpdir);
	for (i = 0; i < sizeof(mrows) / sizeof(mrows[0]); i++) {
		const struct mrow *r = &mrows[i];

		if (write_file("scrapeq.conf", conf, strlen(conf)) != 0 ||
		    write_file("db.pass", "secret\n", 7) != 0 ||
		    write_file("jwt.key", KEY32, 32) != 0) {
			TAP_FAIL("mode row %zu: cannot write files", i);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", tmpdir, r->file);
		if (chmod(path, r->mode) != 0) {
			TAP_FAIL("mode row %zu: chmod", i);
			continue;
		}
		snprintf(path, sizeof(path), "%s/scrapeq.conf", tmpdir);
		err[0] = '\0';
		rc = config_load(&c, path, err, sizeof(err));
		if (r->err == NULL) {
			TAP_CHECK(rc == 0 && strcmp(c.db_password, "secret") == 0,
			    "mode row %zu: %s %04o loads: \"%s\"", i, r->file,
			    (unsigned)r->mode, err);
			continue;
		}
		snprintf(want, sizeof(want), "%s:%d: %s/%s", path, r->file[0] == 'd' ? 2 : 4,
		    tmpdir, r->err);
		TAP_CHECK(rc == -1 && strcmp(err, want) == 0 && c.db_password[0] == '\0' &&
		    c.jwt_key_len == 0, "mode row %zu: \"%s\", want \"%s\"", i, err, want);
	}
}

static void
test_config_path(void)
{
	unsetenv("SCRAPEQ_CONFIG");
	TAP_STREQ(config_path(NULL), SQ_CONFIG_DEFAULT_PATH, "default path");
	TAP_STREQ(config_path("/x.conf"), "/x.conf", "argument");
	setenv("SCRAPEQ_CONFIG", "/env.conf", 1);
	TAP_STREQ(config_path(NULL), "/env.conf", "environment");
	TAP_STREQ(config_path("/x.conf"), "/x.conf", "argument beats environment");
	setenv("SCRAPEQ_CONFIG", "", 1);
	TAP_STREQ(config_path(NULL), SQ_CONFIG_DEFAULT_PATH, "empty environment");
	unsetenv("SCRAPEQ_CONFIG");
}

static void
cleanup(void)
{
	static const char *const names[] = {
		"scrapeq.conf", "db.pass", "jwt.key", "sub/s.conf", "sub/p", "p", "top.conf",
		"ca.pem",
	};
	char	 path[512];
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
}

int
main(void)
{
	test_errors();
	test_lengths();
	test_defaults();
	test_good();
	test_suffixes();
	test_handlers();
	test_err_buffers();
	test_config_path();
	if (mkdtemp(tmpdir) == NULL) {
		TAP_FAIL("mkdtemp: %s", strerror(errno));
		return tap_done("test_config");
	}
	test_secrets();
	test_secret_modes();
	test_load_bounds();
	test_relative();
	test_tls();
	cleanup();
	return tap_done("test_config");
}
