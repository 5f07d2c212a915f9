/* results.h: a job's result rows, read by a member of its project: a page, or all of them streamed. */
#ifndef SCRAPEQ_RESULTS_H
#define SCRAPEQ_RESULTS_H

#include <stddef.h>
#include "auth.h"
#include "db.h"
#include "err.h"
#include "pagination.h"
#include "uuid.h"

/* The fields a client may pick (columns=), in their default order. */
enum result_col {
	RESULT_URL,
	RESULT_STATUS_CODE,
	RESULT_CONTENT_TYPE,
	RESULT_BYTES,
	RESULT_FETCH_MS,
	RESULT_DEPTH,
	RESULT_TITLE,
	RESULT_DESCRIPTION,
	RESULT_CANONICAL_URL,
	RESULT_LINKS_COUNT,
	RESULT_IMAGES_COUNT,
	RESULT_PRODUCTS_COUNT,
	RESULT_PRODUCTS,        /* JSON array [{name, price, currency}] */
	RESULT_FIELDS,          /* JSON object {selector name: value} */
	RESULT_TARGET_ID,
	RESULT_CREATED_AT,
	RESULT_COL__COUNT
};

/* How a column's value is to be read. */
enum result_type {
	RESULT_T_TEXT,          /* s: UTF-8 text */
	RESULT_T_INT,           /* i */
	RESULT_T_JSON,          /* s: JSON text MariaDB checked (JSON_VALID) */
	RESULT_T_ID,            /* id */
	RESULT_T_TIME           /* s: DATETIME(6) text, UTC */
};

/* The column's name as the API spells it ("status_code"), and its type. */
const char *result_col_name(enum result_col);
enum result_type result_col_type(enum result_col);

/* A choice of columns, in the order the client wants them. */
struct result_cols {
	enum result_col	 col[RESULT_COL__COUNT];
	size_t		 n;
};

/* Every column, in the default order. */
void	result_cols_all(struct result_cols *);

/*
 * Parses a comma-separated list of column names ("url,title"). Refuses with
 * SQ_ERR_BAD_REQUEST and a message naming the parameter and the offending name: an
 * unknown name, one given twice, an empty name. The order given is kept.
 */
enum sq_err result_cols_parse(const char *list, struct result_cols *out,
	    struct sq_error *e);

/* Writes the list back as the parser takes it ("url,title") into out; 0, or -1 if it does not fit. */
int	result_cols_format(const struct result_cols *, char *out, size_t outsz);

/* One value; null set for SQL NULL (then s is NULL, i 0). */
struct result_cell {
	int		 null;
	const char	*s;
	size_t		 len;
	long long	 i;
	struct uuid	 id;
};

/* One result row, indexed by enum result_col. Valid only during the callback. */
struct result_row {
	struct result_cell c[RESULT_COL__COUNT];
};

/* Called once per row, in results.id order. Returns 0 to go on, non-zero to stop. */
typedef int (*result_row_fn)(void *arg, const struct result_row *);

/*
 * Reads the rows of job that win selects, oldest first (by results.id, so a page of
 * a finished job is always the same rows), handing each to fn as it arrives: memory
 * stays bounded by one row, whatever win->limit (-1: every row after the offset).
 * Only the columns in cols are filled; the JSON columns are read only when chosen.
 * total (may be NULL: not counted) receives the job's row count, read before the rows.
 *
 * Returns SQ_ERR_NOT_FOUND, before any row, unless who is a member of the job's
 * project. A database error may come after some rows were handed out; fn returning
 * non-zero stops the read and is SQ_OK.
 */
enum sq_err results_read(struct db *, const struct principal *who, const struct uuid *job,
	    const struct rows_window *win, const struct result_cols *cols,
	    result_row_fn fn, void *arg, long long *total, struct sq_error *e);

/*
 * As results_read, for the rows a sampling job (seed 004) drew: in (round, ordinal)
 * order, out of its sample_rows; *total counts them. SQ_ERR_NOT_FOUND unless who is a
 * member of the sampling job's project.
 */
enum sq_err results_read_sample(struct db *, const struct principal *who,
	    const struct uuid *sample_job, const struct rows_window *win,
	    const struct result_cols *cols, result_row_fn fn, void *arg, long long *total,
	    struct sq_error *e);

#endif
