/* err.h: the core's error codes, their HTTP status, and a carrier for a client-safe message. */
#ifndef SCRAPEQ_ERR_H
#define SCRAPEQ_ERR_H

#include <stdarg.h>

enum sq_err {
	SQ_OK = 0,
	SQ_ERR_NOMEM,          /* 500 */
	SQ_ERR_DB,             /* 500: a query failed; detail goes to the log only */
	SQ_ERR_DB_DOWN,        /* 503: the database cannot be reached */
	SQ_ERR_INTERNAL,       /* 500 */
	SQ_ERR_BAD_REQUEST,    /* 400: malformed syntax (bad JSON, unknown field, wrong type) */
	SQ_ERR_INVALID,        /* 422: well-formed but invalid value */
	SQ_ERR_UNAUTHORIZED,   /* 401 */
	SQ_ERR_FORBIDDEN,      /* 403 */
	SQ_ERR_NOT_FOUND,      /* 404 */
	SQ_ERR_METHOD,         /* 405 */
	SQ_ERR_CONFLICT,       /* 409 */
	SQ_ERR_TOO_LARGE,      /* 413 */
	SQ_ERR_UNSUPPORTED_MEDIA, /* 415 */
	SQ_ERR_NO_TARGETS,     /* 400 */
	SQ_ERR_JOB_RUNNING,    /* 400 */
	SQ_ERR_RATE_LIMITED,   /* 400 (seed 000 says 400, not 429) */
	SQ_ERR_CANNOT_CANCEL,  /* 400 */
	SQ_ERR_CANNOT_RETRY,   /* 400 */
	SQ_ERR__COUNT
};

/* An error code plus the message a client may see. Never holds driver text. */
struct sq_error {
	enum sq_err code;
	char message[256];
};

/* Returns a short stable English phrase for the code ("not found"). */
const char *sq_strerror(enum sq_err);

/* Returns the HTTP status a code maps to (one table for every dialect). */
int sq_http_status(enum sq_err);

/*
 * Fills *e (if not NULL) with code and a printf-style message, truncated to fit;
 * a NULL fmt uses sq_strerror(code). Returns code, so `return sq_fail(e, ...)` works.
 */
enum sq_err sq_fail(struct sq_error *e, enum sq_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
