/* timefmt.h: MariaDB DATETIME(6) text (UTC) to and from RFC 3339 timestamps. */
#ifndef SCRAPEQ_TIMEFMT_H
#define SCRAPEQ_TIMEFMT_H

#include <stddef.h>
#include "buf.h"

#define TIMEFMT_MAX 32

/*
 * Converts "YYYY-MM-DD HH:MM:SS[.ffffff]" to "YYYY-MM-DDTHH:MM:SSZ" (ms > 0 adds
 * ".mmm" when with_ms). Returns 0, or -1 when db is not in that form.
 */
int	timefmt_rfc3339(const char *db, int with_ms, char out[TIMEFMT_MAX]);
/* Appends the RFC 3339 form as a JSON string, or null when db is NULL or malformed. */
int	timefmt_json(struct buf *b, const char *db);

#endif
