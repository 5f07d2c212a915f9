/* buf.c: growable byte buffer with a hard cap; appends fail closed, never overflow. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max ? max : SIZE_MAX / 2;
	b->oom = 0;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Makes room for n more bytes plus a NUL. */
static int
buf_grow(struct buf *b, size_t n)
{
	size_t	 need, ncap;
	char	*p;

	if (b->oom)
		return -1;
	if (n > b->max - b->len) {
		b->oom = 1;
		return -1;
	}
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 4 ? need : ncap * 2;
	if ((p = realloc(b->data, ncap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	/* Room and cap checked here first: a large answer appends a few bytes at a time. */
	if ((b->oom || n >= b->cap - b->len || n > b->max - b->len) && buf_grow(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
	if ((b->oom || b->cap - b->len < 2 || b->len == b->max) && buf_grow(b, 1) == -1)
		return -1;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
	return 0;
}

/*
 * Formats into the room the buffer already has first: most writes fit, and then
 * one vsnprintf suffices (a measuring pass before every write was a tenth of a
 * large answer's CPU, issue 13). What does not fit is undone and written again
 * after growing.
 */
int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 cp;
	size_t	 room;
	int	 n;

	if (b->oom)
		return -1;
	room = b->cap - b->len;
	va_copy(cp, ap);
	n = vsnprintf(room > 0 ? b->data + b->len : NULL, room, fmt, cp);
	va_end(cp);
	if (n >= 0 && (size_t)n < room && (size_t)n <= b->max - b->len) {
		b->len += (size_t)n;
		return 0;
	}
	if (room > 0)
		b->data[b->len] = '\0';
	if (n < 0 || buf_grow(b, (size_t)n) == -1)
		return -1;
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_putint(struct buf *b, long long v)
{
	char			 s[24], *p = s + sizeof(s);
	unsigned long long	 u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	return buf_append(b, p, (size_t)(s + sizeof(s) - p));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

/* Returns the length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t	 len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

int
buf_json_str(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 i = 0, run, n;

	if (buf_putc(b, '"') == -1)
		return -1;
	while (i < len) {
		/* Copy the longest run of bytes that need no escaping in one go. */
		for (run = i; run < len && p[run] >= 0x20 && p[run] < 0x80 &&
		    p[run] != '"' && p[run] != '\\'; run++)
			;
		if (run > i && buf_append(b, s + i, run - i) == -1)
			return -1;
		if ((i = run) >= len)
			break;
		if (p[i] == '"' || p[i] == '\\') {
			char esc[2] = { '\\', (char)p[i] };
			buf_append(b, esc, 2);
			i++;
		} else if (p[i] < 0x20) {
			buf_printf(b, "\\u%04x", p[i]);
			i++;
		} else if ((n = utf8_seq(p + i, len - i)) == 0) {
			buf_puts(b, "\\ufffd");
			i++;
		} else {
			buf_append(b, s + i, n);
			i += n;
		}
	}
	return buf_putc(b, '"');
}
