/* crawl_config.c: a scrape job's crawl options checked once for every dialect, completed, stored and shown. */
#include <stdio.h>
#include <string.h>

#include <libxml/xpath.h>

#include "scrapeq/crawl_config.h"
#include "scrapeq/text.h"
#include "scrapeq/urlscope.h"
#include "scrapeq/xmlquiet.h"

#define CRAWL_GIVEN_DELAY       0x020
#define CRAWL_GIVEN_ROBOTS      0x040
#define CRAWL_GIVEN_SUBDOMAINS  0x080
#define CRAWL_GIVEN_EXTERNAL    0x100
#define CRAWL_GIVEN_SITEMAP     0x200
#define CRAWL_GIVEN_QUERY       0x400

enum opt_kind { OPT_INT, OPT_BOOL };

/* The scalar options: key, kind, range, where they live, the bit that marks them given. */
struct opt {
	const char	*key;
	enum opt_kind	 kind;
	long long	 lo, hi;
	size_t		 off;
	unsigned	 bit;
};

#define INT_OPT(k, lo, hi, f, b) { k, OPT_INT, lo, hi, offsetof(struct crawl_config, f), b }
#define BOOL_OPT(k, f, b) { k, OPT_BOOL, 0, 1, offsetof(struct crawl_config, f), b }

static const struct opt opts[] = {
	INT_OPT("depth", 0, SQ_JOB_DEPTH_MAX, depth, CRAWL_GIVEN_DEPTH),
	INT_OPT("maxPages", 1, SQ_JOB_PAGES_MAX, max_pages, CRAWL_GIVEN_MAX_PAGES),
	INT_OPT("timeout", SQ_JOB_TIMEOUT_MS_MIN, SQ_JOB_TIMEOUT_MS_MAX, timeout_ms,
	    CRAWL_GIVEN_TIMEOUT),
	INT_OPT("delay", 0, SQ_JOB_DELAY_MS_MAX, delay_ms, CRAWL_GIVEN_DELAY),
	BOOL_OPT("respectRobots", respect_robots, CRAWL_GIVEN_ROBOTS),
	BOOL_OPT("includeSubdomains", include_subdomains, CRAWL_GIVEN_SUBDOMAINS),
	BOOL_OPT("allowExternalLinks", allow_external, CRAWL_GIVEN_EXTERNAL),
	BOOL_OPT("ignoreSitemap", ignore_sitemap, CRAWL_GIVEN_SITEMAP),
	BOOL_OPT("ignoreQueryParameters", ignore_query, CRAWL_GIVEN_QUERY),
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static long long *
opt_int(struct crawl_config *c, const struct opt *o)
{
	return (long long *)(void *)((char *)c + o->off);
}

static int *
opt_bool(struct crawl_config *c, const struct opt *o)
{
	return (int *)(void *)((char *)c + o->off);
}

/* An option's value read from a config that is not changed. */
static long long
opt_value(const struct crawl_config *c, const struct opt *o)
{
	const char *p = (const char *)c + o->off;

	return o->kind == OPT_BOOL ? *(const int *)(const void *)p :
	    *(const long long *)(const void *)p;
}

void
crawl_config_init(struct crawl_config *c)
{
	memset(c, 0, sizeof(*c));
}

void
crawl_config_clear(struct crawl_config *c)
{
	json_object_put(c->include_paths);
	json_object_put(c->exclude_paths);
	json_object_put(c->selectors);
	memset(c, 0, sizeof(*c));
}

/* An integral JSON number in [lo, hi] (json-c reads 3.0 as a double). Returns 0 or -1. */
static int
read_int(struct json_object *v, long long lo, long long hi, long long *out)
{
	double d;

	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		/* json-c clamps a number past the int64 range to its end: refuse those too. */
		return *out < lo || *out > hi ? -1 : 0;
	}
	if (!json_object_is_type(v, json_type_double))
		return -1;
	d = json_object_get_double(v);
	if (!(d >= (double)lo && d <= (double)hi) || d != (double)(long long)d)
		return -1;
	*out = (long long)d;
	return 0;
}

static enum sq_err
parse_scalar(struct crawl_config *c, const struct opt *o, struct json_object *v,
    struct sq_error *e)
{
	if (o->kind == OPT_BOOL) {
		if (!json_object_is_type(v, json_type_boolean))
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid config.%s: must be a boolean",
			    o->key);
		*opt_bool(c, o) = json_object_get_boolean(v);
	} else {
		if (!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_double))
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid config.%s: must be an "
			    "integer", o->key);
		if (read_int(v, o->lo, o->hi, opt_int(c, o)) == -1)
			return sq_fail(e, SQ_ERR_INVALID, "Invalid config.%s: must be an integer "
			    "from %lld to %lld", o->key, o->lo, o->hi);
	}
	c->given |= o->bit;
	return SQ_OK;
}

static enum sq_err
parse_agent(struct crawl_config *c, struct json_object *v, struct sq_error *e)
{
	const char	*s;
	size_t		 i;

	if (!json_object_is_type(v, json_type_string))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid config.userAgent: must be a string");
	s = json_object_get_string(v);
	if (s[0] == '\0' || strlen(s) > SQ_JOB_AGENT_MAX)
		goto bad;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			goto bad;
	text_copy(c->user_agent, sizeof(c->user_agent), s);
	c->given |= CRAWL_GIVEN_USER_AGENT;
	return SQ_OK;
bad:
	return sq_fail(e, SQ_ERR_INVALID, "Invalid config.userAgent: must be 1 to %d printable "
	    "ASCII characters", SQ_JOB_AGENT_MAX);
}

/* includePaths / excludePaths: an array of at most SQ_CRAWL_PATTERNS_MAX regexes. */
static enum sq_err
parse_patterns(const char *key, struct json_object *v, int compile, struct json_object **out,
    struct sq_error *e)
{
	char	 why[128];
	size_t	 i, n;

	if (!json_object_is_type(v, json_type_array))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid config.%s: must be an array of "
		    "strings", key);
	if ((n = json_object_array_length(v)) > SQ_CRAWL_PATTERNS_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "Invalid config.%s: at most %d patterns", key,
		    SQ_CRAWL_PATTERNS_MAX);
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(v, i);

		if (!json_object_is_type(p, json_type_string))
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid config.%s[%zu]: must be a "
			    "string", key, i);
		if (compile && urlscope_pattern_valid(json_object_get_string(p), why,
		    sizeof(why)) == -1)
			return sq_fail(e, SQ_ERR_INVALID, "Invalid config.%s[%zu]: %s", key, i, why);
	}
	*out = json_object_get(v);
	return SQ_OK;
}

/* Returns 1 when xpath compiles; an unknown function is only found when evaluated. */
static int
xpath_compiles(const char *xpath)
{
	xmlXPathContext	*ctx;
	xmlXPathCompExpr *comp;

	xmlquiet_install();
	if ((ctx = xmlXPathNewContext(NULL)) == NULL)
		return 0;
	ctx->error = xmlquiet_structured;
	comp = xmlXPathCtxtCompile(ctx, (const xmlChar *)xpath);
	xmlXPathFreeCompExpr(comp);
	xmlXPathFreeContext(ctx);
	return comp != NULL;
}

/* A selector name: 1..SQ_CRAWL_SELECTOR_NAME_MAX of letters, digits, '_', '-', '.'. */
static int
selector_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= SQ_CRAWL_SELECTOR_NAME_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n;
}

static enum sq_err
parse_selectors(struct json_object *v, int compile, struct json_object **out,
    struct sq_error *e)
{
	if (!json_object_is_type(v, json_type_object))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid config.selectors: must be an object "
		    "of name: XPath");
	if (json_object_object_length(v) > SQ_CRAWL_SELECTORS_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "Invalid config.selectors: at most %d",
		    SQ_CRAWL_SELECTORS_MAX);
	json_object_object_foreach(v, name, xp) {
		if (!selector_name_ok(name))
			return sq_fail(e, SQ_ERR_INVALID, "Invalid config.selectors: a name must be "
			    "1 to %d of letters, digits, '_', '-' and '.'", SQ_CRAWL_SELECTOR_NAME_MAX);
		if (!json_object_is_type(xp, json_type_string))
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid config.selectors.%s: must be "
			    "a string", name);
		if (json_object_get_string_len(xp) > SQ_CRAWL_XPATH_MAX ||
		    (compile && !xpath_compiles(json_object_get_string(xp))))
			return sq_fail(e, SQ_ERR_INVALID, "Invalid config.selectors.%s: not an XPath "
			    "expression of at most %d bytes", name, SQ_CRAWL_XPATH_MAX);
	}
	*out = json_object_get(v);
	return SQ_OK;
}

/*
 * One key of a config into *c. compile 0 skips compiling patterns and selectors (a
 * stored config read for its view: they compiled when it was written).
 */
static enum sq_err
parse_key(struct crawl_config *c, const char *k, struct json_object *v, int compile,
    struct sq_error *e)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (strcmp(k, opts[i].key) == 0)
			return parse_scalar(c, &opts[i], v, e);
	if (strcmp(k, "userAgent") == 0)
		return parse_agent(c, v, e);
	if (strcmp(k, "includePaths") == 0)
		return parse_patterns(k, v, compile, &c->include_paths, e);
	if (strcmp(k, "excludePaths") == 0)
		return parse_patterns(k, v, compile, &c->exclude_paths, e);
	if (strcmp(k, "selectors") == 0)
		return parse_selectors(v, compile, &c->selectors, e);
	return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid config: unknown field '%.64s'", k);
}

enum sq_err
crawl_config_parse(struct crawl_config *c, struct json_object *cfg, struct sq_error *e)
{
	struct crawl_config	 t = *c;
	enum sq_err		 rc = SQ_OK;

	if (cfg == NULL)
		return SQ_OK;
	if (!json_object_is_type(cfg, json_type_object))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid config: must be an object");
	/* Parse into a copy whose JSON references are its own, so *c changes only on success. */
	t.include_paths = t.exclude_paths = t.selectors = NULL;
	json_object_object_foreach(cfg, k, v) {
		if (v == NULL)
			rc = sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid config.%.64s: must not be null", k);
		else
			rc = parse_key(&t, k, v, 1, e);
		if (rc != SQ_OK)
			break;
	}
	if (rc != SQ_OK) {
		crawl_config_clear(&t);
		return rc;
	}
	if (t.include_paths == NULL)
		t.include_paths = json_object_get(c->include_paths);
	if (t.exclude_paths == NULL)
		t.exclude_paths = json_object_get(c->exclude_paths);
	if (t.selectors == NULL)
		t.selectors = json_object_get(c->selectors);
	crawl_config_clear(c);
	*c = t;
	return SQ_OK;
}

void
crawl_config_finish(struct crawl_config *c, const struct config *cfg, long long project_max)
{
	if (!(c->given & CRAWL_GIVEN_MAX_RESULTS))
		c->max_results = project_max;
	if (!(c->given & CRAWL_GIVEN_DEPTH))
		c->depth = SQ_JOB_DEPTH_DEFAULT;
	if (!(c->given & CRAWL_GIVEN_MAX_PAGES))
		c->max_pages = c->max_results;
	if (!(c->given & CRAWL_GIVEN_TIMEOUT))
		c->timeout_ms = (long long)cfg->daemon_timeout * 1000;
	if (!(c->given & CRAWL_GIVEN_DELAY))
		c->delay_ms = 0;
	if (!(c->given & CRAWL_GIVEN_ROBOTS))
		c->respect_robots = 1;
	if (!(c->given & CRAWL_GIVEN_USER_AGENT))
		text_copy(c->user_agent, sizeof(c->user_agent), cfg->daemon_user_agent);
	/* The other booleans default to false, which init left. */
}

/*
 * A stored timeout in ms: "timeout_ms" is the client's own figure, else "timeout" in
 * seconds (what scrapeqd reads; older rows have only it). 1 set, 0 absent, -1 bad.
 */
static int
stored_timeout(struct json_object *o, long long *ms)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, "timeout_ms", &v))
		return read_int(v, SQ_JOB_TIMEOUT_MS_MIN, SQ_JOB_TIMEOUT_MS_MAX, ms) == 0 ? 1 : -1;
	if (!json_object_object_get_ex(o, "timeout", &v))
		return 0;
	if (read_int(v, 1, SQ_JOB_TIMEOUT_MS_MAX / 1000, ms) == -1)
		return -1;
	*ms *= 1000;
	return 1;
}

/* The keys of a stored config that are not options: the run's, and the two timeout forms. */
static int
stored_only(const char *k)
{
	return strcmp(k, "max_results_per_target") == 0 || strcmp(k, "targets") == 0 ||
	    strcmp(k, "timeout") == 0 || strcmp(k, "timeout_ms") == 0;
}

/* crawl_config_load of a parsed stored object; compile as parse_key takes it. */
static int
load_object(struct crawl_config *c, struct json_object *o, const struct config *cfg,
    int compile, struct sq_error *e)
{
	struct json_object	*v;
	long long		 n;
	int			 rc = 0;

	crawl_config_init(c);
	if (json_object_object_get_ex(o, "max_results_per_target", &v)) {
		if (read_int(v, 1, SQ_RESULTS_PER_TARGET_MAX, &n) == 0) {
			c->max_results = n;
			c->given |= CRAWL_GIVEN_MAX_RESULTS;
		} else
			rc = -1, sq_fail(e, SQ_ERR_INVALID, "Invalid config.max_results_per_target");
	}
	switch (stored_timeout(o, &n)) {
	case 1:
		c->timeout_ms = n;
		c->given |= CRAWL_GIVEN_TIMEOUT;
		break;
	case -1:
		if (rc == 0)
			rc = -1, sq_fail(e, SQ_ERR_INVALID, "Invalid config.timeout");
		break;
	}
	/* The rest by the rules a client's config meets. */
	json_object_object_foreach(o, k, val) {
		if (rc == 0 && !stored_only(k) && (val == NULL ? sq_fail(e, SQ_ERR_INVALID,
		    "Invalid config.%.64s: must not be null", k) : parse_key(c, k, val, compile,
		    e)) != SQ_OK)
			rc = -1;
	}
	crawl_config_finish(c, cfg, cfg->max_results_per_target);
	return rc;
}

int
crawl_config_load(struct crawl_config *c, const char *stored, const struct config *cfg,
    struct sq_error *e)
{
	struct json_object	*o;
	int			 rc;

	if ((o = json_tokener_parse(stored)) == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		crawl_config_init(c);
		sq_fail(e, SQ_ERR_INTERNAL, "job config is not a JSON object");
		return -1;
	}
	rc = load_object(c, o, cfg, 1, e);
	json_object_put(o);
	return rc;
}

static void
put_json(struct buf *out, const char *key, struct json_object *v)
{
	if (v != NULL)
		buf_printf(out, ",\"%s\":%s", key, json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN));
}

/*
 * The options after max_results_per_target (and targets). Stored: timeout and userAgent
 * only when the client set them (scrapeqd takes the config file's otherwise, so a
 * changed [daemon] timeout or user_agent reaches every job not yet run), timeout in
 * seconds beside timeout_ms. Shown: every option, timeout in ms.
 */
static void
put_options(const struct crawl_config *c, int shown, struct buf *out)
{
	size_t i;

	for (i = 0; i < NOPTS; i++) {
		if (opts[i].kind == OPT_BOOL)
			buf_printf(out, ",\"%s\":%s", opts[i].key, opt_value(c, &opts[i]) ?
			    "true" : "false");
		else if (opts[i].bit != CRAWL_GIVEN_TIMEOUT)
			buf_printf(out, ",\"%s\":%lld", opts[i].key, opt_value(c, &opts[i]));
	}
	if (shown)
		buf_printf(out, ",\"timeout\":%lld", c->timeout_ms);
	else if (c->given & CRAWL_GIVEN_TIMEOUT)
		/* Rounded up, so no fetch is cut shorter than asked. */
		buf_printf(out, ",\"timeout\":%lld,\"timeout_ms\":%lld",
		    (c->timeout_ms + 999) / 1000, c->timeout_ms);
	if (shown || (c->given & CRAWL_GIVEN_USER_AGENT)) {
		buf_puts(out, ",\"userAgent\":");
		buf_json_str(out, c->user_agent, strlen(c->user_agent));
	}
	put_json(out, "includePaths", c->include_paths);
	put_json(out, "excludePaths", c->exclude_paths);
	put_json(out, "selectors", c->selectors);
	buf_putc(out, '}');
}

int
crawl_config_store(const struct crawl_config *c, const char *targets, struct buf *out)
{
	buf_printf(out, "{\"max_results_per_target\":%lld", c->max_results);
	if (targets != NULL)
		buf_printf(out, ",\"targets\":%s", targets);
	put_options(c, 0, out);
	return out->oom ? -1 : 0;
}

int
crawl_config_view(const char *stored, const struct config *cfg, int run_keys, struct buf *out)
{
	struct crawl_config	 c;
	struct json_object	*o = NULL, *t;
	struct sq_error		 e;
	struct buf		 opt;
	int			 rc = -1;

	buf_init(&opt, 0);
	crawl_config_init(&c);
	/* One parse; what compiled when it was stored is not compiled again on every read. */
	if ((o = json_tokener_parse(stored)) == NULL || !json_object_is_type(o, json_type_object) ||
	    load_object(&c, o, cfg, 0, &e) == -1)
		goto out;
	buf_putc(out, '{');
	if (run_keys) {
		buf_printf(out, "\"max_results_per_target\":%lld", c.max_results);
		if (json_object_object_get_ex(o, "targets", &t))
			put_json(out, "targets", t);
		put_options(&c, 1, out);
	} else {
		/* The options start the object: without their leading comma. */
		put_options(&c, 1, &opt);
		if (!opt.oom)
			buf_puts(out, opt.data + 1);
	}
	rc = out->oom || opt.oom ? -1 : 0;
out:
	buf_free(&opt);
	json_object_put(o);
	crawl_config_clear(&c);
	return rc;
}
