/* test_netguard.c: table-driven tests of the SSRF guard: every refused range at its edges, embedded IPv4, the allowlist and its parser. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "scrapeq/netguard.h"
#include "tap.h"

struct arow {
	const char	*addr;
	const char	*want;		/* reason, or NULL: may connect */
};

/* No allowlist: each range at its first and last address and one step outside. */
static const struct arow plain[] = {
	{ "0.0.0.0", "unspecified" },
	{ "0.255.255.255", "unspecified" },
	{ "1.0.0.0", NULL },
	{ "9.255.255.255", NULL },
	{ "10.0.0.0", "private" },
	{ "10.255.255.255", "private" },
	{ "11.0.0.0", NULL },
	{ "100.63.255.255", NULL },
	{ "100.64.0.0", "shared" },
	{ "100.127.255.255", "shared" },
	{ "100.128.0.0", NULL },
	{ "126.255.255.255", NULL },
	{ "127.0.0.0", "loopback" },
	{ "127.0.0.1", "loopback" },
	{ "127.255.255.255", "loopback" },
	{ "128.0.0.0", NULL },
	{ "169.253.255.255", NULL },
	{ "169.254.0.0", "link-local" },
	{ "169.254.169.253", "link-local" },
	{ "169.254.169.254", "metadata" },
	{ "169.254.169.255", "link-local" },
	{ "169.254.255.255", "link-local" },
	{ "169.255.0.0", NULL },
	{ "172.15.255.255", NULL },
	{ "172.16.0.0", "private" },
	{ "172.31.255.255", "private" },
	{ "172.32.0.0", NULL },
	{ "191.255.255.255", NULL },
	{ "192.0.0.0", "reserved" },
	{ "192.0.0.255", "reserved" },
	{ "192.0.1.0", NULL },
	{ "192.0.1.255", NULL },
	{ "192.0.2.0", "documentation" },
	{ "192.0.2.255", "documentation" },
	{ "192.0.3.0", NULL },
	{ "192.167.255.255", NULL },
	{ "192.168.0.0", "private" },
	{ "192.168.255.255", "private" },
	{ "192.169.0.0", NULL },
	{ "198.17.255.255", NULL },
	{ "198.18.0.0", "benchmarking" },
	{ "198.19.255.255", "benchmarking" },
	{ "198.20.0.0", NULL },
	{ "198.51.99.255", NULL },
	{ "198.51.100.0", "documentation" },
	{ "198.51.100.255", "documentation" },
	{ "198.51.101.0", NULL },
	{ "203.0.112.255", NULL },
	{ "203.0.113.0", "documentation" },
	{ "203.0.113.255", "documentation" },
	{ "203.0.114.0", NULL },
	{ "223.255.255.255", NULL },
	{ "224.0.0.0", "multicast" },
	{ "239.255.255.255", "multicast" },
	{ "240.0.0.0", "reserved" },
	{ "255.255.255.254", "reserved" },
	{ "255.255.255.255", "broadcast" },
	{ "8.8.8.8", NULL },
	{ "1.1.1.1", NULL },
	{ "93.184.216.34", NULL },

	{ "::", "unspecified" },
	{ "::1", "loopback" },
	{ "::2", "unspecified" },			/* compatible 0.0.0.2 */
	{ "fd00:ec2::253", "unique-local" },
	{ "fd00:ec2::254", "metadata" },
	{ "fd00:ec2::255", "unique-local" },
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "fc00::", "unique-local" },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique-local" },
	{ "fe00::", NULL },
	{ "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "fe80::", "link-local" },
	{ "fe80::1", "link-local" },
	{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local" },
	{ "fec0::", "site-local" },
	{ "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "site-local" },
	{ "ff00::", "multicast" },
	{ "ff02::1", "multicast" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast" },
	{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "2001:db8::", "documentation" },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "documentation" },
	{ "2001:db9::", NULL },
	{ "ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "100::", "discard" },
	{ "100::ffff:ffff:ffff:ffff", "discard" },
	{ "100:0:0:1::", NULL },
	{ "64:ff9b:1::", "reserved" },
	{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "reserved" },
	{ "64:ff9b:2::", NULL },
	{ "2606:4700:4700::1111", NULL },
	{ "2a00:1450:4001:80b::200e", NULL },

	/* IPv4-mapped ::ffff:0:0/96 */
	{ "::ffff:127.0.0.1", "loopback" },
	{ "::ffff:10.1.2.3", "private" },
	{ "::ffff:169.254.169.254", "metadata" },
	{ "::ffff:0.0.0.0", "unspecified" },
	{ "::ffff:255.255.255.255", "broadcast" },
	{ "::ffff:100.64.0.1", "shared" },
	{ "::ffff:8.8.8.8", NULL },
	{ "::fffe:7f00:1", NULL },			/* next to the mapped prefix */
	{ "::1:ffff:7f00:1", NULL },
	/* IPv4-compatible ::/96 */
	{ "::127.0.0.1", "loopback" },
	{ "::192.168.1.1", "private" },
	{ "::8.8.8.8", NULL },
	{ "::1:7f00:1", NULL },				/* bits 80-95 set: not ::/96 */
	/* NAT64 64:ff9b::/96 */
	{ "64:ff9b::7f00:1", "loopback" },
	{ "64:ff9b::169.254.169.254", "metadata" },
	{ "64:ff9b::10.0.0.1", "private" },
	{ "64:ff9b::8.8.8.8", NULL },
	{ "64:ff9b::1:7f00:1", NULL },			/* outside the /96 */
	/* 6to4 2002::/16 */
	{ "2002:7f00:1::", "loopback" },
	{ "2002:7f00:1:0:0:0:0:1", "loopback" },
	{ "2002:c0a8:101::1", "private" },
	{ "2002:a9fe:a9fe::", "metadata" },
	{ "2002:ac10::", "private" },
	{ "2002:808:808::", NULL },
	{ "2001:ffff:7f00:1::", NULL },
	{ "2003:7f00:1::", NULL },
};

/* Builds a sockaddr for a textual address; returns its length, 0 if it does not parse. */
static socklen_t
mksa(const char *addr, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*in = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(80);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(443);
		return sizeof(*in6);
	}
	return 0;
}

static void
check_rows(const char *what, const struct netguard *g, const struct arow *rows, size_t n)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const char		*got;
	size_t			 i;
	char			 label[128];

	for (i = 0; i < n; i++) {
		if ((len = mksa(rows[i].addr, &ss)) == 0) {
			TAP_FAIL("%s: row %zu: bad test address %s", what, i, rows[i].addr);
			continue;
		}
		got = netguard_refuse(g, (struct sockaddr *)&ss, len);
		snprintf(label, sizeof(label), "%s %s", what, rows[i].addr);
		TAP_STREQ(got, rows[i].want, label);
	}
}

struct allowcase {
	const char		*list;
	const struct arow	*rows;
	size_t			 n;
};

static const struct arow allow_test[] = {
	{ "127.0.0.1", NULL },
	{ "127.255.255.255", NULL },
	{ "::ffff:127.0.0.1", NULL },		/* an IPv4 net lets its mapped form through */
	{ "::127.0.0.1", NULL },
	{ "64:ff9b::7f00:1", NULL },
	{ "2002:7f00:1::", NULL },
	{ "::1", NULL },
	{ "::2", "unspecified" },
	{ "10.1.0.0", NULL },
	{ "10.1.255.255", NULL },
	{ "10.0.255.255", "private" },
	{ "10.2.0.0", "private" },
	{ "::ffff:10.2.0.0", "private" },
	{ "fd12:3456::1", NULL },
	{ "fd00:ec2::254", NULL },		/* the allowlist overrides even metadata */
	{ "fc00::1", "unique-local" },
	{ "169.254.169.254", "metadata" },
	{ "8.8.8.8", NULL },
};

static const struct arow allow_one[] = {
	{ "169.254.169.254", NULL },
	{ "169.254.169.253", "link-local" },
	{ "169.254.169.255", "link-local" },
};

static const struct arow allow_v4_all[] = {
	{ "10.0.0.1", NULL },
	{ "255.255.255.255", NULL },
	{ "::ffff:10.0.0.1", NULL },
	{ "::1", "loopback" },
	{ "fe80::1", "link-local" },
};

static const struct arow allow_v6_all[] = {
	{ "::1", NULL },
	{ "fe80::1", NULL },
	{ "::ffff:127.0.0.1", NULL },
	{ "127.0.0.1", "loopback" },
};

static const struct arow allow_mapped_net[] = {
	{ "::ffff:10.0.0.1", NULL },
	{ "10.0.0.1", "private" },		/* a v6 net does not open the v4 address */
};

static const struct arow allow_odd_prefix[] = {
	{ "10.127.255.255", "private" },
	{ "10.128.0.0", NULL },
	{ "10.255.255.255", NULL },
	{ "11.0.0.0", NULL },
	{ "fe80::1", NULL },
	{ "febf::1", NULL },
	{ "fec0::1", NULL },			/* fe80::/9 holds fec0::/10 too */
	{ "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "ff00::", "multicast" },
};

#define CASE(l, r)	{ l, r, sizeof(r) / sizeof((r)[0]) }

static const struct allowcase allowcases[] = {
	CASE("127.0.0.0/8, ::1 10.1.0.0/16,fd00::/8", allow_test),
	CASE("169.254.169.254", allow_one),
	CASE("0.0.0.0/0", allow_v4_all),
	CASE("::/0", allow_v6_all),
	CASE("::ffff:0:0/96", allow_mapped_net),
	CASE("10.128.0.0/9 fe80::/9", allow_odd_prefix),
};

static void
test_allowlist(void)
{
	struct netguard	 g;
	char		 err[256], what[64];
	size_t		 i;

	for (i = 0; i < sizeof(allowcases) / sizeof(allowcases[0]); i++) {
		if (netguard_parse(&g, allowcases[i].list, err, sizeof(err)) != 0) {
			TAP_FAIL("allowlist \"%s\" did not parse: %s", allowcases[i].list, err);
			continue;
		}
		snprintf(what, sizeof(what), "allow[%zu]", i);
		check_rows(what, &g, allowcases[i].rows, allowcases[i].n);
	}
}

struct prow {
	const char	*list;
	int		 rc;
	size_t		 n;		/* networks on success */
	const char	*err;		/* substring of err on failure */
};

static const struct prow prows[] = {
	{ "", 0, 0, NULL },
	{ " , ,,\t\n ", 0, 0, NULL },
	{ "127.0.0.0/8", 0, 1, NULL },
	{ "127.0.0.1", 0, 1, NULL },
	{ "::1", 0, 1, NULL },
	{ "10.0.0.0/8,192.168.0.0/16 fd00::/8\t::1/128\n", 0, 4, NULL },
	{ ",10.0.0.0/8,", 0, 1, NULL },
	{ "0.0.0.0/0", 0, 1, NULL },
	{ "::/0", 0, 1, NULL },
	{ "1.2.3.4/32", 0, 1, NULL },
	{ "10.128.0.0/9", 0, 1, NULL },
	{ "fe80::/9", 0, 1, NULL },
	{ "::ffff:127.0.0.1/128", 0, 1, NULL },
	{ "10.1.2.3/8", -1, 0, "\"10.1.2.3/8\": address has bits set past the prefix" },
	{ "10.64.0.0/9", -1, 0, "bits set past the prefix" },
	{ "fec0::/9", -1, 0, "bits set past the prefix" },
	{ "::1/127", -1, 0, "bits set past the prefix" },
	{ "10.0.0.0/33", -1, 0, "prefix is not a number from 0 to 32" },
	{ "::/129", -1, 0, "prefix is not a number from 0 to 128" },
	{ "10.0.0.0/", -1, 0, "prefix" },
	{ "10.0.0.0/08", -1, 0, "prefix" },
	{ "10.0.0.0/0008", -1, 0, "prefix" },
	{ "10.0.0.0/-1", -1, 0, "prefix" },
	{ "10.0.0.0/+8", -1, 0, "prefix" },
	{ "10.0.0.0/8/8", -1, 0, "prefix" },
	{ "10.0.0.0/8x", -1, 0, "prefix" },
	{ "::/1280", -1, 0, "prefix" },
	{ "/8", -1, 0, "not an IP address" },
	{ "127.1", -1, 0, "\"127.1\": not an IP address" },
	{ "0x7f.0.0.1", -1, 0, "not an IP address" },
	{ "010.0.0.0/8", -1, 0, "not an IP address" },
	{ "256.0.0.0/8", -1, 0, "not an IP address" },
	{ "1.2.3.4.5", -1, 0, "not an IP address" },
	{ "localhost", -1, 0, "not an IP address" },
	{ "fe80::1%eth0", -1, 0, "not an IP address" },
	{ ":::", -1, 0, "not an IP address" },
	{ "1::2::3", -1, 0, "not an IP address" },
	{ "10.0.0.0;8", -1, 0, "not an IP address" },
	{ "127.0.0.0/8, bad", -1, 0, "\"bad\": not an IP address" },
	{ "10.0.0.0/8 \x01\x7f", -1, 0, "\"??\": not an IP address" },
	{ "1234567890123456789012345678901234567890123456789012345678901234567890", -1, 0,
	  "\"12345678901234567890123456789012345678901234567890...\": too long" },
};

static void
test_parse(void)
{
	struct netguard	 g;
	char		 err[256];
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(prows) / sizeof(prows[0]); i++) {
		memset(&g, 0xa5, sizeof(g));
		rc = netguard_parse(&g, prows[i].list, err, sizeof(err));
		if (prows[i].rc == 0)
			TAP_CHECK(rc == 0 && g.n == prows[i].n && err[0] == '\0',
			    "parse row %zu: rc %d n %zu err \"%s\", want 0 and %zu nets", i, rc,
			    g.n, err, prows[i].n);
		else
			TAP_CHECK(rc == -1 && g.n == 0 && strstr(err, prows[i].err) != NULL,
			    "parse row %zu: rc %d n %zu err \"%s\", want -1 with \"%s\"", i, rc,
			    g.n, err, prows[i].err);
	}
	TAP_CHECK(netguard_parse(&g, NULL, err, sizeof(err)) == 0 && g.n == 0, "NULL list");
	TAP_CHECK(netguard_parse(&g, "bad", NULL, 0) == -1, "NULL err");
	TAP_CHECK(netguard_parse(&g, "bad", err, 1) == -1 && err[0] == '\0', "errsz 1");
	rc = netguard_parse(&g, "10.0.0.0/8 172.16.0.0/12 fe80::/10", err, sizeof(err));
	TAP_CHECK(rc == 0 && g.n == 3 && g.nets[0].family == AF_INET && g.nets[0].prefix == 8 &&
	    g.nets[0].addr[0] == 10 && g.nets[1].prefix == 12 && g.nets[2].family == AF_INET6 &&
	    g.nets[2].prefix == 10 && g.nets[2].addr[0] == 0xfe && g.nets[2].addr[1] == 0x80,
	    "parsed networks hold family, address and prefix");
	rc = netguard_parse(&g, "1.2.3.4", err, sizeof(err));
	TAP_CHECK(rc == 0 && g.nets[0].prefix == 32, "bare IPv4 is /32");
	rc = netguard_parse(&g, "2001:db8::1", err, sizeof(err));
	TAP_CHECK(rc == 0 && g.nets[0].prefix == 128, "bare IPv6 is /128");
}

/* Exactly NETGUARD_MAX_NETS networks parse; one more is refused. */
static void
test_count(void)
{
	struct netguard	 g;
	char		 list[2048], err[256];
	size_t		 used = 0;
	int		 i, rc;

	for (i = 0; i < NETGUARD_MAX_NETS; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "10.0.%d.0/24,", i);
	rc = netguard_parse(&g, list, err, sizeof(err));
	TAP_CHECK(rc == 0 && g.n == NETGUARD_MAX_NETS, "64 networks: rc %d n %zu %s", rc, g.n, err);
	snprintf(list + used, sizeof(list) - used, "10.1.0.0/24");
	rc = netguard_parse(&g, list, err, sizeof(err));
	TAP_CHECK(rc == -1 && g.n == 0 && strstr(err, "too many networks") != NULL,
	    "65 networks: rc %d err %s", rc, err);
}

static void
test_bad_sockaddr(void)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_un	 un;
	socklen_t		 len;

	TAP_STREQ(netguard_refuse(NULL, NULL, 0), "bad address", "NULL sockaddr");
	len = mksa("8.8.8.8", &ss);
	TAP_STREQ(netguard_refuse(NULL, (struct sockaddr *)&ss, len), NULL, "public v4 passes");
	TAP_STREQ(netguard_refuse(NULL, (struct sockaddr *)&ss, len - 1), "bad address",
	    "short sockaddr_in");
	TAP_STREQ(netguard_refuse(NULL, (struct sockaddr *)&ss, 1), "bad address",
	    "shorter than a family");
	len = mksa("2606:4700:4700::1111", &ss);
	TAP_STREQ(netguard_refuse(NULL, (struct sockaddr *)&ss, len), NULL, "public v6 passes");
	TAP_STREQ(netguard_refuse(NULL, (struct sockaddr *)&ss, sizeof(struct sockaddr_in)),
	    "bad address", "sockaddr_in6 cut to sockaddr_in size");
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	TAP_STREQ(netguard_refuse(NULL, (struct sockaddr *)&un, sizeof(un)),
	    "unsupported address family", "AF_UNIX");
}

int
main(void)
{
	struct netguard	 empty;

	check_rows("plain", NULL, plain, sizeof(plain) / sizeof(plain[0]));
	TAP_CHECK(netguard_parse(&empty, "", NULL, 0) == 0, "empty allowlist");
	check_rows("empty-list", &empty, plain, sizeof(plain) / sizeof(plain[0]));
	test_allowlist();
	test_parse();
	test_count();
	test_bad_sockaddr();
	return tap_done("test_netguard");
}
