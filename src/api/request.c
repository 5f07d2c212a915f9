/* request.c: reading a FastCGI request's body and query, and writing its answer, whole or streamed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrapeq/jsonbody.h"
#include "scrapeq/log.h"
#include "scrapeq/jsonw.h"
#include "dialect.h"
#include "request.h"

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default:  return status >= 500 ? "Internal Server Error" : "Error";
	}
}

int
req_init(struct req *r, FCGX_Request *f, struct worker *w)
{
	const char	*uri;
	size_t		 n;

	memset(r, 0, sizeof(*r));
	r->fcgx = f;
	r->w = w;
	r->group = RG_OTHER;
	r->method = FCGX_GetParam("REQUEST_METHOD", f->envp);
	if (r->method == NULL)
		r->method = "GET";
	r->query_string = FCGX_GetParam("QUERY_STRING", f->envp);
	if ((uri = FCGX_GetParam("DOCUMENT_URI", f->envp)) == NULL &&
	    (uri = FCGX_GetParam("REQUEST_URI", f->envp)) == NULL)
		uri = "/";
	n = strcspn(uri, "?");
	/* An over-long path is refused, but its start still goes to the access log. */
	memcpy(r->path, uri, n > SQ_PATH_MAX ? SQ_PATH_MAX : n);
	r->path[n > SQ_PATH_MAX ? SQ_PATH_MAX : n] = '\0';
	return n > SQ_PATH_MAX ? -1 : 0;
}

void
req_done(struct req *r)
{
	free(r->body);
	if (r->query_parsed)
		query_free(&r->query);
}

enum sq_err
req_read_body(struct req *r, size_t max)
{
	const char	*cl = FCGX_GetParam("CONTENT_LENGTH", r->fcgx->envp);
	char		*p = NULL, *np;
	size_t		 len = 0, cap = 0;
	long long	 declared = 0;
	int		 n;

	if (cl != NULL && cl[0] != '\0') {
		if (parse_int_range(cl, 0, (long long)SQ_BODY_MAX_CEILING * 1024, &declared) == -1)
			return SQ_ERR_TOO_LARGE;
		if ((size_t)declared > max)
			return SQ_ERR_TOO_LARGE;
	}
	for (;;) {
		if (len == cap) {
			if (cap > max)
				break;
			cap = cap ? cap * 2 : 4096;
			if (cap > max + 1)
				cap = max + 1;
			if ((np = realloc(p, cap + 1)) == NULL) {
				free(p);
				return SQ_ERR_NOMEM;
			}
			p = np;
		}
		if ((n = FCGX_GetStr(p + len, (int)(cap - len), r->fcgx->in)) <= 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		free(p);
		return SQ_ERR_TOO_LARGE;
	}
	if (p != NULL)
		p[len] = '\0';
	r->body = p;
	r->body_len = len;
	return SQ_OK;
}

enum sq_err
req_query(struct req *r, struct sq_error *e)
{
	char	 err[128];
	size_t	 len;

	if (r->query_parsed)
		return SQ_OK;
	len = r->query_string ? strlen(r->query_string) : 0;
	if (query_parse(&r->query, r->query_string, len, err, sizeof(err)) == -1)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid query string: %s", err);
	r->query_parsed = 1;
	return SQ_OK;
}

struct json_object *
req_json(struct req *r, int empty_ok, struct sq_error *e)
{
	return jsonbody_parse(r->body ? r->body : "", r->body_len, empty_ok, e);
}

#define REQ_NO_LENGTH ((size_t)-1)

/*
 * libfcgi's own printf knows no %zu, so the head is formatted here and written once.
 * len REQ_NO_LENGTH sends no Content-Length: the body streams and ends with the request.
 * Returns -1 when r->settle answered instead: the caller writes no body.
 */
static int
req_head(struct req *r, int status, const char *ctype, size_t len)
{
	char	 h[1024], cl[48] = "";
	int	 n;

	if (r->settle != NULL && r->settle(r) != 0)
		return -1;
	r->status = status;
	if (len != REQ_NO_LENGTH)
		snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", len);
	n = snprintf(h, sizeof(h), "Status: %d %s\r\n%s%s%s%s%s%s%s%s"
	    "Cache-Control: no-store\r\n%s\r\n",
	    status, status_text(status),
	    r->allow ? "Allow: " : "", r->allow ? r->allow : "", r->allow ? "\r\n" : "",
	    r->extra_header ? r->extra_header : "", r->extra_header ? "\r\n" : "",
	    ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "", cl);
	if (n < 0 || (size_t)n >= sizeof(h))
		n = snprintf(h, sizeof(h), "Status: 500 Internal Server Error\r\n\r\n");
	FCGX_PutStr(h, n, r->fcgx->out);
	return 0;
}

void
req_reply_raw(struct req *r, int status, const char *json, size_t len)
{
	if (req_head(r, status, "application/json", len) == 0)
		FCGX_PutStr(json, (int)len, r->fcgx->out);
}

void
req_reply_json(struct req *r, int status, struct json_object *body)
{
	size_t		 len;
	const char	*s;

	s = json_object_to_json_string_length(body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	req_reply_raw(r, status, s, len);
}

void
req_reply_doc(struct req *r, int status, struct jsonw *w)
{
	static const char bare[] = "{\"error\":\"internal error\"}";
	struct sq_error e = { SQ_ERR_INTERNAL, "" };

	if (!jsonw_failed(w)) {
		req_reply_raw(r, status, w->b->data, w->b->len);
		return;
	}
	if (r->dialect == NULL || r->failing) {
		req_reply_raw(r, 500, bare, sizeof(bare) - 1);
		return;
	}
	r->failing = 1;
	r->dialect->error(r, &e);
}

void
req_reply_empty(struct req *r, int status)
{
	req_head(r, status, NULL, 0);
}

void
req_stream_begin(struct req_stream *s, struct req *r, int status, const char *ctype,
    const char *extra_header)
{
	memset(s, 0, sizeof(*s));
	s->r = r;
	s->status = status;
	s->ctype = ctype;
	s->extra_header = extra_header;
	buf_init(&s->b, 0);
}

/* Writes what b holds to the client (the head first, once) and empties b. */
static int
req_stream_send(struct req_stream *s, size_t len)
{
	if (s->failed)
		return -1;
	if (s->b.oom) {
		log_err("stream: out of memory after %zu bytes", s->b.len);
		s->failed = 1;
		return -1;
	}
	if (!s->started) {
		s->r->extra_header = s->extra_header;
		s->started = 1;
		if (req_head(s->r, s->status, s->ctype, len) != 0)
			s->failed = 1;
	}
	if (!s->failed && s->b.len > 0 && FCGX_PutStr(s->b.data, (int)s->b.len, s->r->fcgx->out) != (int)s->b.len) {
		log_info("stream: the client went away (%s %.200s)", s->r->method, s->r->path);
		s->failed = 1;
	}
	buf_reset(&s->b);
	return s->failed ? -1 : 0;
}

int
req_stream_flush(struct req_stream *s)
{
	if (s->failed || s->b.oom)
		return req_stream_send(s, REQ_NO_LENGTH);
	if (s->b.len < SQ_STREAM_HOLD_MAX)
		return 0;
	return req_stream_send(s, REQ_NO_LENGTH);
}

void
req_stream_end(struct req_stream *s)
{
	req_stream_send(s, s->started ? REQ_NO_LENGTH : s->b.len);
	buf_free(&s->b);
}

int
req_stream_drop(struct req_stream *s)
{
	buf_free(&s->b);
	return s->started;
}

enum sq_err
req_stream_finish(struct req_stream *s, enum sq_err rc, struct sq_error *e)
{
	struct req *r = s->r;

	if (rc == SQ_OK && s->b.oom && !s->started)
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	if (rc != SQ_OK && !req_stream_drop(s))
		return rc;
	if (rc != SQ_OK)
		log_err("%s %.200s: %s after the answer began; body ended early", r->method,
		    r->path, sq_strerror(rc));
	else
		req_stream_end(s);
	return SQ_OK;
}

int
req_retry_at_midnight(struct req *r)
{
	time_t now = time(NULL);

	snprintf(r->extra_buf, sizeof(r->extra_buf), "Retry-After: %lld",
	    86400LL - (long long)(now % 86400));
	r->extra_header = r->extra_buf;
	return 429;
}
