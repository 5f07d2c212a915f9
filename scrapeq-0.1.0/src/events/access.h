/* access.h: who may watch what: the API's tokens and tenant rules, for the hub's three routes. */
#ifndef SCRAPEQ_EVENTS_ACCESS_H
#define SCRAPEQ_EVENTS_ACCESS_H

#include "scrapeq/auth.h"
#include "scrapeq/config.h"
#include "scrapeq/db.h"
#include "scrapeq/err.h"
#include "scrapeq/job.h"
#include "route.h"

/*
 * Authenticates authz (an Authorization header value, "Bearer <API token or login
 * JWT>", or NULL) through the core's auth_authenticate, then checks the caller may
 * read what hit names: a job (loaded into *job, the caller clears it) or a project,
 * by membership, as the API does (role_allows ROLE_READ). Returns SQ_OK;
 * SQ_ERR_UNAUTHORIZED (no, bad, expired or revoked token); SQ_ERR_NOT_FOUND (no such
 * job or project, or another tenant's: never a 403 that confirms it exists); or a
 * database error. e gets the client-safe message.
 */
enum sq_err access_check(const struct config *c, struct db *db, struct auth_cache *cache,
	    const char *authz, const struct route_hit *hit, struct job *job,
	    struct sq_error *e);

#endif
