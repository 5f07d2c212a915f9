/* fuzz_urlscope.c: libFuzzer target for URL normalisation, joining and scope on arbitrary bytes, and the allowlist parser. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/netguard.h"
#include "scrapeq/urlscope.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const inc[] = { "^/", "(a|b)+[0-9]{2}" };
static const char *const exc[] = { "\\.pdf$", "^/private" };

/* Built once: the scopes outlive every input, as a crawl's scope does. */
static struct urlscope *
scope(int ignore_query)
{
	static struct urlscope	*s[2];
	struct urlscope_opts	 o = {
		.start_url = "https://www.example.com/start?x=1",
		.include_subdomains = 1, .include_paths = inc, .ninclude = 2,
		.exclude_paths = exc, .nexclude = 2,
	};

	if (s[ignore_query] == NULL) {
		o.ignore_query = ignore_query;
		if ((s[ignore_query] = urlscope_new(&o, NULL, 0)) == NULL)
			abort();
	}
	return s[ignore_query];
}

/* What every normalised URL must look like, and normalising it again changes nothing. */
static void
check_norm(const struct urlscope *s, const char *out)
{
	char		 again[URLSCOPE_URL_MAX], host[URLSCOPE_HOST_MAX];
	unsigned char	 h[32];
	const char	*p;
	size_t		 n = strlen(out);
	struct urlset	*set;

	if (n >= URLSCOPE_URL_MAX || (strncmp(out, "http://", 7) != 0 &&
	    strncmp(out, "https://", 8) != 0) || strchr(out, '#') != NULL)
		abort();
	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			abort();
	if (urlscope_normalise(s, out, again, sizeof(again)) != 0 || strcmp(out, again) != 0)
		abort();
	if (urlscope_host(out, host, sizeof(host)) != 0 || host[0] == '\0')
		abort();
	for (p = host; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			abort();
	(void)urlscope_allows(scope(0), out);
	urlscope_hash(out, h);
	if ((set = urlset_new(4)) == NULL || urlset_add(set, out) != 1 ||
	    urlset_add(set, again) != 0 || urlset_count(set) != 1)
		abort();
	urlset_free(set);
}

/* A parsed allowlist holds only real networks: prefix in range, no host bits. */
static void
check_allowlist(const char *s)
{
	struct netguard	 g;
	char		 err[128];
	unsigned	 bits, i;
	size_t		 k;

	if (netguard_parse(&g, s, err, sizeof(err)) != 0) {
		if (g.n != 0 || memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			abort();
		return;
	}
	for (k = 0; k < g.n; k++) {
		bits = g.nets[k].family == AF_INET ? 32 : 128;
		if ((g.nets[k].family != AF_INET && g.nets[k].family != AF_INET6) ||
		    g.nets[k].prefix > bits)
			abort();
		for (i = g.nets[k].prefix; i < bits; i++)
			if (g.nets[k].addr[i / 8] & (0x80 >> (i % 8)))
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, out[URLSCOPE_URL_MAX];

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (urlscope_normalise(NULL, s, out, sizeof(out)) == 0)
		check_norm(NULL, out);
	if (urlscope_normalise(scope(1), s, out, sizeof(out)) == 0) {
		if (strchr(out, '?') != NULL)
			abort();
		check_norm(scope(1), out);
	}
	if (urlscope_join(NULL, "https://www.example.com/a/b/c?q=1", s, out, sizeof(out)) == 0)
		check_norm(NULL, out);
	(void)urlscope_allows(scope(0), s);
	check_allowlist(s);
	free(s);
	return 0;
}
