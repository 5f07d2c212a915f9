/* cron.c: a strict five-field cron parser and the next slot of an expression in a time zone. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "scrapeq/cron.h"
#include "scrapeq/limits.h"

struct field {
	const char		*name;
	int			 lo, hi;
	const char *const	*names;  /* names[i] is the value lo + i; NULL: numbers only */
};

static const char *const month_names[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
	"AUG", "SEP", "OCT", "NOV", "DEC", NULL };
static const char *const day_names[] = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL };

static const struct field fields[5] = {
	{ "minute", 0, 59, NULL },
	{ "hour", 0, 23, NULL },
	{ "day-of-month", 1, 31, NULL },
	{ "month", 1, 12, month_names },
	{ "day-of-week", 0, 7, day_names },     /* 7 is Sunday too */
};

/* One value at *p (a number or a name) into *v; advances *p. 0, or -1 with the message. */
static int
parse_value(const struct field *f, const char **p, int *v, struct sq_error *e)
{
	const char	*s = *p;
	int		 n = 0, digits = 0, i;

	if (f->names != NULL && ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))) {
		for (i = 0; f->names[i] != NULL; i++)
			if (strncasecmp(s, f->names[i], 3) == 0 &&
			    !((s[3] >= 'A' && s[3] <= 'Z') || (s[3] >= 'a' && s[3] <= 'z'))) {
				*v = f->lo + i;
				*p = s + 3;
				return 0;
			}
		sq_fail(e, SQ_ERR_INVALID, "Invalid cron: %s field: unknown name", f->name);
		return -1;
	}
	while (*s >= '0' && *s <= '9') {
		if (++digits > 2) {
			sq_fail(e, SQ_ERR_INVALID, "Invalid cron: %s field: value out of range "
			    "%d-%d", f->name, f->lo, f->hi);
			return -1;
		}
		n = n * 10 + (*s++ - '0');
	}
	if (digits == 0) {
		sq_fail(e, SQ_ERR_INVALID, "Invalid cron: %s field: expected a number%s, '*' or a "
		    "list", f->name, f->names ? " or a name" : "");
		return -1;
	}
	if (n < f->lo || n > f->hi) {
		sq_fail(e, SQ_ERR_INVALID, "Invalid cron: %s field: value %d out of range %d-%d",
		    f->name, n, f->lo, f->hi);
		return -1;
	}
	*v = n;
	*p = s;
	return 0;
}

/* One item: *, a, a-b, each with an optional /step. Sets its bits in *bits. */
static int
parse_item(const struct field *f, const char **p, uint64_t *bits, struct sq_error *e)
{
	int	 a = f->lo, b = f->hi, step = 1, v;

	if (**p == '*') {
		(*p)++;
	} else {
		if (parse_value(f, p, &a, e) == -1)
			return -1;
		b = a;
		if (**p == '-') {
			(*p)++;
			if (parse_value(f, p, &b, e) == -1)
				return -1;
			if (b < a) {
				sq_fail(e, SQ_ERR_INVALID, "Invalid cron: %s field: range %d-%d "
				    "runs backwards", f->name, a, b);
				return -1;
			}
		} else if (**p == '/')
			b = f->hi;             /* 5/15: from 5 to the end */
	}
	if (**p == '/') {
		const char	*s = ++(*p);
		int		 digits = 0;

		step = 0;
		while (**p >= '0' && **p <= '9' && digits++ < 3)
			step = step * 10 + (*(*p)++ - '0');
		if (*p == s || step < 1 || step > f->hi - f->lo + 1 || (**p >= '0' && **p <= '9')) {
			sq_fail(e, SQ_ERR_INVALID, "Invalid cron: %s field: step must be from 1 "
			    "to %d", f->name, f->hi - f->lo + 1);
			return -1;
		}
	}
	for (v = a; v <= b; v += step)
		*bits |= (uint64_t)1 << v;
	return 0;
}

/* A whole field (a comma list) from s up to its end (len bytes). */
static int
parse_field(const struct field *f, const char *s, size_t len, uint64_t *bits,
    struct sq_error *e)
{
	const char *p = s, *end = s + len;

	*bits = 0;
	for (;;) {
		if (parse_item(f, &p, bits, e) == -1)
			return -1;
		if (p == end)
			return 0;
		if (*p != ',' || p + 1 == end) {
			sq_fail(e, SQ_ERR_INVALID, "Invalid cron: %s field: unexpected '%c'",
			    f->name, *p >= 0x21 && *p < 0x7f ? *p : '?');
			return -1;
		}
		p++;
	}
}

/* 1 when some allowed day of month exists in some allowed month (Feb 29 counts). */
static int
dom_possible(const struct cron *c)
{
	static const int mdays[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int m, d;

	for (m = 1; m <= 12; m++)
		for (d = 1; d <= mdays[m]; d++)
			if ((c->month >> m & 1) && (c->dom >> d & 1))
				return 1;
	return 0;
}

enum sq_err
cron_parse(const char *s, struct cron *out, struct sq_error *e)
{
	const char	*p, *start[5];
	size_t		 len[5], n = 0;
	uint64_t	 bits[5];
	int		 i;

	memset(out, 0, sizeof(*out));
	if (s == NULL || strnlen(s, SQ_CRON_MAX + 1) > SQ_CRON_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "Invalid cron: at most %d bytes", SQ_CRON_MAX);
	for (p = s; *p != '\0';) {
		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		if (n == 5)
			return sq_fail(e, SQ_ERR_INVALID, "Invalid cron: expected 5 fields "
			    "(minute hour day-of-month month day-of-week), got more");
		start[n] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		len[n] = (size_t)(p - start[n]);
		n++;
	}
	if (n != 5)
		return sq_fail(e, SQ_ERR_INVALID, "Invalid cron: expected 5 fields (minute hour "
		    "day-of-month month day-of-week), got %zu", n);
	for (i = 0; i < 5; i++)
		if (parse_field(&fields[i], start[i], len[i], &bits[i], e) == -1)
			return e->code;
	out->minute = bits[0];
	out->hour = (uint32_t)bits[1];
	out->dom = (uint32_t)bits[2];
	out->month = (uint16_t)bits[3];
	out->dow = (uint8_t)((bits[4] | bits[4] >> 7) & 0x7f);   /* 7 is Sunday */
	out->dom_star = start[2][0] == '*';
	out->dow_star = start[4][0] == '*';
	if (out->dow_star && !dom_possible(out))
		return sq_fail(e, SQ_ERR_INVALID, "Invalid cron: no allowed month has the allowed "
		    "day of month, so it would never fire");
	return SQ_OK;
}

static int
day_matches(const struct cron *c, const struct tm *tm)
{
	int dom = c->dom >> tm->tm_mday & 1, dow = c->dow >> tm->tm_wday & 1;

	if (!c->dom_star && !c->dow_star)
		return dom || dow;
	return dom && dow;
}

/* The wall-clock time in z at u, and the offset used. */
static long
wall(const struct tz *z, long long u, struct tm *tm)
{
	long	 off = tz_offset(z, u);
	time_t	 w = (time_t)(u + off);

	gmtime_r(&w, tm);
	return off;
}

/* 1 when the wall time at u already occurred earlier (u is in the repeated hour). */
static int
is_repeat(const struct tz *z, long long u)
{
	static const long long back[] = { 3600, 7200, 3 * 3600, 86400 };
	long	 o = tz_offset(z, u), o2;
	size_t	 i;

	for (i = 0; i < sizeof(back) / sizeof(back[0]); i++)
		if ((o2 = tz_offset(z, u - back[i])) > o && tz_offset(z, u + o - o2) == o2)
			return 1;
	return 0;
}

/* Seconds from the wall time tm to the start of the next month. */
static long long
to_next_month(const struct tm *tm)
{
	struct tm n;

	memset(&n, 0, sizeof(n));
	n.tm_year = tm->tm_year + (tm->tm_mon == 11);
	n.tm_mon = (tm->tm_mon + 1) % 12;
	n.tm_mday = 1;
	return (long long)timegm(&n) - (long long)timegm((struct tm *)tm);
}

#define CRON_FIRST 0LL                  /* 1970-01-01 */
#define CRON_LAST  221845392000LL       /* 9000-01-01 */
#define CRON_STEPS 1000000

int
cron_next(const struct cron *c, const struct tz *z, long long after, long long *out)
{
	struct tm	 tm;
	long long	 u, limit, j, nu;
	long		 off;
	int		 steps;

	if (after < CRON_FIRST || after > CRON_LAST)
		return -1;
	limit = after + (long long)SQ_CRON_HORIZON_YEARS * 366 * 86400;
	for (u = after + 1, steps = 0; u <= limit && steps < CRON_STEPS; steps++) {
		off = wall(z, u, &tm);
		if (tm.tm_sec != 0)
			j = 60 - tm.tm_sec;
		else if (!(c->month >> (tm.tm_mon + 1) & 1))
			j = to_next_month(&tm);
		else if (!day_matches(c, &tm))
			j = 86400 - (tm.tm_hour * 3600 + tm.tm_min * 60);
		else if (!(c->hour >> tm.tm_hour & 1))
			j = 3600 - tm.tm_min * 60;
		else if (!(c->minute >> tm.tm_min & 1))
			j = 60;
		else if (c->hour != 0xffffff && is_repeat(z, u))
			j = 60;
		else {
			*out = u;
			return 0;
		}
		/*
		 * The jump was measured in this offset; when the clocks went forward on
		 * the way, land that much earlier so no wall time past the change is missed.
		 */
		nu = u + j;
		if (tz_offset(z, nu) > off)
			nu -= tz_offset(z, nu) - off;
		u = nu > u ? nu : u + 60;
	}
	return -1;
}
