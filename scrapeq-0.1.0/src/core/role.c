/* role.c: project roles and the one table of what each may do, for every dialect. */
#include <stdio.h>
#include <string.h>

#include "scrapeq/role.h"

static const struct {
	const char	*name;
	const char	*plural;          /* the subject of a refusal */
} roles[ROLE__COUNT] = {
	[ROLE_NONE]   = { "", "Non-members" },
	[ROLE_VIEWER] = { "viewer", "Viewers" },
	[ROLE_MEMBER] = { "member", "Members" },
	[ROLE_ADMIN]  = { "admin", "Admins" },
	[ROLE_OWNER]  = { "owner", "Owners" },
};

/*
 * The least role that may do each action. ROLE__COUNT: no project role may, only a
 * server administrator.
 */
static const enum role least[ROLE_ACTION__COUNT] = {
	[ROLE_READ]      = ROLE_VIEWER,
	[ROLE_JOB_WRITE] = ROLE_MEMBER,
	[ROLE_MANAGE]    = ROLE_ADMIN,
	[ROLE_QUOTA]     = ROLE__COUNT,
};

static int
role_valid(enum role r)
{
	return (unsigned)r < ROLE__COUNT;
}

const char *
role_name(enum role r)
{
	return role_valid(r) ? roles[r].name : "";
}

int
role_parse(const char *s, enum role *out)
{
	int i;

	for (i = ROLE_VIEWER; s != NULL && i < ROLE__COUNT; i++)
		if (strcmp(s, roles[i].name) == 0) {
			*out = (enum role)i;
			return 0;
		}
	return -1;
}

int
role_allows(enum role r, int is_admin, enum role_action a)
{
	if (!role_valid(r) || r == ROLE_NONE || (unsigned)a >= ROLE_ACTION__COUNT)
		return 0;
	return is_admin || r >= least[a];
}

enum sq_err
role_require(const struct principal *who, enum role r, enum role_action a, const char *what,
    struct sq_error *e)
{
	if (!role_valid(r) || r == ROLE_NONE)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Not found");
	if (role_allows(r, who->is_admin, a))
		return SQ_OK;
	if ((unsigned)a >= ROLE_ACTION__COUNT || least[a] == ROLE__COUNT)
		return sq_fail(e, SQ_ERR_FORBIDDEN, "Only a server administrator may %s", what);
	return sq_fail(e, SQ_ERR_FORBIDDEN, "%s may not %s (that takes the %s role or higher)",
	    roles[r].plural, what, roles[least[a]].name);
}

int
role_names_allowed(int is_admin, enum role_action a, char *out, size_t outsz)
{
	size_t	 len = 0, n;
	int	 i;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	for (i = ROLE_VIEWER; i < ROLE__COUNT; i++) {
		if (!role_allows((enum role)i, is_admin, a))
			continue;
		n = strlen(roles[i].name);
		if (len + (len > 0) + n + 1 > outsz)
			return -1;
		if (len > 0)
			out[len++] = ',';
		memcpy(out + len, roles[i].name, n + 1);
		len += n;
	}
	return 0;
}

enum sq_err
role_member_change(const struct principal *who, enum role actor, enum role from, enum role to,
    long long owners, struct sq_error *e)
{
	enum sq_err rc;

	if ((rc = role_require(who, actor, ROLE_MANAGE, "manage members", e)) != SQ_OK)
		return rc;
	if ((from == ROLE_OWNER || to == ROLE_OWNER) && actor != ROLE_OWNER && !who->is_admin)
		return sq_fail(e, SQ_ERR_FORBIDDEN, "Only an owner or a server administrator may "
		    "make, demote or remove an owner");
	if (from == ROLE_OWNER && to != ROLE_OWNER && owners <= 1)
		return sq_fail(e, SQ_ERR_CONFLICT, "The project's last owner cannot be %s; make "
		    "another member owner first", to == ROLE_NONE ? "removed" : "demoted");
	return SQ_OK;
}
