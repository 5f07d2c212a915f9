/* test_export.c: the results exporter's rows, header and options, read from the stream's held bytes. */
#include <string.h>

#include "export.h"
#include "tap.h"

/* One row: every column filled, the text ones with what a spreadsheet would run. */
static void
row_fill(struct result_row *row)
{
	size_t i;

	memset(row, 0, sizeof(*row));
	for (i = 0; i < RESULT_COL__COUNT; i++)
		row->c[i].null = 1;
	row->c[RESULT_URL] = (struct result_cell){ 0, "http://x/a,b", 12, 0, { { 0 } } };
	row->c[RESULT_STATUS_CODE] = (struct result_cell){ 0, NULL, 0, 200, { { 0 } } };
	row->c[RESULT_TITLE] = (struct result_cell){ 0, "=1+1 \"q\"", 8, 0, { { 0 } } };
	row->c[RESULT_FIELDS] = (struct result_cell){ 0, "{\"a\": 1}", 8, 0, { { 0 } } };
	row->c[RESULT_CREATED_AT] = (struct result_cell){ 0, "2024-05-06 07:08:09.123456", 26, 0,
	    { { 0 } } };
	row->c[RESULT_TARGET_ID].null = 0;
	row->c[RESULT_TARGET_ID].id.b[15] = 0xab;
}

static void
offset_time(struct jsonw *w, const char *key, const char *db)
{
	jsonw_str(w, key, db != NULL ? "dialect's own" : NULL);
}

struct xrow {
	enum export_format	 format;
	const char		*columns;
	unsigned		 csv_flags;
	export_time_fn		 json_time;
	const char		*want;    /* held bytes after one row */
};

static const struct xrow xrows[] = {
	{ EXPORT_CSV, "url,status_code,title,description", CSV_GUARD_FORMULAS, NULL,
	  "url,status_code,title,description\r\n\"http://x/a,b\",200,\"'=1+1 \"\"q\"\"\",\r\n" },
	{ EXPORT_CSV, "title", 0, NULL, "title\r\n\"=1+1 \"\"q\"\"\"\r\n" },
	{ EXPORT_CSV, "created_at,fields,target_id", CSV_GUARD_FORMULAS, NULL,
	  "created_at,fields,target_id\r\n2024-05-06T07:08:09Z,\"{\"\"a\"\": 1}\","
	  "tgt_000000000000000000000000000000ab\r\n" },
	{ EXPORT_JSON, "title,url,description", 0, NULL,
	  "{\"title\":\"=1+1 \\\"q\\\"\",\"url\":\"http://x/a,b\",\"description\":null}" },
	{ EXPORT_JSON, "created_at,fields,target_id,status_code", 0, NULL,
	  "{\"created_at\":\"2024-05-06T07:08:09Z\",\"fields\":{\"a\": 1},"
	  "\"target_id\":\"tgt_000000000000000000000000000000ab\",\"status_code\":200}" },
	{ EXPORT_JSON, "created_at", 0, offset_time, "{\"created_at\":\"dialect's own\"}" },
};

static void
test_rows(void)
{
	struct req		 r;
	struct export		 x;
	struct export_opts	 o;
	struct result_cols	 cols;
	struct result_row	 row;
	struct sq_error		 e;
	size_t			 i;

	memset(&r, 0, sizeof(r));
	row_fill(&row);
	for (i = 0; i < sizeof(xrows) / sizeof(xrows[0]); i++) {
		const struct xrow *t = &xrows[i];

		TAP_CHECK(result_cols_parse(t->columns, &cols, &e) == SQ_OK, "row %zu: columns", i);
		o = (struct export_opts){ t->format, &cols, t->csv_flags, "job_x.csv", t->json_time };
		export_begin(&x, &r, &o);
		TAP_CHECK(export_row(&x, &row) == 0, "row %zu: export_row", i);
		TAP_CHECK(x.s.b.len == strlen(t->want) && memcmp(x.s.b.data, t->want, x.s.b.len) == 0,
		    "row %zu: got [%.*s], want [%s]", i, (int)x.s.b.len, x.s.b.data, t->want);
		TAP_CHECK(!x.s.started, "row %zu: held, nothing sent", i);
		req_stream_drop(&x.s);
	}
}

static void
test_begin_finish(void)
{
	struct req		 r;
	struct export		 x;
	struct export_opts	 o;
	struct result_cols	 cols;
	struct sq_error		 e;

	memset(&r, 0, sizeof(r));
	result_cols_all(&cols);
	o = (struct export_opts){ EXPORT_CSV, &cols, CSV_GUARD_FORMULAS, "sample-1.csv", NULL };
	export_begin(&x, &r, &o);
	TAP_STREQ(x.s.ctype, "text/csv; charset=utf-8", "csv type");
	TAP_STREQ(x.s.extra_header, "Content-Disposition: attachment; filename=\"sample-1.csv\"",
	    "csv disposition");
	TAP_CHECK(x.s.b.len > 0 && memcmp(x.s.b.data, "url,status_code,", 16) == 0,
	    "csv header first");
	/* An error before anything went out is the dialect's to answer. */
	memset(&e, 0, sizeof(e));
	TAP_CHECK(export_finish(&x, sq_fail(&e, SQ_ERR_NOT_FOUND, "Job not found"), &e) ==
	    SQ_ERR_NOT_FOUND, "csv: a held error goes back");

	o.format = EXPORT_JSON;
	export_begin(&x, &r, &o);
	TAP_STREQ(x.s.ctype, "application/json", "json type");
	TAP_CHECK(x.s.extra_header == NULL && x.s.b.len == 0, "json: no header, nothing written");
	jsonw_object(&x.w, NULL);       /* an envelope left open is a document not whole */
	memset(&e, 0, sizeof(e));
	TAP_CHECK(export_finish(&x, SQ_OK, &e) == SQ_ERR_INTERNAL, "json: not whole is a 500");
}

static void
test_parse(void)
{
	static const struct {
		const char		*qs;
		enum export_format	 f;
		enum sq_err		 rc;
		long long		 limit;
	} rows[] = {
		{ "", EXPORT_JSON, SQ_OK, SQ_RESULTS_LIMIT_DEFAULT },
		{ "", EXPORT_CSV, SQ_OK, -1 },
		{ "limit=5", EXPORT_CSV, SQ_OK, 5 },
		{ "limit=5", EXPORT_JSON, SQ_OK, 5 },
		{ "limit=0", EXPORT_CSV, SQ_ERR_BAD_REQUEST, 0 },
		{ "limit=1001", EXPORT_JSON, SQ_ERR_BAD_REQUEST, 0 },
	};
	struct query		 q;
	struct rows_window	 win;
	struct sq_error		 e;
	enum export_format	 f;
	char			 err[128];
	size_t			 i;

	TAP_CHECK(export_format_parse(NULL, &f, &e) == SQ_OK && f == EXPORT_JSON, "format absent");
	TAP_CHECK(export_format_parse("json", &f, &e) == SQ_OK && f == EXPORT_JSON, "format json");
	TAP_CHECK(export_format_parse("csv", &f, &e) == SQ_OK && f == EXPORT_CSV, "format csv");
	TAP_CHECK(export_format_parse("CSV", &f, &e) == SQ_ERR_BAD_REQUEST &&
	    strcmp(e.message, "Invalid format: must be json or csv") == 0, "format CSV refused");
	TAP_CHECK(export_format_parse("", &f, &e) == SQ_ERR_BAD_REQUEST, "format empty refused");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum sq_err rc;

		memset(&q, 0, sizeof(q));
		TAP_CHECK(query_parse(&q, rows[i].qs, strlen(rows[i].qs), err, sizeof(err)) == 0,
		    "window %zu: query", i);
		rc = export_window_parse(&q, rows[i].f, &win, &e);
		TAP_CHECK(rc == rows[i].rc && (rc != SQ_OK || (win.limit == rows[i].limit &&
		    win.offset == 0)), "window %zu \"%s\": rc %d limit %lld", i, rows[i].qs,
		    (int)rc, win.limit);
		query_free(&q);
	}
}

int
main(void)
{
	test_rows();
	test_begin_finish();
	test_parse();
	return tap_done("test_export");
}
