/* flow.c: seed 002's view of the job model: ids, filters, and the flow/export/import job objects. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/flow.h"
#include "scrapeq/job.h"
#include "scrapeq/text.h"

/* ---- ids, names, times: pure ---- */

static const char *const kind_names[] = { "flow", "export", "import" };
static const char *const kind_suffix[] = { "", "-export", "-import" };

static void
hex32(const struct uuid *u, char out[UUID_HEX_LEN + 1])
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 16; i++) {
		out[2 * i] = hx[u->b[i] >> 4];
		out[2 * i + 1] = hx[u->b[i] & 15];
	}
	out[UUID_HEX_LEN] = '\0';
}

void
flow_id_format(const struct uuid *job, enum flow_kind k, char out[FLOW_ID_MAX])
{
	hex32(job, out);
	if ((unsigned)k <= FLOW_KIND_IMPORT)
		memcpy(out + UUID_HEX_LEN, kind_suffix[k], strlen(kind_suffix[k]) + 1);
}

int
flow_id_parse(const char *s, struct uuid *job, enum flow_kind *k)
{
	enum id_child c;

	if (id_parse_job(s, job, &c) == -1)
		return -1;
	*k = c == ID_CHILD_EXPORT ? FLOW_KIND_EXPORT : c == ID_CHILD_IMPORT ? FLOW_KIND_IMPORT :
	    FLOW_KIND_FLOW;
	return 0;
}

void
flow_ref_format(const char *prefix, const struct uuid *project, char out[FLOW_REF_MAX])
{
	size_t plen = strlen(prefix);

	/* Both prefixes are 5 bytes at most (FLOW_REF_MAX). */
	if (plen > FLOW_REF_MAX - UUID_HEX_LEN - 1)
		plen = FLOW_REF_MAX - UUID_HEX_LEN - 1;
	memcpy(out, prefix, plen);
	hex32(project, out + plen);
}

const char *
flow_kind_name(enum flow_kind k)
{
	return (unsigned)k <= FLOW_KIND_IMPORT ? kind_names[k] : "flow";
}

int
flow_kind_parse(const char *s, enum flow_kind *k)
{
	size_t i;

	for (i = 0; s != NULL && i <= FLOW_KIND_IMPORT; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum flow_kind)i;
			return 0;
		}
	return -1;
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

static int
days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

int
flow_time_parse(const char *s, char out[FLOW_TIME_MAX])
{
	const char	*p = s;
	int		 y, mo, d, h = 0, mi = 0, se = 0, n;
	char		 frac[7] = "000000", wide[64];

	if (s == NULL || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (*p == 'T') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
		    digits(&p, 2, &se))
			return -1;
		if (*p == '.') {
			for (p++, n = 0; isdigit((unsigned char)*p); p++, n++)
				if (n < 6)
					frac[n] = *p;
				else
					return -1;
			if (n == 0)
				return -1;
		}
		if (*p == 'Z')
			p++;
		else if (strcmp(p, "+00:00") == 0 || strcmp(p, " 00:00") == 0)
			p += 6;     /* an unencoded '+' in a query string arrives as a space */
	}
	if (*p != '\0' || y < 1000 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || se > 59)
		return -1;
	/* The ranges are checked above; the wide buffer only quiets -Wformat-truncation. */
	snprintf(wide, sizeof(wide), "%04d-%02d-%02d %02d:%02d:%02d.%s", y, mo, d, h, mi, se, frac);
	text_copy(out, FLOW_TIME_MAX, wide);
	return 0;
}

int
flow_time_render(const char *db, char out[FLOW_TIME_MAX])
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	char		 frac[7] = "000000";
	size_t		 i, len;

	if (db == NULL || (len = strlen(db)) < 19)
		return -1;
	for (i = 0; i < 19; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)db[i]) : db[i] != shape[i])
			return -1;
	if (len > 19) {
		if (db[19] != '.' || len > 26)
			return -1;
		for (i = 20; i < len; i++) {
			if (!isdigit((unsigned char)db[i]))
				return -1;
			frac[i - 20] = db[i];
		}
	}
	/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" by hand: a full page renders five thousand of these. */
	memcpy(out, db, 10);
	out[10] = 'T';
	memcpy(out + 11, db + 11, 8);
	out[19] = '.';
	memcpy(out + 20, frac, 6);
	out[26] = 'Z';
	out[27] = '\0';
	return 0;
}
