/* login_throttle.h: failed password logins counted per user name and per client address, in MariaDB. */
#ifndef SCRAPEQ_LOGIN_THROTTLE_H
#define SCRAPEQ_LOGIN_THROTTLE_H

#include "config.h"
#include "db.h"
#include "err.h"
#include "limits.h"

/*
 * Every API worker on every host reads and writes the same login_failures rows, so the
 * counts hold across the whole pool. A window starts at its subject's first failure
 * and lasts [auth] login_window_seconds; past login_failures_per_user failures of one
 * user name, or login_failures_per_address from one address, in their windows, logins
 * are refused (429) until the window ends. Refused attempts are not counted, so a
 * window always ends on time: an attacker gets that many guesses per window, and a
 * user whose name is attacked can log in again once the attack stops for one window.
 */

/* One stored window: its failures and the microseconds until it ends (<= 0: ended). */
struct login_window {
	unsigned	 failures;
	long long	 remaining_us;
};

/*
 * Writes the key an address is counted under into out: an IPv4 address in dotted form;
 * an IPv4-mapped IPv6 address as that IPv4; any other IPv6 address as its /64
 * ("2001:db8:1:2::/64"), since one host may hold a whole /64; "unknown" for NULL or an
 * empty string; anything else with non-printable bytes as '?', cut to
 * SQ_LOGIN_SUBJECT_MAX bytes. Pure.
 */
void	login_addr_key(const char *remote_addr, char out[SQ_LOGIN_SUBJECT_MAX + 1]);

/*
 * Decides from the user name's and the address's windows (NULL: no row) whether a
 * login may go on: returns 0 when it may, else the seconds until the later of the
 * windows that are over their bound ends (at least 1), for Retry-After. A window that
 * has ended never refuses. Pure.
 */
unsigned login_throttle_decide(const struct login_window *user, const struct login_window *addr,
	    unsigned per_user, unsigned per_addr);

/*
 * Reads both windows (one statement, two primary-key rows) and decides as above.
 * Returns SQ_OK with *retry_after (0: go on), or a db error.
 */
enum sq_err login_throttle_check(struct db *db, const struct config *c, const char *username,
	    const char *addr_key, unsigned *retry_after, struct sq_error *e);

/*
 * Counts one failed login against the user name and the address (a new window for a
 * subject whose window ended), then deletes up to SQ_LOGIN_PURGE_BATCH rows of ended
 * windows. Errors are logged, not returned: the caller answers 401 anyway.
 */
void	login_throttle_fail(struct db *db, const struct config *c, const char *username,
	    const char *addr_key);

/* A successful login forgets the user name's window (never the address's). Logs errors. */
void	login_throttle_success(struct db *db, const char *username);

#endif
