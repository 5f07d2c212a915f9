/* urlscope.h: URL normalisation, dedupe and the crawl-scope rules of a job. */
#ifndef SCRAPEQ_URLSCOPE_H
#define SCRAPEQ_URLSCOPE_H

#include <stddef.h>
#include <stdint.h>
#include "limits.h"

#define URLSCOPE_MAX_PATTERNS SQ_CRAWL_PATTERNS_MAX
#define URLSCOPE_URL_MAX      4096
#define URLSCOPE_HOST_MAX     256     /* a host name (253) or a bracketed IPv6 literal */
#define URLSCOPE_PATTERN_MAX  512     /* bytes of one includePaths/excludePaths regex */
#define URLSCOPE_PATTERN_DEPTH 16     /* nested groups in one regex */
/*
 * glibc's regcomp copies a group once per count of a bounded repeat, so nested
 * repeats multiply: "((a{1,255}){1,255}){1,255}" took 15 s and 8 GB here. A
 * pattern whose estimated size (atoms, times every repeat count around them) is
 * larger than this is refused before regcomp sees it.
 */
#define URLSCOPE_PATTERN_COST_MAX 1000

struct urlscope;

/* A job's scope options (from its config; seed 001's names). */
struct urlscope_opts {
	const char	*start_url;              /* the target URL; its host is "the site" */
	int		 include_subdomains;     /* includeSubdomains */
	int		 allow_external;         /* allowExternalLinks */
	int		 ignore_query;           /* ignoreQueryParameters: drop ?query when normalising */
	const char	*const *include_paths;   /* POSIX extended regexes on the path; any must match */
	size_t		 ninclude;
	const char	*const *exclude_paths;   /* none may match */
	size_t		 nexclude;
};

/*
 * Compiles opts. "The site" is the start URL's host without a leading "www."
 * (kept when nothing with a dot would be left: "www.localhost"). By default a URL
 * is in scope when its host is the start host, the site or "www." + the site
 * (example.com and www.example.com are one site); includeSubdomains adds every
 * host ending in "." + the site. There is no public-suffix list, so a start URL of
 * "https://www.co.uk/" with includeSubdomains takes in all of co.uk. The path patterns are POSIX extended regexes, unanchored
 * (write "^/blog/" to anchor), matched against the %-encoded path of the
 * normalised URL without its query. A pattern with back-references, longer than
 * URLSCOPE_PATTERN_MAX, nested deeper than URLSCOPE_PATTERN_DEPTH or bigger than
 * URLSCOPE_PATTERN_COST_MAX is refused before regcomp sees it. Returns NULL with a
 * client-safe reason in err ("includePaths[2]: Unmatched ( or \\(", a start URL
 * that is not http(s), too many patterns). The caller frees with urlscope_free.
 */
struct urlscope *urlscope_new(const struct urlscope_opts *opts, char *err, size_t errsz);
void	urlscope_free(struct urlscope *);

/*
 * Checks one includePaths/excludePaths pattern by the rules urlscope_new applies
 * (length, nesting, size, then regcomp), for validating a job's config before it is
 * stored. Returns 0, or -1 with a client-safe reason in why.
 */
int	urlscope_pattern_valid(const char *pattern, char *why, size_t whysz);

/*
 * Normalises an absolute http(s) URL with libcurl's URL API: lower-case scheme and
 * host, the host in punycode without a trailing dot, default port dropped, fragment
 * dropped, empty path made "/", dot segments removed, spaces and non-ASCII bytes
 * %-encoded, %-escapes with upper-case hex and those of unreserved characters
 * decoded (RFC 3986 6.2.2), and with ignore_query the query dropped (the scope may
 * be NULL: the query is kept). The query is otherwise kept as it is, order and all.
 * Writes at most URLSCOPE_URL_MAX bytes into out. Returns 0, or -1 for a URL that
 * is not absolute http(s), that carries credentials ("user:pw@": never crawled),
 * an IPv6 zone or port 0, whose host has no punycode form on this libcurl, or that
 * is too long (input or output) or does not fit outsz.
 */
int	urlscope_normalise(const struct urlscope *, const char *url, char *out, size_t outsz);

/*
 * Resolves href (an attribute value from a page, cut of control characters and
 * spaces at both ends, tabs and newlines inside it dropped) against the absolute URL
 * base (RFC 3986 section 5 as libcurl does it) and normalises the result like
 * urlscope_normalise. scope may be NULL (the query is kept). Returns 0, or -1 for
 * a reference that does not lead to an http(s) URL (mailto:, javascript:, ...).
 */
int	urlscope_join(const struct urlscope *, const char *base, const char *href,
	    char *out, size_t outsz);

/*
 * Returns 1 when a normalised URL is inside the scope: its host is allowed (see
 * urlscope_new; any host with allowExternalLinks; port and scheme do not count;
 * an IP-literal start host matches only itself), some includePaths pattern matches
 * its path (or there are none) and no excludePaths pattern does. Else 0.
 */
int	urlscope_allows(const struct urlscope *, const char *norm_url);

/* Returns the host part (lower case; an IPv6 literal keeps its brackets) of a normalised URL into out; 0 or -1. */
int	urlscope_host(const char *norm_url, char *out, size_t outsz);

/*
 * A set of URL hashes (64-bit, SipHash with a key per set) for dedupe, growing as
 * needed up to max entries. Two distinct URLs collide with odds of about
 * n^2 / 2^65 (3e-8 for a million); the second is then taken for a duplicate.
 * urlset_new returns NULL when out of memory or max is absurd; the caller frees
 * with urlset_free.
 */
struct urlset;
struct urlset *urlset_new(size_t max);
void	urlset_free(struct urlset *);
/* Adds url; returns 1 if it was new, 0 if already present, -1 when the set is full (or out of memory). */
int	urlset_add(struct urlset *, const char *url);
size_t	urlset_count(const struct urlset *);
/* The SHA-256 of a normalised URL, as results.url_hash stores it. */
void	urlscope_hash(const char *url, unsigned char out[32]);

#endif
