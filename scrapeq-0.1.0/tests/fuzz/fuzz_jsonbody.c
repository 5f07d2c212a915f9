/* fuzz_jsonbody.c: libFuzzer target for jsonbody_parse and jsonbody_check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/jsonbody.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct jsonbody_field fields[] = {
	{ "name", JF_STRING, 0 },
	{ "count", JF_INT, 0 },
	{ "on", JF_BOOL, 1 },
	{ "cfg", JF_OBJECT, 1 },
	{ "ids", JF_ARRAY, 0 },
	{ "ratio", JF_NUMBER, 0 },
	{ "any", JF_ANY, 1 },
};

/* An error must carry a code and a NUL-terminated, non-empty message. */
static void
check_error(const struct sq_error *e)
{
	if (e->code == SQ_OK || memchr(e->message, '\0', sizeof(e->message)) == NULL ||
	    e->message[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sq_error		 e;
	struct json_object	*o;
	enum sq_err		 rc;

	memset(&e, 0, sizeof(e));
	o = jsonbody_parse((const char *)data, size, size == 0, &e);
	if (o == NULL) {
		check_error(&e);
		return 0;
	}
	if (e.code != SQ_OK)
		abort();
	rc = jsonbody_check(o, fields, sizeof(fields) / sizeof(fields[0]), &e);
	if (rc != SQ_OK)
		check_error(&e);
	/* Serialising what we accepted must work too. */
	if (json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) == NULL)
		abort();
	json_object_put(o);
	return 0;
}
