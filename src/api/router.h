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
	int			 auth;     /* 1: a bearer token is required */
};

/*
 * Dispatches r: finds the dialect by path prefix, matches a route, reads the body,
 * authenticates, calls the handler, and renders any error in the dialect's envelope.
 */
void	router_dispatch(struct req *r);

#endif
