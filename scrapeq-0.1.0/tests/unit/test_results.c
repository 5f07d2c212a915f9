/* test_results.c: the columns= whitelist: parse, order, refusals, and writing it back. */
#include <string.h>

#include "scrapeq/results.h"
#include "tap.h"

struct prow {
	const char	*in;
	enum sq_err	 rc;
	const char	*back;      /* result_cols_format of what was parsed, or the message */
};

static const struct prow prows[] = {
	{ "url", SQ_OK, "url" },
	{ "title,url", SQ_OK, "title,url" },
	{ "url,status_code,content_type,bytes,fetch_ms,depth,title,description,canonical_url,"
	  "links_count,images_count,products_count,products,fields,target_id,created_at", SQ_OK,
	  "url,status_code,content_type,bytes,fetch_ms,depth,title,description,canonical_url,"
	  "links_count,images_count,products_count,products,fields,target_id,created_at" },
	{ "created_at,products,fields", SQ_OK, "created_at,products,fields" },
	{ "", SQ_ERR_BAD_REQUEST, "Invalid columns: must name at least one column" },
	{ "url,", SQ_ERR_BAD_REQUEST, "Invalid columns: empty column name" },
	{ ",url", SQ_ERR_BAD_REQUEST, "Invalid columns: empty column name" },
	{ "url,,title", SQ_ERR_BAD_REQUEST, "Invalid columns: empty column name" },
	{ "nope", SQ_ERR_BAD_REQUEST, "Invalid columns: unknown column 'nope'" },
	{ "url,data", SQ_ERR_BAD_REQUEST, "Invalid columns: unknown column 'data'" },
	{ "url,url_hash", SQ_ERR_BAD_REQUEST, "Invalid columns: unknown column 'url_hash'" },
	{ "id", SQ_ERR_BAD_REQUEST, "Invalid columns: unknown column 'id'" },
	{ "URL", SQ_ERR_BAD_REQUEST, "Invalid columns: unknown column 'URL'" },
	{ " url", SQ_ERR_BAD_REQUEST, "Invalid columns: unknown column ' url'" },
	{ "urls", SQ_ERR_BAD_REQUEST, "Invalid columns: unknown column 'urls'" },
	{ "ur", SQ_ERR_BAD_REQUEST, "Invalid columns: unknown column 'ur'" },
	{ "url,title,url", SQ_ERR_BAD_REQUEST, "Invalid columns: column 'url' given twice" },
	{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	  SQ_ERR_BAD_REQUEST, "Invalid columns: unknown column "
	  "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'" },   /* 64 shown */
};

static void
test_parse(void)
{
	struct result_cols	 cols;
	struct sq_error		 e;
	char			 back[512];
	enum sq_err		 rc;
	size_t			 i;

	for (i = 0; i < sizeof(prows) / sizeof(prows[0]); i++) {
		const struct prow *r = &prows[i];

		memset(&e, 0, sizeof(e));
		rc = result_cols_parse(r->in, &cols, &e);
		if (r->rc == SQ_OK) {
			TAP_CHECK(rc == SQ_OK && result_cols_format(&cols, back, sizeof(back)) == 0 &&
			    strcmp(back, r->back) == 0, "row %zu \"%s\": rc %d got \"%s\"", i, r->in,
			    (int)rc, rc == SQ_OK ? back : e.message);
		} else {
			TAP_CHECK(rc == r->rc && e.code == r->rc && strcmp(e.message, r->back) == 0,
			    "row %zu \"%s\": rc %d \"%s\", want \"%s\"", i, r->in, (int)rc, e.message,
			    r->back);
		}
	}
}

static void
test_all_and_format(void)
{
	struct result_cols	 cols;
	char			 out[512], small[8];
	size_t			 i;

	result_cols_all(&cols);
	TAP_CHECK(cols.n == RESULT_COL__COUNT, "all: %zu columns", cols.n);
	for (i = 0; i < cols.n; i++)
		TAP_CHECK(cols.col[i] == (enum result_col)i, "all: column %zu in order", i);
	TAP_CHECK(result_cols_format(&cols, out, sizeof(out)) == 0 &&
	    strncmp(out, "url,status_code,", 16) == 0, "format all: %s", out);
	TAP_CHECK(result_cols_format(&cols, small, sizeof(small)) == -1, "format: too small is -1");
	TAP_STREQ(result_col_name(RESULT_TARGET_ID), "target_id", "name of target_id");
	TAP_STREQ(result_col_name(RESULT_COL__COUNT), "?", "name out of range");
	TAP_CHECK(result_col_type(RESULT_PRODUCTS) == RESULT_T_JSON, "products is JSON");
	TAP_CHECK(result_col_type(RESULT_FIELDS) == RESULT_T_JSON, "fields is JSON");
	TAP_CHECK(result_col_type(RESULT_BYTES) == RESULT_T_INT, "bytes is an integer");
	TAP_CHECK(result_col_type(RESULT_CREATED_AT) == RESULT_T_TIME, "created_at is a time");
	TAP_CHECK(result_col_type(RESULT_TARGET_ID) == RESULT_T_ID, "target_id is an id");
	for (i = 0; i < RESULT_COL__COUNT; i++)
		TAP_CHECK(strcmp(result_col_name((enum result_col)i), "?") != 0,
		    "column %zu has a name", i);
}

int
main(void)
{
	test_parse();
	test_all_and_format();
	return tap_done("test_results");
}
