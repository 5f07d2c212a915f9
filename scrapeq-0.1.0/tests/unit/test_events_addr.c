/* test_events_addr.c: table-driven tests of events_addr_parse ([events] listen) and the probe. */
#include <sys/socket.h>
#include <sys/un.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scrapeq/events_addr.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char	*s;
		int		 rc, is_unix;
		const char	*host;
		unsigned	 port;
	} rows[] = {
		{ "127.0.0.1:8091", 0, 0, "127.0.0.1", 8091 },
		{ "0.0.0.0:1", 0, 0, "0.0.0.0", 1 },
		{ "[::1]:65535", 0, 0, "::1", 65535 },
		{ "unix:/run/scrapeq/events.sock", 0, 1, "/run/scrapeq/events.sock", 0 },
		{ "unix:relative.sock", -1, 0, NULL, 0 },
		{ "unix:", -1, 0, NULL, 0 },
		{ "unix:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		    -1, 0, NULL, 0 },
		{ "127.0.0.1", -1, 0, NULL, 0 },
		{ "127.0.0.1:", -1, 0, NULL, 0 },
		{ "127.0.0.1:0", -1, 0, NULL, 0 },
		{ "127.0.0.1:65536", -1, 0, NULL, 0 },
		{ "127.0.0.1:-1", -1, 0, NULL, 0 },
		{ "127.0.0.1:+80", -1, 0, NULL, 0 },
		{ "127.0.0.1:80x", -1, 0, NULL, 0 },
		{ "localhost:80", -1, 0, NULL, 0 },
		{ "::1:80", -1, 0, NULL, 0 },
		{ "[::1:80", -1, 0, NULL, 0 },
		{ ":80", -1, 0, NULL, 0 },
		{ "", -1, 0, NULL, 0 },
	};
	struct events_addr	 a;
	struct sockaddr_un	 u;
	char			 path[64];
	size_t			 i;
	int			 rc, fd;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rc = events_addr_parse(rows[i].s, &a);
		TAP_CHECK(rc == rows[i].rc, "'%s': rc %d", rows[i].s, rc);
		if (rc == 0 && rows[i].rc == 0) {
			TAP_STREQ(a.host, rows[i].host, rows[i].s);
			TAP_CHECK(a.port == rows[i].port && a.is_unix == rows[i].is_unix,
			    "'%s': port %u unix %d", rows[i].s, a.port, a.is_unix);
		}
	}
	/* The probe: down before anything listens, up after. */
	snprintf(path, sizeof(path), "/tmp/sq-probe-%d.sock", (int)getpid());
	unlink(path);
	snprintf(u.sun_path, sizeof(u.sun_path), "%s", path);
	u.sun_family = AF_UNIX;
	{
		char s[80];

		snprintf(s, sizeof(s), "unix:%s", path);
		TAP_CHECK(events_probe(s, 100) == 0, "probe: nothing listens");
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		TAP_CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&u, sizeof(u)) == 0 &&
		    listen(fd, 1) == 0, "listen");
		TAP_CHECK(events_probe(s, 100) == 1, "probe: listening");
		TAP_CHECK(events_probe("nonsense", 100) == 0, "probe: bad address");
		close(fd);
		unlink(path);
	}
	return tap_done("test_events_addr");
}
