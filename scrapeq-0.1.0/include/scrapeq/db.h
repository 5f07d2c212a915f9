/* db.h: one MariaDB connection with its prepared-statement cache; every query goes through here. */
#ifndef SCRAPEQ_DB_H
#define SCRAPEQ_DB_H

#include <stddef.h>
#include <string.h>
#include "config.h"
#include "err.h"

struct db;

enum db_ptype { DBP_NULL, DBP_INT, DBP_DOUBLE, DBP_STR };

/* One bound parameter. Strings are not copied: they must outlive the db_exec call. */
struct db_param {
	enum db_ptype	 t;
	long long	 i;
	double		 d;
	const char	*p;
	size_t		 n;
};

#define DB_NUL       ((struct db_param){ .t = DBP_NULL })
#define DB_INT(x)    ((struct db_param){ .t = DBP_INT, .i = (long long)(x) })
#define DB_DBL(x)    ((struct db_param){ .t = DBP_DOUBLE, .d = (double)(x) })
#define DB_STR(s)    db_param_str(s)   /* NULL binds SQL NULL */
#define DB_STRN(s, l) ((struct db_param){ .t = DBP_STR, .p = (const char *)(s), .n = (l) })

static inline struct db_param
db_param_str(const char *s)
{
	struct db_param p = { .t = s ? DBP_STR : DBP_NULL, .p = s, .n = s ? strlen(s) : 0 };

	return p;
}

/* A fully fetched result: nrows x ncols cells, NULL for SQL NULL, every cell NUL-terminated. */
struct db_res {
	size_t	  nrows;
	size_t	  ncols;
	char	**cell;
	size_t	 *len;
};

/*
 * Creates a connection handle for c (copied pointer: c must outlive it). Does not
 * connect; db_exec connects on demand. Returns NULL only when out of memory.
 * Sessions run at READ COMMITTED, time_zone '+00:00', strict sql_mode, utf8mb4.
 */
struct db *db_new(const struct config *c);
void	db_free(struct db *);                 /* closes; NULL ok */

/*
 * Connects if not connected. Returns SQ_OK or SQ_ERR_DB_DOWN (the detail is logged,
 * at most once per outage). A refused or missing socket fails at once; an
 * unresponsive server fails after config db_connect_timeout.
 */
enum sq_err db_connect(struct db *);

/*
 * Prepares sql (cached per connection, keyed by the sql pointer: pass string
 * literals), binds n params, executes. With res != NULL the rows are fetched into
 * *res (free with db_res_free). Returns SQ_OK; SQ_ERR_DB_DOWN when the server is
 * gone (the connection is dropped and the next call reconnects); SQ_ERR_CONFLICT on
 * a duplicate key; SQ_ERR_DB otherwise (driver text logged, never returned).
 * db_errno() tells the server error number of the last failure (1213 = deadlock).
 */
enum sq_err db_exec(struct db *, const char *sql, const struct db_param *params,
	    size_t n, struct db_res *res);

/*
 * Like db_exec, but hands each row to fn as it arrives instead of keeping them:
 * row holds one row (nrows == 1; valid only during the call). fn returns 0 to go on,
 * non-zero to stop (the rest of the result is discarded). Memory stays bounded by
 * one row, so a 100,000-row result streams. Returns SQ_OK or as db_exec.
 */
typedef int (*db_row_fn)(void *arg, const struct db_res *row);
enum sq_err db_exec_each(struct db *, const char *sql, const struct db_param *params,
	    size_t n, db_row_fn fn, void *arg);

#define DB_PARAMS(...) ((const struct db_param[]){ __VA_ARGS__ }), \
	(sizeof((const struct db_param[]){ __VA_ARGS__ }) / sizeof(struct db_param))

unsigned long long db_affected(const struct db *);   /* rows changed by the last db_exec */
unsigned long long db_insert_id(const struct db *);  /* AUTO_INCREMENT id of the last insert */
unsigned	db_errno(const struct db *);

/* Transactions. begin on a dead connection reconnects first. rollback never fails loudly. */
enum sq_err db_begin(struct db *);
enum sq_err db_commit(struct db *);
void	db_rollback(struct db *);

/*
 * Runs a multi-statement script (a migration file shipped with scrapeq, never client
 * input) outside the prepared-statement path. Returns SQ_OK or SQ_ERR_DB; when err is
 * not NULL it receives the driver text (for the sysadmin's terminal, not for clients).
 */
enum sq_err db_run_script(struct db *, const char *sql, size_t len, char *err, size_t errsz);

void	db_res_free(struct db_res *);         /* NULL ok; leaves *res empty */
/* Cell accessors: NULL / 0 for SQL NULL or out of range. */
const char *db_str(const struct db_res *, size_t row, size_t col);
long long db_int(const struct db_res *, size_t row, size_t col);

/*
 * A set of job (or other) ids as a table in one statement: bind a JSON array of UUID
 * strings as its ?, and its rows are t.id. Set-at-a-time work over a batch uses it
 * instead of one statement per id.
 */
#define DB_IDS_TABLE "JSON_TABLE(?, '$[*]' COLUMNS (id VARCHAR(36) PATH '$')) AS t"
struct buf;
/* Writes the first column of r's rows into b as a JSON array of strings. 0, or -1 out of memory. */
int	db_res_ids_json(const struct db_res *r, struct buf *b);

#endif
