/* test_extract.c: table-driven tests of extract_html: links, head fields, JSON-LD products, XPath selectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/extract.h"
#include "scrapeq/hrefcache.h"
#include "tap.h"

#define PAGE	"https://example.com/dir/page.html?q=1#frag"
#define SELF	"https://example.com/dir/page.html?q=1"

/* Renders the links of p joined with ' ' (a resolved URL never holds a space). */
static void
join_links(const struct extract_page *p, struct buf *b)
{
	size_t	 i;

	buf_reset(b);
	buf_puts(b, "");
	for (i = 0; i < p->nlinks; i++)
		buf_printf(b, "%s%s", i ? " " : "", p->links[i]);
}

struct lrow {
	const char	*html;
	const char	*url;
	const char	*links;		/* joined with ' ' */
	size_t		 total;		/* links_total */
};

static const struct lrow lrows[] = {
	{ "<a href=\"other.html\">o</a>", PAGE, "https://example.com/dir/other.html", 1 },
	{ "<a href=\"../up.html\">", PAGE, "https://example.com/up.html", 1 },
	{ "<a href=\"/abs\">", PAGE, "https://example.com/abs", 1 },
	{ "<a href=\"?x=2\">", PAGE, "https://example.com/dir/page.html?x=2", 1 },
	{ "<a href=\"#top\">", PAGE, SELF, 1 },
	{ "<a href=\"\">", PAGE, SELF, 1 },
	{ "<a href>", PAGE, SELF, 1 },
	{ "<a href=\"./\">", PAGE, "https://example.com/dir/", 1 },
	{ "<a href=\"//cdn.example.org/lib.js\">", PAGE, "https://cdn.example.org/lib.js", 1 },
	{ "<a href=\"//cdn.example.org/x\">", "http://example.com/", "http://cdn.example.org/x", 1 },
	{ "<a href=\"http://other.example/x#y\">", PAGE, "http://other.example/x", 1 },
	{ "<a href=\"b.html#sec\">", PAGE, "https://example.com/dir/b.html", 1 },
	{ "<a href=\"/a/./b/../c\">", PAGE, "https://example.com/a/c", 1 },
	/* dedupe, in order of first appearance */
	{ "<a href=\"/1\"><a href=\"/2\"><a href=\"/1#x\"><a href=\"https://example.com/1\">"
	    "<a href=\"/2\"><a href=\"/3\">", PAGE,
	    "https://example.com/1 https://example.com/2 https://example.com/3", 6 },
	/* only http(s): other schemes counted, not kept */
	{ "<a href=\"javascript:void(0)\"><a href=\"JAVASCRIPT:x()\"><a href=\" javascript:x\">"
	    "<a href=\"java&#10;script:x\"><a href=\"mailto:a@example.com\"><a href=\"data:text/html,x\">"
	    "<a href=\"tel:+1555\"><a href=\"ftp://example.com/f\"><a href=\"file:///etc/passwd\">"
	    "<a href=\"/ok\">", PAGE, "https://example.com/ok", 10 },
	{ "<a href=\"HTTPS://example.com/s\">", PAGE, "https://example.com/s", 1 },
	/* host lower-cased, default port dropped, other ports kept */
	{ "<a href=\"HTTP://WWW.Example.ORG:80/Path\">", PAGE, "http://www.example.org/Path", 1 },
	{ "<a href=\"https://example.com:443/x\"><a href=\"https://example.com/x\">", PAGE,
	    "https://example.com/x", 2 },
	{ "<a href=\"https://example.com:8443/x\">", PAGE, "https://example.com:8443/x", 1 },
	{ "<a href=\"http://[::1]:8080/x\">", PAGE, "http://[::1]:8080/x", 1 },
	/* white space and non-ASCII (WHATWG URL strips, then libcurl encodes) */
	{ "<a href=\"  /trim \n\">", PAGE, "https://example.com/trim", 1 },
	{ "<a href=\"/x\ty\n\">", PAGE, "https://example.com/xy", 1 },
	{ "<a href=\"/a b\">", PAGE, "https://example.com/a%20b", 1 },
	{ "<a href=\"/caf\xC3\xA9\">", PAGE, "https://example.com/caf%c3%a9", 1 },
	{ "<a href=\"/s?q=a&amp;b=c\">", PAGE, "https://example.com/s?q=a&b=c", 1 },
	/* credentials are dropped (fuzz: a raw '@' made the text before it a userinfo) */
	{ "<a href=\"http://user:pw@example.com/x\"><a href=\"https://u@example.com/y\">", PAGE,
	    "http://example.com/x https://example.com/y", 2 },
	{ "<a href=\"HTTP://UP.EXAMPL\xC3\xBF html><title>Links & things <ion@y\">", PAGE,
	    "http://y/", 1 },
	/* libcurl refuses these */
	{ "<a href=\"http://exa mple.com/\"><a href=\"http://[::1\"><a href=\"https://\">"
	    "<a href=\"http://h:99999/\"><a href=\"//\">", PAGE, "", 5 },
	/* what is not an <a href> */
	{ "<a name=\"x\">x</a><area href=\"/area\"><link href=\"/l\"><!-- <a href=\"/c\"> -->"
	    "<script>document.write('<a href=\"/s\">')</script>", PAGE, "", 0 },
	{ "<A HREF=\"/UP\">", PAGE, "https://example.com/UP", 1 },
	/* <base href>: the first with an href, wherever it is, resolved against the page */
	{ "<head><base href=\"https://cdn.example.net/sub/\"></head><a href=\"x\">", PAGE,
	    "https://cdn.example.net/sub/x", 1 },
	{ "<a href=\"x\"><base href=\"https://cdn.example.net/sub/\">", PAGE,
	    "https://cdn.example.net/sub/x", 1 },
	{ "<base href=\"/other/\"><a href=\"x\"><a href=\"/y\">", PAGE,
	    "https://example.com/other/x https://example.com/y", 2 },
	{ "<base href=\"javascript:alert(1)\"><a href=\"x\">", PAGE, "https://example.com/dir/x", 1 },
	{ "<base target=\"_blank\"><base href=\"/b1/\"><base href=\"/b2/\"><a href=\"x\">", PAGE,
	    "https://example.com/b1/x", 1 },
	{ "<base href=\"//cdn.example.net/\"><a href=\"x\">", PAGE, "https://cdn.example.net/x", 1 },
	/* no usable page URL: only absolute links */
	{ "<a href=\"/rel\"><a href=\"#f\"><a href=\"https://example.com/abs\">", NULL,
	    "https://example.com/abs", 3 },
	{ "<a href=\"/rel\"><a href=\"https://example.com/abs\">", "not a url",
	    "https://example.com/abs", 2 },
	{ "<base href=\"https://b.example/\"><a href=\"/rel\">", NULL, "https://b.example/rel", 1 },
	/* malformed HTML */
	{ "<html><body><div><a href=\"/a\">x<div><a href=\"/b\"", PAGE,
	    "https://example.com/a https://example.com/b", 2 },
	{ "<<>><a href=/c>c</a><p><a href='/d'>d<a href=/e", PAGE,
	    "https://example.com/c https://example.com/d https://example.com/e", 3 },
	{ "<table><a href=\"/t\"></table></a></a></a>", PAGE, "https://example.com/t", 1 },
};

static void
test_links(void)
{
	struct extract_page	 p;
	struct buf		 b;
	size_t			 i;
	int			 rc;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(lrows) / sizeof(lrows[0]); i++) {
		const struct lrow *r = &lrows[i];

		rc = extract_html(r->html, strlen(r->html), r->url, NULL, 0, &p);
		join_links(&p, &b);
		TAP_CHECK(rc == 0 && strcmp(b.data, r->links) == 0 && p.links_total == r->total,
		    "link row %zu: rc %d links \"%s\" total %zu, want \"%s\" total %zu", i, rc,
		    b.data, p.links_total, r->links, r->total);
		extract_free(&p);
	}
	buf_free(&b);
}

/* One row's links through a memo shared with every other row: the table's answer still. */
static void
memo_row(struct hrefcache *m, const struct lrow *r, size_t i, const char *pass, struct buf *b)
{
	struct extract_page	 p;
	int			 rc;

	rc = extract_html_memo(r->html, strlen(r->html), r->url, m, &p);
	join_links(&p, b);
	TAP_CHECK(rc == 0 && strcmp(b->data, r->links) == 0 && p.links_total == r->total,
	    "memo %s, link row %zu: rc %d links \"%s\", want \"%s\"", pass, i, rc, b->data,
	    r->links);
	extract_free(&p);
}

/* The same href on pages of other origins, ports, schemes, paths and bases. */
static const struct lrow mrows[] = {
	{ "<a href=\"/x?a\">", "http://a.example/", "http://a.example/x?a", 1 },
	{ "<a href=\"/x?a\">", "http://a.example:8080/p/q", "http://a.example:8080/x?a", 1 },
	{ "<a href=\"/x?a\">", "https://a.example/q?z=/y", "https://a.example/x?a", 1 },
	{ "<a href=\"/x?a\">", "http://b.example?z=/y", "http://b.example/x?a", 1 },
	{ "<a href=\"/x?a\">", "http://A.EXAMPLE:80/zz", "http://a.example/x?a", 1 },
	{ "<base href=\"https://c.example/d/\"><a href=\"/x?a\">", "http://a.example/",
	    "https://c.example/x?a", 1 },
	{ "<a href=\"x\">", "http://a.example/one/", "http://a.example/one/x", 1 },
	{ "<a href=\"x\">", "http://a.example/two/", "http://a.example/two/x", 1 },
	{ "<a href=\"//a.example/x\">", "https://z.example/", "https://a.example/x", 1 },
	{ "<a href=\"//a.example/x\">", "http://z.example/", "http://a.example/x", 1 },
	{ "<a href=\"http://q.example/r#f\">", "https://a.example/", "http://q.example/r", 1 },
	{ "<a href=\"javascript:x\"><a href=\"/x?a\">", NULL, "", 2 },
	{ "<a href=\"http://q.example/r#f\">", NULL, "http://q.example/r", 1 },
};

static void
test_memo(void)
{
	struct hrefcache	*m = hrefcache_new();
	unsigned long long	 hits, misses;
	struct buf		 b;
	size_t			 i, n = sizeof(lrows) / sizeof(lrows[0]);
	size_t			 nm = sizeof(mrows) / sizeof(mrows[0]);

	buf_init(&b, 0);
	TAP_CHECK(m != NULL, "hrefcache_new");
	for (i = 0; i < n; i++)
		memo_row(m, &lrows[i], i, "first pass", &b);
	for (i = n; i > 0; i--)
		memo_row(m, &lrows[i - 1], i - 1, "second pass, backwards", &b);
	for (i = 0; i < nm; i++)
		memo_row(m, &mrows[i], i + 1000, "origins", &b);
	for (i = nm; i > 0; i--)
		memo_row(m, &mrows[i - 1], i - 1 + 1000, "origins again", &b);
	/* Longer than HREFCACHE_ENTRY_MAX: resolved every time, the same answer. */
	buf_reset(&b);
	buf_puts(&b, "<a href=\"/");
	for (i = 0; i < HREFCACHE_ENTRY_MAX; i++)
		buf_putc(&b, 'a' + (char)(i % 26));
	buf_puts(&b, "\">");
	{
		struct extract_page	 p1, p2;
		int			 r1, r2;

		r1 = extract_html_memo(b.data, b.len, PAGE, m, &p1);
		r2 = extract_html_memo(b.data, b.len, "https://example.com/other", m, &p2);
		TAP_CHECK(r1 == 0 && r2 == 0 && p1.nlinks == 1 && p2.nlinks == 1 &&
		    strcmp(p1.links[0], p2.links[0]) == 0 &&
		    strlen(p1.links[0]) == strlen("https://example.com/") + HREFCACHE_ENTRY_MAX,
		    "an href past HREFCACHE_ENTRY_MAX is resolved in full, twice the same");
		extract_free(&p1);
		extract_free(&p2);
	}
	hrefcache_counts(m, &hits, &misses);
	TAP_CHECK(hits > n && misses > 0, "the memo answered %llu lookups of %llu", hits,
	    hits + misses);
	/* No memo at all: the plain answer. */
	memo_row(NULL, &lrows[0], 0, "none", &b);
	hrefcache_free(m);
	hrefcache_free(NULL);
	buf_free(&b);
}

struct hrow {
	const char	*html;
	const char	*url;
	const char	*title;
	const char	*desc;
	const char	*canonical;
	const char	*base;
	int		 nofollow;
	size_t		 images;
};

static const struct hrow hrows[] = {
	{ "<html><head><title>  Hello \n\t World  </title></head></html>", PAGE,
	    "Hello World", NULL, NULL, SELF, 0, 0 },
	{ "<title>Fish &amp; Chips &eacute; &#x2603; &lt;b&gt;</title>", PAGE,
	    "Fish & Chips \xC3\xA9 \xE2\x98\x83 <b>", NULL, NULL, SELF, 0, 0 },
	{ "<title>a&nbsp;b</title>", PAGE, "a\xC2\xA0" "b", NULL, NULL, SELF, 0, 0 },
	{ "<title>   </title>", PAGE, NULL, NULL, NULL, SELF, 0, 0 },
	{ "<p>no title</p>", PAGE, NULL, NULL, NULL, SELF, 0, 0 },
	{ "<head><title>First</title><title>Second</title></head>", PAGE, "First", NULL, NULL,
	    SELF, 0, 0 },
	{ "<head><title>Head</title></head><body><svg><title>Svg</title></svg></body>", PAGE,
	    "Head", NULL, NULL, SELF, 0, 0 },
	{ "<body><svg><title>Svg</title></svg><p>x</p></body>", PAGE, "Svg", NULL, NULL, SELF, 0,
	    0 },
	{ "<title>caf\xC3\xA9</title>", PAGE, "caf\xC3\xA9", NULL, NULL, SELF, 0, 0 },
	{ "<meta charset=\"iso-8859-1\"><title>caf\xE9</title>", PAGE, "caf\xC3\xA9", NULL, NULL,
	    SELF, 0, 0 },
	{ "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
	    "<title>\x93quoted\x94</title>", PAGE, "\xE2\x80\x9Cquoted\xE2\x80\x9D", NULL, NULL,
	    SELF, 0, 0 },
	{ "<meta name=\"description\" content=\" A  page\nabout &quot;things&quot; \">", PAGE,
	    NULL, "A page about \"things\"", NULL, SELF, 0, 0 },
	{ "<meta name=\"Description\" content=\"first\"><meta name=\"description\" content=\"2nd\">",
	    PAGE, NULL, "first", NULL, SELF, 0, 0 },
	{ "<meta property=\"og:description\" content=\"og\"><meta name=\"description\">", PAGE,
	    NULL, NULL, NULL, SELF, 0, 0 },
	{ "<meta name=\"description\" content=\"\"><meta name=\"description\" content=\"late\">",
	    PAGE, NULL, NULL, NULL, SELF, 0, 0 },
	{ "<link rel=\"canonical\" href=\"/canon?x=1#f\">", PAGE, NULL, NULL,
	    "https://example.com/canon?x=1", SELF, 0, 0 },
	{ "<link rel=\"Canonical\" href=\"https://Example.com/c\">", PAGE, NULL, NULL,
	    "https://example.com/c", SELF, 0, 0 },
	{ "<link rel=\"alternate canonical\" href=\"c\"><link rel=\"canonical\" href=\"d\">", PAGE,
	    NULL, NULL, "https://example.com/dir/c", SELF, 0, 0 },
	{ "<link rel=\"canonicalx\" href=\"c\"><link rel=\"stylesheet\" href=\"s.css\">", PAGE,
	    NULL, NULL, NULL, SELF, 0, 0 },
	{ "<link rel=\"canonical\" href=\"javascript:x\">", PAGE, NULL, NULL, NULL, SELF, 0, 0 },
	{ "<base href=\"https://b.example/x/\"><link rel=\"canonical\" href=\"c\">", PAGE, NULL,
	    NULL, "https://b.example/x/c", "https://b.example/x/", 0, 0 },
	{ "<base href=\"/b/\">", PAGE, NULL, NULL, NULL, "https://example.com/b/", 0, 0 },
	{ "<p>x</p>", "HTTPS://Example.COM:443/A#f", NULL, NULL, NULL, "https://example.com/A", 0,
	    0 },
	{ "<p>x</p>", NULL, NULL, NULL, NULL, NULL, 0, 0 },
	{ "<p>x</p>", "mailto:a@example.com", NULL, NULL, NULL, NULL, 0, 0 },
	{ "<meta name=\"robots\" content=\"noindex, nofollow\">", PAGE, NULL, NULL, NULL, SELF, 1,
	    0 },
	{ "<meta name=\"ROBOTS\" content=\"NOFOLLOW\">", PAGE, NULL, NULL, NULL, SELF, 1, 0 },
	{ "<meta name=\"robots\" content=\"none\">", PAGE, NULL, NULL, NULL, SELF, 1, 0 },
	{ "<meta name=\"robots\" content=\"noindex\"><meta name=\"robots\" content=\"follow\">", PAGE,
	    NULL, NULL, NULL, SELF, 0, 0 },
	{ "<meta name=\"robots\" content=\"nofollowing\">", PAGE, NULL, NULL, NULL, SELF, 0, 0 },
	{ "<meta name=\"googlebot\" content=\"nofollow\">", PAGE, NULL, NULL, NULL, SELF, 0, 0 },
	{ "<img src=\"a.png\"><IMG SRC=b><img/><picture><img></picture><image>", PAGE, NULL, NULL,
	    NULL, SELF, 0, 4 },
	{ "plain text, no markup at all", PAGE, NULL, NULL, NULL, SELF, 0, 0 },
	{ "\xFF\xFE<\0t\0i\0t\0l\0e\0>\0H\0i\0<\0/\0t\0i\0t\0l\0e\0>\0", PAGE, "Hi", NULL, NULL,
	    SELF, 0, 0 },
};

static void
test_head(void)
{
	struct extract_page	 p;
	size_t			 i, len;
	int			 rc;

	for (i = 0; i < sizeof(hrows) / sizeof(hrows[0]); i++) {
		const struct hrow *r = &hrows[i];
		char what[32];

		/* The UTF-16 row holds NULs: its length is fixed. */
		len = r->html[0] == '\xFF' ? 36 : strlen(r->html);
		rc = extract_html(r->html, len, r->url, NULL, 0, &p);
		TAP_CHECK(rc == 0, "head row %zu: rc %d", i, rc);
		snprintf(what, sizeof(what), "head row %zu title", i);
		TAP_STREQ(p.title, r->title, what);
		snprintf(what, sizeof(what), "head row %zu description", i);
		TAP_STREQ(p.description, r->desc, what);
		snprintf(what, sizeof(what), "head row %zu canonical", i);
		TAP_STREQ(p.canonical, r->canonical, what);
		snprintf(what, sizeof(what), "head row %zu base", i);
		TAP_STREQ(p.base, r->base, what);
		TAP_CHECK(p.nofollow == r->nofollow && p.images == r->images,
		    "head row %zu: nofollow %d images %zu, want %d %zu", i, p.nofollow, p.images,
		    r->nofollow, r->images);
		extract_free(&p);
	}
}

#define LD(json)	"<script type=\"application/ld+json\">" json "</script>"

struct prow {
	const char	*html;
	const char	*products;	/* "name|price|currency" joined with ';', "-" for NULL */
};

static const struct prow prows[] = {
	{ LD("{\"@context\":\"https://schema.org\",\"@type\":\"Product\",\"name\":\"Widget\","
	    "\"offers\":{\"@type\":\"Offer\",\"price\":\"19.99\",\"priceCurrency\":\"USD\"}}"),
	    "Widget|19.99|USD" },
	{ LD("{\"@type\":\"Product\",\"name\":\"N\",\"offers\":{\"price\":19.90,"
	    "\"priceCurrency\":\"EUR\"}}"), "N|19.90|EUR" },
	{ LD("{\"@type\":\"Product\",\"name\":\"I\",\"offers\":{\"price\":20}}"), "I|20|-" },
	{ LD("{\"@type\":\"Product\",\"name\":\"A\",\"offers\":[{\"@type\":\"Offer\"},"
	    "{\"price\":\"5\",\"priceCurrency\":\"GBP\"},{\"price\":\"6\"}]}"), "A|5|GBP" },
	{ LD("{\"@type\":\"Product\",\"name\":\"Agg\",\"offers\":{\"@type\":\"AggregateOffer\","
	    "\"lowPrice\":\"9.50\",\"highPrice\":\"12\",\"priceCurrency\":\"USD\"}}"),
	    "Agg|9.50|USD" },
	{ LD("{\"@type\":[\"Product\",\"Thing\"],\"name\":\"Multi\"}"), "Multi|-|-" },
	{ LD("{\"@type\":\"schema:Product\",\"name\":\"P1\"}")
	  LD("{\"@type\":\"https://schema.org/Product\",\"name\":\"P2\"}")
	  LD("{\"@type\":\"http://schema.org/Product\",\"name\":\"P3\"}"), "P1|-|-;P2|-|-;P3|-|-" },
	{ LD("{\"@context\":\"https://schema.org\",\"@graph\":[{\"@type\":\"WebPage\"},"
	    "{\"@type\":\"Product\",\"name\":\"G\",\"offers\":[{\"price\":\"1\"}]}]}"), "G|1|-" },
	{ LD("[{\"@type\":\"Product\",\"name\":\"A\"},{\"@type\":\"Organization\"},"
	    "{\"@type\":\"Product\",\"name\":\"B\"}]"), "A|-|-;B|-|-" },
	{ LD("[[{\"@type\":\"Product\",\"name\":\"Nested\"}]]"), "Nested|-|-" },
	{ LD("{\"@graph\":[{\"@graph\":{\"@type\":\"Product\",\"name\":\"GG\"}}]}"), "GG|-|-" },
	{ LD("{\"@type\":\"Product\",\"name\":\"Outer\",\"isRelatedTo\":{\"@type\":\"Product\","
	    "\"name\":\"Inner\"}}"), "Outer|-|-" },
	{ LD("{\"@type\":\"ItemList\",\"itemListElement\":[{\"@type\":\"Product\",\"name\":\"L\"}]}"),
	    "" },
	{ LD("{\"@type\":\"Product\",\"name\":\"  Big \\n Widget  \",\"offers\":{\"price\":\" 3 \"}}"),
	    "Big Widget|3|-" },
	{ LD("{\"@type\":\"Product\",\"name\":{\"@value\":\"x\"},\"offers\":{\"price\":true}}"),
	    "-|-|-" },
	{ LD("{\"@type\":\"Product\",\"name\":\"Fish &amp; Chips \\u00e9\"}"),
	    "Fish &amp; Chips \xC3\xA9|-|-" },
	{ LD("{\"@type\":\"product\",\"name\":\"lower\"}") LD("{\"@type\":\"Offer\",\"price\":1}"),
	    "" },
	/* the script's type, as HTML allows it */
	{ "<script type=\"application/ld+json; charset=utf-8\">{\"@type\":\"Product\",\"name\":\"c\"}"
	    "</script><script type=\" APPLICATION/LD+JSON \">{\"@type\":\"Product\",\"name\":\"u\"}"
	    "</script>", "c|-|-;u|-|-" },
	{ "<script type=\"application/json\">{\"@type\":\"Product\"}</script>"
	    "<script>{\"@type\":\"Product\"}</script>", "" },
	/* invalid JSON-LD is ignored, the next script still counts */
	{ LD("{\"@type\":\"Product\",") LD("{\"@type\":\"Product\",\"name\":\"ok\"}"), "ok|-|-" },
	{ LD("{\"@type\":\"Product\"} trailing") LD("") LD("   ") LD("null") LD("42"), "" },
	{ LD("{\"@type\":\"Product\",\"name\":\"ws\"}  \n "), "ws|-|-" },
	{ LD("<!-- {\"@type\":\"Product\"} -->"), "" },
	/* deeper than EXTRACT_JSON_DEPTH: the whole script is refused */
	{ LD("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{\"@type\":\"Product\"}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
	    "" },
	{ LD("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{\"@type\":\"Product\"}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
	    "-|-|-" },
};

static void
join_products(const struct extract_page *p, struct buf *b)
{
	size_t	 i;

	buf_reset(b);
	buf_puts(b, "");
	for (i = 0; i < p->nproducts; i++)
		buf_printf(b, "%s%s|%s|%s", i ? ";" : "",
		    p->products[i].name ? p->products[i].name : "-",
		    p->products[i].price ? p->products[i].price : "-",
		    p->products[i].currency ? p->products[i].currency : "-");
}

static void
test_products(void)
{
	struct extract_page	 p;
	struct buf		 b;
	size_t			 i;
	int			 rc;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(prows) / sizeof(prows[0]); i++) {
		rc = extract_html(prows[i].html, strlen(prows[i].html), PAGE, NULL, 0, &p);
		join_products(&p, &b);
		TAP_CHECK(rc == 0 && strcmp(b.data, prows[i].products) == 0,
		    "product row %zu: rc %d got \"%s\", want \"%s\"", i, rc, b.data,
		    prows[i].products);
		extract_free(&p);
	}
	/* EXTRACT_MAX_PRODUCTS */
	buf_reset(&b);
	buf_puts(&b, "<script type=\"application/ld+json\">[");
	for (i = 0; i < EXTRACT_MAX_PRODUCTS + 50; i++)
		buf_printf(&b, "%s{\"@type\":\"Product\",\"name\":\"p%zu\"}", i ? "," : "", i);
	buf_puts(&b, "]</script>");
	rc = extract_html(b.data, b.len, PAGE, NULL, 0, &p);
	TAP_CHECK(rc == 0 && p.nproducts == EXTRACT_MAX_PRODUCTS &&
	    strcmp(p.products[EXTRACT_MAX_PRODUCTS - 1].name, "p99") == 0,
	    "product cap: %zu kept", p.nproducts);
	extract_free(&p);
	buf_free(&b);
}

static const char sel_doc[] =
	"<html><head><title>T</title></head><body>\n"
	"<div class=\"product\"><h1 id=\"name\">  Widget\n </h1>"
	"<span class=\"price\">$19.99</span> <span class=\"price\">$29.99</span>"
	"<a href=\"/x\" data-sku=\"SKU-1\">x</a></div>\n"
	"<p>first <b>bold</b> para</p><p id=\"e\"></p>\n"
	"</body></html>";

struct xrow {
	const char	*xpath;
	const char	*want;
};

static const struct xrow xrows[] = {
	{ "//span[@class='price']", "$19.99" },
	{ "//span[@class='price'][2]", "$29.99" },
	{ "//h1[@id='name']", "Widget" },
	{ "//a/@data-sku", "SKU-1" },
	{ "//a/@href", "/x" },
	{ "//p", "first bold para" },
	{ "//p[@id='e']", NULL },
	{ "count(//span)", "2" },
	{ "string(//title)", "T" },
	{ "boolean(//h1)", "true" },
	{ "boolean(//h2)", "false" },
	{ "concat('a', 'b')", "ab" },
	{ "normalize-space(//h1)", "Widget" },
	{ "name(/*)", "html" },
	{ "//text()[contains(., 'first')]", "first" },
	{ "sum(//nothing)", "0" },
	{ "1 div 0", "Infinity" },
	{ "span", NULL },
	{ "//nothing", NULL },
	{ "//span[", NULL },
	{ "", NULL },
	{ "///", NULL },
	{ ")(", NULL },
	{ "foo()", NULL },
	{ "$var", NULL },
	{ "//span[@class='price'", NULL },
	{ NULL, NULL },
};

static void
test_selectors(void)
{
	struct extract_selector	 sel[sizeof(xrows) / sizeof(xrows[0])];
	struct extract_page	 p;
	size_t			 i, n = sizeof(xrows) / sizeof(xrows[0]);
	char			 what[64];
	int			 rc;

	for (i = 0; i < n; i++) {
		sel[i].name = "f";
		sel[i].xpath = xrows[i].xpath;
	}
	rc = extract_html(sel_doc, strlen(sel_doc), PAGE, sel, n, &p);
	TAP_CHECK(rc == 0 && p.nvalues == n && p.values != NULL, "selectors: rc %d nvalues %zu",
	    rc, p.nvalues);
	for (i = 0; rc == 0 && i < n; i++) {
		snprintf(what, sizeof(what), "selector %zu \"%s\"", i,
		    xrows[i].xpath ? xrows[i].xpath : "(null)");
		TAP_STREQ(p.values[i], xrows[i].want, what);
	}
	extract_free(&p);
	/* NULL selectors, and more than EXTRACT_MAX_SELECTORS */
	rc = extract_html(sel_doc, strlen(sel_doc), PAGE, NULL, 2, &p);
	TAP_CHECK(rc == 0 && p.nvalues == 2 && p.values[0] == NULL && p.values[1] == NULL,
	    "NULL selector array");
	extract_free(&p);
	{
		struct extract_selector	 many[EXTRACT_MAX_SELECTORS + 3];

		for (i = 0; i < EXTRACT_MAX_SELECTORS + 3; i++) {
			many[i].name = "t";
			many[i].xpath = "string(//title)";
		}
		rc = extract_html(sel_doc, strlen(sel_doc), PAGE, many, EXTRACT_MAX_SELECTORS + 3,
		    &p);
		TAP_CHECK(rc == 0 && p.nvalues == EXTRACT_MAX_SELECTORS + 3 &&
		    p.values[EXTRACT_MAX_SELECTORS - 1] != NULL &&
		    p.values[EXTRACT_MAX_SELECTORS] == NULL, "selector cap");
		extract_free(&p);
	}
}

/* extract_doc: the same rows, one selector at a time on one parse, as the selector worker runs them. */
static void
test_doc(void)
{
	struct extract_doc	*d;
	size_t			 i, n = sizeof(xrows) / sizeof(xrows[0]);
	char			 what[64], *v;
	int			 rc;

	if ((d = extract_doc_new(sel_doc, strlen(sel_doc), PAGE)) == NULL) {
		TAP_FAIL("extract_doc_new");
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "doc selector %zu \"%s\"", i,
		    xrows[i].xpath ? xrows[i].xpath : "(null)");
		v = (char *)"unset";
		rc = extract_doc_value(d, xrows[i].xpath, &v);
		TAP_CHECK(rc == 0, "%s: rc %d", what, rc);
		TAP_STREQ(v, xrows[i].want, what);
		free(v);
	}
	extract_doc_free(d);
	TAP_CHECK(extract_doc_new("", 0, PAGE) == NULL && extract_doc_new(NULL, 5, PAGE) == NULL,
	    "extract_doc_new: no document from an empty body");
	extract_doc_free(NULL);
}

/* Bounds: huge attributes and text, the link caps, nesting, empty input, field cuts. */
static void
test_bounds(void)
{
	struct extract_page	 p;
	struct extract_selector	 sel = { "p", "//p" };
	struct buf		 b;
	size_t			 i;
	int			 rc;

	buf_init(&b, 0);
	buf_puts(&b, "<title>");
	for (i = 0; i < 300000; i++)
		buf_puts(&b, "\xE2\x82\xAC ");		/* U+20AC, then a space to collapse */
	buf_puts(&b, "</title><a href=\"/");
	for (i = 0; i < 1000000; i++)
		buf_putc(&b, 'a');
	buf_puts(&b, "\"><meta name=\"description\" content=\"");
	for (i = 0; i < 1000000; i++)
		buf_putc(&b, 'd');
	buf_puts(&b, "\"><p>");
	for (i = 0; i < 2000; i++)
		buf_puts(&b, "\xE2\x82\xAC");
	buf_puts(&b, "</p>");
	rc = extract_html(b.data, b.len, PAGE, &sel, 1, &p);
	TAP_CHECK(rc == 0 && p.links_total == 1 && p.nlinks == 0, "huge href: counted, dropped");
	TAP_CHECK(rc == 0 && p.title != NULL && strlen(p.title) <= EXTRACT_FIELD_MAX &&
	    strlen(p.title) >= EXTRACT_FIELD_MAX - 4 &&
	    memcmp(p.title + strlen(p.title) - 3, "\xE2\x82\xAC", 3) == 0,
	    "huge title: cut to %zu bytes on a character boundary",
	    p.title ? strlen(p.title) : 0);
	TAP_CHECK(rc == 0 && p.description != NULL && strlen(p.description) == EXTRACT_FIELD_MAX,
	    "huge description: cut");
	TAP_CHECK(rc == 0 && p.values[0] != NULL && strlen(p.values[0]) == 1365 * 3,
	    "selector value: cut to %zu bytes on a character boundary",
	    p.values[0] ? strlen(p.values[0]) : 0);
	extract_free(&p);

	/* EXTRACT_MAX_LINKS distinct links kept, all counted. */
	buf_reset(&b);
	for (i = 0; i < EXTRACT_MAX_LINKS + 1000; i++)
		buf_printf(&b, "<a href=\"/p%zu\">", i);
	rc = extract_html(b.data, b.len, PAGE, NULL, 0, &p);
	TAP_CHECK(rc == 0 && p.nlinks == EXTRACT_MAX_LINKS &&
	    p.links_total == EXTRACT_MAX_LINKS + 1000 &&
	    strcmp(p.links[EXTRACT_MAX_LINKS - 1], "https://example.com/p4999") == 0,
	    "link cap: %zu kept of %zu", p.nlinks, p.links_total);
	extract_free(&p);

	/* EXTRACT_MAX_RESOLVE: after that many hrefs, later ones are only counted. */
	buf_reset(&b);
	for (i = 0; i < EXTRACT_MAX_RESOLVE; i++)
		buf_puts(&b, "<a href=#>");
	buf_puts(&b, "<a href=/late>");
	rc = extract_html(b.data, b.len, PAGE, NULL, 0, &p);
	TAP_CHECK(rc == 0 && p.nlinks == 1 && p.links_total == EXTRACT_MAX_RESOLVE + 1,
	    "resolve cap: %zu kept of %zu", p.nlinks, p.links_total);
	extract_free(&p);

	/* Deep nesting: no recursion over the tree. */
	buf_reset(&b);
	buf_puts(&b, "<title>deep</title>");
	for (i = 0; i < 200000; i++)
		buf_puts(&b, "<div>");
	buf_puts(&b, "<a href=\"/bottom\"><img>");
	rc = extract_html(b.data, b.len, PAGE, &sel, 1, &p);
	TAP_CHECK(rc == 0 && p.title != NULL && strcmp(p.title, "deep") == 0,
	    "deep nesting: rc %d", rc);
	extract_free(&p);

	/* Empty or missing input: -1 and an empty page. */
	memset(&p, 0x5a, sizeof(p));
	TAP_CHECK(extract_html("", 0, PAGE, NULL, 0, &p) == -1 && p.title == NULL &&
	    p.links == NULL && p.nlinks == 0, "empty input");
	memset(&p, 0x5a, sizeof(p));
	TAP_CHECK(extract_html(NULL, 10, PAGE, NULL, 0, &p) == -1 && p.base == NULL,
	    "NULL input");
	extract_free(&p);
	extract_free(NULL);

	/* NUL bytes inside the page. */
	rc = extract_html("<title>a\0b</title><a href=\"/n\">", 31, PAGE, NULL, 0, &p);
	TAP_CHECK(rc == 0 && p.nlinks == 1, "NUL bytes: rc %d links %zu", rc, p.nlinks);
	extract_free(&p);
	buf_free(&b);
}

int
main(void)
{
	test_links();
	test_memo();
	test_head();
	test_products();
	test_selectors();
	test_doc();
	test_bounds();
	return tap_done("test_extract");
}
