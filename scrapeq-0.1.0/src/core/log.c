/* log.c: leveled log lines to stderr or syslog, one write per line, control bytes scrubbed. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "scrapeq/limits.h"
#include "scrapeq/log.h"

/*
 * Process-wide settings, written once by log_init before any thread starts
 * and only read afterwards; no request state lives here.
 */
static char		log_progname[64] = "scrapeq";
static enum log_level	log_threshold = LOG_LVL_INFO;
static int		log_syslog;

static const struct {
	const char	*name;
	int		 prio;
} log_levels[] = {
	[LOG_LVL_DEBUG]   = { "debug", LOG_DEBUG },
	[LOG_LVL_INFO]    = { "info", LOG_INFO },
	[LOG_LVL_WARNING] = { "warning", LOG_WARNING },
	[LOG_LVL_ERROR]   = { "error", LOG_ERR },
};

void
log_init(const char *progname, enum log_level level, int use_syslog)
{
	if (progname != NULL && *progname != '\0') {
		const char *slash = strrchr(progname, '/');

		snprintf(log_progname, sizeof(log_progname), "%s",
		    slash != NULL && slash[1] != '\0' ? slash + 1 : progname);
	}
	log_threshold = level;
	log_syslog = use_syslog != 0;
	if (log_syslog)
		openlog(log_progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* Writes "2024-05-01T12:00:00.123Z" (UTC) into out. */
static void
log_timestamp(char *out, size_t outsz)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 base[32];

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(out, outsz, "-");
		return;
	}
	snprintf(out, outsz, "%s.%03ldZ", base, ts.tv_nsec / 1000000L);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char		 msg[SQ_LOG_MESSAGE_MAX], ts[64];
	va_list		 ap;
	int		 n;
	size_t		 i;

	if ((unsigned)level > LOG_LVL_ERROR)
		level = LOG_LVL_ERROR;
	if (level < log_threshold)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		snprintf(msg, sizeof(msg), "(unformattable log message: %s)", fmt);
	else if ((size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	/* A newline or escape sequence in a message must not forge a log line. */
	for (i = 0; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	if (log_syslog) {
		syslog(log_levels[level].prio, "%s", msg);
		return;
	}
	log_timestamp(ts, sizeof(ts));
	fprintf(stderr, "%s %s %s[%ld]: %s\n", ts, log_levels[level].name,
	    log_progname, (long)getpid(), msg);
}

char *
log_clean(char *out, size_t outsz, const char *s, size_t len, size_t max)
{
	size_t	 n, keep, dots = 0, i;

	if (out == NULL || outsz == 0)
		return out;
	if (s == NULL)
		len = 0;
	n = len < max ? len : max;
	keep = n < outsz - 1 ? n : outsz - 1;
	if (len > max || n > outsz - 1) {
		dots = outsz - 1 < 3 ? outsz - 1 : 3;
		if (keep > outsz - 1 - dots)
			keep = outsz - 1 - dots;
	}
	for (i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	memset(out + keep, '.', dots);
	out[keep + dots] = '\0';
	return out;
}
