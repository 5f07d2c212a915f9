/* events_addr.h: where scrapeq-events listens ([events] listen), and whether it answers there. */
#ifndef SCRAPEQ_EVENTS_ADDR_H
#define SCRAPEQ_EVENTS_ADDR_H

#include <stddef.h>

struct events_addr {
	int		 is_unix;        /* "unix:/path" */
	char		 host[256];      /* an IPv4 or IPv6 address (brackets removed), or the socket path */
	unsigned	 port;           /* 1..65535; 0 for a unix socket */
};

/*
 * Parses "HOST:PORT" (HOST an IPv4 address, or an IPv6 one in brackets) or
 * "unix:/absolute/path" (at most 107 bytes). Returns 0 with *out, or -1.
 */
int	events_addr_parse(const char *s, struct events_addr *out);

/*
 * 1 when something accepts a connection at s within timeout_ms (the hub is up),
 * 0 when not or when s does not parse. Used by GET /api/v1/status.
 */
int	events_probe(const char *s, unsigned timeout_ms);

#endif
