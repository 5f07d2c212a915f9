/* test_role.c: the role rule, every (role, administrator, action) cell, names and member changes. */
#include "scrapeq/role.h"
#include "tap.h"

#define N ROLE_NONE
#define V ROLE_VIEWER
#define M ROLE_MEMBER
#define A ROLE_ADMIN
#define O ROLE_OWNER

/* The matrix of ARCHITECTURE.md's "Roles", written out longhand: read, job write, manage, quota. */
static const struct {
	enum role	 r;
	int		 admin;
	int		 ok[ROLE_ACTION__COUNT];
} cells[] = {
	{ N, 0, { 0, 0, 0, 0 } }, { N, 1, { 0, 0, 0, 0 } },
	{ V, 0, { 1, 0, 0, 0 } }, { V, 1, { 1, 1, 1, 1 } },
	{ M, 0, { 1, 1, 0, 0 } }, { M, 1, { 1, 1, 1, 1 } },
	{ A, 0, { 1, 1, 1, 0 } }, { A, 1, { 1, 1, 1, 1 } },
	{ O, 0, { 1, 1, 1, 0 } }, { O, 1, { 1, 1, 1, 1 } },
	/* out of range: nothing */
	{ (enum role)ROLE__COUNT, 1, { 0, 0, 0, 0 } }, { (enum role)-1, 1, { 0, 0, 0, 0 } },
};

static const struct {
	const char	*s;
	int		 ok;
	enum role	 r;
} names[] = {
	{ "viewer", 1, V }, { "member", 1, M }, { "admin", 1, A }, { "owner", 1, O },
	{ "", 0, N }, { NULL, 0, N }, { "Viewer", 0, N }, { "OWNER", 0, N }, { "owner ", 0, N },
	{ " owner", 0, N }, { "own", 0, N }, { "owners", 0, N }, { "none", 0, N },
	{ "administrator", 0, N }, { "member\n", 0, N },
};

/* role_names_allowed: the comma list each action gives, and a buffer too small by one. */
static const struct {
	int		 admin;
	enum role_action a;
	size_t		 outsz;
	int		 rc;
	const char	*want;
} lists[] = {
	{ 0, ROLE_READ, 64, 0, "viewer,member,admin,owner" },
	{ 0, ROLE_JOB_WRITE, 64, 0, "member,admin,owner" },
	{ 0, ROLE_MANAGE, 64, 0, "admin,owner" },
	{ 0, ROLE_QUOTA, 64, 0, "" },
	{ 1, ROLE_QUOTA, 64, 0, "viewer,member,admin,owner" },
	{ 1, ROLE_JOB_WRITE, 64, 0, "viewer,member,admin,owner" },
	{ 0, ROLE_JOB_WRITE, 19, 0, "member,admin,owner" },  /* exactly fits with its NUL */
	{ 0, ROLE_JOB_WRITE, 18, -1, NULL },
	{ 0, ROLE_MANAGE, 1, -1, NULL },
	{ 0, ROLE_QUOTA, 1, 0, "" },
	{ 0, ROLE_QUOTA, 0, -1, NULL },
	{ 0, (enum role_action)ROLE_ACTION__COUNT, 8, 0, "" },
};

/* role_member_change: actor, administrator, from, to, owners -> result. */
static const struct {
	enum role	 actor;
	int		 admin;
	enum role	 from, to;
	long long	 owners;
	enum sq_err	 want;
} changes[] = {
	/* who may manage members at all */
	{ V, 0, N, M, 1, SQ_ERR_FORBIDDEN }, { M, 0, N, M, 1, SQ_ERR_FORBIDDEN },
	{ M, 0, V, N, 1, SQ_ERR_FORBIDDEN }, { A, 0, N, M, 1, SQ_OK }, { O, 0, N, M, 1, SQ_OK },
	{ V, 1, N, M, 1, SQ_OK }, { N, 1, N, M, 1, SQ_ERR_NOT_FOUND },
	/* an admin and owners */
	{ A, 0, N, O, 1, SQ_ERR_FORBIDDEN }, { A, 0, M, O, 1, SQ_ERR_FORBIDDEN },
	{ A, 0, O, A, 2, SQ_ERR_FORBIDDEN }, { A, 0, O, N, 2, SQ_ERR_FORBIDDEN },
	{ A, 0, O, O, 2, SQ_ERR_FORBIDDEN }, { A, 0, A, M, 1, SQ_OK }, { A, 0, M, A, 1, SQ_OK },
	{ A, 0, V, N, 1, SQ_OK }, { A, 0, A, N, 1, SQ_OK },
	{ O, 0, N, O, 1, SQ_OK }, { O, 0, A, O, 1, SQ_OK }, { O, 0, O, A, 2, SQ_OK },
	{ O, 0, O, N, 2, SQ_OK }, { M, 1, O, V, 2, SQ_OK }, { A, 1, N, O, 1, SQ_OK },
	/* the last owner stays, whoever asks */
	{ O, 0, O, A, 1, SQ_ERR_CONFLICT }, { O, 0, O, N, 1, SQ_ERR_CONFLICT },
	{ O, 1, O, V, 1, SQ_ERR_CONFLICT }, { V, 1, O, N, 1, SQ_ERR_CONFLICT },
	{ O, 0, O, N, 0, SQ_ERR_CONFLICT }, { O, 0, O, O, 1, SQ_OK },
};

/* role_require's messages: the role, what, and the least role. */
static const struct {
	enum role	 r;
	enum role_action a;
	const char	*what;
	enum sq_err	 want;
	const char	*msg;
} requires[] = {
	{ V, ROLE_JOB_WRITE, "cancel jobs", SQ_ERR_FORBIDDEN,
	  "Viewers may not cancel jobs (that takes the member role or higher)" },
	{ M, ROLE_MANAGE, "delete targets", SQ_ERR_FORBIDDEN,
	  "Members may not delete targets (that takes the admin role or higher)" },
	{ O, ROLE_QUOTA, "set daily_job_limit", SQ_ERR_FORBIDDEN,
	  "Only a server administrator may set daily_job_limit" },
	{ A, ROLE_MANAGE, "delete targets", SQ_OK, "" },
	{ V, ROLE_READ, "read jobs", SQ_OK, "" },
	{ N, ROLE_READ, "read jobs", SQ_ERR_NOT_FOUND, "Not found" },
};

int
main(void)
{
	struct principal	 who = { 1, AUTH_TOKEN, 0 };
	struct sq_error		 e;
	char			 out[64];
	enum role		 r;
	size_t			 i;
	int			 a;

	for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		for (a = 0; a < ROLE_ACTION__COUNT; a++)
			TAP_CHECK(role_allows(cells[i].r, cells[i].admin, (enum role_action)a) ==
			    cells[i].ok[a], "role %d admin %d action %d should be %s", (int)cells[i].r,
			    cells[i].admin, a, cells[i].ok[a] ? "allowed" : "refused");
	TAP_CHECK(!role_allows(O, 1, (enum role_action)ROLE_ACTION__COUNT),
	    "an action out of range is refused, even to an administrator");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = (enum role)77;
		a = role_parse(names[i].s, &r) == 0;
		TAP_CHECK(a == names[i].ok && (!a || r == names[i].r) && (a || r == (enum role)77),
		    "role_parse(\"%s\")", names[i].s ? names[i].s : "(null)");
		if (a)
			TAP_STREQ(role_name(r), names[i].s, "role_name round trip");
	}
	TAP_STREQ(role_name(N), "", "role_name(ROLE_NONE)");
	TAP_STREQ(role_name((enum role)ROLE__COUNT), "", "role_name out of range");
	TAP_STREQ(role_name((enum role)-3), "", "role_name below range");
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		memset(out, 'x', sizeof(out));
		TAP_CHECK(role_names_allowed(lists[i].admin, lists[i].a, out, lists[i].outsz) ==
		    lists[i].rc, "role_names_allowed row %zu returns %d", i, lists[i].rc);
		if (lists[i].rc == 0)
			TAP_STREQ(out, lists[i].want, "role_names_allowed list");
		else if (lists[i].outsz > 0)
			TAP_CHECK(memchr(out, '\0', lists[i].outsz) != NULL,
			    "row %zu: a refused list still leaves a string in out", i);
	}
	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		who.is_admin = changes[i].admin;
		e.code = SQ_OK;
		e.message[0] = '\0';
		TAP_CHECK(role_member_change(&who, changes[i].actor, changes[i].from, changes[i].to,
		    changes[i].owners, &e) == changes[i].want && (changes[i].want == SQ_OK ||
		    (e.code == changes[i].want && e.message[0] != '\0')),
		    "member change row %zu: actor %s admin %d %s -> %s (%lld owners) should give %s",
		    i, role_name(changes[i].actor), changes[i].admin, role_name(changes[i].from),
		    role_name(changes[i].to), changes[i].owners, sq_strerror(changes[i].want));
	}
	who.is_admin = 0;
	for (i = 0; i < sizeof(requires) / sizeof(requires[0]); i++) {
		e.code = SQ_OK;
		e.message[0] = '\0';
		TAP_CHECK(role_require(&who, requires[i].r, requires[i].a, requires[i].what, &e) ==
		    requires[i].want, "role_require row %zu gives %s", i,
		    sq_strerror(requires[i].want));
		TAP_STREQ(e.message, requires[i].msg, "role_require message");
	}
	return tap_done("test_role");
}
