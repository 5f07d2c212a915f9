/* fuzz_robots.c: libFuzzer target for robots_parse and robots_allowed, checked against a reference matcher. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scrapeq/robots.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Plain glob, '*' any run, anchored at the end when asked: the RFC 9309 2.2.3 semantics. */
static int
ref_glob(const char *p, size_t pn, const char *s, size_t sn, int anchored)
{
	size_t	 pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

	if (!anchored) {
		/* A prefix match: "x" matches as "x*". */
		while (pn > 0 && p[pn - 1] == '*')
			pn--;
		for (;;) {
			if (pi == pn)
				return 1;
			if (p[pi] == '*') {
				star_p = pi++;
				star_s = si;
			} else if (si < sn && p[pi] == s[si]) {
				pi++;
				si++;
			} else if (star_p != SIZE_MAX && star_s < sn) {
				pi = star_p + 1;
				si = ++star_s;
			} else
				return 0;
		}
	}
	while (si < sn || pi < pn) {
		if (pi < pn && p[pi] == '*') {
			star_p = pi++;
			star_s = si;
		} else if (pi < pn && si < sn && p[pi] == s[si]) {
			pi++;
			si++;
		} else if (star_p != SIZE_MAX && star_s < sn) {
			pi = star_p + 1;
			si = ++star_s;
		} else
			return 0;
	}
	return 1;
}

/* Maps bytes onto an alphabet normalisation leaves alone; returns the length. */
static size_t
map(const uint8_t *d, size_t n, const char *alpha, char *out, size_t max)
{
	size_t	 i, k = strlen(alpha);

	for (i = 0; i < n && i < max; i++)
		out[i] = alpha[d[i] % k];
	out[i] = '\0';
	return i;
}

/*
 * Two rules (Allow A, Disallow B) and a path from the input: robots_allowed must
 * agree with the longest-match rule (allow on a tie) over the reference glob.
 */
static void
differential(const uint8_t *d, size_t n)
{
	char		 a[40], b[40], path[80], txt[200];
	size_t		 la, lb, lp, q;
	int		 anch_a, anch_b, ma, mb, want;
	struct robots	*rb;

	if (n < 6)
		return;
	anch_a = d[0] & 1;
	anch_b = d[0] & 2;
	q = (n - 1) / 3;
	la = map(d + 1, q < 32 ? q : 32, "/ab*", a, 32);
	lb = map(d + 1 + q, q < 32 ? q : 32, "/ab*", b, 32);
	lp = map(d + 1 + 2 * q, n - 1 - 2 * q, "/ab", path, 64);
	if (lp == 0)
		memcpy(path, "/", 2), lp = 1;
	snprintf(txt, sizeof(txt), "User-agent: *\nAllow: %s%s\nDisallow: %s%s\n", a,
	    anch_a ? "$" : "", b, anch_b ? "$" : "");
	if ((rb = robots_parse(txt, strlen(txt), "x")) == NULL)
		abort();
	ma = (la > 0 || anch_a) && ref_glob(a, la, path, lp, anch_a);
	mb = (lb > 0 || anch_b) && ref_glob(b, lb, path, lp, anch_b);
	if (ma && mb)
		want = la + (anch_a != 0) >= lb + (anch_b != 0);
	else
		want = !mb;
	if (robots_allowed(rb, path) != want)
		abort();
	robots_free(rb);
}

static void
check_sitemaps(const struct robots *rb)
{
	size_t		 i, j, n = robots_sitemap_count(rb);
	const char	*s;

	if (n > ROBOTS_MAX_SITEMAPS || robots_sitemap(rb, n) != NULL)
		abort();
	for (i = 0; i < n; i++) {
		if ((s = robots_sitemap(rb, i)) == NULL ||
		    (strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0))
			abort();
		for (j = 0; s[j] != '\0'; j++)
			if ((unsigned char)s[j] <= ' ' || s[j] == '#')
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *agents[] = { "scrapeq", "foobot", "", "ExampleBot/1.0", "a" };
	static const char *paths[] = { "/", "/a", "/a/b?c=d", "/%2A", "/*$", "", "/%e3%83%84",
	    "/foo/bar", "/example/page.html" };
	struct robots	*rb;
	char		 line[300];
	size_t		 i, start, n;
	long		 d;

	if (size == 0)
		return 0;
	rb = robots_parse((const char *)data, size, agents[data[size - 1] % 5]);
	if (rb == NULL || robots_allowed(rb, "/robots.txt") != 1)
		abort();
	d = robots_crawl_delay_ms(rb);
	if (d < -1 || d > ROBOTS_DELAY_MAX_MS)
		abort();
	check_sitemaps(rb);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (robots_allowed(rb, paths[i]) > 1)
			abort();
	/* Each of the first lines of the input as a path too. */
	for (i = 0, start = 0; i < 16 && start < size; i++) {
		for (n = 0; start + n < size && data[start + n] != '\n' && n < sizeof(line) - 1; n++)
			line[n] = data[start + n] ? (char)data[start + n] : '/';
		line[n] = '\0';
		if (robots_allowed(rb, line) > 1)
			abort();
		start += n + 1;
	}
	robots_free(rb);
	differential(data, size);
	return 0;
}
