/* extract.c: what scrapeq keeps of an HTML page: title, meta, links, JSON-LD products, XPath selectors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "scrapeq/extract.h"
#include "scrapeq/hrefcache.h"
#include "scrapeq/text.h"
#include "scrapeq/xmlquiet.h"

#define LINK_HASH_SIZE	16384	/* a power of two above 3 x EXTRACT_MAX_LINKS */

struct ex {
	struct extract_page	*out;
	CURLU			*base;		/* the effective base; NULL when there is none */
	const char		*base_url;	/* the string base was parsed from, or NULL */
	struct hrefcache	*memo;		/* resolutions kept across pages, or NULL */
	size_t			 resolved;	/* hrefs resolved so far */
	size_t			 linkcap;	/* allocated entries of out->links */
	uint32_t		*hash;		/* index + 1 into out->links, 0 when free */
	const xmlNode		*title_head;	/* the first <title> in <head> */
	const xmlNode		*title_any;	/* the first <title> anywhere */
	int			 desc_seen, canon_seen;
	int			 oom;
};

static void
quiet(void)
{
	xmlquiet_install();
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Does s, a list separated by white space or commas, hold tok (any case)? */
static int
has_token(const char *s, const char *tok)
{
	size_t	 n;

	while (*s != '\0') {
		while (*s != '\0' && (is_space((unsigned char)*s) || *s == ','))
			s++;
		for (n = 0; s[n] != '\0' && !is_space((unsigned char)s[n]) && s[n] != ','; n++)
			;
		if (n > 0 && text_eq_ci(s, n, tok))
			return 1;
		s += n;
	}
	return 0;
}

/*
 * Returns a malloc'd copy of s[0..n) with ASCII white space trimmed and, with
 * collapse, every run of it made one space, cut to EXTRACT_FIELD_MAX bytes on a
 * UTF-8 boundary. NULL when nothing is left, or when out of memory (x->oom).
 */
static char *
clean(struct ex *x, const char *s, size_t n, int collapse)
{
	char	*d;
	size_t	 i = 0, o = 0;

	while (n > 0 && is_space((unsigned char)s[n - 1]))
		n--;
	while (i < n && is_space((unsigned char)s[i]))
		i++;
	if (i == n)
		return NULL;
	if ((d = malloc((n - i < EXTRACT_FIELD_MAX ? n - i : EXTRACT_FIELD_MAX) + 1)) == NULL) {
		x->oom = 1;
		return NULL;
	}
	for (; i < n && o < EXTRACT_FIELD_MAX; i++) {
		if (collapse && is_space((unsigned char)s[i])) {
			if (d[o - 1] != ' ')
				d[o++] = ' ';
		} else
			d[o++] = s[i];
	}
	/* Cut inside a UTF-8 sequence: drop its lead and continuation bytes. */
	if (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) {
		while (o > 0 && ((unsigned char)d[o - 1] & 0xC0) == 0x80)
			o--;
		if (o > 0 && (unsigned char)d[o - 1] >= 0xC0)
			o--;
	}
	while (o > 0 && is_space((unsigned char)d[o - 1]))
		o--;
	d[o] = '\0';
	return d;
}

/* The value of attribute name (HTML lower-cases names), "" when it has none, or NULL. */
static const char *
attr(const xmlNode *n, const char *name)
{
	const xmlAttr	*a;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL || strcmp((const char *)a->name, name) != 0)
			continue;
		if (a->children == NULL)
			return "";
		if (a->children->type != XML_TEXT_NODE || a->children->next != NULL)
			return NULL;
		return a->children->content != NULL ? (const char *)a->children->content : "";
	}
	return NULL;
}

static int
is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Document order without recursion: a page may nest elements a million deep. */
static xmlNode *
walk_next(xmlNode *n)
{
	if (n->type == XML_ELEMENT_NODE && n->children != NULL)
		return n->children;
	while (n->next == NULL) {
		n = n->parent;
		if (n == NULL || n->type != XML_ELEMENT_NODE)
			return NULL;
	}
	return n->next;
}

/*
 * Copies href into buf the way the HTML URL parser takes it (WHATWG URL: leading
 * and trailing C0 controls and spaces stripped, tabs and newlines removed).
 * Returns -1 when it does not fit in EXTRACT_URL_MAX bytes.
 */
static int
strip_href(const char *href, char *buf)
{
	size_t	 n = strlen(href), i = 0, o = 0;

	while (n > 0 && (unsigned char)href[n - 1] <= ' ')
		n--;
	while (i < n && (unsigned char)href[i] <= ' ')
		i++;
	for (; i < n; i++) {
		if (href[i] == '\t' || href[i] == '\n' || href[i] == '\r')
			continue;
		if (o == EXTRACT_URL_MAX)
			return -1;
		buf[o++] = href[i];
	}
	buf[o] = '\0';
	return 0;
}

/* RFC 3986 3.1: the length of s's scheme (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"), or 0. */
static size_t
scheme_len(const char *s)
{
	size_t	 i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	    (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.'; i++)
		;
	return s[i] == ':' ? i : 0;
}

static void
curl_oom(struct ex *x, CURLUcode rc)
{
	if (rc == CURLUE_OUT_OF_MEMORY)
		x->oom = 1;
}

/*
 * Turns a resolved handle into the URL we keep: http(s) only, fragment and
 * credentials dropped (a crawler uses no password found in a page, and
 * libcurl keeps a userinfo's spaces raw), host lower-cased, default port
 * dropped. Returns a malloc'd string or NULL.
 */
static char *
finish_url(struct ex *x, CURLU *h)
{
	char		*scheme = NULL, *host = NULL, *u = NULL, *ret = NULL, *p;
	CURLUcode	 rc;

	if ((rc = curl_url_get(h, CURLUPART_SCHEME, &scheme, 0)) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		goto out;
	if ((rc = curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0)) != CURLUE_OK ||
	    (rc = curl_url_set(h, CURLUPART_USER, NULL, 0)) != CURLUE_OK ||
	    (rc = curl_url_set(h, CURLUPART_PASSWORD, NULL, 0)) != CURLUE_OK ||
	    (rc = curl_url_set(h, CURLUPART_OPTIONS, NULL, 0)) != CURLUE_OK ||
	    (rc = curl_url_get(h, CURLUPART_HOST, &host, 0)) != CURLUE_OK)
		goto out;
	if (host[0] != '[') {
		for (p = host; *p != '\0'; p++)
			*p = (char)text_lower((unsigned char)*p);
		if ((rc = curl_url_set(h, CURLUPART_HOST, host, 0)) != CURLUE_OK)
			goto out;
	}
	if ((rc = curl_url_get(h, CURLUPART_URL, &u, CURLU_NO_DEFAULT_PORT)) != CURLUE_OK)
		goto out;
	if (strlen(u) <= EXTRACT_URL_MAX && (ret = strdup(u)) == NULL)
		x->oom = 1;
out:
	curl_oom(x, rc);
	curl_free(u);
	curl_free(host);
	curl_free(scheme);
	return ret;
}

/*
 * Resolves buf (stripped, and http(s) when it has a scheme) against the base with
 * libcurl's URL API (RFC 3986 5.2). See resolve.
 */
static char *
resolve_curl(struct ex *x, const char *buf)
{
	char		*ret = NULL;
	CURLU		*h = NULL;
	CURLUcode	 rc;

	/* libcurl 7.88 resolves "" and "#x" to the base's directory; RFC 3986 says the base. */
	if (buf[0] == '\0' || buf[0] == '#') {
		if (x->base == NULL)
			return NULL;
		h = curl_url_dup(x->base);
	} else
		h = x->base != NULL ? curl_url_dup(x->base) : curl_url();
	if (h == NULL) {
		x->oom = 1;
		return NULL;
	}
	if (buf[0] != '\0' && buf[0] != '#' && (rc = curl_url_set(h, CURLUPART_URL, buf,
	    CURLU_ALLOW_SPACE | CURLU_URLENCODE)) != CURLUE_OK) {
		curl_oom(x, rc);
		goto out;
	}
	ret = finish_url(x, h);
out:
	curl_url_cleanup(h);
	return ret;
}

/*
 * What of the base resolving buf depends on, for the memo: nothing for an absolute
 * http(s) URL (libcurl replaces the whole URL); the base up to its path or query
 * (scheme, host and port: RFC 3986 5.2.2 takes only the authority for a reference
 * that starts with one '/') for a path-absolute reference. Returns -1 for any other
 * reference: those are resolved every time.
 */
static int
memo_scope(const struct ex *x, const char *buf, size_t scheme, const char **scope, size_t *len)
{
	const char *p;

	if (x->memo == NULL)
		return -1;
	if (scheme > 0) {
		*scope = "";
		*len = 0;
		return 0;
	}
	if (buf[0] != '/' || buf[1] == '/' || x->base_url == NULL ||
	    (p = strstr(x->base_url, "://")) == NULL)
		return -1;
	*scope = x->base_url;
	*len = (size_t)(p + 3 - x->base_url) + strcspn(p + 3, "/?#");
	return 0;
}

/*
 * Resolves href against the base (RFC 3986 5.2). Returns the malloc'd absolute
 * http(s) URL (see finish_url), or NULL for another scheme (javascript:, mailto:,
 * data: ...), a URL libcurl refuses, or no base to resolve a relative reference
 * against. With a memo, a reference resolved before under the same scope gives the
 * kept answer (a page's navigation repeats on every page of a site).
 */
static char *
resolve(struct ex *x, const char *href)
{
	char		 buf[EXTRACT_URL_MAX + 1], *ret;
	const char	*scope, *kept;
	size_t		 n, scopelen;
	int		 memo;

	if (strip_href(href, buf) == -1)
		return NULL;
	n = scheme_len(buf);
	if (n > 0 && !text_eq_ci(buf, n, "http") && !text_eq_ci(buf, n, "https"))
		return NULL;
	memo = memo_scope(x, buf, n, &scope, &scopelen) == 0;
	if (memo && hrefcache_get(x->memo, scope, scopelen, buf, &kept)) {
		if (kept != NULL && (ret = strdup(kept)) == NULL)
			x->oom = 1;
		return kept != NULL ? ret : NULL;
	}
	ret = resolve_curl(x, buf);
	if (memo && !x->oom)
		hrefcache_put(x->memo, scope, scopelen, buf, ret);
	return ret;
}

/* Makes url (absolute, from resolve) the base. */
static void
set_base(struct ex *x, const char *url)
{
	CURLU		*h;
	CURLUcode	 rc;

	x->base_url = NULL;            /* until url is the base: the memo is not used */
	if ((h = curl_url()) == NULL) {
		x->oom = 1;
		return;
	}
	if ((rc = curl_url_set(h, CURLUPART_URL, url, 0)) != CURLUE_OK) {
		curl_oom(x, rc);
		curl_url_cleanup(h);
		return;
	}
	curl_url_cleanup(x->base);
	x->base = h;
	x->base_url = url;
}

/* The page URL, then the first <base href> (HTML: the first in tree order) resolved against it. */
static void
find_base(struct ex *x, xmlDoc *doc, const char *url)
{
	xmlNode		*n;
	const char	*href = NULL;
	char		*b;
	struct hrefcache	*memo;

	/* The page's own URL is new on every page: resolved in full, not kept in the memo. */
	memo = x->memo;
	x->memo = NULL;
	if (url != NULL)
		x->out->base = resolve(x, url);
	x->memo = memo;
	if (x->out->base != NULL)
		set_base(x, x->out->base);
	for (n = doc->children; n != NULL && href == NULL; n = walk_next(n))
		if (is_elem(n, "base"))
			href = attr(n, "href");
	if (href == NULL || x->oom || (b = resolve(x, href)) == NULL)
		return;
	free(x->out->base);
	x->out->base = b;
	set_base(x, b);
}

static uint32_t
hash_str(const char *s)
{
	uint32_t	 h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Keeps url (taking it) unless already kept. */
static void
links_add(struct ex *x, char *url)
{
	struct extract_page	*out = x->out;
	uint32_t		 i;
	char			**nl;
	size_t			 ncap;

	if (x->hash == NULL && (x->hash = calloc(LINK_HASH_SIZE, sizeof(*x->hash))) == NULL)
		goto oom;
	for (i = hash_str(url) & (LINK_HASH_SIZE - 1); x->hash[i] != 0;
	    i = (i + 1) & (LINK_HASH_SIZE - 1))
		if (strcmp(out->links[x->hash[i] - 1], url) == 0) {
			free(url);
			return;
		}
	if (out->nlinks == x->linkcap) {
		ncap = x->linkcap ? x->linkcap * 2 : 64;
		if (ncap > EXTRACT_MAX_LINKS)
			ncap = EXTRACT_MAX_LINKS;
		if ((nl = realloc(out->links, ncap * sizeof(*nl))) == NULL)
			goto oom;
		out->links = nl;
		x->linkcap = ncap;
	}
	out->links[out->nlinks++] = url;
	x->hash[i] = (uint32_t)out->nlinks;
	return;
oom:
	free(url);
	x->oom = 1;
}

static void
on_anchor(struct ex *x, const char *href)
{
	char	*u;

	x->out->links_total++;
	if (x->out->nlinks == EXTRACT_MAX_LINKS || x->resolved == EXTRACT_MAX_RESOLVE)
		return;
	x->resolved++;
	if ((u = resolve(x, href)) != NULL)
		links_add(x, u);
}

static void
on_meta(struct ex *x, const xmlNode *n)
{
	const char	*name = attr(n, "name"), *content = attr(n, "content");
	size_t		 len;

	if (name == NULL || content == NULL)
		return;
	while (is_space((unsigned char)*name))
		name++;
	for (len = strlen(name); len > 0 && is_space((unsigned char)name[len - 1]); len--)
		;
	if (text_eq_ci(name, len, "description") && !x->desc_seen) {
		x->desc_seen = 1;
		x->out->description = clean(x, content, strlen(content), 1);
	} else if (text_eq_ci(name, len, "robots") &&
	    (has_token(content, "nofollow") || has_token(content, "none")))
		x->out->nofollow = 1;
}

static void
on_link_rel(struct ex *x, const xmlNode *n)
{
	const char	*rel = attr(n, "rel"), *href = attr(n, "href");

	if (x->canon_seen || rel == NULL || href == NULL || !has_token(rel, "canonical"))
		return;
	x->canon_seen = 1;
	x->out->canonical = resolve(x, href);
}

/* schema.org names a type "Product", "schema:Product" or by its full IRI. */
static int
is_product_type(struct json_object *t)
{
	const char	*s;

	if (!json_object_is_type(t, json_type_string))
		return 0;
	s = json_object_get_string(t);
	return strcmp(s, "Product") == 0 || strcmp(s, "schema:Product") == 0 ||
	    strcmp(s, "http://schema.org/Product") == 0 ||
	    strcmp(s, "https://schema.org/Product") == 0;
}

static int
is_product(struct json_object *o)
{
	struct json_object	*t;
	size_t			 i;

	if (!json_object_object_get_ex(o, "@type", &t))
		return 0;
	if (!json_object_is_type(t, json_type_array))
		return is_product_type(t);
	for (i = 0; i < json_object_array_length(t); i++)
		if (is_product_type(json_object_array_get_idx(t, i)))
			return 1;
	return 0;
}

/* A string, or a number as written (json-c keeps a double's text): cleaned, or NULL. */
static char *
json_text(struct ex *x, struct json_object *o, const char *key, int collapse)
{
	struct json_object	*v;
	const char		*s;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return NULL;
	s = json_object_get_string(v);
	return clean(x, s, strlen(s), collapse);
}

/* "offers": an Offer or a list of them; the first with a price (or an AggregateOffer's lowPrice). */
static void
product_offer(struct ex *x, struct json_object *o, struct extract_product *p)
{
	struct json_object	*offers, *of;
	size_t			 i, n;

	if (!json_object_object_get_ex(o, "offers", &offers))
		return;
	n = json_object_is_type(offers, json_type_array) ? json_object_array_length(offers) : 1;
	for (i = 0; i < n && p->price == NULL && !x->oom; i++) {
		of = json_object_is_type(offers, json_type_array) ?
		    json_object_array_get_idx(offers, i) : offers;
		if (!json_object_is_type(of, json_type_object))
			continue;
		if ((p->price = json_text(x, of, "price", 0)) == NULL)
			p->price = json_text(x, of, "lowPrice", 0);
		if (p->price != NULL)
			p->currency = json_text(x, of, "priceCurrency", 0);
	}
}

static void
add_product(struct ex *x, struct json_object *o)
{
	struct extract_page	*out = x->out;
	struct extract_product	*p;

	if (out->products == NULL &&
	    (out->products = calloc(EXTRACT_MAX_PRODUCTS, sizeof(*out->products))) == NULL) {
		x->oom = 1;
		return;
	}
	p = &out->products[out->nproducts++];
	p->name = json_text(x, o, "name", 1);
	product_offer(x, o, p);
}

/* Products at the top, in arrays and in "@graph"; recursion bounded by EXTRACT_JSON_DEPTH. */
static void
find_products(struct ex *x, struct json_object *o)
{
	struct json_object	*g;
	size_t			 i;

	if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o) && !x->oom &&
		    x->out->nproducts < EXTRACT_MAX_PRODUCTS; i++)
			find_products(x, json_object_array_get_idx(o, i));
		return;
	}
	if (!json_object_is_type(o, json_type_object) || x->oom ||
	    x->out->nproducts == EXTRACT_MAX_PRODUCTS)
		return;
	if (is_product(o))
		add_product(x, o);
	if (json_object_object_get_ex(o, "@graph", &g))
		find_products(x, g);
}

/* <script type="application/ld+json">: one JSON value, else ignored. */
static void
on_script(struct ex *x, const xmlNode *n)
{
	const char		*type = attr(n, "type");
	xmlChar			*text = NULL;
	struct json_tokener	*tok = NULL;
	struct json_object	*o = NULL;
	size_t			 len, i;

	if (type == NULL)
		return;
	while (is_space((unsigned char)*type))
		type++;
	for (len = 0; type[len] != '\0' && type[len] != ';' && !is_space((unsigned char)type[len]);
	    len++)
		;
	if (!text_eq_ci(type, len, "application/ld+json") ||
	    x->out->nproducts == EXTRACT_MAX_PRODUCTS)
		return;
	if ((text = xmlNodeGetContent(n)) == NULL || (len = strlen((char *)text)) > EXTRACT_JSONLD_MAX)
		goto out;
	if ((tok = json_tokener_new_ex(EXTRACT_JSON_DEPTH)) == NULL) {
		x->oom = 1;
		goto out;
	}
	o = json_tokener_parse_ex(tok, (const char *)text, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success)
		goto out;
	for (i = json_tokener_get_parse_end(tok); i < len; i++)
		if (!is_space(text[i]))
			goto out;
	find_products(x, o);
out:
	json_object_put(o);
	if (tok != NULL)
		json_tokener_free(tok);
	xmlFree(text);
}

static void
visit(struct ex *x, const xmlNode *n)
{
	const char	*name = (const char *)n->name, *href;

	if (strcmp(name, "a") == 0) {
		if ((href = attr(n, "href")) != NULL)
			on_anchor(x, href);
	} else if (strcmp(name, "img") == 0)
		x->out->images++;
	else if (strcmp(name, "title") == 0) {
		if (x->title_any == NULL)
			x->title_any = n;
		if (x->title_head == NULL && n->parent != NULL && is_elem(n->parent, "head"))
			x->title_head = n;
	} else if (strcmp(name, "meta") == 0)
		on_meta(x, n);
	else if (strcmp(name, "link") == 0)
		on_link_rel(x, n);
	else if (strcmp(name, "script") == 0)
		on_script(x, n);
}

/* The title in <head>, else the first anywhere. */
static void
take_title(struct ex *x)
{
	const xmlNode	*t = x->title_head != NULL ? x->title_head : x->title_any;
	xmlChar		*s;

	if (t == NULL)
		return;
	if ((s = xmlNodeGetContent(t)) == NULL)
		return;
	x->out->title = clean(x, (const char *)s, strlen((const char *)s), 1);
	xmlFree(s);
}

static xmlXPathContext *
xpath_context(xmlDoc *doc)
{
	xmlXPathContext *ctx;

	if ((ctx = xmlXPathNewContext(doc)) != NULL)
		ctx->error = xmlquiet_structured;
	return ctx;
}

/* The string value of one selector's result, or NULL. */
static char *
xpath_value(struct ex *x, xmlXPathContext *ctx, const char *expr)
{
	xmlXPathObject	*r;
	xmlChar		*s = NULL;
	char		*v = NULL;

	if (expr == NULL || strnlen(expr, EXTRACT_XPATH_MAX + 1) > EXTRACT_XPATH_MAX)
		return NULL;
	ctx->node = (xmlNode *)ctx->doc;
	ctx->opCount = 0;
	ctx->opLimit = EXTRACT_XPATH_OPS;
	if ((r = xmlXPathEvalExpression((const xmlChar *)expr, ctx)) == NULL)
		return NULL;
	switch (r->type) {
	case XPATH_NODESET:
		if (r->nodesetval != NULL && r->nodesetval->nodeNr > 0)
			s = xmlXPathCastNodeToString(r->nodesetval->nodeTab[0]);
		break;
	case XPATH_STRING:
	case XPATH_NUMBER:
	case XPATH_BOOLEAN:
		s = xmlXPathCastToString(r);
		break;
	default:
		break;
	}
	if (s != NULL)
		v = clean(x, (const char *)s, strlen((const char *)s), 0);
	xmlFree(s);
	xmlXPathFreeObject(r);
	return v;
}

static void
run_selectors(struct ex *x, xmlDoc *doc, const struct extract_selector *sel, size_t nsel)
{
	xmlXPathContext	*ctx;
	size_t		 i;

	if (nsel == 0)
		return;
	if ((x->out->values = calloc(nsel, sizeof(char *))) == NULL) {
		x->oom = 1;
		return;
	}
	x->out->nvalues = nsel;
	if (sel == NULL)
		return;
	if ((ctx = xpath_context(doc)) == NULL) {
		x->oom = 1;
		return;
	}
	for (i = 0; i < nsel && i < EXTRACT_MAX_SELECTORS && !x->oom; i++)
		x->out->values[i] = xpath_value(x, ctx, sel[i].xpath);
	xmlXPathFreeContext(ctx);
}

/* The page as libxml2's HTML parser reads it (malformed is fine), at most EXTRACT_MAX_BYTES. */
static xmlDoc *
parse(const char *html, size_t len, const char *url)
{
	if (html == NULL || len == 0)
		return NULL;
	if (len > EXTRACT_MAX_BYTES)
		len = EXTRACT_MAX_BYTES;
	return htmlReadMemory(html, (int)len, url, NULL, HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
}

static int
extract(const char *html, size_t len, const char *url, const struct extract_selector *sel,
    size_t nsel, struct hrefcache *memo, struct extract_page *out)
{
	struct ex	 x;
	xmlDoc		*doc = NULL;
	xmlNode		*n;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	x.out = out;
	x.memo = memo;
	quiet();
	if ((doc = parse(html, len, url)) == NULL)
		return -1;
	find_base(&x, doc, url);
	for (n = doc->children; n != NULL && !x.oom; n = walk_next(n))
		if (n->type == XML_ELEMENT_NODE)
			visit(&x, n);
	if (!x.oom)
		take_title(&x);
	if (!x.oom)
		run_selectors(&x, doc, sel, nsel);
	xmlFreeDoc(doc);
	curl_url_cleanup(x.base);
	free(x.hash);
	if (x.oom) {
		extract_free(out);
		return -1;
	}
	return 0;
}

int
extract_html(const char *html, size_t len, const char *url,
    const struct extract_selector *sel, size_t nsel, struct extract_page *out)
{
	return extract(html, len, url, sel, nsel, NULL, out);
}

int
extract_html_memo(const char *html, size_t len, const char *url, struct hrefcache *memo,
    struct extract_page *out)
{
	return extract(html, len, url, NULL, 0, memo, out);
}

void
extract_free(struct extract_page *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	free(p->title);
	free(p->description);
	free(p->canonical);
	free(p->base);
	for (i = 0; i < p->nlinks; i++)
		free(p->links[i]);
	free(p->links);
	for (i = 0; i < p->nproducts; i++) {
		free(p->products[i].name);
		free(p->products[i].price);
		free(p->products[i].currency);
	}
	free(p->products);
	for (i = 0; i < p->nvalues; i++)
		free(p->values[i]);
	free(p->values);
	memset(p, 0, sizeof(*p));
}

struct extract_doc {
	xmlDoc		*doc;
	xmlXPathContext	*ctx;
};

struct extract_doc *
extract_doc_new(const char *html, size_t len, const char *url)
{
	struct extract_doc *d;

	quiet();
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if ((d->doc = parse(html, len, url)) == NULL || (d->ctx = xpath_context(d->doc)) == NULL) {
		extract_doc_free(d);
		return NULL;
	}
	return d;
}

int
extract_doc_value(struct extract_doc *d, const char *xpath, char **value)
{
	struct ex x;

	memset(&x, 0, sizeof(x));
	*value = xpath_value(&x, d->ctx, xpath);
	return x.oom ? -1 : 0;
}

void
extract_doc_free(struct extract_doc *d)
{
	if (d == NULL)
		return;
	xmlXPathFreeContext(d->ctx);
	xmlFreeDoc(d->doc);
	free(d);
}
