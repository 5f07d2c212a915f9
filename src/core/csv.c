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

static int
looks_like_formula(const char *s, size_t len)
{
	return len > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	    s[0] == '\t' || s[0] == '\r');
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
