/* fuzz_sitemap.c: libFuzzer target for sitemap_parse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/sitemap.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct seen {
	size_t	 n;
	size_t	 stop;	/* 0: never */
};

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Every loc is non-empty, trimmed and within SITEMAP_LOC_MAX. */
static int
on_loc(void *arg, const char *loc)
{
	struct seen	*s = arg;
	size_t		 n = strlen(loc);

	if (n == 0 || n > SITEMAP_LOC_MAX || is_ws(loc[0]) || is_ws(loc[n - 1]))
		abort();
	s->n++;
	return s->stop != 0 && s->n == s->stop;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen		 s = { 0, size % 5 };
	enum sitemap_kind	 k;

	k = sitemap_parse((const char *)data, size, on_loc, &s);
	if (k != SITEMAP_URLSET && k != SITEMAP_INDEX && k != SITEMAP_INVALID)
		abort();
	if (s.n > SITEMAP_MAX_URLS || (s.stop != 0 && s.n > s.stop))
		abort();
	/* No loc comes before the root is known to be a sitemap's. */
	if (k == SITEMAP_INVALID && s.n > 0 && memmem(data, size, "DOCTYPE", 7) == NULL)
		abort();
	return 0;
}
