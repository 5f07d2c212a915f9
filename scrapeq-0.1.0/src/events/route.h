/* route.h: the hub's three paths, ?token= and Last-Event-ID, parsed strictly (pure, no I/O). */
#ifndef SCRAPEQ_EVENTS_ROUTE_H
#define SCRAPEQ_EVENTS_ROUTE_H

#include <stddef.h>

#include "scrapeq/uuid.h"

enum route_kind {
	ROUTE_NONE,
	ROUTE_JOB_WS,        /* /api/v1/jobs/{id}/ws: seed 000's WebSocket */
	ROUTE_JOB_SSE,       /* /api/v1/jobs/{id}/events */
	ROUTE_PROJECT_SSE    /* /api/v1/projects/{p}/events */
};

struct route_hit {
	enum route_kind	 kind;
	struct uuid	 id;          /* the job or the project */
};

/*
 * Matches path (without the query string) against the three routes; the id is any
 * form id_parse takes ("job_" + 32 hex, a dashed UUID, 32 bare hex; "proj_" for a
 * project). Returns 0 with *out filled, or -1 (no such route, or an id that is not
 * one: both are a 404 to the client) with out->kind ROUTE_NONE.
 */
int	route_parse(const char *path, size_t len, struct route_hit *out);

/*
 * Parses an SSE Last-Event-ID header value: 1 to 19 decimal digits, blanks around
 * it ignored, at most LLONG_MAX (job_events.id). Returns 0 with *out, or -1.
 */
int	route_last_event_id(const char *s, size_t len, unsigned long long *out);

/*
 * Turns a ?token= value into the Authorization header value auth_authenticate reads
 * ("Bearer <token>") in out. The token must be 1 to SQ_EVENTS_TOKEN_MAX bytes of
 * [A-Za-z0-9._~+/=-] (API tokens and JWTs are). Returns 0, or -1.
 */
int	route_token_header(const char *token, char *out, size_t outsz);

#endif
