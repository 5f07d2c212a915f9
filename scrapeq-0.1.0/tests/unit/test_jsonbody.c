/* test_jsonbody.c: table-driven tests of jsonbody_parse (malformed, limits) and jsonbody_check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/jsonbody.h"
#include "scrapeq/limits.h"
#include "tap.h"

#define E_EOF	"Malformed JSON: unexpected end of data"
#define E_CHAR	"Malformed JSON: unexpected character"
#define E_DEPTH	"Malformed JSON: nested deeper than 16 levels"
#define E_RANGE	"Malformed JSON: number out of range"
#define E_UTF8	"Malformed JSON: invalid utf-8 string"
#define E_NUL	"Malformed JSON: NUL byte in body"

struct prow {
	const char	*body;
	size_t		 len;		/* 0: strlen(body) */
	int		 empty_ok;
	const char	*want;		/* plain serialisation on success, NULL on failure */
	const char	*msg;		/* message on failure */
};

static const struct prow prows[] = {
	{ "{}", 0, 0, "{}", NULL },
	{ "{\"a\":1}", 0, 0, "{\"a\":1}", NULL },
	{ " {\"a\": [1, 2.5, true, false, null, \"x\"]} \n\t\r", 0, 0,
	    "{\"a\":[1,2.5,true,false,null,\"x\"]}", NULL },
	{ "[]", 0, 0, "[]", NULL },
	{ "12", 0, 0, "12", NULL },
	{ "12 ", 0, 0, "12", NULL },
	{ "-7", 0, 0, "-7", NULL },
	{ "1.5", 0, 0, "1.5", NULL },
	{ "true", 0, 0, "true", NULL },
	{ "\"str\"", 0, 0, "\"str\"", NULL },
	{ "\"\xC3\xA9\"", 0, 0, "\"\xC3\xA9\"", NULL },
	{ "{\"a\":\"\\u00e9\"}", 0, 0, "{\"a\":\"\xC3\xA9\"}", NULL },
	{ "{}XYZ", 2, 0, "{}", NULL },		/* len stops before the garbage */
	{ "12345", 2, 0, "12", NULL },
	{ "", 0, 1, "{}", NULL },
	{ "", 0, 0, NULL, E_EOF },
	{ "   ", 0, 1, NULL, E_EOF },
	{ "\n", 0, 0, NULL, E_EOF },
	{ "{", 0, 0, NULL, E_EOF },
	{ "{\"a\":1", 0, 0, NULL, E_EOF },
	{ "{\"a\":", 0, 0, NULL, E_EOF },
	{ "\"abc", 0, 0, NULL, E_EOF },
	{ "[1,2", 0, 0, NULL, E_EOF },
	{ "tru", 0, 0, NULL, E_EOF },
	{ "-", 0, 0, NULL, E_EOF },
	{ "{}x", 0, 0, NULL, E_CHAR },
	{ "{} {}", 0, 0, NULL, E_CHAR },
	{ "{}}", 0, 0, NULL, E_CHAR },
	{ "12x", 0, 0, NULL, E_CHAR },
	{ "[1,]", 0, 0, NULL, E_CHAR },
	{ "{\"a\":1,}", 0, 0, NULL, E_CHAR },
	{ "/*c*/{}", 0, 0, NULL, E_CHAR },
	{ "{}//c", 0, 0, NULL, E_CHAR },
	{ "x", 0, 0, NULL, E_CHAR },
	{ "TRUE", 0, 0, NULL, "Malformed JSON: boolean expected" },
	{ "[1 2]", 0, 0, NULL, "Malformed JSON: array value separator ',' expected" },
	{ "{\"a\" 1}", 0, 0, NULL,
	    "Malformed JSON: object property name separator ':' expected" },
	{ "{a:1}", 0, 0, NULL, "Malformed JSON: quoted object property name expected" },
	{ "{\"a\":\"\\x\"}", 0, 0, NULL, "Malformed JSON: invalid string sequence" },
	{ "null", 0, 0, NULL, "Request body must not be null" },
	{ " null ", 0, 1, NULL, "Request body must not be null" },
	{ "NaN", 0, 0, NULL, E_RANGE },
	{ "Infinity", 0, 0, NULL, E_RANGE },
	{ "[-Infinity]", 0, 0, NULL, E_RANGE },
	{ "1e999", 0, 0, NULL, E_RANGE },
	{ "{\"a\":{\"b\":[1,NaN]}}", 0, 0, NULL, E_RANGE },
	{ "{\"a\":\"x\\u0000y\"}", 0, 0, NULL, "Malformed JSON: \\u0000 in a string" },
	{ "[[\"\\u0000\"]]", 0, 0, NULL, "Malformed JSON: \\u0000 in a string" },
	{ "{}\0", 3, 0, NULL, E_NUL },
	{ "{\"a\":\"\0\"}", 9, 0, NULL, E_NUL },
	{ "\0", 1, 1, NULL, E_NUL },
	{ "\"\xFF\"", 0, 0, NULL, E_UTF8 },
	{ "{\"\xC3\":1}", 0, 0, NULL, E_UTF8 },
	{ "\"\xC3(\"", 0, 0, NULL, E_UTF8 },
};

/* "[[...[]...]]" with n arrays, or with a 1 in the middle when leaf is set. */
static char *
nested(const char *open, const char *close, int n, int leaf)
{
	size_t	 ol = strlen(open), cl = strlen(close), i, used = 0;
	char	*s = malloc((ol + cl) * (size_t)n + 2);

	if (s == NULL)
		return NULL;
	for (i = 0; i < (size_t)n; i++, used += ol)
		memcpy(s + used, open, ol);
	if (leaf)
		s[used++] = '1';
	for (i = 0; i < (size_t)n; i++, used += cl)
		memcpy(s + used, close, cl);
	s[used] = '\0';
	return s;
}

/*
 * Parses a copy of exactly len bytes on the heap, so that AddressSanitizer
 * catches any read past the end; compares the outcome with want or msg.
 */
static void
check_parse(const char *what, const char *body, size_t len, int empty_ok,
    const char *want, const char *msg)
{
	struct sq_error		 e;
	struct json_object	*o;
	char			*copy = malloc(len ? len : 1);
	const char		*got = NULL;

	if (copy == NULL) {
		TAP_FAIL("%s: malloc", what);
		return;
	}
	memcpy(copy, body, len);
	memset(&e, 0, sizeof(e));
	o = jsonbody_parse(copy, len, empty_ok, &e);
	if (o != NULL)
		got = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (want != NULL)
		TAP_CHECK(o != NULL && strcmp(got, want) == 0,
		    "%s: got %s (%s), want %s", what, got ? got : "NULL", e.message, want);
	else
		TAP_CHECK(o == NULL && e.code == SQ_ERR_BAD_REQUEST && strcmp(e.message, msg) == 0,
		    "%s: got %s code %d \"%s\", want \"%s\"", what, got ? got : "NULL",
		    (int)e.code, e.message, msg);
	json_object_put(o);
	free(copy);
}

static void
test_parse(void)
{
	char	 what[64];
	size_t	 i;

	for (i = 0; i < sizeof(prows) / sizeof(prows[0]); i++) {
		snprintf(what, sizeof(what), "parse row %zu", i);
		check_parse(what, prows[i].body,
		    prows[i].len ? prows[i].len : strlen(prows[i].body), prows[i].empty_ok,
		    prows[i].want, prows[i].msg);
	}
}

/*
 * json-c counts every value on the path, the leaf included: 16 nested empty
 * arrays are 16 deep, 16 arrays around a number are 17.
 */
static void
test_depth(void)
{
	static const struct {
		const char	*open, *close;
		int		 n, leaf, ok;
	} rows[] = {
		{ "[", "]", SQ_JSON_DEPTH_MAX, 0, 1 },
		{ "[", "]", SQ_JSON_DEPTH_MAX + 1, 0, 0 },
		{ "[", "]", SQ_JSON_DEPTH_MAX - 1, 1, 1 },
		{ "[", "]", SQ_JSON_DEPTH_MAX, 1, 0 },
		{ "{\"a\":", "}", SQ_JSON_DEPTH_MAX - 1, 1, 1 },
		{ "{\"a\":", "}", SQ_JSON_DEPTH_MAX, 1, 0 },
		{ "[", "]", 10000, 0, 0 },
		{ "{\"a\":[", "]}", 5000, 1, 0 },
	};
	char	 what[64], *s;
	size_t	 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if ((s = nested(rows[i].open, rows[i].close, rows[i].n, rows[i].leaf)) == NULL) {
			TAP_FAIL("malloc");
			return;
		}
		snprintf(what, sizeof(what), "depth row %zu (%d x %s%s)", i, rows[i].n,
		    rows[i].open, rows[i].leaf ? " + leaf" : "");
		if (rows[i].ok)
			check_parse(what, s, strlen(s), 0, s, NULL);
		else
			check_parse(what, s, strlen(s), 0, NULL, E_DEPTH);
		free(s);
	}
}

static const struct jsonbody_field fields[] = {
	{ "name", JF_STRING, 0 },
	{ "count", JF_INT, 0 },
	{ "on", JF_BOOL, 0 },
	{ "cfg", JF_OBJECT, 1 },
	{ "ids", JF_ARRAY, 0 },
	{ "ratio", JF_NUMBER, 0 },
	{ "any", JF_ANY, 0 },
	{ "note", JF_STRING, 1 },
	{ "anyn", JF_ANY, 1 },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

#define E_OBJ	"Request body must be a JSON object"

struct crow {
	const char	*body;
	size_t		 nfields;
	const char	*msg;		/* NULL: SQ_OK */
};

static const struct crow crows[] = {
	{ "{}", NFIELDS, NULL },
	{ "{}", 0, NULL },
	{ "{\"name\":\"x\",\"count\":3,\"on\":false,\"cfg\":{\"k\":1},\"ids\":[1,2],"
	    "\"ratio\":0.5,\"any\":\"v\",\"note\":\"n\",\"anyn\":[]}", NFIELDS, NULL },
	{ "[]", NFIELDS, E_OBJ },
	{ "\"x\"", NFIELDS, E_OBJ },
	{ "1", NFIELDS, E_OBJ },
	{ "true", NFIELDS, E_OBJ },
	{ "{\"foo\":1}", NFIELDS, "Unknown field(s): foo" },
	{ "{\"a\":1}", 0, "Unknown field(s): a" },
	{ "{\"foo\":1,\"name\":\"x\",\"bar\":2}", NFIELDS, "Unknown field(s): foo, bar" },
	{ "{\"name\":1,\"zz\":true}", NFIELDS, "Unknown field(s): zz" },
	{ "{\"Name\":\"x\"}", NFIELDS, "Unknown field(s): Name" },
	{ "{\"\":1}", NFIELDS, "Unknown field(s): " },
	{ "{\"name\":1}", NFIELDS, "Field 'name' must be a string" },
	{ "{\"name\":[\"x\"]}", NFIELDS, "Field 'name' must be a string" },
	{ "{\"count\":\"1\"}", NFIELDS, "Field 'count' must be an integer" },
	{ "{\"count\":1.5}", NFIELDS, "Field 'count' must be an integer" },
	{ "{\"count\":true}", NFIELDS, "Field 'count' must be an integer" },
	{ "{\"count\":1e300}", NFIELDS, "Field 'count' must be an integer" },
	{ "{\"count\":-9.3e18}", NFIELDS, "Field 'count' must be an integer" },
	{ "{\"count\":2.0}", NFIELDS, NULL },
	{ "{\"count\":1e2}", NFIELDS, NULL },
	{ "{\"count\":-9223372036854775808}", NFIELDS, NULL },
	{ "{\"on\":1}", NFIELDS, "Field 'on' must be a boolean" },
	{ "{\"on\":\"true\"}", NFIELDS, "Field 'on' must be a boolean" },
	{ "{\"cfg\":[]}", NFIELDS, "Field 'cfg' must be an object" },
	{ "{\"cfg\":null}", NFIELDS, NULL },
	{ "{\"ids\":{}}", NFIELDS, "Field 'ids' must be an array" },
	{ "{\"ids\":\"1,2\"}", NFIELDS, "Field 'ids' must be an array" },
	{ "{\"ratio\":\"1\"}", NFIELDS, "Field 'ratio' must be a number" },
	{ "{\"ratio\":1}", NFIELDS, NULL },
	{ "{\"ratio\":-1.25e3}", NFIELDS, NULL },
	{ "{\"name\":null}", NFIELDS, "Field 'name' must not be null" },
	{ "{\"count\":null}", NFIELDS, "Field 'count' must not be null" },
	{ "{\"any\":null}", NFIELDS, "Field 'any' must not be null" },
	{ "{\"anyn\":null}", NFIELDS, NULL },
	{ "{\"any\":[1,{}]}", NFIELDS, NULL },
	{ "{\"note\":null}", NFIELDS, NULL },
	{ "{\"note\":5}", NFIELDS, "Field 'note' must be a string" },
	{ "{\"name\":\"a\",\"count\":\"b\",\"on\":1}", NFIELDS,
	    "Field 'count' must be an integer" },
	/* json-c keeps the last of duplicate keys. */
	{ "{\"name\":\"a\",\"name\":1}", NFIELDS, "Field 'name' must be a string" },
};

static void
check_fields(const char *what, const char *body, size_t nfields, const char *msg)
{
	struct sq_error		 e;
	struct json_object	*o;
	enum sq_err		 rc;

	memset(&e, 0, sizeof(e));
	if ((o = jsonbody_parse(body, strlen(body), 0, &e)) == NULL) {
		TAP_FAIL("%s: parse: %s", what, e.message);
		return;
	}
	rc = jsonbody_check(o, fields, nfields, &e);
	if (msg == NULL)
		TAP_CHECK(rc == SQ_OK, "%s: got %d \"%s\", want SQ_OK", what, (int)rc, e.message);
	else
		TAP_CHECK(rc == SQ_ERR_BAD_REQUEST && e.code == rc && strcmp(e.message, msg) == 0,
		    "%s: got %d \"%s\", want \"%s\"", what, (int)rc, e.message, msg);
	json_object_put(o);
}

static void
test_check(void)
{
	char		 what[64];
	size_t		 i;
	struct sq_error	 e;

	for (i = 0; i < sizeof(crows) / sizeof(crows[0]); i++) {
		snprintf(what, sizeof(what), "check row %zu", i);
		check_fields(what, crows[i].body, crows[i].nfields, crows[i].msg);
	}
	memset(&e, 0, sizeof(e));
	TAP_CHECK(jsonbody_check(NULL, fields, NFIELDS, &e) == SQ_ERR_BAD_REQUEST &&
	    strcmp(e.message, E_OBJ) == 0, "check NULL object: \"%s\"", e.message);
}

/* Unknown-field lists that do not fit the message are cut at a UTF-8 boundary with "...". */
static void
test_unknown_overflow(void)
{
	char	 body[4096], want[512];
	size_t	 used, i;

	/* One 81-byte key: "a" then 40 x U+00E9; the cut at 64 bytes falls inside one. */
	used = (size_t)snprintf(body, sizeof(body), "{\"a");
	for (i = 0; i < 40; i++)
		used += (size_t)snprintf(body + used, sizeof(body) - used, "\xC3\xA9");
	snprintf(body + used, sizeof(body) - used, "\":1}");
	used = (size_t)snprintf(want, sizeof(want), "Unknown field(s): a");
	for (i = 0; i < 31; i++)
		used += (size_t)snprintf(want + used, sizeof(want) - used, "\xC3\xA9");
	snprintf(want + used, sizeof(want) - used, "...");
	check_fields("long key cut at UTF-8 boundary", body, NFIELDS, want);

	/* Forty unknown keys k00..k39 do not fit in 256 bytes: the list ends ", ...". */
	used = (size_t)snprintf(body, sizeof(body), "{");
	for (i = 0; i < 40; i++)
		used += (size_t)snprintf(body + used, sizeof(body) - used, "%s\"key_%02zu\":1",
		    i ? "," : "", i);
	snprintf(body + used, sizeof(body) - used, "}");
	used = (size_t)snprintf(want, sizeof(want), "Unknown field(s): ");
	/* 18 + n * 6 + (n - 1) * 2 + 5 + 5 <= 255 gives n = 29 keys shown. */
	for (i = 0; i < 29; i++)
		used += (size_t)snprintf(want + used, sizeof(want) - used, "%skey_%02zu",
		    i ? ", " : "", i);
	snprintf(want + used, sizeof(want) - used, ", ...");
	check_fields("too many unknown keys", body, NFIELDS, want);
}

int
main(void)
{
	test_parse();
	test_depth();
	test_check();
	test_unknown_overflow();
	return tap_done("test_jsonbody");
}
