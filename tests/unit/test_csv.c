/* test_csv.c: RFC 4180 cells (quoting, doubled quotes, CRLF, NULL vs empty) and the formula guard. */
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/csv.h"
#include "tap.h"

struct crow {
	const char	*in;       /* NULL: a NULL cell */
	size_t		 len;
	unsigned	 flags;
	int		 text;     /* 1: csv_text, 0: csv_cell */
	const char	*want;     /* the row "x,<cell>,y\r\n" with the cell between two plain ones */
};

#define L(s) s, sizeof(s) - 1

static const struct crow crows[] = {
	{ L("plain"), 0, 0, "x,plain,y\r\n" },
	{ L("a,b"), 0, 0, "x,\"a,b\",y\r\n" },
	{ L("say \"hi\""), 0, 0, "x,\"say \"\"hi\"\"\",y\r\n" },
	{ L("\""), 0, 0, "x,\"\"\"\",y\r\n" },
	{ L("\"\""), 0, 0, "x,\"\"\"\"\"\",y\r\n" },
	{ L("line1\nline2"), 0, 0, "x,\"line1\nline2\",y\r\n" },
	{ L("cr\rlf"), 0, 0, "x,\"cr\rlf\",y\r\n" },
	{ L("crlf\r\n"), 0, 0, "x,\"crlf\r\n\",y\r\n" },
	{ L(" spaced "), 0, 0, "x, spaced ,y\r\n" },              /* spaces are data, kept */
	{ L("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), 0, 0,
	    "x,caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80,y\r\n" },
	{ L(""), 0, 0, "x,\"\",y\r\n" },                          /* empty string */
	{ NULL, 0, 0, 0, "x,,y\r\n" },                             /* NULL */
	{ "a\"b,c", 3, 0, 0, "x,\"a\"\"b\",y\r\n" },              /* len, not strlen */
	/* the formula guard, only on csv_text with the flag */
	{ L("=1+2"), 0, 1, "x,=1+2,y\r\n" },
	{ L("=1+2"), CSV_GUARD_FORMULAS, 0, "x,=1+2,y\r\n" },
	{ L("=1+2"), CSV_GUARD_FORMULAS, 1, "x,'=1+2,y\r\n" },
	{ L("+1"), CSV_GUARD_FORMULAS, 1, "x,'+1,y\r\n" },
	{ L("-1"), CSV_GUARD_FORMULAS, 1, "x,'-1,y\r\n" },
	{ L("@SUM(A1)"), CSV_GUARD_FORMULAS, 1, "x,'@SUM(A1),y\r\n" },
	{ L("\tx"), CSV_GUARD_FORMULAS, 1, "x,'\tx,y\r\n" },
	{ L("\rx"), CSV_GUARD_FORMULAS, 1, "x,\"'\rx\",y\r\n" },
	{ L("=HYPERLINK(\"http://e.x\",\"a,b\")"), CSV_GUARD_FORMULAS, 1,
	    "x,\"'=HYPERLINK(\"\"http://e.x\"\",\"\"a,b\"\")\",y\r\n" },
	{ L("a=b"), CSV_GUARD_FORMULAS, 1, "x,a=b,y\r\n" },
	{ L(" =1"), CSV_GUARD_FORMULAS, 1, "x,' =1,y\r\n" },
	/* blanks before = + - @: spreadsheets trim them, so the guard looks past them */
	{ L(" +1"), CSV_GUARD_FORMULAS, 1, "x,' +1,y\r\n" },
	{ L("  -1"), CSV_GUARD_FORMULAS, 1, "x,'  -1,y\r\n" },
	{ L(" @SUM(A1)"), CSV_GUARD_FORMULAS, 1, "x,' @SUM(A1),y\r\n" },
	{ L("\t=1"), CSV_GUARD_FORMULAS, 1, "x,'\t=1,y\r\n" },
	{ L("\r\n=1"), CSV_GUARD_FORMULAS, 1, "x,\"'\r\n=1\",y\r\n" },
	{ L("\n=1"), CSV_GUARD_FORMULAS, 1, "x,\"'\n=1\",y\r\n" },
	{ L("\nx"), CSV_GUARD_FORMULAS, 1, "x,\"'\nx\",y\r\n" },   /* LF alone, like TAB and CR */
	{ L("\v=1"), CSV_GUARD_FORMULAS, 1, "x,'\v=1,y\r\n" },
	{ L("\f+1"), CSV_GUARD_FORMULAS, 1, "x,'\f+1,y\r\n" },
	{ L(" \t \r\n@x"), CSV_GUARD_FORMULAS, 1, "x,\"' \t \r\n@x\",y\r\n" },
	{ L("\xc2\xa0=1"), CSV_GUARD_FORMULAS, 1, "x,'\xc2\xa0=1,y\r\n" },   /* U+00A0 */
	{ L("\xe3\x80\x80=1"), CSV_GUARD_FORMULAS, 1, "x,'\xe3\x80\x80=1,y\r\n" }, /* U+3000 */
	/* the full-width forms, alone or after blanks */
	{ L("\xef\xbc\x9d" "1+2"), CSV_GUARD_FORMULAS, 1, "x,'\xef\xbc\x9d" "1+2,y\r\n" },
	{ L("\xef\xbc\x8b" "1"), CSV_GUARD_FORMULAS, 1, "x,'\xef\xbc\x8b" "1,y\r\n" },
	{ L("\xef\xbc\x8d" "1"), CSV_GUARD_FORMULAS, 1, "x,'\xef\xbc\x8d" "1,y\r\n" },
	{ L(" \xef\xbc\xa0x"), CSV_GUARD_FORMULAS, 1, "x,' \xef\xbc\xa0x,y\r\n" },
	/* not formulas: blanks before something else, other full-width signs, a lone blank */
	{ L(" x=1"), CSV_GUARD_FORMULAS, 1, "x, x=1,y\r\n" },
	{ L(" "), CSV_GUARD_FORMULAS, 1, "x, ,y\r\n" },
	{ L("\xc2\xa0"), CSV_GUARD_FORMULAS, 1, "x,\xc2\xa0,y\r\n" },
	{ L("\xef\xbc\x9e" "1"), CSV_GUARD_FORMULAS, 1, "x,\xef\xbc\x9e" "1,y\r\n" },  /* U+FF1E */
	{ L("\xc2"), CSV_GUARD_FORMULAS, 1, "x,\xc2,y\r\n" },                 /* cut short */
	{ L("\xef\xbc"), CSV_GUARD_FORMULAS, 1, "x,\xef\xbc,y\r\n" },
	{ L(" =1"), 0, 1, "x, =1,y\r\n" },                                /* no flag, no guard */
	{ L(""), CSV_GUARD_FORMULAS, 1, "x,\"\",y\r\n" },
	{ NULL, 0, CSV_GUARD_FORMULAS, 1, "x,,y\r\n" },
};

static void
test_cells(void)
{
	struct buf	 b;
	struct csv	 c;
	size_t		 i;

	for (i = 0; i < sizeof(crows) / sizeof(crows[0]); i++) {
		const struct crow *r = &crows[i];

		buf_init(&b, 0);
		csv_init(&c, &b, r->flags);
		csv_cell(&c, "x", 1);
		if (r->text)
			csv_text(&c, r->in, r->len);
		else
			csv_cell(&c, r->in, r->len);
		csv_cell(&c, "y", 1);
		csv_row_end(&c);
		TAP_CHECK(!b.oom && b.len == strlen(r->want) && memcmp(b.data, r->want, b.len) == 0,
		    "row %zu: got [%s], want [%s]", i, b.data ? b.data : "", r->want);
		buf_free(&b);
	}
}

static void
test_rows(void)
{
	struct buf	 b;
	struct csv	 c;
	const char	*want = "a,1,-7\r\n,,\r\n9223372036854775807\r\n";

	buf_init(&b, 0);
	csv_init(&c, &b, CSV_GUARD_FORMULAS);
	csv_cell(&c, "a", 1);
	csv_int(&c, 1);
	csv_int(&c, -7);                /* numbers are never guarded */
	csv_row_end(&c);
	csv_cell(&c, NULL, 0);
	csv_text(&c, NULL, 0);
	csv_cell(&c, NULL, 0);
	csv_row_end(&c);
	csv_int(&c, 9223372036854775807LL);
	csv_row_end(&c);
	TAP_CHECK(b.data != NULL && strcmp(b.data, want) == 0, "rows: got [%s]", b.data ? b.data : "");
	buf_free(&b);

	/* A capped buffer: the failure sticks, nothing past the cap is written. */
	buf_init(&b, 8);
	csv_init(&c, &b, 0);
	csv_cell(&c, "0123456789", 10);
	csv_row_end(&c);
	TAP_CHECK(b.oom && b.len <= 8, "cap: oom %d len %zu", b.oom, b.len);
	buf_free(&b);
}

int
main(void)
{
	test_cells();
	test_rows();
	return tap_done("test_csv");
}
