/* robots.h: robots.txt per RFC 9309: groups by user agent, longest-match allow/disallow. */
#ifndef SCRAPEQ_ROBOTS_H
#define SCRAPEQ_ROBOTS_H

#include <stddef.h>

#define ROBOTS_MAX_BYTES   (500 * 1024)   /* RFC 9309 2.5: parse at least 500 KiB; we stop there */
#define ROBOTS_MAX_RULES   10000
#define ROBOTS_MAX_SITEMAPS 64
#define ROBOTS_LINE_MAX    8192           /* a longer line is ignored whole */
#define ROBOTS_DELAY_MAX_MS 60000         /* Crawl-delay is capped at 60 s */

struct robots;

/*
 * Parses a robots.txt body (len bytes, anything: binary, no final newline, CRLF,
 * BOM) and keeps only the rules of the group that applies to agent (the product
 * token, matched case-insensitively against each group's user-agent lines; the
 * "*" group when no group names it; groups with the same agent are merged), plus
 * every Sitemap: line and that group's Crawl-delay. Bytes past ROBOTS_MAX_BYTES
 * are ignored. Returns NULL only when out of memory. Free with robots_free.
 * Only the leading product token of agent counts ("scrapeq/1.0" is "scrapeq");
 * an agent with none (NULL, "", "/x") gets the "*" group. Rules before the first
 * user-agent line, an empty Disallow, lines longer than ROBOTS_LINE_MAX and rules
 * past ROBOTS_MAX_RULES are ignored; a Sitemap line ends no group (RFC 9309 2.2.4).
 */
struct robots *robots_parse(const char *body, size_t len, const char *agent);

/* A robots that allows everything (for 4xx answers, RFC 9309 2.3.1.3). */
struct robots *robots_allow_all(void);
/* A robots that disallows everything (for 5xx / unreachable, RFC 9309 2.3.1.4). */
struct robots *robots_disallow_all(void);
void	robots_free(struct robots *);

/*
 * Returns 1 when path (the URL's path plus "?query" if any, percent-encoded as
 * sent) may be fetched: the longest matching rule wins, allow wins a tie, "*"
 * matches any sequence, "$" at a rule's end anchors it; "/robots.txt" is always
 * allowed. Matching compares percent-encoded octets case-sensitively after
 * normalising %xx escapes of unreserved characters (RFC 9309 2.2.2; a pattern's
 * %2A and %24 match a literal '*' and '$', 2.2.3). A NULL or empty path is "/";
 * a NULL robots allows everything; out of memory disallows. O(rules x path).
 */
int	robots_allowed(const struct robots *, const char *path);

/*
 * The group's Crawl-delay in milliseconds ("10", "0.5": seconds, three decimals
 * kept), or -1 when none; the largest when merged groups give several, capped at
 * ROBOTS_DELAY_MAX_MS. Not in RFC 9309; honoured because sites rely on it.
 */
long	robots_crawl_delay_ms(const struct robots *);

/*
 * Sitemap URLs listed in the file (absolute http(s) only, duplicates dropped), in
 * order, at most ROBOTS_MAX_SITEMAPS. The strings belong to the robots.
 */
size_t	robots_sitemap_count(const struct robots *);
const char *robots_sitemap(const struct robots *, size_t i);

#endif
