/* migrate.c: finds the NNN_name.sql files, applies those schema_migrations lacks, under a named lock. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scrapeq/migrate.h"

#define MIGRATE_FILE_MAX	(4 * 1024 * 1024)	/* bytes of one migration file */
#define MIGRATE_VERSIONS	1000			/* three digits */
#define MIGRATE_NAME_MAX	200			/* schema_migrations.name */
#define MIGRATE_LOCK_WAIT	60			/* seconds to wait for another migrator */

struct migration {
	int	 version;
	char	 name[MIGRATE_NAME_MAX + 1];
};

/* Matches ^[0-9]{3}_[a-z0-9_]+\.sql$ and fits the name column. */
static int
migration_name_ok(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n < 3 + 1 + 1 + 4 || n > MIGRATE_NAME_MAX)
		return 0;
	for (i = 0; i < 3; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	if (s[3] != '_' || strcmp(s + n - 4, ".sql") != 0)
		return 0;
	for (i = 4; i < n - 4; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || isdigit((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

static int
migration_cmp(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* Lists dir's migrations into *list (caller frees), sorted; refuses two files of one version. */
static int
migrations_scan(const char *dir, struct migration **list, size_t *n, FILE *out)
{
	DIR		*d;
	struct dirent	*de;
	struct migration *m;
	size_t		 i;
	int		 v, rc = -1;

	*n = 0;
	if ((*list = calloc(MIGRATE_VERSIONS, sizeof **list)) == NULL) {
		fprintf(out, "migrate: out of memory\n");
		return -1;
	}
	if ((d = opendir(dir)) == NULL) {
		fprintf(out, "migrate: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!migration_name_ok(de->d_name))
			continue;
		v = (de->d_name[0] - '0') * 100 + (de->d_name[1] - '0') * 10 +
		    (de->d_name[2] - '0');
		for (i = 0; i < *n; i++)
			if ((*list)[i].version == v) {
				fprintf(out, "migrate: %s and %s have the same version\n",
				    (*list)[i].name, de->d_name);
				goto out;
			}
		/* Distinct three-digit versions: *n < MIGRATE_VERSIONS here. */
		m = &(*list)[(*n)++];
		m->version = v;
		memcpy(m->name, de->d_name, strlen(de->d_name) + 1);
	}
	if (*n == 0) {
		fprintf(out, "migrate: no NNN_name.sql files in %s\n", dir);
		goto out;
	}
	qsort(*list, *n, sizeof **list, migration_cmp);
	rc = 0;
out:
	closedir(d);
	return rc;
}

/* Reads dir/name (a regular file of 1..MIGRATE_FILE_MAX bytes) into *text (caller frees). */
static int
migration_read(const char *dir, const char *name, char **text, size_t *len, FILE *out)
{
	char		 path[PATH_MAX];
	struct stat	 st;
	ssize_t		 r;
	int		 fd = -1, rc = -1, n;

	*text = NULL;
	*len = 0;
	n = snprintf(path, sizeof path, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof path) {
		fprintf(out, "migrate: %s/%s: path too long\n", dir, name);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 || fstat(fd, &st) == -1) {
		fprintf(out, "migrate: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > MIGRATE_FILE_MAX) {
		fprintf(out, "migrate: %s: not a regular file of 1 to %d bytes\n", path,
		    MIGRATE_FILE_MAX);
		goto out;
	}
	if ((*text = malloc((size_t)st.st_size + 1)) == NULL) {
		fprintf(out, "migrate: out of memory\n");
		goto out;
	}
	while (*len < (size_t)st.st_size) {
		r = read(fd, *text + *len, (size_t)st.st_size - *len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(out, "migrate: %s: %s\n", path, r == 0 ? "shrank while reading" :
			    strerror(errno));
			goto out;
		}
		*len += (size_t)r;
	}
	(*text)[*len] = '\0';
	rc = 0;
out:
	if (rc != 0) {
		free(*text);
		*text = NULL;
	}
	if (fd != -1)
		close(fd);
	return rc;
}

/* Takes the named lock; MariaDB releases it by itself if this connection dies. */
static int
migrate_lock(struct db *db, FILE *out)
{
	struct db_res	 res = { 0 };
	const char	*v;
	int		 rc = -1;

	if (db_exec(db, "SELECT GET_LOCK('scrapeq_migrate', ?)",
	    DB_PARAMS(DB_INT(MIGRATE_LOCK_WAIT)), &res) != SQ_OK) {
		fprintf(out, "migrate: cannot take the migration lock (database error)\n");
		goto out;
	}
	v = res.nrows == 1 ? db_str(&res, 0, 0) : NULL;
	if (v == NULL || strcmp(v, "1") != 0) {
		fprintf(out, "migrate: another migration held the lock for %d s; giving up\n",
		    MIGRATE_LOCK_WAIT);
		goto out;
	}
	rc = 0;
out:
	db_res_free(&res);
	return rc;
}

static void
migrate_unlock(struct db *db)
{
	struct db_res	 res = { 0 };

	(void)db_exec(db, "SELECT RELEASE_LOCK('scrapeq_migrate')", NULL, 0, &res);
	db_res_free(&res);
}

/* Marks done[v] for every version schema_migrations records. */
static int
migrations_applied(struct db *db, unsigned char done[MIGRATE_VERSIONS], FILE *out)
{
	struct db_res	 res = { 0 };
	long long	 v;
	size_t		 i;

	if (db_exec(db, "SELECT version FROM schema_migrations ORDER BY version", NULL, 0,
	    &res) != SQ_OK) {
		fprintf(out, "migrate: cannot read schema_migrations (database error)\n");
		return -1;
	}
	for (i = 0; i < res.nrows; i++) {
		v = db_int(&res, i, 0);
		if (v >= 0 && v < MIGRATE_VERSIONS)
			done[v] = 1;
	}
	db_res_free(&res);
	return 0;
}

/* A version the database has but dir does not: a newer scrapeq migrated it. Not fatal. */
static void
migrations_unknown(const unsigned char done[MIGRATE_VERSIONS], const struct migration *list,
    size_t n, const char *dir, FILE *out)
{
	unsigned char	 shipped[MIGRATE_VERSIONS] = { 0 };
	size_t		 i;
	int		 v;

	for (i = 0; i < n; i++)
		shipped[list[i].version] = 1;
	for (v = 0; v < MIGRATE_VERSIONS; v++)
		if (done[v] && !shipped[v])
			fprintf(out, "warning: the database records migration %03d, which %s "
			    "does not have (was it migrated by a newer scrapeq?)\n", v, dir);
}

static int
migration_apply(struct db *db, const char *dir, const struct migration *m, FILE *out)
{
	char		 err[512];
	char		*text = NULL;
	size_t		 len;
	enum sq_err	 rc;
	int		 ret = -1;

	if (migration_read(dir, m->name, &text, &len, out) != 0)
		goto out;
	fprintf(out, "applying %s\n", m->name);
	fflush(out);
	err[0] = '\0';
	if (db_run_script(db, text, len, err, sizeof err) != SQ_OK) {
		fprintf(out, "migrate: %s failed: %s\n", m->name, err[0] ? err : "database error");
		goto out;
	}
	rc = db_exec(db, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
	    DB_PARAMS(DB_INT(m->version), DB_STR(m->name)), NULL);
	if (rc != SQ_OK) {
		fprintf(out, "migrate: %s applied but not recorded: %s\n", m->name,
		    sq_strerror(rc));
		goto out;
	}
	ret = 0;
out:
	free(text);
	return ret;
}

int
migrate_run(struct db *db, const char *dir, FILE *out)
{
	unsigned char	 done[MIGRATE_VERSIONS] = { 0 };
	struct migration *list = NULL;
	size_t		 n = 0, i, applied = 0;
	int		 locked = 0, rc = -1;

	if (migrations_scan(dir, &list, &n, out) != 0)
		goto out;
	if (migrate_lock(db, out) != 0)
		goto out;
	locked = 1;
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INT PRIMARY KEY, name VARCHAR(200), "
	    "applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB",
	    NULL, 0, NULL) != SQ_OK) {
		fprintf(out, "migrate: cannot create schema_migrations (database error)\n");
		goto out;
	}
	if (migrations_applied(db, done, out) != 0)
		goto out;
	migrations_unknown(done, list, n, dir, out);
	for (i = 0; i < n; i++) {
		if (done[list[i].version])
			continue;
		if (migration_apply(db, dir, &list[i], out) != 0)
			goto out;
		applied++;
	}
	if (applied == 0)
		fprintf(out, "schema is up to date (%zu migrations)\n", n);
	else
		fprintf(out, "applied %zu migration(s)\n", applied);
	rc = 0;
out:
	if (locked)
		migrate_unlock(db);
	free(list);
	return rc;
}
