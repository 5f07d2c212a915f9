/* job_domain.c: seed 001's domain scrape jobs: create under the project lock, read, list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scrapeq/buf.h"
#include "scrapeq/crawl_config.h"
#include "scrapeq/job_audit.h"
#include "scrapeq/job_domain.h"
#include "scrapeq/job_spec.h"
#include "scrapeq/lifecycle.h"
#include "scrapeq/role.h"
#include "scrapeq/target.h"
#include "scrapeq/text.h"

#define DEFAULT_MAX_RETRIES 3

/* Everything checked before the transaction, so a bad request never writes. */
struct prepared {
	char		 url[SQ_URL_MAX + 1];
	const char	*type;
	long long	 priority, max_retries;
	struct crawl_config crawl;          /* completed once the project is known */
	struct buf	 cfg;
	const char	*metadata;
	int		 has_url;
};

static enum sq_err
prepare(const struct config *cfg, const struct job_domain_input *in, struct prepared *p,
    struct sq_error *e)
{
	char raw[SQ_URL_MAX + 1];

	if (in->job_type != NULL && !job_spec_type_ok(in->job_type))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid job_type: must be 1 to %d of a-z, "
		    "0-9 and _", SQ_JOB_TYPE_MAX);
	p->type = job_spec_type_to_core(in->job_type ? in->job_type : "domain_scrape");
	/* A job nothing would run is refused here, for every dialect. */
	if (strcmp(p->type, "scrape") != 0 && config_handler(cfg, p->type) == NULL)
		return sq_fail(e, SQ_ERR_INVALID, "Invalid job_type: '%s' is neither a scrape nor "
		    "a type with a [handlers] entry on this server", in->job_type);
	p->has_url = in->target != NULL || !(in->domain_optional && in->domain == NULL &&
	    strcmp(p->type, "scrape") != 0);
	if (p->has_url && in->domain == NULL && in->target == NULL)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid domain: domain or domain_id is "
		    "required");
	/* With domain_id, the target's URL is the job's; a domain beside it must agree. */
	if (in->domain != NULL && (job_spec_domain_url(in->domain, raw, sizeof(raw)) == -1 ||
	    target_url_normalise(raw, p->url, e) != SQ_OK))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid domain: must be a host name or an "
		    "http(s) URL");
	p->priority = in->priority < 0 ? JOB_PRIORITY_DEFAULT : in->priority;
	if (in->priority != -1 && (in->priority < JOB_PRIORITY_MIN ||
	    in->priority > JOB_PRIORITY_MAX))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid priority: must be an integer from "
		    "%d to %d", JOB_PRIORITY_MIN, JOB_PRIORITY_MAX);
	p->max_retries = in->max_retries < 0 ? DEFAULT_MAX_RETRIES : in->max_retries;
	if (in->max_retries < -1 || in->max_retries > SQ_JOB_RETRIES_MAX)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid max_retries: must be an integer "
		    "from 0 to %d", SQ_JOB_RETRIES_MAX);
	if (in->metadata != NULL && !json_object_is_type(in->metadata, json_type_object))
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid metadata: must be an object");
	p->metadata = in->metadata ? json_object_to_json_string_ext(in->metadata,
	    JSON_C_TO_STRING_PLAIN) : "{}";
	if (strlen(p->metadata) > SQ_JOB_JSON_MAX)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid metadata: larger than %d bytes",
		    SQ_JOB_JSON_MAX);
	return crawl_config_parse(&p->crawl, in->config, e);
}

/*
 * Locks the project row (the given one, else the caller's oldest project where its
 * role may create jobs, else its oldest) with the caller's membership, reads its
 * limits, and checks the role: a viewer is refused before anything is written.
 */
static enum sq_err
lock_project(struct db *db, const struct principal *who, const struct uuid *project,
    char pids[UUID_STR_LEN + 1], long long *daily, long long *max_results, struct sq_error *e)
{
	struct db_res	 r;
	char		 roles[64];
	enum role	 role = ROLE_NONE;
	enum sq_err	 rc;

	if (project != NULL) {
		uuid_format(project, pids);
		rc = db_exec(db, "SELECT p.id, p.daily_job_limit, m.role, p.max_results_per_target "
		    "FROM projects p JOIN memberships m ON m.project_id = p.id AND m.user_id = ? "
		    "WHERE p.id = ? FOR UPDATE", DB_PARAMS(DB_INT(who->user_id), DB_STR(pids)), &r);
	} else if (role_names_allowed(who->is_admin, ROLE_JOB_WRITE, roles, sizeof(roles)) == -1)
		return sq_fail(e, SQ_ERR_INTERNAL, NULL);
	else
		rc = db_exec(db, "SELECT p.id, p.daily_job_limit, m.role, p.max_results_per_target "
		    "FROM projects p JOIN memberships m ON m.project_id = p.id AND m.user_id = ? "
		    "ORDER BY FIND_IN_SET(m.role, ?) = 0, p.seq LIMIT 1 FOR UPDATE",
		    DB_PARAMS(DB_INT(who->user_id), DB_STR(roles)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || role_parse(db_str(&r, 0, 2), &role) == -1)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, project ? "Project not found" :
		    "No project: create one first, or pass project_id");
	else {
		text_copy(pids, UUID_STR_LEN + 1, db_str(&r, 0, 0));
		*daily = db_str(&r, 0, 1) ? db_int(&r, 0, 1) : -1;
		*max_results = db_int(&r, 0, 3);
		rc = role_require(who, role, ROLE_JOB_WRITE, "create jobs", e);
	}
	db_res_free(&r);
	return rc;
}


/*
 * The project of a domain_id the caller gave without a project: the target's own,
 * when it is in one of the caller's projects.
 */
static enum sq_err
target_project(struct db *db, const struct principal *who, const struct uuid *target,
    struct uuid *project, struct sq_error *e)
{
	struct db_res	 r;
	char		 tids[UUID_STR_LEN + 1];
	const char	*s;
	enum sq_err	 rc;

	uuid_format(target, tids);
	rc = db_exec(db, "SELECT t.project_id FROM targets t JOIN memberships m ON "
	    "m.project_id = t.project_id AND m.user_id = ? WHERE t.id = ?",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(tids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || (s = db_str(&r, 0, 0)) == NULL || uuid_parse(s, strlen(s), project))
		rc = sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid domain_id: no such domain");
	db_res_free(&r);
	return rc;
}

/*
 * The domain_id's target in the locked project: its URL becomes the job's. A domain
 * given beside it must name the same target, as its URL or as the host the job shows.
 */
static enum sq_err
given_target(struct db *db, const char *pids, const struct job_domain_input *in,
    struct prepared *p, char tids[UUID_STR_LEN + 1], struct sq_error *e)
{
	struct db_res	 r;
	char		 host[SQ_URL_MAX + 1];
	enum sq_err	 rc;

	uuid_format(in->target, tids);
	rc = db_exec(db, "SELECT url FROM targets WHERE id = ? AND project_id = ?",
	    DB_PARAMS(DB_STR(tids), DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0)
		rc = sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid domain_id: not a domain of this "
		    "project");
	else {
		job_domain_of_url(db_str(&r, 0, 0), host, sizeof(host));
		if (in->domain != NULL && strcmp(p->url, db_str(&r, 0, 0)) != 0 &&
		    strcasecmp(in->domain, host) != 0)
			rc = sq_fail(e, SQ_ERR_BAD_REQUEST, "Invalid domain and domain_id: they "
			    "name different domains (%s is %.200s)", "domain_id", host);
		else
			text_copy(p->url, sizeof(p->url), db_str(&r, 0, 0));
	}
	db_res_free(&r);
	return rc;
}

/* The project's target for url, created if it has none. */
static enum sq_err
domain_target(struct db *db, const char *pids, const char *url, const char *name,
    char tids[UUID_STR_LEN + 1])
{
	struct db_res	 r;
	struct uuid	 t;
	enum sq_err	 rc;

	rc = db_exec(db, "SELECT id FROM targets WHERE project_id = ? AND url = ? ORDER BY id "
	    "LIMIT 1", DB_PARAMS(DB_STR(pids), DB_STR(url)), &r);
	if (rc != SQ_OK)
		return rc;
	if (r.nrows == 1) {
		text_copy(tids, UUID_STR_LEN + 1, db_str(&r, 0, 0));
		db_res_free(&r);
		return SQ_OK;
	}
	db_res_free(&r);
	uuid_v7(&t);
	uuid_format(&t, tids);
	return db_exec(db, "INSERT INTO targets (id, project_id, url, name) VALUES (?, ?, ?, "
	    "LEFT(?, 200))", DB_PARAMS(DB_STR(tids), DB_STR(pids), DB_STR(url), DB_STR(name)),
	    NULL);
}

/* tids is the job's target (empty: find or create the domain's). */
static enum sq_err
insert_job(struct db *db, const struct principal *who, const char *pids, const char *jids,
    const struct prepared *p, const char *domain, const char *sched, char *tids)
{
	struct lifecycle_new n = { 0 };
	char		 msg[SQ_URL_MAX + 32], targets[UUID_STR_LEN + 5];
	enum sq_err	 rc;

	if (p->has_url && tids[0] == '\0' &&
	    (rc = domain_target(db, pids, p->url, domain, tids)) != SQ_OK)
		return rc;
	if (p->has_url)
		snprintf(targets, sizeof(targets), "[\"%s\"]", tids);
	snprintf(msg, sizeof(msg), "Job queued for %s", p->has_url ? p->url : p->type);
	n.jids = jids;
	n.pids = pids;
	n.type = p->type;
	n.source = lifecycle_source(who);
	n.priority = p->priority;
	n.max_retries = p->max_retries;
	n.config = p->cfg.data;
	n.metadata = p->metadata;
	n.targets = p->has_url ? targets : NULL;
	n.ntargets = p->has_url ? 1 : 0;
	n.run_after = sched;
	n.log_message = msg;
	return lifecycle_create(db, who, &n);
}

enum sq_err
job_domain_create(struct db *db, const struct config *cfg, const struct principal *who,
    const struct job_domain_input *in, struct uuid *id, struct sq_error *e)
{
	struct prepared	 p;
	struct uuid	 tp;
	char		 pids[UUID_STR_LEN + 1], jids[UUID_STR_LEN + 1];
	char		 tids[UUID_STR_LEN + 1] = "";
	const struct uuid *project = in->project;
	long long	 daily = -1, max_results = 0;
	enum sq_err	 rc;

	memset(&p, 0, sizeof(p));
	crawl_config_init(&p.crawl);
	buf_init(&p.cfg, 0);
	e->code = SQ_OK;
	if ((rc = prepare(cfg, in, &p, e)) != SQ_OK)
		goto out;
	if (in->target != NULL && project == NULL) {
		if ((rc = target_project(db, who, in->target, &tp, e)) != SQ_OK)
			goto out;
		project = &tp;
	}
	uuid_v7(id);
	uuid_format(id, jids);
	if ((rc = db_begin(db)) != SQ_OK) {
		sq_fail(e, rc, NULL);
		goto out;
	}
	if ((rc = lock_project(db, who, project, pids, &daily, &max_results, e)) == SQ_OK &&
	    (in->target == NULL || (rc = given_target(db, pids, in, &p, tids, e)) == SQ_OK) &&
	    (rc = job_check_daily(db, cfg, pids, daily, e)) == SQ_OK) {
		crawl_config_finish(&p.crawl, cfg, max_results);
		if (crawl_config_store(&p.crawl, NULL, &p.cfg) == -1)
			rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
		else if ((rc = insert_job(db, who, pids, jids, &p, in->domain ? in->domain :
		    p.url, in->scheduled_at, tids)) != SQ_OK)
			sq_fail(e, rc, NULL);
	}
	if (rc == SQ_OK && (rc = db_commit(db)) != SQ_OK)
		sq_fail(e, rc, NULL);
	if (rc != SQ_OK)
		db_rollback(db);
out:
	crawl_config_clear(&p.crawl);
	buf_free(&p.cfg);
	return rc;
}

void
job_domain_view_clear(struct job_domain_view *v)
{
	if (v == NULL)
		return;
	job_clear(&v->job);
	free(v->stats);
	free(v->result);
	memset(v, 0, sizeof(*v));
}

void
job_domain_of_url(const char *url, char *out, size_t outsz)
{
	const char	*p;
	size_t		 n;

	if (url == NULL)
		url = "";
	p = strstr(url, "://");
	p = p ? p + 3 : url;
	n = strcspn(p, "/?#");
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static int
dup_cell(const struct db_res *r, size_t row, size_t col, char **out)
{
	const char *s = db_str(r, row, col);

	return s != NULL && (*out = strdup(s)) == NULL ? -1 : 0;
}

/* The seed 001 columns beside the job's (view_from_row reads them from column c on). */
#define VIEW_COLS "j.stats, j.result, j.lease_owner, jt.target_id, jt.url, p.seq, " \
	"j.scheduled_at, q.run_after, j.created_by "
#define VIEW_JOINS "JOIN projects p ON p.id = j.project_id " \
	"LEFT JOIN job_targets jt ON jt.job_id = j.id AND jt.position = 1 " \
	"LEFT JOIN job_queue q ON q.job_id = j.id "

static enum sq_err
view_from_row(struct job_domain_view *out, const struct db_res *r, size_t row, size_t c)
{
	const char *t;

	if (dup_cell(r, row, c, &out->stats) == -1 || dup_cell(r, row, c + 1, &out->result) == -1)
		return SQ_ERR_NOMEM;
	text_copy(out->lease_owner, sizeof(out->lease_owner), db_str(r, row, c + 2));
	t = db_str(r, row, c + 3);
	out->has_target = t != NULL && uuid_parse(t, strlen(t), &out->target_id) == 0;
	text_copy(out->url, sizeof(out->url), db_str(r, row, c + 4));
	job_domain_of_url(out->url, out->domain, sizeof(out->domain));
	out->project_seq = db_int(r, row, c + 5);
	text_copy(out->scheduled_at, sizeof(out->scheduled_at), db_str(r, row, c + 6));
	text_copy(out->run_after, sizeof(out->run_after), db_str(r, row, c + 7));
	out->created_by = db_str(r, row, c + 8) ? db_int(r, row, c + 8) : -1;
	return SQ_OK;
}

enum sq_err
job_domain_get(struct db *db, const struct principal *who, const struct uuid *id,
    struct job_domain_view *out, struct sq_error *e)
{
	struct db_res	 r;
	char		 jids[UUID_STR_LEN + 1];
	enum sq_err	 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = job_get(db, who, id, &out->job, e)) != SQ_OK)
		return rc;
	uuid_format(id, jids);
	rc = db_exec(db, "SELECT " VIEW_COLS "FROM jobs j " VIEW_JOINS "WHERE j.id = ?",
	    DB_PARAMS(DB_STR(jids)), &r);
	if (rc != SQ_OK) {
		job_domain_view_clear(out);
		return sq_fail(e, rc, NULL);
	}
	if (r.nrows == 1 && (rc = view_from_row(out, &r, 0, 0)) != SQ_OK)
		sq_fail(e, rc, NULL);
	db_res_free(&r);
	if (rc != SQ_OK)
		job_domain_view_clear(out);
	return rc;
}

/*
 * A page of jobs in two round trips: out[i] is the job of ids[i] where found[i] is 1
 * (who is a member and the job still exists). Every out[i] is the caller's to
 * job_domain_view_clear, found or not.
 */
static enum sq_err
job_domain_get_many(struct db *db, const struct principal *who, const struct uuid *ids,
    size_t n, struct job_domain_view *out, int *found, struct sq_error *e)
{
	struct db_res	 r;
	struct buf	 b;
	struct job	*jobs = NULL;
	struct uuid	 u;
	const char	*s;
	size_t		 i, k;
	enum sq_err	 rc;

	memset(out, 0, n * sizeof(*out));
	if (n == 0)
		return SQ_OK;
	buf_init(&b, 0);
	if ((jobs = calloc(n, sizeof(*jobs))) == NULL || job_ids_json(ids, n, &b) == -1) {
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
		goto out;
	}
	if ((rc = job_get_many(db, who, ids, n, jobs, found, e)) != SQ_OK)
		goto out;
	for (i = 0; i < n; i++)
		out[i].job = jobs[i];
	rc = db_exec(db, "SELECT j.id, " VIEW_COLS "FROM " DB_IDS_TABLE " JOIN jobs j "
	    "ON j.id = t.id " VIEW_JOINS,
	    DB_PARAMS(DB_STR(b.data)), &r);
	if (rc != SQ_OK) {
		sq_fail(e, rc, NULL);
		goto out;
	}
	for (i = 0; i < r.nrows && rc == SQ_OK; i++) {
		if ((s = db_str(&r, i, 0)) == NULL || uuid_parse(s, strlen(s), &u) == -1)
			continue;
		for (k = 0; k < n; k++)
			if (found[k] && memcmp(ids[k].b, u.b, sizeof(u.b)) == 0)
				break;
		if (k < n && (rc = view_from_row(&out[k], &r, i, 1)) != SQ_OK)
			sq_fail(e, rc, NULL);
	}
	db_res_free(&r);
out:
	if (rc != SQ_OK)
		for (i = 0; i < n; i++)
			job_domain_view_clear(&out[i]);
	free(jobs);
	buf_free(&b);
	return rc;
}

/*
 * One text: the optional filters are "? IS NULL OR col = ?" (the any-of sets
 * FIND_IN_SET over a comma list, the priorities a bit mask), and the page is found
 * on (project_id, id) through the membership join. Fine for the jobs one user can
 * see; the per-project list of seed 000 keeps its one-statement-per-combination form.
 */
#define LIST_WHERE \
	"FROM jobs j JOIN memberships m ON m.project_id = j.project_id AND m.user_id = ? " \
	"WHERE (? IS NULL OR j.status = ?) AND (? IS NULL OR j.type = ?) " \
	"AND (? IS NULL OR j.project_id = ?) AND (? IS NULL OR FIND_IN_SET(j.status, ?)) " \
	"AND (? IS NULL OR FIND_IN_SET(j.type, ?)) AND (? = 0 OR (? >> j.priority) & 1)"

/*
 * The page's statement for a sort: whole literal texts, one per sort, since db_exec
 * caches prepared statements by the address of their text.
 */
#define LIST_PAGE(order) "SELECT j.id " LIST_WHERE " ORDER BY " order " LIMIT ? OFFSET ?"

static const char *
list_sql(const struct job_domain_filter *f)
{
	static const char *const asc[] = { LIST_PAGE("j.id DESC"),
	    LIST_PAGE("j.created_at, j.id"), LIST_PAGE("j.updated_at, j.id"),
	    LIST_PAGE("j.priority, j.id"), LIST_PAGE("j.status, j.id") };
	static const char *const desc[] = { LIST_PAGE("j.id DESC"),
	    LIST_PAGE("j.created_at DESC, j.id DESC"), LIST_PAGE("j.updated_at DESC, j.id DESC"),
	    LIST_PAGE("j.priority DESC, j.id DESC"), LIST_PAGE("j.status DESC, j.id DESC") };

	if ((unsigned)f->sort > JOB_SORT_STATUS)
		return asc[0];
	return f->ascending ? asc[f->sort] : desc[f->sort];
}

/* The comma lists of the any-of sets, "" when empty. */
static void
list_sets(const struct job_domain_filter *f, struct buf *st, struct buf *ty)
{
	size_t i;

	for (i = 0; i < JOB_STATUS__COUNT; i++)
		if (f->status_mask & (1u << i))
			buf_printf(st, "%s%s", st->len ? "," : "", job_status_name((enum job_status)i));
	for (i = 0; i < f->ntypes; i++)
		buf_printf(ty, "%s%s", ty->len ? "," : "", f->types[i]);
}

enum sq_err
job_domain_list(struct db *db, const struct principal *who, const struct job_domain_filter *f,
    const struct page *pg, struct uuid **ids, size_t *n, long long *total, struct sq_error *e)
{
	struct db_res	 r;
	struct buf	 sset, tset;
	char		 pids[UUID_STR_LEN + 1];
	const char	*st = f->has_status ? job_status_name(f->status) : NULL, *ps = NULL;
	const char	*ss, *ts;
	struct uuid	*v = NULL;
	size_t		 i;
	enum sq_err	 rc;

	*ids = NULL;
	*n = 0;
	if (f->project != NULL) {
		uuid_format(f->project, pids);
		ps = pids;
	}
	buf_init(&sset, 0);
	buf_init(&tset, 0);
	list_sets(f, &sset, &tset);
	ss = sset.len ? sset.data : NULL;
	ts = tset.len ? tset.data : NULL;
#define LIST_PARAMS \
	DB_INT(who->user_id), DB_STR(st), DB_STR(st), DB_STR(f->type), DB_STR(f->type), \
	DB_STR(ps), DB_STR(ps), DB_STR(ss), DB_STR(ss), DB_STR(ts), DB_STR(ts), \
	DB_INT(f->priority_mask), DB_INT(f->priority_mask)
	/* Without a type filter the total is a sum over the trigger-kept job_counts rows. */
	if (f->type == NULL && ss == NULL && ts == NULL && f->priority_mask == 0)
		rc = db_exec(db, "SELECT COALESCE(SUM(c.n), 0) FROM job_counts c "
		    "JOIN memberships m ON m.project_id = c.project_id AND m.user_id = ? "
		    "WHERE (? IS NULL OR c.status = ?) AND (? IS NULL OR c.project_id = ?)",
		    DB_PARAMS(DB_INT(who->user_id), DB_STR(st), DB_STR(st), DB_STR(ps), DB_STR(ps)),
		    &r);
	else
		rc = db_exec(db, "SELECT COUNT(*) " LIST_WHERE, DB_PARAMS(LIST_PARAMS), &r);
	if (rc != SQ_OK) {
		buf_free(&sset);
		buf_free(&tset);
		return sq_fail(e, rc, NULL);
	}
	*total = db_int(&r, 0, 0);
	db_res_free(&r);
	rc = db_exec(db, list_sql(f), DB_PARAMS(LIST_PARAMS, DB_INT(pg->per_page), DB_INT(pg->offset)),
	    &r);
#undef LIST_PARAMS
	buf_free(&sset);
	buf_free(&tset);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows > 0 && (v = calloc(r.nrows, sizeof(*v))) == NULL)
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
	for (i = 0; rc == SQ_OK && i < r.nrows; i++)
		if (uuid_parse(db_str(&r, i, 0), strlen(db_str(&r, i, 0)), &v[i]) == -1)
			rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	db_res_free(&r);
	if (rc != SQ_OK) {
		free(v);
		return rc;
	}
	*ids = v;
	*n = i;
	return SQ_OK;
}

enum sq_err
job_domain_page(struct db *db, const struct principal *who, const struct job_domain_filter *f,
    const struct page *pg, struct job_domain_view **views, size_t *n, long long *total,
    struct sq_error *e)
{
	struct job_domain_view	*v = NULL;
	struct uuid		*ids = NULL;
	int			*found = NULL;
	size_t			 nids = 0, i, k = 0;
	enum sq_err		 rc;

	*views = NULL;
	*n = 0;
	if ((rc = job_domain_list(db, who, f, pg, &ids, &nids, total, e)) != SQ_OK)
		return rc;
	if ((v = calloc(nids + 1, sizeof(*v))) == NULL ||
	    (found = calloc(nids + 1, sizeof(*found))) == NULL) {
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
		goto out;
	}
	if ((rc = job_domain_get_many(db, who, ids, nids, v, found, e)) != SQ_OK)
		goto out;
	for (i = 0; i < nids; i++) {           /* gone since the list: left out */
		if (found[i])
			v[k++] = v[i];
		else
			job_domain_view_clear(&v[i]);
	}
	*views = v;
	*n = k;
	v = NULL;
out:
	free(v);
	free(found);
	free(ids);
	return rc;
}

void
job_domain_views_free(struct job_domain_view *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		job_domain_view_clear(&v[i]);
	free(v);
}
