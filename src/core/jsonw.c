/* jsonw.c: streaming JSON writer; commas and nesting tracked so callers cannot misplace them. */
#include <string.h>

#include "scrapeq/jsonw.h"
#include "scrapeq/timefmt.h"

void
jsonw_init(struct jsonw *w, struct buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

/* Writes the comma and key a new value at this level needs. */
static int
jsonw_member(struct jsonw *w, const char *key)
{
	int in_object = w->depth > 0 && w->close[w->depth] == '}';

	if (w->bad || (in_object != (key != NULL)) || (w->depth == 0 && w->n[0] > 0)) {
		w->bad = 1;
		return -1;
	}
	if (w->n[w->depth]++ > 0)
		buf_putc(w->b, ',');
	if (key != NULL) {
		buf_json_str(w->b, key, strlen(key));
		buf_putc(w->b, ':');
	}
	return w->b->oom ? (w->bad = 1, -1) : 0;
}

static void
jsonw_open(struct jsonw *w, const char *key, char open, char close)
{
	if (jsonw_member(w, key) == -1)
		return;
	if (w->depth == JSONW_DEPTH_MAX) {
		w->bad = 1;
		return;
	}
	buf_putc(w->b, open);
	w->depth++;
	w->n[w->depth] = 0;
	w->close[w->depth] = close;
}

void
jsonw_object(struct jsonw *w, const char *key)
{
	jsonw_open(w, key, '{', '}');
}

void
jsonw_array(struct jsonw *w, const char *key)
{
	jsonw_open(w, key, '[', ']');
}

void
jsonw_end(struct jsonw *w)
{
	if (w->bad || w->depth == 0) {
		w->bad = 1;
		return;
	}
	buf_putc(w->b, w->close[w->depth]);
	w->depth--;
}

void
jsonw_str(struct jsonw *w, const char *key, const char *s)
{
	if (jsonw_member(w, key) == 0)
		s ? buf_json_str(w->b, s, strlen(s)) : buf_puts(w->b, "null");
}

void
jsonw_int(struct jsonw *w, const char *key, long long v)
{
	if (jsonw_member(w, key) == 0)
		buf_putint(w->b, v);
}

void
jsonw_bool(struct jsonw *w, const char *key, int v)
{
	if (jsonw_member(w, key) == 0)
		buf_puts(w->b, v ? "true" : "false");
}

void
jsonw_null(struct jsonw *w, const char *key)
{
	if (jsonw_member(w, key) == 0)
		buf_puts(w->b, "null");
}

void
jsonw_raw(struct jsonw *w, const char *key, const char *json)
{
	if (jsonw_member(w, key) == 0)
		buf_puts(w->b, json ? json : "null");
}

int
jsonw_failed(const struct jsonw *w)
{
	return w->bad || w->b->oom || w->depth != 0;
}

void
jsonw_time(struct jsonw *w, const char *key, const char *db, int with_ms)
{
	char t[TIMEFMT_MAX];

	if (db != NULL && db[0] != '\0' && timefmt_rfc3339(db, with_ms, t) == 0)
		jsonw_str(w, key, t);
	else
		jsonw_null(w, key);
}
