/* export.c: the one writer of result rows for every dialect: JSON objects or CSV records, streamed. */
#include <stdio.h>
#include <string.h>

#include "scrapeq/timefmt.h"
#include "export.h"

enum sq_err
export_format_parse(const char *s, enum export_format *out, struct sq_error *e)
{
	if (s == NULL || strcmp(s, "json") == 0)
		*out = EXPORT_JSON;
	else if (strcmp(s, "csv") == 0)
		*out = EXPORT_CSV;
	else
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid format: must be json or csv");
	return SQ_OK;
}

enum sq_err
export_window_parse(const struct query *q, enum export_format f, struct rows_window *win,
    struct sq_error *e)
{
	/* A CSV export without a limit is the whole result set. */
	return pagination_window_parse(q, f == EXPORT_CSV ? -1 : SQ_RESULTS_LIMIT_DEFAULT,
	    SQ_RESULTS_LIMIT_MAX, SQ_RESULTS_OFFSET_MAX, win, e);
}

/* The JSON spelling of a time when the dialect has none of its own. */
static void
time_rfc3339(struct jsonw *w, const char *key, const char *db)
{
	jsonw_time(w, key, db, 0);
}

/* The CSV's first record: the names of the columns, never formula-guarded (they are ours). */
static void
csv_header(struct csv *c, const struct result_cols *cols)
{
	size_t i;

	for (i = 0; i < cols->n; i++) {
		const char *name = result_col_name(cols->col[i]);

		csv_cell(c, name, strlen(name));
	}
	csv_row_end(c);
}

void
export_begin(struct export *x, struct req *r, const struct export_opts *o)
{
	int n;

	x->format = o->format;
	x->cols = o->cols;
	x->json_time = o->json_time != NULL ? o->json_time : time_rfc3339;
	if (o->format == EXPORT_JSON) {
		req_stream_begin(&x->s, r, 200, "application/json", NULL);
		jsonw_init(&x->w, &x->s.b);
		return;
	}
	n = snprintf(x->disp, sizeof(x->disp),
	    "Content-Disposition: attachment; filename=\"%s\"", o->filename);
	req_stream_begin(&x->s, r, 200, "text/csv; charset=utf-8",
	    n > 0 && (size_t)n < sizeof(x->disp) ? x->disp : NULL);
	csv_init(&x->csv, &x->s.b, o->csv_flags);
	csv_header(&x->csv, x->cols);
}

static void
json_cell(struct export *x, enum result_col c, const struct result_cell *v)
{
	const char	*k = result_col_name(c);
	char		 t[ID_STR_MAX];

	if (v->null) {
		jsonw_null(&x->w, k);
		return;
	}
	switch (result_col_type(c)) {
	case RESULT_T_INT:
		jsonw_int(&x->w, k, v->i);
		break;
	case RESULT_T_JSON:
		jsonw_raw(&x->w, k, v->s);
		break;
	case RESULT_T_ID:
		id_format(ID_PREFIX_TARGET, &v->id, t, sizeof(t));
		jsonw_str(&x->w, k, t);
		break;
	case RESULT_T_TIME:
		x->json_time(&x->w, k, v->s);
		break;
	default:
		jsonw_str(&x->w, k, v->s);
		break;
	}
}

/* One CSV cell (RFC 4180); only text from the pages goes through the formula guard. */
static void
csv_value(struct csv *c, enum result_col col, const struct result_cell *v)
{
	char t[TIMEFMT_MAX > ID_STR_MAX ? TIMEFMT_MAX : ID_STR_MAX];

	if (v->null) {
		csv_cell(c, NULL, 0);
		return;
	}
	switch (result_col_type(col)) {
	case RESULT_T_INT:
		csv_int(c, v->i);
		break;
	case RESULT_T_JSON:
		csv_cell(c, v->s, v->len);      /* starts with [ or {: no formula */
		break;
	case RESULT_T_ID:
		id_format(ID_PREFIX_TARGET, &v->id, t, sizeof(t));
		csv_cell(c, t, strlen(t));
		break;
	case RESULT_T_TIME:
		if (timefmt_rfc3339(v->s, 0, t) == 0)
			csv_cell(c, t, strlen(t));
		else
			csv_cell(c, NULL, 0);
		break;
	default:
		csv_text(c, v->s, v->len);
		break;
	}
}

int
export_row(void *arg, const struct result_row *row)
{
	struct export	*x = arg;
	size_t		 i;

	if (x->format == EXPORT_CSV) {
		for (i = 0; i < x->cols->n; i++)
			csv_value(&x->csv, x->cols->col[i], &row->c[x->cols->col[i]]);
		csv_row_end(&x->csv);
		return req_stream_flush(&x->s);
	}
	jsonw_object(&x->w, NULL);
	for (i = 0; i < x->cols->n; i++)
		json_cell(x, x->cols->col[i], &row->c[x->cols->col[i]]);
	jsonw_end(&x->w);
	return req_stream_flush(&x->s);
}

enum sq_err
export_finish(struct export *x, enum sq_err rc, struct sq_error *e)
{
	if (rc == SQ_OK && x->format == EXPORT_JSON && jsonw_failed(&x->w))
		rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	return req_stream_finish(&x->s, rc, e);
}
