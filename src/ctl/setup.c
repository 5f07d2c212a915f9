/* setup.c: `scrapeqctl setup`: the database, its user, the password file and the schema, once per host. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "scrapeq/config.h"
#include "scrapeq/db.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/migrate.h"
#include "setup.h"

#define SETUP_OWNER	"scrapeq"	/* owns the password file when the account exists */
#define SETUP_IDENT_MAX	63		/* config's db_name and db_user hold 63 bytes */
#define SETUP_SQL_MAX	512

/* Reads the config file without its secret files (the password file may not exist yet). */
static enum setup_err
setup_config(const char *path, struct config *c)
{
	char	 err[1024], *text = NULL;
	size_t	 len = 0;
	FILE	*f;
	enum setup_err rc = SETUP_CONFIG;

	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "scrapeqctl: %s: %s\n", path, strerror(errno));
		return SETUP_CONFIG;
	}
	if ((text = malloc(SQ_CONFIG_FILE_MAX + 1)) == NULL)
		goto out;
	len = fread(text, 1, SQ_CONFIG_FILE_MAX + 1, f);
	if (ferror(f) || len > SQ_CONFIG_FILE_MAX) {
		fprintf(stderr, "scrapeqctl: %s: unreadable or larger than %d bytes\n", path,
		    SQ_CONFIG_FILE_MAX);
		goto out;
	}
	if (config_parse(c, path, text, len, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	log_init("scrapeqctl", c->log_level, 0);
	rc = SETUP_OK;
out:
	free(text);
	fclose(f);
	return rc;
}

/*
 * CREATE USER and GRANT take no bound identifiers, so the names go into the SQL text:
 * only letters, digits and '_', which need no escaping inside `...` or '...'.
 */
static int
ident_ok(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n == 0 || n > SETUP_IDENT_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int
hex_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n < SETUP_PASSWORD_HEX_MIN || n > SETUP_PASSWORD_HEX_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* What setup needs of the config: a socket, plain names, a password file. */
static enum setup_err
setup_check(const struct config *c)
{
	if (c->db_socket[0] == '\0') {
		fprintf(stderr, "scrapeqctl: %s: [database] socket is empty; setup works only "
		    "over the local MariaDB's unix socket (/run/mysqld/mysqld.sock)\n", c->path);
		return SETUP_CONFIG;
	}
	if (!ident_ok(c->db_name) || !ident_ok(c->db_user)) {
		fprintf(stderr, "scrapeqctl: %s: [database] name and user must be 1 to %d "
		    "letters, digits and '_' for setup (name '%.64s', user '%.64s')\n", c->path,
		    SETUP_IDENT_MAX, c->db_name, c->db_user);
		return SETUP_CONFIG;
	}
	/* Their passwords would be replaced, and Debian's root logs in by unix_socket. */
	if (strcmp(c->db_user, "root") == 0 || strcmp(c->db_user, "mysql") == 0) {
		fprintf(stderr, "scrapeqctl: %s: [database] user %s is MariaDB's own account; "
		    "setup gives scrapeq a user of its own\n", c->path, c->db_user);
		return SETUP_CONFIG;
	}
	if (c->db_password_file[0] == '\0') {
		fprintf(stderr, "scrapeqctl: %s: [database] password_file is empty; setup "
		    "writes the user's password there\n", c->path);
		return SETUP_CONFIG;
	}
	return SETUP_OK;
}

/* The password file's path: a relative one is next to the config file, as config.c takes it. */
static enum setup_err
password_path(const struct config *c, char *out, size_t outsz)
{
	const char	*slash = strrchr(c->path, '/');
	int		 n;

	if (c->db_password_file[0] == '/' || slash == NULL)
		n = snprintf(out, outsz, "%s", c->db_password_file);
	else
		n = snprintf(out, outsz, "%.*s/%s", (int)(slash - c->path), c->path,
		    c->db_password_file);
	if (n < 0 || (size_t)n >= outsz) {
		fprintf(stderr, "scrapeqctl: %s: password_file path too long\n", c->path);
		return SETUP_CONFIG;
	}
	return SETUP_OK;
}

/* Gives path to scrapeq (when that account exists) with mode 0600. */
static enum setup_err
password_own(int fd, const char *path)
{
	struct passwd	*pw = getpwnam(SETUP_OWNER);

	if (pw != NULL && fchown(fd, pw->pw_uid, pw->pw_gid) != 0) {
		fprintf(stderr, "scrapeqctl: %s: chown %s: %s\n", path, SETUP_OWNER,
		    strerror(errno));
		return SETUP_FAIL;
	}
	if (fchmod(fd, SQ_SECRET_MODE) != 0) {
		fprintf(stderr, "scrapeqctl: %s: chmod: %s\n", path, strerror(errno));
		return SETUP_FAIL;
	}
	return SETUP_OK;
}

/*
 * Reads an existing password file into pw (setup's own: hex). Returns SETUP_OK with
 * *found set, or an error after saying why. A missing file is not an error.
 */
static enum setup_err
password_read(const char *path, char *pw, size_t pwsz, int *found)
{
	char		 buf[SETUP_PASSWORD_HEX_MAX + 3];
	ssize_t		 n;
	int		 fd;
	enum setup_err	 rc = SETUP_FAIL;

	*found = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return SETUP_OK;
		fprintf(stderr, "scrapeqctl: %s: %s\n", path, strerror(errno));
		return SETUP_FAIL;
	}
	if ((n = read(fd, buf, sizeof buf)) < 0) {
		fprintf(stderr, "scrapeqctl: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (!hex_ok(buf, (size_t)n) || (size_t)n >= pwsz) {
		fprintf(stderr, "scrapeqctl: %s: not a password setup wrote (%d to %d "
		    "lower-case hex digits); remove it and run setup again to get a new one\n",
		    path, SETUP_PASSWORD_HEX_MIN, SETUP_PASSWORD_HEX_MAX);
		goto out;
	}
	memcpy(pw, buf, (size_t)n);
	pw[n] = '\0';
	if ((rc = password_own(fd, path)) == SETUP_OK)
		*found = 1;
out:
	sodium_memzero(buf, sizeof buf);
	close(fd);
	return rc;
}

/* Writes a new random hex password to path (via path.new, renamed into place). */
static enum setup_err
password_write(const char *path, char *pw, size_t pwsz)
{
	unsigned char	 raw[SETUP_PASSWORD_BYTES];
	char		 tmp[PATH_MAX];
	size_t		 len;
	int		 fd, n;
	enum setup_err	 rc = SETUP_FAIL;

	n = snprintf(tmp, sizeof tmp, "%s.new", path);
	if (n < 0 || (size_t)n >= sizeof tmp || pwsz < 2 * sizeof raw + 1)
		return SETUP_CONFIG;
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(pw, pwsz, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
	len = strlen(pw);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, SQ_SECRET_MODE);
	if (fd == -1) {
		fprintf(stderr, "scrapeqctl: %s: %s\n", tmp, strerror(errno));
		return SETUP_FAIL;
	}
	if (write(fd, pw, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
		fprintf(stderr, "scrapeqctl: %s: write: %s\n", tmp, strerror(errno));
		goto out;
	}
	if ((rc = password_own(fd, tmp)) != SETUP_OK)
		goto out;
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "scrapeqctl: %s: %s\n", path, strerror(errno));
		rc = SETUP_FAIL;
	}
out:
	close(fd);
	if (rc != SETUP_OK)
		(void)unlink(tmp);
	return rc;
}

/* Runs one statement built from checked names; says what it did. */
static enum setup_err
setup_sql(struct db *db, const char *sql, const char *what, FILE *out)
{
	char	 err[512];

	if (db_run_script(db, sql, strlen(sql), err, sizeof err) != SQ_OK) {
		fprintf(stderr, "scrapeqctl: %s: %s\n", what, err);
		return SETUP_FAIL;
	}
	fprintf(out, "%s: ok\n", what);
	return SETUP_OK;
}

/* A connection as MariaDB's root over c's socket, or NULL after saying why. */
static struct db *
root_connect(const struct config *c, struct config *root)
{
	struct db	*db;

	*root = *c;
	snprintf(root->db_user, sizeof root->db_user, "root");
	root->db_password[0] = '\0';
	root->db_name[0] = '\0';
	if ((db = db_new(root)) == NULL) {
		fprintf(stderr, "scrapeqctl: out of memory\n");
		return NULL;
	}
	if (db_connect(db) != SQ_OK) {
		fprintf(stderr, "scrapeqctl: cannot connect to MariaDB at %s as root (setup "
		    "uses unix_socket authentication: run it as root on the database host)\n",
		    c->db_socket);
		db_free(db);
		return NULL;
	}
	return db;
}

/* The database, the user with password pw, the grant, over root's connection db. */
static enum setup_err
setup_server(struct db *db, const struct config *c, const char *pw, FILE *out)
{
	char		 sql[SETUP_SQL_MAX];
	enum setup_err	 rc;

	snprintf(sql, sizeof sql, "CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4 "
	    "COLLATE utf8mb4_bin", c->db_name);
	if ((rc = setup_sql(db, sql, "database", out)) != SETUP_OK)
		goto out;
	snprintf(sql, sizeof sql, "CREATE USER IF NOT EXISTS '%s'@'localhost' IDENTIFIED BY "
	    "'%s'", c->db_user, pw);
	if ((rc = setup_sql(db, sql, "user", out)) != SETUP_OK)
		goto out;
	snprintf(sql, sizeof sql, "ALTER USER '%s'@'localhost' IDENTIFIED BY '%s'",
	    c->db_user, pw);
	if ((rc = setup_sql(db, sql, "password", out)) != SETUP_OK)
		goto out;
	snprintf(sql, sizeof sql, "GRANT ALL PRIVILEGES ON `%s`.* TO '%s'@'localhost'",
	    c->db_name, c->db_user);
	rc = setup_sql(db, sql, "grant", out);
out:
	sodium_memzero(sql, sizeof sql);
	return rc;
}

/* The migrations, as the application's user (so routines are defined by it, not root). */
static enum setup_err
setup_migrate(struct config *c, const char *pw, const char *sqldir, FILE *out)
{
	struct db	*db;
	int		 rc;

	snprintf(c->db_password, sizeof c->db_password, "%s", pw);
	if ((db = db_new(c)) == NULL)
		return SETUP_FAIL;
	rc = migrate_run(db, sqldir, out);
	db_free(db);
	if (rc != 0) {
		fprintf(stderr, "scrapeqctl: migrating as %s failed (above)\n", c->db_user);
		return SETUP_FAIL;
	}
	return SETUP_OK;
}

static void
setup_next(const struct config *c, const char *pwpath, FILE *out)
{
	fprintf(out,
	    "setup done: database %s, user %s@localhost, password in %s\n"
	    "next:\n"
	    "  scrapeqctl user add admin --admin      # prints the admin's password\n"
	    "  scrapeqctl token create --user admin   # an API token for curl\n"
	    "  systemctl enable --now scrapeq-api.socket scrapeqd.service "
	    "scrapeq-events.service\n"
	    "  add 'include /etc/nginx/snippets/scrapeq.conf;' to your nginx server block, "
	    "then nginx -t && systemctl reload nginx\n", c->db_name, c->db_user, pwpath);
}

enum setup_err
setup_run(const char *cfgpath, const char *sqldir, FILE *out)
{
	static struct config	 c, root;	/* static: a struct config is large */
	char			 pwpath[PATH_MAX], pw[SETUP_PASSWORD_HEX_MAX + 1];
	struct stat		 st;
	struct db		*db = NULL;
	int			 found = 0;
	enum setup_err		 rc;

	if (geteuid() != 0) {
		fprintf(stderr, "scrapeqctl: setup must run as root (it logs in to MariaDB as "
		    "root over its unix socket and writes the password file)\n");
		return SETUP_FAIL;
	}
	if ((rc = setup_config(cfgpath, &c)) != SETUP_OK || (rc = setup_check(&c)) != SETUP_OK ||
	    (rc = password_path(&c, pwpath, sizeof pwpath)) != SETUP_OK)
		goto out;
	rc = SETUP_FAIL;
	if (stat(c.db_socket, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "scrapeqctl: no MariaDB socket at %s ([database] socket in %s): "
		    "is mariadb installed and running?\n", c.db_socket, c.path);
		goto out;
	}
	/* Root's login first: a server that refuses it leaves no password file behind. */
	if ((db = root_connect(&c, &root)) == NULL)
		goto out;
	if ((rc = password_read(pwpath, pw, sizeof pw, &found)) != SETUP_OK)
		goto out;
	if (!found && (rc = password_write(pwpath, pw, sizeof pw)) != SETUP_OK)
		goto out;
	fprintf(out, "password file %s: %s\n", pwpath, found ? "kept" : "written");
	if ((rc = setup_server(db, &c, pw, out)) != SETUP_OK)
		goto out;
	db_free(db);
	db = NULL;
	if ((rc = setup_migrate(&c, pw, sqldir, out)) != SETUP_OK)
		goto out;
	setup_next(&c, pwpath, out);
out:
	db_free(db);
	sodium_memzero(pw, sizeof pw);
	sodium_memzero(&c, sizeof c);
	sodium_memzero(&root, sizeof root);
	return rc;
}
