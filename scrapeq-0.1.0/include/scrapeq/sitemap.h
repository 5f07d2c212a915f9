/* sitemap.h: sitemaps.org XML (urlset and sitemapindex), parsed with libxml2. */
#ifndef SCRAPEQ_SITEMAP_H
#define SCRAPEQ_SITEMAP_H

#include <stddef.h>

#define SITEMAP_MAX_BYTES (10 * 1024 * 1024)   /* the protocol's own limit, uncompressed */
#define SITEMAP_MAX_URLS  50000                 /* the protocol's own limit per file */
#define SITEMAP_LOC_MAX   4096                  /* bytes of one <loc>; a longer one is skipped */

enum sitemap_kind { SITEMAP_URLSET, SITEMAP_INDEX, SITEMAP_INVALID };

/*
 * Called once per <loc> in document order (trimmed of whitespace); return non-zero
 * to stop early. For an index each loc is a child sitemap's URL.
 */
typedef int (*sitemap_cb)(void *arg, const char *loc);

/*
 * Parses body (len bytes) without network access, entity expansion or DTD loading
 * (XML_PARSE_NONET, no XML_PARSE_NOENT), at most SITEMAP_MAX_URLS locs. Returns the
 * kind; SITEMAP_INVALID for non-XML, the wrong root element, or len past the limit.
 * The root's local name decides, whatever its namespace; a <loc> counts as the
 * child of a <url> (urlset) or <sitemap> (index) in the root's namespace, so the
 * image:loc of an extension does not. A document with a DOCTYPE is INVALID (the
 * protocol has none; it is how entity bombs arrive). Parsing is streamed and
 * recovers from errors (XML_PARSE_RECOVER): a <loc> an error touches (a raw '&')
 * is skipped, the others are kept, and a document that breaks off after its
 * root (a truncated body) keeps its kind. A body still gzip-compressed is INVALID.
 */
enum sitemap_kind sitemap_parse(const char *body, size_t len, sitemap_cb cb, void *arg);

#endif
