/* urlscope.c: crawl URLs parsed, joined and normalised by libcurl's URL API; a job's scope; a dedupe set. */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "scrapeq/text.h"
#include "scrapeq/urlscope.h"

/*
 * How every URL is read: a scheme is required (no CURLU_DEFAULT_SCHEME or
 * CURLU_GUESS_SCHEME), credentials are refused, and spaces and bytes that need it
 * are %-encoded, as a browser does with a sloppy href.
 */
#define SET_FLAGS	(CURLU_URLENCODE | CURLU_ALLOW_SPACE | CURLU_DISALLOW_USER)

struct urlscope {
	char		 host[URLSCOPE_HOST_MAX];	/* the start URL's host */
	char		 site[URLSCOPE_HOST_MAX];	/* host without a leading "www." */
	int		 host_is_ip;
	int		 include_subdomains;
	int		 allow_external;
	int		 ignore_query;
	regex_t		 inc[URLSCOPE_MAX_PATTERNS];
	regex_t		 exc[URLSCOPE_MAX_PATTERNS];
	size_t		 ninc, nexc;			/* compiled, so freed */
};

/* ---- normalisation ---- */

static CURLU *
url_parse(const char *url)
{
	CURLU	*h;

	if (url == NULL || strnlen(url, URLSCOPE_URL_MAX) == URLSCOPE_URL_MAX)
		return NULL;
	if ((h = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(h, CURLUPART_URL, url, SET_FLAGS) != CURLUE_OK) {
		curl_url_cleanup(h);
		return NULL;
	}
	return h;
}

static int
is_http(CURLU *h)
{
	char	*scheme = NULL;
	int	 ok;

	ok = curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
	curl_free(scheme);
	return ok;
}

/*
 * Sets the host to its ASCII form (punycode), lower case, without the one
 * trailing dot of a fully qualified name; refuses an empty label. libcurl before
 * 8.1 cannot make punycode (curl issue 10984), so there a non-ASCII host is
 * refused rather than kept in a form the fetch would then fail on.
 */
static int
fix_host(CURLU *h)
{
	char	*raw = NULL, host[URLSCOPE_HOST_MAX];
	size_t	 i, n;
	int	 rc = -1;

	if (curl_url_get(h, CURLUPART_HOST, &raw, CURLU_PUNYCODE) != CURLUE_OK)
		goto out;
	n = strlen(raw);
	if (n > 0 && raw[n - 1] == '.')
		n--;
	if (n == 0 || n >= sizeof(host))
		goto out;
	/* An empty label ("a..b", ".a", "a.." before the cut) names nothing. */
	if (raw[0] == '.' || raw[n - 1] == '.' || memmem(raw, n, "..", 2) != NULL)
		goto out;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c <= 0x20 || c >= 0x7f)
			goto out;
		host[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	host[n] = '\0';
	if (curl_url_set(h, CURLUPART_HOST, host, 0) == CURLUE_OK)
		rc = 0;
out:
	curl_free(raw);
	return rc;
}

static int
unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '.' || c == '_' || c == '~';
}

/*
 * Would writing hex digit c at w, after a stray '%' ("%" or "%4" just before),
 * spell a new escape ("%4" + "%31" -> "%41")? Then it stays encoded, or a second
 * pass would read the URL differently.
 */
static int
forms_escape(const char *start, const char *w, int c)
{
	if (text_hexval((unsigned char)c) < 0 || w == start)
		return 0;
	return w[-1] == '%' ||
	    (w - start >= 2 && w[-2] == '%' && text_hexval((unsigned char)w[-1]) >= 0);
}

/*
 * RFC 3986 6.2.2.1 and 6.2.2.2 on the path and query of a URL libcurl wrote (so
 * "scheme://authority/..."): hex digits of %-escapes upper case, escapes of
 * unreserved characters decoded. Anything else, a stray '%' too, is left alone.
 * In place: it only shrinks.
 */
static void
pct_normalise(char *url)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*r, *w, *start;
	int			 hi, lo;

	if ((r = strstr(url, "://")) == NULL || (r = strchr(r + 3, '/')) == NULL)
		return;
	for (start = w = r; *r != '\0'; r++) {
		if (*r != '%' || (hi = text_hexval((unsigned char)r[1])) < 0 ||
		    (lo = text_hexval((unsigned char)r[2])) < 0) {
			*w++ = *r;
			continue;
		}
		if (unreserved(hi << 4 | lo) && !forms_escape(start, w, hi << 4 | lo))
			*w++ = (char)(hi << 4 | lo);
		else {
			*w++ = '%';
			*w++ = hex[hi];
			*w++ = hex[lo];
		}
		r += 2;
	}
	*w = '\0';
}

/* Copies a libcurl string into out when it fits in outsz and in URLSCOPE_URL_MAX. */
static int
copy_out(const char *s, char *out, size_t outsz)
{
	size_t	 n = strlen(s);

	if (n >= outsz || n >= URLSCOPE_URL_MAX)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

/* The rules of urlscope_normalise, on a handle that holds a parsed URL. */
static int
normalise_handle(const struct urlscope *s, CURLU *h, char *out, size_t outsz)
{
	char	 buf[URLSCOPE_URL_MAX];
	char	*u = NULL, *port = NULL, *zone = NULL;
	int	 rc = -1;

	if (!is_http(h) || curl_url_get(h, CURLUPART_ZONEID, &zone, 0) != CURLUE_NO_ZONEID)
		goto out;
	if (curl_url_get(h, CURLUPART_PORT, &port, 0) == CURLUE_OK && strcmp(port, "0") == 0)
		goto out;
	if (fix_host(h) == -1 || curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK)
		goto out;
	if (s != NULL && s->ignore_query && curl_url_set(h, CURLUPART_QUERY, NULL, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(h, CURLUPART_URL, &u, CURLU_NO_DEFAULT_PORT) != CURLUE_OK ||
	    copy_out(u, buf, sizeof(buf)) == -1)
		goto out;
	/*
	 * Parse the result again: a decoded %2E can make a dot segment, and a host
	 * without its trailing dot can turn out to be a number ("127." is 0.0.0.127).
	 */
	pct_normalise(buf);
	curl_free(u);
	u = NULL;
	if (curl_url_set(h, CURLUPART_URL, buf, SET_FLAGS) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_URL, &u, CURLU_NO_DEFAULT_PORT) != CURLUE_OK)
		goto out;
	rc = copy_out(u, out, outsz);
out:
	curl_free(zone);
	curl_free(port);
	curl_free(u);
	return rc;
}

int
urlscope_normalise(const struct urlscope *s, const char *url, char *out, size_t outsz)
{
	CURLU	*h;
	int	 rc;

	if ((h = url_parse(url)) == NULL)
		return -1;
	rc = normalise_handle(s, h, out, outsz);
	curl_url_cleanup(h);
	return rc;
}

static int
c0_or_space(char c)
{
	return c != '\0' && (unsigned char)c <= 0x20;
}

/* As the WHATWG URL parser: C0 controls and spaces cut at both ends, tabs and newlines dropped. */
static int
clean_href(const char *href, char *out, size_t outsz)
{
	size_t	 n, o = 0;

	while (c0_or_space(*href))
		href++;
	if ((n = strnlen(href, outsz)) == outsz)
		return -1;
	while (n > 0 && c0_or_space(href[n - 1]))
		n--;
	for (; n > 0; href++, n--)
		if (*href != '\t' && *href != '\n' && *href != '\r')
			out[o++] = *href;
	out[o] = '\0';
	return 0;
}

int
urlscope_join(const struct urlscope *s, const char *base, const char *href, char *out,
    size_t outsz)
{
	char	 ref[URLSCOPE_URL_MAX];
	CURLU	*h = NULL;
	int	 rc = -1;

	if (href == NULL || clean_href(href, ref, sizeof(ref)) == -1)
		goto out;
	if ((h = url_parse(base)) == NULL || !is_http(h))
		goto out;
	/*
	 * An empty reference, or a fragment alone, is the base document itself
	 * (RFC 3986 5.2.2); libcurl 7.88 would resolve "#top" as a path segment.
	 */
	if (ref[0] != '\0' && ref[0] != '#' &&
	    curl_url_set(h, CURLUPART_URL, ref, SET_FLAGS) != CURLUE_OK)
		goto out;
	rc = normalise_handle(s, h, out, outsz);
out:
	curl_url_cleanup(h);
	return rc;
}

int
urlscope_host(const char *norm_url, char *out, size_t outsz)
{
	CURLU	*h;
	char	*host = NULL;
	int	 rc = -1;

	if ((h = url_parse(norm_url)) == NULL)
		return -1;
	if (curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		rc = copy_out(host, out, outsz);
	curl_free(host);
	curl_url_cleanup(h);
	return rc;
}

/* ---- scope ---- */

static int
ends_with(const char *s, const char *suffix)
{
	size_t	 n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/*
 * host is inside when the job allows external links; when it is the start host;
 * else (not for an IP literal) when it is the site or "www." + the site, or with
 * includeSubdomains when it ends in "." + the site. The port and the scheme do not
 * count: http://site and https://site:8443 are the same site.
 */
static int
host_allowed(const struct urlscope *s, const char *host)
{
	size_t	 n = strlen(host), m = strlen(s->site);

	if (s->allow_external || strcmp(host, s->host) == 0)
		return 1;
	if (s->host_is_ip)
		return 0;
	if (strcmp(host, s->site) == 0)
		return 1;
	if (n == m + 4 && memcmp(host, "www.", 4) == 0 && ends_with(host, s->site))
		return 1;
	return s->include_subdomains && n > m + 1 && host[n - m - 1] == '.' &&
	    ends_with(host, s->site);
}

static int
path_allowed(const struct urlscope *s, const char *path)
{
	size_t	 i;
	int	 hit = s->ninc == 0;

	for (i = 0; i < s->ninc && !hit; i++)
		hit = regexec(&s->inc[i], path, 0, NULL, 0) == 0;
	for (i = 0; i < s->nexc && hit; i++)
		hit = regexec(&s->exc[i], path, 0, NULL, 0) != 0;
	return hit;
}

int
urlscope_allows(const struct urlscope *s, const char *norm_url)
{
	CURLU	*h;
	char	*host = NULL, *path = NULL;
	int	 ok = 0;

	if (s == NULL || (h = url_parse(norm_url)) == NULL)
		return 0;
	if (is_http(h) && curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_PATH, &path, 0) == CURLUE_OK)
		ok = host_allowed(s, host) && path_allowed(s, path);
	curl_free(path);
	curl_free(host);
	curl_url_cleanup(h);
	return ok;
}

/* ---- patterns ---- */

struct cost {
	unsigned long	 sum;	/* estimated size of the (group's) pattern so far */
	unsigned long	 last;	/* size of its last atom, which a repeat multiplies */
};

#define COST_CAP	((unsigned long)URLSCOPE_PATTERN_COST_MAX + 1)

/* Saturating, so every value stays <= COST_CAP and a product cannot overflow. */
static unsigned long
cap(unsigned long v)
{
	return v > COST_CAP ? COST_CAP : v;
}

static void
cost_atom(struct cost *c, unsigned long size)
{
	c->sum = cap(c->sum + size);
	c->last = size;
}

static void
cost_repeat(struct cost *c, unsigned long times)
{
	c->sum = cap(c->sum + c->last * (times - 1));
	c->last = cap(c->last * times);
}

/* Past a bracket expression "[...]" (with "[:alpha:]" and a leading ']'). */
static const char *
skip_bracket(const char *p)
{
	char	 end;

	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p != '\0' && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			end = p[1];
			for (p += 2; *p != '\0' && !(p[0] == end && p[1] == ']'); p++)
				continue;
			p += *p != '\0' ? 2 : 0;
		} else
			p++;
	}
	return *p == ']' ? p + 1 : p;
}

/* An interval "{m}", "{m,}", "{m,n}", "{,n}" at p: the copies it makes, 0 if none. */
static unsigned long
interval(const char **pp)
{
	const char	*p = *pp + 1;
	unsigned long	 lo = 0, hi = 0;
	int		 digits = 0, comma = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++)
		lo = cap(lo * 10 + (unsigned long)(*p - '0'));
	if (*p == ',') {
		comma = 1;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			hi = cap(hi * 10 + (unsigned long)(*p - '0'));
	}
	if (*p != '}' || digits == 0)
		return 0;
	*pp = p + 1;
	return cap((comma && hi > lo ? hi : lo) + 1);
}

/*
 * Estimates how big regcomp will make p (see URLSCOPE_PATTERN_COST_MAX). Returns
 * NULL when it is fine, else why not. Syntax errors are left to regcomp.
 */
static const char *
pattern_check(const char *p)
{
	struct cost	 st[URLSCOPE_PATTERN_DEPTH + 1];
	size_t		 d = 0;
	unsigned long	 times;

	memset(&st[0], 0, sizeof(st[0]));
	while (*p != '\0') {
		if (*p == '\\') {
			if (p[1] >= '1' && p[1] <= '9')
				return "back-references are not supported";
			p += p[1] != '\0' ? 2 : 1;
			cost_atom(&st[d], 1);
		} else if (*p == '[') {
			p = skip_bracket(p);
			cost_atom(&st[d], 1);
		} else if (*p == '(') {
			if (d == URLSCOPE_PATTERN_DEPTH)
				return "groups nested too deeply";
			memset(&st[++d], 0, sizeof(st[0]));
			p++;
		} else if (*p == ')' && d > 0) {
			d--;
			cost_atom(&st[d], st[d + 1].sum > 0 ? st[d + 1].sum : 1);
			p++;
		} else if (*p == '*' || *p == '+' || *p == '?') {
			cost_repeat(&st[d], 2);
			p++;
		} else if (*p == '{' && (times = interval(&p)) > 0)
			cost_repeat(&st[d], times);
		else {
			cost_atom(&st[d], 1);
			p++;
		}
	}
	while (d > 0) {
		d--;
		cost_atom(&st[d], st[d + 1].sum);
	}
	return st[0].sum > URLSCOPE_PATTERN_COST_MAX ? "pattern too complex" : NULL;
}

/* Why p is refused before regcomp sees it, or NULL. */
static const char *
pattern_refusal(const char *p)
{
	if (p == NULL)
		return "not a string";
	if (strnlen(p, URLSCOPE_PATTERN_MAX + 1) > URLSCOPE_PATTERN_MAX)
		return "pattern too long";
	return pattern_check(p);
}

int
urlscope_pattern_valid(const char *p, char *why, size_t whysz)
{
	regex_t		 re;
	const char	*bad;
	int		 rc;

	if ((bad = pattern_refusal(p)) != NULL) {
		snprintf(why, whysz, "%s", bad);
		return -1;
	}
	if ((rc = regcomp(&re, p, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, NULL, why, whysz);
		return -1;
	}
	regfree(&re);
	return 0;
}

static int
compile(regex_t *re, size_t *nre, const char *const *pats, size_t n, const char *name,
    char *err, size_t errsz)
{
	char		 why[128];
	const char	*bad;
	int		 rc;

	if (n > URLSCOPE_MAX_PATTERNS) {
		snprintf(err, errsz, "%s: more than %d patterns", name, URLSCOPE_MAX_PATTERNS);
		return -1;
	}
	if (n > 0 && pats == NULL) {
		snprintf(err, errsz, "%s: patterns missing", name);
		return -1;
	}
	for (*nre = 0; *nre < n; (*nre)++) {
		bad = pattern_refusal(pats[*nre]);
		if (bad == NULL &&
		    (rc = regcomp(&re[*nre], pats[*nre], REG_EXTENDED | REG_NOSUB)) != 0) {
			regerror(rc, NULL, why, sizeof(why));
			bad = why;
		}
		if (bad != NULL) {
			snprintf(err, errsz, "%s[%zu]: %s", name, *nre, bad);
			return -1;
		}
	}
	return 0;
}

static int
is_ip_literal(const char *host)
{
	return host[0] == '[' || strspn(host, "0123456789.") == strlen(host);
}

struct urlscope *
urlscope_new(const struct urlscope_opts *o, char *err, size_t errsz)
{
	struct urlscope	*s = NULL, *ret = NULL;
	char		 norm[URLSCOPE_URL_MAX], scratch[1];
	const char	*site;

	if (err == NULL || errsz == 0) {
		err = scratch;
		errsz = sizeof(scratch);
	}
	err[0] = '\0';
	if (o == NULL) {
		snprintf(err, errsz, "start URL is missing");
		goto out;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	s->include_subdomains = o->include_subdomains != 0;
	s->allow_external = o->allow_external != 0;
	s->ignore_query = o->ignore_query != 0;
	if (urlscope_normalise(s, o->start_url, norm, sizeof(norm)) == -1 ||
	    urlscope_host(norm, s->host, sizeof(s->host)) == -1) {
		snprintf(err, errsz, "start URL is not an absolute http(s) URL");
		goto out;
	}
	s->host_is_ip = is_ip_literal(s->host);
	site = s->host;
	if (!s->host_is_ip && strncmp(site, "www.", 4) == 0 && strchr(site + 4, '.') != NULL)
		site += 4;
	text_copy(s->site, sizeof(s->site), site);
	if (compile(s->inc, &s->ninc, o->include_paths, o->ninclude, "includePaths", err,
	    errsz) == -1 ||
	    compile(s->exc, &s->nexc, o->exclude_paths, o->nexclude, "excludePaths", err,
	    errsz) == -1)
		goto out;
	ret = s;
	s = NULL;
out:
	urlscope_free(s);
	return ret;
}

void
urlscope_free(struct urlscope *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ninc; i++)
		regfree(&s->inc[i]);
	for (i = 0; i < s->nexc; i++)
		regfree(&s->exc[i]);
	free(s);
}

/* ---- dedupe ---- */

struct urlset {
	uint64_t	*slot;		/* 0 marks an empty slot */
	size_t		 cap;		/* a power of two, 0 before the first add */
	size_t		 count, max;
	unsigned char	 key[crypto_shorthash_KEYBYTES];
};

#define URLSET_FIRST_CAP	64

struct urlset *
urlset_new(size_t max)
{
	struct urlset	*set;

	if (max > SIZE_MAX / (4 * sizeof(uint64_t)) || sodium_init() < 0)
		return NULL;
	if ((set = calloc(1, sizeof(*set))) == NULL)
		return NULL;
	set->max = max;
	randombytes_buf(set->key, sizeof(set->key));
	return set;
}

void
urlset_free(struct urlset *set)
{
	if (set == NULL)
		return;
	free(set->slot);
	free(set);
}

size_t
urlset_count(const struct urlset *set)
{
	return set == NULL ? 0 : set->count;
}

/* The slot that holds h, or the empty one where it would go. */
static size_t
probe(const struct urlset *set, uint64_t h)
{
	size_t	 i = (size_t)h & (set->cap - 1);

	while (set->slot[i] != 0 && set->slot[i] != h)
		i = (i + 1) & (set->cap - 1);
	return i;
}

static int
grow(struct urlset *set)
{
	struct urlset	 old = *set;
	size_t		 i;

	set->cap = old.cap == 0 ? URLSET_FIRST_CAP : old.cap * 2;
	if ((set->slot = calloc(set->cap, sizeof(uint64_t))) == NULL) {
		*set = old;
		return -1;
	}
	for (i = 0; i < old.cap; i++)
		if (old.slot[i] != 0)
			set->slot[probe(set, old.slot[i])] = old.slot[i];
	free(old.slot);
	return 0;
}

/*
 * SipHash-2-4 (crypto_shorthash) with a key drawn per set, so a site cannot make
 * URLs that collide on purpose. Two URLs share a 64-bit hash with odds of about
 * n^2 / 2^65 for n URLs: 3e-8 for a million; the loser is skipped as a duplicate.
 */
int
urlset_add(struct urlset *set, const char *url)
{
	unsigned char	 mac[crypto_shorthash_BYTES];
	uint64_t	 h;
	size_t		 i;

	if (set == NULL || url == NULL)
		return -1;
	crypto_shorthash(mac, (const unsigned char *)url, strlen(url), set->key);
	memcpy(&h, mac, sizeof(h));
	if (h == 0)
		h = 1;
	if (set->cap > 0 && set->slot[probe(set, h)] == h)
		return 0;
	if (set->count == set->max)
		return -1;
	/* Load stays at or under one half, so probes stay short and one is always empty. */
	if ((set->count + 1) * 2 > set->cap && grow(set) == -1)
		return -1;
	i = probe(set, h);
	set->slot[i] = h;
	set->count++;
	return 1;
}

void
urlscope_hash(const char *url, unsigned char out[32])
{
	if (url == NULL)
		url = "";
	crypto_hash_sha256(out, (const unsigned char *)url, strlen(url));
}
