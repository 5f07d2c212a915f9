/* scrapeqctl.c: the sysadmin's command line: migrate, check-config, users, tokens, projects, members, jobs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "scrapeq/auth.h"
#include "scrapeq/config.h"
#include "scrapeq/db.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/migrate.h"
#include "scrapeq/project.h"
#include "scrapeq/query.h"
#include "scrapeq/role.h"
#include "scrapeq/timefmt.h"
#include "scrapeq/uuid.h"
#include "setup.h"
#include "status.h"

#ifndef SQ_SQLDIR
#define SQ_SQLDIR "/usr/local/share/scrapeq/sql"
#endif

#define EXIT_FAIL	1	/* the command could not be done */
#define EXIT_CONFIG	2	/* the config file is wrong */
#define EXIT_USAGE	64	/* the command line is wrong (sysexits EX_USAGE) */
#define ARGS_GO		(-1)	/* args_parse: carry on */

#define POSITIONAL_MAX	 2
#define GEN_PASSWORD_LEN 20
#define JOBS_LS_DEFAULT	 50
#define JOBS_LS_MAX	 1000

struct ctl {
	const char	*cfgarg;	/* -c FILE, or NULL */
	struct config	 cfg;
	struct db	*db;
};

/* One --option: a value option fills *val, a flag sets *flag. */
struct opt {
	const char	 *name;
	const char	**val;
	int		 *flag;
};

struct command {
	const char	*word;
	const char	*sub;		/* second word, or NULL */
	const char	*usage;
	int		(*run)(struct ctl *, const struct command *, int, char **);
};

static int usage_error(const struct command *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Says what is wrong with the command line and how to call c. Returns EXIT_USAGE. */
static int
usage_error(const struct command *c, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "scrapeqctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: scrapeqctl [-c FILE] %s\n", c->usage);
	return EXIT_USAGE;
}

static const struct opt *
opt_find(const struct opt *o, size_t n, const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strlen(o[i].name) == len && strncmp(o[i].name, name, len) == 0)
			return &o[i];
	return NULL;
}

/*
 * Parses argv[1..] (argv[0] is the command word) into opts and exactly npos
 * positionals. Returns ARGS_GO, 0 after printing help, or EXIT_USAGE after saying why.
 */
static int
args_parse(const struct command *c, int argc, char **argv, const struct opt *opts,
    size_t nopts, const char **pos, size_t npos)
{
	const struct opt	*o;
	const char		*a, *eq;
	size_t			 got = 0;
	int			 i, dashdash = 0;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (!dashdash && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			printf("usage: scrapeqctl [-c FILE] %s\n", c->usage);
			return 0;
		}
		if (!dashdash && strcmp(a, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (dashdash || a[0] != '-' || a[1] == '\0') {
			if (got == npos)
				return usage_error(c, "unexpected argument: %s", a);
			pos[got++] = a;
			continue;
		}
		if (a[1] != '-')
			return usage_error(c, "unknown option: %s", a);
		eq = strchr(a + 2, '=');
		o = opt_find(opts, nopts, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (o == NULL)
			return usage_error(c, "unknown option: %s", a);
		if (o->flag != NULL) {
			if (eq != NULL)
				return usage_error(c, "option takes no value: %s", a);
			*o->flag = 1;
			continue;
		}
		if (*o->val != NULL)
			return usage_error(c, "option given twice: --%s", o->name);
		if (eq == NULL && i + 1 >= argc)
			return usage_error(c, "option needs a value: %s", a);
		*o->val = eq ? eq + 1 : argv[++i];
	}
	if (got != npos)
		return usage_error(c, "missing NAME");
	return ARGS_GO;
}

/* Loads the config; on a mistake prints "file:line: what" and returns EXIT_CONFIG. */
static int
ctl_config(struct ctl *x)
{
	char	 err[1024];

	if (config_load(&x->cfg, config_path(x->cfgarg), err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_CONFIG;
	}
	log_init("scrapeqctl", x->cfg.log_level, 0);
	return 0;
}

static int
ctl_connect(struct ctl *x)
{
	int	 rc;

	if ((rc = ctl_config(x)) != 0)
		return rc;
	if ((x->db = db_new(&x->cfg)) == NULL) {
		fprintf(stderr, "scrapeqctl: out of memory\n");
		return EXIT_FAIL;
	}
	if (db_connect(x->db) != SQ_OK) {
		fprintf(stderr, "scrapeqctl: cannot connect to the database named in %s\n",
		    x->cfg.path);
		return EXIT_FAIL;
	}
	return 0;
}

static int
db_failure(const char *what, enum sq_err rc)
{
	fprintf(stderr, "scrapeqctl: %s: %s\n", what, sq_strerror(rc));
	return EXIT_FAIL;
}

/* Finds user name's id. Returns 0, or an exit status after saying why. */
static int
user_lookup(struct ctl *x, const char *name, long long *id)
{
	struct db_res	 res;
	enum sq_err	 rc;

	rc = db_exec(x->db, "SELECT id FROM users WHERE username = ?",
	    DB_PARAMS(DB_STR(name)), &res);
	if (rc != SQ_OK)
		return db_failure("looking up the user", rc);
	if (res.nrows != 1) {
		db_res_free(&res);
		fprintf(stderr, "scrapeqctl: no user named '%s'\n", name);
		return EXIT_FAIL;
	}
	*id = db_int(&res, 0, 0);
	db_res_free(&res);
	return 0;
}

/* 1..SQ_USERNAME_MAX bytes of letters, digits and . _ @ + - */
static int
username_ok(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n == 0 || n > SQ_USERNAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("._@+-", s[i]) != NULL))
			return 0;
	return 1;
}

/*
 * Reads a password from path ("-": standard input): one line, its newline dropped,
 * SQ_PASSWORD_MIN..SQ_PASSWORD_MAX bytes, no NUL. Returns 0, or -1 after saying why.
 */
static int
password_read(const char *path, char out[SQ_PASSWORD_MAX + 1])
{
	char	 buf[SQ_PASSWORD_MAX + 3];	/* the password, CR LF, one byte to see overflow */
	FILE	*f;
	size_t	 n;
	int	 rc = -1;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (f == NULL) {
		fprintf(stderr, "scrapeqctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof buf, f);
	if (ferror(f)) {
		fprintf(stderr, "scrapeqctl: %s: read error\n", path);
		goto out;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (memchr(buf, '\0', n) != NULL || memchr(buf, '\n', n) != NULL) {
		fprintf(stderr, "scrapeqctl: %s: the password must be one line of text\n", path);
		goto out;
	}
	if (n < SQ_PASSWORD_MIN || n > SQ_PASSWORD_MAX) {
		fprintf(stderr, "scrapeqctl: %s: the password must be %d to %d bytes\n", path,
		    SQ_PASSWORD_MIN, SQ_PASSWORD_MAX);
		goto out;
	}
	memcpy(out, buf, n);
	out[n] = '\0';
	rc = 0;
out:
	sodium_memzero(buf, sizeof buf);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* A random password from an alphabet without look-alike characters (about 116 bits). */
static void
password_generate(char out[GEN_PASSWORD_LEN + 1])
{
	static const char alphabet[] =
	    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
	size_t	 i;

	for (i = 0; i < GEN_PASSWORD_LEN; i++)
		out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	out[GEN_PASSWORD_LEN] = '\0';
}

static int
cmd_migrate(struct ctl *x, const struct command *c, int argc, char **argv)
{
	const char	*dir = NULL;
	const struct opt o[] = { { "sql-dir", &dir, NULL } };
	int		 rc;

	if ((rc = args_parse(c, argc, argv, o, 1, NULL, 0)) != ARGS_GO)
		return rc;
	if ((rc = ctl_connect(x)) != 0)
		return rc;
	return migrate_run(x->db, dir ? dir : SQ_SQLDIR, stdout) == 0 ? 0 : EXIT_FAIL;
}

/* setup: as root, the local MariaDB's database, user and password file, then migrate. */
static int
cmd_setup(struct ctl *x, const struct command *c, int argc, char **argv)
{
	const char	*dir = NULL;
	const struct opt o[] = { { "sql-dir", &dir, NULL } };
	int		 rc;

	if ((rc = args_parse(c, argc, argv, o, 1, NULL, 0)) != ARGS_GO)
		return rc;
	switch (setup_run(config_path(x->cfgarg), dir ? dir : SQ_SQLDIR, stdout)) {
	case SETUP_OK:
		return 0;
	case SETUP_CONFIG:
		return EXIT_CONFIG;
	default:
		return EXIT_FAIL;
	}
}

/* check-config --keys: every section and key the config file may hold, one a line. */
static int
print_keys(void)
{
	const char	*section, *name;
	size_t		 i;

	for (i = 0; (name = config_key(i, &section)) != NULL; i++)
		printf("%s %s\n", section, name);
	return 0;
}

static int
cmd_check_config(struct ctl *x, const struct command *c, int argc, char **argv)
{
	int	 keys = 0, rc;
	const struct opt o[] = { { "keys", NULL, &keys } };

	if ((rc = args_parse(c, argc, argv, o, 1, NULL, 0)) != ARGS_GO)
		return rc;
	if (keys)
		return print_keys();
	if ((rc = ctl_config(x)) != 0)
		return rc;
	printf("%s: ok\n", x->cfg.path[0] ? x->cfg.path : config_path(x->cfgarg));
	return 0;
}

/* Hashes pw and adds user name. Returns 0 or an exit status after saying why. */
static int
user_insert(struct ctl *x, const char *name, const char *pw, int admin)
{
	char		 hash[AUTH_PWHASH_MAX];
	enum sq_err	 e;
	int		 rc;

	if (auth_password_hash(pw, hash) != 0) {
		fprintf(stderr, "scrapeqctl: cannot hash the password (out of memory?)\n");
		return EXIT_FAIL;
	}
	if ((rc = ctl_connect(x)) != 0)
		return rc;
	e = db_exec(x->db, "INSERT INTO users (username, password_hash, is_admin) VALUES (?, ?, ?)",
	    DB_PARAMS(DB_STR(name), DB_STR(hash), DB_INT(admin)), NULL);
	if (e == SQ_ERR_CONFLICT) {
		fprintf(stderr, "scrapeqctl: a user named '%s' already exists\n", name);
		return EXIT_FAIL;
	}
	if (e != SQ_OK)
		return db_failure("adding the user", e);
	return 0;
}

static int
cmd_user_add(struct ctl *x, const struct command *c, int argc, char **argv)
{
	char		 pw[SQ_PASSWORD_MAX + 1];
	const char	*name = NULL, *pwfile = NULL;
	int		 admin = 0, rc;
	const struct opt o[] = { { "admin", NULL, &admin }, { "password-file", &pwfile, NULL } };

	if ((rc = args_parse(c, argc, argv, o, 2, &name, 1)) != ARGS_GO)
		return rc;
	if (!username_ok(name))
		return usage_error(c, "bad user name '%s': use 1 to %d letters, digits or ._@+-",
		    name, SQ_USERNAME_MAX);
	if (pwfile != NULL && password_read(pwfile, pw) != 0)
		return EXIT_FAIL;
	if (pwfile == NULL)
		password_generate(pw);
	if ((rc = user_insert(x, name, pw, admin)) != 0)
		goto out;
	if (pwfile == NULL) {
		fprintf(stderr, "user '%s' created%s; its password, shown only now:\n", name,
		    admin ? " (admin)" : "");
		printf("%s\n", pw);
	} else
		printf("user '%s' created%s\n", name, admin ? " (admin)" : "");
	rc = 0;
out:
	sodium_memzero(pw, sizeof pw);
	return rc;
}

/*
 * Sets the new hash and ends the user's sessions, in one transaction: its refresh
 * tokens are revoked and its generation moves on, so its access tokens stop at once.
 */
static enum sq_err
password_store(struct db *db, const char *name, const char *hash, int *found)
{
	enum sq_err	 rc;

	*found = 0;
	if ((rc = db_begin(db)) != SQ_OK)
		return rc;
	rc = db_exec(db, "UPDATE users SET password_hash = ?, auth_gen = auth_gen + 1 "
	    "WHERE username = ?",
	    DB_PARAMS(DB_STR(hash), DB_STR(name)), NULL);
	if (rc != SQ_OK || db_affected(db) != 1)
		goto out;
	*found = 1;
	rc = db_exec(db, "UPDATE refresh_tokens SET revoked_at = NOW(6) WHERE revoked_at IS NULL "
	    "AND user_id = (SELECT id FROM users WHERE username = ?)", DB_PARAMS(DB_STR(name)), NULL);
	if (rc != SQ_OK)
		goto out;
	return db_commit(db);
out:
	db_rollback(db);
	return rc;
}

static int
cmd_user_passwd(struct ctl *x, const struct command *c, int argc, char **argv)
{
	char		 pw[SQ_PASSWORD_MAX + 1], hash[AUTH_PWHASH_MAX];
	const char	*name = NULL, *pwfile = NULL;
	const struct opt o[] = { { "password-file", &pwfile, NULL } };
	enum sq_err	 e;
	int		 rc, found = 0;

	if ((rc = args_parse(c, argc, argv, o, 1, &name, 1)) != ARGS_GO)
		return rc;
	if (pwfile == NULL)
		return usage_error(c, "%s", "--password-file is required");
	if (password_read(pwfile, pw) != 0)
		return EXIT_FAIL;
	rc = EXIT_FAIL;
	if (auth_password_hash(pw, hash) != 0) {
		fprintf(stderr, "scrapeqctl: cannot hash the password (out of memory?)\n");
		goto out;
	}
	if ((rc = ctl_connect(x)) != 0)
		goto out;
	if ((e = password_store(x->db, name, hash, &found)) != SQ_OK) {
		rc = db_failure("changing the password", e);
		goto out;
	}
	if (!found) {
		fprintf(stderr, "scrapeqctl: no user named '%s'\n", name);
		rc = EXIT_FAIL;
		goto out;
	}
	printf("password of '%s' changed; its refresh tokens are revoked\n", name);
	rc = 0;
out:
	sodium_memzero(pw, sizeof pw);
	return rc;
}

static int
cmd_token_create(struct ctl *x, const struct command *c, int argc, char **argv)
{
	char		 tok[AUTH_TOKEN_STRLEN + 1];
	const char	*user = NULL, *label = NULL;
	const struct opt o[] = { { "user", &user, NULL }, { "name", &label, NULL } };
	struct sq_error	 e;
	long long	 uid;
	int		 rc;

	if ((rc = args_parse(c, argc, argv, o, 2, NULL, 0)) != ARGS_GO)
		return rc;
	if (user == NULL)
		return usage_error(c, "%s", "--user is required");
	if (label != NULL && strlen(label) > SQ_NAME_MAX)
		return usage_error(c, "--name is longer than %d bytes", SQ_NAME_MAX);
	if ((rc = ctl_connect(x)) != 0 || (rc = user_lookup(x, user, &uid)) != 0)
		return rc;
	if (auth_token_create(x->db, uid, label, tok, &e) != SQ_OK)
		return db_failure("creating the token", e.code);
	printf("%s\n", tok);
	sodium_memzero(tok, sizeof tok);
	return 0;
}

static int
cmd_token_revoke(struct ctl *x, const struct command *c, int argc, char **argv)
{
	const char	*user = NULL;
	const struct opt o[] = { { "user", &user, NULL } };
	struct sq_error	 e;
	long long	 uid;
	int		 rc;

	if ((rc = args_parse(c, argc, argv, o, 1, NULL, 0)) != ARGS_GO)
		return rc;
	if (user == NULL)
		return usage_error(c, "%s", "--user is required");
	if ((rc = ctl_connect(x)) != 0 || (rc = user_lookup(x, user, &uid)) != 0)
		return rc;
	if (auth_revoke_user(x->db, uid, &e) != SQ_OK)
		return db_failure("revoking tokens", e.code);
	printf("revoked every API token, refresh token and access token of '%s'\n", user);
	return 0;
}

/* user promote NAME / user demote NAME: server administrator or not, from the next request. */
static int
cmd_user_admin(struct ctl *x, const struct command *c, int argc, char **argv)
{
	const char	*name = NULL;
	struct sq_error	 e;
	long long	 uid;
	int		 admin = strcmp(c->sub, "promote") == 0, rc;

	if ((rc = args_parse(c, argc, argv, NULL, 0, &name, 1)) != ARGS_GO)
		return rc;
	if ((rc = ctl_connect(x)) != 0 || (rc = user_lookup(x, name, &uid)) != 0)
		return rc;
	if (auth_set_admin(x->db, uid, admin, &e) != SQ_OK)
		return db_failure(admin ? "promoting the user" : "demoting the user", e.code);
	printf("'%s' is %s a server administrator\n", name, admin ? "now" : "no longer");
	return 0;
}

static int
cmd_project_add(struct ctl *x, const struct command *c, int argc, char **argv)
{
	char		 id[ID_STR_MAX];
	const char	*name = NULL, *owner = NULL;
	const struct opt o[] = { { "owner", &owner, NULL } };
	struct project_input in = { NULL, NULL, -1, -1, 0 };
	struct project	 p;
	struct principal who;
	struct sq_error	 e;
	long long	 uid;
	int		 rc;

	if ((rc = args_parse(c, argc, argv, o, 1, &name, 1)) != ARGS_GO)
		return rc;
	if (owner == NULL)
		return usage_error(c, "%s", "--owner is required");
	if ((rc = ctl_connect(x)) != 0 || (rc = user_lookup(x, owner, &uid)) != 0)
		return rc;
	memset(&p, 0, sizeof p);
	in.name = name;
	/* The sysadmin acts with an administrator's rights. */
	who.user_id = uid;
	who.kind = AUTH_TOKEN;
	who.is_admin = 1;
	if (project_create(x->db, &who, &in, &p, &e) != SQ_OK) {
		fprintf(stderr, "scrapeqctl: cannot create the project: %s\n", e.message);
		project_clear(&p);
		return EXIT_FAIL;
	}
	id_format(ID_PREFIX_PROJECT, &p.id, id, sizeof id);
	/* The id, then the number seed 003's /workspace/{w} takes (its workspace_id). */
	printf("%s workspace %lld\n", id, p.seq);
	project_clear(&p);
	return 0;
}

static int
cmd_project_limit(struct ctl *x, const struct command *c, int argc, char **argv)
{
	const char	*proj = NULL, *limit = NULL;
	const struct opt o[] = { { "daily-job-limit", &limit, NULL } };
	struct sq_error	 e;
	struct uuid	 u;
	long long	 n = -1;
	int		 rc;

	if ((rc = args_parse(c, argc, argv, o, 1, &proj, 1)) != ARGS_GO)
		return rc;
	if (id_parse(ID_PREFIX_PROJECT, proj, &u) != 0)
		return usage_error(c, "not a project id: %s", proj);
	if (limit == NULL)
		return usage_error(c, "%s", "--daily-job-limit is required");
	if (strcmp(limit, "default") != 0 &&
	    parse_int_range(limit, 0, SQ_DAILY_JOB_LIMIT_MAX, &n) == -1)
		return usage_error(c, "--daily-job-limit must be 0 to %d or 'default', not %s",
		    SQ_DAILY_JOB_LIMIT_MAX, limit);
	if ((rc = ctl_connect(x)) != 0)
		return rc;
	if (project_set_daily_limit(x->db, &u, n, &e) != SQ_OK) {
		fprintf(stderr, "scrapeqctl: cannot set the limit: %s\n", e.message);
		return EXIT_FAIL;
	}
	if (n == -1)
		printf("%s: daily job limit is the config's jobs_per_day (%u)\n", proj,
		    x->cfg.jobs_per_day);
	else
		printf("%s: daily job limit is %lld\n", proj, n);
	return 0;
}

/* Returns 0 when project u exists, else an exit status after saying why. */
static int
project_exists(struct ctl *x, const struct uuid *u, const char *shown)
{
	char		 us[UUID_STR_LEN + 1];
	struct db_res	 res;
	enum sq_err	 rc;
	size_t		 n;

	uuid_format(u, us);
	rc = db_exec(x->db, "SELECT 1 FROM projects WHERE id = ?", DB_PARAMS(DB_STR(us)), &res);
	if (rc != SQ_OK)
		return db_failure("looking up the project", rc);
	n = res.nrows;
	db_res_free(&res);
	if (n == 0) {
		fprintf(stderr, "scrapeqctl: no project %s\n", shown);
		return EXIT_FAIL;
	}
	return 0;
}

static int
cmd_member_add(struct ctl *x, const struct command *c, int argc, char **argv)
{
	char		 us[UUID_STR_LEN + 1];
	const char	*proj = NULL, *user = NULL, *role = NULL;
	const struct opt o[] = { { "project", &proj, NULL }, { "user", &user, NULL },
	    { "role", &role, NULL } };
	struct uuid	 u;
	enum role	 parsed;
	long long	 uid;
	enum sq_err	 e;
	int		 rc;

	if ((rc = args_parse(c, argc, argv, o, 3, NULL, 0)) != ARGS_GO)
		return rc;
	if (proj == NULL || user == NULL)
		return usage_error(c, "%s", "--project and --user are required");
	if (id_parse(ID_PREFIX_PROJECT, proj, &u) != 0)
		return usage_error(c, "not a project id: %s", proj);
	if (role == NULL)
		role = "member";
	if (role_parse(role, &parsed) == -1)
		return usage_error(c, "--role must be owner, admin, member or viewer, not %s", role);
	if ((rc = ctl_connect(x)) != 0 || (rc = project_exists(x, &u, proj)) != 0 ||
	    (rc = user_lookup(x, user, &uid)) != 0)
		return rc;
	uuid_format(&u, us);
	e = db_exec(x->db, "INSERT INTO memberships (user_id, project_id, role) VALUES (?, ?, ?)",
	    DB_PARAMS(DB_INT(uid), DB_STR(us), DB_STR(role_name(parsed))), NULL);
	if (e == SQ_ERR_CONFLICT) {
		fprintf(stderr, "scrapeqctl: '%s' is already a member of %s\n", user, proj);
		return EXIT_FAIL;
	}
	if (e != SQ_OK)
		return db_failure("adding the member", e);
	printf("'%s' is now %s of %s\n", user, role, proj);
	return 0;
}

static int
status_ok(const char *s)
{
	static const char *const st[] = { "pending", "running", "completed", "failed",
	    "cancelled" };
	size_t	 i;

	for (i = 0; i < sizeof st / sizeof st[0]; i++)
		if (strcmp(s, st[i]) == 0)
			return 1;
	return 0;
}

/* Writes the public form of a stored UUID, or the stored text if it is not one. */
static void
print_id(const char *prefix, const char *stored, int width)
{
	char		 id[ID_STR_MAX];
	struct uuid	 u;

	if (stored != NULL && uuid_parse(stored, strlen(stored), &u) == 0) {
		id_format(prefix, &u, id, sizeof id);
		printf("%-*s  ", width, id);
	} else
		printf("%-*s  ", width, stored ? stored : "-");
}

static void
jobs_print(const struct db_res *res)
{
	char	 t[TIMEFMT_MAX];
	size_t	 i;

	printf("%-36s  %-37s  %-9s  %-9s  %s\n", "ID", "PROJECT", "STATUS", "SOURCE",
	    "CREATED");
	for (i = 0; i < res->nrows; i++) {
		print_id(ID_PREFIX_JOB, db_str(res, i, 0), 36);
		print_id(ID_PREFIX_PROJECT, db_str(res, i, 1), 37);
		printf("%-9s  %-9s  ", db_str(res, i, 2) ? db_str(res, i, 2) : "-",
		    db_str(res, i, 3) ? db_str(res, i, 3) : "-");
		if (db_str(res, i, 4) != NULL && timefmt_rfc3339(db_str(res, i, 4), 0, t) == 0)
			printf("%s\n", t);
		else
			printf("%s\n", db_str(res, i, 4) ? db_str(res, i, 4) : "-");
	}
}

/* Indexed by (project given) | (status given) << 1; newest first (ids are UUIDv7). */
static const char *const jobs_sql[4] = {
	"SELECT id, project_id, status, source, created_at FROM jobs "
	    "ORDER BY id DESC LIMIT ?",
	"SELECT id, project_id, status, source, created_at FROM jobs "
	    "WHERE project_id = ? ORDER BY id DESC LIMIT ?",
	"SELECT id, project_id, status, source, created_at FROM jobs "
	    "WHERE status = ? ORDER BY id DESC LIMIT ?",
	"SELECT id, project_id, status, source, created_at FROM jobs "
	    "WHERE project_id = ? AND status = ? ORDER BY id DESC LIMIT ?",
};

static int
cmd_jobs_ls(struct ctl *x, const struct command *c, int argc, char **argv)
{
	char		 us[UUID_STR_LEN + 1];
	const char	*proj = NULL, *status = NULL, *limit = NULL;
	const struct opt o[] = { { "project", &proj, NULL }, { "status", &status, NULL },
	    { "limit", &limit, NULL } };
	struct db_param	 p[3];
	struct db_res	 res;
	struct uuid	 u;
	long long	 lim = JOBS_LS_DEFAULT;
	size_t		 np = 0;
	enum sq_err	 e;
	int		 rc;

	if ((rc = args_parse(c, argc, argv, o, 3, NULL, 0)) != ARGS_GO)
		return rc;
	if (proj != NULL && id_parse(ID_PREFIX_PROJECT, proj, &u) != 0)
		return usage_error(c, "not a project id: %s", proj);
	if (status != NULL && !status_ok(status))
		return usage_error(c, "--status must be pending, running, completed, failed "
		    "or cancelled, not %s", status);
	if (limit != NULL && parse_int_range(limit, 1, JOBS_LS_MAX, &lim) != 0)
		return usage_error(c, "--limit must be an integer from 1 to %d, not %s",
		    JOBS_LS_MAX, limit);
	if ((rc = ctl_connect(x)) != 0)
		return rc;
	if (proj != NULL) {
		uuid_format(&u, us);
		p[np++] = DB_STR(us);
	}
	if (status != NULL)
		p[np++] = DB_STR(status);
	p[np++] = DB_INT(lim);
	e = db_exec(x->db, jobs_sql[(proj != NULL) | (status != NULL) << 1], p, np, &res);
	if (e != SQ_OK)
		return db_failure("listing jobs", e);
	jobs_print(&res);
	db_res_free(&res);
	return 0;
}

/* status [--json]: GET /api/v1/status's figures for the sysadmin (status.c); exit 3: unhealthy. */
static int
cmd_status(struct ctl *x, const struct command *c, int argc, char **argv)
{
	int		 json = 0, rc;
	const struct opt o[] = { { "json", NULL, &json } };

	if ((rc = args_parse(c, argc, argv, o, 1, NULL, 0)) != ARGS_GO)
		return rc;
	if ((rc = ctl_connect(x)) != 0)
		return rc;
	return status_print(x->db, &x->cfg, json);
}

static const struct command commands[] = {
	{ "migrate", NULL, "migrate [--sql-dir DIR]", cmd_migrate },
	{ "setup", NULL, "setup [--sql-dir DIR]", cmd_setup },
	{ "check-config", NULL, "check-config [--keys]", cmd_check_config },
	{ "user", "add", "user add NAME [--admin] [--password-file FILE|-]", cmd_user_add },
	{ "user", "passwd", "user passwd NAME --password-file FILE|-", cmd_user_passwd },
	{ "user", "promote", "user promote NAME", cmd_user_admin },
	{ "user", "demote", "user demote NAME", cmd_user_admin },
	{ "token", "create", "token create --user NAME [--name LABEL]", cmd_token_create },
	{ "token", "revoke", "token revoke --user NAME", cmd_token_revoke },
	{ "project", "add", "project add NAME --owner USER", cmd_project_add },
	{ "project", "limit", "project limit PROJ_ID --daily-job-limit N|default",
	    cmd_project_limit },
	{ "member", "add", "member add --project PROJ_ID --user NAME "
	    "[--role owner|admin|member|viewer]", cmd_member_add },
	{ "jobs", "ls", "jobs ls [--project PROJ_ID] [--status STATUS] [--limit N]",
	    cmd_jobs_ls },
	{ "status", NULL, "status [--json]", cmd_status },
	{ NULL, NULL, NULL, NULL }
};

static void
usage_all(FILE *f)
{
	const struct command	*c;

	fprintf(f, "usage: scrapeqctl [-c FILE] COMMAND [ARGS]\ncommands:\n");
	for (c = commands; c->word != NULL; c++)
		fprintf(f, "  %s\n", c->usage);
	fprintf(f, "-c FILE defaults to $SCRAPEQ_CONFIG, then %s\n", SQ_CONFIG_DEFAULT_PATH);
}

/* For "user frob" lists the user commands; for anything else, every command. */
static int
usage_unknown(int argc, char **argv)
{
	const struct command	*c;
	int			 known = 0;

	fprintf(stderr, "scrapeqctl: unknown command: %s%s%s\n", argv[0], argc > 1 ? " " : "",
	    argc > 1 ? argv[1] : "");
	for (c = commands; c->word != NULL; c++)
		if (strcmp(c->word, argv[0]) == 0) {
			fprintf(stderr, "%s scrapeqctl [-c FILE] %s\n", known++ ? "      " :
			    "usage:", c->usage);
		}
	if (!known)
		usage_all(stderr);
	return EXIT_USAGE;
}

/* Finds the command argv names; *words says how many words it took (1 or 2). */
static const struct command *
command_find(int argc, char **argv, int *words)
{
	const struct command	*c;

	for (c = commands; c->word != NULL; c++) {
		if (strcmp(argv[0], c->word) != 0)
			continue;
		if (c->sub == NULL) {
			*words = 1;
			return c;
		}
		if (argc > 1 && strcmp(argv[1], c->sub) == 0) {
			*words = 2;
			return c;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct ctl		 x;	/* x.cfg holds secrets: wiped before exit */
	const struct command	*c;
	int			 i = 1, words = 0, rc;

	memset(&x, 0, sizeof x);
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage_all(stdout);
			return 0;
		}
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			x.cfgarg = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "-c", 2) == 0 && argv[i][2] != '\0') {
			x.cfgarg = argv[i++] + 2;
		} else {
			fprintf(stderr, "scrapeqctl: unknown option or missing value: %s\n", argv[i]);
			usage_all(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage_all(stderr);
		return EXIT_USAGE;
	}
	if ((c = command_find(argc - i, argv + i, &words)) == NULL)
		return usage_unknown(argc - i, argv + i);
	if (sodium_init() < 0) {
		fprintf(stderr, "scrapeqctl: libsodium failed to initialise\n");
		return EXIT_FAIL;
	}
	i += words - 1;
	rc = c->run(&x, c, argc - i, argv + i);
	db_free(x.db);
	sodium_memzero(&x.cfg, sizeof x.cfg);
	return rc;
}
