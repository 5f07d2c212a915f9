/* test_robots.c: table-driven tests of robots.txt parsing and matching (RFC 9309). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrapeq/buf.h"
#include "scrapeq/robots.h"
#include "tap.h"

/* RFC 9309 5.1. */
#define RFC_SIMPLE \
	"User-Agent: *\n" \
	"Disallow: *.gif$\n" \
	"Disallow: /example/\n" \
	"Allow: /publications/\n" \
	"\n" \
	"User-Agent: foobot\n" \
	"Disallow:/\n" \
	"Allow:/example/page.html\n" \
	"Allow:/example/allowed.gif\n" \
	"\n" \
	"User-Agent: barbot\n" \
	"User-Agent: bazbot\n" \
	"Disallow: /example/page.html\n" \
	"\n" \
	"User-Agent: quxbot\n" \
	"\n" \
	"EOF\n"

/* RFC 9309 5.2. */
#define RFC_LONGEST \
	"User-Agent: foobot\n" \
	"Allow: /example/page/\n" \
	"Disallow: /example/page/disallowed.gif\n"

/* RFC 9309 2.2.1, tables 2 and 3. */
#define RFC_MERGE \
	"user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\n" \
	"user-agent: ExampleBot\ndisallow: /baz\n"
#define RFC_STAR \
	"user-agent: *\ndisallow: /foo\ndisallow: /bar\n\n" \
	"user-agent: BazBot\ndisallow: /baz\n"

#define STAR	"User-agent: *\n"
#define NUL_ROW	"User-agent: *\nDisallow: /a\0\nDisallow: /b\n"

struct arow {
	const char	*txt;
	size_t		 len;	/* 0: strlen(txt) */
	const char	*agent;
	const char	*path;
	int		 want;
};

static const struct arow arows[] = {
	/* RFC 9309 5.1 */
	{ RFC_SIMPLE, 0, "foobot", "/example/page.html", 1 },
	{ RFC_SIMPLE, 0, "foobot", "/example/allowed.gif", 1 },
	{ RFC_SIMPLE, 0, "foobot", "/example/other.html", 0 },
	{ RFC_SIMPLE, 0, "foobot", "/", 0 },
	{ RFC_SIMPLE, 0, "foobot", "/publications/", 0 },
	{ RFC_SIMPLE, 0, "foobot", "/robots.txt", 1 },
	{ RFC_SIMPLE, 0, "FooBot", "/example/page.html", 1 },
	{ RFC_SIMPLE, 0, "FOOBOT", "/", 0 },
	{ RFC_SIMPLE, 0, "foobot/2.1 (+https://x.example/bot)", "/", 0 },
	{ RFC_SIMPLE, 0, "barbot", "/example/page.html", 0 },
	{ RFC_SIMPLE, 0, "barbot", "/example/page.html5", 0 },
	{ RFC_SIMPLE, 0, "barbot", "/example/other.html", 1 },
	{ RFC_SIMPLE, 0, "barbot", "/a.gif", 1 },
	{ RFC_SIMPLE, 0, "bazbot", "/example/page.html", 0 },
	{ RFC_SIMPLE, 0, "bazbot", "/", 1 },
	{ RFC_SIMPLE, 0, "quxbot", "/example/page.html", 1 },
	{ RFC_SIMPLE, 0, "quxbot", "/a.gif", 1 },
	{ RFC_SIMPLE, 0, "scrapeq", "/a.gif", 0 },
	{ RFC_SIMPLE, 0, "scrapeq", "/a.gif?x=1", 1 },
	{ RFC_SIMPLE, 0, "scrapeq", "/dir/b.gif", 0 },
	{ RFC_SIMPLE, 0, "scrapeq", "/example/", 0 },
	{ RFC_SIMPLE, 0, "scrapeq", "/example/x", 0 },
	{ RFC_SIMPLE, 0, "scrapeq", "/example", 1 },
	{ RFC_SIMPLE, 0, "scrapeq", "/publications/x", 1 },
	{ RFC_SIMPLE, 0, "scrapeq", "/publications/x.gif", 1 },
	{ RFC_SIMPLE, 0, "scrapeq", "/other", 1 },
	{ RFC_SIMPLE, 0, "foo", "/example/page.html", 0 },
	{ RFC_SIMPLE, 0, "foobotx", "/other", 1 },
	{ RFC_SIMPLE, 0, "", "/example/x", 0 },
	{ RFC_SIMPLE, 0, NULL, "/example/x", 0 },
	/* RFC 9309 5.2 */
	{ RFC_LONGEST, 0, "foobot", "/example/page/disallowed.gif", 0 },
	{ RFC_LONGEST, 0, "foobot", "/example/page/disallowed.gifs", 0 },
	{ RFC_LONGEST, 0, "foobot", "/example/page/other.gif", 1 },
	{ RFC_LONGEST, 0, "foobot", "/example/page", 1 },
	/* RFC 9309 2.2.1: merged groups, the "*" group, no group */
	{ RFC_MERGE, 0, "ExampleBot", "/foo", 0 },
	{ RFC_MERGE, 0, "examplebot", "/bar", 0 },
	{ RFC_MERGE, 0, "ExampleBot", "/baz", 0 },
	{ RFC_MERGE, 0, "ExampleBot", "/qux", 1 },
	{ RFC_MERGE, 0, "OtherBot", "/foo", 1 },
	{ RFC_STAR, 0, "ExampleBot", "/foo", 0 },
	{ RFC_STAR, 0, "ExampleBot", "/bar", 0 },
	{ RFC_STAR, 0, "ExampleBot", "/baz", 1 },
	{ RFC_STAR, 0, "BazBot", "/baz", 0 },
	{ RFC_STAR, 0, "BazBot", "/foo", 1 },
	{ STAR "Disallow: /a\n" STAR "Disallow: /b\n", 0, "x", "/a", 0 },
	{ STAR "Disallow: /a\n" STAR "Disallow: /b\n", 0, "x", "/b", 0 },
	{ "User-agent: other\nDisallow: /\n", 0, "scrapeq", "/x", 1 },
	{ "Disallow: /x\n", 0, "scrapeq", "/x", 1 },
	{ "Disallow: /x\n" STAR "Disallow: /y\n", 0, "scrapeq", "/x", 1 },
	{ STAR "Disallow: /\n\nUser-agent: scrapeq\n", 0, "scrapeq", "/x", 1 },
	{ STAR "User-agent: a\nDisallow: /x\n\n" STAR "Disallow: /y\n", 0, "a", "/x", 0 },
	{ STAR "User-agent: a\nDisallow: /x\n\n" STAR "Disallow: /y\n", 0, "a", "/y", 1 },
	{ STAR "User-agent: a\nDisallow: /x\n\n" STAR "Disallow: /y\n", 0, "b", "/x", 0 },
	{ STAR "User-agent: a\nDisallow: /x\n\n" STAR "Disallow: /y\n", 0, "b", "/y", 0 },
	{ "User-agent: a/1.0\nDisallow: /x\n", 0, "a", "/x", 0 },
	{ "User-agent: a-bot\nDisallow: /x\n", 0, "a", "/x", 1 },
	{ "User-agent: scrapeq-bot\nDisallow: /x\n", 0, "scrapeq", "/x", 1 },
	{ "User-agent: *bot\nDisallow: /x\n", 0, "scrapeq", "/x", 1 },
	{ "User-agent: * \nDisallow: /x\n", 0, "scrapeq", "/x", 0 },
	/* group boundaries: rules end the user-agent list, Sitemap and unknown lines do not */
	{ "User-agent: a\nDisallow: /x\nUser-agent: b\nDisallow: /y\n", 0, "a", "/x", 0 },
	{ "User-agent: a\nDisallow: /x\nUser-agent: b\nDisallow: /y\n", 0, "a", "/y", 1 },
	{ "User-agent: a\nDisallow: /x\nUser-agent: b\nDisallow: /y\n", 0, "b", "/x", 1 },
	{ "User-agent: a\nSitemap: http://e.example/s.xml\nUser-agent: b\nDisallow: /y\n", 0,
	    "a", "/y", 0 },
	{ "User-agent: a\nFoo: bar\nUser-agent: b\nDisallow: /y\n", 0, "a", "/y", 0 },
	{ "User-agent: a\nCrawl-delay: 1\nUser-agent: b\nDisallow: /y\n", 0, "a", "/y", 1 },
	{ "User-agent: a\n\n\nUser-agent: b\nDisallow: /y\n", 0, "a", "/y", 0 },
	/* RFC 9309 2.2.2: percent-encoding (table 4) */
	{ STAR "Disallow: /foo/bar?baz=quz\n", 0, "x", "/foo/bar?baz=quz", 0 },
	{ STAR "Disallow: /foo/bar?baz=https%3A%2F%2Ffoo.bar\n", 0, "x",
	    "/foo/bar?baz=https%3a%2f%2ffoo.bar", 0 },
	{ STAR "Disallow: /foo/bar/\xE3\x83\x84\n", 0, "x", "/foo/bar/%E3%83%84", 0 },
	{ STAR "Disallow: /foo/bar/\xE3\x83\x84\n", 0, "x", "/foo/bar/%e3%83%84", 0 },
	{ STAR "Disallow: /foo/bar/%E3%83%84\n", 0, "x", "/foo/bar/%E3%83%84", 0 },
	{ STAR "Disallow: /foo/bar/%e3%83%84\n", 0, "x", "/foo/bar/\xE3\x83\x84", 0 },
	{ STAR "Disallow: /foo/bar/baz\n", 0, "x", "/foo/bar/%62%61%7A", 0 },
	{ STAR "Disallow: /foo/bar/%62%61%7A\n", 0, "x", "/foo/bar/baz", 0 },
	{ STAR "Disallow: /%7Euser\n", 0, "x", "/~user/x", 0 },
	{ STAR "Disallow: /a%2Fb\n", 0, "x", "/a/b", 1 },
	{ STAR "Disallow: /a/b\n", 0, "x", "/a%2Fb", 1 },
	{ STAR "Disallow: /a b\n", 0, "x", "/a%20b", 0 },
	{ STAR "Disallow: /%\n", 0, "x", "/%", 0 },
	{ STAR "Disallow: /%zz\n", 0, "x", "/%zz", 0 },
	{ STAR "Disallow: /%zz\n", 0, "x", "/%25zz", 0 },
	/* RFC 9309 2.2.3: special characters, and "%2A"/"%24" for the literal ones */
	{ STAR "Disallow: /path/file-with-a-%2A.html\n", 0, "x", "/path/file-with-a-*.html", 0 },
	{ STAR "Disallow: /path/file-with-a-%2A.html\n", 0, "x", "/path/file-with-a-x.html", 1 },
	{ STAR "Disallow: /path/foo-%24\n", 0, "x", "/path/foo-$", 0 },
	{ STAR "Disallow: /path/foo-%24\n", 0, "x", "/path/foo-", 1 },
	{ STAR "Disallow: /this/*/exactly\n", 0, "x", "/this/is/exactly", 0 },
	{ STAR "Disallow: /this/*/exactly\n", 0, "x", "/this//exactly", 0 },
	{ STAR "Disallow: /this/*/exactly\n", 0, "x", "/this/a/b/exactly/more", 0 },
	{ STAR "Disallow: /this/*/exactly\n", 0, "x", "/this/exactly", 1 },
	{ STAR "Disallow: /this/*/exactly\n", 0, "x", "/this/is/not", 1 },
	{ STAR "Disallow: /this\nAllow: /this/path/exactly$\n", 0, "x", "/this/path/exactly", 1 },
	{ STAR "Disallow: /this\nAllow: /this/path/exactly$\n", 0, "x", "/this/path/exactly/", 0 },
	{ STAR "Disallow: /this\nAllow: /this/path/exactly$\n", 0, "x", "/this/path/exactlyx", 0 },
	{ STAR "Disallow: /*.php$\n", 0, "x", "/index.php", 0 },
	{ STAR "Disallow: /*.php$\n", 0, "x", "/a/b.php", 0 },
	{ STAR "Disallow: /*.php$\n", 0, "x", "/index.php?x=1", 1 },
	{ STAR "Disallow: /*.php$\n", 0, "x", "/php", 1 },
	{ STAR "Disallow: /*?\n", 0, "x", "/a?b", 0 },
	{ STAR "Disallow: /*?\n", 0, "x", "/a", 1 },
	{ STAR "Disallow: *\n", 0, "x", "/anything", 0 },
	{ STAR "Disallow: /a*b*c$\n", 0, "x", "/axxbyyc", 0 },
	{ STAR "Disallow: /a*b*c$\n", 0, "x", "/abc", 0 },
	{ STAR "Disallow: /a*b*c$\n", 0, "x", "/abcc", 0 },
	{ STAR "Disallow: /a*b*c$\n", 0, "x", "/acb", 1 },
	{ STAR "Disallow: /a*b*c$\n", 0, "x", "/abcx", 1 },
	{ STAR "Disallow: /a*bc*bd\n", 0, "x", "/abcbcbd", 0 },
	{ STAR "Disallow: /a**b\n", 0, "x", "/ab", 0 },
	{ STAR "Disallow: /a*$\n", 0, "x", "/a", 0 },
	{ STAR "Disallow: /a*$\n", 0, "x", "/abc", 0 },
	{ STAR "Disallow: /$\n", 0, "x", "/", 0 },
	{ STAR "Disallow: /$\n", 0, "x", "/x", 1 },
	{ STAR "Disallow: /a$b\n", 0, "x", "/a$b", 0 },
	{ STAR "Disallow: /a$b\n", 0, "x", "/a", 1 },
	{ STAR "Disallow: /Admin\n", 0, "x", "/admin", 1 },
	{ STAR "Disallow: /Admin\n", 0, "x", "/Admin/x", 0 },
	/* longest match; allow wins a tie (RFC 9309 2.2.2) */
	{ STAR "Allow: /p\nDisallow: /p\n", 0, "x", "/p", 1 },
	{ STAR "Disallow: /p\nAllow: /p\n", 0, "x", "/page", 1 },
	{ STAR "Allow: /folder\nDisallow: /folder/\n", 0, "x", "/folder/page", 0 },
	{ STAR "Allow: /folder\nDisallow: /folder/\n", 0, "x", "/folder.html", 1 },
	{ STAR "Allow: /page$\nDisallow: /page\n", 0, "x", "/page", 1 },
	{ STAR "Allow: /page$\nDisallow: /page\n", 0, "x", "/page.html", 0 },
	{ STAR "Allow: /*.html\nDisallow: /private/\n", 0, "x", "/private/a.html", 0 },
	{ STAR "Allow: /*.html\nDisallow: /private/\n", 0, "x", "/public/a.html", 1 },
	{ STAR "Disallow: /\nAllow: /$\n", 0, "x", "/", 1 },
	{ STAR "Disallow: /\nAllow: /$\n", 0, "x", "/x", 0 },
	{ STAR "Allow: /a*\nDisallow: /a\n", 0, "x", "/ab", 1 },
	{ STAR "Disallow: /\n", 0, "x", "/robots.txt", 1 },
	{ STAR "Disallow: /robots.txt\n", 0, "x", "/robots.txt", 1 },
	{ STAR "Disallow: /\n", 0, "x", "/robots.txt?x=1", 0 },
	{ STAR "Disallow: /\n", 0, "x", "", 0 },
	{ STAR "Disallow: /\n", 0, "x", NULL, 0 },
	/* empty rules match nothing */
	{ STAR "Disallow:\n", 0, "x", "/", 1 },
	{ STAR "Disallow: \nDisallow: /x\n", 0, "x", "/x", 0 },
	{ STAR "Disallow: \nDisallow: /x\n", 0, "x", "/y", 1 },
	{ STAR "Disallow: /\nAllow:\n", 0, "x", "/y", 0 },
	{ STAR "Disallow: # nothing\n", 0, "x", "/", 1 },
	/* comments, white space, case, misspellings, missing colon */
	{ "User-agent: * # all\nDisallow: /x # not x\n# Disallow: /y\n", 0, "x", "/x", 0 },
	{ "User-agent: * # all\nDisallow: /x # not x\n# Disallow: /y\n", 0, "x", "/y", 1 },
	{ STAR "Disallow: /a#b\n", 0, "x", "/ab", 0 },
	{ "  User-Agent  :  *  \n\tDisallow\t:\t/x\t\n", 0, "x", "/x", 0 },
	{ "USER-AGENT: *\nDISALLOW: /x\n", 0, "x", "/x", 0 },
	{ "User-agent *\nDisallow /x\n", 0, "x", "/x", 0 },
	{ STAR "Dissallow: /x\n", 0, "x", "/x", 0 },
	{ "useragent: *\ndisallow: /x\n", 0, "x", "/x", 0 },
	{ "user agent: *\ndisallow: /x\n", 0, "x", "/x", 0 },
	{ STAR "Disallowed: /x\n", 0, "x", "/x", 1 },
	/* line ends and BOM */
	{ "User-agent: *\r\nDisallow: /x\r\n", 0, "x", "/x", 0 },
	{ "User-agent: *\rDisallow: /x\r", 0, "x", "/x", 0 },
	{ "User-agent: *\r\n\r\nDisallow: /x", 0, "x", "/x", 0 },
	{ "User-agent: *\n\rDisallow: /x\r\r\n", 0, "x", "/x", 0 },
	{ "\xEF\xBB\xBFUser-agent: *\nDisallow: /x\n", 0, "x", "/x", 0 },
	{ "\xEF\xBB\xBF", 0, "x", "/x", 1 },
	{ "\xEF\xBBUser-agent: *\nDisallow: /x\n", 0, "x", "/x", 1 },
	/* garbage, NUL bytes, HTML error pages */
	{ "", 0, "x", "/x", 1 },
	{ "\x00\xff\xfe\x01garbage\x00\n\x80\x81", 15, "x", "/x", 1 },
	{ "<html><body><h1>Not Found</h1></body></html>", 0, "x", "/x", 1 },
	{ NUL_ROW, sizeof(NUL_ROW) - 1, "x", "/b", 0 },
	{ NUL_ROW, sizeof(NUL_ROW) - 1, "x", "/a", 1 },
	{ "User-agent: *\nDisallow: /x", 20, "x", "/x", 1 },
	{ ":\n:::\n\n#\n  \n", 0, "x", "/", 1 },
};

static void
test_allowed(void)
{
	struct robots	*rb;
	size_t		 i;
	int		 got;

	for (i = 0; i < sizeof(arows) / sizeof(arows[0]); i++) {
		const struct arow *r = &arows[i];

		rb = robots_parse(r->txt, r->len ? r->len : strlen(r->txt), r->agent);
		if (rb == NULL) {
			TAP_FAIL("allowed row %zu: parse returned NULL", i);
			continue;
		}
		got = robots_allowed(rb, r->path);
		TAP_CHECK(got == r->want, "allowed row %zu: agent \"%s\" path \"%s\": got %d, want %d",
		    i, r->agent ? r->agent : "(null)", r->path ? r->path : "(null)", got, r->want);
		robots_free(rb);
	}
}

struct drow {
	const char	*txt;
	const char	*agent;
	long		 want;
};

static const struct drow drows[] = {
	{ STAR "Crawl-delay: 10\n", "x", 10000 },
	{ STAR "Crawl-delay: 0.5\n", "x", 500 },
	{ STAR "Crawl-delay: 1.25\n", "x", 1250 },
	{ STAR "Crawl-delay: 2.9999\n", "x", 2999 },
	{ STAR "Crawl-delay: 0.0001\n", "x", 0 },
	{ STAR "Crawl-delay: 0\n", "x", 0 },
	{ STAR "Crawl-delay: .5\n", "x", 500 },
	{ STAR "Crawl-delay: 5.\n", "x", 5000 },
	{ STAR "Crawl-delay: 60\n", "x", 60000 },
	{ STAR "Crawl-delay: 60.5\n", "x", 60000 },
	{ STAR "Crawl-delay: 61\n", "x", 60000 },
	{ STAR "Crawl-delay: 99999999999999999999999\n", "x", 60000 },
	{ STAR "crawl-delay:3 # seconds\n", "x", 3000 },
	{ STAR "Crawl-delay: -1\n", "x", -1 },
	{ STAR "Crawl-delay: abc\n", "x", -1 },
	{ STAR "Crawl-delay: 5s\n", "x", -1 },
	{ STAR "Crawl-delay: 1e3\n", "x", -1 },
	{ STAR "Crawl-delay: .\n", "x", -1 },
	{ STAR "Crawl-delay:\n", "x", -1 },
	{ STAR "Crawl-delay: 1 2\n", "x", -1 },
	{ STAR "Disallow: /\n", "x", -1 },
	{ "Crawl-delay: 5\n" STAR "Disallow: /\n", "x", -1 },
	{ STAR "Crawl-delay: 5\n\nUser-agent: a\nCrawl-delay: 2\n", "a", 2000 },
	{ STAR "Crawl-delay: 5\n\nUser-agent: a\nCrawl-delay: 2\n", "b", 5000 },
	{ STAR "Crawl-delay: 5\n\nUser-agent: a\nDisallow: /x\n", "a", -1 },
	{ "User-agent: a\nCrawl-delay: 2\nUser-agent: a\nCrawl-delay: 7\n", "a", 7000 },
	{ "User-agent: a\nCrawl-delay: 7\nCrawl-delay: 2\n", "a", 7000 },
	{ "User-agent: b\nCrawl-delay: 7\n", "a", -1 },
};

static void
test_delay(void)
{
	struct robots	*rb;
	size_t		 i;
	long		 got;

	for (i = 0; i < sizeof(drows) / sizeof(drows[0]); i++) {
		if ((rb = robots_parse(drows[i].txt, strlen(drows[i].txt), drows[i].agent)) == NULL) {
			TAP_FAIL("delay row %zu: NULL", i);
			continue;
		}
		got = robots_crawl_delay_ms(rb);
		TAP_CHECK(got == drows[i].want, "delay row %zu: got %ld, want %ld", i, got,
		    drows[i].want);
		robots_free(rb);
	}
}

struct srow {
	const char	*txt;
	const char	*want;	/* sitemaps joined with '|' */
};

static const struct srow srows[] = {
	{ "Sitemap: https://e.example/s.xml\n", "https://e.example/s.xml" },
	{ "Sitemap: http://e.example/a.xml\n" STAR "Disallow: /\nSitemap: http://e.example/b.xml\n"
	    "User-agent: x\nsitemap:http://e.example/c.xml", "http://e.example/a.xml|"
	    "http://e.example/b.xml|http://e.example/c.xml" },
	{ "Sitemap: http://e.example/a.xml\nSitemap: http://e.example/a.xml\n",
	    "http://e.example/a.xml" },
	{ "Sitemap: /relative.xml\nSitemap: ftp://e.example/s.xml\nSitemap: http://\n"
	    "Sitemap:\nSitemap: https://e.example/a b.xml\n", "" },
	{ "SITEMAP: HTTPS://E.example/X.xml # comment\n", "HTTPS://E.example/X.xml" },
	{ "Site-map: http://e.example/s.xml\n", "http://e.example/s.xml" },
	{ "Sitemap: http://e.example/s.xml\r\nSitemap: http://e.example/t.xml\r",
	    "http://e.example/s.xml|http://e.example/t.xml" },
	{ "Sitemap http://e.example/s.xml\n", "http://e.example/s.xml" },
	{ STAR "Disallow: /\n", "" },
	{ "", "" },
};

static void
test_sitemaps(void)
{
	struct robots	*rb;
	struct buf	 b;
	size_t		 i, j;

	for (i = 0; i < sizeof(srows) / sizeof(srows[0]); i++) {
		if ((rb = robots_parse(srows[i].txt, strlen(srows[i].txt), "x")) == NULL) {
			TAP_FAIL("sitemap row %zu: NULL", i);
			continue;
		}
		buf_init(&b, 0);
		buf_puts(&b, "");
		for (j = 0; j < robots_sitemap_count(rb); j++)
			buf_printf(&b, "%s%s", j ? "|" : "", robots_sitemap(rb, j));
		TAP_STREQ(b.data, srows[i].want, "sitemap row");
		TAP_CHECK(robots_sitemap(rb, robots_sitemap_count(rb)) == NULL,
		    "sitemap row %zu: index past the end is NULL", i);
		buf_free(&b);
		robots_free(rb);
	}
	/* At most ROBOTS_MAX_SITEMAPS, the first ones. */
	buf_init(&b, 0);
	for (j = 0; j < ROBOTS_MAX_SITEMAPS + 6; j++)
		buf_printf(&b, "Sitemap: http://e.example/s%zu.xml\n", j);
	rb = robots_parse(b.data, b.len, "x");
	TAP_CHECK(rb != NULL && robots_sitemap_count(rb) == ROBOTS_MAX_SITEMAPS &&
	    strcmp(robots_sitemap(rb, ROBOTS_MAX_SITEMAPS - 1), "http://e.example/s63.xml") == 0,
	    "sitemap cap: %zu kept", robots_sitemap_count(rb));
	robots_free(rb);
	buf_free(&b);
}

/* Pads b with comment lines until it is exactly at bytes. */
static void
pad_to(struct buf *b, size_t bytes)
{
	while (b->len + 100 < bytes)
		buf_printf(b, "# %96s\n", "");
	while (b->len + 2 < bytes)
		buf_putc(b, '#');
	if (b->len < bytes)
		buf_putc(b, '\n');
	while (b->len < bytes)
		buf_putc(b, '\n');
}

static void
check_path(const char *what, const char *txt, size_t len, const char *path, int want)
{
	struct robots	*rb = robots_parse(txt, len, "x");

	TAP_CHECK(rb != NULL && robots_allowed(rb, path) == want, "%s: %s want %d", what, path,
	    want);
	robots_free(rb);
}

/* ROBOTS_MAX_BYTES: a rule inside counts, one past it or cut by it does not. */
static void
test_size(void)
{
	struct buf	 b;
	size_t		 at;
	char		*pat;

	buf_init(&b, 0);
	buf_puts(&b, STAR "Disallow: /early\n");
	pad_to(&b, ROBOTS_MAX_BYTES - 14);
	buf_puts(&b, "Disallow: /in\n");			/* ends exactly at the limit */
	at = b.len;
	buf_puts(&b, "Disallow: /late\n");
	check_path("size", b.data, b.len, "/early", 0);
	check_path("size", b.data, b.len, "/in", 0);
	check_path("size", b.data, b.len, "/late", 1);
	TAP_CHECK(at == ROBOTS_MAX_BYTES, "size: padding put the rule at %zu", at);
	/* A line the limit cuts in two is dropped, not shortened into a wider rule. */
	buf_reset(&b);
	buf_puts(&b, STAR);
	pad_to(&b, ROBOTS_MAX_BYTES - 13);
	buf_puts(&b, "Disallow: /cut-here\n");	/* the limit leaves "Disallow: /cu" */
	check_path("cut line", b.data, b.len, "/cu", 1);
	check_path("cut line", b.data, b.len, "/cut-here", 1);
	/* A line of ROBOTS_LINE_MAX counts, one longer is ignored. */
	buf_reset(&b);
	buf_puts(&b, STAR "Disallow: /");
	while (b.len < 14 + ROBOTS_LINE_MAX)
		buf_putc(&b, 'a');
	buf_puts(&b, "\nDisallow: /");
	while (b.len < 14 + 2 * ROBOTS_LINE_MAX + 2)
		buf_putc(&b, 'b');
	buf_putc(&b, '\n');
	check_path("line max", b.data, b.len, "/aaaaaaaa", 1);
	if ((pat = strndup(b.data + 24, ROBOTS_LINE_MAX - 10)) != NULL)
		check_path("line max", b.data, b.len, pat, 0);
	free(pat);
	check_path("line too long", b.data, b.len, "/bbbbbbbb", 1);
	buf_free(&b);
}

/* ROBOTS_MAX_RULES per group kind; the matcher stays fast at the cap. */
static void
test_rules_cap(void)
{
	struct robots	*rb;
	struct buf	 b;
	char		 path[2100];
	size_t		 i;
	clock_t		 t0;
	double		 secs;
	int		 ok = 1;

	buf_init(&b, 0);
	buf_puts(&b, STAR);
	for (i = 0; i < ROBOTS_MAX_RULES; i++)
		buf_printf(&b, "Disallow: /r%zu$\n", i);
	buf_puts(&b, "Disallow: /last\nUser-agent: x\nDisallow: /mine\n");
	rb = robots_parse(b.data, b.len, "y");
	TAP_CHECK(rb != NULL && !robots_allowed(rb, "/r0") && !robots_allowed(rb, "/r9999") &&
	    robots_allowed(rb, "/r10000") && robots_allowed(rb, "/last"),
	    "rule cap: the first %d rules count, the next does not", ROBOTS_MAX_RULES);
	robots_free(rb);
	rb = robots_parse(b.data, b.len, "x");
	TAP_CHECK(rb != NULL && !robots_allowed(rb, "/mine") && robots_allowed(rb, "/r0"),
	    "rule cap: a full \"*\" group leaves our own group intact");
	robots_free(rb);
	/* 10,000 wildcard rules that almost match a 2,000-byte path. */
	buf_reset(&b);
	buf_puts(&b, STAR);
	for (i = 0; i < ROBOTS_MAX_RULES; i++)
		buf_printf(&b, "Disallow: /*a*a*a*a*a*a*b%zu\n", i);
	rb = robots_parse(b.data, b.len, "x");
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	t0 = clock();
	for (i = 0; i < 20; i++)
		ok &= rb != NULL && robots_allowed(rb, path) == 1;
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	TAP_CHECK(ok, "10,000 wildcard rules: path allowed");
	/* Generous: a quadratic matcher takes minutes here, a linear one milliseconds. */
	TAP_CHECK(secs < 20.0, "10,000 wildcard rules: 20 lookups took %.2f s", secs);
	printf("# 20 lookups against 10,000 wildcard rules: %.3f s\n", secs);
	robots_free(rb);
	buf_free(&b);
}

static void
test_fixed(void)
{
	struct robots	*rb;

	rb = robots_allow_all();
	TAP_CHECK(rb != NULL && robots_allowed(rb, "/") && robots_allowed(rb, "/x?y") &&
	    robots_crawl_delay_ms(rb) == -1 && robots_sitemap_count(rb) == 0, "allow_all");
	robots_free(rb);
	rb = robots_disallow_all();
	TAP_CHECK(rb != NULL && !robots_allowed(rb, "/") && !robots_allowed(rb, "/x?y") &&
	    robots_allowed(rb, "/robots.txt") && robots_crawl_delay_ms(rb) == -1,
	    "disallow_all");
	robots_free(rb);
	rb = robots_parse(NULL, 10, "x");
	TAP_CHECK(rb != NULL && robots_allowed(rb, "/"), "NULL body allows all");
	robots_free(rb);
	robots_free(NULL);
	TAP_CHECK(robots_allowed(NULL, "/x") == 1 && robots_crawl_delay_ms(NULL) == -1 &&
	    robots_sitemap_count(NULL) == 0 && robots_sitemap(NULL, 0) == NULL, "NULL robots");
}

int
main(void)
{
	test_allowed();
	test_delay();
	test_sitemaps();
	test_size();
	test_rules_cap();
	test_fixed();
	return tap_done("test_robots");
}
