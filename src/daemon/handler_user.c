/* handler_user.c: who a handler command runs as ([daemon] handler_user), and becoming that user in the child. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "scrapeq/text.h"
#include "handler_user.h"

#define PW_BUF_MAX 16384        /* getpwnam_r's scratch space */

/* 1 when this process holds cap (a CAP_ number below 32) in its effective set. */
static int
has_cap(int cap)
{
	struct __user_cap_header_struct	 h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	 d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0)
		return 0;
	return (d[0].effective & (1U << cap)) != 0;
}

static int
may_switch(void)
{
	return geteuid() == 0 || (has_cap(CAP_SETUID) && has_cap(CAP_SETGID));
}

static void
env_add(struct handler_user *u, int *n, const char *name, const char *value)
{
	if (value == NULL || *n >= HANDLER_ENV_MAX)
		return;
	snprintf(u->envbuf[*n], sizeof(u->envbuf[*n]), "%s=%s", name, value);
	u->envp[*n] = u->envbuf[*n];
	(*n)++;
	u->envp[*n] = NULL;
}

/* The environment the command gets: nothing from scrapeqd's but locale and time zone. */
static void
build_env(struct handler_user *u)
{
	int n = 0;

	u->envp[0] = NULL;
	env_add(u, &n, "PATH", "/usr/local/bin:/usr/bin:/bin");
	env_add(u, &n, "HOME", u->home);
	env_add(u, &n, "USER", u->name);
	env_add(u, &n, "LOGNAME", u->name);
	env_add(u, &n, "LANG", getenv("LANG"));
	env_add(u, &n, "LC_ALL", getenv("LC_ALL"));
	env_add(u, &n, "TZ", getenv("TZ"));
}

/* The account entry for name (or, name NULL, for uid); 0, or -1 with errno (0: no such account). */
static int
lookup(const char *name, uid_t uid, struct handler_user *u)
{
	struct passwd	 pw, *res = NULL;
	char		*buf;
	int		 e;

	if ((buf = malloc(PW_BUF_MAX)) == NULL)
		return -1;
	e = name != NULL ? getpwnam_r(name, &pw, buf, PW_BUF_MAX, &res) :
	    getpwuid_r(uid, &pw, buf, PW_BUF_MAX, &res);
	if (res != NULL) {
		u->uid = pw.pw_uid;
		u->gid = pw.pw_gid;
		text_copy(u->name, sizeof(u->name), pw.pw_name);
		text_copy(u->home, sizeof(u->home), pw.pw_dir);
		u->ngroups = SQ_HANDLER_GROUPS_MAX;
		if (getgrouplist(pw.pw_name, pw.pw_gid, u->groups, &u->ngroups) == -1)
			u->ngroups = -1;
	}
	free(buf);
	errno = e;
	return res != NULL ? 0 : -1;
}

int
handler_user_resolve(const char *name, struct handler_user *u, char *err, size_t errsz)
{
	memset(u, 0, sizeof(*u));
	if (!may_switch()) {
		/* Not root and no CAP_SETUID: the command shares scrapeqd's uid (README says why). */
		if (lookup(NULL, getuid(), u) == -1) {
			u->uid = getuid();
			snprintf(u->name, sizeof(u->name), "%u", (unsigned)u->uid);
			text_copy(u->home, sizeof(u->home), "/");
		}
		build_env(u);
		return 0;
	}
	if (lookup(name, 0, u) == -1) {
		snprintf(err, errsz, "Cannot run the handler: [daemon] handler_user '%.64s' %s",
		    name, errno != 0 ? strerror(errno) : "does not exist");
		return -1;
	}
	if (u->uid == 0) {
		snprintf(err, errsz, "Cannot run the handler: [daemon] handler_user '%.64s' is "
		    "uid 0, and a handler never runs as root", name);
		return -1;
	}
	if (u->ngroups < 0) {
		snprintf(err, errsz, "Cannot run the handler: [daemon] handler_user '%.64s' is in "
		    "more than %d groups", name, SQ_HANDLER_GROUPS_MAX);
		return -1;
	}
	u->do_switch = 1;
	build_env(u);
	return 0;
}

int
handler_user_become(const struct handler_user *u, const char **stage)
{
	struct __user_cap_header_struct	 h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	 d[2];

	memset(d, 0, sizeof(d));
	if (!u->do_switch)
		return 0;
	/* Groups first: once the uid is gone, so is the right to change them. */
	*stage = "setgroups";
	if (setgroups((size_t)u->ngroups, u->groups) == -1)
		return -1;
	*stage = "setgid";
	if (setresgid(u->gid, u->gid, u->gid) == -1)
		return -1;
	*stage = "setuid";
	if (setresuid(u->uid, u->uid, u->uid) == -1)
		return -1;
	/*
	 * Under systemd scrapeqd holds CAP_SETUID and CAP_SETGID as ambient (so also
	 * inheritable) capabilities: none of them may cross the exec.
	 */
	*stage = "dropping capabilities";
	if ((prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 && errno != EINVAL) ||
	    syscall(SYS_capset, &h, d) == -1)
		return -1;
	*stage = "checking the uid";
	if (getuid() != u->uid || geteuid() != u->uid || getegid() != u->gid) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
