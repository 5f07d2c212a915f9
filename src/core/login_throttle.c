/* login_throttle.c: failed password logins in fixed windows per user name and per address, shared through MariaDB. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "scrapeq/log.h"
#include "scrapeq/login_throttle.h"

#define DEADLOCK	1213	/* ER_LOCK_DEADLOCK: two upserts of one row crossed */

void
login_addr_key(const char *remote_addr, char out[SQ_LOGIN_SUBJECT_MAX + 1])
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	char		 txt[INET6_ADDRSTRLEN];
	size_t		 i;

	if (remote_addr == NULL || remote_addr[0] == '\0') {
		snprintf(out, SQ_LOGIN_SUBJECT_MAX + 1, "unknown");
		return;
	}
	if (inet_pton(AF_INET, remote_addr, &a4) == 1 &&
	    inet_ntop(AF_INET, &a4, txt, sizeof txt) != NULL) {
		snprintf(out, SQ_LOGIN_SUBJECT_MAX + 1, "%s", txt);
		return;
	}
	if (inet_pton(AF_INET6, remote_addr, &a6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&a6)) {
			memcpy(&a4, a6.s6_addr + 12, 4);
			if (inet_ntop(AF_INET, &a4, txt, sizeof txt) != NULL) {
				snprintf(out, SQ_LOGIN_SUBJECT_MAX + 1, "%s", txt);
				return;
			}
		}
		memset(a6.s6_addr + 8, 0, 8);
		if (inet_ntop(AF_INET6, &a6, txt, sizeof txt) != NULL) {
			snprintf(out, SQ_LOGIN_SUBJECT_MAX + 1, "%s/64", txt);
			return;
		}
	}
	for (i = 0; i < SQ_LOGIN_SUBJECT_MAX && remote_addr[i] != '\0'; i++)
		out[i] = remote_addr[i] > ' ' && remote_addr[i] < 0x7f ? remote_addr[i] : '?';
	out[i] = '\0';
}

/* Seconds (rounded up, at least 1) until w ends when it is over bound; else 0. */
static unsigned
window_wait(const struct login_window *w, unsigned bound)
{
	long long	 s;

	if (w == NULL || w->remaining_us <= 0 || w->failures < bound)
		return 0;
	s = (w->remaining_us + 999999) / 1000000;
	return s > SQ_LOGIN_WINDOW_MAX ? SQ_LOGIN_WINDOW_MAX : (unsigned)s;
}

unsigned
login_throttle_decide(const struct login_window *user, const struct login_window *addr,
    unsigned per_user, unsigned per_addr)
{
	unsigned	 u = window_wait(user, per_user), a = window_wait(addr, per_addr);

	return u > a ? u : a;
}

enum sq_err
login_throttle_check(struct db *db, const struct config *c, const char *username,
    const char *addr_key, unsigned *retry_after, struct sq_error *e)
{
	struct db_res		 res = { 0 };
	struct login_window	 w[2], *user = NULL, *addr = NULL;
	const char		*kind;
	enum sq_err		 rc;
	size_t			 i;

	*retry_after = 0;
	rc = db_exec(db, "SELECT kind, failures, TIMESTAMPDIFF(MICROSECOND, NOW(6), "
	    "window_start + INTERVAL ? SECOND) FROM login_failures "
	    "WHERE (kind = 'user' AND subject = ?) OR (kind = 'addr' AND subject = ?)",
	    DB_PARAMS(DB_INT(c->login_window_seconds), DB_STR(username), DB_STR(addr_key)), &res);
	if (rc != SQ_OK) {
		rc = sq_fail(e, rc, "%s", sq_strerror(rc));
		goto out;
	}
	for (i = 0; i < res.nrows && i < 2; i++) {
		w[i].failures = (unsigned)db_int(&res, i, 1);
		w[i].remaining_us = db_int(&res, i, 2);
		if ((kind = db_str(&res, i, 0)) != NULL && strcmp(kind, "user") == 0)
			user = &w[i];
		else
			addr = &w[i];
	}
	*retry_after = login_throttle_decide(user, addr, c->login_failures_per_user,
	    c->login_failures_per_addr);
out:
	db_res_free(&res);
	return rc;
}

/* One upsert for both subjects; a window that ended starts again at this failure. */
static enum sq_err
count_failure(struct db *db, const struct config *c, const char *username, const char *addr_key)
{
	return db_exec(db, "INSERT INTO login_failures (kind, subject, window_start, failures) "
	    "VALUES ('user', ?, NOW(6), 1), ('addr', ?, NOW(6), 1) ON DUPLICATE KEY UPDATE "
	    "failures = IF(window_start <= NOW(6) - INTERVAL ? SECOND, 1, failures + 1), "
	    "window_start = IF(window_start <= NOW(6) - INTERVAL ? SECOND, NOW(6), window_start)",
	    DB_PARAMS(DB_STR(username), DB_STR(addr_key), DB_INT(c->login_window_seconds),
	    DB_INT(c->login_window_seconds)), NULL);
}

void
login_throttle_fail(struct db *db, const struct config *c, const char *username,
    const char *addr_key)
{
	enum sq_err	 rc;

	if ((rc = count_failure(db, c, username, addr_key)) != SQ_OK && db_errno(db) == DEADLOCK)
		rc = count_failure(db, c, username, addr_key);
	if (rc != SQ_OK)
		log_err("login_throttle: cannot count a failed login: %s", sq_strerror(rc));
	rc = db_exec(db, "DELETE FROM login_failures WHERE window_start < NOW(6) - INTERVAL ? "
	    "SECOND ORDER BY window_start LIMIT ?",
	    DB_PARAMS(DB_INT(c->login_window_seconds), DB_INT(SQ_LOGIN_PURGE_BATCH)), NULL);
	if (rc != SQ_OK)
		log_warn("login_throttle: cannot purge ended windows: %s", sq_strerror(rc));
}

void
login_throttle_success(struct db *db, const char *username)
{
	enum sq_err	 rc;

	rc = db_exec(db, "DELETE FROM login_failures WHERE kind = 'user' AND subject = ?",
	    DB_PARAMS(DB_STR(username)), NULL);
	if (rc != SQ_OK)
		log_warn("login_throttle: cannot reset a user's window: %s", sq_strerror(rc));
}
