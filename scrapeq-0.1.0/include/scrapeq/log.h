/* log.h: leveled logging to stderr or syslog; untrusted bytes are sanitised. */
#ifndef SCRAPEQ_LOG_H
#define SCRAPEQ_LOG_H

#include <stddef.h>
#include "config.h"

/* Sets the program name, threshold and destination (use_syslog != 0 for syslog). */
void	log_init(const char *progname, enum log_level, int use_syslog);
void	log_msg(enum log_level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_err(...)   log_msg(LOG_LVL_ERROR, __VA_ARGS__)

/*
 * Copies at most max bytes of untrusted s into out (size outsz), replacing
 * non-printable bytes with '?' and marking truncation with "...". Returns out.
 */
char	*log_clean(char *out, size_t outsz, const char *s, size_t len, size_t max);

#endif
