/* router.c: picks the dialect and route, authenticates, and renders errors in one place. */
#include <string.h>

#include "scrapeq/log.h"
#include "dialect.h"
#include "prometheus.h"
#include "router.h"

struct mount {
	const char		*prefix;
	const struct dialect	*dialect;
	const struct route	*routes;
	enum reqstats_group	 group;      /* the request counters' route group */
};

/* Longest prefixes first. */
static const struct mount mounts[] = {
	{ "/api/v1/", &dialect_v1, dialect_v1_routes, RG_V1 },
	{ "/api/scrape-jobs", &dialect_scrapejobs, dialect_scrapejobs_routes, RG_SCRAPEJOBS },
	{ "/auth/", &dialect_workspace, dialect_workspace_routes, RG_AUTH },
	{ "/workspace/", &dialect_workspace, dialect_workspace_routes, RG_WORKSPACE },
	/* Seed 003's deprecated list; no other dialect serves a path starting "/jobs". */
	{ "/jobs", &dialect_workspace, dialect_workspace_routes, RG_WORKSPACE },
	{ "/v1/", &dialect_integrator, dialect_integrator_routes, RG_INTEGRATOR },
	/* Not "/api/jobs/": the list itself is "/api/jobs"; "/api/v1/" and "/api/scrape-jobs" are above. */
	{ "/api/jobs", &dialect_datasets, dialect_datasets_routes, RG_DATASETS },
	{ "/api/sampling/", &dialect_datasets, dialect_datasets_routes, RG_DATASETS },
	/* Prometheus' scrape (prometheus.c); its errors in v1's envelope. */
	{ "/metrics", &dialect_v1, prometheus_routes, RG_METRICS },
};

/* Splits r->path into r->segs; matches pattern segment by segment, capturing {}. */
static int
route_match(struct req *r, const char *pattern)
{
	const char	*p = pattern, *s = r->path;
	size_t		 n = 0, pl, sl;
	char		*out = r->segs;

	while (*p == '/' && *s == '/') {
		p++;
		s++;
		pl = strcspn(p, "/");
		sl = strcspn(s, "/");
		if (pl == 2 && p[0] == '{' && p[1] == '}') {
			if (sl == 0 || sl > SQ_ID_MAX || n == SQ_PATH_PARAMS_MAX)
				return 0;
			memcpy(out, s, sl);
			out[sl] = '\0';
			r->params[n++] = out;
			out += sl + 1;
		} else if (pl != sl || memcmp(p, s, pl) != 0)
			return 0;
		p += pl;
		s += sl;
	}
	if (*p != '\0' || *s != '\0')
		return 0;
	r->nparams = n;
	return 1;
}

/* Fills r->allow with every method the path answers to, for a 405's Allow header. */
static void
allow_list(struct req *r, const struct route *routes)
{
	const struct route	*rt;
	size_t			 len = 0, n;

	r->allow_buf[0] = '\0';
	for (rt = routes; rt->method != NULL; rt++) {
		if (!route_match(r, rt->pattern))
			continue;
		n = strlen(rt->method);
		if (len + n + 3 > sizeof(r->allow_buf))
			break;
		if (len > 0) {
			memcpy(r->allow_buf + len, ", ", 2);
			len += 2;
		}
		memcpy(r->allow_buf + len, rt->method, n + 1);
		len += n;
	}
	r->allow = r->allow_buf;
}

static void
render_error(struct req *r, const struct sq_error *e)
{
	r->dialect->error(r, e);
}

enum router_hit
router_find(struct req *r, const struct route **hit)
{
	const struct mount	*m = NULL;
	const struct route	*rt;
	size_t			 i;
	int			 path_ok = 0;

	*hit = NULL;
	for (i = 0; i < sizeof(mounts) / sizeof(mounts[0]) && m == NULL; i++)
		if (strncmp(r->path, mounts[i].prefix, strlen(mounts[i].prefix)) == 0)
			m = &mounts[i];
	r->dialect = m ? m->dialect : &dialect_v1;
	if (m == NULL)
		return ROUTER_NONE;
	r->group = m->group;
	for (rt = m->routes; rt->method != NULL && *hit == NULL; rt++) {
		if (!route_match(r, rt->pattern))
			continue;
		path_ok = 1;
		if (strcmp(rt->method, r->method) == 0)
			*hit = rt;
	}
	if (*hit != NULL)
		return ROUTER_FOUND;
	if (!path_ok)
		return ROUTER_NONE;
	allow_list(r, m->routes);
	return ROUTER_METHOD;
}

/* Authenticates r (deferring the user's row when defer); scrubs database errors. */
static enum sq_err
authenticate(struct req *r, int defer, struct sq_error *e)
{
	const char	*h = FCGX_GetParam("HTTP_AUTHORIZATION", r->fcgx->envp);
	enum sq_err	 rc;

	if (defer)
		rc = auth_authenticate_deferred(r->w->cfg, r->w->db, r->w->auth, h, &r->who, e);
	else
		rc = auth_authenticate(r->w->cfg, r->w->db, r->w->auth, h, &r->who, e);
	if (rc != SQ_OK && e->code != rc)
		sq_fail(e, rc, NULL);
	return rc;
}

static void
scrub(struct sq_error *e)
{
	if (e->code == SQ_ERR_DB_DOWN)
		sq_fail(e, SQ_ERR_DB_DOWN, NULL);   /* never a driver message */
	else if (e->code == SQ_ERR_DB)
		sq_fail(e, SQ_ERR_DB, NULL);
}

/*
 * r->settle while who is not confirmed: before anything is answered, the separate
 * read of the user's row (in full: a cached token whose generation moved is looked
 * up again). 0: answer on; -1: the auth error was answered instead.
 */
static int
settle(struct req *r)
{
	struct sq_error	 e = { SQ_OK, "" };

	r->settle = NULL;
	if (r->who.confirm == AUTH_CONFIRMED)
		return 0;
	if (authenticate(r, 0, &e) == SQ_OK)
		return 0;
	r->who.kind = AUTH_NONE;
	r->who.confirm = AUTH_CONFIRMED;
	scrub(&e);
	render_error(r, &e);
	return -1;
}

/*
 * Calls the handler. When its read found the user's generation moved (who AUTH_STALE,
 * nothing answered yet), authenticates in full and, if the credential still holds
 * (a cached API token the user's refresh-token reuse did not revoke), calls it again.
 */
static enum sq_err
call(struct req *r, const struct route *hit, struct sq_error *e)
{
	enum sq_err	 rc;

	e->code = SQ_OK;
	if ((rc = hit->fn(r, e)) == SQ_OK || r->who.confirm != AUTH_STALE)
		return rc;
	r->settle = NULL;
	if ((rc = authenticate(r, 0, e)) != SQ_OK)
		return rc;
	e->code = SQ_OK;
	return hit->fn(r, e);
}

void
router_dispatch(struct req *r)
{
	const struct route	*hit;
	struct sq_error		 e = { SQ_OK, "" };
	enum sq_err		 rc;
	enum router_hit		 found;

	if ((found = router_find(r, &hit)) != ROUTER_FOUND) {
		sq_fail(&e, found == ROUTER_METHOD ? SQ_ERR_METHOD : SQ_ERR_NOT_FOUND,
		    found == ROUTER_METHOD ? "Method not allowed" : "No such endpoint");
		goto fail;
	}
	if ((rc = req_read_body(r, r->w->cfg->api_body_max)) != SQ_OK) {
		if (rc == SQ_ERR_TOO_LARGE)
			sq_fail(&e, rc, "Request body exceeds %zu bytes", r->w->cfg->api_body_max);
		else
			sq_fail(&e, rc, NULL);
		goto fail;
	}
	if (hit->auth != ROUTE_OPEN &&
	    authenticate(r, hit->auth == ROUTE_AUTH_READ, &e) != SQ_OK)
		goto fail;
	if (r->who.confirm != AUTH_CONFIRMED)
		r->settle = settle;
	if ((rc = call(r, hit, &e)) == SQ_OK)
		return;
	if (e.code != rc)
		sq_fail(&e, rc, NULL);
fail:
	scrub(&e);
	render_error(r, &e);
}
