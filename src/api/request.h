/* request.h: one FastCGI request as the handlers see it, and the ways to answer it. */
#ifndef SCRAPEQ_REQUEST_H
#define SCRAPEQ_REQUEST_H

#include <stddef.h>
#include <fcgiapp.h>
#include <json-c/json.h>

#include "scrapeq/auth.h"
#include "scrapeq/buf.h"
#include "scrapeq/config.h"
#include "scrapeq/db.h"
#include "scrapeq/err.h"
#include "scrapeq/limits.h"
#include "scrapeq/query.h"
#include "reqstats.h"

/* Per thread: its own database connection and token cache; the gate is the process's. */
struct worker {
	const struct config	*cfg;
	struct db		*db;
	struct auth_cache	*auth;
	struct auth_gate	*gate;          /* shared by the worker's threads */
	struct reqstats		*stats;         /* the pool's counters (shared memory), or NULL */
};

struct dialect;

struct req {
	FCGX_Request		*fcgx;
	struct worker		*w;
	const char		*method;
	char			 path[SQ_PATH_MAX + 1];  /* without the query string */
	const char		*query_string;
	struct query		 query;                  /* parsed on demand by req_query */
	int			 query_parsed;
	const char		*params[SQ_PATH_PARAMS_MAX]; /* {} captures, point into segs */
	size_t			 nparams;
	char			 segs[SQ_PATH_MAX + 1];
	char			*body;                   /* NUL-terminated, may be NULL */
	size_t			 body_len;
	struct principal	 who;
	const struct dialect	*dialect;
	enum reqstats_group	 group;                  /* for the counters: RG_OTHER until routed */
	int			 status;                 /* what was answered, for the access log */
	const char		*allow;                  /* Allow header for a 405 */
	char			 allow_buf[64];
	const char		*extra_header;           /* one more "Name: value" line, or NULL */
	char			 extra_buf[128];         /* for an extra_header built per request */
	int			 failing;                /* a 500 is being rendered: no second one */
	/*
	 * Set by the router while who's generation is still to be confirmed: called
	 * before the first byte of any answer; -1 when it answered instead (the auth
	 * error), and the caller's answer is then dropped.
	 */
	int			(*settle)(struct req *);
};

/*
 * Fills r from f's FastCGI params for worker w: the method (GET when none), the
 * query string, and the path from DOCUMENT_URI or REQUEST_URI up to any '?'. Returns
 * 0, or -1 when the path is longer than SQ_PATH_MAX (r->path then holds its start,
 * for the access log). Reads nothing from f's streams.
 */
int	req_init(struct req *, FCGX_Request *f, struct worker *w);
/* Frees what the request owns (its body and parsed query); r itself is the caller's. */
void	req_done(struct req *);

/*
 * Reads the request body (declared CONTENT_LENGTH is checked against max but never
 * used to allocate). Returns SQ_OK, SQ_ERR_TOO_LARGE, or SQ_ERR_NOMEM.
 */
enum sq_err req_read_body(struct req *, size_t max);

/* Parses the query string once. Returns SQ_OK or SQ_ERR_BAD_REQUEST (message in e). */
enum sq_err req_query(struct req *, struct sq_error *e);

/* Parses the body as a JSON object (an empty body is {} when empty_ok). Caller puts it. */
struct json_object *req_json(struct req *, int empty_ok, struct sq_error *e);

/*
 * For a daily-limit refusal (SQ_ERR_RATE_LIMITED) in a dialect that answers it as HTTP
 * 429: sets a Retry-After header of the seconds to the next UTC midnight, when the
 * project's day (the limit counts UTC days) starts again. Returns 429.
 */
int	req_retry_at_midnight(struct req *);

/* Answers with status and a JSON body (json-c object, not consumed). */
void	req_reply_json(struct req *, int status, struct json_object *body);
/* Answers with status and raw JSON text. */
void	req_reply_raw(struct req *, int status, const char *json, size_t len);
struct jsonw;

/*
 * Answers with status and the document w wrote; when writing it failed (out of
 * memory, a writer misused), answers the dialect's 500 instead. The caller frees w's buf.
 */
void	req_reply_doc(struct req *, int status, struct jsonw *w);

/* Answers with a status and no body (204). */
void	req_reply_empty(struct req *, int status);

/*
 * An answer whose body is produced as it goes (CSV exports, result pages): the
 * caller appends to b and calls req_stream_flush after each piece. Up to
 * SQ_STREAM_HOLD_MAX bytes are held, and an answer that ends within that goes out
 * whole with a Content-Length; past it the head goes out without one (nginx then
 * sends the body chunked) and b is written out each time it fills, so memory stays
 * bounded whatever the body's size. Until the head has gone out the caller may drop
 * the stream and answer an error instead; after that the status is fixed, and an
 * error can only be logged and the body ended.
 */
struct req_stream {
	struct req	*r;
	struct buf	 b;            /* the caller appends here */
	int		 status;
	const char	*ctype;
	const char	*extra_header; /* sent with the head only (never with an error) */
	int		 started;      /* the head went out */
	int		 failed;       /* the client went away or memory ran out: stop producing */
};

void	req_stream_begin(struct req_stream *, struct req *, int status, const char *ctype,
	    const char *extra_header);
/* Returns 0, or -1 once the stream failed (the caller stops; the failure is logged). */
int	req_stream_flush(struct req_stream *);
/* Sends the rest and frees b. */
void	req_stream_end(struct req_stream *);
/* Frees b without sending it. Returns 1 if the head went out already (no error reply possible). */
int	req_stream_drop(struct req_stream *);
/*
 * Ends a streamed answer with the producer's result rc: SQ_OK sends the rest; an
 * error before the head went out is returned for the dialect to answer (memory
 * running out while held counts as one); after the head it is logged and the body
 * ends. Returns what the handler returns.
 */
enum sq_err req_stream_finish(struct req_stream *, enum sq_err rc, struct sq_error *e);

#endif
