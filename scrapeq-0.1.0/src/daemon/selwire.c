/* selwire.c: the selector workers' pipe protocol: a page's request, and the replies, encoded and checked. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scrapeq/limits.h"
#include "scrapeq/selwire.h"

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int
buf_put32(struct buf *b, size_t v)
{
	unsigned char n[4];

	put32(n, (uint32_t)v);
	return buf_append(b, n, sizeof(n));
}

/* buf_append, except that nothing (p may be NULL) is nothing. */
static void
buf_put(struct buf *b, const char *p, size_t n)
{
	if (n > 0)
		buf_append(b, p, n);
}

/* The bytes of an expression that are sent: none for NULL or one too long to be evaluated. */
static size_t
xpath_len(const char *x)
{
	size_t n;

	if (x == NULL || (n = strnlen(x, EXTRACT_XPATH_MAX + 1)) > EXTRACT_XPATH_MAX)
		return 0;
	return n;
}

int
selwire_request_put(struct buf *out, unsigned cpu_ms, const char *url, const char *body,
    size_t len, const struct extract_selector *sel, size_t nsel)
{
	size_t	 ulen = url != NULL ? strnlen(url, EXTRACT_URL_MAX + 1) : 0, i;

	if (nsel > EXTRACT_MAX_SELECTORS)
		nsel = EXTRACT_MAX_SELECTORS;
	if (ulen > EXTRACT_URL_MAX)
		ulen = 0;
	if (body == NULL || len > EXTRACT_MAX_BYTES)
		len = body == NULL ? 0 : EXTRACT_MAX_BYTES;
	buf_put32(out, cpu_ms);
	buf_put32(out, nsel);
	buf_put32(out, ulen);
	buf_put32(out, len);
	for (i = 0; i < nsel; i++)
		buf_put32(out, xpath_len(sel[i].xpath));
	buf_put(out, url, ulen);
	for (i = 0; i < nsel; i++)
		buf_put(out, sel[i].xpath, xpath_len(sel[i].xpath));
	buf_put(out, body, len);
	return out->oom ? -1 : 0;
}

/* Reads exactly n bytes. Returns n, 0 at the end of input before the first, or -1. */
static ssize_t
read_full(int fd, void *p, size_t n)
{
	size_t	 got = 0;
	ssize_t	 r;

	while (got < n) {
		if ((r = read(fd, (char *)p + got, n - got)) > 0)
			got += (size_t)r;
		else if (r == 0)
			return got == 0 ? 0 : -1;
		else if (errno != EINTR)
			return -1;
	}
	return (ssize_t)n;
}

/* Reads a string of n bytes into *at, NUL-terminates it and moves *at past it. */
static int
read_str(int fd, char **at, size_t n, const char **out)
{
	if (n > 0 && read_full(fd, *at, n) != (ssize_t)n)
		return -1;
	(*at)[n] = '\0';
	*out = *at;
	*at += n + 1;
	return 0;
}

int
selwire_request_read(int fd, struct selwire_request *r)
{
	unsigned char	 head[SELWIRE_REQUEST_HEAD], lens[4 * EXTRACT_MAX_SELECTORS];
	size_t		 ulen, xlen[EXTRACT_MAX_SELECTORS], total, i;
	char		*at;
	ssize_t		 got;

	memset(r, 0, sizeof(*r));
	if ((got = read_full(fd, head, sizeof(head))) <= 0)
		return (int)got;
	r->cpu_ms = get32(head);
	r->nsel = get32(head + 4);
	ulen = get32(head + 8);
	r->len = get32(head + 12);
	if (r->cpu_ms < SQ_SELECTOR_CPU_MS_MIN || r->cpu_ms > SQ_SELECTOR_CPU_MS_MAX ||
	    r->nsel > EXTRACT_MAX_SELECTORS || ulen > EXTRACT_URL_MAX || r->len > EXTRACT_MAX_BYTES)
		return -1;
	if (r->nsel > 0 && read_full(fd, lens, 4 * r->nsel) != (ssize_t)(4 * r->nsel))
		return -1;
	total = ulen + 1 + r->len + 1;
	for (i = 0; i < r->nsel; i++) {
		if ((xlen[i] = get32(lens + 4 * i)) > EXTRACT_XPATH_MAX)
			return -1;
		total += xlen[i] + 1;
	}
	if ((at = r->mem = malloc(total)) == NULL)
		goto fail;
	if (read_str(fd, &at, ulen, &r->url) == -1)
		goto fail;
	for (i = 0; i < r->nsel; i++)
		if (read_str(fd, &at, xlen[i], &r->xpath[i]) == -1)
			goto fail;
	if (read_str(fd, &at, r->len, &r->body) == -1)
		goto fail;
	return 1;
fail:
	selwire_request_free(r);
	return -1;
}

void
selwire_request_free(struct selwire_request *r)
{
	if (r == NULL)
		return;
	free(r->mem);
	memset(r, 0, sizeof(*r));
}

size_t
selwire_reply_put(char *out, enum selwire_kind kind, unsigned index, const char *value)
{
	size_t	 n = 0;

	out[0] = (char)kind;
	out[1] = (char)index;
	if (kind == SELWIRE_VALUE && value == NULL) {
		put32((unsigned char *)out + 2, SELWIRE_NONE);
		return SELWIRE_REPLY_HEAD;
	}
	if (kind == SELWIRE_VALUE) {
		n = strnlen(value, EXTRACT_FIELD_MAX);
		memcpy(out + SELWIRE_REPLY_HEAD, value, n);
	}
	put32((unsigned char *)out + 2, (uint32_t)n);
	return SELWIRE_REPLY_HEAD + n;
}

long
selwire_reply_get(const char *p, size_t n, struct selwire_reply *r)
{
	uint32_t len;

	if (n < SELWIRE_REPLY_HEAD)
		return 0;
	memset(r, 0, sizeof(*r));
	r->kind = (enum selwire_kind)(unsigned char)p[0];
	r->index = (unsigned char)p[1];
	len = get32((const unsigned char *)p + 2);
	if ((r->kind != SELWIRE_BEGIN && r->kind != SELWIRE_VALUE && r->kind != SELWIRE_END) ||
	    r->index >= EXTRACT_MAX_SELECTORS)
		return -1;
	if (r->kind != SELWIRE_VALUE)
		return len == 0 ? SELWIRE_REPLY_HEAD : -1;
	if (len == SELWIRE_NONE)
		return SELWIRE_REPLY_HEAD;
	if (len > EXTRACT_FIELD_MAX)
		return -1;
	if (n - SELWIRE_REPLY_HEAD < len)
		return 0;
	r->value = p + SELWIRE_REPLY_HEAD;
	r->len = len;
	return (long)(SELWIRE_REPLY_HEAD + len);
}
