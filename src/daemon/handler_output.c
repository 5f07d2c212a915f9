/* handler_output.c: a handler's stdout split into progress lines and the result, and the result judged as one JSON value. */
#include <stdint.h>
#include <string.h>

#include "scrapeq/query.h"
#include "handler_output.h"

#define BLANKS " \t\r\n"

void
handler_output_init(struct handler_output *o, size_t result_max)
{
	buf_init(&o->line, HANDLER_LINE_MAX);
	buf_init(&o->result, result_max);
	o->overlong = 0;
}

void
handler_output_free(struct handler_output *o)
{
	buf_free(&o->line);
	buf_free(&o->result);
}

int
handler_output_progress(const char *s, int *percent, const char **text)
{
	char		 num[8];
	size_t		 n;
	long long	 v;

	if (strncmp(s, "progress ", 9) != 0)
		return 0;
	s += 9;
	n = strcspn(s, " ");
	if (n == 0 || n >= sizeof(num))
		return 0;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_int_range(num, 0, 100, &v) == -1)
		return 0;
	s += n;
	*percent = (int)v;
	*text = s + strspn(s, " ");
	return 1;
}

/* A whole line read (without its LF): progress, or result text. */
static void
take_line(struct handler_output *o, handler_progress_fn fn, void *arg)
{
	const char	*line = o->line.data ? o->line.data : "", *text;
	int		 pct;

	if (!o->overlong && o->line.len > 0 && strlen(line) == o->line.len &&
	    handler_output_progress(line, &pct, &text))
		fn(arg, pct, text);
	else {
		buf_append(&o->result, line, o->line.len);
		buf_putc(&o->result, '\n');
	}
	buf_reset(&o->line);
	o->overlong = 0;
}

void
handler_output_feed(struct handler_output *o, const char *b, size_t n,
    handler_progress_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] == '\n')
			take_line(o, fn, arg);
		else if (buf_putc(&o->line, b[i]) == -1) {
			/* An over-long line is result text, all of it, not progress. */
			buf_append(&o->result, o->line.data, o->line.len);
			buf_reset(&o->line);
			buf_putc(&o->line, b[i]);
			o->overlong = 1;
		}
	}
}

void
handler_output_end(struct handler_output *o, handler_progress_fn fn, void *arg)
{
	if (o->line.len > 0 || o->overlong)
		take_line(o, fn, arg);
}

/* Parses the whole result; *blank set when it is only blanks. NULL unless one value. */
static struct json_object *
parse_one(const struct handler_output *o, int *blank)
{
	struct json_tokener	*tok;
	struct json_object	*v;
	const char		*t = o->result.data ? o->result.data : "";
	size_t			 len = o->result.len, end;

	*blank = t[strspn(t, BLANKS)] == '\0' && strlen(t) == len;
	/* A NUL inside is never JSON text (json-c would stop reading at it). */
	if (*blank || strlen(t) != len || len >= (size_t)INT32_MAX ||
	    (tok = json_tokener_new()) == NULL)
		return NULL;
	/* With the buffer's NUL, so that a number at the very end is complete. */
	v = json_tokener_parse_ex(tok, t, (int)len + 1);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (end > len)
		end = len;
	/* Nothing but blanks may follow the value: not a second value, not other text. */
	if (v != NULL && strspn(t + end, BLANKS) != len - end) {
		json_object_put(v);
		v = NULL;
	}
	return v;
}

enum handler_verdict
handler_output_verdict(const struct handler_output *o)
{
	struct json_object	*v;
	int			 blank;

	if (o->result.oom)
		return HANDLER_OUTPUT_TOO_LARGE;
	if ((v = parse_one(o, &blank)) == NULL)
		return blank ? HANDLER_OUTPUT_OK : HANDLER_OUTPUT_NOT_JSON;
	json_object_put(v);
	return HANDLER_OUTPUT_OK;
}

struct json_object *
handler_output_json(const struct handler_output *o)
{
	int blank;

	if (o->result.oom)
		return NULL;
	return parse_one(o, &blank);
}
