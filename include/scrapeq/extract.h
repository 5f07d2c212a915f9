/* extract.h: what scrapeq keeps of an HTML page, parsed with libxml2's HTML parser. */
#ifndef SCRAPEQ_EXTRACT_H
#define SCRAPEQ_EXTRACT_H

#include <stddef.h>
#include "limits.h"

#define EXTRACT_MAX_LINKS     5000     /* links handed back per page */
#define EXTRACT_MAX_PRODUCTS  100
#define EXTRACT_MAX_SELECTORS SQ_CRAWL_SELECTORS_MAX
#define EXTRACT_FIELD_MAX     4096     /* bytes kept of a title, description, selector value */
#define EXTRACT_MAX_BYTES     (32 * 1024 * 1024)  /* of a page parsed; the rest is ignored */
#define EXTRACT_URL_MAX       4096     /* a longer href or resolved URL is dropped */
#define EXTRACT_MAX_RESOLVE   50000    /* hrefs resolved per page; later ones are only counted */
#define EXTRACT_JSONLD_MAX    (1024 * 1024)  /* bytes of one JSON-LD script; a longer one is skipped */
#define EXTRACT_JSON_DEPTH    32       /* json_tokener_new_ex depth for JSON-LD */
#define EXTRACT_XPATH_MAX     SQ_CRAWL_XPATH_MAX
#define EXTRACT_XPATH_OPS     5000000  /* libxml2 XPath operation limit per evaluation */

struct extract_product {
	char	*name;      /* may be NULL */
	char	*price;     /* as written in the JSON-LD (string or number), may be NULL */
	char	*currency;  /* may be NULL */
};

/* A named XPath selector from a job's config.selectors. */
struct extract_selector {
	const char *name;
	const char *xpath;
};

struct extract_page {
	char			*title;         /* trimmed, whitespace collapsed; NULL if none */
	char			*description;   /* <meta name="description" content> */
	char			*canonical;     /* <link rel="canonical" href>, resolved absolute */
	char			*base;          /* effective base URL (<base href> or the page URL) */
	char			**links;        /* absolute http(s) URLs of <a href>, fragment removed,
					           resolved with libcurl's URL API, in order, deduped;
					           credentials dropped, host lower-cased, default
					           port dropped; other schemes skipped */
	size_t			 nlinks;
	size_t			 links_total;   /* <a href> seen, before dedupe and the cap */
	size_t			 images;        /* <img> elements */
	struct extract_product	*products;      /* schema.org Product items in JSON-LD */
	size_t			 nproducts;
	char			**values;       /* one per selector: the first match's string value,
					           NULL when nothing matched, the value is empty,
					           or the XPath is invalid */
	size_t			 nvalues;       /* = nsel (extract_free needs the count) */
	int			 nofollow;      /* <meta name="robots" content="...nofollow..."> */
};

/*
 * Parses html (len bytes, any encoding libxml2 detects; malformed is fine) of the
 * page at url. Link and canonical resolution use libcurl's URL API against the base.
 * Never fetches anything. Returns 0 and fills *out (free with extract_free), or -1
 * when out of memory or when the document could not be parsed at all (an empty
 * body gives no document); on -1 *out is left empty. Bytes past EXTRACT_MAX_BYTES
 * are ignored. Only the first EXTRACT_MAX_SELECTORS selectors are evaluated (the
 * rest get NULL); an expression longer than EXTRACT_XPATH_MAX, one that does not
 * compile or runs past EXTRACT_XPATH_OPS gets NULL. A value is the string value
 * of the first node of a node-set, or the string form of a string, number or
 * boolean result, trimmed and cut to EXTRACT_FIELD_MAX bytes (on a UTF-8
 * boundary). Products are schema.org Product objects (@type "Product", or an
 * array holding it) at the top of a JSON-LD script, in arrays and in "@graph";
 * price and currency come from the first offer with a price (or lowPrice).
 */
int	extract_html(const char *html, size_t len, const char *url,
	    const struct extract_selector *sel, size_t nsel, struct extract_page *out);
/*
 * extract_html without selectors, resolving links through memo (hrefcache.h; NULL:
 * none): the same answer, with the work of a reference already resolved under the
 * same base skipped. The memo is the caller's, used by one thread at a time.
 */
struct hrefcache;
int	extract_html_memo(const char *html, size_t len, const char *url, struct hrefcache *memo,
	    struct extract_page *out);
void	extract_free(struct extract_page *);

/*
 * A page parsed once (as extract_html parses it) for its selectors to be evaluated
 * one at a time: scrapeqd's selector worker says which selector it is on before it
 * evaluates it. extract_doc_new returns NULL for an empty body, a page that could
 * not be parsed, or no memory; free with extract_doc_free (NULL ok).
 */
struct extract_doc;
struct extract_doc *extract_doc_new(const char *html, size_t len, const char *url);
/*
 * Evaluates one selector as extract_html does: *value is the value (caller frees)
 * or NULL (no match, empty, invalid, too long, past EXTRACT_XPATH_OPS). Returns 0,
 * or -1 when out of memory (then *value is NULL).
 */
int	extract_doc_value(struct extract_doc *, const char *xpath, char **value);
void	extract_doc_free(struct extract_doc *);

#endif
