/* err.c: names and HTTP statuses of the core error codes, in one table. */
#include <stdio.h>

#include "scrapeq/err.h"

static const struct {
	const char	*text;
	int		 status;
} err_table[SQ_ERR__COUNT] = {
	[SQ_OK]                   = { "ok", 200 },
	[SQ_ERR_NOMEM]            = { "out of memory", 500 },
	[SQ_ERR_DB]               = { "internal database error", 500 },
	[SQ_ERR_DB_DOWN]          = { "database unavailable, try again shortly", 503 },
	[SQ_ERR_INTERNAL]         = { "internal error", 500 },
	[SQ_ERR_BAD_REQUEST]      = { "bad request", 400 },
	[SQ_ERR_INVALID]          = { "invalid data", 422 },
	[SQ_ERR_UNAUTHORIZED]     = { "authentication required", 401 },
	[SQ_ERR_FORBIDDEN]        = { "forbidden", 403 },
	[SQ_ERR_NOT_FOUND]        = { "not found", 404 },
	[SQ_ERR_METHOD]           = { "method not allowed", 405 },
	[SQ_ERR_CONFLICT]         = { "conflict", 409 },
	[SQ_ERR_TOO_LARGE]        = { "request body too large", 413 },
	[SQ_ERR_UNSUPPORTED_MEDIA] = { "unsupported media type", 415 },
	[SQ_ERR_NO_TARGETS]       = { "project has no targets", 400 },
	[SQ_ERR_JOB_RUNNING]      = { "another job is already running", 400 },
	[SQ_ERR_RATE_LIMITED]     = { "daily job limit exceeded", 400 },
	[SQ_ERR_CANNOT_CANCEL]    = { "job is not running or pending", 400 },
	[SQ_ERR_CANNOT_RETRY]     = { "job cannot be retried", 400 },
};

const char *
sq_strerror(enum sq_err code)
{
	if ((unsigned)code >= SQ_ERR__COUNT || err_table[code].text == NULL)
		return "unknown error";
	return err_table[code].text;
}

int
sq_http_status(enum sq_err code)
{
	if ((unsigned)code >= SQ_ERR__COUNT || err_table[code].status == 0)
		return 500;
	return err_table[code].status;
}

enum sq_err
sq_fail(struct sq_error *e, enum sq_err code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	if (fmt == NULL) {
		snprintf(e->message, sizeof(e->message), "%s", sq_strerror(code));
		return code;
	}
	va_start(ap, fmt);
	/* Truncation is acceptable: the message is advisory and always NUL-terminated. */
	(void)vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}
