/* model.h: what the fuzz targets' second-opinion models share: a compiled regex, digits, the calendar. */
#ifndef SCRAPEQ_FUZZ_MODEL_H
#define SCRAPEQ_FUZZ_MODEL_H

#include <regex.h>
#include <stdlib.h>

/* Returns *slot compiled from pattern (POSIX extended) on the first call; aborts if it does not compile. */
static inline const regex_t *
model_regex(regex_t *slot, int *done, const char *pattern)
{
	if (!*done) {
		if (regcomp(slot, pattern, REG_EXTENDED) != 0)
			abort();
		*done = 1;
	}
	return slot;
}

/* The decimal value of the digits a regex group matched in s (the group holds digits only). */
static inline int
model_digits(const char *s, const regmatch_t *m)
{
	int v = 0;
	regoff_t i;

	for (i = m->rm_so; i < m->rm_eo; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Days in month m (1..12) of year y, by the Gregorian rule. */
static inline int
model_month_days(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : d[m - 1];
}

#endif
