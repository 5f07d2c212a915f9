/* test_handler_output.c: a handler's printed output read: progress lines, result text, and the one-JSON-value verdict. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "handler_output.h"
#include "tap.h"

struct hrow {
	const char		*out;
	size_t			 len;
	const char		*progress;   /* every progress line read, "N text|" each */
	enum handler_verdict	 verdict;
};

#define L(s) s, sizeof(s) - 1

static const struct hrow rows[] = {
	{ L(""), "", HANDLER_OUTPUT_OK },
	{ L("  \n\t\n"), "", HANDLER_OUTPUT_OK },
	{ L("{\"a\":1}\n"), "", HANDLER_OUTPUT_OK },
	{ L("{\"a\":1}"), "", HANDLER_OUTPUT_OK },                       /* no final LF */
	{ L("1"), "", HANDLER_OUTPUT_OK },                               /* a number at the very end */
	{ L("\n[1,\n 2]\n\n"), "", HANDLER_OUTPUT_OK },
	{ L("progress 50 half way\n{\"ok\":true}\n"), "50 half way|", HANDLER_OUTPUT_OK },
	{ L("progress 0\nprogress 100   done\n"), "0 |100 done|", HANDLER_OUTPUT_OK },
	{ L("progress 7 last"), "7 last|", HANDLER_OUTPUT_OK },           /* last line, no LF */
	{ L("progress 101\n"), "", HANDLER_OUTPUT_NOT_JSON },             /* out of range: text */
	{ L("progress 05\n"), "", HANDLER_OUTPUT_NOT_JSON },              /* leading zero */
	{ L("progress -1\n"), "", HANDLER_OUTPUT_NOT_JSON },
	{ L("progress\n"), "", HANDLER_OUTPUT_NOT_JSON },
	{ L("Progress 5\n"), "", HANDLER_OUTPUT_NOT_JSON },
	{ L("null\n"), "", HANDLER_OUTPUT_NOT_JSON },
	{ L("{\"a\":\n"), "", HANDLER_OUTPUT_NOT_JSON },
	/* Found writing fuzz_handler_output's model: json-c's reader stopped after the
	 * first value, so these completed with it and the rest was dropped. */
	{ L("{\"a\":1}\n{\"b\":2}\n"), "", HANDLER_OUTPUT_NOT_JSON },
	{ L("{} trailing\n"), "", HANDLER_OUTPUT_NOT_JSON },
	{ L("1 2\n"), "", HANDLER_OUTPUT_NOT_JSON },
	{ L("[1]\0junk\n"), "", HANDLER_OUTPUT_NOT_JSON },                /* a NUL inside */
	{ L("progress 5 a\0b\n"), "", HANDLER_OUTPUT_NOT_JSON },          /* a NUL: not progress */
};

static void
got(void *arg, int pct, const char *text)
{
	buf_printf(arg, "%d %s|", pct, text);
}

static void
test_rows(void)
{
	struct handler_output	 o;
	struct buf		 p;
	size_t			 i, k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		/* Whole, then one byte at a time: the same. */
		for (k = 0; k < 2; k++) {
			size_t at;

			handler_output_init(&o, 1024);
			buf_init(&p, 0);
			if (k == 0)
				handler_output_feed(&o, rows[i].out, rows[i].len, got, &p);
			else
				for (at = 0; at < rows[i].len; at++)
					handler_output_feed(&o, rows[i].out + at, 1, got, &p);
			handler_output_end(&o, got, &p);
			TAP_CHECK(strcmp(p.data ? p.data : "", rows[i].progress) == 0,
			    "row %zu/%zu: progress [%s], want [%s]", i, k, p.data ? p.data : "",
			    rows[i].progress);
			TAP_CHECK(handler_output_verdict(&o) == rows[i].verdict,
			    "row %zu/%zu: verdict %d, want %d", i, k, handler_output_verdict(&o),
			    rows[i].verdict);
			buf_free(&p);
			handler_output_free(&o);
		}
	}
}

/*
 * Found writing fuzz_handler_output's model: the tail of a line longer than HANDLER_LINE_MAX was
 * read as a line of its own, so it could set progress. All of such a line is text.
 */
static void
test_overlong(void)
{
	struct handler_output	 o;
	struct buf		 p;
	char			*line;
	size_t			 n = HANDLER_LINE_MAX + 11;

	line = malloc(n + 1);
	memset(line, 'x', HANDLER_LINE_MAX);
	memcpy(line + HANDLER_LINE_MAX, "progress 5\n", 11);
	handler_output_init(&o, 2 * n);
	buf_init(&p, 0);
	handler_output_feed(&o, line, n, got, &p);
	handler_output_end(&o, got, &p);
	TAP_CHECK(p.len == 0, "over-long: progress [%s]", p.data);
	TAP_CHECK(o.result.len == n && memcmp(o.result.data, line, n) == 0,
	    "over-long: result %zu bytes, want %zu", o.result.len, n);
	buf_free(&p);
	handler_output_free(&o);

	/* A progress line of exactly HANDLER_LINE_MAX bytes is still one. */
	memset(line, ' ', HANDLER_LINE_MAX);
	memcpy(line, "progress 9 ", 11);
	line[HANDLER_LINE_MAX - 1] = 'z';
	line[HANDLER_LINE_MAX] = '\n';
	handler_output_init(&o, 64);
	buf_init(&p, 0);
	handler_output_feed(&o, line, HANDLER_LINE_MAX + 1, got, &p);
	TAP_CHECK(p.data != NULL && strcmp(p.data, "9 z|") == 0 && o.result.len == 0,
	    "line of HANDLER_LINE_MAX: progress [%s]", p.data ? p.data : "");
	buf_free(&p);
	handler_output_free(&o);
	free(line);
}

static void
test_cap(void)
{
	struct handler_output	 o;
	struct buf		 p;

	handler_output_init(&o, 8);
	buf_init(&p, 0);
	handler_output_feed(&o, L("[1,2,3,4,5]\n"), got, &p);
	handler_output_end(&o, got, &p);
	TAP_CHECK(handler_output_verdict(&o) == HANDLER_OUTPUT_TOO_LARGE &&
	    handler_output_json(&o) == NULL, "cap: verdict %d", handler_output_verdict(&o));
	buf_free(&p);
	handler_output_free(&o);
}

int
main(void)
{
	test_rows();
	test_overlong();
	test_cap();
	return tap_done("test_handler_output");
}
