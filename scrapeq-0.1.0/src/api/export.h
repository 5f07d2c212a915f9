/* export.h: a job's result rows as an API answer: JSON objects or RFC 4180 CSV with a header, streamed. */
#ifndef SCRAPEQ_EXPORT_H
#define SCRAPEQ_EXPORT_H

#include "scrapeq/csv.h"
#include "scrapeq/jsonw.h"
#include "scrapeq/pagination.h"
#include "scrapeq/results.h"
#include "request.h"

enum export_format {
	EXPORT_JSON,
	EXPORT_CSV
};

/*
 * Writes a result's time (DATETIME(6) text, UTC) under key as a dialect spells times
 * in JSON, or null when it is not one.
 */
typedef void (*export_time_fn)(struct jsonw *, const char *key, const char *db);

/* What a dialect asks of an export; read by export_begin, cols kept until the end. */
struct export_opts {
	enum export_format	 format;
	const struct result_cols *cols;       /* the columns, in the client's order */
	unsigned		 csv_flags;   /* CSV_GUARD_FORMULAS, or 0 when the client turned it off */
	const char		*filename;    /* CSV: the attachment's name ("job_<hex>.csv") */
	export_time_fn		 json_time;   /* JSON: NULL writes RFC 3339 with Z, as CSV does */
};

/* One export in progress; it lives on the handler's stack and is not copied once begun. */
struct export {
	struct req_stream	 s;
	struct jsonw		 w;           /* JSON: the dialect writes its envelope here */
	struct csv		 csv;
	enum export_format	 format;
	const struct result_cols *cols;
	export_time_fn		 json_time;
	char			 disp[128];   /* the CSV's Content-Disposition header */
};

/* Parses format= (NULL is json). SQ_ERR_BAD_REQUEST "Invalid format: must be json or csv". */
enum sq_err export_format_parse(const char *s, enum export_format *out, struct sq_error *e);

/*
 * Parses offset= and limit= of q for an export: a JSON page holds
 * SQ_RESULTS_LIMIT_DEFAULT rows unless limit says otherwise, a CSV without a limit
 * is every row. Errors as pagination_window_parse.
 */
enum sq_err export_window_parse(const struct query *q, enum export_format,
	    struct rows_window *win, struct sq_error *e);

/*
 * Begins a 200 answer on r. CSV: text/csv; charset=utf-8 as an attachment named
 * o->filename, its first record the names of the columns. JSON: application/json,
 * nothing written yet: the dialect writes its envelope into x->w and opens the array
 * the rows go in. Then rows come through export_row and the answer ends with
 * export_finish, which frees what x holds.
 */
void	export_begin(struct export *x, struct req *r, const struct export_opts *o);

/*
 * A result_row_fn (arg is the struct export): writes row's chosen cells as one JSON
 * object (NULL as null, integers as numbers, JSON columns as they are, target ids as
 * tgt_<hex>, times through json_time) or one CSV record (as the header: integers as
 * digits, JSON as its text, times as RFC 3339 UTC, text through the formula guard,
 * NULL as an empty cell), then lets the stream send what it holds past
 * SQ_STREAM_HOLD_MAX. Returns 0, or -1 once the client went away (the read stops).
 */
int	export_row(void *arg, const struct result_row *row);

/*
 * Ends the export with the reader's result rc, as req_stream_finish: a JSON document
 * that did not come out whole (the dialect's envelope included) turns SQ_OK into
 * SQ_ERR_INTERNAL. Returns what the handler returns.
 */
enum sq_err export_finish(struct export *x, enum sq_err rc, struct sq_error *e);

#endif
