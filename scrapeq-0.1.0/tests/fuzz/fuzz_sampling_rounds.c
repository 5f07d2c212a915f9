/* fuzz_sampling_rounds.c: libFuzzer target for seed 004's sampling rounds (sampling_rounds_parse) on any JSON. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scrapeq/limits.h"
#include "scrapeq/results.h"
#include "scrapeq/sampling_spec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * The bytes as JSON, as jsonbody_parse's tokener reads them (with its depth limit,
 * but not strict: the daemon reads rounds back from stored config, and any tree must
 * be safe). Returns 0 with *out set (NULL for a JSON null), or -1.
 */
static int
parse(const uint8_t *data, size_t size, struct json_object **out)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	int			 rc = -1;

	if (size >= INT_MAX || (tok = json_tokener_new_ex(SQ_JSON_DEPTH_MAX)) == NULL)
		return -1;
	o = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	if (json_tokener_get_error(tok) == json_tokener_continue)
		o = json_tokener_parse_ex(tok, "", 1);
	if (json_tokener_get_error(tok) == json_tokener_success) {
		*out = o;
		rc = 0;
	} else
		json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

/*
 * A parameter the round holds is exactly the integer the JSON gave, in [lo, hi];
 * one the JSON did not give is -1. json-c clamps what does not fit an int64, so the
 * text of the number is compared, not json_object_get_int64.
 */
static void
check_param(struct json_object *p, const char *key, long long got, long long lo,
    long long hi)
{
	struct json_object	*v;
	char			 want[32];

	if (!json_object_object_get_ex(p, key, &v)) {
		if (got != -1)
			abort();
		return;
	}
	snprintf(want, sizeof(want), "%lld", got);
	if (got < lo || got > hi || !json_object_is_type(v, json_type_int) ||
	    strcmp(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), want) != 0)
		abort();
}

/* Only the keys a method takes, and the rules that tie them together. */
static void
check_method(struct json_object *p, const struct sampling_round *r)
{
	const int	 strat = r->method == SAMPLING_STRATIFIED;
	const int	 sys = r->method == SAMPLING_SYSTEMATIC;

	json_object_object_foreach(p, key, val) {
		(void)val;
		if (strcmp(key, "seed") != 0 && strcmp(key, "sample_size") != 0 &&
		    !(strat && (strcmp(key, "column") == 0 || strcmp(key, "per_stratum") == 0)) &&
		    !(sys && (strcmp(key, "interval") == 0 || strcmp(key, "start") == 0)))
			abort();
	}
	if (r->method == SAMPLING_RANDOM && r->sample_size == -1)
		abort();
	if (strat != r->has_column || (strat && ((r->sample_size == -1) ==
	    (r->per_stratum == -1) || (unsigned)r->column >= RESULT_COL__COUNT ||
	    result_col_type(r->column) == RESULT_T_JSON)))
		abort();
	if (sys && ((r->sample_size == -1) == (r->interval == -1) ||
	    (r->start != -1 && (r->interval == -1 || r->start >= r->interval))))
		abort();
}

/* Returns 1 when every key of o is in the NULL-terminated list. */
static int
only_keys(struct json_object *o, const char *const *list)
{
	size_t i;

	json_object_object_foreach(o, key, val) {
		(void)val;
		for (i = 0; list[i] != NULL && strcmp(key, list[i]) != 0; i++)
			continue;
		if (list[i] == NULL)
			return 0;
	}
	return 1;
}

static void
check_round(struct json_object *o, size_t i, const struct sampling_round *r)
{
	static const char *const fields[] = { "round_number", "method", "parameters", NULL };
	struct json_object	*m, *num, *p;

	if (!json_object_is_type(o, json_type_object) || !only_keys(o, fields) ||
	    !json_object_object_get_ex(o, "method", &m) ||
	    !json_object_object_get_ex(o, "parameters", &p) ||
	    !json_object_is_type(p, json_type_object))
		abort();
	if (json_object_object_get_ex(o, "round_number", &num))
		check_param(o, "round_number", r->number, 1, SAMPLING_ROUNDS_MAX * 100);
	else if (r->number != (long long)i + 1)   /* its position */
		abort();
	if ((unsigned)r->method > SAMPLING_SYSTEMATIC || !json_object_is_type(m, json_type_string) ||
	    strcmp(json_object_get_string(m), sampling_method_name(r->method)) != 0)
		abort();
	check_param(p, "sample_size", r->sample_size, 1, SAMPLING_SAMPLE_SIZE_MAX);
	check_param(p, "per_stratum", r->per_stratum, 1, SAMPLING_SAMPLE_SIZE_MAX);
	check_param(p, "interval", r->interval, 1, INT32_MAX);
	check_param(p, "start", r->start, 0, INT32_MAX);
	check_param(p, "seed", r->has_seed ? (long long)r->seed : -1, 0, INT64_MAX);
	if (!r->has_seed && r->seed != 0)
		abort();
	check_method(p, r);
}

static void
check_accepted(struct json_object *rounds, const struct sampling_round *out, size_t n)
{
	size_t i, j;

	if (!json_object_is_type(rounds, json_type_array) || n < 1 || n > SAMPLING_ROUNDS_MAX ||
	    n != json_object_array_length(rounds))
		abort();
	for (i = 0; i < n; i++) {
		check_round(json_object_array_get_idx(rounds, i), i, &out[i]);
		for (j = 0; j < i; j++)
			if (out[j].number == out[i].number)
				abort();
	}
}

/* A refusal is SQ_ERR_INVALID (the 422), no rounds, and a message naming a field. */
static void
check_refused(enum sq_err rc, const struct sq_error *e, size_t n)
{
	if (rc != SQ_ERR_INVALID || e->code != rc || n != 0 ||
	    memchr(e->message, '\0', sizeof(e->message)) == NULL ||
	    strncmp(e->message, "rounds", 6) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sampling_round	 out[SAMPLING_ROUNDS_MAX];
	struct json_object	*o, *rounds;
	struct sq_error		 e;
	enum sq_err		 rc;
	size_t			 n = 99;

	if (parse(data, size, &o) != 0)
		return 0;
	/* A request body holds "rounds"; anything else is handed over as it is. */
	rounds = o;
	if (json_object_is_type(o, json_type_object) &&
	    !json_object_object_get_ex(o, "rounds", &rounds))
		rounds = NULL;
	memset(&e, 0, sizeof(e));
	if ((rc = sampling_rounds_parse(rounds, out, &n, &e)) == SQ_OK)
		check_accepted(rounds, out, n);
	else
		check_refused(rc, &e, n);
	json_object_put(o);
	return 0;
}
