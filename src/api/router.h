/* router.h: maps method + path to a handler, with {} segments captured. */
#ifndef SCRAPEQ_ROUTER_H
#define SCRAPEQ_ROUTER_H

#include "request.h"

/* A handler answers the request itself on success; on failure it returns the error. */
typedef enum sq_err (*route_fn)(struct req *, struct sq_error *e);

struct route {
	const char		*method;   /* "GET", ... ; NULL ends a table */
	const char		*pattern;  /* "/api/v1/jobs/{}/cancel" */
	route_fn		 fn;
	int			 auth;     /* ROUTE_OPEN, ROUTE_AUTH or ROUTE_AUTH_READ */
};

/*
 * route.auth. ROUTE_AUTH_READ: a bearer token is required, and the handler's first read
 * confirms the user's revocation generation (job_get_auth, job_list), which saves the separate
 * read of the user's row; an answer about to be written without that confirmation
 * gets the separate read first, so a handler cannot skip the check.
 */
enum { ROUTE_OPEN = 0, ROUTE_AUTH = 1, ROUTE_AUTH_READ = 2 };

/* What router_find made of a request's method and path. */
enum router_hit {
	ROUTER_NONE,     /* no dialect or no route has this path: 404 */
	ROUTER_METHOD,   /* the path is a route's, not with this method: 405, r->allow set */
	ROUTER_FOUND     /* *hit answers it; r->params hold its {} segments */
};

/*
 * Finds r's dialect by path prefix (r->dialect; v1's when none has it) and the route
 * for r->method and r->path, capturing each {} segment (1 to SQ_ID_MAX bytes, no
 * '/') into r->params. Pure: no database, no I/O; what router_dispatch starts with.
 */
enum router_hit router_find(struct req *r, const struct route **hit);

/*
 * Dispatches r: finds the dialect by path prefix, matches a route, reads the body,
 * authenticates, calls the handler, and renders any error in the dialect's envelope.
 */
void	router_dispatch(struct req *r);

#endif
