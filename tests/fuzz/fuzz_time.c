/* fuzz_time.c: libFuzzer target for every time a client sends or is shown: job_spec_time, flow_time_parse/render, timefmt_rfc3339. */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrapeq/flow.h"
#include "scrapeq/job_spec.h"
#include "scrapeq/timefmt.h"
#include "model.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* job_spec.h's grammar, written again as a regular expression: a second opinion. */
#define ISO_RE "^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})" \
	"(\\.([0-9]+))?([Zz]|([+-])([0-9]{2}):([0-9]{2}))$"
#define DB_RE  "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}$"

static const regex_t *
re(int which)
{
	static regex_t	 r[2];
	static int	 done[2];

	return model_regex(&r[which], &done[which], which ? DB_RE : ISO_RE);
}

/* What job_spec_time must give for s: 0 and the text, or -1. */
static int
model_iso(const char *s, char want[64])
{
	regmatch_t	 m[13];
	struct tm	 tm;
	char		 frac[7] = "000000";
	long long	 t;
	int		 y, mo, d, h, mi, se, oh = 0, om = 0, sign = 1, i;

	if (regexec(re(0), s, 13, m, 0) != 0)
		return -1;
	y = model_digits(s, &m[1]), mo = model_digits(s, &m[2]), d = model_digits(s, &m[3]);
	h = model_digits(s, &m[4]), mi = model_digits(s, &m[5]), se = model_digits(s, &m[6]);
	if (m[10].rm_so != -1) {
		sign = s[m[10].rm_so] == '-' ? -1 : 1;
		oh = model_digits(s, &m[11]), om = model_digits(s, &m[12]);
	}
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > model_month_days(y, mo) || h > 23 ||
	    mi > 59 || se > 59 || oh > 23 || om > 59)
		return -1;
	for (i = 0; m[8].rm_so != -1 && i < 6 && m[8].rm_so + i < m[8].rm_eo; i++)
		frac[i] = s[m[8].rm_so + i];
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
	tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = se;
	t = (long long)timegm(&tm) - sign * (oh * 3600LL + om * 60LL);
	{
		time_t tt = (time_t)t;

		if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 < 1970 ||
		    tm.tm_year + 1900 > 9999)
			return -1;
	}
	snprintf(want, 64, "%04d-%02d-%02d %02d:%02d:%02d.%s", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return 0;
}

/* A client's ISO time (seed 001's started_at, completed_at): exactly the model's answer. */
static void
iso(const char *s)
{
	char	 out[32], want[64], again[40];

	memset(out, 0x55, sizeof out);
	if (job_spec_time(s, out) != model_iso(s, want))
		abort();
	if (model_iso(s, want) == -1)
		return;
	if (memchr(out, '\0', sizeof out) == NULL || strcmp(out, want) != 0 ||
	    regexec(re(1), out, 0, NULL, 0) != 0)
		abort();
	/* Its own output, as a client would send it back, gives the same time. */
	snprintf(again, sizeof again, "%.10sT%sZ", out, out + 11);
	if (job_spec_time(again, want) != 0 || strcmp(want, out) != 0)
		abort();
}

/* Seed 002's filter times: what parses renders, and the rendering parses to the same. */
static void
flow(const char *s)
{
	char	 out[FLOW_TIME_MAX], shown[FLOW_TIME_MAX], back[FLOW_TIME_MAX];

	if (flow_time_parse(s, out) == 0) {
		if (regexec(re(1), out, 0, NULL, 0) != 0 || flow_time_render(out, shown) != 0 ||
		    flow_time_parse(shown, back) != 0 || strcmp(out, back) != 0)
			abort();
	}
	if (flow_time_render(s, shown) == 0 &&
	    (strlen(shown) != 27 || shown[10] != 'T' || shown[19] != '.' || shown[26] != 'Z'))
		abort();
}

/* Database text to RFC 3339: only the database's shape is taken; the result is bounded. */
static void
db(const char *s, int with_ms)
{
	char	 out[TIMEFMT_MAX];
	size_t	 n;

	memset(out, 0x55, sizeof out);
	if (timefmt_rfc3339(s, with_ms, out) != 0)
		return;
	if (memchr(out, '\0', sizeof out) == NULL)
		abort();
	n = strlen(out);
	if ((n != 20 && n != 24) || out[10] != 'T' || out[n - 1] != 'Z' ||
	    memcmp(out, s, 10) != 0 || memcmp(out + 11, s + 11, 8) != 0)
		abort();
}

/* The first byte picks the parser; the rest is the text, up to its first NUL. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if (size < 1 || (s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		iso(s);
		break;
	case 1:
		flow(s);
		break;
	default:
		db(s, data[0] % 4 == 3);
		break;
	}
	free(s);
	return 0;
}
