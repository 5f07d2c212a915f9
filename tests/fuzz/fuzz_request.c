/* fuzz_request.c: libFuzzer target for what runs before authentication: req_init, router_find over the real route tables, req_read_body. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "scrapeq/limits.h"
#include "dialect.h"
#include "request.h"
#include "router.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Each dialect and its table, to judge router_find against. */
static const struct {
	const struct dialect	*d;
	const struct route	*routes;
} tables[] = {
	{ &dialect_v1, dialect_v1_routes },
	{ &dialect_scrapejobs, dialect_scrapejobs_routes },
	{ &dialect_workspace, dialect_workspace_routes },
	{ &dialect_integrator, dialect_integrator_routes },
	{ &dialect_datasets, dialect_datasets_routes },
};

/*
 * The request body as libfcgi's reader sees it, in chunks of a size the input picks:
 * an FCGX_Stream whose fill procedure hands out the next chunk, then closes.
 */
struct mem {
	unsigned char	*p;
	size_t		 n, at, chunk, fills;
};

static void
mem_fill(FCGX_Stream *s)
{
	struct mem	*m = s->data;
	size_t		 k = m->n - m->at < m->chunk ? m->n - m->at : m->chunk;

	m->fills++;
	s->rdNext = s->stop = m->p + m->at;
	if (k == 0) {
		s->isClosed = 1;
		return;
	}
	s->stop += k;
	m->at += k;
}

/* A route pattern matched again, segment by segment: 1 when path is pattern's. */
static int
model_match(const char *pat, const char *path, const char **segs, size_t *nsegs)
{
	size_t	 pl, sl, n = 0;

	if (path[0] != '/')
		return 0;
	for (;;) {
		if (*pat == '\0' || *path == '\0')
			break;
		pat++, path++;                          /* both at a '/' */
		pl = strcspn(pat, "/");
		sl = strcspn(path, "/");
		if (pl == 2 && memcmp(pat, "{}", 2) == 0) {
			if (sl == 0 || sl > SQ_ID_MAX || n == SQ_PATH_PARAMS_MAX)
				return 0;
			segs[n++] = path;
		} else if (pl != sl || memcmp(pat, path, pl) != 0)
			return 0;
		pat += pl;
		path += sl;
		if ((*pat == '/') != (*path == '/'))
			return 0;
	}
	*nsegs = n;
	return *pat == '\0' && *path == '\0';
}

static const struct route *
table_of(const struct dialect *d)
{
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (tables[i].d == d)
			return tables[i].routes;
	abort();
}

/* router_find's answer, judged by model_match over the dialect's whole table. */
static void
check_route(struct req *r, enum router_hit found, const struct route *hit)
{
	const struct route	*rt, *first = NULL;
	const char		*segs[SQ_PATH_PARAMS_MAX];
	size_t			 n, i, len;
	int			 any = 0;

	for (rt = table_of(r->dialect); rt->method != NULL; rt++) {
		if (!model_match(rt->pattern, r->path, segs, &n))
			continue;
		any = 1;
		if (first == NULL && strcmp(rt->method, r->method) == 0)
			first = rt;
	}
	if (found == ROUTER_NONE && any)
		abort();
	if (found == ROUTER_METHOD && (!any || first != NULL || r->allow == NULL ||
	    r->allow[0] == '\0'))
		abort();
	if (found != ROUTER_FOUND)
		return;
	if (hit == NULL || hit != first || !model_match(hit->pattern, r->path, segs, &n) ||
	    n != r->nparams)
		abort();
	for (i = 0; i < n; i++) {
		len = strcspn(segs[i], "/");
		if (strlen(r->params[i]) != len || memcmp(r->params[i], segs[i], len) != 0)
			abort();
	}
}

/* What req_read_body must answer: SQ_ERR_TOO_LARGE for a declared or real size past max. */
static enum sq_err
model_body(const char *cl, size_t body, size_t max)
{
	unsigned long long	 v = 0;
	size_t			 i;

	if (cl != NULL && cl[0] != '\0') {
		if (cl[0] == '0' && cl[1] != '\0')
			return SQ_ERR_TOO_LARGE;
		for (i = 0; cl[i] != '\0'; i++) {
			if (cl[i] < '0' || cl[i] > '9' || i > 18)
				return SQ_ERR_TOO_LARGE;
			v = v * 10 + (unsigned)(cl[i] - '0');
		}
		if (v > (unsigned long long)SQ_BODY_MAX_CEILING * 1024 || v > max)
			return SQ_ERR_TOO_LARGE;
	}
	return body > max ? SQ_ERR_TOO_LARGE : SQ_OK;
}

/* Splits the next NUL-terminated field off *d; NULL when none is left. */
static const char *
field(const uint8_t **d, size_t *n)
{
	const uint8_t	*z = memchr(*d, '\0', *n);
	const char	*f = (const char *)*d;

	if (z == NULL)
		return NULL;
	*n -= (size_t)(z - *d) + 1;
	*d = z + 1;
	return f;
}

/*
 * Input: two bytes (which params are present; the body's chunk size and the body
 * limit), then method, uri, query string and CONTENT_LENGTH, each ending in a NUL,
 * then the body.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FCGX_Request		 f;
	FCGX_Stream		 in;
	struct worker		 w;
	struct req		 r;
	struct mem		 m;
	struct sq_error		 e;
	const struct route	*hit;
	const char		*method, *uri, *qs, *cl, *env[6];
	char			 buf[4][SQ_PATH_MAX * 2 + 32];
	size_t			 ne = 0, max, plen;
	unsigned		 flags;
	enum router_hit		 found;
	enum sq_err		 rc, want;

	if (size < 2)
		return 0;
	flags = data[0];
	max = (size_t)(data[1] & 0x0f) * 64;
	memset(&m, 0, sizeof m);
	m.chunk = (size_t)(data[1] >> 4) * 37 + 1;
	data += 2, size -= 2;
	if ((method = field(&data, &size)) == NULL || (uri = field(&data, &size)) == NULL ||
	    (qs = field(&data, &size)) == NULL || (cl = field(&data, &size)) == NULL)
		return 0;
	if (strlen(method) > SQ_PATH_MAX || strlen(uri) > SQ_PATH_MAX * 2 ||
	    strlen(qs) > SQ_PATH_MAX || strlen(cl) > 64)
		return 0;
	if (flags & 1) {
		snprintf(buf[0], sizeof buf[0], "REQUEST_METHOD=%s", method);
		env[ne++] = buf[0];
	}
	if (flags & 6) {
		snprintf(buf[1], sizeof buf[1], "%s=%s", flags & 2 ? "DOCUMENT_URI" : "REQUEST_URI",
		    uri);
		env[ne++] = buf[1];
	}
	if (flags & 8) {
		snprintf(buf[2], sizeof buf[2], "QUERY_STRING=%s", qs);
		env[ne++] = buf[2];
	}
	if (flags & 16) {
		snprintf(buf[3], sizeof buf[3], "CONTENT_LENGTH=%s", cl);
		env[ne++] = buf[3];
	}
	env[ne] = NULL;

	memset(&f, 0, sizeof f);
	memset(&in, 0, sizeof in);
	memset(&w, 0, sizeof w);
	if ((m.p = malloc(size + 1)) == NULL)
		return 0;
	memcpy(m.p, data, size);
	m.n = size;
	in.rdNext = in.stop = in.stopUnget = m.p;
	in.isReader = 1;
	in.fillBuffProc = mem_fill;
	in.data = &m;
	f.in = &in;
	f.envp = (char **)env;

	/* req_init: the path is the URI up to '?', refused past SQ_PATH_MAX. */
	plen = flags & 6 ? strcspn(uri, "?") : 1;
	if (req_init(&r, &f, &w) != (plen > SQ_PATH_MAX ? -1 : 0) || r.fcgx != &f || r.w != &w)
		abort();
	if (strcmp(r.method, flags & 1 ? method : "GET") != 0 ||
	    (flags & 8 ? r.query_string == NULL || strcmp(r.query_string, qs) != 0 :
	    r.query_string != NULL))
		abort();
	if (strlen(r.path) != (plen > SQ_PATH_MAX ? SQ_PATH_MAX : plen) ||
	    memcmp(r.path, flags & 6 ? uri : "/", strlen(r.path)) != 0)
		abort();
	if (plen > SQ_PATH_MAX)
		goto out;

	found = router_find(&r, &hit);
	if (r.dialect == NULL)
		abort();
	check_route(&r, found, hit);

	memset(&e, 0, sizeof e);
	if (req_query(&r, &e) != SQ_OK && (e.code != SQ_ERR_BAD_REQUEST || e.message[0] == '\0'))
		abort();

	/* req_read_body: never more than max + 1 bytes taken, whatever was declared. */
	rc = req_read_body(&r, max);
	want = model_body(flags & 16 ? cl : NULL, size, max);
	if (rc != want || m.at > max + 1 + m.chunk)
		abort();
	if (rc == SQ_OK && (r.body_len != size || r.body == NULL || r.body[size] != '\0' ||
	    memcmp(r.body, data, size) != 0))
		abort();
	if (rc != SQ_OK && r.body != NULL)
		abort();
out:
	req_done(&r);
	free(m.p);
	return 0;
}
