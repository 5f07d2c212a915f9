/* extract.h: what scrapeq keeps of an HTML page, parsed with libxml2's HTML parser. */
#ifndef SCRAPEQ_EXTRACT_H
#define SCRAPEQ_EXTRACT_H

#include <stddef.h>

#define EXTRACT_MAX_LINKS     5000     /* links handed back per page */
#define EXTRACT_MAX_PRODUCTS  100
#define EXTRACT_MAX_SELECTORS 32
#define EXTRACT_FIELD_MAX     4096     /* bytes kept of a title, description, selector value */

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
					           resolved with libcurl's URL API, in order, deduped */
	size_t			 nlinks;
	size_t			 links_total;   /* <a href> seen, before dedupe and the cap */
	size_t			 images;        /* <img> elements */
	struct extract_product	*products;      /* schema.org Product items in JSON-LD */
	size_t			 nproducts;
	char			**values;       /* one per selector: the first match's string value,
					           NULL when nothing matched or the XPath is invalid */
	int			 nofollow;      /* <meta name="robots" content="...nofollow..."> */
};

/*
 * Parses html (len bytes, any encoding libxml2 detects; malformed is fine) of the
 * page at url. Link and canonical resolution use libcurl's URL API against the base.
 * Never fetches anything. Returns 0 and fills *out (free with extract_free), or -1
 * when out of memory or when the document could not be parsed at all.
 */
int	extract_html(const char *html, size_t len, const char *url,
	    const struct extract_selector *sel, size_t nsel, struct extract_page *out);
void	extract_free(struct extract_page *);

/* Checks an XPath expression compiles (for validating a job's config). Returns 0 or -1. */
int	extract_xpath_valid(const char *xpath);

#endif
