/* urlscope.h: URL normalisation, dedupe and the crawl-scope rules of a job. */
#ifndef SCRAPEQ_URLSCOPE_H
#define SCRAPEQ_URLSCOPE_H

#include <stddef.h>
#include <stdint.h>

#define URLSCOPE_MAX_PATTERNS 32
#define URLSCOPE_URL_MAX      4096

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
 * Compiles opts. Returns NULL with a client-safe reason in err (bad start URL,
 * a regex that does not compile, too many patterns).
 */
struct urlscope *urlscope_new(const struct urlscope_opts *opts, char *err, size_t errsz);
void	urlscope_free(struct urlscope *);

/*
 * Normalises an absolute http(s) URL with libcurl's URL API: lower-case scheme and
 * host, default port dropped, fragment dropped, empty path made "/", and with
 * ignore_query the query dropped. Writes at most URLSCOPE_URL_MAX bytes into out.
 * Returns 0, or -1 for a URL that is not absolute http(s) or too long.
 */
int	urlscope_normalise(const struct urlscope *, const char *url, char *out, size_t outsz);

/* Returns 1 when a normalised URL is inside the scope (host rule, include, exclude). */
int	urlscope_allows(const struct urlscope *, const char *norm_url);

/* Returns the host part (lower case) of a normalised URL into out; 0 or -1. */
int	urlscope_host(const char *norm_url, char *out, size_t outsz);

/* A set of URL hashes (64-bit) for dedupe, growing as needed up to max entries. */
struct urlset;
struct urlset *urlset_new(size_t max);
void	urlset_free(struct urlset *);
/* Adds url; returns 1 if it was new, 0 if already present, -1 when the set is full. */
int	urlset_add(struct urlset *, const char *url);
size_t	urlset_count(const struct urlset *);
/* The SHA-256 of a normalised URL, as results.url_hash stores it. */
void	urlscope_hash(const char *url, unsigned char out[32]);

#endif
