/* hrefcache.c: a direct-mapped memo of href resolutions keyed by (scope, href), compared in full. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/hrefcache.h"

/* One entry, in one allocation: scope, '\0', href, '\0', then the URL and '\0' when there is one. */
struct slot {
	char		*key;
	size_t		 scopelen, hreflen;
	int		 has_url;
};

struct hrefcache {
	struct slot		 slot[HREFCACHE_SLOTS];
	unsigned long long	 hits, misses;
};

struct hrefcache *
hrefcache_new(void)
{
	return calloc(1, sizeof(struct hrefcache));
}

void
hrefcache_free(struct hrefcache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < HREFCACHE_SLOTS; i++)
		free(c->slot[i].key);
	free(c);
}

/* FNV-1a over scope then href: only picks the slot; a hit compares the bytes. */
static size_t
slot_of(const char *scope, size_t scopelen, const char *href, size_t hreflen)
{
	uint32_t h = 2166136261u;
	size_t	 i;

	for (i = 0; i < scopelen; i++)
		h = (h ^ (unsigned char)scope[i]) * 16777619u;
	h = (h ^ 0xffu) * 16777619u;
	for (i = 0; i < hreflen; i++)
		h = (h ^ (unsigned char)href[i]) * 16777619u;
	return h % HREFCACHE_SLOTS;
}

int
hrefcache_get(struct hrefcache *c, const char *scope, size_t scopelen, const char *href,
    const char **url)
{
	size_t		 hreflen = strlen(href);
	struct slot	*s = &c->slot[slot_of(scope, scopelen, href, hreflen)];

	if (s->key == NULL || s->scopelen != scopelen || s->hreflen != hreflen ||
	    memcmp(s->key, scope, scopelen) != 0 ||
	    memcmp(s->key + scopelen + 1, href, hreflen) != 0) {
		c->misses++;
		return 0;
	}
	c->hits++;
	*url = s->has_url ? s->key + scopelen + 1 + hreflen + 1 : NULL;
	return 1;
}

void
hrefcache_put(struct hrefcache *c, const char *scope, size_t scopelen, const char *href,
    const char *url)
{
	size_t		 hreflen = strlen(href), urllen = url != NULL ? strlen(url) : 0;
	size_t		 n = scopelen + 1 + hreflen + 1 + (url != NULL ? urllen + 1 : 0);
	struct slot	*s = &c->slot[slot_of(scope, scopelen, href, hreflen)];
	char		*k;

	if (n > HREFCACHE_ENTRY_MAX || (k = malloc(n)) == NULL)
		return;
	memcpy(k, scope, scopelen);
	k[scopelen] = '\0';
	memcpy(k + scopelen + 1, href, hreflen + 1);
	if (url != NULL)
		memcpy(k + scopelen + 1 + hreflen + 1, url, urllen + 1);
	free(s->key);
	s->key = k;
	s->scopelen = scopelen;
	s->hreflen = hreflen;
	s->has_url = url != NULL;
}

void
hrefcache_counts(const struct hrefcache *c, unsigned long long *hits, unsigned long long *misses)
{
	*hits = c->hits;
	*misses = c->misses;
}
