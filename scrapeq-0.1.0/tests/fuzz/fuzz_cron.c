/* fuzz_cron.c: libFuzzer target for cron expressions (and the TZif reader beside them). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrapeq/cron.h"
#include "scrapeq/limits.h"
#include "scrapeq/tz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 1 when the wall time at t in z is one the expression allows. */
static int
allowed(const struct cron *c, const struct tz *z, long long t)
{
	time_t		 w = (time_t)(t + tz_offset(z, t));
	struct tm	 tm;
	int		 dom, dow;

	gmtime_r(&w, &tm);
	dom = c->dom >> tm.tm_mday & 1;
	dow = c->dow >> tm.tm_wday & 1;
	return tm.tm_sec == 0 && (c->minute >> tm.tm_min & 1) && (c->hour >> tm.tm_hour & 1) &&
	    (c->month >> (tm.tm_mon + 1) & 1) &&
	    (!c->dom_star && !c->dow_star ? dom || dow : dom && dow);
}

/* A TZif file: refused, or every offset it gives is a sane one. */
static void
fuzz_tz(const uint8_t *data, size_t size)
{
	static const long long at[] = { -2000000000LL, 0, 1700000000LL, 2200000000LL, 4000000000LL };
	struct tz	*z;
	long		 off;
	size_t		 i;

	if (tz_parse(data, size, &z) == -1) {
		if (z != NULL)
			abort();
		return;
	}
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		if ((off = tz_offset(z, at[i])) < -26 * 3600 || off > 26 * 3600)
			abort();
	tz_free(z);
}

/*
 * An expression: refused with a message that starts "Invalid cron", or taken with
 * every field non-empty; a taken one's next slots (UTC and Berlin-like offsets
 * from a fixed zone) come later than the instant asked for and are allowed times.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sq_error	 e;
	struct cron	 c;
	struct tz	*z;
	char		 s[SQ_CRON_MAX + 16];
	long long	 after = 1767225600LL, t;   /* 2026-01-01 */
	int		 i;

	if (size > 0 && data[0] == 'T') {
		fuzz_tz(data + 1, size - 1);
		return 0;
	}
	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&e, 0, sizeof(e));
	if (cron_parse(s, &c, &e) != SQ_OK) {
		if (e.code != SQ_ERR_INVALID || strncmp(e.message, "Invalid cron", 12) != 0)
			abort();
		return 0;
	}
	if (c.minute == 0 || c.hour == 0 || c.dom == 0 || c.month == 0 || c.dow == 0 ||
	    (c.minute >> 60) != 0 || (c.hour >> 24) != 0 || (c.dom & 1) != 0 || (c.month & 1) != 0)
		abort();
	if ((z = tz_utc()) == NULL)
		return 0;
	for (i = 0; i < 3 && cron_next(&c, z, after, &t) == 0; i++) {
		if (t <= after || !allowed(&c, z, t))
			abort();
		after = t;
	}
	tz_free(z);
	return 0;
}
