/* flow_view.h: seed 002's flow, export and import job objects, read from the one job model. */
#ifndef SCRAPEQ_FLOW_VIEW_H
#define SCRAPEQ_FLOW_VIEW_H

#include "auth.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "flow.h"
#include "uuid.h"

/*
 * One seed 002 job object. Times are database text, "" when null. Each is a view of
 * one jobs row (flow_view.c says how): nothing of it is stored apart from the job.
 */
struct flow_job {
	struct uuid	 job_id;
	struct uuid	 project_id;
	enum flow_kind	 kind;
	enum job_status	 status;
	long long	 num_success, num_error, num_ignore, num_export;
	long long	 pages_generated, pages_processed;
	int		 done_exporting;
	char		 created_at[FLOW_TIME_MAX];
	char		 started_at[FLOW_TIME_MAX];
	char		 ended_at[FLOW_TIME_MAX];
	char		 last_modified[FLOW_TIME_MAX];
	char		 purge_at[FLOW_TIME_MAX];
};

/*
 * Lists the job objects of every project who is a member of that match f, in the
 * order flow.h gives, at most SQ_FLOW_PAGE_MAX. *items is the caller's to free();
 * *n may be 0. Reads jobs newest first in batches on (project_id, type, created_at,
 * id), so a page costs about its own rows, not the caller's whole history.
 */
enum sq_err flow_list(struct db *, const struct config *, const struct principal *who,
	    const struct flow_filter *f, struct flow_job **items, size_t *n, struct sq_error *);

/* Loads one job object. SQ_ERR_NOT_FOUND unless who is a member of its project. */
enum sq_err flow_get(struct db *, const struct config *, const struct principal *who,
	    const struct uuid *job, enum flow_kind, struct flow_job *out, struct sq_error *);

/*
 * Cancels a flow job through job_cancel and fills *out with it after; *canceled_by
 * (SQ_USERNAME_MAX + 1 bytes) gets who's username. Refuses: SQ_ERR_NOT_FOUND (no
 * such job for who), SQ_ERR_INVALID (an export or import job), SQ_ERR_FORBIDDEN (a
 * viewer, whatever the job's status: job_cancel's role rule), SQ_ERR_CANNOT_CANCEL
 * (already finished; the message names its status).
 */
enum sq_err flow_cancel(struct db *, const struct config *, const struct principal *who,
	    const struct uuid *job, enum flow_kind, struct flow_job *out, char *canceled_by,
	    struct sq_error *);

#endif
