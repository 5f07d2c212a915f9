/* tap.h: the few helpers the table-driven unit tests share: one line per failed row, exit status. */
#ifndef SCRAPEQ_TESTS_TAP_H
#define SCRAPEQ_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_rows, tap_failures;

/* Records one failed row: prints "file:line: message" on stdout. */
static void tap_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), unused));

static void
tap_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list	 ap;

	tap_failures++;
	printf("FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define TAP_FAIL(...)	tap_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* Counts a row; when cond is false, fails it with the message. */
#define TAP_CHECK(cond, ...) do {					\
	tap_rows++;							\
	if (!(cond))							\
		TAP_FAIL(__VA_ARGS__);					\
} while (0)

/* Compares two strings (either may be NULL) for one row. */
#define TAP_STREQ(got, want, what) do {					\
	const char *tap_g_ = (got), *tap_w_ = (want);			\
	tap_rows++;							\
	if ((tap_g_ == NULL) != (tap_w_ == NULL) ||			\
	    (tap_g_ != NULL && strcmp(tap_g_, tap_w_) != 0))		\
		TAP_FAIL("%s: got \"%s\", want \"%s\"", (what),		\
		    tap_g_ ? tap_g_ : "(null)", tap_w_ ? tap_w_ : "(null)"); \
} while (0)

/* Prints a one-line summary and returns the process exit status. */
static int tap_done(const char *name) __attribute__((unused));

static int
tap_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, tap_rows, tap_failures);
	return tap_failures == 0 ? 0 : 1;
}

#endif
