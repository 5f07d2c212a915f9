/* robots.c: robots.txt (RFC 9309) reduced to the one group that applies to us, matched longest rule first. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/robots.h"
#include "scrapeq/text.h"

struct rule {
	char	*pat;		/* normalised (see norm); '*' is the wildcard, a final '$' taken off */
	size_t	 len;		/* strlen(pat) */
	size_t	 lit;		/* octets of pat that are not '*': a shorter path cannot match */
	size_t	 prio;		/* octets of the rule, '$' included: the longest match wins */
	int	 allow;
	int	 anchored;	/* the rule ended in '$' */
};

struct ruleset {
	struct rule	*r;
	size_t		 n, cap;
};

struct robots {
	struct ruleset	 rules;		/* sorted: prio descending, allow before disallow */
	long		 delay_ms;
	char		*sitemaps[ROBOTS_MAX_SITEMAPS];
	size_t		 nsitemaps;
};

/*
 * Parser state. Whether some group names us is known only at the end, so the
 * rules of groups naming us and of "*" groups are collected apart.
 */
struct rparse {
	struct robots	*rb;
	struct ruleset	 spec, star;
	long		 spec_delay, star_delay;
	const char	*tok;		/* our product token, not NUL-terminated */
	size_t		 toklen;
	int		 in_agents;	/* the last group line was a user-agent line */
	int		 grp_us;	/* the current group names us */
	int		 grp_star;	/* the current group is a "*" group */
	int		 named_us;	/* some group names us: the "*" groups no longer apply */
	int		 oom;
};

enum rkey { K_AGENT, K_ALLOW, K_DISALLOW, K_DELAY, K_SITEMAP };

/* RFC 9309 2.2.4 lets crawlers accept common misspellings. */
static const struct {
	const char	*name;
	enum rkey	 key;
} rkeys[] = {
	{ "user-agent", K_AGENT }, { "useragent", K_AGENT }, { "user agent", K_AGENT },
	{ "allow", K_ALLOW },
	{ "disallow", K_DISALLOW }, { "dissallow", K_DISALLOW }, { "dissalow", K_DISALLOW },
	{ "disalow", K_DISALLOW }, { "diasllow", K_DISALLOW }, { "disallaw", K_DISALLOW },
	{ "crawl-delay", K_DELAY }, { "crawldelay", K_DELAY }, { "crawl delay", K_DELAY },
	{ "sitemap", K_SITEMAP }, { "site-map", K_SITEMAP },
};

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 9309 2.2: a product token is letters, '_' and '-'. */
static int
is_token(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

/* RFC 3986 2.3 unreserved. */
static int
is_unreserved(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Octets that may stand unescaped in a URI: unreserved, gen-delims, sub-delims. */
static int
is_uri_char(unsigned char c)
{
	return is_unreserved(c) || (c != '\0' && strchr(":/?#[]@!$&'()*+,;=", c) != NULL);
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_ws((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_ws((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static size_t
put_pct(char *d, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";

	d[0] = '%';
	d[1] = hex[c >> 4];
	d[2] = hex[c & 15];
	return 3;
}

/*
 * Writes src[0..n) into dst (room for 3 * n + 1) in the form both sides are
 * compared in (RFC 9309 2.2.2): %xx of an unreserved character decoded, other %xx
 * with upper-case hex, a '%' that starts no escape and octets that may not stand
 * raw in a URI (non-ASCII, controls, space) escaped. A '*' is the wildcard in a
 * pattern and a literal in a path, where it is escaped, as is '$' in both, so
 * that a pattern's "%2A" and "%24" match them (2.2.3). Returns the length.
 */
static size_t
norm(char *dst, const char *src, size_t n, int pattern)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '%' && n - i >= 3 &&
		    (hi = text_hexval((unsigned char)src[i + 1])) >= 0 &&
		    (lo = text_hexval((unsigned char)src[i + 2])) >= 0) {
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
			if (is_unreserved(c))
				dst[o++] = (char)c;
			else
				o += put_pct(dst + o, c);
		} else if (c == '*' && pattern)
			dst[o++] = '*';
		else if (c == '%' || c == '*' || c == '$' || !is_uri_char(c))
			o += put_pct(dst + o, c);
		else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return o;
}

static void
ruleset_free(struct ruleset *set)
{
	size_t	 i;

	for (i = 0; i < set->n; i++)
		free(set->r[i].pat);
	free(set->r);
	set->r = NULL;
	set->n = set->cap = 0;
}

/* Appends a rule for pattern v[0..n) (n > 0); returns -1 when out of memory. */
static int
ruleset_add(struct ruleset *set, int allow, const char *v, size_t n)
{
	struct rule	*r, *nr;
	size_t		 i, ncap;

	if (set->n == set->cap) {
		ncap = set->cap ? set->cap * 2 : 16;
		if (ncap > ROBOTS_MAX_RULES)
			ncap = ROBOTS_MAX_RULES;
		if ((nr = realloc(set->r, ncap * sizeof(*nr))) == NULL)
			return -1;
		set->r = nr;
		set->cap = ncap;
	}
	r = &set->r[set->n];
	r->allow = allow;
	r->anchored = v[n - 1] == '$';
	if ((r->pat = malloc(3 * n + 1)) == NULL)
		return -1;
	r->len = norm(r->pat, v, n - (size_t)r->anchored, 1);
	r->prio = r->len + (size_t)r->anchored;
	for (r->lit = 0, i = 0; i < r->len; i++)
		r->lit += r->pat[i] != '*';
	set->n++;
	return 0;
}

/* RFC 9309 2.2.1: consecutive user-agent lines open one group. */
static void
on_agent(struct rparse *p, const char *v, size_t n)
{
	size_t	 i;

	if (!p->in_agents) {
		p->grp_us = p->grp_star = 0;
		p->in_agents = 1;
	}
	if (n > 0 && v[0] == '*' && (n == 1 || is_ws((unsigned char)v[1]))) {
		p->grp_star = 1;
		return;
	}
	/* "ExampleBot/1.2" names ExampleBot: the product token is the leading identifier. */
	for (i = 0; i < n && is_token((unsigned char)v[i]); i++)
		;
	if (i > 0 && i == p->toklen) {
		while (i > 0 && text_lower((unsigned char)v[i - 1]) ==
		    text_lower((unsigned char)p->tok[i - 1]))
			i--;
		if (i == 0)
			p->grp_us = p->named_us = 1;
	}
}

/* RFC 9309 2.2.2: a rule outside any group is ignored, an empty one matches nothing. */
static void
on_rule(struct rparse *p, int allow, const char *v, size_t n)
{
	struct ruleset	*set;

	p->in_agents = 0;
	if ((!p->grp_us && !p->grp_star) || n == 0)
		return;
	set = p->grp_us ? &p->spec : &p->star;
	if (set->n < ROBOTS_MAX_RULES && ruleset_add(set, allow, v, n) == -1)
		p->oom = 1;
}

/*
 * Parses "10", "0.5", ".25": seconds with an optional fraction, kept to the
 * millisecond. Returns milliseconds capped at ROBOTS_DELAY_MAX_MS, or -1.
 */
static long
parse_delay(const char *v, size_t n)
{
	long	 sec = 0, ms = 0, scale = 100;
	size_t	 i = 0, digits = 0;

	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++)
		if (sec <= ROBOTS_DELAY_MAX_MS / 1000)
			sec = sec * 10 + (v[i] - '0');
	if (i < n && v[i] == '.')
		for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++, scale /= 10)
			ms += (v[i] - '0') * scale;
	if (digits == 0 || i != n)
		return -1;
	if (sec > ROBOTS_DELAY_MAX_MS / 1000)
		return ROBOTS_DELAY_MAX_MS;
	ms += sec * 1000;
	return ms > ROBOTS_DELAY_MAX_MS ? ROBOTS_DELAY_MAX_MS : ms;
}

static void
on_delay(struct rparse *p, const char *v, size_t n)
{
	long	 ms = parse_delay(v, n);

	p->in_agents = 0;
	if (ms < 0)
		return;
	if (p->grp_us && ms > p->spec_delay)
		p->spec_delay = ms;
	else if (!p->grp_us && p->grp_star && ms > p->star_delay)
		p->star_delay = ms;
}

/* Sitemap lines belong to no group (RFC 9309 2.2.4); only absolute http(s) URLs are kept. */
static void
on_sitemap(struct rparse *p, const char *v, size_t n)
{
	struct robots	*rb = p->rb;
	size_t		 i;
	char		*s;

	if (rb->nsitemaps == ROBOTS_MAX_SITEMAPS)
		return;
	if (!(n > 7 && text_eq_ci(v, 7, "http://")) &&
	    !(n > 8 && text_eq_ci(v, 8, "https://")))
		return;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] == 0x7f)
			return;
	for (i = 0; i < rb->nsitemaps; i++)
		if (strlen(rb->sitemaps[i]) == n && memcmp(rb->sitemaps[i], v, n) == 0)
			return;
	if ((s = malloc(n + 1)) == NULL) {
		p->oom = 1;
		return;
	}
	memcpy(s, v, n);
	s[n] = '\0';
	rb->sitemaps[rb->nsitemaps++] = s;
}

/* The key of s[0..klen) (trimmed), or -1 when it is none we know. */
static int
find_key(const char *s, size_t klen)
{
	size_t	 i;

	trim(&s, &klen);
	for (i = 0; i < sizeof(rkeys) / sizeof(rkeys[0]); i++)
		if (text_eq_ci(s, klen, rkeys[i].name))
			return (int)rkeys[i].key;
	return -1;
}

/*
 * One line, without its end of line: "key: value # comment". A key and value
 * separated by white space alone ("Disallow /x", "Sitemap http://...") are
 * accepted too.
 */
static void
parse_line(struct rparse *p, const char *s, size_t n)
{
	const char	*hash, *sep, *v;
	size_t		 klen, vlen;
	int		 key = -1;

	if ((hash = memchr(s, '#', n)) != NULL)
		n = (size_t)(hash - s);
	trim(&s, &n);
	if (n == 0)
		return;
	if ((sep = memchr(s, ':', n)) != NULL && (key = find_key(s, (size_t)(sep - s))) >= 0)
		v = sep + 1;
	else {
		for (klen = 0; klen < n && !is_ws((unsigned char)s[klen]); klen++)
			;
		if ((key = find_key(s, klen)) < 0)
			return;
		v = s + klen;
	}
	vlen = n - (size_t)(v - s);
	trim(&v, &vlen);
	switch ((enum rkey)key) {
	case K_AGENT:
		on_agent(p, v, vlen);
		break;
	case K_ALLOW:
	case K_DISALLOW:
		on_rule(p, key == K_ALLOW, v, vlen);
		break;
	case K_DELAY:
		on_delay(p, v, vlen);
		break;
	case K_SITEMAP:
		on_sitemap(p, v, vlen);
		break;
	}
}

static int
rule_cmp(const void *a, const void *b)
{
	const struct rule	*x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	return y->allow - x->allow;
}

static struct robots *
robots_new(void)
{
	struct robots	*rb;

	if ((rb = calloc(1, sizeof(*rb))) == NULL)
		return NULL;
	rb->delay_ms = -1;
	return rb;
}

struct robots *
robots_parse(const char *body, size_t len, const char *agent)
{
	struct rparse	 p;
	size_t		 i, e;
	int		 cut;

	memset(&p, 0, sizeof(p));
	p.spec_delay = p.star_delay = -1;
	if ((p.rb = robots_new()) == NULL)
		return NULL;
	p.tok = agent != NULL ? agent : "";
	while (is_token((unsigned char)p.tok[p.toklen]))
		p.toklen++;
	if (body == NULL)
		len = 0;
	if (len > ROBOTS_MAX_BYTES) {
		/* A line the limit cuts in two is dropped: a shortened rule would cover more. */
		cut = body[ROBOTS_MAX_BYTES] != '\n' && body[ROBOTS_MAX_BYTES] != '\r';
		len = ROBOTS_MAX_BYTES;
		while (cut && len > 0 && body[len - 1] != '\n' && body[len - 1] != '\r')
			len--;
	}
	i = len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	/* RFC 9309 2.2: a line ends at CR, LF or CRLF. */
	for (; i < len && !p.oom; i = e + 1) {
		for (e = i; e < len && body[e] != '\n' && body[e] != '\r'; e++)
			;
		if (e - i <= ROBOTS_LINE_MAX)
			parse_line(&p, body + i, e - i);
		if (e + 1 < len && body[e] == '\r' && body[e + 1] == '\n')
			e++;
	}
	if (p.oom) {
		ruleset_free(&p.spec);
		ruleset_free(&p.star);
		robots_free(p.rb);
		return NULL;
	}
	p.rb->rules = p.named_us ? p.spec : p.star;
	p.rb->delay_ms = p.named_us ? p.spec_delay : p.star_delay;
	ruleset_free(p.named_us ? &p.star : &p.spec);
	if (p.rb->rules.n > 1)
		qsort(p.rb->rules.r, p.rb->rules.n, sizeof(struct rule), rule_cmp);
	return p.rb;
}

struct robots *
robots_allow_all(void)
{
	return robots_new();
}

struct robots *
robots_disallow_all(void)
{
	struct robots	*rb;

	if ((rb = robots_new()) == NULL)
		return NULL;
	if (ruleset_add(&rb->rules, 0, "/", 1) == -1) {
		robots_free(rb);
		return NULL;
	}
	return rb;
}

void
robots_free(struct robots *rb)
{
	size_t	 i;

	if (rb == NULL)
		return;
	ruleset_free(&rb->rules);
	for (i = 0; i < rb->nsitemaps; i++)
		free(rb->sitemaps[i]);
	free(rb);
}

/*
 * Does the rule match path s[0..n) (both normalised)? The text before the first
 * '*' must be a prefix (matching starts at the first octet, RFC 9309 2.2.2);
 * each later piece is taken at its leftmost occurrence, which leaves the most
 * room for the rest, so a rule costs O(n + len) with a linear memmem.
 */
static int
rule_match(const struct rule *r, const char *s, size_t n)
{
	const char	*p = r->pat, *end = r->pat + r->len, *star, *hit;
	size_t		 seg, pos;

	if (r->lit > n)
		return 0;
	star = memchr(p, '*', r->len);
	seg = star != NULL ? (size_t)(star - p) : r->len;
	if (memcmp(s, p, seg) != 0)
		return 0;
	if (star == NULL)
		return !r->anchored || seg == n;
	for (pos = seg, p = star + 1; ; p = star + 1) {
		star = memchr(p, '*', (size_t)(end - p));
		seg = (size_t)((star != NULL ? star : end) - p);
		if (star == NULL)
			break;
		if (seg == 0)
			continue;
		if ((hit = memmem(s + pos, n - pos, p, seg)) == NULL)
			return 0;
		pos = (size_t)(hit - s) + seg;
	}
	if (r->anchored)
		return seg <= n - pos && memcmp(s + n - seg, p, seg) == 0;
	return seg == 0 || memmem(s + pos, n - pos, p, seg) != NULL;
}

int
robots_allowed(const struct robots *rb, const char *path)
{
	char	*s;
	size_t	 len, n, i;
	int	 ok = 1;

	if (rb == NULL || rb->rules.n == 0)
		return 1;
	if (path == NULL || *path == '\0')
		path = "/";
	if ((len = strlen(path)) > (SIZE_MAX - 1) / 3 || (s = malloc(3 * len + 1)) == NULL)
		return 0;
	n = norm(s, path, len, 0);
	/* RFC 9309 2.2.2: /robots.txt is implicitly allowed. */
	if (strcmp(s, "/robots.txt") == 0)
		goto out;
	/* Sorted longest first, allow first on a tie: the first match decides. */
	for (i = 0; i < rb->rules.n; i++)
		if (rule_match(&rb->rules.r[i], s, n)) {
			ok = rb->rules.r[i].allow;
			break;
		}
out:
	free(s);
	return ok;
}

long
robots_crawl_delay_ms(const struct robots *rb)
{
	return rb != NULL ? rb->delay_ms : -1;
}

size_t
robots_sitemap_count(const struct robots *rb)
{
	return rb != NULL ? rb->nsitemaps : 0;
}

const char *
robots_sitemap(const struct robots *rb, size_t i)
{
	return rb != NULL && i < rb->nsitemaps ? rb->sitemaps[i] : NULL;
}
