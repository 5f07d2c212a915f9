/* test_selwire.c: the selector workers' pipe protocol: requests there and back, replies, and every malformed form refused. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scrapeq/limits.h"
#include "scrapeq/selwire.h"
#include "tap.h"

/* A file holding bytes, positioned at its start, to read requests from. */
static int
file_of(const void *p, size_t n)
{
	FILE	*f = tmpfile();
	int	 fd;

	if (f == NULL || (n > 0 && fwrite(p, 1, n, f) != n) || fflush(f) != 0)
		return -1;
	fd = dup(fileno(f));
	fclose(f);
	if (fd == -1 || lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	return fd;
}

static void
le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* A request encoded and read back, twice in a row, then the end of input. */
static void
test_roundtrip(void)
{
	char			 longx[EXTRACT_XPATH_MAX + 2], longu[EXTRACT_URL_MAX + 2];
	struct extract_selector	 sel[4] = {
		{ "a", "//h1" }, { "b", NULL }, { "c", longx }, { "d", "count(//p)" },
	};
	struct selwire_request	 r;
	struct buf		 b;
	int			 fd, rc;

	memset(longx, 'x', sizeof(longx) - 1);
	longx[sizeof(longx) - 1] = '\0';
	memset(longu, 'u', sizeof(longu) - 1);
	longu[sizeof(longu) - 1] = '\0';
	buf_init(&b, SELWIRE_REQUEST_MAX);
	TAP_CHECK(selwire_request_put(&b, 2000, "http://e.test/p", "<p>x</p>", 8, sel, 4) == 0,
	    "put a request");
	TAP_CHECK(selwire_request_put(&b, SQ_SELECTOR_CPU_MS_MIN, longu, NULL, 0, NULL, 0) == 0,
	    "put a request without selectors or body, with a URL too long");
	if ((fd = file_of(b.data, b.len)) == -1) {
		TAP_FAIL("tmpfile");
		buf_free(&b);
		return;
	}
	rc = selwire_request_read(fd, &r);
	TAP_CHECK(rc == 1 && r.cpu_ms == 2000 && r.nsel == 4, "read: rc %d cpu %u nsel %zu", rc,
	    r.cpu_ms, r.nsel);
	if (rc == 1) {
		TAP_STREQ(r.url, "http://e.test/p", "url");
		TAP_STREQ(r.xpath[0], "//h1", "xpath 0");
		TAP_STREQ(r.xpath[1], "", "a NULL expression goes as \"\"");
		TAP_STREQ(r.xpath[2], "", "an expression past EXTRACT_XPATH_MAX goes as \"\"");
		TAP_STREQ(r.xpath[3], "count(//p)", "xpath 3");
		TAP_CHECK(r.len == 8 && memcmp(r.body, "<p>x</p>", 8) == 0 && r.body[8] == '\0',
		    "body");
	}
	selwire_request_free(&r);
	rc = selwire_request_read(fd, &r);
	TAP_CHECK(rc == 1 && r.nsel == 0 && r.len == 0 && strcmp(r.url, "") == 0 &&
	    r.cpu_ms == SQ_SELECTOR_CPU_MS_MIN, "second request: rc %d", rc);
	selwire_request_free(&r);
	TAP_CHECK(selwire_request_read(fd, &r) == 0 && r.mem == NULL, "end of input: 0");
	close(fd);
	buf_free(&b);
	/* A buffer that cannot hold the request says so. */
	buf_init(&b, 20);
	TAP_CHECK(selwire_request_put(&b, 2000, "http://e.test/", "<p>", 3, sel, 4) == -1 && b.oom,
	    "put into a buffer too small: -1");
	buf_free(&b);
}

/* Heads out of range, and requests cut short: -1, nothing allocated. */
static void
test_bad_requests(void)
{
	static const struct {
		uint32_t	 cpu, nsel, ulen, blen, xlen;   /* xlen for a first selector */
		size_t		 cut;        /* bytes of the encoded request kept; 0: all */
		int		 want;
		const char	*what;
	} rows[] = {
		{ 2000, 1, 3, 2, 4, 0, 1, "a good request" },
		{ 2000, 1, 3, 2, 4, 5, -1, "cut inside the head" },
		{ 2000, 1, 3, 2, 4, 18, -1, "cut inside the lengths" },
		{ 2000, 1, 3, 2, 4, 21, -1, "cut inside the URL" },
		{ 2000, 1, 3, 2, 4, 26, -1, "cut inside the expression" },
		{ 2000, 1, 3, 2, 4, 28, -1, "cut inside the body" },
		{ SQ_SELECTOR_CPU_MS_MIN - 1, 1, 3, 2, 4, 0, -1, "cpu_ms under its range" },
		{ SQ_SELECTOR_CPU_MS_MAX + 1, 1, 3, 2, 4, 0, -1, "cpu_ms over its range" },
		{ 2000, EXTRACT_MAX_SELECTORS + 1, 3, 2, 4, 0, -1, "too many selectors" },
		{ 2000, 0xffffffffu, 3, 2, 4, 0, -1, "a selector count of 2^32 - 1" },
		{ 2000, 1, EXTRACT_URL_MAX + 1, 2, 4, 0, -1, "a URL too long" },
		{ 2000, 1, 3, EXTRACT_MAX_BYTES + 1, 4, 0, -1, "a body too long" },
		{ 2000, 1, 3, 0xffffffffu, 4, 0, -1, "a body of 2^32 - 1 bytes" },
		{ 2000, 1, 3, 2, EXTRACT_XPATH_MAX + 1, 0, -1, "an expression too long" },
	};
	unsigned char		 req[64];
	struct selwire_request	 r;
	size_t			 i, n;
	int			 fd, rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		le32(req, rows[i].cpu);
		le32(req + 4, rows[i].nsel);
		le32(req + 8, rows[i].ulen);
		le32(req + 12, rows[i].blen);
		le32(req + 16, rows[i].xlen);
		memcpy(req + 20, "urlxpthbd", 9);       /* 3 + 4 + 2 bytes */
		n = rows[i].cut ? rows[i].cut : 29;
		if ((fd = file_of(req, n)) == -1) {
			TAP_FAIL("tmpfile");
			return;
		}
		rc = selwire_request_read(fd, &r);
		TAP_CHECK(rc == rows[i].want && (rc == 1 || r.mem == NULL), "%s: rc %d, want %d",
		    rows[i].what, rc, rows[i].want);
		if (rc == 1)
			TAP_CHECK(strcmp(r.url, "url") == 0 && strcmp(r.xpath[0], "xpth") == 0 &&
			    r.len == 2 && memcmp(r.body, "bd", 2) == 0, "%s: fields", rows[i].what);
		selwire_request_free(&r);
		close(fd);
	}
}

/* Replies: decoded byte strings, partial ones, malformed ones. */
static void
test_replies(void)
{
	static const struct {
		const char	*bytes;
		size_t		 n;
		long		 want;
		int		 kind;
		unsigned	 index;
		const char	*value;    /* for a VALUE; NULL: none */
	} rows[] = {
		{ "B\x03\0\0\0\0", 6, 6, 'B', 3, NULL },
		{ "E\0\0\0\0\0", 6, 6, 'E', 0, NULL },
		{ "V\x01\x02\0\0\0ok", 8, 8, 'V', 1, "ok" },
		{ "V\x01\x02\0\0\0okB\0\0\0\0\0", 14, 8, 'V', 1, "ok" },
		{ "V\x1f\xff\xff\xff\xff", 6, 6, 'V', 31, NULL },
		{ "V\x01\0\0\0\0", 6, 6, 'V', 1, "" },
		{ "V\x01\x02\0\0\0o", 7, 0, 0, 0, NULL },
		{ "B\x03\0\0\0", 5, 0, 0, 0, NULL },
		{ "", 0, 0, 0, 0, NULL },
		{ "X\0\0\0\0\0", 6, -1, 0, 0, NULL },
		{ "b\0\0\0\0\0", 6, -1, 0, 0, NULL },
		{ "B\x20\0\0\0\0", 6, -1, 0, 0, NULL },
		{ "V\xff\0\0\0\0", 6, -1, 0, 0, NULL },
		{ "B\0\x01\0\0\0x", 7, -1, 0, 0, NULL },
		{ "E\0\xff\xff\xff\xff", 6, -1, 0, 0, NULL },
		{ "V\0\x01\x10\0\0", 6, -1, 0, 0, NULL },        /* 4097 bytes */
		{ "V\0\xfe\xff\xff\xff", 6, -1, 0, 0, NULL },
	};
	struct selwire_reply	 r;
	size_t			 i;
	long			 got;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		got = selwire_reply_get(rows[i].bytes, rows[i].n, &r);
		TAP_CHECK(got == rows[i].want, "reply row %zu: got %ld, want %ld", i, got,
		    rows[i].want);
		if (got <= 0 || got != rows[i].want)
			continue;
		TAP_CHECK((int)r.kind == rows[i].kind && r.index == rows[i].index,
		    "reply row %zu: kind %c index %u", i, (int)r.kind, r.index);
		TAP_CHECK((r.value == NULL) == (rows[i].value == NULL) && (r.value == NULL ||
		    (r.len == strlen(rows[i].value) && memcmp(r.value, rows[i].value, r.len) == 0)),
		    "reply row %zu: value", i);
	}
}

/* put, then get: every prefix is partial; a value past EXTRACT_FIELD_MAX is cut. */
static void
test_reply_roundtrip(void)
{
	char			 out[SELWIRE_REPLY_MAX], big[EXTRACT_FIELD_MAX + 10];
	struct selwire_reply	 r;
	size_t			 n, k;
	long			 got;

	n = selwire_reply_put(out, SELWIRE_VALUE, 7, "19.99 EUR");
	TAP_CHECK(n == SELWIRE_REPLY_HEAD + 9, "put value: %zu bytes", n);
	for (k = 0; k < n; k++)
		TAP_CHECK(selwire_reply_get(out, k, &r) == 0, "prefix of %zu bytes is partial", k);
	got = selwire_reply_get(out, n, &r);
	TAP_CHECK(got == (long)n && r.kind == SELWIRE_VALUE && r.index == 7 && r.len == 9 &&
	    memcmp(r.value, "19.99 EUR", 9) == 0, "value there and back");
	n = selwire_reply_put(out, SELWIRE_VALUE, 0, NULL);
	TAP_CHECK(selwire_reply_get(out, n, &r) == SELWIRE_REPLY_HEAD && r.value == NULL,
	    "no value there and back");
	n = selwire_reply_put(out, SELWIRE_BEGIN, EXTRACT_MAX_SELECTORS - 1, "ignored");
	TAP_CHECK(n == SELWIRE_REPLY_HEAD && selwire_reply_get(out, n, &r) == SELWIRE_REPLY_HEAD &&
	    r.kind == SELWIRE_BEGIN && r.index == EXTRACT_MAX_SELECTORS - 1, "begin there and back");
	n = selwire_reply_put(out, SELWIRE_END, 0, NULL);
	TAP_CHECK(selwire_reply_get(out, n, &r) == SELWIRE_REPLY_HEAD && r.kind == SELWIRE_END,
	    "end there and back");
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = selwire_reply_put(out, SELWIRE_VALUE, 1, big);
	TAP_CHECK(n == SELWIRE_REPLY_MAX && selwire_reply_get(out, n, &r) == (long)n &&
	    r.len == EXTRACT_FIELD_MAX, "a value past EXTRACT_FIELD_MAX is cut to it");
}

int
main(void)
{
	test_roundtrip();
	test_bad_requests();
	test_replies();
	test_reply_roundtrip();
	return tap_done("test_selwire");
}
