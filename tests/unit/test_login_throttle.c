/* test_login_throttle.c: the address keys failed logins are counted under, and the throttling decision. */
#include <stdio.h>
#include <string.h>

#include "scrapeq/login_throttle.h"
#include "tap.h"

#define CHECK(cond, what) TAP_CHECK(cond, "%s", what)

static void
test_addr_key(void)
{
	static const struct {
		const char	*in, *want;
	} rows[] = {
		{ "127.0.0.1", "127.0.0.1" },
		{ "203.0.113.7", "203.0.113.7" },
		{ "::ffff:203.0.113.7", "203.0.113.7" },
		{ "::FFFF:198.51.100.1", "198.51.100.1" },
		{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
		{ "2001:db8:1:2::ffff", "2001:db8:1:2::/64" },
		{ "2001:DB8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64" },
		{ "::1", "::/64" },
		{ "fe80::1", "fe80::/64" },
		{ "", "unknown" },
		{ NULL, "unknown" },
		{ "unix:", "unix:" },
		{ "1.2.3", "1.2.3" },
		{ "1.2.3.256", "1.2.3.256" },
		{ "a b\tc\x01", "a?b?c?" },
		{ "01234567890123456789012345678901234567890123456789012345678901234567890123456789",
		  "0123456789012345678901234567890123456789012345678901234567890123" },
	};
	char	 out[SQ_LOGIN_SUBJECT_MAX + 1];
	size_t	 i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memset(out, 'x', sizeof out);
		login_addr_key(rows[i].in, out);
		TAP_STREQ(out, rows[i].want, rows[i].in ? rows[i].in : "(null)");
	}
}

static void
test_decide(void)
{
	static const struct {
		const char		*what;
		int			 has_user, has_addr;
		struct login_window	 user, addr;
		unsigned		 want;
	} rows[] = {
		{ "no rows", 0, 0, { 0, 0 }, { 0, 0 }, 0 },
		{ "user under bound", 1, 0, { 9, 5000000 }, { 0, 0 }, 0 },
		{ "user at bound", 1, 0, { 10, 5000000 }, { 0, 0 }, 5 },
		{ "user over bound", 1, 0, { 50, 5000000 }, { 0, 0 }, 5 },
		{ "rounds up", 1, 0, { 10, 4000001 }, { 0, 0 }, 5 },
		{ "less than a second left is 1", 1, 0, { 10, 1 }, { 0, 0 }, 1 },
		{ "window ended", 1, 0, { 10, 0 }, { 0, 0 }, 0 },
		{ "window ended long ago", 1, 0, { 1000, -99000000 }, { 0, 0 }, 0 },
		{ "addr under bound", 0, 1, { 0, 0 }, { 29, 9000000 }, 0 },
		{ "addr at bound", 0, 1, { 0, 0 }, { 30, 9000000 }, 9 },
		{ "both over: the later end", 1, 1, { 10, 3000000 }, { 30, 7000000 }, 7 },
		{ "both over: the later end (user)", 1, 1, { 10, 8000000 }, { 30, 7000000 }, 8 },
		{ "user over, addr under", 1, 1, { 10, 3000000 }, { 3, 7000000 }, 3 },
		{ "user ended, addr over", 1, 1, { 10, -1 }, { 30, 2000000 }, 2 },
		{ "capped at the longest window", 1, 0, { 10, 999999999999LL }, { 0, 0 },
		  SQ_LOGIN_WINDOW_MAX },
	};
	size_t	 i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		unsigned got = login_throttle_decide(rows[i].has_user ? &rows[i].user : NULL,
		    rows[i].has_addr ? &rows[i].addr : NULL, 10, 30);

		TAP_CHECK(got == rows[i].want, "%s: got %u, want %u", rows[i].what, got,
		    rows[i].want);
	}
}

int
main(void)
{
	test_addr_key();
	test_decide();
	return tap_done("test_login_throttle");
}
