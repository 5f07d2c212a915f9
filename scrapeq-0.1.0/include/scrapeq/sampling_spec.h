/* sampling_spec.h: seed 004's sampling rounds, validated once for the API and read back by scrapeqd. */
#ifndef SCRAPEQ_SAMPLING_SPEC_H
#define SCRAPEQ_SAMPLING_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "err.h"
#include "results.h"

#define SAMPLING_ROUNDS_MAX      10
#define SAMPLING_SAMPLE_SIZE_MAX 1000000   /* rows one round may draw */

enum sampling_method {
	SAMPLING_RANDOM,        /* sample_size, seed */
	SAMPLING_STRATIFIED,    /* column, and sample_size (in proportion) or per_stratum; seed */
	SAMPLING_SYSTEMATIC     /* sample_size, or interval with start; seed (for the start) */
};

/* One round; -1 marks a number that was not given. */
struct sampling_round {
	long long		 number;        /* round_number; its position (1-based) when not given */
	enum sampling_method	 method;
	long long		 sample_size;
	long long		 per_stratum;
	long long		 interval;
	long long		 start;
	int			 has_seed;
	uint64_t		 seed;
	int			 has_column;
	enum result_col		 column;        /* stratified: the column whose values are the strata */
};

const char *sampling_method_name(enum sampling_method);

/*
 * Validates a request's "rounds" (NULL when absent) into out (SAMPLING_ROUNDS_MAX
 * entries) and *n. Refuses with SQ_ERR_INVALID and a message naming the field
 * ("rounds[0].parameters.sample_size is required"): rounds missing, empty, too many or
 * not an array; a round not an object, an unknown key, a repeated round_number;
 * method not random, stratified or systematic; parameters not an object, an unknown
 * parameter, a number out of range; a random round without sample_size; a stratified
 * round without column, with an unknown or JSON column, or with neither or both of
 * sample_size and per_stratum; a systematic round with neither sample_size nor
 * interval, with both, or with a start not below its interval.
 */
enum sq_err sampling_rounds_parse(struct json_object *rounds, struct sampling_round *out,
	    size_t *n, struct sq_error *e);

#endif
