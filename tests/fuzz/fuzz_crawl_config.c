/* fuzz_crawl_config.c: libFuzzer target for a job's crawl config: parse, store, load, view. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/crawl_config.h"
#include "scrapeq/jsonbody.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * The same bytes as text already stored in jobs.config (an older scrapeq's, or one a
 * sysadmin edited): refused, or loaded into a config that stores back to a fixed
 * point; its view is a JSON object or refused, never a crash.
 */
static void
stored(const uint8_t *data, size_t size, const struct config *cfg)
{
	struct crawl_config	 c, back;
	struct sq_error		 e;
	struct json_object	*v;
	struct buf		 a, b, view;
	char			*text;

	if ((text = malloc(size + 1)) == NULL)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&e, 0, sizeof(e));
	buf_init(&a, 0);
	buf_init(&b, 0);
	buf_init(&view, 0);
	if (crawl_config_view(text, cfg, 1, &view) == 0) {
		if ((v = json_tokener_parse(view.data)) == NULL ||
		    !json_object_is_type(v, json_type_object))
			abort();
		json_object_put(v);
	}
	if (crawl_config_load(&c, text, cfg, &e) == 0) {
		if (crawl_config_store(&c, NULL, &a) == -1 ||
		    crawl_config_load(&back, a.data, cfg, &e) == -1)
			abort();
		if (crawl_config_store(&back, NULL, &b) == -1 || strcmp(a.data, b.data) != 0)
			abort();
		crawl_config_clear(&back);
	}
	crawl_config_clear(&c);         /* what did parse, when refused too */
	buf_free(&view);
	buf_free(&b);
	buf_free(&a);
	free(text);
}

/*
 * Whatever a client sends: refused with a message that names config and changes
 * nothing, or taken; a taken config stores, loads back to the same stored text, and
 * has a view that is itself a JSON object.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crawl_config	 c, back;
	struct json_object	*o, *v;
	struct sq_error		 e;
	struct config		 cfg;
	struct buf		 a, b, view;

	memset(&e, 0, sizeof(e));
	if ((o = jsonbody_parse((const char *)data, size, 0, &e)) == NULL)
		return 0;
	config_defaults(&cfg);
	crawl_config_init(&c);
	buf_init(&a, 0);
	buf_init(&b, 0);
	buf_init(&view, 0);
	if (crawl_config_parse(&c, o, &e) != SQ_OK) {
		if (strncmp(e.message, "Invalid config", 14) != 0 || c.given != 0 ||
		    c.selectors != NULL || c.include_paths != NULL)
			abort();
		goto out;
	}
	crawl_config_finish(&c, &cfg, 100);
	if (crawl_config_store(&c, NULL, &a) == -1 || crawl_config_load(&back, a.data, &cfg, &e) == -1)
		abort();
	if (crawl_config_store(&back, NULL, &b) == -1 || strcmp(a.data, b.data) != 0)
		abort();
	crawl_config_clear(&back);
	if (crawl_config_view(a.data, &cfg, 1, &view) == -1 ||
	    (v = json_tokener_parse(view.data)) == NULL || !json_object_is_type(v, json_type_object))
		abort();
	json_object_put(v);
out:
	stored(data, size, &cfg);
	buf_free(&view);
	buf_free(&b);
	buf_free(&a);
	crawl_config_clear(&c);
	json_object_put(o);
	return 0;
}
