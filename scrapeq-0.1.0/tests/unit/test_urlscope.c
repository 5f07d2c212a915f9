/* test_urlscope.c: table-driven tests of URL normalisation and joining, the scope rules, pattern limits and the dedupe set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "scrapeq/urlscope.h"
#include "tap.h"

struct nrow {
	const char	*in;
	const char	*want;		/* NULL: refused */
};

static const struct nrow nrows[] = {
	/* case */
	{ "HTTP://EXAMPLE.COM/Path", "http://example.com/Path" },
	{ "HtTpS://WwW.Example.Com/A?B=C", "https://www.example.com/A?B=C" },
	{ "http://example.com/%7e%41", "http://example.com/~A" },
	/* default ports */
	{ "http://example.com:80/", "http://example.com/" },
	{ "https://example.com:443/x", "https://example.com/x" },
	{ "http://example.com:443/", "http://example.com:443/" },
	{ "https://example.com:80/", "https://example.com:80/" },
	{ "http://example.com:8080", "http://example.com:8080/" },
	{ "http://example.com:/", "http://example.com/" },
	{ "http://example.com:65535/", "http://example.com:65535/" },
	{ "http://example.com:0/", NULL },
	{ "http://example.com:65536/", NULL },
	{ "http://example.com:8x/", NULL },
	/* fragments */
	{ "http://example.com/a#b", "http://example.com/a" },
	{ "http://example.com/#", "http://example.com/" },
	{ "http://example.com/a?b#c", "http://example.com/a?b" },
	{ "http://example.com/a#b?c", "http://example.com/a" },
	/* dot segments */
	{ "http://example.com/a/./b/../c", "http://example.com/a/c" },
	{ "http://example.com/a/b/../../../c", "http://example.com/c" },
	{ "http://example.com/a/%2e%2E/b", "http://example.com/b" },
	{ "http://example.com/a/.%2e", "http://example.com/" },
	{ "http://example.com/a/..%2Fb", "http://example.com/a/..%2Fb" },
	{ "http://example.com/a/b/.", "http://example.com/a/b/" },
	{ "http://example.com/a/b/..", "http://example.com/a/" },
	{ "http://example.com/a..b/.c", "http://example.com/a..b/.c" },
	/* empty path */
	{ "http://example.com", "http://example.com/" },
	{ "http://example.com?x", "http://example.com/?x" },
	{ "http://example.com#f", "http://example.com/" },
	/* query: kept as written, order and all; an empty one dropped */
	{ "http://example.com/?", "http://example.com/" },
	{ "http://example.com/p?b=2&a=1", "http://example.com/p?b=2&a=1" },
	{ "http://example.com/p?a=%7e&b=%2f", "http://example.com/p?a=~&b=%2F" },
	{ "http://example.com/p?a b", "http://example.com/p?a+b" },
	{ "http://example.com/p?a=1?b=2", "http://example.com/p?a=1?b=2" },
	{ "http://example.com/p?a=1&&b", "http://example.com/p?a=1&&b" },
	/* %-encoding made consistent */
	{ "http://example.com/%c3%a9", "http://example.com/%C3%A9" },
	{ "http://example.com/\xc3\xa9?\xc3\xa9=%c3%a9", "http://example.com/%C3%A9?%C3%A9=%C3%A9" },
	{ "http://example.com/a b", "http://example.com/a%20b" },
	{ "http://example.com/%", "http://example.com/%" },
	{ "http://example.com/%zz%4", "http://example.com/%zz%4" },
	{ "http://example.com/%25", "http://example.com/%25" },
	{ "http://example.com/%252e", "http://example.com/%252e" },
	{ "http://example.com/%2D%2e%5F%7E%30", "http://example.com/-._~0" },
	{ "http://example.com/%3a%40%2b", "http://example.com/%3A%40%2B" },
	/* decoding must not make a new escape out of a stray '%' (found by the fuzzer) */
	{ "http://example.com/%%66", "http://example.com/%%66" },
	{ "http://example.com/%%6666", "http://example.com/%%6666" },
	{ "http://example.com/%4%31", "http://example.com/%4%31" },
	{ "http://example.com/%z%31", "http://example.com/%z1" },
	{ "http://example.com/%%67", "http://example.com/%g" },
	{ "http://example.com/a%?%66=1", "http://example.com/a%?f=1" },
	{ "http://example.com/@x", "http://example.com/@x" },
	/* hosts: IDN in punycode, odd spellings */
	{ "http://xn--bcher-kva.de/", "http://xn--bcher-kva.de/" },
	{ "http://XN--BCHER-KVA.DE/", "http://xn--bcher-kva.de/" },
	{ "http://example.com./x", "http://example.com/x" },
	{ "http://127./", "http://0.0.0.127/" },		/* found by the fuzzer */
	{ "http://0x7F./", "http://0.0.0.127/" },
	{ "http://127.0.0.1./", "http://127.0.0.1/" },
	{ "http://127.1/", "http://127.0.0.1/" },
	{ "http://0x7f000001/", "http://127.0.0.1/" },
	{ "http://2130706433:8080/", "http://127.0.0.1:8080/" },
	{ "http://[::1]/", "http://[::1]/" },
	{ "http://[FE80::A]:8080/", "http://[fe80::a]:8080/" },
	{ "http://[::FFFF:127.0.0.1]/", "http://[::ffff:127.0.0.1]/" },
	{ "http://exa%41mple.com/", "http://exaample.com/" },
	{ "http://_a.Example.com/", "http://_a.example.com/" },
	{ "http://[fe80::1%25eth0]/", NULL },
	{ "http://[::1/", NULL },
	{ "http://ex ample.com/", NULL },
	{ "http://./", NULL },
	{ "http://../", NULL },
	{ "http://a..b/", NULL },
	{ "http://.a/", NULL },
	{ "http://a../", NULL },
	{ "http:///", NULL },
	/* credentials: never crawled */
	{ "http://user:pw@example.com/", NULL },
	{ "http://user@example.com/", NULL },
	{ "http://:pw@example.com/", NULL },
	{ "http://@example.com/", NULL },
	/* not absolute http(s) */
	{ "", NULL },
	{ "/x", NULL },
	{ "//example.com/x", NULL },
	{ "example.com/x", NULL },
	{ "http:", NULL },
	{ "http://", NULL },
	{ "http:example.com", NULL },
	{ "ftp://example.com/", NULL },
	{ "file:///etc/passwd", NULL },
	{ "gopher://example.com/", NULL },
	{ "wss://example.com/", NULL },
	{ "mailto:a@example.com", NULL },
	{ "javascript:alert(1)", NULL },
	{ "data:text/html,x", NULL },
	{ "http://example.com/\x01", NULL },
	{ "http://example.com/a\nb", NULL },
	{ " http://example.com/", NULL },
};

static void
check_norm(const struct urlscope *s, const char *what, const char *in, const char *want)
{
	char	 out[URLSCOPE_URL_MAX], again[URLSCOPE_URL_MAX];
	int	 rc;

	snprintf(out, sizeof(out), "unchanged");
	rc = urlscope_normalise(s, in, out, sizeof(out));
	if (want == NULL) {
		TAP_CHECK(rc == -1, "%s: \"%.80s\" gave \"%.80s\", want -1", what, in, out);
		return;
	}
	TAP_CHECK(rc == 0 && strcmp(out, want) == 0, "%s: \"%.80s\": rc %d \"%.80s\", want \"%s\"",
	    what, in, rc, rc == 0 ? out : "", want);
	if (rc == 0)
		TAP_CHECK(urlscope_normalise(s, out, again, sizeof(again)) == 0 &&
		    strcmp(out, again) == 0, "%s: not idempotent: \"%.80s\"", what, out);
}

static void
test_normalise(void)
{
	char	 what[64];
	size_t	 i;

	for (i = 0; i < sizeof(nrows) / sizeof(nrows[0]); i++) {
		snprintf(what, sizeof(what), "norm row %zu", i);
		check_norm(NULL, what, nrows[i].in, nrows[i].want);
	}
	check_norm(NULL, "NULL url", NULL, NULL);
}

/* A non-ASCII host is punycode where libcurl can make it (8.1 on), refused where not. */
static void
test_idn(void)
{
	char	 out[URLSCOPE_URL_MAX];
	int	 rc;

	rc = urlscope_normalise(NULL, "http://b\xc3\xbc" "cher.de/x", out, sizeof(out));
	TAP_CHECK(rc == -1 || strcmp(out, "http://xn--bcher-kva.de/x") == 0,
	    "IDN host: rc %d \"%s\"", rc, rc == 0 ? out : "");
	rc = urlscope_normalise(NULL, "http://B\xc3\x9c" "CHER.de/x", out, sizeof(out));
	TAP_CHECK(rc == -1 || strcmp(out, "http://xn--bcher-kva.de/x") == 0,
	    "IDN host, upper case: rc %d \"%s\"", rc, rc == 0 ? out : "");
	rc = urlscope_normalise(NULL, "http://a\xff.de/", out, sizeof(out));
	TAP_CHECK(rc == -1, "host with a byte that is not UTF-8: rc %d", rc);
}

/* Lengths: input and output at and past URLSCOPE_URL_MAX, and a small outsz. */
static void
test_lengths(void)
{
	char	*in = malloc(URLSCOPE_URL_MAX + 2), out[URLSCOPE_URL_MAX + 8];
	size_t	 base = strlen("http://example.com/");
	int	 rc;

	if (in == NULL) {
		TAP_FAIL("malloc");
		return;
	}
	memcpy(in, "http://example.com/", base);
	memset(in + base, 'a', URLSCOPE_URL_MAX + 1 - base);
	in[URLSCOPE_URL_MAX - 1] = '\0';
	rc = urlscope_normalise(NULL, in, out, sizeof(out));
	TAP_CHECK(rc == 0 && strlen(out) == URLSCOPE_URL_MAX - 1,
	    "URL of URLSCOPE_URL_MAX - 1 bytes: rc %d", rc);
	TAP_CHECK(urlscope_normalise(NULL, in, out, URLSCOPE_URL_MAX - 1) == -1,
	    "outsz one short");
	in[URLSCOPE_URL_MAX - 1] = 'a';
	in[URLSCOPE_URL_MAX] = '\0';
	TAP_CHECK(urlscope_normalise(NULL, in, out, sizeof(out)) == -1,
	    "URL of URLSCOPE_URL_MAX bytes");
	/* Short input that grows past the limit once encoded. */
	memset(in + base, ' ', 2000);
	in[base + 2000] = '\0';
	TAP_CHECK(urlscope_normalise(NULL, in, out, sizeof(out)) == -1,
	    "2000 spaces become 6000 bytes");
	TAP_CHECK(urlscope_normalise(NULL, "http://example.com/", out, 19) == -1,
	    "outsz 19 for 19 bytes");
	TAP_CHECK(urlscope_normalise(NULL, "http://example.com/", out, 20) == 0 &&
	    strcmp(out, "http://example.com/") == 0, "outsz 20 for 19 bytes");
	TAP_CHECK(urlscope_normalise(NULL, "http://example.com/", out, 0) == -1, "outsz 0");
	/* A host of 253 bytes is fine; one past URLSCOPE_HOST_MAX is not. */
	memcpy(in, "http://", 7);
	memset(in + 7, 'a', 300);
	in[7 + 63] = in[7 + 127] = in[7 + 191] = '.';
	memcpy(in + 7 + 253, "/", 2);
	TAP_CHECK(urlscope_normalise(NULL, in, out, sizeof(out)) == 0, "host of 253 bytes");
	memset(in + 7, 'a', 300);
	memcpy(in + 7 + URLSCOPE_HOST_MAX, "/", 2);
	TAP_CHECK(urlscope_normalise(NULL, in, out, sizeof(out)) == -1, "host of 256 bytes");
	free(in);
}

static void
test_ignore_query(void)
{
	struct urlscope_opts	 o = { .start_url = "https://example.com/?utm=1", .ignore_query = 1 };
	struct urlscope		*s;
	char			 err[128];

	if ((s = urlscope_new(&o, err, sizeof(err))) == NULL) {
		TAP_FAIL("ignore_query scope: %s", err);
		return;
	}
	check_norm(s, "ignore_query", "http://example.com/a?x=1#f", "http://example.com/a");
	check_norm(s, "ignore_query", "http://example.com/a?", "http://example.com/a");
	check_norm(s, "ignore_query", "http://example.com/a", "http://example.com/a");
	check_norm(s, "ignore_query", "http://example.com/a?x=%2e%2e/b", "http://example.com/a");
	urlscope_free(s);
}

struct jrow {
	const char	*href;
	const char	*want;
};

static const char jbase[] = "http://example.com/a/b/c?q=1#f";

static const struct jrow jrows[] = {
	{ "d", "http://example.com/a/b/d" },
	{ "../x", "http://example.com/a/x" },
	{ "../../../../x", "http://example.com/x" },
	{ "./", "http://example.com/a/b/" },
	{ ".", "http://example.com/a/b/" },
	{ "..", "http://example.com/a/" },
	{ "/", "http://example.com/" },
	{ "/y", "http://example.com/y" },
	{ "?p=2", "http://example.com/a/b/c?p=2" },
	{ "?", "http://example.com/a/b/c" },
	{ "#top", "http://example.com/a/b/c?q=1" },
	{ "#", "http://example.com/a/b/c?q=1" },
	{ "", "http://example.com/a/b/c?q=1" },
	{ "   ", "http://example.com/a/b/c?q=1" },
	{ "x#y", "http://example.com/a/b/x" },
	{ "  /y z  ", "http://example.com/y%20z" },
	{ "\t\n/y\r\n", "http://example.com/y" },
	{ "\x01\x1f /y\x0b\x0c", "http://example.com/y" },
	{ "/a\nb\tc", "http://example.com/abc" },
	{ "//other.org/p", "http://other.org/p" },
	{ "https://X.org", "https://x.org/" },
	{ "HTTP://Example.COM:80/Z", "http://example.com/Z" },
	{ "a%2e%2e/b", "http://example.com/a/b/a../b" },
	{ "%2e%2e/x", "http://example.com/a/x" },
	{ "x?y/../z", "http://example.com/a/b/x?y/../z" },
	{ "mailto:x@example.com", NULL },
	{ "javascript:void(0)", NULL },
	{ "tel:+15551234", NULL },
	{ "ftp://example.com/", NULL },
	{ "data:text/html,hi", NULL },
	{ "https://user:pw@example.com/", NULL },
	{ "http://[::1", NULL },
	{ "https:", NULL },
};

static void
test_join(void)
{
	char	 out[URLSCOPE_URL_MAX], *big;
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof(jrows) / sizeof(jrows[0]); i++) {
		snprintf(out, sizeof(out), "unchanged");
		rc = urlscope_join(NULL, jbase, jrows[i].href, out, sizeof(out));
		if (jrows[i].want == NULL)
			TAP_CHECK(rc == -1, "join row %zu \"%s\": gave \"%s\", want -1", i,
			    jrows[i].href, out);
		else
			TAP_CHECK(rc == 0 && strcmp(out, jrows[i].want) == 0,
			    "join row %zu \"%s\": rc %d \"%s\", want \"%s\"", i, jrows[i].href, rc,
			    rc == 0 ? out : "", jrows[i].want);
	}
	TAP_CHECK(urlscope_join(NULL, "ftp://example.com/", "x", out, sizeof(out)) == -1,
	    "join on an ftp base");
	TAP_CHECK(urlscope_join(NULL, "/relative", "x", out, sizeof(out)) == -1,
	    "join on a relative base");
	TAP_CHECK(urlscope_join(NULL, NULL, "http://example.com/", out, sizeof(out)) == -1,
	    "join on a NULL base");
	TAP_CHECK(urlscope_join(NULL, jbase, NULL, out, sizeof(out)) == -1, "NULL href");
	if ((big = malloc(URLSCOPE_URL_MAX + 1)) == NULL)
		return;
	memset(big, 'a', URLSCOPE_URL_MAX);
	big[URLSCOPE_URL_MAX] = '\0';
	TAP_CHECK(urlscope_join(NULL, jbase, big, out, sizeof(out)) == -1, "overlong href");
	free(big);
}

static void
test_host(void)
{
	char	 out[URLSCOPE_HOST_MAX];

	TAP_CHECK(urlscope_host("http://example.com:8080/x", out, sizeof(out)) == 0 &&
	    strcmp(out, "example.com") == 0, "host of a URL with a port");
	TAP_CHECK(urlscope_host("http://[::1]/", out, sizeof(out)) == 0 &&
	    strcmp(out, "[::1]") == 0, "IPv6 host keeps its brackets");
	TAP_CHECK(urlscope_host("not a url", out, sizeof(out)) == -1, "host of garbage");
	TAP_CHECK(urlscope_host(NULL, out, sizeof(out)) == -1, "host of NULL");
	TAP_CHECK(urlscope_host("http://example.com/", out, 11) == -1, "host into 11 bytes");
	TAP_CHECK(urlscope_host("http://example.com/", out, 12) == 0, "host into 12 bytes");
}

/* ---- scope ---- */

struct srow {
	const char	*url;
	int		 want;
};

struct scase {
	const char		*name;
	struct urlscope_opts	 o;
	const struct srow	*rows;
	size_t			 n;
};

static const struct srow s_default[] = {
	{ "https://www.example.com/x", 1 },
	{ "http://www.example.com/", 1 },
	{ "https://example.com/", 1 },
	{ "https://example.com:8443/", 1 },
	{ "https://blog.example.com/", 0 },
	{ "https://www.www.example.com/", 0 },
	{ "https://other.com/", 0 },
	{ "https://notexample.com/", 0 },
	{ "https://wwwexample.com/", 0 },
	{ "https://example.com.evil.com/", 0 },
	{ "https://www.example.co/", 0 },
	{ "ftp://example.com/", 0 },
	{ "not a url", 0 },
};

static const struct srow s_subdomains[] = {
	{ "https://www.example.com/", 1 },
	{ "https://example.com/", 1 },
	{ "https://blog.example.com/", 1 },
	{ "https://a.b.example.com/", 1 },
	{ "https://www.www.example.com/", 1 },
	{ "https://notexample.com/", 0 },
	{ "https://xexample.com/", 0 },
	{ "https://example.com.evil.com/", 0 },
	{ "https://com/", 0 },
};

static const struct srow s_blog[] = {
	{ "https://blog.example.com/", 1 },
	{ "https://www.blog.example.com/", 1 },
	{ "https://example.com/", 0 },
	{ "https://www.example.com/", 0 },
	{ "https://x.blog.example.com/", 0 },
};

static const struct srow s_blog_sub[] = {
	{ "https://blog.example.com/", 1 },
	{ "https://x.blog.example.com/", 1 },
	{ "https://example.com/", 0 },
	{ "https://xblog.example.com/", 0 },
};

static const struct srow s_external[] = {
	{ "https://example.com/", 1 },
	{ "https://other.org/", 1 },
	{ "http://10.0.0.1:8080/", 1 },
	{ "https://other.org/private/x", 0 },
	{ "mailto:a@b.c", 0 },
};

static const struct srow s_ip[] = {
	{ "http://127.0.0.1:8080/", 1 },
	{ "http://127.0.0.1:9/x", 1 },
	{ "https://127.0.0.1/", 1 },
	{ "http://www.127.0.0.1/", 0 },
	{ "http://1.127.0.0.1/", 0 },
	{ "http://127.0.0.2/", 0 },
	{ "http://[::1]/", 0 },
};

static const struct srow s_ip6[] = {
	{ "http://[::1]:8080/", 1 },
	{ "http://127.0.0.1/", 0 },
	{ "http://a.[::1]/", 0 },
};

static const struct srow s_localhost[] = {
	{ "http://www.localhost/", 1 },
	{ "http://a.www.localhost/", 1 },
	{ "http://localhost/", 0 },
};

static const struct srow s_paths[] = {
	{ "https://example.com/blog/x", 1 },
	{ "https://example.com/blog/", 1 },
	{ "https://example.com/blog", 0 },
	{ "https://example.com/blog/x.pdf", 0 },
	{ "https://example.com/blog/x.PDF", 1 },
	{ "https://example.com/news/2024/x", 1 },
	{ "https://example.com/news/24/x", 0 },
	{ "https://example.com/about", 0 },
	{ "https://example.com/", 0 },
	{ "https://example.com/blog/private/x", 0 },
	{ "https://example.com/blog/x?y=.pdf", 1 },	/* the query is not matched */
	{ "https://example.com/x?/blog/", 0 },
	{ "https://example.com/x/blog/", 0 },		/* anchored with ^ */
	{ "https://other.org/blog/x", 0 },
};

static const struct srow s_exclude[] = {
	{ "https://example.com/", 1 },
	{ "https://example.com/admin", 0 },
	{ "https://example.com/admin/x", 0 },
	{ "https://example.com/x/admin", 1 },
	{ "https://example.com/caf%C3%A9", 0 },		/* encoded path */
	{ "https://example.com/caf", 1 },
};

static const char *const p_inc[] = { "^/blog/", "^/news/[0-9]{4}/" };
static const char *const p_exc[] = { "\\.pdf$", "/private" };
static const char *const p_ext_exc[] = { "^/private" };
static const char *const p_admin[] = { "^/admin", "%C3%A9$" };

#define ROWS(r)	r, sizeof(r) / sizeof((r)[0])

static const struct scase scases[] = {
	{ "default", { .start_url = "https://www.example.com/start" }, ROWS(s_default) },
	{ "subdomains", { .start_url = "https://www.example.com/",
	    .include_subdomains = 1 }, ROWS(s_subdomains) },
	{ "blog", { .start_url = "https://blog.example.com/" }, ROWS(s_blog) },
	{ "blog+sub", { .start_url = "https://Blog.Example.com./",
	    .include_subdomains = 1 }, ROWS(s_blog_sub) },
	{ "external", { .start_url = "https://example.com/", .allow_external = 1,
	    .exclude_paths = p_ext_exc, .nexclude = 1 }, ROWS(s_external) },
	{ "ip", { .start_url = "http://127.0.0.1:8080/", .include_subdomains = 1 },
	    ROWS(s_ip) },
	{ "ip6", { .start_url = "http://[::1]:8080/", .include_subdomains = 1 },
	    ROWS(s_ip6) },
	{ "www.localhost", { .start_url = "http://www.localhost/",
	    .include_subdomains = 1 }, ROWS(s_localhost) },
	{ "paths", { .start_url = "https://example.com/", .include_paths = p_inc,
	    .ninclude = 2, .exclude_paths = p_exc, .nexclude = 2 }, ROWS(s_paths) },
	{ "exclude", { .start_url = "https://example.com/", .exclude_paths = p_admin,
	    .nexclude = 2 }, ROWS(s_exclude) },
};

static void
test_scope(void)
{
	struct urlscope	*s;
	char		 err[256];
	size_t		 i, j;
	int		 got;

	for (i = 0; i < sizeof(scases) / sizeof(scases[0]); i++) {
		if ((s = urlscope_new(&scases[i].o, err, sizeof(err))) == NULL) {
			TAP_FAIL("scope %s: %s", scases[i].name, err);
			continue;
		}
		for (j = 0; j < scases[i].n; j++) {
			got = urlscope_allows(s, scases[i].rows[j].url);
			TAP_CHECK(got == scases[i].rows[j].want, "scope %s: %s: got %d, want %d",
			    scases[i].name, scases[i].rows[j].url, got, scases[i].rows[j].want);
		}
		urlscope_free(s);
	}
	TAP_CHECK(urlscope_allows(NULL, "https://example.com/") == 0, "NULL scope allows nothing");
}

/* ---- patterns and start URLs that urlscope_new refuses ---- */

struct erow {
	const char	*start;
	const char	*inc[3];
	size_t		 ninc;
	const char	*exc[3];
	size_t		 nexc;
	const char	*err;		/* NULL: accepted; else a prefix of err */
};

static const struct erow erows[] = {
	{ "https://example.com/", { "^/a" }, 1, { "b" }, 1, NULL },
	{ "https://example.com/", { "[0-9]{4}", "x{1,999}" }, 2, { 0 }, 0, NULL },
	{ "https://example.com/", { "(a{1,30}){1,30}" }, 1, { 0 }, 0, NULL },
	{ "https://example.com/", { "[[:alpha:]]+(\\.html)?$", "[]a]" }, 2, { 0 }, 0, NULL },
	{ "https://example.com/", { "a{,3}", "a{1}{2}" }, 2, { 0 }, 0, NULL },
	{ "https://example.com/", { "a{" }, 1, { 0 }, 0, "includePaths[0]: Unmatched \\{" },
	{ "https://example.com/", { "a{x}" }, 1, { 0 }, 0, "includePaths[0]: Invalid content" },
	{ "https://example.com/", { "{1}" }, 1, { 0 }, 0, "includePaths[0]: Invalid preceding" },
	{ "https://example.com/", { "a{1,999}{1,999}" }, 1, { 0 }, 0,
	  "includePaths[0]: pattern too complex" },
	{ "https://example.com/", { "(" }, 1, { 0 }, 0, "includePaths[0]: " },
	{ "https://example.com/", { "a", "[z-a]" }, 2, { 0 }, 0, "includePaths[1]: " },
	{ "https://example.com/", { 0 }, 0, { "ok", "x)(" }, 2, "excludePaths[1]: " },
	{ "https://example.com/", { "[" }, 1, { 0 }, 0, "includePaths[0]: " },
	{ "https://example.com/", { "(a)\\1" }, 1, { 0 }, 0,
	  "includePaths[0]: back-references are not supported" },
	{ "https://example.com/", { "((a{1,255}){1,255}){1,255}" }, 1, { 0 }, 0,
	  "includePaths[0]: pattern too complex" },
	{ "https://example.com/", { "(a{1,100}){1,100}" }, 1, { 0 }, 0,
	  "includePaths[0]: pattern too complex" },
	{ "https://example.com/", { "a{1,1000}" }, 1, { 0 }, 0,
	  "includePaths[0]: pattern too complex" },
	{ "https://example.com/", { "a{1000,}" }, 1, { 0 }, 0,
	  "includePaths[0]: pattern too complex" },
	{ "https://example.com/", { "a{99999999999999999999}" }, 1, { 0 }, 0,
	  "includePaths[0]: pattern too complex" },
	{ "https://example.com/", { "((((((((((((((((a))))))))))))))))" }, 1, { 0 }, 0, NULL },
	{ "https://example.com/", { "(((((((((((((((((a)))))))))))))))))" }, 1, { 0 }, 0,
	  "includePaths[0]: groups nested too deeply" },
	{ "https://example.com/", { NULL }, 1, { 0 }, 0, "includePaths[0]: not a string" },
	{ "ftp://example.com/", { 0 }, 0, { 0 }, 0, "start URL is not an absolute http(s) URL" },
	{ "example.com", { 0 }, 0, { 0 }, 0, "start URL is not an absolute http(s) URL" },
	{ "https://u:p@example.com/", { 0 }, 0, { 0 }, 0, "start URL is not" },
	{ NULL, { 0 }, 0, { 0 }, 0, "start URL is not" },
};

static void
test_new_errors(void)
{
	struct urlscope_opts	 o;
	struct urlscope		*s;
	char			 err[256], *longpat;
	const char		*many[URLSCOPE_MAX_PATTERNS + 1];
	size_t			 i;

	for (i = 0; i < sizeof(erows) / sizeof(erows[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.start_url = erows[i].start;
		o.include_paths = erows[i].inc;
		o.ninclude = erows[i].ninc;
		o.exclude_paths = erows[i].exc;
		o.nexclude = erows[i].nexc;
		snprintf(err, sizeof(err), "unchanged");
		s = urlscope_new(&o, err, sizeof(err));
		if (erows[i].err == NULL)
			TAP_CHECK(s != NULL, "new row %zu: refused: %s", i, err);
		else
			TAP_CHECK(s == NULL && strncmp(err, erows[i].err, strlen(erows[i].err)) == 0,
			    "new row %zu: err \"%s\", want \"%s...\"", i, s ? "(accepted)" : err,
			    erows[i].err);
		urlscope_free(s);
	}
	for (i = 0; i <= URLSCOPE_MAX_PATTERNS; i++)
		many[i] = "x";
	memset(&o, 0, sizeof(o));
	o.start_url = "https://example.com/";
	o.include_paths = many;
	o.ninclude = URLSCOPE_MAX_PATTERNS;
	s = urlscope_new(&o, err, sizeof(err));
	TAP_CHECK(s != NULL, "32 patterns: %s", err);
	urlscope_free(s);
	o.ninclude = URLSCOPE_MAX_PATTERNS + 1;
	s = urlscope_new(&o, err, sizeof(err));
	TAP_CHECK(s == NULL && strcmp(err, "includePaths: more than 32 patterns") == 0,
	    "33 patterns: %s", err);
	o.ninclude = 1;
	o.include_paths = NULL;
	s = urlscope_new(&o, err, sizeof(err));
	TAP_CHECK(s == NULL && strcmp(err, "includePaths: patterns missing") == 0,
	    "count without patterns: %s", err);
	if ((longpat = malloc(URLSCOPE_PATTERN_MAX + 2)) == NULL)
		return;
	memset(longpat, 'a', URLSCOPE_PATTERN_MAX + 1);
	longpat[URLSCOPE_PATTERN_MAX] = '\0';
	many[0] = longpat;
	o.include_paths = many;
	s = urlscope_new(&o, err, sizeof(err));
	TAP_CHECK(s != NULL, "pattern of URLSCOPE_PATTERN_MAX bytes: %s", err);
	urlscope_free(s);
	longpat[URLSCOPE_PATTERN_MAX] = 'a';
	longpat[URLSCOPE_PATTERN_MAX + 1] = '\0';
	s = urlscope_new(&o, err, sizeof(err));
	TAP_CHECK(s == NULL && strcmp(err, "includePaths[0]: pattern too long") == 0,
	    "pattern one byte over: %s", err);
	free(longpat);
	TAP_CHECK(urlscope_new(NULL, err, sizeof(err)) == NULL &&
	    strcmp(err, "start URL is missing") == 0, "NULL opts");
	o.ninclude = 0;
	s = urlscope_new(&o, NULL, 0);
	TAP_CHECK(s != NULL, "NULL err buffer, good options");
	urlscope_free(s);
	o.start_url = "bad";
	TAP_CHECK(urlscope_new(&o, NULL, 0) == NULL, "NULL err buffer, bad start URL");
	urlscope_free(NULL);
}

/* ---- dedupe ---- */

static void
test_urlset(void)
{
	struct urlset	*set;
	char		 url[64];
	size_t		 i, fresh = 0, again = 0;
	int		 rc;

	if ((set = urlset_new(3)) == NULL) {
		TAP_FAIL("urlset_new(3)");
		return;
	}
	TAP_CHECK(urlset_add(set, "http://a/") == 1, "add a");
	TAP_CHECK(urlset_add(set, "http://a/") == 0, "add a again");
	TAP_CHECK(urlset_add(set, "http://b/") == 1, "add b");
	TAP_CHECK(urlset_add(set, "http://c/") == 1, "add c");
	TAP_CHECK(urlset_add(set, "http://d/") == -1, "add d to a full set");
	TAP_CHECK(urlset_add(set, "http://a/") == 0, "a is still found in a full set");
	TAP_CHECK(urlset_add(set, "") == -1, "empty string to a full set");
	TAP_CHECK(urlset_count(set) == 3, "count 3: %zu", urlset_count(set));
	TAP_CHECK(urlset_add(set, NULL) == -1, "NULL url");
	urlset_free(set);

	if ((set = urlset_new(0)) == NULL) {
		TAP_FAIL("urlset_new(0)");
		return;
	}
	TAP_CHECK(urlset_add(set, "http://a/") == -1, "max 0: always full");
	TAP_CHECK(urlset_count(set) == 0, "max 0: count 0");
	urlset_free(set);

	/* Many entries: growth keeps every one findable. */
	if ((set = urlset_new(100000)) == NULL) {
		TAP_FAIL("urlset_new(100000)");
		return;
	}
	for (i = 0; i < 100000; i++) {
		snprintf(url, sizeof(url), "https://example.com/page/%zu", i);
		fresh += urlset_add(set, url) == 1;
	}
	for (i = 0; i < 100000; i++) {
		snprintf(url, sizeof(url), "https://example.com/page/%zu", i);
		again += urlset_add(set, url) == 0;
	}
	TAP_CHECK(fresh == 100000 && again == 100000 && urlset_count(set) == 100000,
	    "100000 urls: %zu new, %zu found again, count %zu", fresh, again,
	    urlset_count(set));
	rc = urlset_add(set, "https://example.com/one-more");
	TAP_CHECK(rc == -1, "one past max: %d", rc);
	urlset_free(set);

	TAP_CHECK(urlset_new((size_t)-1) == NULL, "absurd max is refused");
	TAP_CHECK(urlset_add(NULL, "x") == -1, "NULL set");
	TAP_CHECK(urlset_count(NULL) == 0, "count of NULL set");
	urlset_free(NULL);
}

static void
hex(const unsigned char *h, char *out)
{
	size_t	 i;

	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void
test_hash(void)
{
	unsigned char	 h[32];
	char		 x[65];

	urlscope_hash("", h);
	hex(h, x);
	TAP_STREQ(x, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256 of \"\"");
	urlscope_hash("abc", h);
	hex(h, x);
	TAP_STREQ(x, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "sha256 of \"abc\"");
	urlscope_hash(NULL, h);
	hex(h, x);
	TAP_STREQ(x, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256 of NULL is that of \"\"");
}

int
main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	test_normalise();
	test_idn();
	test_lengths();
	test_ignore_query();
	test_join();
	test_host();
	test_scope();
	test_new_errors();
	test_urlset();
	test_hash();
	curl_global_cleanup();
	return tap_done("test_urlscope");
}
