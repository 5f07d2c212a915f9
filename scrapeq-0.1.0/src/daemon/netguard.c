/* netguard.c: the crawler's SSRF guard: may a connection go to this resolved address? */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "scrapeq/netguard.h"

/* Longest allowlist item: an IPv6 address in its longest spelling, "/", 3 digits. */
#define ITEM_MAX	(INET6_ADDRSTRLEN + 4)

struct range {
	unsigned char	 addr[16];
	unsigned	 prefix;
	const char	*why;
};

/*
 * The first match wins, so a narrow range (metadata, broadcast) comes before the
 * wider one that holds it. IANA's special-purpose registries (RFC 6890) list them.
 */
static const struct range v4_refused[] = {
	{ { 169, 254, 169, 254 }, 32, "metadata" },
	{ { 255, 255, 255, 255 }, 32, "broadcast" },
	{ { 0 }, 8, "unspecified" },
	{ { 10 }, 8, "private" },
	{ { 100, 64 }, 10, "shared" },
	{ { 127 }, 8, "loopback" },
	{ { 169, 254 }, 16, "link-local" },
	{ { 172, 16 }, 12, "private" },
	{ { 192, 0, 0 }, 24, "reserved" },
	{ { 192, 0, 2 }, 24, "documentation" },
	{ { 192, 168 }, 16, "private" },
	{ { 198, 18 }, 15, "benchmarking" },
	{ { 198, 51, 100 }, 24, "documentation" },
	{ { 203, 0, 113 }, 24, "documentation" },
	{ { 224 }, 4, "multicast" },
	{ { 240 }, 4, "reserved" },
};

static const struct range v6_refused[] = {
	{ { 0 }, 128, "unspecified" },
	{ { [15] = 1 }, 128, "loopback" },
	{ { 0xfd, 0x00, 0x0e, 0xc2, [14] = 0x02, [15] = 0x54 }, 128, "metadata" },
	{ { 0xfe, 0x80 }, 10, "link-local" },
	{ { 0xfe, 0xc0 }, 10, "site-local" },
	{ { 0xfc }, 7, "unique-local" },
	{ { 0xff }, 8, "multicast" },
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, "documentation" },
	{ { 0x01, 0x00 }, 64, "discard" },
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48, "reserved" },	/* local NAT64, RFC 8215 */
};

/* IPv6 prefixes that carry an IPv4 address, and where it sits. */
static const struct embed {
	unsigned char	 addr[16];
	unsigned	 prefix;
	size_t		 off;
} v6_embeds[] = {
	{ { [10] = 0xff, [11] = 0xff }, 96, 12 },		/* ::ffff:0:0/96 mapped */
	{ { 0 }, 96, 12 },					/* ::/96 compatible */
	{ { 0x00, 0x64, 0xff, 0x9b }, 96, 12 },			/* 64:ff9b::/96 NAT64 */
	{ { 0x20, 0x02 }, 16, 2 },				/* 2002::/16 6to4 */
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
prefix_match(const unsigned char *a, const unsigned char *net, unsigned prefix)
{
	unsigned	 full = prefix / 8, rest = prefix % 8;
	unsigned char	 mask;

	if (memcmp(a, net, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (net[full] & mask);
}

static const char *
range_find(const struct range *r, size_t n, const unsigned char *a)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (prefix_match(a, r[i].addr, r[i].prefix))
			return r[i].why;
	return NULL;
}

/* Copies the IPv4 address inside a v6 one into v4; 0 when it carries none. */
static int
embedded_v4(const unsigned char *a, unsigned char *v4)
{
	static const unsigned char	 zero[16];
	size_t				 i;

	/* :: and ::1 are themselves, not 0.0.0.0 and 0.0.0.1 in disguise. */
	if (memcmp(a, zero, 15) == 0 && a[15] <= 1)
		return 0;
	for (i = 0; i < NELEM(v6_embeds); i++)
		if (prefix_match(a, v6_embeds[i].addr, v6_embeds[i].prefix)) {
			memcpy(v4, a + v6_embeds[i].off, 4);
			return 1;
		}
	return 0;
}

static int
allowed(const struct netguard *g, int family, const unsigned char *a)
{
	size_t	 i;

	for (i = 0; i < g->n; i++)
		if (g->nets[i].family == family &&
		    prefix_match(a, g->nets[i].addr, g->nets[i].prefix))
			return 1;
	return 0;
}

/*
 * Called for every connection (libcurl's CURLOPT_OPENSOCKETFUNCTION), so it only
 * reads: no allocation, no locks, a few dozen prefix compares.
 */
const char *
netguard_refuse(const struct netguard *g, const struct sockaddr *sa, socklen_t len)
{
	unsigned char	 a[16], v4[4];
	int		 family, has4;
	const char	*why;

	if (sa == NULL || len < (socklen_t)sizeof(sa_family_t))
		return "bad address";
	family = sa->sa_family;
	if (family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		memcpy(v4, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		has4 = 1;
	} else if (family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		memcpy(a, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		has4 = embedded_v4(a, v4);
	} else
		return family == AF_INET || family == AF_INET6 ? "bad address" :
		    "unsupported address family";
	if (g != NULL && ((family == AF_INET6 && allowed(g, AF_INET6, a)) ||
	    (has4 && allowed(g, AF_INET, v4))))
		return NULL;
	if (family == AF_INET6 && (why = range_find(v6_refused, NELEM(v6_refused), a)) != NULL)
		return why;
	return has4 ? range_find(v4_refused, NELEM(v4_refused), v4) : NULL;
}

/* Writes "allowlist item "<item>": why" into err, the item cut short and made printable. */
static int
parse_fail(char *err, size_t errsz, const char *item, size_t len, const char *why)
{
	char	 shown[ITEM_MAX + 1];
	size_t	 i, n = len > ITEM_MAX ? ITEM_MAX : len;

	for (i = 0; i < n; i++)
		shown[i] = isprint((unsigned char)item[i]) ? item[i] : '?';
	shown[n] = '\0';
	if (err != NULL && errsz > 0)
		snprintf(err, errsz, "allowlist item \"%s%s\": %s", shown,
		    n < len ? "..." : "", why);
	return -1;
}

/* A prefix length: 1 to 3 digits, no leading zero, at most max. Returns it or -1. */
static int
parse_prefix(const char *s, unsigned max)
{
	unsigned	 v = 0;
	size_t		 i;

	if (s[0] == '\0' || strlen(s) > 3 || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= max ? (int)v : -1;
}

/* Any bit set past the prefix? */
static int
host_bits(const unsigned char *a, unsigned prefix, unsigned bits)
{
	unsigned	 i;

	for (i = prefix; i < bits; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return 1;
	return 0;
}

static int
parse_net(struct netguard *g, const char *item, size_t len, char *err, size_t errsz)
{
	struct netguard_net	*net = &g->nets[g->n];
	char			 buf[ITEM_MAX + 1], *slash;
	unsigned		 bits;
	int			 prefix;

	if (g->n == NETGUARD_MAX_NETS)
		return parse_fail(err, errsz, item, len, "too many networks (at most 64)");
	if (len > ITEM_MAX)
		return parse_fail(err, errsz, item, len, "too long");
	memcpy(buf, item, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	memset(net, 0, sizeof(*net));
	net->family = strchr(buf, ':') != NULL ? AF_INET6 : AF_INET;
	bits = net->family == AF_INET6 ? 128 : 32;
	if (inet_pton(net->family, buf, net->addr) != 1)
		return parse_fail(err, errsz, item, len, "not an IP address");
	if ((prefix = slash == NULL ? (int)bits : parse_prefix(slash, bits)) < 0)
		return parse_fail(err, errsz, item, len, net->family == AF_INET6 ?
		    "prefix is not a number from 0 to 128" : "prefix is not a number from 0 to 32");
	if (host_bits(net->addr, (unsigned)prefix, bits))
		return parse_fail(err, errsz, item, len, "address has bits set past the prefix");
	net->prefix = (unsigned)prefix;
	g->n++;
	return 0;
}

/*
 * Strict: every item must be a network address with its host bits clear
 * ("10.1.2.3/8" is an error, not 10.0.0.0/8), so a typo in the one setting that
 * opens the guard cannot widen or shift what it opens without being noticed.
 */
int
netguard_parse(struct netguard *g, const char *list, char *err, size_t errsz)
{
	const char	*p = list, *item;

	memset(g, 0, sizeof(*g));
	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (list == NULL)
		return 0;
	for (;;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return 0;
		item = p;
		while (*p != '\0' && *p != ',' && !isspace((unsigned char)*p))
			p++;
		if (parse_net(g, item, (size_t)(p - item), err, errsz) == -1) {
			g->n = 0;
			return -1;
		}
	}
}
