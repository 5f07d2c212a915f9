/* test_jsonw.c: the streaming JSON writer: commas, nesting, escaping, and refused misuse. */
#include <string.h>

#include "scrapeq/jsonw.h"
#include "tap.h"

int
main(void)
{
	struct buf	 b;
	struct jsonw	 w;
	int		 i;

	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "a", "x\"y");
	jsonw_int(&w, "n", -9223372036854775807LL - 1);
	jsonw_bool(&w, "t", 1);
	jsonw_null(&w, "z");
	jsonw_str(&w, "s", NULL);
	jsonw_raw(&w, "cfg", "{\"k\":[1,2]}");
	jsonw_array(&w, "arr");
	jsonw_int(&w, NULL, 1);
	jsonw_object(&w, NULL);
	jsonw_end(&w);
	jsonw_array(&w, NULL);
	jsonw_end(&w);
	jsonw_end(&w);
	jsonw_end(&w);
	TAP_CHECK(!jsonw_failed(&w), "a well-formed document");
	TAP_STREQ(b.data, "{\"a\":\"x\\\"y\",\"n\":-9223372036854775808,\"t\":true,\"z\":null,"
	    "\"s\":null,\"cfg\":{\"k\":[1,2]},\"arr\":[1,{},[]]}", "document");
	buf_free(&b);

	/* Misuse is caught, not written. */
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_int(&w, NULL, 1);
	TAP_CHECK(jsonw_failed(&w), "a value without a key inside an object fails");
	buf_free(&b);
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_array(&w, NULL);
	jsonw_int(&w, "k", 1);
	TAP_CHECK(jsonw_failed(&w), "a key inside an array fails");
	buf_free(&b);
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_end(&w);
	TAP_CHECK(jsonw_failed(&w), "ending nothing fails");
	buf_free(&b);
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_int(&w, NULL, 1);
	jsonw_int(&w, NULL, 2);
	TAP_CHECK(jsonw_failed(&w), "two top-level values fail");
	buf_free(&b);
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	TAP_CHECK(jsonw_failed(&w), "an unclosed document is incomplete");
	buf_free(&b);
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	for (i = 0; i <= JSONW_DEPTH_MAX; i++)
		jsonw_array(&w, NULL);
	TAP_CHECK(jsonw_failed(&w), "nesting past JSONW_DEPTH_MAX fails");
	buf_free(&b);

	/* Running out of buffer is a failure, never an overflow. */
	buf_init(&b, 16);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "key", "a value longer than sixteen bytes");
	jsonw_end(&w);
	TAP_CHECK(jsonw_failed(&w) && b.len <= 16, "a capped buffer fails cleanly");
	buf_free(&b);
	return tap_done("test_jsonw");
}
