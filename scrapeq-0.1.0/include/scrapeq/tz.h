/* tz.h: an IANA time zone read from the system zoneinfo (RFC 8536 TZif), for UTC offsets without TZ. */
#ifndef SCRAPEQ_TZ_H
#define SCRAPEQ_TZ_H

#include <stddef.h>
#include "err.h"

/* Where the zones are read from: Debian's tzdata. */
#define TZ_DIR "/usr/share/zoneinfo"

struct tz;

/*
 * 1 when name has the shape of a zone name: 1..SQ_TIMEZONE_MAX bytes of letters, digits
 * and "_+-", components split by single '/', none empty or starting with '.' (so no
 * "..", no absolute path). Says nothing about whether the zone exists.
 */
int	tz_name_ok(const char *name);

/*
 * Reads the zone name from TZ_DIR (a regular TZif file of version 2 or later, at most
 * SQ_TZFILE_MAX bytes, without leap seconds, whose footer rule this module can apply)
 * into *out, which the caller frees with tz_free. Every instance is private: the
 * process's TZ and localtime are never touched, so any thread may use its own zone.
 * SQ_ERR_INVALID ("Unknown timezone 'x'") for a bad name or a zone that is not there
 * or not usable; SQ_ERR_NOMEM.
 */
enum sq_err tz_load(const char *name, struct tz **out, struct sq_error *e);

/*
 * The same from the bytes of a TZif file (for tests and the fuzzer). Returns 0, or -1
 * when data is not a usable TZif file (or out of memory).
 */
int	tz_parse(const unsigned char *data, size_t len, struct tz **out);

/* The zone "UTC" without a file. NULL when out of memory. */
struct tz *tz_utc(void);

void	tz_free(struct tz *);   /* NULL ok */

/* Seconds east of UTC in the zone at the instant t (seconds since the epoch, UTC). */
long	tz_offset(const struct tz *, long long t);

#endif
