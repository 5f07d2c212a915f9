/* uuid.h: time-ordered UUIDv7 (RFC 9562) and the prefixed public ids built on them. */
#ifndef SCRAPEQ_UUID_H
#define SCRAPEQ_UUID_H

#include <stdint.h>
#include <stddef.h>

struct uuid {
	uint8_t b[16];
};

#define UUID_STR_LEN 36   /* 8-4-4-4-12, without NUL */
#define UUID_HEX_LEN 32

/* Fills *u with a new v7 UUID: 48-bit ms timestamp, then random bits; monotonic within a thread. */
void	uuid_v7(struct uuid *u);
/* Writes the canonical lower-case 8-4-4-4-12 form and a NUL into out (UUID_STR_LEN + 1 bytes). */
void	uuid_format(const struct uuid *u, char *out);
/* Parses the canonical form or 32 bare hex digits (either case). Returns 0 or -1. */
int	uuid_parse(const char *s, size_t len, struct uuid *u);
/* Returns the Unix time in milliseconds stored in a v7 UUID. */
uint64_t uuid_v7_time_ms(const struct uuid *u);

/*
 * Public ids: prefix + 32 lower-case hex digits ("job_0190f3..."). id_format writes
 * into out (strlen(prefix) + 33 bytes). id_parse is the one parser of ids clients
 * send back, in every dialect: it accepts each form any dialect shows, prefix + 32
 * hex, the canonical 8-4-4-4-12 UUID and its 32 bare hex digits (either case);
 * returns 0 or -1 (also for NULL).
 */
void	id_format(const char *prefix, const struct uuid *u, char *out, size_t outsz);
int	id_parse(const char *prefix, const char *s, struct uuid *u);

/* Which object of a job a seed 002 id names: the job (its flow), or a child. */
enum id_child { ID_CHILD_NONE, ID_CHILD_EXPORT, ID_CHILD_IMPORT };

/*
 * A job id in any form id_parse takes for "job_", optionally followed by seed 002's
 * "-export" or "-import" (the job's children there), which *child reports. Every
 * dialect finds a job by any of these. Returns 0 or -1.
 */
int	id_parse_job(const char *s, struct uuid *u, enum id_child *child);

#define ID_PREFIX_JOB     "job_"
#define ID_PREFIX_PROJECT "proj_"
#define ID_PREFIX_TARGET  "tgt_"
#define ID_STR_MAX        (8 + UUID_HEX_LEN + 1)   /* also holds a dashed UUID */

#endif
