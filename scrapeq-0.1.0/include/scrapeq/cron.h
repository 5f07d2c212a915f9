/* cron.h: five-field cron expressions (minute hour day-of-month month day-of-week) and their next slot. */
#ifndef SCRAPEQ_CRON_H
#define SCRAPEQ_CRON_H

#include <stdint.h>
#include "err.h"
#include "tz.h"

/* A parsed expression: one bit per value each field allows. */
struct cron {
	uint64_t	 minute;         /* bits 0..59 */
	uint32_t	 hour;           /* bits 0..23 */
	uint32_t	 dom;            /* bits 1..31 */
	uint16_t	 month;          /* bits 1..12 */
	uint8_t		 dow;            /* bits 0..6, Sunday 0 (7 is read as 0) */
	int		 dom_star;       /* the field began with '*' */
	int		 dow_star;
};

/*
 * Parses s strictly: exactly five fields split by spaces or tabs, at most SQ_CRON_MAX
 * bytes. A field is a comma list of items; an item is '*', a value, a range a-b
 * (a <= b), each optionally followed by /step (1..the field's span); a value alone
 * with a step (5/15) runs to the field's end. Months JAN-DEC and days SUN-SAT may be
 * named (any case). When both day fields are restricted (neither begins with '*'),
 * a day matching either one fires (the usual cron rule); otherwise both must match.
 * Refuses (SQ_ERR_INVALID, the message names the field and what is wrong) anything
 * else, and an expression that can never fire (Feb 30).
 */
enum sq_err cron_parse(const char *s, struct cron *out, struct sq_error *e);

/*
 * The first slot after the instant after (seconds since the epoch, UTC): the least
 * later instant that is a whole minute of wall-clock time in z whose minute, hour,
 * day and month the expression allows. Wall times that a change to summer time skips
 * do not occur, so they never fire; a wall time repeated when clocks go back fires
 * once, at its first occurrence, unless the hour field is '*' (then every real minute
 * that matches fires, in both passes). Returns 0 with *out set, or -1 when there is
 * none within SQ_CRON_HORIZON_YEARS or after is outside years 1970..9000.
 */
int	cron_next(const struct cron *, const struct tz *z, long long after, long long *out);

#endif
