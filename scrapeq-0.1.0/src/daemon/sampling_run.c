/* sampling_run.c: scrapeqd's sampling jobs, each on its own thread: population from results, seeded draw, rows into sample_rows. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "scrapeq/buf.h"

#include "scrapeq/log.h"
#include "scrapeq/sampling.h"
#include "scrapeq/sampling_job.h"
#include "scrapeq/sampling_spec.h"
#include "scrapeq/text.h"
#include "scrapeq/uuid.h"
#include "bgtask.h"
#include "sampling_run.h"

/*
 * The population in id order. ELT(?, ...) picks the stratum column by a bound number
 * (enum result_col + 1; 0 gives NULL), so no SQL text is built from the config.
 */
#define POP_SQL "SELECT r.id, ELT(?, r.url, r.status_code, r.content_type, r.bytes, " \
	"r.fetch_ms, r.depth, r.title, r.description, r.canonical_url, r.links_count, " \
	"r.images_count, r.products_count, NULL, NULL, r.target_id, r.created_at) " \
	"FROM results r WHERE r.job_id = ? AND (? IS NULL OR r.target_id = ?) AND " \
	"(? = 0 OR (? = 1 AND r.links_count > 0) OR (? = 2 AND r.images_count > 0)) " \
	"ORDER BY r.id"

struct pop {
	unsigned long long	*id;
	unsigned char		*stratum;          /* index into names */
	size_t			 n, cap;
	char			*names[SAMPLING_STRATA_MAX];
	size_t			 nstrata;
	int			 too_big, too_many, nomem, stopped;
	const atomic_int	*stop;             /* set by the daemon: give up */
};

static void
pop_free(struct pop *p)
{
	size_t i;

	free(p->id);
	free(p->stratum);
	for (i = 0; i < p->nstrata; i++)
		free(p->names[i]);
	memset(p, 0, sizeof(*p));
}

static int
stratum_of(struct pop *p, const char *v)
{
	size_t i;

	v = v ? v : "";
	for (i = 0; i < p->nstrata; i++)
		if (strcmp(p->names[i], v) == 0)
			return (int)i;
	if (p->nstrata == SAMPLING_STRATA_MAX) {
		p->too_many = 1;
		return -1;
	}
	if ((p->names[p->nstrata] = strdup(v)) == NULL) {
		p->nomem = 1;
		return -1;
	}
	return (int)p->nstrata++;
}

static int
pop_row(void *arg, const struct db_res *r)
{
	struct pop	*p = arg;
	void		*a, *b;
	int		 s;

	if (p->n == SAMPLING_POPULATION_MAX) {
		p->too_big = 1;
		return 1;
	}
	if ((p->n & 1023) == 0 && atomic_load(p->stop)) {
		p->stopped = 1;
		return 1;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 1024;
		a = realloc(p->id, p->cap * sizeof(*p->id));
		b = a ? realloc(p->stratum, p->cap) : NULL;
		if (a != NULL)
			p->id = a;
		if (b == NULL) {
			p->nomem = 1;
			return 1;
		}
		p->stratum = b;
	}
	if ((s = stratum_of(p, db_str(r, 0, 1))) == -1)
		return 1;
	p->id[p->n] = (unsigned long long)db_int(r, 0, 0);
	p->stratum[p->n++] = (unsigned char)s;
	return 0;
}

/* What a job's config says to draw from. */
struct source {
	char			 job[UUID_STR_LEN + 1];
	char			 target[UUID_STR_LEN + 1];   /* "" for every target */
	enum sampling_table	 table;
	struct sampling_round	 rounds[SAMPLING_ROUNDS_MAX];
	size_t			 nrounds;
};

static const char *
cfg_str(struct json_object *c, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(c, key, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static int
source_parse(const char *config, struct source *s, char *msg, size_t msgsz)
{
	struct json_object	*c = json_tokener_parse(config ? config : ""), *r = NULL;
	struct sq_error		 e;
	struct uuid		 u;
	const char		*v;
	int			 rc = -1;

	memset(s, 0, sizeof(*s));
	snprintf(msg, msgsz, "sampling config is not valid");
	if (c == NULL || (v = cfg_str(c, "source_job_id")) == NULL ||
	    id_parse(ID_PREFIX_JOB, v, &u) == -1)
		goto out;
	uuid_format(&u, s->job);
	if ((v = cfg_str(c, "source_target_id")) != NULL) {
		if (id_parse(ID_PREFIX_TARGET, v, &u) == -1)
			goto out;
		uuid_format(&u, s->target);
	}
	if (sampling_table_parse(cfg_str(c, "table_key"), &s->table) == -1)
		goto out;
	json_object_object_get_ex(c, "rounds", &r);
	if (sampling_rounds_parse(r, s->rounds, &s->nrounds, &e) != SQ_OK) {
		snprintf(msg, msgsz, "sampling config: %s", e.message);
		goto out;
	}
	rc = 0;
out:
	json_object_put(c);
	return rc;
}

static enum sq_err
pop_load(struct db *db, const struct source *s, const struct sampling_round *r, struct pop *p,
    const atomic_int *stop)
{
	const char	*t = s->target[0] ? s->target : NULL;
	long long	 col = r->has_column ? (long long)r->column + 1 : 0;

	memset(p, 0, sizeof(*p));
	p->stop = stop;
	return db_exec_each(db, POP_SQL, DB_PARAMS(DB_INT(col), DB_STR(s->job), DB_STR(t),
	    DB_STR(t), DB_INT(s->table), DB_INT(s->table), DB_INT(s->table)), pop_row, p);
}

/* Stratified: each stratum's share drawn with its own subseed, marked in ch. */
static int
draw_stratified(const struct pop *p, const struct sampling_round *r, unsigned char *ch)
{
	size_t	 sizes[SAMPLING_STRATA_MAX] = { 0 }, alloc[SAMPLING_STRATA_MAX];
	size_t	 off[SAMPLING_STRATA_MAX], fill[SAMPLING_STRATA_MAX], *order, *pos, i, j, got;

	for (i = 0; i < p->n; i++)
		sizes[p->stratum[i]]++;
	if (r->per_stratum != -1)
		sampling_allocate_each(sizes, p->nstrata, (size_t)r->per_stratum, alloc);
	else
		sampling_allocate(sizes, p->nstrata, (size_t)r->sample_size, alloc);
	if ((order = calloc(p->n + 1, sizeof(*order))) == NULL ||
	    (pos = calloc(p->n + 1, sizeof(*pos))) == NULL) {
		free(order);
		return -1;
	}
	for (i = 0, j = 0; i < p->nstrata; j += sizes[i], i++)
		off[i] = fill[i] = j;
	for (i = 0; i < p->n; i++)              /* grouped by stratum, id order kept */
		order[fill[p->stratum[i]]++] = i;
	for (i = 0; i < p->nstrata; i++) {
		got = sampling_random(sampling_subseed(r->seed, i), sizes[i], alloc[i], pos);
		for (j = 0; j < got; j++)
			ch[order[off[i] + pos[j]]] = 1;
	}
	free(order);
	free(pos);
	return 0;
}

/* Marks the rows round r draws from p in ch; fills the round's summary. */
static int
draw_round(const struct pop *p, const struct sampling_round *r, unsigned char *ch,
    struct json_object *sum)
{
	struct sampling_rng	 g;
	size_t			*pos, got = 0, i, iv, st, max = 0;

	if (r->method == SAMPLING_STRATIFIED) {
		json_object_object_add(sum, "strata", json_object_new_int64((int64_t)p->nstrata));
		return draw_stratified(p, r, ch);
	}
	if ((pos = calloc(p->n + 1, sizeof(*pos))) == NULL)
		return -1;
	if (r->method == SAMPLING_RANDOM)
		got = sampling_random(r->seed, p->n, (size_t)r->sample_size, pos);
	else {
		sampling_rng_init(&g, r->seed);
		iv = r->interval != -1 ? (size_t)r->interval : sampling_interval(p->n,
		    (size_t)r->sample_size);
		st = r->start != -1 ? (size_t)r->start : (size_t)sampling_rng_below(&g, iv);
		if (r->interval == -1)
			max = (size_t)r->sample_size;
		got = sampling_systematic(p->n, st, iv, max, pos);
		if (got == (size_t)-1)
			got = 0;
		json_object_object_add(sum, "interval", json_object_new_int64((int64_t)iv));
		json_object_object_add(sum, "start", json_object_new_int64((int64_t)st));
	}
	for (i = 0; i < got; i++)
		ch[pos[i]] = 1;
	free(pos);
	return 0;
}

#define WRITE_BATCH 1000     /* sample rows per INSERT */

/* Inserts the ids in b (a JSON array) as rows first + 1 ... of round. */
static enum sq_err
write_batch(struct db *db, const char *jids, long long round, long long first, struct buf *b)
{
	enum sq_err rc;

	buf_putc(b, ']');
	if (b->oom)
		return SQ_ERR_NOMEM;
	rc = db_exec(db, "INSERT INTO sample_rows (job_id, round, ordinal, result_id) "
	    "SELECT ?, ?, ? + t.n, t.id FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, "
	    "id BIGINT UNSIGNED PATH '$')) AS t", DB_PARAMS(DB_STR(jids), DB_INT(round),
	    DB_INT(first), DB_STR(b->data)), NULL);
	buf_reset(b);
	buf_putc(b, '[');
	return rc;
}

/*
 * Writes one round's chosen rows (id order, ordinals from 1) in the caller's
 * transaction, WRITE_BATCH to a statement; stops early (SQ_ERR_CONFLICT) when asked.
 */
static enum sq_err
write_round(struct db *db, const char *jids, long long round, const struct pop *p,
    const unsigned char *ch, long long *rows, const atomic_int *stop)
{
	struct buf	 b;
	size_t		 i, inbatch = 0;
	enum sq_err	 rc = SQ_OK;

	*rows = 0;
	buf_init(&b, 0);
	buf_putc(&b, '[');
	for (i = 0; i < p->n && rc == SQ_OK; i++) {
		if (!ch[i])
			continue;
		buf_printf(&b, "%s%llu", inbatch ? "," : "", p->id[i]);
		if (++inbatch == WRITE_BATCH) {
			rc = write_batch(db, jids, round, *rows, &b);
			*rows += (long long)inbatch;
			inbatch = 0;
			if (rc == SQ_OK && atomic_load(stop))
				rc = SQ_ERR_CONFLICT;
		}
	}
	if (rc == SQ_OK && inbatch > 0) {
		rc = write_batch(db, jids, round, *rows, &b);
		*rows += (long long)inbatch;
	}
	buf_free(&b);
	return rc;
}

/* One round: population, draw, rows. *fatal says a retry cannot help. */
static enum sq_err
run_round(struct db *db, const char *jids, const struct source *s,
    const struct sampling_round *r, struct json_object *sums, int *fatal, char *msg,
    size_t msgsz, const atomic_int *stop)
{
	struct json_object	*sum = json_object_new_object();
	struct pop		 p;
	unsigned char		*ch = NULL;
	long long		 rows = 0;
	enum sq_err		 rc;

	json_object_array_add(sums, sum);
	json_object_object_add(sum, "round_number", json_object_new_int64(r->number));
	json_object_object_add(sum, "method", json_object_new_string(sampling_method_name(r->method)));
	json_object_object_add(sum, "seed", json_object_new_int64((int64_t)r->seed));
	rc = pop_load(db, s, r, &p, stop);
	if (rc == SQ_OK && p.stopped)
		rc = SQ_ERR_CONFLICT;
	if (rc == SQ_OK && (p.too_big || p.too_many || p.nomem)) {
		*fatal = !p.nomem;
		snprintf(msg, msgsz, p.too_big ? "round %lld: the dataset has more than %d rows" :
		    p.too_many ? "round %lld: the column has more than %d distinct values" :
		    "round %lld: out of memory", r->number,
		    p.too_big ? SAMPLING_POPULATION_MAX : SAMPLING_STRATA_MAX);
		rc = SQ_ERR_INVALID;
	}
	if (rc == SQ_OK && ((ch = calloc(p.n + 1, 1)) == NULL || draw_round(&p, r, ch, sum) == -1)) {
		snprintf(msg, msgsz, "round %lld: out of memory", r->number);
		rc = SQ_ERR_NOMEM;
	}
	if (rc == SQ_OK)
		rc = write_round(db, jids, r->number, &p, ch, &rows, stop);
	json_object_object_add(sum, "population", json_object_new_int64((int64_t)p.n));
	json_object_object_add(sum, "rows", json_object_new_int64(rows));
	free(ch);
	pop_free(&p);
	return rc;
}

/* Every round in one transaction; a redo after a lost lease starts from no rows. */
static enum sq_err
run_rounds(struct db *db, const char *jids, const struct source *s, struct json_object *sums,
    int *fatal, char *msg, size_t msgsz, const atomic_int *stop)
{
	size_t		 i;
	enum sq_err	 rc;

	if ((rc = db_begin(db)) != SQ_OK)
		return rc;
	rc = db_exec(db, "DELETE FROM sample_rows WHERE job_id = ?", DB_PARAMS(DB_STR(jids)), NULL);
	for (i = 0; i < s->nrounds && rc == SQ_OK; i++)
		rc = run_round(db, jids, s, &s->rounds[i], sums, fatal, msg, msgsz, stop);
	if (rc == SQ_OK && (rc = db_commit(db)) == SQ_OK)
		return SQ_OK;
	db_rollback(db);
	return rc;
}

static long long
total_rows(struct json_object *sums)
{
	struct json_object	*v;
	size_t			 i;
	long long		 n = 0;

	for (i = 0; i < json_object_array_length(sums); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(sums, i), "rows", &v))
			n += json_object_get_int64(v);
	return n;
}

/*
 * Runs j to its end and finishes it in the queue, unless stop was set meanwhile:
 * then nothing of it is kept (the transaction is rolled back) and 1 is returned, the
 * job left for the daemon to release or mark cancelled.
 */
static int
run_job(struct db *db, const char *daemon_id, const struct queue_job *j, const atomic_int *stop)
{
	struct json_object	*sums = json_object_new_array(), *res = NULL, *err = NULL;
	struct source		 s;
	char			 jids[UUID_STR_LEN + 1], msg[300] = "";
	int			 fatal = 1;
	enum queue_outcome	 o = QUEUE_FAILED_FINAL;
	enum sq_err		 rc = SQ_ERR_INVALID;

	uuid_format(&j->id, jids);
	if (source_parse(j->config, &s, msg, sizeof(msg)) == 0 &&
	    (rc = run_rounds(db, jids, &s, sums, &fatal, msg, sizeof(msg), stop)) == SQ_OK) {
		o = QUEUE_COMPLETED;
		res = json_object_new_object();
		json_object_object_add(res, "rows", json_object_new_int64(total_rows(sums)));
		json_object_object_add(res, "rounds", json_object_get(sums));
		snprintf(msg, sizeof(msg), "Sampling completed: %lld rows in %zu rounds",
		    total_rows(sums), s.nrounds);
	} else if (atomic_load(stop)) {
		json_object_put(sums);
		return 1;
	} else {
		if (msg[0] == '\0') {
			snprintf(msg, sizeof(msg), "sampling failed: %s", sq_strerror(rc));
			fatal = 0;
		}
		o = fatal ? QUEUE_FAILED_FINAL : QUEUE_FAILED;
		err = json_object_new_object();
		json_object_object_add(err, "code", json_object_new_string("SAMPLING_FAILED"));
		json_object_object_add(err, "message", json_object_new_string(msg));
		log_warn("sampling job %s: %s", jids, msg);
	}
	(void)queue_finish(db, daemon_id, &j->id, o, NULL,
	    res ? json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN) : NULL,
	    err ? json_object_to_json_string_ext(err, JSON_C_TO_STRING_PLAIN) : NULL, msg, 30);
	json_object_put(res);
	json_object_put(err);
	json_object_put(sums);
	return 0;
}

/* ---- the task: one job on a bgtask (its own thread and connection) ---- */

struct sampling_task {
	struct bgtask		*bg;
	char			 daemon_id[64];
	struct queue_job	 job;              /* config copied; no targets */
	int			 unfinished;       /* stopped before it finished the job */
};

static void
task_run(struct db *db, const atomic_int *stop, void *arg)
{
	struct sampling_task *t = arg;

	t->unfinished = run_job(db, t->daemon_id, &t->job, stop);
}

struct sampling_task *
sampling_start(const struct config *cfg, const char *daemon_id, const struct queue_job *j)
{
	struct sampling_task *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	text_copy(t->daemon_id, sizeof(t->daemon_id), daemon_id);
	t->job = *j;
	t->job.targets = NULL;
	t->job.ntargets = 0;
	t->job.config = j->config ? strdup(j->config) : NULL;
	if ((j->config != NULL && t->job.config == NULL) ||
	    (t->bg = bgtask_start(cfg, task_run, t)) == NULL) {
		free(t->job.config);
		free(t);
		return NULL;
	}
	return t;
}

int
sampling_done(const struct sampling_task *t)
{
	return bgtask_done(t->bg);
}

void
sampling_stop(struct sampling_task *t)
{
	bgtask_stop(t->bg);
}

int
sampling_unfinished(const struct sampling_task *t)
{
	return t->unfinished;
}

const struct uuid *
sampling_job(const struct sampling_task *t)
{
	return &t->job.id;
}

void
sampling_free(struct sampling_task *t)
{
	if (t == NULL)
		return;
	bgtask_free(t->bg);
	free(t->job.config);
	free(t);
}
