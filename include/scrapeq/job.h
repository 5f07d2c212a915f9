/* job.h: the one job model every dialect speaks: create, read, list, cancel, retry, logs. */
#ifndef SCRAPEQ_JOB_H
#define SCRAPEQ_JOB_H

#include <stddef.h>
#include "auth.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "job_transition.h"
#include "pagination.h"
#include "role.h"
#include "uuid.h"

/*
 * One priority scale for every dialect: 1 (lowest) to 10 (highest), 5 by default.
 * Seed 001 speaks it directly; seed 003's low/normal/high/urgent map onto 2/5/8/10.
 * The claim takes higher numbers first.
 */
#define JOB_PRIORITY_MIN     1
#define JOB_PRIORITY_MAX     10
#define JOB_PRIORITY_DEFAULT 5

/*
 * The retries a scrape run gets: the jobs.max_retries column's default (sql/001),
 * written explicitly by a create so that its answer is built without reading the row.
 */
#define JOB_MAX_RETRIES_DEFAULT 3

struct job_target {
	struct uuid	 target_id;
	enum job_status	 status;
	long long	 results_count;
	char		 started_at[32];         /* "" when null */
	char		 completed_at[32];
};

/* A job as stored. Timestamps are MariaDB text in UTC, "" when null. */
struct job {
	struct uuid	 id;
	struct uuid	 project_id;
	char		 type[33];
	enum job_status	 status;
	enum job_source	 source;
	int		 has_retry_of;
	struct uuid	 retry_of;
	char		 schedule_id[65];        /* "" when none */
	long long	 priority;
	long long	 retry_count;
	long long	 max_retries;
	char		*config;                 /* JSON text, never NULL after a load */
	char		*metadata;               /* JSON text, never NULL after a load */
	char		*error;                  /* JSON text or NULL */
	long long	 total_targets;
	long long	 completed_targets;
	long long	 total_results;
	int		 has_current_target;
	struct uuid	 current_target;
	char		 created_at[32];
	char		 scheduled_at[32];
	char		 started_at[32];
	char		 completed_at[32];
	char		 cancelled_at[32];
	char		 updated_at[32];
	struct job_target *targets;              /* only from job_get */
	size_t		 ntargets;
	enum role	 role;                   /* the reader's role in the project; only from job_get */
};

void	job_clear(struct job *);          /* frees what the job owns; leaves it zeroed */

/* Percentage done, 0..100: completed targets over total; 100 once completed. */
int	job_percentage(const struct job *);
/* Whole seconds from started_at to completed_at (or cancelled_at); -1 when unknown. */
long long job_duration_seconds(const struct job *);

/* What a caller may ask for when creating a scrape run of a project. */
struct job_input {
	const struct uuid *target_ids;           /* NULL: every enabled target of the project */
	size_t		 ntarget_ids;
	long long	 max_results_per_target; /* -1: the project's setting */
	struct json_object *config;              /* crawl options (crawl_config.h); NULL: none */
};

/*
 * Queues a scrape run of project for who: one jobs row, its job_targets, a job_queue
 * row and a job_events row, in one transaction. The source is "api" for an API
 * token and "manual" for a login session. Refuses, changing nothing:
 * SQ_ERR_NOT_FOUND (not a member), SQ_ERR_FORBIDDEN (a viewer: role_allows
 * ROLE_JOB_WRITE, under the project's lock), SQ_ERR_INVALID (unknown or duplicate target id,
 * limit out of range), SQ_ERR_NO_TARGETS, SQ_ERR_JOB_RUNNING (config
 * active_runs_per_project pending/running runs already), SQ_ERR_RATE_LIMITED (the
 * project's daily limit, else the config's jobs_per_day, reached today, UTC).
 */
enum sq_err job_create(struct db *, const struct config *, const struct principal *who,
	    const struct uuid *project, const struct job_input *, struct job *out,
	    struct sq_error *);

/* A run a schedule fires (schedule.c): its slot and what the schedule asks for. */
struct job_scheduled {
	const char		*schedule_id;    /* the schedule's public id, shown as the job's */
	const char		*slot;           /* DATETIME(6) text: the job's scheduled_at */
	const struct uuid	*target_ids;     /* NULL: every enabled target of the project */
	size_t			 ntarget_ids;
	struct json_object	*config;         /* crawl options (crawl_config.h); NULL: none */
};

/*
 * Queues a scrape run of project with source "scheduled", inside the caller's
 * transaction (it neither begins nor commits): the project's row locked, the
 * creation limits checked (job_check_limits), then the same rows as job_create
 * through lifecycle_enqueue, created_by and the audit row naming who (the
 * schedule's creator; user_id 0: nobody). No role is checked: the schedule was
 * allowed when it was written. Sets *id. Refuses as job_create does, changing nothing
 * (SQ_ERR_JOB_RUNNING, SQ_ERR_RATE_LIMITED, SQ_ERR_NO_TARGETS, SQ_ERR_INVALID for a
 * target that is gone or a config the rules now refuse, SQ_ERR_NOT_FOUND for a
 * project that is gone); SQ_ERR_CONFLICT when the targets changed meanwhile (then
 * the caller must roll back: the jobs row was written).
 */
enum sq_err job_create_scheduled(struct db *, const struct config *, const struct principal *who,
	    const struct uuid *project, const struct job_scheduled *, struct uuid *id,
	    struct sq_error *);

/*
 * The creation limits every new job obeys, for a project whose row the caller has
 * locked (SELECT ... FOR UPDATE) in its transaction: SQ_ERR_JOB_RUNNING when the
 * project has config active_runs_per_project pending/running project runs
 * (project_run = 1), SQ_ERR_RATE_LIMITED when today's jobs reached project_daily
 * (-1: the config's jobs_per_day). A job with project_run = 0 (a seed 001 domain
 * scrape) counts towards the daily limit only.
 */
enum sq_err job_check_limits(struct db *, const struct config *, const char *pids,
	    long long project_daily, struct sq_error *);
/* The daily limit alone (a job that is not a project run), under the same lock. */
enum sq_err job_check_daily(struct db *, const struct config *, const char *pids,
	    long long project_daily, struct sq_error *);

/*
 * Loads a job with its per-target status and who's role in its project.
 * SQ_ERR_NOT_FOUND unless who is a member of its project.
 */
enum sq_err job_get(struct db *, const struct principal *who, const struct uuid *id,
	    struct job *out, struct sq_error *);
/*
 * job_get that also confirms a pending who (auth_authenticate_deferred) from the same
 * statement: SQ_ERR_UNAUTHORIZED with who AUTH_STALE when its generation moved.
 */
enum sq_err job_get_auth(struct db *, struct principal *who, const struct uuid *id,
	    struct job *out, struct sq_error *);

struct job_filter {
	int		 has_status;
	enum job_status	 status;
	int		 has_source;
	enum job_source	 source;
};

/*
 * Loads the jobs of ids[0..n) that who may see, targets included, in one round trip:
 * out[i] is the job of ids[i] where found[i] is 1; a job who is not a member for,
 * or one that is gone, leaves its slot zeroed and found[i] 0. Each out[i] is the
 * caller's to job_clear (a zeroed slot too). n is a page (SQ_PER_PAGE_MAX at most).
 */
enum sq_err job_get_many(struct db *, const struct principal *who, const struct uuid *ids,
	    size_t n, struct job *out, int *found, struct sq_error *);
/* Writes ids as a JSON array of UUID strings (for JSON_TABLE). 0, or -1 out of memory. */
int	job_ids_json(const struct uuid *ids, size_t n, struct buf *);

/*
 * Lists a project's jobs, newest first. *items holds n jobs (job_list_free). who is
 * confirmed by the same statement (auth_confirm): SQ_ERR_UNAUTHORIZED, who
 * AUTH_STALE, when the user's revocation generation moved or the user is gone.
 */
enum sq_err job_list(struct db *, struct principal *who, const struct uuid *project,
	    const struct job_filter *, const struct page *, struct job **items, size_t *n,
	    long long *total, struct sq_error *);
void	job_list_free(struct job *items, size_t n);

/*
 * Cancels a pending or running job (SQ_ERR_CANNOT_CANCEL otherwise) through
 * job_cancel_reason with no reason, so every dialect's cancel is the same change:
 * status cancelled, cancelled_at (and updated_at) now, its queue row removed,
 * cancel_requested set so a daemon running it stops within a second, error
 * "Cancelled via API", audited. Fills *out with the job after, read in the same
 * transaction (a committed cancel is never answered with an error).
 */
enum sq_err job_cancel(struct db *, const struct principal *who, const struct uuid *id,
	    struct job *out, struct sq_error *);

/*
 * Creates a new job with the same targets and config as a failed or cancelled one
 * (SQ_ERR_CANNOT_RETRY otherwise), source "retry", retry_of set; the creation
 * limits of job_create apply, and its role rule, checked before the job's status (a
 * viewer gets SQ_ERR_FORBIDDEN for any job). Fills *out with the new job.
 */
enum sq_err job_retry(struct db *, const struct config *, const struct principal *who,
	    const struct uuid *id, struct job *out, struct sq_error *);

enum job_log_level { JOB_LOG_DEBUG, JOB_LOG_INFO, JOB_LOG_WARNING, JOB_LOG_ERROR };

struct job_log {
	char		 ts[32];
	enum job_log_level level;
	char		*message;
	int		 has_target;
	struct uuid	 target_id;
};

const char *job_log_level_name(enum job_log_level);
int	job_log_level_parse(const char *, enum job_log_level *);

/*
 * Returns the latest limit log lines of a job in time order, optionally only of one
 * level (level_filter NULL: all). SQ_ERR_NOT_FOUND unless who is a member.
 */
enum sq_err job_logs(struct db *, const struct principal *who, const struct uuid *id,
	    const enum job_log_level *level_filter, long long limit, struct job_log **items,
	    size_t *n, struct sq_error *);
void	job_logs_free(struct job_log *items, size_t n);

#endif
