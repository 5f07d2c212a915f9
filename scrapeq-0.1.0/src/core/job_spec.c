/* job_spec.c: seed 001's job fields checked and normalised, with no database. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "scrapeq/job_spec.h"

static int
host_ok(const char *h, size_t len)
{
	size_t	 i, label = 0;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if ((isalnum(c) || c == '-') && ++label <= 63)
			continue;
		else
			return 0;
	}
	return label > 0 && h[0] != '-';
}

int
job_spec_domain_url(const char *domain, char *out, size_t outsz)
{
	const char	*colon;
	size_t		 len, hl;
	int		 n;

	if (domain == NULL || (len = strlen(domain)) == 0 || len >= outsz || len > SQ_URL_MAX)
		return -1;
	if (strncmp(domain, "http://", 7) == 0 || strncmp(domain, "https://", 8) == 0) {
		memcpy(out, domain, len + 1);
		return 0;
	}
	colon = strchr(domain, ':');
	hl = colon ? (size_t)(colon - domain) : len;
	if (!host_ok(domain, hl))
		return -1;
	if (colon != NULL) {
		const char *p = colon + 1;

		if (*p == '\0' || strlen(p) > 5)
			return -1;
		for (; *p; p++)
			if (!isdigit((unsigned char)*p))
				return -1;
	}
	n = snprintf(out, outsz, "https://%s/", domain);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int
job_spec_type_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || strlen(s) > SQ_JOB_TYPE_MAX)
		return 0;
	for (i = 0; s[i]; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

const char *
job_spec_type_to_core(const char *job_type)
{
	return strcmp(job_type, "domain_scrape") == 0 ? "scrape" : job_type;
}

const char *
job_spec_type_from_core(const char *type)
{
	return strcmp(type, "scrape") == 0 ? "domain_scrape" : type;
}

/* Reads exactly n digits at *p into *v, advancing *p. */
static int
digits(const char **p, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

int
job_spec_time(const char *iso, char out[32])
{
	const char	*p = iso;
	struct tm	 tm, chk;
	int		 y, mo, d, h, mi, s, us = 0, scale = 100000, oh, om, sign;
	time_t		 t;
	char		 wide[96];
	int		 n;

	if (iso == NULL || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' ') ||
	    (p++, digits(&p, 2, &h)) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
	    digits(&p, 2, &s))
		return -1;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			us += scale > 0 ? (*p - '0') * scale : 0;
	}
	if (*p == 'Z' || *p == 'z')
		oh = om = 0, sign = 1, p++;
	else if ((*p == '+' || *p == '-') && (sign = *p++ == '-' ? -1 : 1, 1)) {
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
	} else
		return -1;
	if (*p != '\0' || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || s > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
	tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = s;
	t = timegm(&tm);
	if (gmtime_r(&t, &chk) == NULL || chk.tm_mday != d)   /* 2024-02-30 */
		return -1;
	t -= sign * (oh * 3600 + om * 60);
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1970 || tm.tm_year + 1900 > 9999)
		return -1;
	/* Every field was range-checked above; the wider buffer only quiets the compiler. */
	n = snprintf(wide, sizeof(wide), "%04d-%02d-%02d %02d:%02d:%02d.%06d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
	if (n < 0 || n >= 32)
		return -1;
	memcpy(out, wide, (size_t)n + 1);
	return 0;
}

int
job_spec_priority_parse(const char *name)
{
	if (strcmp(name, "low") == 0)
		return 2;
	if (strcmp(name, "normal") == 0)
		return 5;
	if (strcmp(name, "high") == 0)
		return 8;
	if (strcmp(name, "urgent") == 0)
		return 10;
	return -1;
}

const char *
job_spec_priority_name(long long priority)
{
	if (priority <= 3)
		return "low";
	if (priority <= 6)
		return "normal";
	if (priority <= 9)
		return "high";
	return "urgent";
}
