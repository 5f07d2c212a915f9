/* test_buf.c: the capped buffer and JSON string escaping, including truncation rows. */
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/timefmt.h"
#include "tap.h"

static const struct {
	const char	*in;
	size_t		 len;
	const char	*want;
} esc_rows[] = {
	{ "plain", 5, "\"plain\"" },
	{ "a\"b\\c", 5, "\"a\\\"b\\\\c\"" },
	{ "nl\n", 3, "\"nl\\u000a\"" },
	{ "nul\0x", 5, "\"nul\\u0000x\"" },
	{ "caf\xc3\xa9", 5, "\"caf\xc3\xa9\"" },
	{ "bad\xff", 4, "\"bad\\ufffd\"" },
	{ "trunc\xc3", 6, "\"trunc\\ufffd\"" },
	{ "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" },       /* surrogate */
	{ "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },                   /* overlong */
	{ "\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"" },         /* emoji */
	{ "", 0, "\"\"" },
};

static const struct {
	const char	*db;
	int		 ms;
	const char	*want;
} time_rows[] = {
	{ "2024-01-15 10:30:00.123456", 0, "2024-01-15T10:30:00Z" },
	{ "2024-01-15 10:30:00.123456", 1, "2024-01-15T10:30:00.123Z" },
	{ "2024-01-15 10:30:00", 1, "2024-01-15T10:30:00Z" },
	{ "2024-01-15", 0, NULL },
	{ "2024-01-15X10:30:00", 0, NULL },
	{ "20a4-01-15 10:30:00", 0, NULL },
};

static const struct {
	long long	 v;
	const char	*want;
} int_rows[] = {
	{ 0, "0" }, { 7, "7" }, { -7, "-7" }, { 10, "10" }, { -10, "-10" },
	{ 2147483647LL, "2147483647" }, { 9223372036854775807LL, "9223372036854775807" },
	{ -9223372036854775807LL - 1, "-9223372036854775808" },
};

int
main(void)
{
	struct buf	 b;
	char		 t[TIMEFMT_MAX];
	size_t		 i;

	for (i = 0; i < sizeof(esc_rows) / sizeof(esc_rows[0]); i++) {
		buf_init(&b, 0);
		TAP_CHECK(buf_json_str(&b, esc_rows[i].in, esc_rows[i].len) == 0, "escape row %zu", i);
		TAP_STREQ(b.data, esc_rows[i].want, "escape");
		buf_free(&b);
	}
	buf_init(&b, 8);
	TAP_CHECK(buf_puts(&b, "12345678") == 0 && b.len == 8, "fills to the cap");
	TAP_CHECK(buf_putc(&b, 'x') == -1 && b.oom, "one past the cap fails");
	TAP_CHECK(buf_puts(&b, "") == -1 && b.len == 8, "stays failed, keeps content");
	buf_reset(&b);
	TAP_CHECK(b.len == 0 && !b.oom && buf_printf(&b, "%d-%s", 42, "ab") == 0, "reset");
	TAP_STREQ(b.data, "42-ab", "printf");
	TAP_CHECK(buf_printf(&b, "%s", "toolong") == -1, "printf past the cap fails");
	buf_free(&b);
	buf_free(NULL);
	for (i = 0; i < sizeof(int_rows) / sizeof(int_rows[0]); i++) {
		buf_init(&b, 0);
		TAP_CHECK(buf_putint(&b, int_rows[i].v) == 0, "putint row %zu", i);
		TAP_STREQ(b.data, int_rows[i].want, "putint");
		buf_free(&b);
	}
	buf_init(&b, 3);
	TAP_CHECK(buf_putint(&b, 123) == 0 && buf_putint(&b, 4) == -1 && b.oom, "putint past the cap fails");
	TAP_CHECK(buf_printf(&b, "%d", 5) == -1 && b.len == 3 && strcmp(b.data, "123") == 0,
	    "printf after a failure keeps the content");
	buf_free(&b);
	buf_init(&b, 0);
	buf_puts(&b, "ab");
	for (i = 0; i < 100; i++)
		buf_printf(&b, "%s%03zu", "x", i);
	TAP_CHECK(b.len == 402 && strncmp(b.data + 398, "x099", 4) == 0 && b.data[402] == '\0',
	    "printf fills the room and grows past it");
	buf_free(&b);
	buf_init(&b, 0);
	for (i = 0; i < 10000; i++)
		buf_puts(&b, "0123456789");
	TAP_CHECK(b.len == 100000 && !b.oom && strlen(b.data) == 100000, "grows");
	buf_free(&b);
	for (i = 0; i < sizeof(time_rows) / sizeof(time_rows[0]); i++) {
		int ok = timefmt_rfc3339(time_rows[i].db, time_rows[i].ms, t) == 0;

		TAP_CHECK(ok == (time_rows[i].want != NULL), "timefmt(%s)", time_rows[i].db);
		if (ok && time_rows[i].want)
			TAP_STREQ(t, time_rows[i].want, time_rows[i].db);
	}
	return tap_done("test_buf");
}
