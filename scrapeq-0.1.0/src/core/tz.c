/* tz.c: UTC offsets of an IANA zone from its TZif file (RFC 8536) and POSIX TZ footer, thread-safe. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scrapeq/limits.h"
#include "scrapeq/tz.h"

/* One rule date of a POSIX TZ string: Jn (1..365, no Feb 29), n (0..365) or Mm.w.d. */
struct tz_date {
	char	 kind;           /* 'J', 'N' or 'M' */
	int	 a, b, c;        /* day (J, N) or month, week, weekday (M) */
	long	 secs;           /* local time of day of the change, -167h..167h */
};

/* The footer: std offset, and a DST offset with its two rule dates when has_dst. */
struct tz_rule {
	long		 std_off;        /* seconds east of UTC */
	long		 dst_off;
	int		 has_dst;
	struct tz_date	 start, end;
};

struct tz {
	size_t		 n;              /* transitions */
	long long	*at;             /* their instants, ascending */
	long		*off;            /* the offset from each on */
	long		 first_off;      /* before the first transition: type 0 */
	int		 has_rule;
	struct tz_rule	 rule;           /* after the last transition, when has_rule */
};

int
tz_name_ok(const char *s)
{
	size_t	 i, len, comp = 0;

	if (s == NULL || (len = strlen(s)) == 0 || len > SQ_TIMEZONE_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/') {
			if (comp == 0)
				return 0;
			comp = 0;
			continue;
		}
		if (comp == 0 && c == '.')
			return 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '+' || c == '-'))
			return 0;
		comp++;
	}
	return comp > 0;
}

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->at);
	free(z->off);
	free(z);
}

struct tz *
tz_utc(void)
{
	return calloc(1, sizeof(struct tz));
}

/* ---- the POSIX TZ string of the footer ---- */

/* A zone abbreviation: three or more letters, or <...> of letters, digits, + and -. */
static const char *
parse_abbr(const char *p)
{
	const char *s = p;

	if (*p == '<') {
		for (p++; *p != '>'; p++)
			if (*p == '\0' || !(((unsigned char)*p >= 'A' && (unsigned char)*p <= 'Z') ||
			    (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '+' ||
			    *p == '-'))
				return NULL;
		return p - s >= 4 ? p + 1 : NULL;
	}
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* A bounded decimal number. */
static const char *
parse_num(const char *p, int lo, int hi, int *out)
{
	int n = 0, digits = 0;

	while (*p >= '0' && *p <= '9' && digits < 4) {
		n = n * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || n < lo || n > hi)
		return NULL;
	*out = n;
	return p;
}

/* [+-]hh[:mm[:ss]] with hh up to maxh, into seconds. */
static const char *
parse_hms(const char *p, int maxh, long *out)
{
	int	 sign = 1, h, m = 0, s = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if ((p = parse_num(p, 0, maxh, &h)) == NULL)
		return NULL;
	if (*p == ':' && (p = parse_num(p + 1, 0, 59, &m)) != NULL && *p == ':')
		p = parse_num(p + 1, 0, 59, &s);
	if (p == NULL)
		return NULL;
	*out = sign * ((long)h * 3600 + m * 60 + s);
	return p;
}

static const char *
parse_date(const char *p, struct tz_date *d)
{
	if (*p == 'J') {
		d->kind = 'J';
		p = parse_num(p + 1, 1, 365, &d->a);
	} else if (*p == 'M') {
		d->kind = 'M';
		if ((p = parse_num(p + 1, 1, 12, &d->a)) == NULL || *p != '.' ||
		    (p = parse_num(p + 1, 1, 5, &d->b)) == NULL || *p != '.')
			return NULL;
		p = parse_num(p + 1, 0, 6, &d->c);
	} else {
		d->kind = 'N';
		p = parse_num(p, 0, 365, &d->a);
	}
	d->secs = 7200;
	if (p != NULL && *p == '/')
		p = parse_hms(p + 1, 167, &d->secs);
	return p;
}

/* Parses a footer such as "CET-1CEST,M3.5.0,M10.5.0/3". Returns 0 or -1. */
static int
parse_rule(const char *p, struct tz_rule *r)
{
	long off;

	memset(r, 0, sizeof(*r));
	if ((p = parse_abbr(p)) == NULL || (p = parse_hms(p, 24, &off)) == NULL)
		return -1;
	r->std_off = -off;               /* POSIX counts west of UTC */
	if (*p == '\0')
		return 0;
	if ((p = parse_abbr(p)) == NULL)
		return -1;
	r->dst_off = r->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = parse_hms(p, 24, &off)) == NULL)
			return -1;
		r->dst_off = -off;
	}
	/* A DST name without rules would mean the system's default rules: not taken. */
	if (*p != ',' || (p = parse_date(p + 1, &r->start)) == NULL || *p != ',' ||
	    (p = parse_date(p + 1, &r->end)) == NULL || *p != '\0')
		return -1;
	r->has_dst = 1;
	return 0;
}

static int
is_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (m 1..12), proleptic Gregorian. */
static long long
days_from_civil(long long y, int m, int d)
{
	long long	 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* Local seconds (from the epoch, as if UTC) of a rule date's change in year y. */
static long long
rule_local(long long y, const struct tz_date *d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long long	 day;

	if (d->kind == 'J')
		day = days_from_civil(y, 1, 1) + d->a - 1 + (is_leap(y) && d->a >= 60);
	else if (d->kind == 'N')
		day = days_from_civil(y, 1, 1) + d->a;
	else {
		long long first = days_from_civil(y, d->a, 1);
		int	  wd = (int)(((first % 7) + 11) % 7);   /* 1970-01-01 was a Thursday (4) */
		int	  dim = mdays[d->a - 1] + (d->a == 2 && is_leap(y));
		int	  dom = 1 + (d->c - wd + 7) % 7 + (d->b - 1) * 7;

		while (dom > dim)
			dom -= 7;
		day = first + dom - 1;
	}
	return day * 86400 + d->secs;
}

/* The year (UTC) an instant falls in. */
static long long
year_of(long long t)
{
	long long	 days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	long long	 y = 1970 + days / 366;

	while (days_from_civil(y + 1, 1, 1) <= days)
		y++;
	while (days_from_civil(y, 1, 1) > days)
		y--;
	return y;
}

static long
rule_offset(const struct tz_rule *r, long long t)
{
	long long	 y, start, end;

	if (!r->has_dst)
		return r->std_off;
	y = year_of(t + r->std_off);
	start = rule_local(y, &r->start) - r->std_off;  /* the change happens in std time */
	end = rule_local(y, &r->end) - r->dst_off;      /* and back in DST */
	if (start < end)
		return t >= start && t < end ? r->dst_off : r->std_off;
	return t >= end && t < start ? r->std_off : r->dst_off;
}

long
tz_offset(const struct tz *z, long long t)
{
	size_t lo = 0, hi = z->n;

	if (z->n == 0 || t < z->at[0])
		return z->n == 0 && z->has_rule ? rule_offset(&z->rule, t) : z->first_off;
	if (t >= z->at[z->n - 1] && z->has_rule)
		return rule_offset(&z->rule, t);
	/* The last transition at or before t. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[lo];
}

/* ---- TZif ---- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_head {
	uint32_t isut, isstd, leap, time, type, chars;
};

/* Reads a header at p (len bytes left); returns its data block's size or 0 when malformed. */
static size_t
tzif_head(const unsigned char *p, size_t len, size_t tsize, struct tzif_head *h)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return 0;
	h->isut = be32(p + 20);
	h->isstd = be32(p + 24);
	h->leap = be32(p + 28);
	h->time = be32(p + 32);
	h->type = be32(p + 36);
	h->chars = be32(p + 40);
	/* Counts bounded first, so the sizes below cannot overflow. */
	if (h->time > SQ_TZFILE_MAX || h->type == 0 || h->type > 256 || h->chars > SQ_TZFILE_MAX ||
	    h->leap > SQ_TZFILE_MAX || (h->isut != 0 && h->isut != h->type) ||
	    (h->isstd != 0 && h->isstd != h->type))
		return 0;
	return h->time * tsize + h->time + h->type * 6 + h->chars + h->leap * (tsize + 4) +
	    h->isstd + h->isut;
}

/* Fills z from the version 2+ data block at p (h its header). 0 or -1. */
static int
tzif_data(struct tz *z, const unsigned char *p, const struct tzif_head *h)
{
	const unsigned char	*idx = p + h->time * 8, *types = idx + h->time;
	size_t			 i;

	if (h->leap != 0)
		return -1;              /* "right/" zones count leap seconds: not taken */
	if (h->time > 0 && ((z->at = calloc(h->time, sizeof(*z->at))) == NULL ||
	    (z->off = calloc(h->time, sizeof(*z->off))) == NULL))
		return -1;
	for (i = 0; i < h->type; i++) {
		int32_t o = (int32_t)be32(types + i * 6);

		if (o < -25 * 3600 || o > 26 * 3600)
			return -1;
	}
	z->first_off = (int32_t)be32(types);
	for (i = 0; i < h->time; i++) {
		z->at[i] = be64(p + i * 8);
		if (idx[i] >= h->type || (i > 0 && z->at[i] <= z->at[i - 1]))
			return -1;
		z->off[i] = (int32_t)be32(types + idx[i] * 6);
	}
	z->n = h->time;
	return 0;
}

int
tz_parse(const unsigned char *data, size_t len, struct tz **out)
{
	struct tzif_head	 h1, h2;
	struct tz		*z = NULL;
	size_t			 n1, n2, pos;
	char			 footer[128];
	const unsigned char	*nl;

	*out = NULL;
	if (len > SQ_TZFILE_MAX || (n1 = tzif_head(data, len, 4, &h1)) == 0 || data[4] < '2' ||
	    len - 44 < n1)
		return -1;
	pos = 44 + n1;
	if ((n2 = tzif_head(data + pos, len - pos, 8, &h2)) == 0 || len - pos - 44 < n2)
		return -1;
	if ((z = calloc(1, sizeof(*z))) == NULL || tzif_data(z, data + pos + 44, &h2) == -1)
		goto fail;
	pos += 44 + n2;
	/* The footer: "\n" POSIX-TZ "\n"; empty means no rule after the last transition. */
	if (len - pos < 2 || data[pos] != '\n' ||
	    (nl = memchr(data + pos + 1, '\n', len - pos - 1)) == NULL ||
	    (size_t)(nl - (data + pos + 1)) >= sizeof(footer))
		goto fail;
	memcpy(footer, data + pos + 1, (size_t)(nl - (data + pos + 1)));
	footer[nl - (data + pos + 1)] = '\0';
	if (footer[0] != '\0') {
		if (parse_rule(footer, &z->rule) == -1)
			goto fail;
		z->has_rule = 1;
	}
	*out = z;
	return 0;
fail:
	tz_free(z);
	return -1;
}

/* Reads the zone's file: a regular file of at most SQ_TZFILE_MAX bytes. NULL otherwise. */
static unsigned char *
read_zone(const char *name, size_t *len)
{
	char		 path[sizeof(TZ_DIR) + SQ_TIMEZONE_MAX + 2];
	struct stat	 st;
	unsigned char	*b = NULL;
	ssize_t		 got;
	int		 fd;

	if (snprintf(path, sizeof(path), "%s/%s", TZ_DIR, name) >= (int)sizeof(path) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size > SQ_TZFILE_MAX ||
	    (b = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	*len = 0;
	while (*len < (size_t)st.st_size &&
	    (got = read(fd, b + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)got;
	if (*len != (size_t)st.st_size) {
		free(b);
		b = NULL;
	}
out:
	close(fd);
	return b;
}

enum sq_err
tz_load(const char *name, struct tz **out, struct sq_error *e)
{
	unsigned char	*data;
	size_t		 len = 0;
	int		 rc;

	*out = NULL;
	if (!tz_name_ok(name))
		return sq_fail(e, SQ_ERR_INVALID, "Unknown timezone '%.*s': not an IANA zone name",
		    SQ_TIMEZONE_MAX, name ? name : "");
	if ((data = read_zone(name, &len)) == NULL)
		return sq_fail(e, SQ_ERR_INVALID, "Unknown timezone '%s'", name);
	rc = tz_parse(data, len, out);
	free(data);
	if (rc == -1)
		return sq_fail(e, SQ_ERR_INVALID, "Unknown timezone '%s': its zoneinfo file is "
		    "not usable", name);
	return SQ_OK;
}
