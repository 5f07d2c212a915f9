/* csv.c: RFC 4180 cells: quoting, doubled quotes, CRLF rows, an optional formula guard. */
#include <string.h>

#include "scrapeq/csv.h"

void
csv_init(struct csv *c, struct buf *b, unsigned flags)
{
	c->b = b;
	c->flags = flags;
	c->ncells = 0;
}

static int
needs_quotes(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

/* Bytes of a blank at s (ASCII white space, U+00A0, U+3000), or 0. */
static size_t
blank_len(const unsigned char *s, size_t len)
{
	if (len >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (len >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (len >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	return 0;
}

/* 1 when s starts with = + - @ or their full-width forms (U+FF1D U+FF0B U+FF0D U+FF20). */
static int
formula_char(const unsigned char *s, size_t len)
{
	if (len >= 1 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@'))
		return 1;
	return len >= 3 && s[0] == 0xef && s[1] == 0xbc && (s[2] == 0x9d || s[2] == 0x8b ||
	    s[2] == 0x8d || s[2] == 0xa0);
}

/*
 * OWASP's list (a leading = + - @, TAB or CR) and what a spreadsheet skips before it:
 * a leading LF too, and any run of blanks before one of the four, full-width or not.
 */
static int
looks_like_formula(const char *text, size_t len)
{
	const unsigned char	*s = (const unsigned char *)text;
	size_t			 n;

	if (len > 0 && (s[0] == '\t' || s[0] == '\r' || s[0] == '\n'))
		return 1;
	while ((n = blank_len(s, len)) > 0) {
		s += n;
		len -= n;
	}
	return formula_char(s, len);
}

/* Writes s, quoted when needed, with prefix (0 for none) inside the quotes. */
static void
put_cell(struct csv *c, char prefix, const char *s, size_t len)
{
	const char	*q;
	size_t		 n;

	if (c->ncells++ > 0)
		buf_putc(c->b, ',');
	if (s == NULL)
		return;
	if (len == 0 && prefix == 0) {
		buf_puts(c->b, "\"\"");
		return;
	}
	if (!needs_quotes(s, len)) {
		if (prefix != 0)
			buf_putc(c->b, prefix);
		buf_append(c->b, s, len);
		return;
	}
	buf_putc(c->b, '"');
	if (prefix != 0)
		buf_putc(c->b, prefix);
	/* Copy runs between quotes whole; each quote goes out twice. */
	while (len > 0 && (q = memchr(s, '"', len)) != NULL) {
		n = (size_t)(q - s) + 1;
		buf_append(c->b, s, n);
		buf_putc(c->b, '"');
		s += n;
		len -= n;
	}
	buf_append(c->b, s, len);
	buf_putc(c->b, '"');
}

void
csv_cell(struct csv *c, const char *s, size_t len)
{
	put_cell(c, 0, s, len);
}

void
csv_text(struct csv *c, const char *s, size_t len)
{
	int guard = (c->flags & CSV_GUARD_FORMULAS) && s != NULL && looks_like_formula(s, len);

	put_cell(c, guard ? '\'' : 0, s, len);
}

void
csv_int(struct csv *c, long long v)
{
	if (c->ncells++ > 0)
		buf_putc(c->b, ',');
	buf_printf(c->b, "%lld", v);
}

void
csv_row_end(struct csv *c)
{
	buf_append(c->b, "\r\n", 2);
	c->ncells = 0;
}
