/* query.h: strict parsing of URL query strings and of numbers in them. */
#ifndef SCRAPEQ_QUERY_H
#define SCRAPEQ_QUERY_H

#include <stddef.h>
#include "limits.h"

struct query_param {
	char	*key;	/* percent-decoded, NUL-terminated */
	char	*val;	/* percent-decoded, NUL-terminated; "" when no '=' */
};

struct query {
	struct query_param p[SQ_QUERY_PARAMS_MAX];
	size_t	 n;
	char	*mem;	/* one allocation holding every key and value */
};

/*
 * Parses qs (length len, may be NULL/0) into q. '+' is a space, %XX decoded.
 * Returns 0, or -1 with a client-safe reason in err: longer than SQ_QUERY_MAX,
 * more than SQ_QUERY_PARAMS_MAX pairs, a value longer than SQ_QUERY_VALUE_MAX,
 * a bad %-escape, or a decoded NUL byte. On -1 q is left empty. Free with query_free.
 */
int	query_parse(struct query *q, const char *qs, size_t len, char *err, size_t errsz);
void	query_free(struct query *q);

/* Returns the first value of key, or NULL when absent. */
const char *query_get(const struct query *q, const char *key);

/* Returns how many times key occurs. */
size_t	query_count(const struct query *q, const char *key);

/*
 * Parses s as a decimal integer in [min, max]: optional '-', digits only, no spaces,
 * no '+', no leading zeros beyond "0" (so "-0" is refused too). Returns 0 and
 * sets *out, or -1 (also when min > max); *out is untouched on -1.
 */
int	parse_int_range(const char *s, long long min, long long max, long long *out);

#endif
