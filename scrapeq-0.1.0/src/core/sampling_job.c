/* sampling_job.c: resolves seed 004's dataset ids and queues sampling jobs whose config fixes the draw. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "scrapeq/job.h"
#include "scrapeq/lifecycle.h"
#include "scrapeq/limits.h"
#include "scrapeq/results.h"
#include "scrapeq/role.h"
#include "scrapeq/sampling_job.h"
#include "scrapeq/sampling_spec.h"
#include "scrapeq/text.h"

static const char *const table_names[] = {
	[SAMPLING_TABLE_PRIMARY] = "primary",
	[SAMPLING_TABLE_LINKS] = "links",
	[SAMPLING_TABLE_IMAGES] = "images",
};

const char *
sampling_table_name(enum sampling_table t)
{
	return (unsigned)t < 3 ? table_names[t] : "?";
}

int
sampling_table_parse(const char *s, enum sampling_table *out)
{
	size_t i;

	for (i = 0; s != NULL && i < 3; i++)
		if (strcmp(s, table_names[i]) == 0) {
			*out = (enum sampling_table)i;
			return 0;
		}
	return -1;
}

/* What a dataset id resolved to. */
struct dataset {
	char	 pids[UUID_STR_LEN + 1];
	enum role role;                    /* the caller's in the dataset's project */
	char	 source[ID_STR_MAX];       /* job_<hex> whose results are the rows */
	char	 target[ID_STR_MAX];       /* tgt_<hex>, or "" for a whole job */
	char	 name[SQ_NAME_MAX + 1];
};

/*
 * The dataset's row r and the caller's role in its project (column col): NOT_FOUND
 * without a row; a viewer is refused before the dataset's readiness is judged.
 */
static enum sq_err
dataset_access(const struct principal *who, const struct db_res *r, size_t col,
    struct dataset *d, struct sq_error *e)
{
	if (r->nrows == 0 || role_parse(db_str(r, 0, col), &d->role) == -1)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Dataset not found");
	return role_require(who, d->role, ROLE_JOB_WRITE, "create sampling jobs", e);
}

static enum sq_err
resolve_job(struct db *db, const struct principal *who, const char *ds, const struct uuid *job,
    struct dataset *d, struct sq_error *e)
{
	struct uuid	 u = *job;
	struct db_res	 r;
	char		 jids[UUID_STR_LEN + 1];
	enum job_status	 st = JOB_PENDING;
	enum sq_err	 rc;

	uuid_format(&u, jids);
	rc = db_exec(db, "SELECT j.project_id, j.status, m.role FROM jobs j JOIN memberships m "
	    "ON m.project_id = j.project_id AND m.user_id = ? WHERE j.id = ?",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(jids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	rc = dataset_access(who, &r, 2, d, e);
	if (rc == SQ_OK && (job_status_parse(db_str(&r, 0, 1), &st) == -1 ||
	    !job_status_terminal(st)))
		rc = sq_fail(e, SQ_ERR_INVALID, "Dataset %s is not finished: its rows may still "
		    "change", ds);
	else if (rc == SQ_OK)
		text_copy(d->pids, sizeof(d->pids), db_str(&r, 0, 0));
	db_res_free(&r);
	id_format(ID_PREFIX_JOB, &u, d->source, sizeof(d->source));
	snprintf(d->name, sizeof(d->name), "Results of %s", d->source);
	return rc;
}

static enum sq_err
resolve_target(struct db *db, const struct principal *who, const char *ds, struct dataset *d,
    struct sq_error *e)
{
	struct uuid	 u, j;
	struct db_res	 r;
	char		 tids[UUID_STR_LEN + 1];
	const char	*s;
	enum sq_err	 rc;

	if (id_parse(ID_PREFIX_TARGET, ds, &u) == -1)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Dataset not found");
	uuid_format(&u, tids);
	rc = db_exec(db, "SELECT t.project_id, COALESCE(t.name, t.url), (SELECT j.id FROM "
	    "job_targets jt JOIN jobs j ON j.id = jt.job_id WHERE jt.target_id = t.id AND "
	    "j.status = 'completed' AND j.type = 'scrape' ORDER BY j.completed_at DESC, j.id DESC "
	    "LIMIT 1), m.role FROM targets t JOIN memberships m ON m.project_id = t.project_id "
	    "AND m.user_id = ? WHERE t.id = ?", DB_PARAMS(DB_INT(who->user_id), DB_STR(tids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	rc = dataset_access(who, &r, 3, d, e);
	if (rc == SQ_OK && ((s = db_str(&r, 0, 2)) == NULL || uuid_parse(s, strlen(s), &j) == -1))
		rc = sq_fail(e, SQ_ERR_INVALID, "Dataset %s has no completed job yet", ds);
	else if (rc == SQ_OK) {
		text_copy(d->pids, sizeof(d->pids), db_str(&r, 0, 0));
		text_copy(d->name, sizeof(d->name), db_str(&r, 0, 1));
		id_format(ID_PREFIX_JOB, &j, d->source, sizeof(d->source));
		id_format(ID_PREFIX_TARGET, &u, d->target, sizeof(d->target));
	}
	db_res_free(&r);
	return rc;
}

/*
 * A dataset id: a job's id in any form (id_parse_job; /api/jobs shows its UUID, the
 * dataset is stored as job_<hex>), or "tgt_<hex>".
 */
static enum sq_err
resolve(struct db *db, const struct principal *who, const char *ds, struct dataset *d,
    struct sq_error *e)
{
	struct uuid	 u;
	enum id_child	 c;

	memset(d, 0, sizeof(*d));
	if (id_parse_job(ds, &u, &c) == 0)
		return resolve_job(db, who, ds, &u, d, e);
	if (strncmp(ds, ID_PREFIX_TARGET, strlen(ID_PREFIX_TARGET)) == 0)
		return resolve_target(db, who, ds, d, e);
	return sq_fail(e, SQ_ERR_NOT_FOUND, "Dataset not found");
}

/* A seed for a round that has none: 53 bits, so a JavaScript client reads it back exactly. */
static uint64_t
draw_seed(void)
{
	uint64_t s;

	randombytes_buf(&s, sizeof(s));
	return s & ((UINT64_C(1) << 53) - 1);
}

static void
add_int(struct json_object *o, const char *key, long long v)
{
	if (v != -1)
		json_object_object_add(o, key, json_object_new_int64(v));
}

/* The rounds as the config records them: every parameter explicit, every seed set. */
static struct json_object *
rounds_json(struct sampling_round *r, size_t n)
{
	struct json_object	*a = json_object_new_array(), *o, *p;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (!r[i].has_seed) {
			r[i].seed = draw_seed();
			r[i].has_seed = 1;
		}
		o = json_object_new_object();
		p = json_object_new_object();
		json_object_object_add(o, "round_number", json_object_new_int64(r[i].number));
		json_object_object_add(o, "method",
		    json_object_new_string(sampling_method_name(r[i].method)));
		add_int(p, "sample_size", r[i].sample_size);
		add_int(p, "per_stratum", r[i].per_stratum);
		add_int(p, "interval", r[i].interval);
		add_int(p, "start", r[i].start);
		if (r[i].has_column)
			json_object_object_add(p, "column",
			    json_object_new_string(result_col_name(r[i].column)));
		json_object_object_add(p, "seed", json_object_new_int64((int64_t)r[i].seed));
		json_object_object_add(o, "parameters", p);
		json_object_array_add(a, o);
	}
	return a;
}

/* Checks the body's fields other than rounds; fills *table. */
static enum sq_err
body_fields(struct json_object *b, enum sampling_table *table, struct sq_error *e)
{
	struct json_object *v;

	json_object_object_foreach(b, key, val) {
		(void)val;
		if (strcmp(key, "source_ref") != 0 && strcmp(key, "table_key") != 0 &&
		    strcmp(key, "rounds") != 0)
			return sq_fail(e, SQ_ERR_INVALID, "%.64s is not a field of a sampling job", key);
	}
	if (json_object_object_get_ex(b, "source_ref", &v) && (!json_object_is_type(v,
	    json_type_string) || strcmp(json_object_get_string(v), "main") != 0))
		return sq_fail(e, SQ_ERR_INVALID, "source_ref must be \"main\"");
	*table = SAMPLING_TABLE_PRIMARY;
	if (json_object_object_get_ex(b, "table_key", &v) && (!json_object_is_type(v,
	    json_type_string) || sampling_table_parse(json_object_get_string(v), table) == -1))
		return sq_fail(e, SQ_ERR_INVALID, "table_key must be primary, links or images");
	return SQ_OK;
}

static struct json_object *
config_json(const struct dataset *d, enum sampling_table t,
    struct sampling_round *r, size_t n)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "dataset_id", json_object_new_string(d->target[0] ? d->target :
	    d->source));
	json_object_object_add(c, "dataset_name", json_object_new_string(d->name));
	json_object_object_add(c, "source_ref", json_object_new_string("main"));
	json_object_object_add(c, "source_job_id", json_object_new_string(d->source));
	if (d->target[0] != '\0')
		json_object_object_add(c, "source_target_id", json_object_new_string(d->target));
	json_object_object_add(c, "table_key", json_object_new_string(sampling_table_name(t)));
	json_object_object_add(c, "rounds", rounds_json(r, n));
	return c;
}

static enum sq_err
insert_job(struct db *db, const struct principal *who, const char *pids, const char *jids,
    const char *cfg, const char *ds)
{
	struct lifecycle_new n = { 0 };
	char		 msg[SQ_LOG_MESSAGE_MAX + 1];

	snprintf(msg, sizeof(msg), "Sampling job queued over %s", ds);
	n.jids = jids;
	n.pids = pids;
	n.type = "sampling";
	n.source = lifecycle_source(who);
	n.priority = JOB_PRIORITY_DEFAULT;
	n.max_retries = 3;
	n.config = cfg;
	n.log_message = msg;
	return lifecycle_create(db, who, &n);
}

/* In the caller's transaction: the project's lock, the limits, the rows. */
static enum sq_err
create_locked(struct db *db, const struct config *cfg, const struct principal *who,
    const struct dataset *d, const char *jids, const char *conf, const char *ds,
    struct sq_error *e)
{
	struct db_res	 r;
	long long	 daily = -1;
	enum sq_err	 rc;

	if ((rc = db_exec(db, "SELECT daily_job_limit FROM projects WHERE id = ? FOR UPDATE",
	    DB_PARAMS(DB_STR(d->pids)), &r)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 1 && db_str(&r, 0, 0) != NULL)
		daily = db_int(&r, 0, 0);
	db_res_free(&r);
	if ((rc = job_check_daily(db, cfg, d->pids, daily, e)) != SQ_OK)
		return rc;
	if ((rc = insert_job(db, who, d->pids, jids, conf, ds)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	return SQ_OK;
}

enum sq_err
sampling_job_create(struct db *db, const struct config *cfg, const struct principal *who,
    const char *ds, struct json_object *body, struct uuid *id, size_t *nrounds,
    struct sq_error *e)
{
	struct sampling_round	 rounds[SAMPLING_ROUNDS_MAX];
	struct json_object	*rj = NULL, *conf = NULL;
	struct dataset		 d;
	enum sampling_table	 t;
	char			 jids[UUID_STR_LEN + 1];
	size_t			 n = 0;
	enum sq_err		 rc;

	*nrounds = 0;
	if ((rc = resolve(db, who, ds, &d, e)) != SQ_OK ||
	    (rc = body_fields(body, &t, e)) != SQ_OK)
		return rc;
	json_object_object_get_ex(body, "rounds", &rj);
	if ((rc = sampling_rounds_parse(rj, rounds, &n, e)) != SQ_OK)
		return rc;
	conf = config_json(&d, t, rounds, n);
	uuid_v7(id);
	uuid_format(id, jids);
	if ((rc = db_begin(db)) != SQ_OK) {
		sq_fail(e, rc, NULL);
		goto out;
	}
	rc = create_locked(db, cfg, who, &d, jids, json_object_to_json_string_ext(conf,
	    JSON_C_TO_STRING_PLAIN), ds, e);
	if (rc == SQ_OK && (rc = db_commit(db)) != SQ_OK)
		sq_fail(e, rc, NULL);
	if (rc != SQ_OK)
		db_rollback(db);
	else
		*nrounds = n;
out:
	json_object_put(conf);
	return rc;
}
