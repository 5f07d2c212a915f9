/* project.h: projects (the tenant boundary) and who is a member of them. */
#ifndef SCRAPEQ_PROJECT_H
#define SCRAPEQ_PROJECT_H

#include "auth.h"
#include "db.h"
#include "err.h"
#include "query.h"
#include "pagination.h"
#include "role.h"
#include "uuid.h"

struct project {
	struct uuid	 id;
	char		 name[SQ_NAME_MAX + 1];
	char		*description;            /* may be NULL */
	long long	 daily_job_limit;        /* -1: use the config's */
	long long	 max_results_per_target;
	long long	 seq;                    /* small numeric alias (seed 003's workspace id) */
	char		 created_at[32];         /* "YYYY-MM-DD HH:MM:SS.ffffff" UTC, as stored */
	char		 updated_at[32];
	char		 role[16];               /* the caller's role in it */
};

void	project_clear(struct project *);   /* frees description */

/* What a caller may set on a project; NULL / -1 means "not given". */
struct project_input {
	const char	*name;                   /* required on create */
	const char	*description;
	long long	 daily_job_limit;        /* -1: not given; PROJECT_DAILY_DEFAULT (update) */
	long long	 max_results_per_target; /* -1: not given */
	int		 description_given;      /* update only: 1 with description NULL clears it */
};

/* An update's daily_job_limit that clears the project's own: the config's jobs_per_day applies. */
#define PROJECT_DAILY_DEFAULT (-2)

/*
 * Creates a project owned by who, who becomes its "owner" member. Validates in the
 * core (name 1..SQ_NAME_MAX bytes, limits in range); fills *out. daily_job_limit is
 * a quota: only a server administrator (role_allows ROLE_QUOTA: who->is_admin; or
 * scrapeqctl) may set it, anyone else gets SQ_ERR_FORBIDDEN. Returns SQ_OK,
 * SQ_ERR_BAD_REQUEST / SQ_ERR_INVALID naming the field, or a db error.
 */
enum sq_err project_create(struct db *, const struct principal *who,
	    const struct project_input *in, struct project *out, struct sq_error *);

/*
 * Changes the given fields of project id (PATCH): validated as project_create does,
 * then under the project's row lock SQ_ERR_NOT_FOUND unless who is a member,
 * SQ_ERR_FORBIDDEN unless role_allows ROLE_MANAGE (admin, owner, a server
 * administrator), and for daily_job_limit unless ROLE_QUOTA, as on create. A change
 * writes an audit_log row (entity "project", action "update", before and after); a
 * request that changes nothing writes nothing. Fills *out with the project after.
 */
enum sq_err project_update(struct db *, const struct principal *who, const struct uuid *id,
	    const struct project_input *in, struct project *out, struct sq_error *);

/*
 * Sets (limit >= 0) or clears (limit -1: back to the config's jobs_per_day) a
 * project's daily job limit; the sysadmin's lever, used by scrapeqctl. Returns
 * SQ_OK, SQ_ERR_NOT_FOUND, SQ_ERR_INVALID, or a db error.
 */
enum sq_err project_set_daily_limit(struct db *, const struct uuid *id, long long limit,
	    struct sq_error *);

/*
 * Loads project id if who is a member. SQ_ERR_NOT_FOUND
 * otherwise: a project the caller cannot see does not exist for them.
 */
enum sq_err project_get(struct db *, const struct principal *who, const struct uuid *id,
	    struct project *out, struct sq_error *);

/*
 * Returns SQ_OK when who is a member of project id, with its role there in *role
 * (may be NULL); SQ_ERR_NOT_FOUND otherwise (and when it does not exist), or a db error.
 */
enum sq_err project_access(struct db *, const struct principal *who, const struct uuid *id,
	    enum role *role, struct sq_error *);

/*
 * Seed 003's workspace: ref is the project's small number (projects.seq, shown as
 * workspace_id) or its id in any form (id_parse: proj_<hex>, the UUID). Fills *id and
 * *seq. SQ_ERR_NOT_FOUND ("Workspace not found") when ref is neither; SQ_ERR_FORBIDDEN
 * ("No access to this workspace") alike for a workspace that does not exist and one
 * who is not a member of, so the sequential numbers cannot be probed.
 */
enum sq_err project_workspace(struct db *, const struct principal *who, const char *ref,
	    struct uuid *id, long long *seq, struct sq_error *);

#define PROJECT_SEQ_MAX (1LL << 53)   /* a workspace number a JavaScript client reads exactly */

/* Lists the caller's projects, newest first. *items is an array of n (free with project_list_free). */
enum sq_err project_list(struct db *, const struct principal *who, const struct page *pg,
	    struct project **items, size_t *n, long long *total, struct sq_error *);
void	project_list_free(struct project *items, size_t n);

#endif
