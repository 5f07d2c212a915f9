/* netguard.h: which addresses the crawler may connect to; checked on every connection. */
#ifndef SCRAPEQ_NETGUARD_H
#define SCRAPEQ_NETGUARD_H

#include <stddef.h>
#include <sys/socket.h>

#define NETGUARD_MAX_NETS 64

struct netguard_net {
	int		 family;        /* AF_INET or AF_INET6 */
	unsigned char	 addr[16];
	unsigned	 prefix;        /* bits */
};

/* The allowlist from the config: networks that are fetched even though private. */
struct netguard {
	struct netguard_net	nets[NETGUARD_MAX_NETS];
	size_t			n;
};

/*
 * Parses a comma- or space-separated list of CIDR networks ("127.0.0.0/8, ::1/128",
 * a bare address means /32 or /128) into g. Addresses are read by inet_pton (so
 * dotted-quad IPv4 only: no "127.1", no octal); a prefix is 0 to 32 or 0 to 128,
 * decimal, without leading zeros. Host bits set past the prefix ("10.1.2.3/8") are
 * an error, not masked, so a typo cannot silently open a different network. An
 * empty or NULL list is an empty allowlist. Returns 0, or -1 with g empty and the
 * offending item (cut short, non-printables replaced) described in err.
 */
int	netguard_parse(struct netguard *g, const char *list, char *err, size_t errsz);

/*
 * Returns NULL when sa may be connected to, else a short reason ("loopback",
 * "private", "link-local", "unique-local", "metadata", "unspecified", "multicast",
 * "reserved", "shared"/CGNAT, "documentation", "benchmarking", "broadcast",
 * "site-local", "discard", "bad address", "unsupported address family"). IPv4-mapped
 * and IPv4-compatible IPv6 addresses, NAT64 (64:ff9b::/96) and 6to4 are judged by
 * the IPv4 address inside. Public addresses pass; an address in a listed network
 * passes whatever it is, and an IPv4 network also lets through the IPv6 forms
 * that carry one of its addresses. g may be NULL (no allowlist). Reads only: no
 * allocation, no locks, safe from libcurl's CURLOPT_OPENSOCKETFUNCTION.
 */
const char *netguard_refuse(const struct netguard *g, const struct sockaddr *sa,
	    socklen_t len);

#endif
