/* handler_output.h: what a handler command prints, read: progress lines, and one JSON value as the result. */
#ifndef SCRAPEQ_HANDLER_OUTPUT_H
#define SCRAPEQ_HANDLER_OUTPUT_H

#include <stddef.h>
#include <json-c/json.h>

#include "scrapeq/buf.h"

#define HANDLER_LINE_MAX 4096   /* a progress line longer than this is result text */

/* A progress line read: percent 0..100 and the text after it (valid during the call). */
typedef void (*handler_progress_fn)(void *arg, int percent, const char *text);

struct handler_output {
	struct buf	 line;       /* the line being read */
	struct buf	 result;     /* every line that is not progress, each with its LF */
	int		 overlong;   /* the line being read passed HANDLER_LINE_MAX */
};

/* Empty state; result keeps at most result_max bytes (past it: HANDLER_OUTPUT_TOO_LARGE). */
void	handler_output_init(struct handler_output *, size_t result_max);
void	handler_output_free(struct handler_output *);

/*
 * Takes n more bytes of output, in any pieces. Each line (up to LF) of at most
 * HANDLER_LINE_MAX bytes that handler_output_progress reads is reported to fn;
 * every other line (a longer one whole, one holding a NUL) goes to the result.
 */
void	handler_output_feed(struct handler_output *, const char *b, size_t n,
	    handler_progress_fn fn, void *arg);
/* The output ended: a last line without LF is taken as if it had one. */
void	handler_output_end(struct handler_output *, handler_progress_fn fn, void *arg);

/*
 * Reads a line "progress N text": N a decimal 0..100 (no sign, no leading zero),
 * then spaces and the text (may be empty). Returns 1 and sets *percent and *text
 * (pointing into line), or 0 when the line is not one.
 */
int	handler_output_progress(const char *line, int *percent, const char **text);

enum handler_verdict {
	HANDLER_OUTPUT_OK,          /* blank, or exactly one JSON value (not null) */
	HANDLER_OUTPUT_TOO_LARGE,   /* past result_max */
	HANDLER_OUTPUT_NOT_JSON     /* anything else: two values, a value and more text, a NUL */
};
enum handler_verdict handler_output_verdict(const struct handler_output *);

/* The result as a json-c value when the verdict is OK and it is not blank; else NULL. Caller puts. */
struct json_object *handler_output_json(const struct handler_output *);

#endif
