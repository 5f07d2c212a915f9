/* handler_user.h: the identity a handler command runs as, resolved in scrapeqd and taken on in the forked child. */
#ifndef SCRAPEQ_HANDLER_USER_H
#define SCRAPEQ_HANDLER_USER_H

#include <stddef.h>
#include <sys/types.h>

#include "scrapeq/limits.h"

#define HANDLER_ENV_MAX 8       /* variables a handler gets (handler_user_env) */

struct handler_user {
	int	 do_switch;      /* 0: the command runs as scrapeqd's own user */
	uid_t	 uid;
	gid_t	 gid;
	gid_t	 groups[SQ_HANDLER_GROUPS_MAX];
	int	 ngroups;
	char	 name[64];
	char	 home[256];
	/* The command's whole environment: "NAME=value" strings, NULL-terminated. */
	char	 envbuf[HANDLER_ENV_MAX][320];
	char	*envp[HANDLER_ENV_MAX + 1];
};

/*
 * Resolves who a handler runs as. When scrapeqd may switch users (it runs as root, or
 * holds CAP_SETUID and CAP_SETGID as under etc/systemd/scrapeqd.service), that is the
 * account name ([daemon] handler_user) with its groups; otherwise it is scrapeqd's own
 * user. Refuses an account that does not exist or has uid 0 (a handler never runs as
 * root). Also builds the command's environment: PATH, HOME, USER, LOGNAME, and LANG,
 * LC_ALL and TZ when scrapeqd has them; nothing else of scrapeqd's environment.
 * Returns 0, or -1 with the reason in err.
 */
int	handler_user_resolve(const char *name, struct handler_user *u, char *err, size_t errsz);

/*
 * In the forked child, before exec: takes on u's groups, gid and uid, and empties
 * every capability set (ambient and inheritable included), so nothing of scrapeqd's
 * privilege crosses the exec. Only
 * async-signal-safe calls. Returns 0, or -1 with errno set and *stage naming the call
 * that failed.
 */
int	handler_user_become(const struct handler_user *u, const char **stage);

#endif
