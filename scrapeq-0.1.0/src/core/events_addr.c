/* events_addr.c: the hub's listen address, parsed once for the hub and the API's probe. */
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scrapeq/events_addr.h"

#define UNIX_PATH_MAX_ 107

int
events_addr_parse(const char *s, struct events_addr *out)
{
	const char	*colon, *hs = s, *he;
	char		*end;
	unsigned long	 port;
	unsigned char	 tmp[sizeof(struct in6_addr)];
	size_t		 n;

	memset(out, 0, sizeof(*out));
	if (strncmp(s, "unix:", 5) == 0) {
		n = strlen(s + 5);
		if (s[5] != '/' || n > UNIX_PATH_MAX_ || n >= sizeof(out->host))
			return -1;
		out->is_unix = 1;
		memcpy(out->host, s + 5, n + 1);
		return 0;
	}
	if ((colon = strrchr(s, ':')) == NULL || colon[1] == '\0')
		return -1;
	he = colon;
	if (*s == '[') {
		if (colon == s || colon[-1] != ']')
			return -1;
		hs = s + 1;
		he = colon - 1;
	}
	n = (size_t)(he - hs);
	if (n == 0 || n >= sizeof(out->host))
		return -1;
	memcpy(out->host, hs, n);
	out->host[n] = '\0';
	if (inet_pton(*s == '[' ? AF_INET6 : AF_INET, out->host, tmp) != 1)
		return -1;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port < 1 || port > 65535 || colon[1] == '+' ||
	    colon[1] == '-' || colon[1] == ' ')
		return -1;
	out->port = (unsigned)port;
	return 0;
}

int
events_probe(const char *s, unsigned timeout_ms)
{
	struct events_addr	 a;
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	struct pollfd		 p;
	int			 fd = -1, up = 0, err = 0;
	socklen_t		 el = sizeof(err);

	if (events_addr_parse(s, &a) == -1)
		return 0;
	memset(&ss, 0, sizeof(ss));
	if (a.is_unix) {
		struct sockaddr_un *u = (struct sockaddr_un *)&ss;

		u->sun_family = AF_UNIX;
		memcpy(u->sun_path, a.host, strlen(a.host) + 1);
		sl = sizeof(*u);
	} else if (strchr(a.host, ':') != NULL) {
		struct sockaddr_in6 *i6 = (struct sockaddr_in6 *)&ss;

		i6->sin6_family = AF_INET6;
		i6->sin6_port = htons((unsigned short)a.port);
		(void)inet_pton(AF_INET6, a.host, &i6->sin6_addr);
		sl = sizeof(*i6);
	} else {
		struct sockaddr_in *i4 = (struct sockaddr_in *)&ss;

		i4->sin_family = AF_INET;
		i4->sin_port = htons((unsigned short)a.port);
		(void)inet_pton(AF_INET, a.host, &i4->sin_addr);
		sl = sizeof(*i4);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0)
		up = 1;
	else if (errno == EINPROGRESS) {
		p.fd = fd;
		p.events = POLLOUT;
		if (poll(&p, 1, (int)timeout_ms) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
			up = 1;
	}
	close(fd);
	return up;
}
