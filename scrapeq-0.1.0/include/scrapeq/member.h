/* member.h: a project's members and their roles: listed by any member, changed by its managers. */
#ifndef SCRAPEQ_MEMBER_H
#define SCRAPEQ_MEMBER_H

#include <stddef.h>
#include "auth.h"
#include "db.h"
#include "err.h"
#include "limits.h"
#include "pagination.h"
#include "role.h"
#include "uuid.h"

struct member {
	long long	 user_id;
	char		 username[SQ_USERNAME_MAX + 1];
	enum role	 role;
	char		 created_at[32];         /* when they joined, as stored (UTC) */
};

/*
 * Lists project's members, oldest membership first, a page at a time; any member
 * may (role_allows ROLE_READ). *items (n) is the caller's to free(). SQ_ERR_NOT_FOUND
 * unless who is a member.
 */
enum sq_err member_list(struct db *, const struct principal *who, const struct uuid *project,
	    const struct page *, struct member **items, size_t *n, long long *total,
	    struct sq_error *);

/*
 * Gives username the role named role in project, adding them when they are not a
 * member yet (*created 1). Checked in this order, nothing written on a refusal:
 * SQ_ERR_BAD_REQUEST (role missing), SQ_ERR_INVALID (not one of owner, admin, member,
 * viewer), then under the project's row lock (which every membership change takes,
 * so two changes never both see the same owners) SQ_ERR_NOT_FOUND ("Project not
 * found") unless who is a member, SQ_ERR_FORBIDDEN unless who may manage members
 * (role_allows ROLE_MANAGE), before the user is looked up, SQ_ERR_NOT_FOUND ("User
 * 'x' not found"), then role_member_change's owner rules (SQ_ERR_FORBIDDEN,
 * SQ_ERR_CONFLICT for the last owner). A change writes an audit_log row (entity "member", its id the user's,
 * action member_add or member_update, before and after {user_id, username, role});
 * the same role again changes and writes nothing. Fills *out with the membership.
 */
enum sq_err member_set(struct db *, const struct principal *who, const struct uuid *project,
	    const char *username, const char *role, struct member *out, int *created,
	    struct sq_error *);

/*
 * Removes username from project, with member_set's checks and lock (to ROLE_NONE):
 * SQ_ERR_NOT_FOUND for a non-member caller, SQ_ERR_FORBIDDEN, SQ_ERR_NOT_FOUND
 * ("User 'x' not found", "'x' is not a member of this project"), the owner rules.
 * Audited as member_remove (after NULL).
 */
enum sq_err member_remove(struct db *, const struct principal *who, const struct uuid *project,
	    const char *username, struct sq_error *);

#endif
