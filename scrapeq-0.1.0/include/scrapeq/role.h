/* role.h: a member's role in a project, parsed once, and the one rule of what each role may do. */
#ifndef SCRAPEQ_ROLE_H
#define SCRAPEQ_ROLE_H

#include <stddef.h>
#include "auth.h"
#include "err.h"

/*
 * memberships.role as the core knows it. Ordered: each role may do all that the one
 * before it may. ROLE_NONE is "not a member": the project does not exist for the
 * caller (a 404, never a 403), so no action is allowed to it, not even to a server
 * administrator.
 */
enum role { ROLE_NONE, ROLE_VIEWER, ROLE_MEMBER, ROLE_ADMIN, ROLE_OWNER, ROLE__COUNT };

/* What a request does to a project, in the classes the roles are about. */
enum role_action {
	ROLE_READ,       /* read the project, its targets, jobs, results, logs, members */
	ROLE_JOB_WRITE,  /* create, cancel, retry and update jobs, claim with /next, sample */
	ROLE_MANAGE,     /* targets, project settings, members, the audit log */
	ROLE_QUOTA,      /* quotas (daily_job_limit): server administrators only */
	ROLE_ACTION__COUNT
};

/* "viewer", "member", "admin", "owner"; "" for ROLE_NONE or a value out of range. */
const char *role_name(enum role);

/* Parses an exact role name (as memberships.role stores it) into *out: 0, or -1 (NULL too). */
int	role_parse(const char *s, enum role *out);

/*
 * The rule: 1 when a member whose role is r may do a, 0 otherwise. A server
 * administrator (is_admin) may do everything in a project it is a member of, whatever
 * its role there; ROLE_NONE may do nothing.
 */
int	role_allows(enum role r, int is_admin, enum role_action a);

/*
 * The check a core write makes before it changes anything: SQ_OK when
 * role_allows(r, who->is_admin, a); otherwise SQ_ERR_FORBIDDEN with a message naming
 * the role and what (a phrase such as "cancel jobs"): "Viewers may not cancel jobs
 * (that takes the member role or higher)". ROLE_NONE gives SQ_ERR_NOT_FOUND: callers
 * answer a non-member's 404 in their own words before they get here.
 */
enum sq_err role_require(const struct principal *who, enum role r, enum role_action a,
	    const char *what, struct sq_error *e);

/*
 * Writes the names of the roles that may do a (for is_admin) as a comma list
 * ("member,admin,owner"; "" when none) into out, for a query that keeps the rows of
 * those roles only (FIND_IN_SET): the rule stays here, the query only applies it.
 * Returns 0, or -1 when out (outsz bytes) is too small.
 */
int	role_names_allowed(int is_admin, enum role_action a, char *out, size_t outsz);

/*
 * The rule of membership changes. actor is the caller's role, from the member's role
 * now (ROLE_NONE: not a member yet), to the role asked for (ROLE_NONE: removal), owners
 * how many owners the project has now. SQ_OK; SQ_ERR_FORBIDDEN when the caller may
 * not manage members, or touches an owner (makes, demotes or removes one) without
 * being an owner or a server administrator; SQ_ERR_CONFLICT when the project's last
 * owner would be demoted or removed (nobody could manage it any more).
 */
enum sq_err role_member_change(const struct principal *who, enum role actor, enum role from,
	    enum role to, long long owners, struct sq_error *e);

#endif
