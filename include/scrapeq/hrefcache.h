/* hrefcache.h: a bounded memo of href resolutions, so a link that every page repeats is resolved once. */
#ifndef SCRAPEQ_HREFCACHE_H
#define SCRAPEQ_HREFCACHE_H

#include <stddef.h>

#define HREFCACHE_SLOTS     32768   /* entries kept (direct-mapped: a newer one replaces an older) */
#define HREFCACHE_ENTRY_MAX 512     /* bytes of scope + href + result; a longer entry is not kept: at most 16 MB */

/*
 * The memo maps (scope, href) to what resolving href gave: an absolute URL, or none.
 * The scope is whatever part of the base the result depends on (extract.c says which);
 * entries are compared byte for byte, so a hit gives exactly what resolving would.
 * hrefcache_new returns NULL when out of memory; free with hrefcache_free (NULL ok).
 */
struct hrefcache;
struct hrefcache *hrefcache_new(void);
void	hrefcache_free(struct hrefcache *);

/*
 * 1 when (scope, href) is kept: *url is the result (NULL: resolving gave none), valid
 * until the next hrefcache_put; 0 when it is not kept.
 */
int	hrefcache_get(struct hrefcache *, const char *scope, size_t scopelen, const char *href,
	    const char **url);
/* Keeps (scope, href) -> url (NULL: none); silently keeps nothing when out of memory. */
void	hrefcache_put(struct hrefcache *, const char *scope, size_t scopelen, const char *href,
	    const char *url);
/* Lookups answered from the memo and not, since hrefcache_new. */
void	hrefcache_counts(const struct hrefcache *, unsigned long long *hits,
	    unsigned long long *misses);

#endif
