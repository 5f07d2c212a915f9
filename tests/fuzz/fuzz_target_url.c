/* fuzz_target_url.c: libFuzzer target for a target URL as clients send it: target_url_normalise, seed 001's domain, and the domain shown back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/job_domain.h"
#include "scrapeq/job_spec.h"
#include "scrapeq/limits.h"
#include "scrapeq/target.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_error(const struct sq_error *e)
{
	if (e->code != SQ_ERR_INVALID || memchr(e->message, '\0', sizeof(e->message)) == NULL ||
	    strstr(e->message, "'url'") == NULL)
		abort();
}

/*
 * A taken URL is http(s), bounded, without user or password, its host in lower case,
 * and normalising it again changes nothing (two spellings of one target stay one).
 */
static void
normalise(const char *s)
{
	char		 out[SQ_URL_MAX + 1], again[SQ_URL_MAX + 1];
	struct sq_error	 e;
	const char	*host, *end, *p;

	memset(&e, 0, sizeof e);
	if (target_url_normalise(s, out, &e) != SQ_OK) {
		check_error(&e);
		return;
	}
	if (strlen(out) > SQ_URL_MAX || (strncmp(out, "http://", 7) != 0 &&
	    strncmp(out, "https://", 8) != 0))
		abort();
	host = out + (out[4] == 's' ? 8 : 7);
	end = host + strcspn(host, "/?#");
	for (p = host; p < end; p++)
		if (*p == '@' || (*p >= 'A' && *p <= 'Z'))
			abort();
	if (target_url_normalise(out, again, &e) != SQ_OK || strcmp(out, again) != 0)
		abort();
}

/* Seed 001's domain: a URL kept as it is, a host[:port] made https://host[:port]/. */
static void
domain(const char *s, size_t outsz)
{
	char	 out[SQ_URL_MAX + 16];
	size_t	 n = strlen(s);

	if (job_spec_domain_url(s, out, outsz) != 0)
		return;
	if (strlen(out) >= outsz || n == 0)
		abort();
	if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) {
		if (strcmp(out, s) != 0)
			abort();
		return;
	}
	if (strncmp(out, "https://", 8) != 0 || strlen(out) != n + 9 ||
	    memcmp(out + 8, s, n) != 0 || out[n + 8] != '/' || strpbrk(s, "/?#@ ") != NULL)
		abort();
	normalise(out);
}

/* The domain shown for a job's URL: always cut to fit, always terminated. */
static void
shown(const char *s, size_t outsz)
{
	char	 out[64];

	memset(out, 0x55, sizeof out);
	job_domain_of_url(s, out, outsz);
	if (memchr(out, '\0', outsz) == NULL || strlen(out) >= outsz)
		abort();
}

/* The first byte bounds the output buffers; the rest is the text, up to its first NUL. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	size_t	 outsz;

	if (size < 1 || (s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	outsz = (size_t)data[0] % 64 + 1;
	normalise(s);
	domain(s, data[0] & 0x80 ? outsz : SQ_URL_MAX + 16);
	shown(s, outsz);
	free(s);
	return 0;
}
