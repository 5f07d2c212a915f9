/* test_crawl_config.c: a job's crawl options: checks, defaults, the stored form, the client's view. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/crawl_config.h"
#include "tap.h"

/* JSON in; stored JSON out with the test config (timeout 30, agent scrapeq/test, project cap 100). */
static const struct {
	const char *in, *out;
} good[] = {
	{ NULL, "{\"max_results_per_target\":100,\"depth\":3,\"maxPages\":100,\"delay\":0,"
	  "\"respectRobots\":true,\"includeSubdomains\":false,\"allowExternalLinks\":false,"
	  "\"ignoreSitemap\":false,\"ignoreQueryParameters\":false}" },
	{ "{\"depth\":3,\"maxPages\":150,\"timeout\":1500,\"respectRobots\":false,"
	  "\"includeSubdomains\":true,\"userAgent\":\"CustomBot/1.0\"}",
	  "{\"max_results_per_target\":100,\"depth\":3,\"maxPages\":150,\"delay\":0,"
	  "\"respectRobots\":false,\"includeSubdomains\":true,\"allowExternalLinks\":false,"
	  "\"ignoreSitemap\":false,\"ignoreQueryParameters\":false,\"timeout\":2,"
	  "\"timeout_ms\":1500,\"userAgent\":\"CustomBot/1.0\"}" },
	{ "{\"depth\":0,\"maxPages\":1,\"timeout\":1000.0,\"delay\":600000,"
	  "\"allowExternalLinks\":true,\"ignoreSitemap\":true,\"ignoreQueryParameters\":true}",
	  "{\"max_results_per_target\":100,\"depth\":0,\"maxPages\":1,\"delay\":600000,"
	  "\"respectRobots\":true,\"includeSubdomains\":false,\"allowExternalLinks\":true,"
	  "\"ignoreSitemap\":true,\"ignoreQueryParameters\":true,\"timeout\":1,"
	  "\"timeout_ms\":1000}" },
	{ "{\"includePaths\":[\"^/blog/\"],\"excludePaths\":[],\"selectors\":{\"price\":"
	  "\"string(//span[@class='p'])\",\"a.b-c_d\":\"count(//a)\"}}",
	  "{\"max_results_per_target\":100,\"depth\":3,\"maxPages\":100,\"delay\":0,"
	  "\"respectRobots\":true,\"includeSubdomains\":false,\"allowExternalLinks\":false,"
	  "\"ignoreSitemap\":false,\"ignoreQueryParameters\":false,\"includePaths\":[\"^\\/blog\\/\"],"
	  "\"excludePaths\":[],\"selectors\":{\"price\":\"string(\\/\\/span[@class='p'])\","
	  "\"a.b-c_d\":\"count(\\/\\/a)\"}}" },
};

/* JSON in, the error it must give, the start of its message. */
static const struct {
	const char	*in;
	enum sq_err	 code;
	const char	*msg;
} bad[] = {
	{ "[]", SQ_ERR_BAD_REQUEST, "Invalid config: must be an object" },
	{ "{\"bogus\":1}", SQ_ERR_BAD_REQUEST, "Invalid config: unknown field 'bogus'" },
	{ "{\"depth\":null}", SQ_ERR_BAD_REQUEST, "Invalid config.depth: must not be null" },
	{ "{\"depth\":-1}", SQ_ERR_INVALID, "Invalid config.depth: must be an integer from 0" },
	{ "{\"depth\":101}", SQ_ERR_INVALID, "Invalid config.depth" },
	{ "{\"depth\":1.5}", SQ_ERR_INVALID, "Invalid config.depth" },
	{ "{\"depth\":1e30}", SQ_ERR_INVALID, "Invalid config.depth" },
	{ "{\"depth\":9223372036854775808}", SQ_ERR_INVALID, "Invalid config.depth" },
	{ "{\"depth\":\"3\"}", SQ_ERR_BAD_REQUEST, "Invalid config.depth: must be an integer" },
	{ "{\"maxPages\":0}", SQ_ERR_INVALID, "Invalid config.maxPages" },
	{ "{\"maxPages\":1000001}", SQ_ERR_INVALID, "Invalid config.maxPages" },
	{ "{\"timeout\":999}", SQ_ERR_INVALID, "Invalid config.timeout" },
	{ "{\"timeout\":3600001}", SQ_ERR_INVALID, "Invalid config.timeout" },
	{ "{\"delay\":-1}", SQ_ERR_INVALID, "Invalid config.delay" },
	{ "{\"delay\":600001}", SQ_ERR_INVALID, "Invalid config.delay" },
	{ "{\"respectRobots\":1}", SQ_ERR_BAD_REQUEST, "Invalid config.respectRobots" },
	{ "{\"includeSubdomains\":\"no\"}", SQ_ERR_BAD_REQUEST, "Invalid config.includeSubdomains" },
	{ "{\"allowExternalLinks\":0}", SQ_ERR_BAD_REQUEST, "Invalid config.allowExternalLinks" },
	{ "{\"ignoreSitemap\":[]}", SQ_ERR_BAD_REQUEST, "Invalid config.ignoreSitemap" },
	{ "{\"ignoreQueryParameters\":{}}", SQ_ERR_BAD_REQUEST, "Invalid config.ignoreQuery" },
	{ "{\"userAgent\":\"\"}", SQ_ERR_INVALID, "Invalid config.userAgent" },
	{ "{\"userAgent\":\"a\\nb\"}", SQ_ERR_INVALID, "Invalid config.userAgent" },
	{ "{\"userAgent\":5}", SQ_ERR_BAD_REQUEST, "Invalid config.userAgent: must be a string" },
	{ "{\"includePaths\":\"^/a\"}", SQ_ERR_BAD_REQUEST, "Invalid config.includePaths: must be" },
	{ "{\"includePaths\":[1]}", SQ_ERR_BAD_REQUEST, "Invalid config.includePaths[0]" },
	{ "{\"excludePaths\":[\"ok\",\"(\"]}", SQ_ERR_INVALID, "Invalid config.excludePaths[1]: " },
	{ "{\"excludePaths\":[\"(a)\\\\1\"]}", SQ_ERR_INVALID,
	  "Invalid config.excludePaths[0]: back-references" },
	{ "{\"includePaths\":[\"((a{1,255}){1,255}){1,255}\"]}", SQ_ERR_INVALID,
	  "Invalid config.includePaths[0]: pattern too complex" },
	{ "{\"selectors\":[]}", SQ_ERR_BAD_REQUEST, "Invalid config.selectors: must be an object" },
	{ "{\"selectors\":{\"a\":1}}", SQ_ERR_BAD_REQUEST, "Invalid config.selectors.a: must be" },
	{ "{\"selectors\":{\"a\":\"//span[\"}}", SQ_ERR_INVALID, "Invalid config.selectors.a: not" },
	{ "{\"selectors\":{\"a\":\"\"}}", SQ_ERR_INVALID, "Invalid config.selectors.a: not" },
	{ "{\"selectors\":{\"a b\":\"//a\"}}", SQ_ERR_INVALID, "Invalid config.selectors: a name" },
	{ "{\"selectors\":{\"\":\"//a\"}}", SQ_ERR_INVALID, "Invalid config.selectors: a name" },
};

static void
test_config(struct config *cfg)
{
	config_defaults(cfg);
	cfg->daemon_timeout = 30;
	cfg->max_results_per_target = 100;
	strcpy(cfg->daemon_user_agent, "scrapeq/test");
}

static void
test_good(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct json_object	*o = good[i].in ? json_tokener_parse(good[i].in) : NULL;
		struct sq_error		 e = { SQ_OK, "" };
		struct crawl_config	 c, back;
		struct buf		 b, b2;

		crawl_config_init(&c);
		buf_init(&b, 0);
		buf_init(&b2, 0);
		if (crawl_config_parse(&c, o, &e) != SQ_OK) {
			TAP_FAIL("config %s refused: %s", good[i].in, e.message);
			goto next;
		}
		crawl_config_finish(&c, cfg, 100);
		crawl_config_store(&c, NULL, &b);
		TAP_CHECK(strcmp(b.data, good[i].out) == 0, "config %s -> %s",
		    good[i].in ? good[i].in : "NULL", b.data);
		/* What was stored loads back to the same thing. */
		TAP_CHECK(crawl_config_load(&back, b.data, cfg, &e) == 0 &&
		    crawl_config_store(&back, NULL, &b2) == 0 && strcmp(b.data, b2.data) == 0,
		    "config row %zu round-trips (%s)", i, b2.data ? b2.data : "");
		crawl_config_clear(&back);
next:
		buf_free(&b);
		buf_free(&b2);
		crawl_config_clear(&c);
		json_object_put(o);
	}
}

static void
test_bad(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object	*o = json_tokener_parse(bad[i].in);
		struct sq_error		 e = { SQ_OK, "" };
		struct crawl_config	 c;
		enum sq_err		 rc;

		crawl_config_init(&c);
		c.depth = 7;
		rc = crawl_config_parse(&c, o, &e);
		TAP_CHECK(o != NULL && rc == bad[i].code &&
		    strncmp(e.message, bad[i].msg, strlen(bad[i].msg)) == 0 && c.depth == 7 &&
		    c.given == 0 && c.selectors == NULL, "config %s refused: %s", bad[i].in,
		    e.message);
		crawl_config_clear(&c);
		json_object_put(o);
	}
}

static void
test_limits(void)
{
	struct json_object	*o = json_object_new_object(), *a = json_object_new_array();
	struct json_object	*s = json_object_new_object();
	struct sq_error		 e = { SQ_OK, "" };
	struct crawl_config	 c;
	char			*x, name[16];
	int			 i;

	for (i = 0; i < SQ_CRAWL_PATTERNS_MAX + 1; i++)
		json_object_array_add(a, json_object_new_string("^/a"));
	json_object_object_add(o, "includePaths", a);
	crawl_config_init(&c);
	TAP_CHECK(crawl_config_parse(&c, o, &e) == SQ_ERR_INVALID, "%d patterns refused",
	    SQ_CRAWL_PATTERNS_MAX + 1);
	json_object_array_del_idx(a, 0, 1);
	TAP_CHECK(crawl_config_parse(&c, o, &e) == SQ_OK, "%d patterns taken",
	    SQ_CRAWL_PATTERNS_MAX);
	json_object_object_del(o, "includePaths");
	if ((x = malloc(SQ_CRAWL_XPATH_MAX + 2)) == NULL)
		abort();
	memset(x, ' ', SQ_CRAWL_XPATH_MAX + 1);
	memcpy(x, "//a", 3);
	x[SQ_CRAWL_XPATH_MAX] = '\0';
	json_object_object_add(s, "a", json_object_new_string(x));
	json_object_object_add(o, "selectors", s);
	TAP_CHECK(crawl_config_parse(&c, o, &e) == SQ_OK, "an XPath of %d bytes taken",
	    SQ_CRAWL_XPATH_MAX);
	x[SQ_CRAWL_XPATH_MAX] = ' ';
	x[SQ_CRAWL_XPATH_MAX + 1] = '\0';
	json_object_object_add(s, "a", json_object_new_string(x));
	TAP_CHECK(crawl_config_parse(&c, o, &e) == SQ_ERR_INVALID, "one byte more refused");
	json_object_object_del(s, "a");
	for (i = 0; i < SQ_CRAWL_SELECTORS_MAX + 1; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		json_object_object_add(s, name, json_object_new_string("//a"));
	}
	TAP_CHECK(crawl_config_parse(&c, o, &e) == SQ_ERR_INVALID, "%d selectors refused",
	    SQ_CRAWL_SELECTORS_MAX + 1);
	free(x);
	crawl_config_clear(&c);
	json_object_put(o);
}

/* An older stored config (the canonical API's, before options) reads back complete. */
static void
test_load_partial(const struct config *cfg)
{
	struct crawl_config	 c;
	struct sq_error		 e = { SQ_OK, "" };
	struct buf		 b;

	buf_init(&b, 0);
	TAP_CHECK(crawl_config_load(&c, "{\"max_results_per_target\":7,\"targets\":[\"tgt_1\"]}",
	    cfg, &e) == 0 && c.max_results == 7 && c.max_pages == 7 && c.depth == 3 &&
	    c.timeout_ms == 30000 && c.respect_robots == 1 &&
	    strcmp(c.user_agent, "scrapeq/test") == 0, "partial stored config completed");
	crawl_config_clear(&c);
	TAP_CHECK(crawl_config_load(&c, "{\"timeout\":5,\"depth\":2}", cfg, &e) == 0 &&
	    c.timeout_ms == 5000 && c.depth == 2 && c.max_results == 100,
	    "seconds-only timeout read as seconds");
	crawl_config_clear(&c);
	TAP_CHECK(crawl_config_load(&c, "[1]", cfg, &e) == -1, "stored array refused");
	crawl_config_clear(&c);
	/* What scrapeqd refuses to crawl: a stored key the API's rules would have refused. */
	TAP_CHECK(crawl_config_load(&c, "{\"includePaths\":[\"(\"]}", cfg, &e) == -1 &&
	    strncmp(e.message, "Invalid config.includePaths[0]", 30) == 0, "a bad stored pattern "
	    "refused: %s", e.message);
	crawl_config_clear(&c);
	TAP_CHECK(crawl_config_load(&c, "{\"depth\":1000}", cfg, &e) == -1 &&
	    strncmp(e.message, "Invalid config.depth", 20) == 0, "a stored depth out of range "
	    "refused, not clamped: %s", e.message);
	crawl_config_clear(&c);
	TAP_CHECK(crawl_config_load(&c, "{\"timeout\":0}", cfg, &e) == -1 &&
	    crawl_config_load(&c, "{\"timeout_ms\":5,\"timeout\":1}", cfg, &e) == -1 &&
	    crawl_config_load(&c, "{\"bogus\":1}", cfg, &e) == -1 &&
	    crawl_config_load(&c, "{\"depth\":null}", cfg, &e) == -1,
	    "bad stored timeouts, unknown and null keys refused");
	TAP_CHECK(crawl_config_view("{\"max_results_per_target\":5,\"targets\":[],\"depth\":1,"
	    "\"timeout\":2,\"timeout_ms\":1500}", cfg, 0, &b) == 0 && strcmp(b.data,
	    "{\"depth\":1,\"maxPages\":5,\"delay\":0,\"respectRobots\":true,"
	    "\"includeSubdomains\":false,\"allowExternalLinks\":false,\"ignoreSitemap\":false,"
	    "\"ignoreQueryParameters\":false,\"timeout\":1500,\"userAgent\":\"scrapeq/test\"}") == 0,
	    "seed 001 view: every option, timeout in ms, the config file's agent: %s", b.data);
	buf_reset(&b);
	TAP_CHECK(crawl_config_view("{\"max_results_per_target\":5,\"targets\":[\"tgt_1\"],"
	    "\"userAgent\":\"X/1\"}", cfg, 1, &b) == 0 && strcmp(b.data,
	    "{\"max_results_per_target\":5,\"targets\":[\"tgt_1\"],\"depth\":3,\"maxPages\":5,"
	    "\"delay\":0,\"respectRobots\":true,\"includeSubdomains\":false,"
	    "\"allowExternalLinks\":false,\"ignoreSitemap\":false,\"ignoreQueryParameters\":false,"
	    "\"timeout\":30000,\"userAgent\":\"X/1\"}") == 0,
	    "canonical view: run keys first, [daemon] timeout: %s", b.data);
	buf_reset(&b);
	TAP_CHECK(crawl_config_view("[]", cfg, 1, &b) == -1, "a stored array has no view");
	buf_free(&b);
}

int
main(void)
{
	struct config cfg;

	test_config(&cfg);
	test_good(&cfg);
	test_bad();
	test_limits();
	test_load_partial(&cfg);
	return tap_done("test_crawl_config");
}
