/* job_audit.h: the audit trail of job changes: who, when, before and after, and its read-back. */
#ifndef SCRAPEQ_JOB_AUDIT_H
#define SCRAPEQ_JOB_AUDIT_H

#include <stddef.h>
#include "auth.h"
#include "db.h"
#include "err.h"
#include "uuid.h"

/*
 * Reads the audited fields of job jids (status, priority, retry_count, max_retries,
 * metadata, stats, result, error, started_at, completed_at, cancelled_at) as one JSON
 * object text into *out (the caller frees; NULL when the job does not exist). Inside
 * the caller's transaction, after the row is locked. Returns SQ_OK or a db error.
 */
enum sq_err job_audit_snapshot(struct db *, const char *jids, char **out);

/*
 * Appends an audit_log row for job jids (entity "job"): before is a JSON text from
 * job_audit_snapshot or NULL (a creation), after the job's audited fields as they are
 * now, read in the same statement (audit_write's row, without a read of its own).
 * Returns SQ_OK or a db error.
 */
enum sq_err job_audit_record(struct db *, const struct principal *who, const char *pids,
	    const char *jids, const char *action, const char *before);

struct job_audit_row {
	long long	 id;
	char		 ts[32];
	long long	 user_id;        /* 0: none */
	char		 action[65];
	char		*before;         /* JSON text or NULL */
	char		*after;
};

/*
 * Lists the audit rows of a job, oldest first, at most limit after offset. Only who
 * role_allows ROLE_MANAGE (a project owner or admin, or a server administrator) may:
 * SQ_ERR_FORBIDDEN for any other member, SQ_ERR_NOT_FOUND for a non-member.
 * *items (n) is the caller's: job_audit_free.
 */
enum sq_err job_audit_list(struct db *, const struct principal *who, const struct uuid *id,
	    long long offset, long long limit, struct job_audit_row **items, size_t *n,
	    struct sq_error *);
void	job_audit_free(struct job_audit_row *items, size_t n);

#endif
