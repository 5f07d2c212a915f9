/* timefmt.c: MariaDB DATETIME(6) text (UTC) rendered as RFC 3339. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "scrapeq/timefmt.h"

int
timefmt_rfc3339(const char *db, int with_ms, char out[TIMEFMT_MAX])
{
	size_t	 i, len;

	if (db == NULL || (len = strlen(db)) < 19)
		return -1;
	static const char shape[] = "dddd-dd-dd dd:dd:dd";

	for (i = 0; i < 19; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)db[i]) : db[i] != shape[i])
			return -1;
	}
	memcpy(out, db, 19);
	out[10] = 'T';
	if (with_ms && len >= 23 && db[19] == '.') {
		memcpy(out + 19, db + 19, 4);
		memcpy(out + 23, "Z", 2);
	} else
		memcpy(out + 19, "Z", 2);
	return 0;
}

int
timefmt_json(struct buf *b, const char *db)
{
	char	 t[TIMEFMT_MAX];

	if (timefmt_rfc3339(db, 0, t) == -1)
		return buf_puts(b, "null");
	return buf_printf(b, "\"%s\"", t);
}
