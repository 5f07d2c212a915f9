/* crawl_error.h: the URLs a crawl did not store as results, and why, read by a member of the job's project. */
#ifndef SCRAPEQ_CRAWL_ERROR_H
#define SCRAPEQ_CRAWL_ERROR_H

#include "auth.h"
#include "db.h"
#include "err.h"
#include "pagination.h"
#include "uuid.h"

/* crawl_errors.kind, in the order of its ENUM in sql/002_daemon.sql. */
enum crawl_error_kind {
	CRAWL_ERR_FETCH,        /* the fetch failed (DNS, connect, timeout, TLS) */
	CRAWL_ERR_HTTP,         /* an HTTP error status */
	CRAWL_ERR_ROBOTS,       /* robots.txt disallows it */
	CRAWL_ERR_REFUSED,      /* a refused address (loopback, private, metadata) */
	CRAWL_ERR_TOO_LARGE,    /* the body passed the size limit */
	CRAWL_ERR_REDIRECTS,    /* too many redirects, or a loop */
	CRAWL_ERR_TYPE,         /* a content type that is not stored */
	CRAWL_ERR_SELECTOR,     /* the job's selectors passed their CPU time, or their worker died */
	CRAWL_ERR__COUNT
};

/* "fetch", "http", ...; "?" out of range. */
const char *crawl_error_kind_name(enum crawl_error_kind);
/* Returns 0 and sets *out, or -1 for a name that is not a kind. */
int	crawl_error_kind_parse(const char *s, enum crawl_error_kind *out);

/* One crawl error. Strings point into the row: valid only during the callback. */
struct crawl_error {
	const char		*url;
	enum crawl_error_kind	 kind;
	int			 has_status;
	long long		 status_code;
	const char		*message;
	int			 has_target;
	struct uuid		 target_id;
	const char		*created_at;    /* DATETIME(6) text, UTC */
};

/* Called once per row in crawl_errors.id order. Returns 0 to go on, non-zero to stop. */
typedef int (*crawl_error_fn)(void *arg, const struct crawl_error *);

/*
 * Reads the crawl errors of job in the window (oldest first), optionally only of one
 * kind (kind NULL: all), handing each row to fn as it arrives. total (may be NULL)
 * receives the number of matching rows. Returns SQ_ERR_NOT_FOUND, before any row,
 * unless who is a member of the job's project; fn returning non-zero is SQ_OK.
 */
enum sq_err crawl_errors_read(struct db *, const struct principal *who, const struct uuid *job,
	    const enum crawl_error_kind *kind, const struct rows_window *win,
	    crawl_error_fn fn, void *arg, long long *total, struct sq_error *e);

#endif
