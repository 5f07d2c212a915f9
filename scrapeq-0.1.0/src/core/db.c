/* db.c: a MariaDB connection, its prepared-statement cache, and fetch-all results. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "scrapeq/buf.h"
#include "scrapeq/db.h"
#include "scrapeq/log.h"

#define DB_STMT_CACHE   64
#define DB_PARAMS_MAX   48
#define DB_CELL_INIT    64     /* first guess per cell; longer values are fetched again */

struct db_stmt {
	const char	*sql;   /* identity: the caller's string literal */
	MYSQL_STMT	*st;
};

struct db {
	const struct config	*cfg;
	MYSQL			*my;          /* NULL while disconnected */
	struct db_stmt		 cache[DB_STMT_CACHE];
	size_t			 next_evict;
	int			 in_tx;
	int			 down_logged;
	unsigned		 last_errno;
	unsigned long long	 affected;
	unsigned long long	 insert_id;
	unsigned long long	 streamed;     /* rows handed to a db_exec_each callback */
};

/* Session set-up, sent by the driver on every (re)connect. A constant, not input. */
static const char init_sql[] =
    "SET SESSION tx_isolation = 'READ-COMMITTED', time_zone = '+00:00', "
    "sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";

struct db *
db_new(const struct config *c)
{
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->cfg = c;
	return db;
}

static void
db_disconnect(struct db *db)
{
	size_t i;

	for (i = 0; i < DB_STMT_CACHE; i++) {
		if (db->cache[i].st != NULL)
			mysql_stmt_close(db->cache[i].st);
		db->cache[i].st = NULL;
		db->cache[i].sql = NULL;
	}
	if (db->my != NULL)
		mysql_close(db->my);
	db->my = NULL;
	db->in_tx = 0;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db);
}

/* Errors that mean the connection is unusable: drop it, report the database down. */
static int
db_errno_is_gone(unsigned e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
	    e == CR_SERVER_LOST_EXTENDED || e == ER_CONNECTION_KILLED ||
	    e == ER_SERVER_SHUTDOWN || e == CR_COMMANDS_OUT_OF_SYNC;
}

enum sq_err
db_connect(struct db *db)
{
	const struct config *c = db->cfg;
	unsigned	 cto = c->db_connect_timeout ? c->db_connect_timeout : 1;
	unsigned	 rto = 30;
	const char	*sock = c->db_socket[0] ? c->db_socket : NULL;
	const char	*host = sock ? "localhost" : c->db_host;

	if (db->my != NULL)
		return SQ_OK;
	if ((db->my = mysql_init(NULL)) == NULL)
		return SQ_ERR_NOMEM;
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &cto);
	mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &rto);
	mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &rto);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->my, MYSQL_INIT_COMMAND, init_sql);
	if (mysql_real_connect(db->my, host, c->db_user,
	    c->db_password[0] ? c->db_password : NULL, c->db_name,
	    sock ? 0 : c->db_port, sock, 0) == NULL) {
		db->last_errno = mysql_errno(db->my);
		if (!db->down_logged)
			log_err("db: connect: %s", mysql_error(db->my));
		db->down_logged = 1;
		mysql_close(db->my);
		db->my = NULL;
		return SQ_ERR_DB_DOWN;
	}
	if (db->down_logged)
		log_info("db: connected again");
	db->down_logged = 0;
	return SQ_OK;
}

/* Classifies a failure on the connection and logs the driver text. */
static enum sq_err
db_failed(struct db *db, const char *what, unsigned e, const char *text, const char *sql)
{
	db->last_errno = e;
	if (db_errno_is_gone(e)) {
		if (!db->down_logged)
			log_err("db: %s: %s", what, text);
		db->down_logged = 1;
		db_disconnect(db);
		return SQ_ERR_DB_DOWN;
	}
	if (e == ER_DUP_ENTRY)
		return SQ_ERR_CONFLICT;
	if (e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT)
		log_warn("db: %s: %s", what, text);
	else
		log_err("db: %s: %s [%.120s]", what, text, sql);
	return SQ_ERR_DB;
}

static MYSQL_STMT *
db_prepare(struct db *db, const char *sql, enum sq_err *err)
{
	struct db_stmt	*slot = NULL;
	MYSQL_STMT	*st;
	size_t		 i;

	for (i = 0; i < DB_STMT_CACHE; i++) {
		if (db->cache[i].sql == sql)
			return db->cache[i].st;
		if (slot == NULL && db->cache[i].sql == NULL)
			slot = &db->cache[i];
	}
	if (slot == NULL) {
		slot = &db->cache[db->next_evict];
		db->next_evict = (db->next_evict + 1) % DB_STMT_CACHE;
		mysql_stmt_close(slot->st);
		slot->st = NULL;
		slot->sql = NULL;
	}
	if ((st = mysql_stmt_init(db->my)) == NULL) {
		*err = SQ_ERR_NOMEM;
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		*err = db_failed(db, "prepare", mysql_stmt_errno(st), mysql_stmt_error(st), sql);
		mysql_stmt_close(st);
		return NULL;
	}
	slot->sql = sql;
	slot->st = st;
	return st;
}

static void
db_bind_params(MYSQL_BIND *b, const struct db_param *p, size_t n)
{
	size_t i;

	memset(b, 0, sizeof(*b) * n);
	for (i = 0; i < n; i++) {
		switch (p[i].t) {
		case DBP_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&p[i].i;
			break;
		case DBP_DOUBLE:
			b[i].buffer_type = MYSQL_TYPE_DOUBLE;
			b[i].buffer = (void *)&p[i].d;
			break;
		case DBP_STR:
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(p[i].p ? p[i].p : "");
			b[i].buffer_length = (unsigned long)p[i].n;
			break;
		default:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
}

/* Appends one row of the statement's current fetch to res. */
static int
db_take_row(struct db_res *res, MYSQL_STMT *st, MYSQL_BIND *rb, unsigned long *lens,
    my_bool *nulls, char **bufs, size_t ncols)
{
	size_t	 i, base;
	char	**cell;
	size_t	*len;

	base = res->nrows * ncols;
	if ((cell = realloc(res->cell, (base + ncols) * sizeof(*cell))) == NULL)
		return -1;
	res->cell = cell;
	if ((len = realloc(res->len, (base + ncols) * sizeof(*len))) == NULL)
		return -1;
	res->len = len;
	for (i = 0; i < ncols; i++) {
		cell[base + i] = NULL;
		len[base + i] = 0;
	}
	res->nrows++;
	for (i = 0; i < ncols; i++) {
		char *v;

		if (nulls[i])
			continue;
		if ((v = malloc(lens[i] + 1)) == NULL)
			return -1;
		if (lens[i] < DB_CELL_INIT)
			memcpy(v, bufs[i], lens[i]);
		else {
			MYSQL_BIND one = rb[i];

			one.buffer = v;
			one.buffer_length = lens[i] + 1;
			if (mysql_stmt_fetch_column(st, &one, (unsigned)i, 0) != 0) {
				free(v);
				return -1;
			}
		}
		v[lens[i]] = '\0';
		cell[base + i] = v;
		len[base + i] = lens[i];
	}
	return 0;
}

static enum sq_err
db_fetch_all(struct db *db, MYSQL_STMT *st, const char *sql, struct db_res *res,
    db_row_fn fn, void *arg)
{
	MYSQL_RES	*meta;
	MYSQL_BIND	*rb = NULL;
	unsigned long	*lens = NULL;
	my_bool		*nulls = NULL, *errs = NULL;
	char		**bufs = NULL;
	size_t		 ncols, i;
	enum sq_err	 rc = SQ_ERR_NOMEM;
	int		 f;

	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return SQ_OK;                       /* not a SELECT: no rows */
	ncols = mysql_num_fields(meta);
	mysql_free_result(meta);
	res->ncols = ncols;
	rb = calloc(ncols, sizeof(*rb));
	lens = calloc(ncols, sizeof(*lens));
	nulls = calloc(ncols, sizeof(*nulls));
	errs = calloc(ncols, sizeof(*errs));
	bufs = calloc(ncols, sizeof(*bufs));
	if (!rb || !lens || !nulls || !errs || !bufs)
		goto out;
	for (i = 0; i < ncols; i++) {
		if ((bufs[i] = malloc(DB_CELL_INIT)) == NULL)
			goto out;
		rb[i].buffer_type = MYSQL_TYPE_STRING;
		rb[i].buffer = bufs[i];
		rb[i].buffer_length = DB_CELL_INIT;
		rb[i].length = &lens[i];
		rb[i].is_null = &nulls[i];
		rb[i].error = &errs[i];
	}
	if (mysql_stmt_bind_result(st, rb) != 0) {
		rc = db_failed(db, "bind_result", mysql_stmt_errno(st), mysql_stmt_error(st), sql);
		goto out;
	}
	while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
		if (fn != NULL)
			db_res_free(res);               /* keep one row at a time */
		res->ncols = ncols;
		if (db_take_row(res, st, rb, lens, nulls, bufs, ncols) == -1)
			goto out;
		if (fn != NULL)
			db->streamed++;
		if (fn != NULL && fn(arg, res) != 0) {
			f = MYSQL_NO_DATA;
			break;
		}
	}
	if (f == 1) {
		/*
		 * An error packet in the middle of an unbuffered fetch is left on the
		 * connection by libmariadb, not copied to the statement (errno 0, no text).
		 */
		if (mysql_stmt_errno(st) == 0 && db->my != NULL && mysql_errno(db->my) != 0)
			rc = db_failed(db, "fetch", mysql_errno(db->my), mysql_error(db->my), sql);
		else
			rc = db_failed(db, "fetch", mysql_stmt_errno(st), mysql_stmt_error(st), sql);
		goto out;
	}
	rc = SQ_OK;
out:
	if (db->my != NULL)
		mysql_stmt_free_result(st);
	for (i = 0; bufs != NULL && i < ncols; i++)
		free(bufs[i]);
	free(bufs);
	free(errs);
	free(nulls);
	free(lens);
	free(rb);
	if (rc != SQ_OK)
		db_res_free(res);
	return rc;
}

static enum sq_err
db_exec_once(struct db *db, const char *sql, const struct db_param *params, size_t n,
    struct db_res *res, db_row_fn fn, void *arg)
{
	MYSQL_BIND	 pb[DB_PARAMS_MAX];
	MYSQL_STMT	*st;
	enum sq_err	 rc;

	if (n > DB_PARAMS_MAX) {
		log_err("db: %zu parameters exceed DB_PARAMS_MAX", n);
		return SQ_ERR_INTERNAL;
	}
	if ((rc = db_connect(db)) != SQ_OK)
		return rc;
	if ((st = db_prepare(db, sql, &rc)) == NULL)
		return rc;
	if (mysql_stmt_param_count(st) != n) {
		log_err("db: statement wants %lu parameters, got %zu [%.120s]",
		    mysql_stmt_param_count(st), n, sql);
		return SQ_ERR_INTERNAL;
	}
	if (n > 0) {
		db_bind_params(pb, params, n);
		if (mysql_stmt_bind_param(st, pb) != 0)
			return db_failed(db, "bind", mysql_stmt_errno(st), mysql_stmt_error(st), sql);
	}
	if (mysql_stmt_execute(st) != 0)
		return db_failed(db, "execute", mysql_stmt_errno(st), mysql_stmt_error(st), sql);
	db->affected = mysql_stmt_affected_rows(st);
	db->insert_id = mysql_stmt_insert_id(st);
	if (res != NULL)
		return db_fetch_all(db, st, sql, res, fn, arg);
	/* Drain any rows the caller did not ask for, so the connection stays in sync. */
	mysql_stmt_free_result(st);
	return SQ_OK;
}

enum sq_err
db_exec(struct db *db, const char *sql, const struct db_param *params, size_t n,
    struct db_res *res)
{
	enum sq_err	 rc;
	int		 was_connected = db->my != NULL, in_tx = db->in_tx;

	if (res != NULL)
		memset(res, 0, sizeof(*res));
	db->last_errno = 0;
	rc = db_exec_once(db, sql, params, n, res, NULL, NULL);
	/*
	 * A connection that died while idle (the server restarted) is retried once on
	 * a fresh one; inside a transaction the work is lost, so the caller must know.
	 */
	if (rc == SQ_ERR_DB_DOWN && was_connected && !in_tx)
		rc = db_exec_once(db, sql, params, n, res, NULL, NULL);
	return rc;
}

enum sq_err
db_exec_each(struct db *db, const char *sql, const struct db_param *params, size_t n,
    db_row_fn fn, void *arg)
{
	struct db_res	 res;
	enum sq_err	 rc;
	int		 was_connected = db->my != NULL, in_tx = db->in_tx;

	memset(&res, 0, sizeof(res));
	db->last_errno = 0;
	db->streamed = 0;
	rc = db_exec_once(db, sql, params, n, &res, fn, arg);
	/* Retried on a fresh connection only if no row was handed out yet. */
	if (rc == SQ_ERR_DB_DOWN && was_connected && !in_tx && db->streamed == 0)
		rc = db_exec_once(db, sql, params, n, &res, fn, arg);
	db_res_free(&res);
	return rc;
}

unsigned long long
db_affected(const struct db *db)
{
	return db->affected;
}

unsigned long long
db_insert_id(const struct db *db)
{
	return db->insert_id;
}

unsigned
db_errno(const struct db *db)
{
	return db->last_errno;
}

enum sq_err
db_begin(struct db *db)
{
	enum sq_err rc;

	if ((rc = db_exec(db, "START TRANSACTION", NULL, 0, NULL)) == SQ_OK)
		db->in_tx = 1;
	return rc;
}

enum sq_err
db_commit(struct db *db)
{
	if (db->my == NULL)
		return SQ_ERR_DB_DOWN;
	db->in_tx = 0;
	if (mysql_commit(db->my) != 0)
		return db_failed(db, "commit", mysql_errno(db->my), mysql_error(db->my), "COMMIT");
	return SQ_OK;
}

void
db_rollback(struct db *db)
{
	db->in_tx = 0;
	if (db->my != NULL && mysql_rollback(db->my) != 0)
		(void)db_failed(db, "rollback", mysql_errno(db->my), mysql_error(db->my), "ROLLBACK");
}

enum sq_err
db_run_script(struct db *db, const char *sql, size_t len, char *err, size_t errsz)
{
	enum sq_err	 rc;
	int		 status;

	if ((rc = db_connect(db)) != SQ_OK) {
		if (err != NULL)
			snprintf(err, errsz, "cannot connect to the database");
		return rc;
	}
	mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_ON);
	status = mysql_real_query(db->my, sql, (unsigned long)len);
	while (status == 0) {
		MYSQL_RES *r = mysql_store_result(db->my);

		if (r != NULL)
			mysql_free_result(r);
		if ((status = mysql_next_result(db->my)) == -1) {
			status = 0;
			break;
		}
	}
	if (status != 0) {
		if (err != NULL)
			snprintf(err, errsz, "%u: %s", mysql_errno(db->my), mysql_error(db->my));
		db->last_errno = mysql_errno(db->my);
		db_disconnect(db);          /* leave no half-read multi-result state behind */
		return SQ_ERR_DB;
	}
	mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
	return SQ_OK;
}

void
db_res_free(struct db_res *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; res->cell != NULL && i < res->nrows * res->ncols; i++)
		free(res->cell[i]);
	free(res->cell);
	free(res->len);
	memset(res, 0, sizeof(*res));
}

const char *
db_str(const struct db_res *res, size_t row, size_t col)
{
	if (res == NULL || row >= res->nrows || col >= res->ncols)
		return NULL;
	return res->cell[row * res->ncols + col];
}

long long
db_int(const struct db_res *res, size_t row, size_t col)
{
	const char	*s = db_str(res, row, col);
	char		*end;
	long long	 v;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s)
		return 0;
	return v;
}

int
db_res_ids_json(const struct db_res *r, struct buf *b)
{
	size_t i;

	buf_putc(b, '[');
	for (i = 0; i < r->nrows; i++)
		buf_printf(b, "%s\"%s\"", i ? "," : "", db_str(r, i, 0));
	buf_putc(b, ']');
	return b->oom ? -1 : 0;
}
