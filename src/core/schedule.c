/* schedule.c: a project's schedules: the rules on them, their rows, and firing each due slot once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "scrapeq/audit.h"
#include "scrapeq/buf.h"
#include "scrapeq/crawl_config.h"
#include "scrapeq/cron.h"
#include "scrapeq/job.h"
#include "scrapeq/log.h"
#include "scrapeq/page_read.h"
#include "scrapeq/role.h"
#include "scrapeq/schedule.h"
#include "scrapeq/text.h"
#include "scrapeq/tz.h"

/* Column order of every schedule read; from_row depends on it. */
#define SCHED_COLS \
	"s.id, s.project_id, s.cron, s.timezone, s.target_ids, s.config, s.enabled, " \
	"s.next_run_at, s.last_run_at, s.last_job_id, s.last_error, s.created_at, s.updated_at"
#define SCHED_NCOLS 13

void
schedule_clear(struct schedule *s)
{
	if (s == NULL)
		return;
	free(s->target_ids);
	free(s->config);
	memset(s, 0, sizeof(*s));
}

void
schedule_list_free(struct schedule *items, size_t n)
{
	size_t i;

	for (i = 0; items != NULL && i < n; i++)
		schedule_clear(&items[i]);
	free(items);
}

static int
uuid_cell(const char *s, struct uuid *u)
{
	return s != NULL && uuid_parse(s, strlen(s), u) == 0 ? 0 : -1;
}

/* A stored JSON array of UUID strings into ids; NULL text: none (every enabled target). */
static int
targets_from_json(const char *text, struct uuid **ids, size_t *n)
{
	struct json_object	*a;
	size_t			 i, len;
	int			 rc = -1;

	*ids = NULL;
	*n = 0;
	if (text == NULL)
		return 0;
	if ((a = json_tokener_parse(text)) == NULL || !json_object_is_type(a, json_type_array) ||
	    (len = json_object_array_length(a)) > SQ_TARGET_IDS_MAX ||
	    (*ids = calloc(len ? len : 1, sizeof(**ids))) == NULL)
		goto out;
	for (i = 0; i < len; i++)
		if (uuid_cell(json_object_get_string(json_object_array_get_idx(a, i)),
		    &(*ids)[i]) == -1)
			goto out;
	*n = len;
	rc = 0;
out:
	if (rc == -1) {
		free(*ids);
		*ids = NULL;
	}
	json_object_put(a);
	return rc;
}

static int
from_row(struct schedule *s, const struct db_res *r, size_t row)
{
	const char *v;

	memset(s, 0, sizeof(*s));
	if (uuid_cell(db_str(r, row, 0), &s->id) == -1 ||
	    uuid_cell(db_str(r, row, 1), &s->project_id) == -1 ||
	    targets_from_json(db_str(r, row, 4), &s->target_ids, &s->ntarget_ids) == -1 ||
	    (s->config = strdup((v = db_str(r, row, 5)) ? v : "{}")) == NULL)
		return -1;
	text_copy(s->cron, sizeof(s->cron), db_str(r, row, 2));
	text_copy(s->timezone, sizeof(s->timezone), db_str(r, row, 3));
	s->enabled = db_int(r, row, 6) != 0;
	text_copy(s->next_run_at, sizeof(s->next_run_at), db_str(r, row, 7));
	text_copy(s->last_run_at, sizeof(s->last_run_at), db_str(r, row, 8));
	s->has_last_job = uuid_cell(db_str(r, row, 9), &s->last_job_id) == 0;
	text_copy(s->last_error, sizeof(s->last_error), db_str(r, row, 10));
	text_copy(s->created_at, sizeof(s->created_at), db_str(r, row, 11));
	text_copy(s->updated_at, sizeof(s->updated_at), db_str(r, row, 12));
	return 0;
}

/* The audit image of a schedule: what a client set, and when it fires next. */
static int
audit_json(const struct schedule *s, struct buf *b)
{
	struct json_object	*o = json_object_new_object(), *a = NULL, *c;
	char			 id[ID_STR_MAX];
	size_t			 i;
	int			 rc;

	if (o == NULL)
		return -1;
	json_object_object_add(o, "cron", json_object_new_string(s->cron));
	json_object_object_add(o, "timezone", json_object_new_string(s->timezone));
	if (s->target_ids != NULL) {
		a = json_object_new_array();
		for (i = 0; a != NULL && i < s->ntarget_ids; i++) {
			id_format(ID_PREFIX_TARGET, &s->target_ids[i], id, sizeof(id));
			json_object_array_add(a, json_object_new_string(id));
		}
	}
	json_object_object_add(o, "target_ids", a);
	c = json_tokener_parse(s->config);
	json_object_object_add(o, "config", c);
	json_object_object_add(o, "enabled", json_object_new_boolean(s->enabled));
	json_object_object_add(o, "next_run_at", s->next_run_at[0] ?
	    json_object_new_string(s->next_run_at) : NULL);
	buf_puts(b, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	rc = b->oom ? -1 : 0;
	json_object_put(o);
	return rc;
}

/* DATETIME text (UTC) of an instant. */
static void
db_time(long long t, char out[32])
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

/* The first slot of expr in zone after now, as DATETIME text; "" when there is none. */
static enum sq_err
next_slot(const char *expr, const char *zone, long long now, char out[32], struct sq_error *e)
{
	struct cron	 c;
	struct tz	*z;
	long long	 t;
	enum sq_err	 rc;

	out[0] = '\0';
	if ((rc = cron_parse(expr, &c, e)) != SQ_OK || (rc = tz_load(zone, &z, e)) != SQ_OK)
		return rc;
	if (cron_next(&c, z, now, &t) == 0)
		db_time(t, out);
	tz_free(z);
	return SQ_OK;
}

/* who's role in project and the database's clock. SQ_ERR_NOT_FOUND when not a member. */
static enum sq_err
access(struct db *db, const struct principal *who, const char *pids, enum role *role,
    long long *now, long long *count, struct sq_error *e)
{
	struct db_res	 r;
	enum sq_err	 rc;

	rc = db_exec(db, "SELECT m.role, UNIX_TIMESTAMP(), (SELECT COUNT(*) FROM schedules "
	    "WHERE project_id = m.project_id) FROM memberships m "
	    "WHERE m.user_id = ? AND m.project_id = ?",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || role_parse(db_str(&r, 0, 0), role) == -1)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
	else {
		*now = db_int(&r, 0, 1);
		if (count != NULL)
			*count = db_int(&r, 0, 2);
	}
	db_res_free(&r);
	return rc;
}

/* target_ids: bounded, not empty, no duplicates, each a target of the project. */
static enum sq_err
check_targets(struct db *db, const char *pids, const struct schedule_input *in,
    struct buf *json, struct sq_error *e)
{
	struct db_res	 r;
	struct uuid	 u;
	char		 id[ID_STR_MAX];
	size_t		 i, k;
	enum sq_err	 rc;

	if (in->ntarget_ids > SQ_TARGET_IDS_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "Field 'target_ids' may hold at most %d ids",
		    SQ_TARGET_IDS_MAX);
	if (in->ntarget_ids == 0)
		return sq_fail(e, SQ_ERR_INVALID, "Field 'target_ids' must not be empty");
	for (i = 0; i < in->ntarget_ids; i++)
		for (k = 0; k < i; k++)
			if (memcmp(&in->target_ids[i], &in->target_ids[k], sizeof(u)) == 0) {
				id_format(ID_PREFIX_TARGET, &in->target_ids[i], id, sizeof(id));
				return sq_fail(e, SQ_ERR_INVALID, "Duplicate target id: %s", id);
			}
	if (job_ids_json(in->target_ids, in->ntarget_ids, json) == -1)
		return sq_fail(e, SQ_ERR_NOMEM, NULL);
	rc = db_exec(db, "SELECT t.id FROM " DB_IDS_TABLE " LEFT JOIN targets g ON g.id = t.id "
	    "AND g.project_id = ? WHERE g.id IS NULL LIMIT 1",
	    DB_PARAMS(DB_STR(json->data), DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows > 0) {
		if (uuid_cell(db_str(&r, 0, 0), &u) == 0)
			id_format(ID_PREFIX_TARGET, &u, id, sizeof(id));
		else
			text_copy(id, sizeof(id), "?");
		rc = sq_fail(e, SQ_ERR_INVALID, "Unknown target id: %s", id);
	}
	db_res_free(&r);
	return rc;
}

/*
 * Checks what the client gave, in the documented order, and merges it over cur (the
 * schedule now; zeroed on create): *cron, *zone, *config and *targets (JSON text, or
 * NULL for every enabled target) are what will be stored.
 */
struct merged {
	const char	*cron;
	const char	*zone;
	const char	*config;
	const char	*targets;
	int		 enabled;
	char		 next[32];
};

static enum sq_err
check_input(struct db *db, const char *pids, const struct schedule_input *in, long long now,
    const struct schedule *cur, struct merged *m, struct buf *cfgtext, struct buf *tjson,
    struct sq_error *e)
{
	struct crawl_config	 crawl;
	struct cron		 c;
	struct tz		*z;
	enum sq_err		 rc;

	m->cron = in->cron ? in->cron : cur->cron;
	m->zone = in->timezone ? in->timezone : cur->timezone[0] ? cur->timezone : "UTC";
	m->enabled = in->enabled != -1 ? in->enabled : cur->config ? cur->enabled : 1;
	if ((rc = cron_parse(m->cron, &c, e)) != SQ_OK)
		return rc;
	if ((rc = tz_load(m->zone, &z, e)) != SQ_OK)
		return rc;
	tz_free(z);
	m->config = cur->config ? cur->config : "{}";
	if (in->config_given) {
		crawl_config_init(&crawl);
		rc = crawl_config_parse(&crawl, in->config, e);
		crawl_config_clear(&crawl);
		if (rc != SQ_OK)
			return rc;
		buf_puts(cfgtext, in->config ? json_object_to_json_string_ext(in->config,
		    JSON_C_TO_STRING_PLAIN) : "{}");
		if (cfgtext->oom)
			return sq_fail(e, SQ_ERR_NOMEM, NULL);
		m->config = cfgtext->data;
	}
	m->targets = NULL;
	if (in->targets_given && in->target_ids != NULL) {
		if ((rc = check_targets(db, pids, in, tjson, e)) != SQ_OK)
			return rc;
		m->targets = tjson->data;
	} else if (!in->targets_given && cur->target_ids != NULL) {
		if (job_ids_json(cur->target_ids, cur->ntarget_ids, tjson) == -1)
			return sq_fail(e, SQ_ERR_NOMEM, NULL);
		m->targets = tjson->data;
	}
	if ((rc = next_slot(m->cron, m->zone, now, m->next, e)) == SQ_OK && !m->enabled)
		m->next[0] = '\0';     /* a disabled schedule has no next slot */
	return rc;
}

/* Loads one schedule of project (locked FOR UPDATE when lock). SQ_ERR_NOT_FOUND if none. */
static enum sq_err
load(struct db *db, const char *pids, const char *sids, int lock, struct schedule *out,
    struct sq_error *e)
{
	struct db_res	 r;
	enum sq_err	 rc;

	if (lock)
		rc = db_exec(db, "SELECT " SCHED_COLS " FROM schedules s WHERE s.id = ? "
		    "AND s.project_id = ? FOR UPDATE", DB_PARAMS(DB_STR(sids), DB_STR(pids)), &r);
	else
		rc = db_exec(db, "SELECT " SCHED_COLS " FROM schedules s WHERE s.id = ? "
		    "AND s.project_id = ?", DB_PARAMS(DB_STR(sids), DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Schedule not found");
	else if (from_row(out, &r, 0) == -1) {
		schedule_clear(out);
		rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	}
	db_res_free(&r);
	return rc;
}

/* Writes the audit row of a change: before and after images (either NULL). */
static enum sq_err
audit(struct db *db, const struct principal *who, const char *pids, const struct uuid *id,
    const char *action, const struct schedule *before, const struct schedule *after)
{
	struct buf	 b, a;
	char		 sid[ID_STR_MAX];
	enum sq_err	 rc = SQ_ERR_NOMEM;

	buf_init(&b, 0);
	buf_init(&a, 0);
	id_format(ID_PREFIX_SCHEDULE, id, sid, sizeof(sid));
	if ((before == NULL || audit_json(before, &b) == 0) &&
	    (after == NULL || audit_json(after, &a) == 0))
		rc = audit_write(db, who, pids, "schedule", sid, action, before ? b.data : NULL,
		    after ? a.data : NULL);
	buf_free(&a);
	buf_free(&b);
	return rc;
}

enum sq_err
schedule_create(struct db *db, const struct principal *who, const struct uuid *project,
    const struct schedule_input *in, struct schedule *out, struct sq_error *e)
{
	struct schedule	 none;
	struct merged	 m;
	struct buf	 cfgtext, tjson;
	struct uuid	 id;
	char		 pids[UUID_STR_LEN + 1], sids[UUID_STR_LEN + 1];
	long long	 now, count;
	enum role	 role;
	enum sq_err	 rc;

	memset(&none, 0, sizeof(none));
	memset(out, 0, sizeof(*out));
	buf_init(&cfgtext, 0);
	buf_init(&tjson, 0);
	uuid_format(project, pids);
	if ((rc = access(db, who, pids, &role, &now, &count, e)) != SQ_OK ||
	    (rc = role_require(who, role, ROLE_MANAGE, "manage schedules", e)) != SQ_OK)
		goto out;
	if (in->cron == NULL) {
		rc = sq_fail(e, SQ_ERR_BAD_REQUEST, "Field 'cron' is required");
		goto out;
	}
	if ((rc = check_input(db, pids, in, now, &none, &m, &cfgtext, &tjson, e)) != SQ_OK)
		goto out;
	if (count >= SQ_SCHEDULES_PER_PROJECT_MAX) {
		rc = sq_fail(e, SQ_ERR_INVALID, "A project may have at most %d schedules",
		    SQ_SCHEDULES_PER_PROJECT_MAX);
		goto out;
	}
	uuid_v7(&id);
	uuid_format(&id, sids);
	if ((rc = db_begin(db)) != SQ_OK) {
		sq_fail(e, rc, NULL);
		goto out;
	}
	rc = db_exec(db, "INSERT INTO schedules (id, project_id, cron, timezone, target_ids, "
	    "config, enabled, next_run_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DB_PARAMS(DB_STR(sids), DB_STR(pids), DB_STR(m.cron), DB_STR(m.zone),
	    DB_STR(m.targets), DB_STR(m.config), DB_INT(m.enabled),
	    DB_STR(m.next[0] ? m.next : NULL), DB_INT(who->user_id)), NULL);
	if (rc == SQ_OK)
		rc = load(db, pids, sids, 0, out, e);
	if (rc == SQ_OK)
		rc = audit(db, who, pids, &id, "create", NULL, out);
	if (rc == SQ_OK)
		rc = db_commit(db);
	if (rc != SQ_OK) {
		db_rollback(db);
		schedule_clear(out);
		if (e->code != rc)
			sq_fail(e, rc, NULL);
	}
out:
	buf_free(&tjson);
	buf_free(&cfgtext);
	return rc;
}

enum sq_err
schedule_get(struct db *db, const struct principal *who, const struct uuid *project,
    const struct uuid *id, struct schedule *out, struct sq_error *e)
{
	char		 pids[UUID_STR_LEN + 1], sids[UUID_STR_LEN + 1];
	long long	 now;
	enum role	 role;
	enum sq_err	 rc;

	memset(out, 0, sizeof(*out));
	uuid_format(project, pids);
	uuid_format(id, sids);
	if ((rc = access(db, who, pids, &role, &now, NULL, e)) != SQ_OK)
		return rc;
	return load(db, pids, sids, 0, out, e);
}

static int
schedule_row(void *item, const struct db_res *r, size_t row)
{
	return from_row(item, r, row);
}

static void
schedule_release(void *items, size_t n)
{
	schedule_list_free(items, n);
}

/* The total comes with the access check (access() counts the project's schedules). */
static const struct page_read schedule_page = {
	NULL,
	"SELECT " SCHED_COLS " FROM schedules s WHERE s.project_id = ? "
	"ORDER BY s.id LIMIT ? OFFSET ?",
	sizeof(struct schedule), schedule_row, schedule_release
};

enum sq_err
schedule_list(struct db *db, const struct principal *who, const struct uuid *project,
    const struct page *pg, struct schedule **items, size_t *n, long long *total,
    struct sq_error *e)
{
	char		 pids[UUID_STR_LEN + 1];
	long long	 now;
	enum role	 role;
	void		*v;
	enum sq_err	 rc;

	*items = NULL;
	*n = 0;
	uuid_format(project, pids);
	if ((rc = access(db, who, pids, &role, &now, total, e)) != SQ_OK)
		return rc;
	rc = page_read(db, &schedule_page, pids, pg, &v, n, total, e);
	*items = v;
	return rc;
}

enum sq_err
schedule_update(struct db *db, const struct principal *who, const struct uuid *project,
    const struct uuid *id, const struct schedule_input *in, struct schedule *out,
    struct sq_error *e)
{
	struct schedule	 cur;
	struct merged	 m;
	struct buf	 cfgtext, tjson;
	char		 pids[UUID_STR_LEN + 1], sids[UUID_STR_LEN + 1];
	long long	 now;
	enum role	 role;
	enum sq_err	 rc;

	memset(&cur, 0, sizeof(cur));
	memset(out, 0, sizeof(*out));
	buf_init(&cfgtext, 0);
	buf_init(&tjson, 0);
	uuid_format(project, pids);
	uuid_format(id, sids);
	if ((rc = access(db, who, pids, &role, &now, NULL, e)) != SQ_OK ||
	    (rc = role_require(who, role, ROLE_MANAGE, "manage schedules", e)) != SQ_OK)
		goto out;
	/* An empty body changes nothing and writes no audit row. */
	if (in->cron == NULL && in->timezone == NULL && !in->targets_given &&
	    !in->config_given && in->enabled == -1) {
		rc = load(db, pids, sids, 0, out, e);
		goto out;
	}
	if ((rc = db_begin(db)) != SQ_OK) {
		sq_fail(e, rc, NULL);
		goto out;
	}
	/* Only the schedule's row is locked: a daemon firing it skips it meanwhile. */
	if ((rc = load(db, pids, sids, 1, &cur, e)) != SQ_OK ||
	    (rc = check_input(db, pids, in, now, &cur, &m, &cfgtext, &tjson, e)) != SQ_OK)
		goto fail;
	/* next_run_at moves only when what decides it was given. */
	rc = db_exec(db, "UPDATE schedules SET cron = ?, timezone = ?, target_ids = ?, config = ?, "
	    "enabled = ?, next_run_at = IF(?, ?, next_run_at), updated_at = NOW(6) WHERE id = ?",
	    DB_PARAMS(DB_STR(m.cron), DB_STR(m.zone), DB_STR(m.targets), DB_STR(m.config),
	    DB_INT(m.enabled), DB_INT(in->cron || in->timezone || in->enabled != -1),
	    DB_STR(m.next[0] ? m.next : NULL), DB_STR(sids)), NULL);
	if (rc == SQ_OK)
		rc = load(db, pids, sids, 0, out, e);
	if (rc == SQ_OK)
		rc = audit(db, who, pids, id, "update", &cur, out);
	if (rc == SQ_OK && (rc = db_commit(db)) == SQ_OK)
		goto out;
fail:
	db_rollback(db);
	schedule_clear(out);
	if (e->code != rc)
		sq_fail(e, rc, NULL);
out:
	schedule_clear(&cur);
	buf_free(&tjson);
	buf_free(&cfgtext);
	return rc;
}

enum sq_err
schedule_delete(struct db *db, const struct principal *who, const struct uuid *project,
    const struct uuid *id, struct sq_error *e)
{
	struct schedule	 cur;
	char		 pids[UUID_STR_LEN + 1], sids[UUID_STR_LEN + 1];
	long long	 now;
	enum role	 role;
	enum sq_err	 rc;

	memset(&cur, 0, sizeof(cur));
	uuid_format(project, pids);
	uuid_format(id, sids);
	if ((rc = access(db, who, pids, &role, &now, NULL, e)) != SQ_OK ||
	    (rc = role_require(who, role, ROLE_MANAGE, "manage schedules", e)) != SQ_OK)
		return rc;
	if ((rc = db_begin(db)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	if ((rc = load(db, pids, sids, 1, &cur, e)) == SQ_OK &&
	    (rc = db_exec(db, "DELETE FROM schedules WHERE id = ?", DB_PARAMS(DB_STR(sids)),
	    NULL)) == SQ_OK &&
	    (rc = audit(db, who, pids, id, "delete", &cur, NULL)) == SQ_OK &&
	    (rc = db_commit(db)) == SQ_OK)
		goto out;
	db_rollback(db);
	if (e->code != rc)
		sq_fail(e, rc, NULL);
out:
	schedule_clear(&cur);
	return rc;
}

/* ---- firing: scrapeqd ---- */

/* A due schedule, as the firing transaction reads it. */
struct due {
	struct schedule	 s;
	char		 slot[32];       /* the next_run_at that was due */
	long long	 created_by;
	long long	 now;            /* the database's clock, seconds */
};

/* The refusals a slot records and moves on from; anything else is retried later. */
static int
refusal(enum sq_err rc)
{
	return rc == SQ_ERR_JOB_RUNNING || rc == SQ_ERR_RATE_LIMITED || rc == SQ_ERR_NO_TARGETS ||
	    rc == SQ_ERR_INVALID || rc == SQ_ERR_BAD_REQUEST || rc == SQ_ERR_NOT_FOUND;
}

/* Creates the slot's job; SQ_OK with *jid, a refusal with its message in *e, or a db error. */
static enum sq_err
fire_job(struct db *db, const struct config *cfg, const struct due *d, struct uuid *jid,
    struct sq_error *e)
{
	struct principal	 who = { d->created_by, AUTH_TOKEN, 0, AUTH_CONFIRMED, 0 };
	struct job_scheduled	 js;
	char			 sid[ID_STR_MAX];
	enum sq_err		 rc;

	memset(&js, 0, sizeof(js));
	id_format(ID_PREFIX_SCHEDULE, &d->s.id, sid, sizeof(sid));
	js.schedule_id = sid;
	js.slot = d->slot;
	js.target_ids = d->s.target_ids;
	js.ntarget_ids = d->s.ntarget_ids;
	if ((js.config = json_tokener_parse(d->s.config)) == NULL)
		return sq_fail(e, SQ_ERR_INVALID, "Invalid config: stored text is not JSON");
	rc = job_create_scheduled(db, cfg, &who, &d->s.project_id, &js, jid, e);
	json_object_put(js.config);
	return rc;
}

/* Records the slot's outcome and moves the schedule to its next slot after now. */
static enum sq_err
fire_record(struct db *db, const char *daemon_id, const struct due *d, const struct uuid *jid,
    const char *error)
{
	char		 sids[UUID_STR_LEN + 1], jids[UUID_STR_LEN + 1], next[32];
	struct sq_error	 e;
	enum sq_err	 rc;

	uuid_format(&d->s.id, sids);
	if (jid != NULL)
		uuid_format(jid, jids);
	if (next_slot(d->s.cron, d->s.timezone, d->now, next, &e) != SQ_OK) {
		/* A zone gone from the system: it stops, saying why. */
		error = e.message;
		next[0] = '\0';
	}
	rc = db_exec(db, "UPDATE schedule_runs SET job_id = ?, error = LEFT(?, ?), fired_by = ? "
	    "WHERE schedule_id = ? AND slot = ?",
	    DB_PARAMS(DB_STR(jid ? jids : NULL), DB_STR(error), DB_INT(SQ_SCHEDULE_ERROR_MAX),
	    DB_STR(daemon_id), DB_STR(sids), DB_STR(d->slot)), NULL);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE schedules SET last_run_at = ?, next_run_at = ?, "
		    "last_error = LEFT(?, ?), last_job_id = COALESCE(?, last_job_id) WHERE id = ?",
		    DB_PARAMS(DB_STR(d->slot), DB_STR(next[0] ? next : NULL), DB_STR(error),
		    DB_INT(SQ_SCHEDULE_ERROR_MAX), DB_STR(jid ? jids : NULL), DB_STR(sids)), NULL);
	return rc;
}

/* Takes one due schedule, locked, skipping those another daemon holds. SQ_ERR_NOT_FOUND: none. */
static enum sq_err
take_due(struct db *db, struct due *d)
{
	struct db_res	 r;
	enum sq_err	 rc;

	memset(d, 0, sizeof(*d));
	rc = db_exec(db, "SELECT " SCHED_COLS ", s.next_run_at, s.created_by, UNIX_TIMESTAMP() "
	    "FROM schedules s WHERE s.enabled = 1 AND s.next_run_at <= NOW(6) "
	    "ORDER BY s.enabled, s.next_run_at LIMIT 1 FOR UPDATE SKIP LOCKED", NULL, 0, &r);
	if (rc != SQ_OK)
		return rc;
	if (r.nrows == 0)
		rc = SQ_ERR_NOT_FOUND;
	else if (from_row(&d->s, &r, 0) == -1)
		rc = SQ_ERR_INTERNAL;
	else {
		text_copy(d->slot, sizeof(d->slot), db_str(&r, 0, SCHED_NCOLS));
		d->created_by = db_int(&r, 0, SCHED_NCOLS + 1);
		d->now = db_int(&r, 0, SCHED_NCOLS + 2);
	}
	db_res_free(&r);
	return rc;
}

/* One due schedule's slot, in a transaction. SQ_ERR_NOT_FOUND when nothing is due. */
static enum sq_err
fire_one(struct db *db, const struct config *cfg, const char *daemon_id, int *made,
    int *refused)
{
	struct due	 d;
	struct uuid	 jid;
	struct sq_error	 e;
	char		 sid[ID_STR_MAX], sids[UUID_STR_LEN + 1];
	enum sq_err	 rc;

	memset(&e, 0, sizeof(e));
	if ((rc = db_begin(db)) != SQ_OK)
		return rc;
	if ((rc = take_due(db, &d)) != SQ_OK)
		goto fail;
	uuid_format(&d.s.id, sids);
	id_format(ID_PREFIX_SCHEDULE, &d.s.id, sid, sizeof(sid));
	/* The slot's key first: whoever else would fire it meets the unique key. */
	rc = db_exec(db, "INSERT INTO schedule_runs (schedule_id, slot, fired_by) VALUES (?, ?, ?)",
	    DB_PARAMS(DB_STR(sids), DB_STR(d.slot), DB_STR(daemon_id)), NULL);
	if (rc == SQ_ERR_CONFLICT) {
		log_warn("schedule %s: slot %s was fired already; moving on", sid, d.slot);
		rc = fire_record(db, daemon_id, &d, NULL, NULL);
	} else if (rc == SQ_OK) {
		rc = fire_job(db, cfg, &d, &jid, &e);
		if (rc == SQ_OK) {
			*made = 1;
			rc = fire_record(db, daemon_id, &d, &jid, NULL);
		} else if (refusal(rc)) {
			*refused = 1;
			log_warn("schedule %s: slot %s refused: %s (daemon %s)", sid, d.slot,
			    e.message, daemon_id);
			rc = fire_record(db, daemon_id, &d, NULL, e.message);
		}
	}
	/* The runs of a schedule are kept as long as the jobs they made. */
	if (rc == SQ_OK)
		rc = db_exec(db, "DELETE FROM schedule_runs WHERE schedule_id = ? "
		    "AND slot < NOW(6) - INTERVAL ? DAY",
		    DB_PARAMS(DB_STR(sids), DB_INT(cfg->retention_days)), NULL);
	if (rc == SQ_OK && (rc = db_commit(db)) == SQ_OK) {
		schedule_clear(&d.s);
		return SQ_OK;
	}
fail:
	if (rc != SQ_ERR_NOT_FOUND)
		log_err("schedule: firing a due slot failed: %s", sq_strerror(rc));
	db_rollback(db);
	schedule_clear(&d.s);
	*made = *refused = 0;
	return rc;
}

enum sq_err
schedule_fire_due(struct db *db, const struct config *cfg, const char *daemon_id, size_t max,
    size_t *fired, size_t *refused)
{
	size_t		 i;
	int		 made, no;
	enum sq_err	 rc = SQ_OK;

	*fired = *refused = 0;
	for (i = 0; i < max; i++) {
		made = no = 0;
		if ((rc = fire_one(db, cfg, daemon_id, &made, &no)) != SQ_OK)
			break;
		*fired += (size_t)made;
		*refused += (size_t)no;
	}
	return rc == SQ_ERR_NOT_FOUND ? SQ_OK : rc;
}
