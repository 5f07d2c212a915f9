/* jsonw.h: a streaming JSON writer over struct buf, for the API's responses. */
#ifndef SCRAPEQ_JSONW_H
#define SCRAPEQ_JSONW_H

#include "buf.h"
#include "limits.h"

#define JSONW_DEPTH_MAX 32

/*
 * Commas and nesting are tracked here; every call takes the member's key inside an
 * object and NULL inside an array or at the top. Misuse (too deep, ending what was
 * not begun) and running out of buffer make jsonw_failed() true; calls then no-op.
 */
struct jsonw {
	struct buf	*b;
	unsigned	 depth;
	unsigned	 n[JSONW_DEPTH_MAX + 1];      /* values written at each level */
	char		 close[JSONW_DEPTH_MAX + 1];  /* '}' or ']' */
	int		 bad;
};

void	jsonw_init(struct jsonw *, struct buf *);
void	jsonw_object(struct jsonw *, const char *key);
void	jsonw_array(struct jsonw *, const char *key);
void	jsonw_end(struct jsonw *);
/* A string value (escaped, invalid UTF-8 replaced); NULL writes null. */
void	jsonw_str(struct jsonw *, const char *key, const char *s);
void	jsonw_int(struct jsonw *, const char *key, long long v);
void	jsonw_bool(struct jsonw *, const char *key, int v);
void	jsonw_null(struct jsonw *, const char *key);
/*
 * A MariaDB DATETIME(6) text as RFC 3339 UTC ("...Z", ".mmm" with with_ms:
 * timefmt_rfc3339), or null when db is NULL, empty or not such a time.
 */
void	jsonw_time(struct jsonw *, const char *key, const char *db, int with_ms);
/*
 * Copies JSON text as the value: only for text scrapeq itself wrote and MariaDB
 * checked with JSON_VALID (a job's config, metadata, error). NULL writes null.
 */
void	jsonw_raw(struct jsonw *, const char *key, const char *json);
/* Returns 1 when the document is incomplete or anything failed. */
int	jsonw_failed(const struct jsonw *);

#endif
