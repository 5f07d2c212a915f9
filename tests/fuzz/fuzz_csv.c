/* fuzz_csv.c: libFuzzer target for the CSV writer: any bytes, written as cells and read back by an RFC 4180 reader, come back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/csv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Reads one field of an RFC 4180 record from p (len bytes) into out; returns the
 * bytes consumed including the ',' or CRLF after it, or 0 on a grammar error.
 * *last is set when the field ended its record.
 */
static size_t
read_field(const char *p, size_t len, struct buf *out, int *last)
{
	size_t i = 0;

	buf_reset(out);
	if (len > 0 && p[0] == '"') {
		for (i = 1; i < len; i++) {
			if (p[i] != '"') {
				buf_putc(out, p[i]);
				continue;
			}
			if (i + 1 < len && p[i + 1] == '"') {
				buf_putc(out, '"');
				i++;
				continue;
			}
			break;
		}
		if (i >= len)
			return 0;               /* no closing quote */
		i++;
	} else {
		while (i < len && p[i] != ',' && p[i] != '\r' && p[i] != '\n' && p[i] != '"')
			buf_putc(out, p[i++]);
	}
	if (i < len && p[i] == ',') {
		*last = 0;
		return i + 1;
	}
	if (i + 1 < len && p[i] == '\r' && p[i + 1] == '\n') {
		*last = 1;
		return i + 2;
	}
	return 0;
}

/* Prefix p (plen bytes) at s? */
static int
starts(const uint8_t *s, size_t n, const char *p, size_t plen)
{
	return n >= plen && memcmp(s, p, plen) == 0;
}

/*
 * The guard's rule, written again from csv.h: a leading TAB, CR or LF; or, after any
 * run of blanks, one of = + - @ or its full-width form.
 */
static int
formula(const uint8_t *s, size_t n)
{
	static const char *const blanks[] = { " ", "\t", "\n", "\v", "\f", "\r",
	    "\xc2\xa0", "\xe3\x80\x80" };
	static const char *const signs[] = { "=", "+", "-", "@", "\xef\xbc\x9d",
	    "\xef\xbc\x8b", "\xef\xbc\x8d", "\xef\xbc\xa0" };
	size_t	 i;
	int	 more = 1;

	if (starts(s, n, "\t", 1) || starts(s, n, "\r", 1) || starts(s, n, "\n", 1))
		return 1;
	while (more) {
		more = 0;
		for (i = 0; i < sizeof(blanks) / sizeof(blanks[0]); i++)
			if (starts(s, n, blanks[i], strlen(blanks[i]))) {
				s += strlen(blanks[i]);
				n -= strlen(blanks[i]);
				more = 1;
			}
	}
	for (i = 0; i < sizeof(signs) / sizeof(signs[0]); i++)
		if (starts(s, n, signs[i], strlen(signs[i])))
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 b, f;
	struct csv	 c;
	const char	*p;
	size_t		 len, k;
	unsigned	 flags;
	int		 last = 0, text;

	if (size < 1)
		return 0;
	flags = data[0] & 1 ? CSV_GUARD_FORMULAS : 0;
	text = (data[0] & 2) != 0;
	data++;
	size--;
	buf_init(&b, 0);
	buf_init(&f, 0);
	csv_init(&c, &b, flags);
	csv_cell(&c, "x", 1);
	if (text)
		csv_text(&c, (const char *)data, size);
	else
		csv_cell(&c, (const char *)data, size);
	csv_int(&c, -42);
	csv_row_end(&c);
	if (b.oom)
		abort();
	p = b.data;
	len = b.len;
	/* "x", then the cell, then "-42", then the end of the record. */
	if ((k = read_field(p, len, &f, &last)) == 0 || last || f.len != 1 || f.data[0] != 'x')
		abort();
	p += k, len -= k;
	if ((k = read_field(p, len, &f, &last)) == 0 || last)
		abort();
	if (text && (flags & CSV_GUARD_FORMULAS) && formula(data, size)) {
		if (f.len != size + 1 || f.data[0] != '\'' || memcmp(f.data + 1, data, size) != 0)
			abort();
	} else if (f.len != size || (size > 0 && memcmp(f.data, data, size) != 0))
		abort();
	p += k, len -= k;
	if ((k = read_field(p, len, &f, &last)) == 0 || !last || k != len || f.len != 3 ||
	    memcmp(f.data, "-42", 3) != 0)
		abort();
	buf_free(&f);
	buf_free(&b);
	return 0;
}
