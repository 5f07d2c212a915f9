/* jsonbody.c: request bodies parsed strictly with json-c and checked against a field list. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "scrapeq/jsonbody.h"
#include "scrapeq/limits.h"

/* Longest part of one client-supplied key echoed back in an error message. */
#define JB_KEY_ECHO_MAX 64

static int
is_json_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Refuses what json-c lets through even with JSON_TOKENER_STRICT: NaN,
 * Infinity and numbers like 1e999 that overflow to an infinity (a range check
 * on them can silently pass; every comparison with NaN is false), and strings
 * holding U+0000, which every later strlen() would silently cut short.
 * Recursion is bounded by the tokener's depth limit. Returns NULL or why.
 */
static const char *
values_ok(struct json_object *o)
{
	const char	*why;
	size_t		 i, n;

	switch (json_object_get_type(o)) {
	case json_type_double:
		return isfinite(json_object_get_double(o)) ? NULL : "number out of range";
	case json_type_string:
		n = (size_t)json_object_get_string_len(o);
		return memchr(json_object_get_string(o), '\0', n) == NULL ? NULL :
		    "\\u0000 in a string";
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if ((why = values_ok(json_object_array_get_idx(o, i))) != NULL)
				return why;
		return NULL;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			if ((why = values_ok(val)) != NULL)
				return why;
		}
		return NULL;
	}
	default:
		return NULL;
	}
}

/*
 * Runs the tokener over body; returns 0 with *out set (NULL for a JSON null),
 * or -1 with *jerr set. json-c needs to see a terminating NUL to finish a bare
 * top-level number, so when the body ends mid-value a one-byte "\0" chunk is
 * fed to say "end of input" without copying the body.
 */
static int
tokenize(struct json_tokener *tok, const char *body, size_t len,
    struct json_object **out, enum json_tokener_error *jerr)
{
	struct json_object	*o;
	size_t			 end;

	o = json_tokener_parse_ex(tok, body, (int)len);
	if ((*jerr = json_tokener_get_error(tok)) == json_tokener_continue) {
		o = json_tokener_parse_ex(tok, "", 1);
		if ((*jerr = json_tokener_get_error(tok)) == json_tokener_continue)
			*jerr = json_tokener_error_parse_eof;
	} else if (*jerr == json_tokener_success) {
		/* Strict mode refuses trailing bytes already; check anyway, it is cheap. */
		for (end = json_tokener_get_parse_end(tok); end < len; end++)
			if (!is_json_ws(body[end]))
				*jerr = json_tokener_error_parse_unexpected;
	}
	if (*jerr != json_tokener_success) {
		json_object_put(o);
		return -1;
	}
	*out = o;
	return 0;
}

struct json_object *
jsonbody_parse(const char *body, size_t len, int empty_ok, struct sq_error *e)
{
	struct json_tokener	*tok = NULL;
	struct json_object	*o = NULL;
	enum json_tokener_error	 jerr;
	const char		*why;

	if (len == 0 && empty_ok) {
		if ((o = json_object_new_object()) == NULL)
			sq_fail(e, SQ_ERR_NOMEM, NULL);
		return o;
	}
	if (len == 0 || body == NULL) {
		sq_fail(e, SQ_ERR_BAD_REQUEST, "Malformed JSON: unexpected end of data");
		return NULL;
	}
	/* json-c takes an int length; the API's own cap is far below this. */
	if (len >= INT_MAX) {
		sq_fail(e, SQ_ERR_TOO_LARGE, NULL);
		return NULL;
	}
	if (memchr(body, '\0', len) != NULL) {
		sq_fail(e, SQ_ERR_BAD_REQUEST, "Malformed JSON: NUL byte in body");
		return NULL;
	}
	if ((tok = json_tokener_new_ex(SQ_JSON_DEPTH_MAX)) == NULL) {
		sq_fail(e, SQ_ERR_NOMEM, NULL);
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	if (tokenize(tok, body, len, &o, &jerr) != 0) {
		if (jerr == json_tokener_error_depth)
			sq_fail(e, SQ_ERR_BAD_REQUEST,
			    "Malformed JSON: nested deeper than %d levels", SQ_JSON_DEPTH_MAX);
		else
			sq_fail(e, SQ_ERR_BAD_REQUEST, "Malformed JSON: %s",
			    json_tokener_error_desc(jerr));
		goto out;
	}
	if (o == NULL)
		sq_fail(e, SQ_ERR_BAD_REQUEST, "Request body must not be null");
	else if ((why = values_ok(o)) != NULL) {
		json_object_put(o);
		o = NULL;
		sq_fail(e, SQ_ERR_BAD_REQUEST, "Malformed JSON: %s", why);
	}
out:
	json_tokener_free(tok);
	return o;
}

static const char *
type_phrase(enum jf_type t)
{
	switch (t) {
	case JF_STRING:	return "a string";
	case JF_INT:	return "an integer";
	case JF_BOOL:	return "a boolean";
	case JF_OBJECT:	return "an object";
	case JF_ARRAY:	return "an array";
	case JF_NUMBER:	return "a number";
	default:	return "a value";
	}
}

/* An integer: a json-c int, or a finite double with no fraction that fits int64. */
static int
is_integer(struct json_object *v)
{
	double	 d;

	if (json_object_is_type(v, json_type_int))
		return 1;
	if (!json_object_is_type(v, json_type_double))
		return 0;
	d = json_object_get_double(v);
	/* Range first: converting an out-of-range double to long long is undefined. */
	return isfinite(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
	    d == (double)(long long)d;
}

static int
type_ok(struct json_object *v, enum jf_type t)
{
	switch (t) {
	case JF_STRING:	return json_object_is_type(v, json_type_string);
	case JF_INT:	return is_integer(v);
	case JF_BOOL:	return json_object_is_type(v, json_type_boolean);
	case JF_OBJECT:	return json_object_is_type(v, json_type_object);
	case JF_ARRAY:	return json_object_is_type(v, json_type_array);
	case JF_NUMBER:	return json_object_is_type(v, json_type_int) ||
			    json_object_is_type(v, json_type_double);
	default:	return 1;
	}
}

static const struct jsonbody_field *
find_field(const char *key, const struct jsonbody_field *fields, size_t nfields)
{
	size_t	 i;

	for (i = 0; i < nfields; i++)
		if (strcmp(fields[i].name, key) == 0)
			return &fields[i];
	return NULL;
}

/* Backs len off so s[0..len) does not end inside a UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t len)
{
	size_t	 i = len, lead;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return len;
	lead = (unsigned char)s[i - 1];
	if (lead < 0x80)
		return len;
	if ((lead >= 0xF0 && len - (i - 1) < 4) || (lead >= 0xE0 && len - (i - 1) < 3) ||
	    (lead >= 0xC0 && len - (i - 1) < 2))
		return i - 1;
	return len;
}

/*
 * Appends one key to the "Unknown field(s): " list in msg (size msgsz), each
 * key cut to JB_KEY_ECHO_MAX bytes; once the message is full it ends in "...".
 * Returns 0 while there is room, -1 once full.
 */
static int
append_unknown(char *msg, size_t msgsz, size_t *used, const char *key, int first)
{
	size_t	 klen = strlen(key), room, sep = first ? 0 : 2;
	int	 cut = 0;

	if (klen > JB_KEY_ECHO_MAX) {
		klen = utf8_cut(key, JB_KEY_ECHO_MAX);
		cut = 1;
	}
	room = msgsz - *used - 1;
	if (sep + klen + (cut ? 3 : 0) + 5 > room) {
		memcpy(msg + *used, first ? "..." : ", ...", first ? 4 : 6);
		*used += first ? 3 : 5;
		return -1;
	}
	memcpy(msg + *used, ", ", sep);
	memcpy(msg + *used + sep, key, klen);
	*used += sep + klen;
	if (cut) {
		memcpy(msg + *used, "...", 3);
		*used += 3;
	}
	msg[*used] = '\0';
	return 0;
}

static enum sq_err
check_unknown(struct json_object *obj, const struct jsonbody_field *fields,
    size_t nfields, struct sq_error *e)
{
	char	 msg[sizeof(e->message)];
	size_t	 used;
	int	 nunknown = 0;

	used = sizeof("Unknown field(s): ") - 1;
	memcpy(msg, "Unknown field(s): ", used + 1);
	json_object_object_foreach(obj, key, val) {
		(void)val;
		if (find_field(key, fields, nfields) != NULL)
			continue;
		if (append_unknown(msg, sizeof(msg), &used, key, nunknown++ == 0) != 0)
			break;
	}
	if (nunknown == 0)
		return SQ_OK;
	return sq_fail(e, SQ_ERR_BAD_REQUEST, "%s", msg);
}

enum sq_err
jsonbody_check(struct json_object *obj, const struct jsonbody_field *fields,
    size_t nfields, struct sq_error *e)
{
	const struct jsonbody_field	*f;
	enum sq_err			 rc;

	if (!json_object_is_type(obj, json_type_object))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Request body must be a JSON object");
	if ((rc = check_unknown(obj, fields, nfields, e)) != SQ_OK)
		return rc;
	json_object_object_foreach(obj, key, val) {
		f = find_field(key, fields, nfields);
		if (val == NULL) {
			if (!f->nullable)
				return sq_fail(e, SQ_ERR_BAD_REQUEST,
				    "Field '%s' must not be null", f->name);
			continue;
		}
		if (!type_ok(val, f->type))
			return sq_fail(e, SQ_ERR_BAD_REQUEST, "Field '%s' must be %s",
			    f->name, type_phrase(f->type));
	}
	return SQ_OK;
}
