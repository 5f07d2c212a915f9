/* test_cron.c: cron expressions (strict parse, malformed rows) and next slots in zones across DST. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrapeq/cron.h"
#include "scrapeq/limits.h"
#include "scrapeq/tz.h"
#include "tap.h"

/* Expression, zone, the instant after (UTC), the next slot wanted (UTC; NULL: none). */
static const struct {
	const char *expr, *zone, *after, *want;
} next_rows[] = {
	{ "* * * * *", "UTC", "2026-01-01 00:00:00", "2026-01-01 00:01:00" },
	{ "* * * * *", "UTC", "2026-01-01 00:00:30", "2026-01-01 00:01:00" },
	{ "*/15 * * * *", "UTC", "2026-01-01 00:14:59", "2026-01-01 00:15:00" },
	{ "0 0 * * *", "UTC", "2026-12-31 23:59:59", "2027-01-01 00:00:00" },
	{ "30 9 * * MON-FRI", "UTC", "2026-12-05 10:00:00", "2026-12-07 09:30:00" },
	{ "30 9 * * 1-5", "UTC", "2026-12-07 09:30:00", "2026-12-08 09:30:00" },
	{ "0 12 1 * *", "UTC", "2026-01-31 13:00:00", "2026-02-01 12:00:00" },
	{ "0 0 29 2 *", "UTC", "2026-03-01 00:00:00", "2028-02-29 00:00:00" },
	{ "0 0 31 * *", "UTC", "2026-04-01 00:00:00", "2026-05-31 00:00:00" },
	/* both day fields restricted: either fires (the 13th, or a Friday) */
	{ "0 0 13 * 5", "UTC", "2026-02-01 00:00:00", "2026-02-06 00:00:00" },
	{ "0 0 13 * 5", "UTC", "2026-02-10 00:00:00", "2026-02-13 00:00:00" },
	/* a day field with '*' first: both must match */
	{ "0 0 */2 * 5", "UTC", "2026-02-01 00:00:00", "2026-02-13 00:00:00" },
	{ "0 0 * JAN,jul SUN", "UTC", "2026-02-01 00:00:00", "2026-07-05 00:00:00" },
	{ "0 0 * * 7", "UTC", "2026-12-05 00:00:00", "2026-12-06 00:00:00" },
	{ "5/20 * * * *", "UTC", "2026-01-01 00:06:00", "2026-01-01 00:25:00" },
	{ "0 9 * * *", "Europe/Berlin", "2026-01-15 00:00:00", "2026-01-15 08:00:00" },
	{ "0 9 * * *", "Europe/Berlin", "2026-07-15 00:00:00", "2026-07-15 07:00:00" },
	{ "0 9 * * *", "America/New_York", "2026-07-15 00:00:00", "2026-07-15 13:00:00" },
	/* Berlin, spring forward 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not occur */
	{ "30 2 * * *", "Europe/Berlin", "2026-03-28 02:00:00", "2026-03-30 00:30:00" },
	{ "0 * * * *", "Europe/Berlin", "2026-03-29 00:30:00", "2026-03-29 01:00:00" },
	{ "0 3 * * *", "Europe/Berlin", "2026-03-28 03:00:00", "2026-03-29 01:00:00" },
	/* Berlin, fall back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 fires once, the first */
	{ "30 2 * * *", "Europe/Berlin", "2026-10-24 12:00:00", "2026-10-25 00:30:00" },
	{ "30 2 * * *", "Europe/Berlin", "2026-10-25 00:30:00", "2026-10-26 01:30:00" },
	/* ... but with the hour field '*' each real hour fires, in both passes */
	{ "30 * * * *", "Europe/Berlin", "2026-10-25 00:30:00", "2026-10-25 01:30:00" },
	{ "30 * * * *", "Europe/Berlin", "2026-10-25 01:30:00", "2026-10-25 02:30:00" },
	/* past the zone file's transitions (2037): the footer's rule */
	{ "0 12 1 7 *", "Europe/Berlin", "2050-01-01 00:00:00", "2050-07-01 10:00:00" },
	{ "0 12 1 1 *", "Europe/Berlin", "2050-01-02 00:00:00", "2051-01-01 11:00:00" },
	{ "0 12 1 1 *", "Australia/Sydney", "2050-01-02 00:00:00", "2051-01-01 01:00:00" },
	{ "0 12 1 7 *", "Australia/Sydney", "2050-01-02 00:00:00", "2050-07-01 02:00:00" },
	{ "0 0 * * *", "Asia/Kolkata", "2026-01-01 00:00:00", "2026-01-01 18:30:00" },
	{ "0 0 * * *", "Australia/Lord_Howe", "2026-01-01 00:00:00", "2026-01-01 13:00:00" },
	{ "0 0 * * *", "UTC", "8999-12-31 00:00:00", "9000-01-01 00:00:00" },
	{ "0 0 * * *", "UTC", "9000-01-01 00:00:01", NULL },
};

/* Malformed or impossible expressions and the start of the message each gets. */
static const struct {
	const char *expr, *msg;
} bad_rows[] = {
	{ "", "Invalid cron: expected 5 fields" },
	{ "   ", "Invalid cron: expected 5 fields" },
	{ "* * * *", "Invalid cron: expected 5 fields (minute hour day-of-month month day-of-week), got 4" },
	{ "* * * * * *", "Invalid cron: expected 5 fields (minute hour day-of-month month day-of-week), got more" },
	{ "60 * * * *", "Invalid cron: minute field: value 60 out of range 0-59" },
	{ "* 24 * * *", "Invalid cron: hour field: value 24 out of range 0-23" },
	{ "* * 0 * *", "Invalid cron: day-of-month field: value 0 out of range 1-31" },
	{ "* * 32 * *", "Invalid cron: day-of-month field: value 32 out of range 1-31" },
	{ "* * * 13 *", "Invalid cron: month field: value 13 out of range 1-12" },
	{ "* * * * 8", "Invalid cron: day-of-week field: value 8 out of range 0-7" },
	{ "100 * * * *", "Invalid cron: minute field: value out of range 0-59" },
	{ "-1 * * * *", "Invalid cron: minute field: expected a number" },
	{ "5-1 * * * *", "Invalid cron: minute field: range 5-1 runs backwards" },
	{ "*/0 * * * *", "Invalid cron: minute field: step must be from 1 to 60" },
	{ "*/61 * * * *", "Invalid cron: minute field: step must be from 1 to 60" },
	{ "*/ * * * *", "Invalid cron: minute field: step must be from 1 to 60" },
	{ "*/1000 * * * *", "Invalid cron: minute field: step must be from 1 to 60" },
	{ "1,,2 * * * *", "Invalid cron: minute field: expected a number" },
	{ "1, * * * *", "Invalid cron: minute field: unexpected ','" },
	{ "1-2-3 * * * *", "Invalid cron: minute field: unexpected '-'" },
	{ "** * * * *", "Invalid cron: minute field: unexpected '*'" },
	{ "a * * * *", "Invalid cron: minute field: expected a number, '*' or a list" },
	{ "* * * FOO *", "Invalid cron: month field: unknown name" },
	{ "* * * JANUARY *", "Invalid cron: month field: unknown name" },
	{ "* * * * MON-", "Invalid cron: day-of-week field: expected a number or a name" },
	{ "* * * * SUNDAY", "Invalid cron: day-of-week field: unknown name" },
	{ "* * * * 1;2", "Invalid cron: day-of-week field: unexpected ';'" },
	{ "@daily", "Invalid cron: expected 5 fields" },
	{ "0 0 30 2 *", "Invalid cron: no allowed month has the allowed day of month" },
	{ "0 0 31 4,6,9,11 *", "Invalid cron: no allowed month has the allowed day of month" },
	{ "0 0 * * 1/9", "Invalid cron: day-of-week field: step must be from 1 to 8" },
	{ "0 0 * * 1/", "Invalid cron: day-of-week field: step must be from 1 to 8" },
};

static long long
utc(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (strptime(s, "%Y-%m-%d %H:%M:%S", &tm) == NULL)
		abort();
	return (long long)timegm(&tm);
}

static void
fmt(long long t, char out[32])
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

static void
test_next(void)
{
	struct sq_error	 e;
	struct cron	 c;
	struct tz	*z;
	long long	 got;
	char		 g[32], what[160];
	size_t		 i;

	for (i = 0; i < sizeof(next_rows) / sizeof(next_rows[0]); i++) {
		snprintf(what, sizeof(what), "'%s' in %s after %s", next_rows[i].expr,
		    next_rows[i].zone, next_rows[i].after);
		if (cron_parse(next_rows[i].expr, &c, &e) != SQ_OK ||
		    tz_load(next_rows[i].zone, &z, &e) != SQ_OK) {
			TAP_CHECK(0, "%s: %s", what, e.message);
			continue;
		}
		if (cron_next(&c, z, utc(next_rows[i].after), &got) == -1)
			TAP_CHECK(next_rows[i].want == NULL, "%s: no slot", what);
		else {
			fmt(got, g);
			TAP_STREQ(g, next_rows[i].want ? next_rows[i].want : "(none)", what);
		}
		tz_free(z);
	}
}

static void
test_bad(void)
{
	struct sq_error	 e;
	struct cron	 c;
	char		 long_expr[SQ_CRON_MAX + 8];
	size_t		 i;

	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		memset(&e, 0, sizeof(e));
		TAP_CHECK(cron_parse(bad_rows[i].expr, &c, &e) == SQ_ERR_INVALID &&
		    strncmp(e.message, bad_rows[i].msg, strlen(bad_rows[i].msg)) == 0,
		    "'%s': got \"%s\", want \"%s...\"", bad_rows[i].expr, e.message, bad_rows[i].msg);
	}
	/* Past the length bound, even when every byte would parse. */
	memset(long_expr, ' ', sizeof(long_expr));
	memcpy(long_expr + sizeof(long_expr) - 10, "* * * * *", 10);
	TAP_CHECK(cron_parse(long_expr, &c, &e) == SQ_ERR_INVALID &&
	    strstr(e.message, "at most") != NULL, "overlong expression: %s", e.message);
	TAP_CHECK(cron_parse(NULL, &c, &e) == SQ_ERR_INVALID, "NULL expression");
}

static const struct {
	const char	*name;
	int		 ok;     /* tz_name_ok */
	int		 loads;  /* tz_load succeeds */
} zone_rows[] = {
	{ "UTC", 1, 1 }, { "Europe/Berlin", 1, 1 }, { "America/Argentina/Buenos_Aires", 1, 1 },
	{ "Etc/GMT+5", 1, 1 }, { "America/Port-au-Prince", 1, 1 },
	{ "", 0, 0 }, { "/etc/passwd", 0, 0 }, { "../../etc/passwd", 0, 0 },
	{ "Europe/../UTC", 0, 0 }, { "Europe//Berlin", 0, 0 }, { "Europe/Berlin/", 0, 0 },
	{ ".hidden", 0, 0 }, { "Europe/Berlin\n", 0, 0 }, { "Europe Berlin", 0, 0 },
	{ "Mars/Olympus_Mons", 1, 0 }, { "Europe", 1, 0 }, { "right/UTC", 1, 0 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, 0 },
};

static void
test_zones(void)
{
	struct sq_error	 e;
	struct tz	*z;
	size_t		 i;
	static const unsigned char junk[] = "TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\xff\xff\xff\xff";

	for (i = 0; i < sizeof(zone_rows) / sizeof(zone_rows[0]); i++) {
		TAP_CHECK(tz_name_ok(zone_rows[i].name) == zone_rows[i].ok, "tz_name_ok('%s')",
		    zone_rows[i].name);
		z = NULL;
		TAP_CHECK((tz_load(zone_rows[i].name, &z, &e) == SQ_OK) == zone_rows[i].loads,
		    "tz_load('%s'): %s", zone_rows[i].name, e.message);
		tz_free(z);
	}
	TAP_CHECK(tz_parse(junk, sizeof(junk) - 1, &z) == -1 && z == NULL, "truncated TZif");
	TAP_CHECK(tz_parse((const unsigned char *)"", 0, &z) == -1, "empty TZif");
}

int
main(void)
{
	test_next();
	test_bad();
	test_zones();
	return tap_done("test_cron");
}
