/* sampling_spec.c: validation of seed 004's sampling rounds, each refusal naming its field. */
#include <stdint.h>
#include <string.h>

#include "scrapeq/sampling_spec.h"

static const char *const method_names[] = {
	[SAMPLING_RANDOM] = "random",
	[SAMPLING_STRATIFIED] = "stratified",
	[SAMPLING_SYSTEMATIC] = "systematic",
};

const char *
sampling_method_name(enum sampling_method m)
{
	return (unsigned)m < sizeof(method_names) / sizeof(method_names[0]) ? method_names[m] : "?";
}

/* Which parameters each method takes. */
static int
param_allowed(enum sampling_method m, const char *key)
{
	if (strcmp(key, "seed") == 0 || strcmp(key, "sample_size") == 0)
		return 1;
	if (m == SAMPLING_STRATIFIED)
		return strcmp(key, "column") == 0 || strcmp(key, "per_stratum") == 0;
	if (m == SAMPLING_SYSTEMATIC)
		return strcmp(key, "interval") == 0 || strcmp(key, "start") == 0;
	return 0;
}

/*
 * json-c keeps an integer above INT64_MAX as a uint64 (one past UINT64_MAX clamped to
 * it), and json_object_get_int64 reads any of them as INT64_MAX: the seed's range ends
 * there, so 2^63 or a 30-digit seed would pass as INT64_MAX. Returns 1 for an integer
 * the int64 holds exactly (the lows here are >= 0, so a clamped INT64_MIN fails them).
 */
static int
int64_exact(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) && (json_object_get_int64(v) != INT64_MAX ||
	    json_object_get_uint64(v) == (uint64_t)INT64_MAX);
}

/* An optional integer parameter in [lo, hi] into *out (left -1 when absent). */
static enum sq_err
int_param(struct json_object *p, size_t i, const char *key, long long lo, long long hi,
    long long *out, struct sq_error *e)
{
	struct json_object *v;

	*out = -1;
	if (!json_object_object_get_ex(p, key, &v))
		return SQ_OK;
	if (!int64_exact(v) || json_object_get_int64(v) < lo ||
	    json_object_get_int64(v) > hi)
		return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].parameters.%s must be an integer "
		    "from %lld to %lld", i, key, lo, hi);
	*out = json_object_get_int64(v);
	return SQ_OK;
}

static enum sq_err
column_param(struct json_object *p, size_t i, struct sampling_round *r, struct sq_error *e)
{
	struct json_object	*v;
	struct result_cols	 cols;
	struct sq_error		 ignored;

	if (!json_object_object_get_ex(p, "column", &v))
		return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].parameters.column is required "
		    "for a stratified round", i);
	if (!json_object_is_type(v, json_type_string) ||
	    result_cols_parse(json_object_get_string(v), &cols, &ignored) != SQ_OK ||
	    cols.n != 1 || result_col_type(cols.col[0]) == RESULT_T_JSON)
		return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].parameters.column must name one "
		    "column of the table", i);
	r->has_column = 1;
	r->column = cols.col[0];
	return SQ_OK;
}

/* The rules that tie a method's parameters together. */
static enum sq_err
method_rules(size_t i, struct sampling_round *r, struct sq_error *e)
{
	if (r->method == SAMPLING_STRATIFIED && (r->sample_size == -1) == (r->per_stratum == -1))
		return sq_fail(e, SQ_ERR_INVALID, r->sample_size == -1 ?
		    "rounds[%zu].parameters.sample_size is required (or per_stratum)" :
		    "rounds[%zu].parameters: give sample_size or per_stratum, not both", i);
	if (r->method == SAMPLING_SYSTEMATIC && (r->sample_size == -1) == (r->interval == -1))
		return sq_fail(e, SQ_ERR_INVALID, r->sample_size == -1 ?
		    "rounds[%zu].parameters.sample_size is required (or interval)" :
		    "rounds[%zu].parameters: give sample_size or interval, not both", i);
	if (r->method == SAMPLING_SYSTEMATIC && r->start != -1 &&
	    (r->interval == -1 || r->start >= r->interval))
		return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].parameters.start must be below "
		    "interval", i);
	if (r->method == SAMPLING_RANDOM && r->sample_size == -1)
		return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].parameters.sample_size is required", i);
	return SQ_OK;
}

static enum sq_err
parse_params(struct json_object *p, size_t i, struct sampling_round *r, struct sq_error *e)
{
	long long	 seed;
	enum sq_err	 rc;

	if (p == NULL || !json_object_is_type(p, json_type_object))
		return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].parameters must be an object", i);
	json_object_object_foreach(p, key, val) {
		(void)val;
		if (!param_allowed(r->method, key))
			return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].parameters.%.64s is not a "
			    "parameter of a %s round", i, key, sampling_method_name(r->method));
	}
	if ((rc = int_param(p, i, "sample_size", 1, SAMPLING_SAMPLE_SIZE_MAX, &r->sample_size,
	    e)) != SQ_OK ||
	    (rc = int_param(p, i, "per_stratum", 1, SAMPLING_SAMPLE_SIZE_MAX, &r->per_stratum,
	    e)) != SQ_OK ||
	    (rc = int_param(p, i, "interval", 1, INT32_MAX, &r->interval, e)) != SQ_OK ||
	    (rc = int_param(p, i, "start", 0, INT32_MAX, &r->start, e)) != SQ_OK ||
	    (rc = int_param(p, i, "seed", 0, INT64_MAX, &seed, e)) != SQ_OK)
		return rc;
	r->has_seed = seed != -1;
	r->seed = r->has_seed ? (uint64_t)seed : 0;
	if (r->method == SAMPLING_STRATIFIED && (rc = column_param(p, i, r, e)) != SQ_OK)
		return rc;
	return method_rules(i, r, e);
}

static enum sq_err
parse_round(struct json_object *o, size_t i, struct sampling_round *r, struct sq_error *e)
{
	struct json_object	*m = NULL, *num = NULL, *p = NULL;
	size_t			 k;

	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(o, json_type_object))
		return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu] must be an object", i);
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "round_number") != 0 && strcmp(key, "method") != 0 &&
		    strcmp(key, "parameters") != 0)
			return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].%.64s is not a field of a round",
			    i, key);
	}
	r->number = (long long)i + 1;
	if (json_object_object_get_ex(o, "round_number", &num)) {
		if (!json_object_is_type(num, json_type_int) || json_object_get_int64(num) < 1 ||
		    json_object_get_int64(num) > SAMPLING_ROUNDS_MAX * 100)
			return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].round_number must be a "
			    "positive integer", i);
		r->number = json_object_get_int64(num);
	}
	if (!json_object_object_get_ex(o, "method", &m) || !json_object_is_type(m, json_type_string))
		return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].method is required", i);
	for (k = 0; k < sizeof(method_names) / sizeof(method_names[0]); k++)
		if (strcmp(json_object_get_string(m), method_names[k]) == 0)
			break;
	if (k == sizeof(method_names) / sizeof(method_names[0]))
		return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].method must be random, stratified "
		    "or systematic", i);
	r->method = (enum sampling_method)k;
	json_object_object_get_ex(o, "parameters", &p);
	return parse_params(p, i, r, e);
}

enum sq_err
sampling_rounds_parse(struct json_object *rounds, struct sampling_round *out, size_t *n,
    struct sq_error *e)
{
	size_t		 len, i, j;
	enum sq_err	 rc;

	*n = 0;
	if (rounds == NULL || !json_object_is_type(rounds, json_type_array))
		return sq_fail(e, SQ_ERR_INVALID, "rounds is required: a list of sampling rounds");
	len = json_object_array_length(rounds);
	if (len == 0 || len > SAMPLING_ROUNDS_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "rounds must hold 1 to %d rounds",
		    SAMPLING_ROUNDS_MAX);
	for (i = 0; i < len; i++) {
		if ((rc = parse_round(json_object_array_get_idx(rounds, i), i, &out[i], e)) != SQ_OK)
			return rc;
		for (j = 0; j < i; j++)
			if (out[j].number == out[i].number)
				return sq_fail(e, SQ_ERR_INVALID, "rounds[%zu].round_number %lld is "
				    "given twice", i, out[i].number);
	}
	*n = len;
	return SQ_OK;
}
