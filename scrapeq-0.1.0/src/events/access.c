/* access.c: authentication and the tenant check before any WebSocket upgrade or SSE stream. */
#include <string.h>

#include "scrapeq/project.h"
#include "scrapeq/role.h"
#include "access.h"

enum sq_err
access_check(const struct config *c, struct db *db, struct auth_cache *cache, const char *authz,
    const struct route_hit *hit, struct job *job, struct sq_error *e)
{
	struct principal	 who;
	enum role		 role = ROLE_NONE;
	enum sq_err		 rc;

	memset(&who, 0, sizeof(who));
	if ((rc = auth_authenticate(c, db, cache, authz, &who, e)) != SQ_OK)
		return rc;
	if (hit->kind == ROUTE_PROJECT_SSE) {
		if ((rc = project_access(db, &who, &hit->id, &role, e)) != SQ_OK)
			return rc;
	} else {
		if ((rc = job_get(db, &who, &hit->id, job, e)) != SQ_OK)
			return rc;
		role = job->role;
	}
	if (!role_allows(role, who.is_admin, ROLE_READ))
		return sq_fail(e, SQ_ERR_NOT_FOUND, hit->kind == ROUTE_PROJECT_SSE ?
		    "Project not found" : "Job not found");
	return SQ_OK;
}
