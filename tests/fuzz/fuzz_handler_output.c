/* fuzz_handler_output.c: libFuzzer target for what a handler prints: progress lines and the one JSON value of its result. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scrapeq/buf.h"
#include "handler_output.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The progress lines reported, as "N text\n" each. */
static void
got(void *arg, int pct, const char *text)
{
	struct buf *b = arg;

	if (pct < 0 || pct > 100 || strchr(text, '\n') != NULL)
		abort();
	buf_printf(b, "%d %s\n", pct, text);
}

/* handler_output.h's progress grammar, written again. */
static int
model_progress(const char *l, size_t n, struct buf *p)
{
	size_t	 i = 9, d;
	int	 v = 0;

	if (n > HANDLER_LINE_MAX || memchr(l, '\0', n) != NULL || n < 10 ||
	    memcmp(l, "progress ", 9) != 0)
		return 0;
	for (d = 0; i < n && l[i] != ' '; i++, d++) {
		if (l[i] < '0' || l[i] > '9' || d >= 3)
			return 0;
		v = v * 10 + (l[i] - '0');
	}
	if (d == 0 || (d > 1 && l[9] == '0') || v > 100)
		return 0;
	while (i < n && l[i] == ' ')
		i++;
	buf_printf(p, "%d ", v);
	buf_append(p, l + i, n - i);
	buf_putc(p, '\n');
	return 1;
}

/* Every LF-ended (or last) line: progress, or result text with its LF. */
static void
model(const char *d, size_t n, struct buf *prog, struct buf *res)
{
	size_t	 at = 0, k;

	while (at < n) {
		const char *lf = memchr(d + at, '\n', n - at);

		k = lf ? (size_t)(lf - (d + at)) : n - at;
		if (!model_progress(d + at, k, prog)) {
			buf_append(res, d + at, k);
			buf_putc(res, '\n');
		}
		at += k + 1;
	}
}

/* One JSON value and only blanks around it, by json-c over the whole text. */
static int
one_value(const struct buf *r)
{
	struct json_tokener	*t;
	struct json_object	*v;
	const char		*s = r->data ? r->data : "";
	size_t			 end, i;

	for (i = 0; i < r->len && strchr(" \t\r\n", s[i]) != NULL && s[i] != '\0'; i++)
		continue;
	if (i == r->len)
		return 1;
	if (memchr(s, '\0', r->len) != NULL || (t = json_tokener_new()) == NULL)
		return 0;
	v = json_tokener_parse_ex(t, s, (int)r->len + 1);
	end = json_tokener_get_parse_end(t);
	json_tokener_free(t);
	if (v == NULL)
		return 0;
	json_object_put(v);
	for (i = end < r->len ? end : r->len; i < r->len; i++)
		if (strchr(" \t\r\n", s[i]) == NULL)
			return 0;
	return 1;
}

/*
 * Input: a byte for the piece size the output arrives in, a byte for the result's
 * cap, then the output. Fed in pieces, it reads as the model reads it whole.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct handler_output	 o;
	struct buf		 p, mp, mr;
	struct json_object	*v;
	const char		*d;
	size_t			 piece, cap, at, k;
	enum handler_verdict	 verdict;

	if (size < 2)
		return 0;
	piece = (size_t)data[0] + 1;
	cap = (size_t)data[1] * 64 + 1;
	d = (const char *)data + 2;
	size -= 2;
	handler_output_init(&o, cap);
	buf_init(&p, 0);
	buf_init(&mp, 0);
	buf_init(&mr, 0);
	for (at = 0; at < size; at += k) {
		k = size - at < piece ? size - at : piece;
		handler_output_feed(&o, d + at, k, got, &p);
	}
	handler_output_end(&o, got, &p);
	model(d, size, &mp, &mr);
	if (p.len != mp.len || (p.len > 0 && memcmp(p.data, mp.data, p.len) != 0))
		abort();
	verdict = handler_output_verdict(&o);
	if (mr.len > cap) {
		if (verdict != HANDLER_OUTPUT_TOO_LARGE || handler_output_json(&o) != NULL)
			abort();
		goto out;
	}
	if (o.result.len != mr.len || (mr.len > 0 && memcmp(o.result.data, mr.data, mr.len) != 0))
		abort();
	if ((verdict == HANDLER_OUTPUT_OK) != one_value(&mr) || verdict == HANDLER_OUTPUT_TOO_LARGE)
		abort();
	v = handler_output_json(&o);
	if (verdict != HANDLER_OUTPUT_OK && v != NULL)
		abort();
	json_object_put(v);
out:
	buf_free(&mr);
	buf_free(&mp);
	buf_free(&p);
	handler_output_free(&o);
	return 0;
}
