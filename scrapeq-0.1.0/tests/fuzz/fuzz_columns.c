/* fuzz_columns.c: libFuzzer target for result_cols_parse: no crash, and what it accepts writes back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/limits.h"
#include "scrapeq/results.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result_cols	 cols, again;
	struct sq_error		 e;
	char			 s[SQ_QUERY_VALUE_MAX + 1], back[512];
	size_t			 i, j;

	/* A query value: at most SQ_QUERY_VALUE_MAX bytes, no NUL (query_parse refuses one). */
	if (size > SQ_QUERY_VALUE_MAX || memchr(data, '\0', size) != NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (result_cols_parse(s, &cols, &e) != SQ_OK) {
		if (e.code != SQ_ERR_BAD_REQUEST || strncmp(e.message, "Invalid columns: ", 17) != 0)
			abort();
		return 0;
	}
	if (cols.n < 1 || cols.n > RESULT_COL__COUNT)
		abort();
	for (i = 0; i < cols.n; i++)
		for (j = i + 1; j < cols.n; j++)
			if (cols.col[i] == cols.col[j])
				abort();
	/* Accepted means it was a list of known names: written back it is the input itself. */
	if (result_cols_format(&cols, back, sizeof(back)) != 0 || strcmp(back, s) != 0)
		abort();
	if (result_cols_parse(back, &again, &e) != SQ_OK || again.n != cols.n ||
	    memcmp(again.col, cols.col, cols.n * sizeof(cols.col[0])) != 0)
		abort();
	return 0;
}
