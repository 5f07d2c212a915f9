/* test_sitemap.c: table-driven tests of sitemap_parse (sitemaps.org urlset and sitemapindex). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/sitemap.h"
#include "tap.h"

#define NS	"xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\""
#define DECL	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

struct row {
	const char		*xml;
	size_t			 len;	/* 0: strlen(xml) */
	enum sitemap_kind	 kind;
	const char		*locs;	/* joined with '|' */
};

static const struct row rows[] = {
	{ DECL "<urlset " NS ">\n <url>\n  <loc>https://e.example/a</loc>\n"
	    "  <lastmod>2024-01-01</lastmod>\n </url>\n <url><loc>https://e.example/b</loc></url>\n"
	    "</urlset>\n", 0, SITEMAP_URLSET, "https://e.example/a|https://e.example/b" },
	{ DECL "<sitemapindex " NS "><sitemap><loc>https://e.example/s1.xml</loc>"
	    "<lastmod>2024-01-01</lastmod></sitemap><sitemap><loc>https://e.example/s2.xml</loc>"
	    "</sitemap></sitemapindex>", 0, SITEMAP_INDEX,
	    "https://e.example/s1.xml|https://e.example/s2.xml" },
	/* the root's local name decides, whatever its namespace */
	{ "<urlset><url><loc>https://e.example/x</loc></url></urlset>", 0, SITEMAP_URLSET,
	    "https://e.example/x" },
	{ "<sm:urlset xmlns:sm=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sm:url>"
	    "<sm:loc>https://e.example/p</sm:loc></sm:url></sm:urlset>", 0, SITEMAP_URLSET,
	    "https://e.example/p" },
	{ "<urlset xmlns=\"http://www.google.com/schemas/sitemap/0.84\"><url><loc>u</loc></url>"
	    "</urlset>", 0, SITEMAP_URLSET, "u" },
	{ "<sitemapindex><sitemap><loc>s</loc></sitemap></sitemapindex>", 0, SITEMAP_INDEX, "s" },
	/* trimming, entities, CDATA, empty locs */
	{ "<urlset><url><loc>\n   https://e.example/a \t\r\n</loc></url></urlset>", 0,
	    SITEMAP_URLSET, "https://e.example/a" },
	{ "<urlset><url><loc>https://e.example/?a=1&amp;b=2&#38;c=&#x41;</loc></url></urlset>", 0,
	    SITEMAP_URLSET, "https://e.example/?a=1&b=2&c=A" },
	{ "<urlset><url><loc><![CDATA[https://e.example/c?x=<1>]]></loc></url></urlset>", 0,
	    SITEMAP_URLSET, "https://e.example/c?x=<1>" },
	{ "<urlset><url><loc/></url><url><loc>  </loc></url><url><loc></loc></url>"
	    "<url><loc>k</loc></url></urlset>", 0, SITEMAP_URLSET, "k" },
	{ "<urlset><url><loc>http://a<b>x</b>c</loc></url></urlset>", 0, SITEMAP_URLSET,
	    "http://axc" },
	{ "<urlset><url><loc>a</loc><loc>b</loc></url></urlset>", 0, SITEMAP_URLSET, "a|b" },
	/* only <loc> under <url> (or <sitemap>) in the root's namespace */
	{ "<urlset " NS " xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\"><url>"
	    "<loc>https://e.example/page</loc><image:image><image:loc>https://e.example/i.jpg"
	    "</image:loc></image:image></url></urlset>", 0, SITEMAP_URLSET,
	    "https://e.example/page" },
	{ "<urlset " NS "><url><x:loc xmlns:x=\"urn:x\">no</x:loc><loc>yes</loc></url></urlset>", 0,
	    SITEMAP_URLSET, "yes" },
	{ "<urlset><loc>no</loc><url><loc>yes</loc></url><url><url><loc>deep</loc></url></url>"
	    "</urlset>", 0, SITEMAP_URLSET, "yes" },
	{ "<sitemapindex><url><loc>no</loc></url><sitemap><loc>yes</loc></sitemap></sitemapindex>",
	    0, SITEMAP_INDEX, "yes" },
	{ "<urlset><sitemap><loc>no</loc></sitemap></urlset>", 0, SITEMAP_URLSET, "" },
	{ "<urlset " NS "><x:url xmlns:x=\"urn:x\"><loc>no</loc></x:url></urlset>", 0,
	    SITEMAP_URLSET, "" },
	/* comments, processing instructions, a BOM, another encoding */
	{ "\xEF\xBB\xBF" DECL "<!-- c --><?pi x?><urlset><!-- c --><url><loc>b</loc></url></urlset>"
	    "<!-- after -->", 0, SITEMAP_URLSET, "b" },
	{ "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><urlset><url><loc>http://e.example/\xE9"
	    "</loc></url></urlset>", 0, SITEMAP_URLSET, "http://e.example/\xC3\xA9" },
	{ "<urlset/>", 0, SITEMAP_URLSET, "" },
	{ "<sitemapindex></sitemapindex>", 0, SITEMAP_INDEX, "" },
	/* not a sitemap */
	{ "<html><body><loc>x</loc></body></html>", 0, SITEMAP_INVALID, "" },
	{ "<rss version=\"2.0\"><channel><link>x</link></channel></rss>", 0, SITEMAP_INVALID, "" },
	{ "<URLSET><url><loc>x</loc></url></URLSET>", 0, SITEMAP_INVALID, "" },
	{ "hello, world", 0, SITEMAP_INVALID, "" },
	{ "https://e.example/a\nhttps://e.example/b\n", 0, SITEMAP_INVALID, "" },
	{ "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\xae\x05\x00", 14, SITEMAP_INVALID, "" },
	{ "", 0, SITEMAP_INVALID, "" },
	{ "   \n", 0, SITEMAP_INVALID, "" },
	{ "<urlset", 0, SITEMAP_URLSET, "" },
	{ "<?xml version=\"1.0\"?>", 0, SITEMAP_INVALID, "" },
	/* no DTD: entity bombs and external entities are refused */
	{ "<?xml version=\"1.0\"?><!DOCTYPE urlset [<!ENTITY a \"aaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "]><urlset><url><loc>&c;</loc></url></urlset>", 0, SITEMAP_INVALID, "" },
	{ "<!DOCTYPE urlset [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><urlset><url><loc>&x;</loc>"
	    "</url></urlset>", 0, SITEMAP_INVALID, "" },
	{ "<!DOCTYPE urlset SYSTEM \"http://e.example/sitemap.dtd\"><urlset><url><loc>a</loc></url>"
	    "</urlset>", 0, SITEMAP_INVALID, "" },
	/* errors: a <loc> an error touches is dropped, the rest kept (XML_PARSE_RECOVER) */
	{ "<urlset><url><loc>a</loc></url><url><loc>b</lo", 0, SITEMAP_URLSET, "a" },
	{ "<urlset><url><loc>a</loc></url><url><loc>&x;</loc></url><url><loc>c</loc></url></urlset>",
	    0, SITEMAP_URLSET, "a|c" },
	{ "<urlset><url><loc>https://e.example/?a=1&b=2</loc></url><url><loc>c</loc></url>"
	    "</urlset>", 0, SITEMAP_URLSET, "c" },
	{ "<urlset><url><loc>a<</loc></url><url><loc>c</loc></url></urlset>", 0, SITEMAP_URLSET,
	    "c" },
	/* libxml2 recovers from </url> for </loc> by keeping <url> open: c is one level deeper */
	{ "<urlset><url><loc>a</url><url><loc>c</loc></url></urlset>", 0, SITEMAP_URLSET, "" },
	{ "<urlset><url><loc>a</loc></url><url><loc>b</loc></urlset>", 0, SITEMAP_URLSET, "a|b" },
	{ "<urlset><url><loc>a</loc></url></urlset><urlset>", 0, SITEMAP_URLSET, "a" },
	{ "<urlset><url><loc>a\0b</loc></url></urlset>", 42, SITEMAP_URLSET, "" },
};

struct collect {
	struct buf	 b;
	size_t		 n;
	size_t		 stop_after;	/* 0: never */
};

static int
collect(void *arg, const char *loc)
{
	struct collect	*c = arg;

	buf_printf(&c->b, "%s%s", c->n ? "|" : "", loc);
	c->n++;
	return c->stop_after != 0 && c->n == c->stop_after;
}

static void
check(const char *what, const char *xml, size_t len, size_t stop_after, enum sitemap_kind kind,
    const char *locs)
{
	struct collect		 c;
	enum sitemap_kind	 got;

	buf_init(&c.b, 0);
	buf_puts(&c.b, "");
	c.n = 0;
	c.stop_after = stop_after;
	got = sitemap_parse(xml, len, collect, &c);
	TAP_CHECK(got == kind && strcmp(c.b.data, locs) == 0,
	    "%s: kind %d locs \"%.80s\", want %d \"%.80s\"", what, (int)got, c.b.data, (int)kind,
	    locs);
	buf_free(&c.b);
}

static void
test_table(void)
{
	size_t	 i;
	char	 what[32];

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(what, sizeof(what), "row %zu", i);
		check(what, rows[i].xml, rows[i].len ? rows[i].len : strlen(rows[i].xml), 0,
		    rows[i].kind, rows[i].locs);
	}
	check("NULL body", NULL, 10, 0, SITEMAP_INVALID, "");
	TAP_CHECK(sitemap_parse("<urlset/>", 9, NULL, NULL) == SITEMAP_INVALID, "NULL callback");
	check("callback stops", "<urlset><url><loc>a</loc></url><url><loc>b</loc></url></urlset>",
	    63, 1, SITEMAP_URLSET, "a");
}

/* SITEMAP_LOC_MAX, SITEMAP_MAX_URLS and SITEMAP_MAX_BYTES. */
static void
test_limits(void)
{
	struct buf	 b, want;
	size_t		 i;

	buf_init(&b, 0);
	buf_init(&want, 0);
	buf_puts(&b, "<urlset><url><loc>");
	for (i = 0; i < SITEMAP_LOC_MAX; i++)
		buf_putc(&want, 'a');
	buf_puts(&b, want.data);
	buf_puts(&b, "</loc></url><url><loc>");
	buf_puts(&b, want.data);
	buf_puts(&b, "b</loc></url><url><loc>  ");	/* trimmed only after the cap */
	buf_puts(&b, want.data);
	buf_puts(&b, "  </loc></url></urlset>");
	check("loc of max bytes; one over", b.data, b.len, 0, SITEMAP_URLSET, want.data);

	buf_reset(&b);
	buf_puts(&b, "<urlset>");
	for (i = 0; i <= SITEMAP_MAX_URLS; i++)
		buf_printf(&b, "<url><loc>u%zu</loc></url>", i);
	buf_puts(&b, "</urlset>");
	{
		struct collect c;

		buf_init(&c.b, 0);
		c.n = 0;
		c.stop_after = 0;
		TAP_CHECK(sitemap_parse(b.data, b.len, collect, &c) == SITEMAP_URLSET &&
		    c.n == SITEMAP_MAX_URLS && strstr(c.b.data, "|u49999") != NULL &&
		    strstr(c.b.data, "u50000") == NULL, "max urls: %zu delivered", c.n);
		buf_free(&c.b);
	}

	buf_reset(&b);
	buf_puts(&b, "<urlset><url><loc>a</loc></url></urlset>");
	while (b.len < SITEMAP_MAX_BYTES)
		buf_putc(&b, ' ');
	check("body of max bytes", b.data, b.len, 0, SITEMAP_URLSET, "a");
	buf_putc(&b, ' ');
	check("body one over", b.data, b.len, 0, SITEMAP_INVALID, "");

	/* Nesting past libxml2's depth limit stops the parse, not the process. */
	buf_reset(&b);
	buf_puts(&b, "<urlset><url><loc>a</loc></url><url>");
	for (i = 0; i < 100000; i++)
		buf_puts(&b, "<x>");
	check("deep nesting", b.data, b.len, 0, SITEMAP_URLSET, "a");
	buf_free(&b);
	buf_free(&want);
}

int
main(void)
{
	test_table();
	test_limits();
	return tap_done("test_sitemap");
}
