/* schedule.h: a project's recurring scrape runs: their rules, storage, and firing each due slot once. */
#ifndef SCRAPEQ_SCHEDULE_H
#define SCRAPEQ_SCHEDULE_H

#include <stddef.h>
#include "auth.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "limits.h"
#include "pagination.h"
#include "uuid.h"

#define ID_PREFIX_SCHEDULE "sch_"

struct json_object;

/* A schedule as stored. Timestamps are MariaDB text in UTC, "" when null. */
struct schedule {
	struct uuid	 id;
	struct uuid	 project_id;
	char		 cron[SQ_CRON_MAX + 1];
	char		 timezone[SQ_TIMEZONE_MAX + 1];
	struct uuid	*target_ids;             /* NULL: every enabled target when it fires */
	size_t		 ntarget_ids;
	char		*config;                 /* the crawl options as given, JSON object text */
	int		 enabled;
	char		 next_run_at[32];        /* the slot it fires next; "" when none */
	char		 last_run_at[32];        /* the slot it fired last, job or refusal */
	int		 has_last_job;
	struct uuid	 last_job_id;
	char		 last_error[SQ_SCHEDULE_ERROR_MAX + 1];  /* "" when the last slot made a job */
	char		 created_at[32];
	char		 updated_at[32];
};

void	schedule_clear(struct schedule *);   /* frees what it owns; leaves it zeroed */
void	schedule_list_free(struct schedule *items, size_t n);

/* What a client sends; for an update only the fields given change. */
struct schedule_input {
	const char		*cron;           /* NULL: not given (required to create) */
	const char		*timezone;       /* NULL: not given (UTC on create) */
	int			 targets_given;
	const struct uuid	*target_ids;     /* NULL with targets_given: every enabled target */
	size_t			 ntarget_ids;
	int			 config_given;
	struct json_object	*config;         /* NULL with config_given: none */
	int			 enabled;        /* -1: not given, else 0/1 */
};

/*
 * The CRUD of a project's schedules. Each checks who's membership of project
 * (SQ_ERR_NOT_FOUND "Project not found" when none); create, update and delete manage
 * the project: SQ_ERR_FORBIDDEN unless role_allows ROLE_MANAGE, before anything is
 * validated or changed; any member may read. A schedule of another project is
 * SQ_ERR_NOT_FOUND "Schedule not found". The checks, in order: cron (cron_parse, 422),
 * timezone (tz_load: an IANA zone of the system's zoneinfo, 422), config (the v1
 * job's rules, crawl_config_parse: 400 or 422 naming the key), target_ids (at most
 * SQ_TARGET_IDS_MAX, not empty, no duplicates, each a target of the project: 422
 * "Unknown target id: tgt_..."), and on create the project's SQ_SCHEDULES_PER_PROJECT_MAX
 * (422). next_run_at is computed from now whenever cron, timezone or enabled are
 * given (re-enabling does not fire the slots missed while disabled). Every change
 * writes an audit_log row (entity "schedule", before and after) in its transaction.
 * The out schedules are the caller's to schedule_clear.
 */
enum sq_err schedule_create(struct db *, const struct principal *who, const struct uuid *project,
	    const struct schedule_input *, struct schedule *out, struct sq_error *);
enum sq_err schedule_get(struct db *, const struct principal *who, const struct uuid *project,
	    const struct uuid *id, struct schedule *out, struct sq_error *);
enum sq_err schedule_list(struct db *, const struct principal *who, const struct uuid *project,
	    const struct page *, struct schedule **items, size_t *n, long long *total,
	    struct sq_error *);
enum sq_err schedule_update(struct db *, const struct principal *who, const struct uuid *project,
	    const struct uuid *id, const struct schedule_input *, struct schedule *out,
	    struct sq_error *);
enum sq_err schedule_delete(struct db *, const struct principal *who, const struct uuid *project,
	    const struct uuid *id, struct sq_error *);

/*
 * scrapeqd's side: fires at most max due schedules (enabled, next_run_at reached),
 * each in a transaction of its own at READ COMMITTED: the schedule's row is taken
 * with SELECT ... FOR UPDATE SKIP LOCKED (so daemons side by side fire different
 * schedules and never one twice), its slot (the next_run_at that was due) is
 * recorded in schedule_runs under the unique key (schedule, slot), one job is
 * created for it through job_create_scheduled (source "scheduled", the project's
 * limits), and next_run_at moves to the first slot after now: the slots missed while
 * no daemon ran fire once, as this one. A slot the limits refuse is recorded (the
 * run's error, the schedule's last_error, a warning in the daemon's log naming
 * daemon_id) and not tried again. *fired counts jobs created, *refused slots
 * refused. Returns SQ_OK, or the db error that stopped it (the schedule in hand is
 * left due and fires on a later call).
 */
enum sq_err schedule_fire_due(struct db *, const struct config *, const char *daemon_id,
	    size_t max, size_t *fired, size_t *refused);

#endif
