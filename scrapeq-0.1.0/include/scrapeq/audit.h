/* audit.h: the audit_log, one row per change of a job, a project or a membership. */
#ifndef SCRAPEQ_AUDIT_H
#define SCRAPEQ_AUDIT_H

#include "auth.h"
#include "db.h"
#include "err.h"

/*
 * Appends an audit_log row in the caller's transaction: who (user_id NULL when
 * who->user_id is 0), the project (pids, a UUID text), entity ("job", "project",
 * "member") and its id (at most 64 bytes), action, and before/after as JSON texts or
 * NULL. Returns SQ_OK or a db error.
 */
enum sq_err audit_write(struct db *, const struct principal *who, const char *pids,
	    const char *entity, const char *entity_id, const char *action, const char *before,
	    const char *after);

#endif
