/* query.c: URL query strings decoded into bounded key/value pairs, and strict integers. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/query.h"
#include "scrapeq/text.h"

static int
query_fail(struct query *q, char *err, size_t errsz, const char *why)
{
	query_free(q);
	if (err != NULL && errsz > 0)
		snprintf(err, errsz, "%s", why);
	return -1;
}

/*
 * Decodes src[0..len) into dst (which has room for len + 1 bytes) and
 * NUL-terminates it. Returns the decoded length, or -1 on a bad %-escape,
 * -2 on a NUL byte (raw or decoded).
 */
static long
decode(char *dst, const char *src, size_t len)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (len - i < 3)
				return -1;
			hi = text_hexval((unsigned char)src[i + 1]);
			lo = text_hexval((unsigned char)src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
			return -2;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return (long)o;
}

/* Decodes one "key[=value]" segment into q, writing into q->mem at *used. */
static const char *
add_pair(struct query *q, size_t *used, const char *seg, size_t seglen)
{
	const char	*eq = memchr(seg, '=', seglen);
	size_t		 klen = eq ? (size_t)(eq - seg) : seglen;
	size_t		 vlen = eq ? seglen - klen - 1 : 0;
	char		*key = q->mem + *used, *val;
	long		 n;

	if (q->n == SQ_QUERY_PARAMS_MAX)
		return "Too many query parameters";
	if ((n = decode(key, seg, klen)) < 0)
		return n == -1 ? "Malformed %-escape in query string" :
		    "Query string contains a NUL byte";
	*used += (size_t)n + 1;
	val = q->mem + *used;
	if ((n = decode(val, eq ? eq + 1 : "", vlen)) < 0)
		return n == -1 ? "Malformed %-escape in query string" :
		    "Query string contains a NUL byte";
	if ((size_t)n > SQ_QUERY_VALUE_MAX)
		return "Query parameter value too long";
	*used += (size_t)n + 1;
	q->p[q->n].key = key;
	q->p[q->n].val = val;
	q->n++;
	return NULL;
}

/*
 * Each segment of length L decodes to at most L + 2 bytes (two NULs, the '='
 * dropped or an empty value added), and empty segments are skipped, so
 * len + 2 * SQ_QUERY_PARAMS_MAX + 2 bytes always suffice before the pair cap trips.
 */
int
query_parse(struct query *q, const char *qs, size_t len, char *err, size_t errsz)
{
	const char	*seg, *amp, *end, *why;
	size_t		 used = 0;

	memset(q, 0, sizeof(*q));
	if (qs == NULL || len == 0)
		return 0;
	if (len > SQ_QUERY_MAX)
		return query_fail(q, err, errsz, "Query string too long");
	if ((q->mem = malloc(len + 2 * SQ_QUERY_PARAMS_MAX + 2)) == NULL)
		return query_fail(q, err, errsz, "Out of memory");
	end = qs + len;
	for (seg = qs; seg < end; seg = amp + 1) {
		if ((amp = memchr(seg, '&', (size_t)(end - seg))) == NULL)
			amp = end;
		if (amp == seg)
			continue;
		if ((why = add_pair(q, &used, seg, (size_t)(amp - seg))) != NULL)
			return query_fail(q, err, errsz, why);
	}
	return 0;
}

void
query_free(struct query *q)
{
	if (q == NULL)
		return;
	free(q->mem);
	q->mem = NULL;
	q->n = 0;
}

const char *
query_get(const struct query *q, const char *key)
{
	size_t	 i;

	for (i = 0; i < q->n; i++)
		if (strcmp(q->p[i].key, key) == 0)
			return q->p[i].val;
	return NULL;
}

size_t
query_count(const struct query *q, const char *key)
{
	size_t	 i, n = 0;

	for (i = 0; i < q->n; i++)
		if (strcmp(q->p[i].key, key) == 0)
			n++;
	return n;
}

/*
 * Accumulates the magnitude as unsigned so LLONG_MIN parses; "-0" is refused
 * along with every other spelling that is not the canonical one.
 */
int
parse_int_range(const char *s, long long min, long long max, long long *out)
{
	unsigned long long	 mag = 0, lim;
	int			 neg = 0;
	long long		 v;

	if (s == NULL || min > max)
		return -1;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (!isdigit((unsigned char)*s) || (s[0] == '0' && (neg || s[1] != '\0')))
		return -1;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		if (mag > (lim - (unsigned)(*s - '0')) / 10)
			return -1;
		mag = mag * 10 + (unsigned)(*s - '0');
	}
	if (neg)
		v = mag == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)mag;
	else
		v = (long long)mag;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
