/* dialect_datasets.c: seed 004's /api/jobs: the one job model seen as runs over datasets. */
#include <stdio.h>
#include <string.h>

#include "scrapeq/crawl_config.h"
#include "scrapeq/job_run.h"
#include "scrapeq/jsonw.h"
#include "scrapeq/log.h"
#include "scrapeq/pagination.h"
#include "scrapeq/results.h"
#include "scrapeq/sampling_job.h"
#include "dialect.h"
#include "export.h"

/* Seed 004 answers a status code and {"detail": message}. */
static void
ds_error(struct req *r, const struct sq_error *e)
{
	struct buf	 b;
	struct jsonw	 w;

	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "detail", e->message[0] ? e->message : sq_strerror(e->code));
	jsonw_end(&w);
	if (e->code == SQ_ERR_UNAUTHORIZED)
		r->extra_header = "WWW-Authenticate: Bearer";
	/* The daily limit is what HTTP calls 429, which clients retry; 400 says "fix your request". */
	req_reply_doc(r, e->code == SQ_ERR_RATE_LIMITED ? req_retry_at_midnight(r) :
	    sq_http_status(e->code), &w);
	buf_free(&b);
}

const struct dialect dialect_datasets = { "datasets", ds_error };

/* "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC) as the seed writes it: "...T...+00:00"; null otherwise. */
static void
write_time(struct jsonw *w, const char *key, const char *db)
{
	char	 out[40];
	size_t	 n = db ? strlen(db) : 0;

	if (n < 19 || n > 26 || db[10] != ' ') {
		jsonw_null(w, key);
		return;
	}
	memcpy(out, db, n);
	out[10] = 'T';
	memcpy(out + n, "+00:00", 7);
	jsonw_str(w, key, out);
}

static void
write_opt_str(struct jsonw *w, const char *key, const char *s)
{
	if (s != NULL)
		jsonw_str(w, key, s);
	else
		jsonw_null(w, key);
}

/* The fields a list item carries; full adds the ones only GET /api/jobs/{id} shows. */
static void
write_run(struct jsonw *w, const struct job_run *j, int full, const struct config *cfg)
{
	char		 id[UUID_STR_LEN + 1], num[48];
	struct buf	 cv;

	uuid_format(&j->id, id);
	jsonw_object(w, NULL);
	jsonw_str(w, "id", id);
	jsonw_str(w, "run_type", j->type ? j->type : "");
	jsonw_str(w, "status", job_status_name(j->status));
	write_opt_str(w, "dataset_id", j->dataset_id);
	write_opt_str(w, "dataset_name", j->dataset_name);
	if (full)
		write_opt_str(w, "source_commit_id", j->source_commit_id);
	if (j->user_id >= 0)
		jsonw_int(w, "user_id", j->user_id);
	else
		jsonw_null(w, "user_id");
	write_opt_str(w, "user_soeid", j->user_soeid);
	if (full) {
		/* A crawl's config as every dialect shows it (timeout in ms); a draw's as stored. */
		buf_init(&cv, 0);
		jsonw_raw(w, "run_parameters", j->config == NULL ? "{}" :
		    strcmp(j->type ? j->type : "", "scrape") == 0 &&
		    crawl_config_view(j->config, cfg, 1, &cv) == 0 ? cv.data : j->config);
		buf_free(&cv);
		jsonw_raw(w, "output_summary", j->result ? j->result : "null");
	}
	write_opt_str(w, "error_message", j->error_message);
	write_time(w, "created_at", j->created_at);
	write_time(w, "completed_at", j->completed_at);
	if (full && j->duration_us >= 0) {
		snprintf(num, sizeof(num), "%lld.%06lld", j->duration_us / 1000000,
		    j->duration_us % 1000000);
		jsonw_raw(w, "duration_seconds", num);
	} else if (full)
		jsonw_null(w, "duration_seconds");
	jsonw_end(w);
}

static int
run_item(void *arg, const struct job_run *j)
{
	write_run(arg, j, 0, NULL);
	return 0;
}

/* What run_full writes with. */
struct run_out {
	struct jsonw		*w;
	const struct config	*cfg;
};

static int
run_full(void *arg, const struct job_run *j)
{
	struct run_out *o = arg;

	write_run(o->w, j, 1, o->cfg);
	return 0;
}

/* A path id is the job's, in any form a dialect shows (the seed shows the canonical UUID). */
static enum sq_err
path_job(struct req *r, struct uuid *u, struct sq_error *e)
{
	enum id_child c;

	if (r->nparams < 1 || id_parse_job(r->params[0], u, &c) == -1)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Job not found");
	return SQ_OK;
}

static enum sq_err
h_job_get(struct req *r, struct sq_error *e)
{
	struct uuid	 id;
	struct buf	 b;
	struct jsonw	 w;
	struct run_out	 o = { &w, r->w->cfg };
	enum sq_err	 rc;

	if ((rc = path_job(r, &id, e)) != SQ_OK)
		return rc;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	if ((rc = job_run_get(r->w->db, &r->who, &id, run_full, &o, e)) == SQ_OK)
		req_reply_doc(r, 200, &w);
	buf_free(&b);
	return rc;
}

/* An optional integer query parameter in [lo, hi]; a 422 naming it otherwise. */
static enum sq_err
query_int(struct req *r, const char *name, long long lo, long long hi, long long *out,
    struct sq_error *e)
{
	const char *s;

	if (query_count(&r->query, name) > 1)
		return sq_fail(e, SQ_ERR_INVALID, "Invalid %s: must be given at most once", name);
	if ((s = query_get(&r->query, name)) == NULL)
		return SQ_OK;
	if (parse_int_range(s, lo, hi, out) == -1)
		return sq_fail(e, SQ_ERR_INVALID, "Invalid %s: must be an integer from %lld to %lld",
		    name, lo, hi);
	return SQ_OK;
}

/* Each filter names one value: a second one is a 422, never a silent choice of the first. */
static enum sq_err
list_once(struct req *r, struct sq_error *e)
{
	static const char *const once[] = { "status", "run_type", "user_soeid", "dataset_id" };
	size_t i;

	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		if (query_count(&r->query, once[i]) > 1)
			return sq_fail(e, SQ_ERR_INVALID, "Invalid %s: must be given at most once",
			    once[i]);
	return SQ_OK;
}

static enum sq_err
list_filter(struct req *r, struct job_run_filter *f, struct sq_error *e)
{
	const char	*s;
	enum sq_err	 rc;

	memset(f, 0, sizeof(*f));
	f->user_id = -1;
	if ((rc = list_once(r, e)) != SQ_OK ||
	    (rc = query_int(r, "user_id", 0, (1LL << 62), &f->user_id, e)) != SQ_OK)
		return rc;
	if ((s = query_get(&r->query, "status")) != NULL) {
		if (job_status_parse(s, &f->status) == -1)
			return sq_fail(e, SQ_ERR_INVALID, "Invalid status: must be one of "
			    "pending, running, completed, failed, cancelled");
		f->has_status = 1;
	}
	f->type = query_get(&r->query, "run_type");
	f->user_soeid = query_get(&r->query, "user_soeid");
	f->dataset_id = query_get(&r->query, "dataset_id");
	return SQ_OK;
}

static enum sq_err
h_job_list(struct req *r, struct sq_error *e)
{
	struct job_run_filter	 f;
	struct buf		 b;
	struct jsonw		 w;
	long long		 offset = 0, limit = SQ_RUNS_LIMIT_DEFAULT, total = 0;
	enum sq_err		 rc;

	if ((rc = req_query(r, e)) != SQ_OK ||
	    (rc = query_int(r, "offset", 0, SQ_RESULTS_OFFSET_MAX, &offset, e)) != SQ_OK ||
	    (rc = query_int(r, "limit", 1, SQ_RUNS_LIMIT_MAX, &limit, e)) != SQ_OK ||
	    (rc = list_filter(r, &f, e)) != SQ_OK)
		return rc;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_array(&w, "jobs");
	rc = job_run_each(r->w->db, &r->who, &f, offset, limit, run_item, &w, &total, e);
	jsonw_end(&w);
	jsonw_int(&w, "total", total);
	jsonw_int(&w, "offset", offset);
	jsonw_int(&w, "limit", limit);
	jsonw_end(&w);
	if (rc == SQ_OK)
		req_reply_doc(r, 200, &w);
	buf_free(&b);
	return rc;
}

/* ---- sampling ---- */

/* Seed 004 answers 422 for every invalid parameter: a core 400 becomes one, message kept. */
static enum sq_err
as_422(struct sq_error *e, enum sq_err rc)
{
	char msg[sizeof(e->message)];

	if (rc != SQ_ERR_BAD_REQUEST)
		return rc;
	memcpy(msg, e->message, sizeof(msg));
	return sq_fail(e, SQ_ERR_INVALID, "%s", msg);
}

static enum sq_err
h_sampling_create(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct uuid		 id;
	struct buf		 out;
	struct jsonw		 w;
	char			 ids[UUID_STR_LEN + 1], msg[64];
	size_t			 n = 0;
	enum sq_err		 rc;

	if ((b = req_json(r, 0, e)) == NULL)
		return e->code;
	rc = sampling_job_create(r->w->db, r->w->cfg, &r->who, r->params[0], b, &id, &n, e);
	json_object_put(b);
	if (rc != SQ_OK)
		return rc;
	uuid_format(&id, ids);
	snprintf(msg, sizeof(msg), "Sampling job created with %zu rounds", n);
	buf_init(&out, 0);
	jsonw_init(&w, &out);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "job_id", ids);
	jsonw_str(&w, "status", "pending");
	jsonw_str(&w, "message", msg);
	jsonw_end(&w);
	req_reply_doc(r, 200, &w);
	buf_free(&out);
	return SQ_OK;
}

/* What GET .../data needs to know of the job before reading its rows. */
struct sample_info {
	int			 sampling;
	enum job_status		 status;
	enum sampling_table	 table;
};

static int
sample_info_of(void *arg, const struct job_run *j)
{
	struct sample_info	*si = arg;
	struct json_object	*c = json_tokener_parse(j->config ? j->config : ""), *v;

	si->sampling = j->type != NULL && strcmp(j->type, "sampling") == 0;
	si->status = j->status;
	si->table = SAMPLING_TABLE_PRIMARY;
	if (c != NULL && json_object_object_get_ex(c, "table_key", &v))
		(void)sampling_table_parse(json_object_get_string(v), &si->table);
	json_object_put(c);
	return 0;
}

/* The query of GET /api/sampling/jobs/{id}/data. */
struct data_ask {
	enum export_format	 format;
	struct result_cols	 cols;
	struct rows_window	 win;
	enum sampling_table	 table;
};

/* The columns a table shows when the client names none. */
static void
table_cols(enum sampling_table t, struct result_cols *c)
{
	if (t == SAMPLING_TABLE_PRIMARY) {
		result_cols_all(c);
		return;
	}
	c->col[0] = RESULT_URL;
	c->col[1] = t == SAMPLING_TABLE_LINKS ? RESULT_LINKS_COUNT : RESULT_IMAGES_COUNT;
	c->n = 2;
}

static enum sq_err
data_ask_parse(struct req *r, const struct sample_info *si, struct data_ask *a,
    struct sq_error *e)
{
	const char	*format, *columns, *table;
	enum sq_err	 rc;

	memset(a, 0, sizeof(*a));
	if ((rc = req_query(r, e)) != SQ_OK)
		return as_422(e, rc);
	format = query_get(&r->query, "format");
	columns = query_get(&r->query, "columns");
	table = query_get(&r->query, "table_key");
	if ((rc = export_format_parse(format, &a->format, e)) != SQ_OK)
		return as_422(e, rc);
	a->table = si->table;
	if (table != NULL && sampling_table_parse(table, &a->table) == -1)
		return sq_fail(e, SQ_ERR_INVALID, "Invalid table_key: must be primary, links or images");
	if (a->table != si->table)
		return sq_fail(e, SQ_ERR_INVALID, "Invalid table_key: this job sampled the %s table",
		    sampling_table_name(si->table));
	if (columns != NULL && (rc = result_cols_parse(columns, &a->cols, e)) != SQ_OK)
		return as_422(e, rc);
	if (columns == NULL)
		table_cols(a->table, &a->cols);
	return as_422(e, export_window_parse(&r->query, a->format, &a->win, e));
}

/* The sample's envelope before its rows: {job_id, table_key, columns, rows: [ */
static void
data_json_begin(struct jsonw *w, const char *ids, const struct data_ask *a)
{
	size_t i;

	jsonw_object(w, NULL);
	jsonw_str(w, "job_id", ids);
	jsonw_str(w, "table_key", sampling_table_name(a->table));
	jsonw_array(w, "columns");
	for (i = 0; i < a->cols.n; i++)
		jsonw_str(w, NULL, result_col_name(a->cols.col[i]));
	jsonw_end(w);
	jsonw_array(w, "rows");
}

/* ... ], total, offset, limit} */
static void
data_json_end(struct jsonw *w, const struct data_ask *a, long long total)
{
	jsonw_end(w);
	jsonw_int(w, "total", total);
	jsonw_int(w, "offset", a->win.offset);
	jsonw_int(w, "limit", a->win.limit);
	jsonw_end(w);
}

/* The rows as CSV (always formula-guarded), or as JSON in the seed's envelope and time spelling. */
static enum sq_err
data_export(struct req *r, const struct uuid *id, const struct data_ask *a, struct sq_error *e)
{
	struct export_opts	 o;
	struct export		 x;
	char			 ids[UUID_STR_LEN + 1], name[UUID_STR_LEN + 12];
	long long		 total = 0;
	enum sq_err		 rc;

	uuid_format(id, ids);
	snprintf(name, sizeof(name), "sample-%s.csv", ids);
	o = (struct export_opts){ a->format, &a->cols, CSV_GUARD_FORMULAS, name, write_time };
	export_begin(&x, r, &o);
	if (a->format == EXPORT_CSV)
		return export_finish(&x, results_read_sample(r->w->db, &r->who, id, &a->win,
		    &a->cols, export_row, &x, NULL, e), e);
	data_json_begin(&x.w, ids, a);
	rc = results_read_sample(r->w->db, &r->who, id, &a->win, &a->cols, export_row, &x,
	    &total, e);
	if (rc == SQ_OK)
		data_json_end(&x.w, a, total);
	return export_finish(&x, rc, e);
}

static enum sq_err
h_sampling_data(struct req *r, struct sq_error *e)
{
	struct sample_info	 si;
	struct data_ask		 a;
	struct uuid		 id;
	enum sq_err		 rc;

	memset(&si, 0, sizeof(si));
	if ((rc = path_job(r, &id, e)) != SQ_OK ||
	    (rc = job_run_get(r->w->db, &r->who, &id, sample_info_of, &si, e)) != SQ_OK)
		return rc;
	if (!si.sampling)
		return sq_fail(e, SQ_ERR_NOT_FOUND, "Sampling job not found");
	if (si.status != JOB_COMPLETED)
		return sq_fail(e, SQ_ERR_INVALID, "Sampling job is %s: its data is there once it "
		    "completes", job_status_name(si.status));
	if ((rc = data_ask_parse(r, &si, &a, e)) != SQ_OK)
		return rc;
	return data_export(r, &id, &a, e);
}

const struct route dialect_datasets_routes[] = {
	{ "GET", "/api/jobs", h_job_list, 1 },
	{ "GET", "/api/jobs/{}", h_job_get, 1 },
	{ "POST", "/api/sampling/datasets/{}/jobs", h_sampling_create, 1 },
	{ "GET", "/api/sampling/jobs/{}/data", h_sampling_data, 1 },
	{ NULL, NULL, NULL, 0 },
};
