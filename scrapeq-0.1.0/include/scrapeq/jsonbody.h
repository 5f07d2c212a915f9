/* jsonbody.h: request bodies parsed with json-c under a depth limit, and checked against a field list. */
#ifndef SCRAPEQ_JSONBODY_H
#define SCRAPEQ_JSONBODY_H

#include <stddef.h>
#include <json-c/json.h>
#include "err.h"

/*
 * Parses body (len bytes, not necessarily NUL-terminated) as one JSON value,
 * at most SQ_JSON_DEPTH_MAX deep, with nothing but whitespace after it.
 * An empty body parses as an empty object when empty_ok is non-zero.
 * Returns the value (the caller owns it: json_object_put once), or NULL with
 * e->code SQ_ERR_BAD_REQUEST and a message like "Malformed JSON: unexpected end of data".
 * Parsing is json-c's strict mode with UTF-8 validation; also refused: NUL bytes,
 * NaN/Infinity and numbers that overflow a double, "\u0000" inside a string, and
 * a top-level null. (SQ_ERR_NOMEM when out of memory; SQ_ERR_TOO_LARGE at INT_MAX
 * bytes, which json-c cannot take.)
 */
struct json_object *jsonbody_parse(const char *body, size_t len, int empty_ok,
	    struct sq_error *e);

enum jf_type { JF_STRING, JF_INT, JF_BOOL, JF_OBJECT, JF_ARRAY, JF_NUMBER, JF_ANY };

struct jsonbody_field {
	const char	*name;
	enum jf_type	 type;
	int		 nullable;   /* JSON null accepted */
};

/*
 * Checks that obj is an object, that every key is in fields (nfields entries),
 * and that each present key has its declared type (JF_INT: an integer with no
 * fraction; JF_NUMBER: int or double). Returns SQ_OK, or SQ_ERR_BAD_REQUEST with
 * messages "Request body must be a JSON object", "Unknown field(s): a, b" (every
 * unknown key named, sorted as they appear), or "Field 'x' must be an integer".
 * JF_INT also takes a double with no fraction that fits int64 (2.0, 1e3). A null
 * in a field that is not nullable is "Field 'x' must not be null". Unknown keys
 * are echoed cut to 64 bytes, and a list that does not fit ends in ", ...".
 */
enum sq_err jsonbody_check(struct json_object *obj, const struct jsonbody_field *fields,
	    size_t nfields, struct sq_error *e);

#endif
