/* test_log.c: table-driven tests of log_clean, and of log_msg's line format, threshold and scrubbing. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "tap.h"

struct crow {
	const char	*s;
	size_t		 len;	/* 0: strlen(s) */
	size_t		 max, outsz;
	const char	*want;
};

static const struct crow crows[] = {
	{ "hello", 0, 100, 64, "hello" },
	{ "", 0, 100, 64, "" },
	{ "hello", 0, 5, 64, "hello" },
	{ "hello!", 0, 5, 64, "hello..." },
	{ "hello", 0, 0, 64, "..." },
	{ "a\nb\rc\td", 0, 100, 64, "a?b?c?d" },
	{ "\x1b[31mred", 0, 100, 64, "?[31mred" },
	{ "caf\xC3\xA9", 0, 100, 64, "caf??" },
	{ "del\x7f", 0, 100, 64, "del?" },
	{ "a\0b", 3, 100, 64, "a?b" },
	{ "abcdef", 3, 100, 64, "abc" },		/* len bounds the read */
	{ "abcdefgh", 0, 100, 8, "abcd..." },	/* out too small: cut, marked */
	{ "abcdefg", 0, 100, 8, "abcdefg" },	/* exactly fits */
	{ "abcdefgh", 0, 100, 3, ".." },
	{ "abcdefgh", 0, 100, 1, "" },
	{ "abcdefgh", 0, 2, 4, "..." },
};

static void
test_clean(void)
{
	char	 out[64], what[64];
	size_t	 i;

	for (i = 0; i < sizeof(crows) / sizeof(crows[0]); i++) {
		const struct crow *r = &crows[i];

		memset(out, 'Z', sizeof(out));
		log_clean(out, r->outsz, r->s, r->len ? r->len : strlen(r->s), r->max);
		snprintf(what, sizeof(what), "clean row %zu", i);
		TAP_CHECK(strcmp(out, r->want) == 0 && (r->outsz == sizeof(out) ||
		    out[r->outsz] == 'Z'), "%s: got \"%s\", want \"%s\"", what, out, r->want);
	}
	TAP_CHECK(log_clean(out, sizeof(out), NULL, 10, 10) == out && out[0] == '\0',
	    "clean NULL source");
	TAP_CHECK(log_clean(NULL, 0, "x", 1, 1) == NULL, "clean NULL out");
}

/* Runs the log calls with stderr sent to a temp file; returns what was written. */
static char *
capture(void (*fn)(void))
{
	static char	 buf[8192];
	FILE		*f = tmpfile();
	int		 saved;
	size_t		 n;

	if (f == NULL || (saved = dup(2)) == -1)
		return NULL;
	fflush(stderr);
	dup2(fileno(f), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
emit(void)
{
	log_init("/usr/sbin/scrapeq-api", LOG_LVL_INFO, 0);
	log_debug("hidden %d", 1);
	log_info("job %s started", "abc");
	log_warn("two\nlines\x1b[0m");
	log_err("err %d", 42);
	log_init("x", LOG_LVL_ERROR, 0);
	log_warn("also hidden");
	log_err("last");
}

static void
emit_long(void)
{
	char	*s = malloc(SQ_LOG_MESSAGE_MAX * 2);

	if (s == NULL)
		return;
	memset(s, 'y', SQ_LOG_MESSAGE_MAX * 2 - 1);
	s[SQ_LOG_MESSAGE_MAX * 2 - 1] = '\0';
	log_init("t", LOG_LVL_DEBUG, 0);
	log_info("%s", s);
	free(s);
}

static void
test_msg(void)
{
	static const char pattern[] =
	    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
	    "info scrapeq-api\\[[0-9]+\\]: job abc started\n"
	    "[^ ]+ warning scrapeq-api\\[[0-9]+\\]: two\\?lines\\?\\[0m\n"
	    "[^ ]+ error scrapeq-api\\[[0-9]+\\]: err 42\n"
	    "[^ ]+ error x\\[[0-9]+\\]: last\n$";
	regex_t		 re;
	const char	*out = capture(emit), *p;
	size_t		 ys = 0;

	if (regcomp(&re, pattern, REG_EXTENDED) != 0) {
		TAP_FAIL("regcomp");
		return;
	}
	TAP_CHECK(out != NULL && regexec(&re, out, 0, NULL, 0) == 0,
	    "log lines:\n%s", out ? out : "(capture failed)");
	regfree(&re);

	out = capture(emit_long);
	p = out ? strstr(out, ": ") : NULL;
	if (p != NULL)
		for (p += 2; *p == 'y'; p++)
			ys++;
	TAP_CHECK(p != NULL && ys == SQ_LOG_MESSAGE_MAX - 4 && strcmp(p, "...\n") == 0,
	    "long message: %zu bytes kept, tail \"%s\"", ys, p ? p : "(none)");
}

int
main(void)
{
	test_clean();
	test_msg();
	return tap_done("test_log");
}
