/* store.c: a crawl's writes, batched as JSON documents and inserted through JSON_TABLE. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "scrapeq/buf.h"
#include "scrapeq/job_target_state.h"
#include "scrapeq/lifecycle_lease.h"
#include "scrapeq/log.h"
#include "scrapeq/text.h"
#include "store.h"

#define STORE_GROUPS_MAX 256     /* (job, target) result groups per flush */
#define STORE_JOBS_MAX   256

/* Results of one target of one job, as a JSON array for JSON_TABLE. */
struct group {
	struct uuid	 job;
	struct uuid	 target;
	int		 position;
	struct buf	 rows;
	size_t		 n;
};

struct target_update {
	struct uuid	 job;
	int		 position;
	enum job_status	 status;
	int		 started, finished;
	char		 error[256];
};

struct progress {
	struct uuid	 job;
	long long	 completed;
	int		 has_current;
	struct uuid	 current;
	char		*stats;
	long long	 added;           /* new results found by this flush */
	int		 dirty;
};

struct store {
	struct db		*db;
	const char		*daemon;
	struct group		 groups[STORE_GROUPS_MAX];
	size_t			 ngroups;
	struct buf		 errors, logs, events;
	size_t			 nerrors, nlogs, nevents;
	struct target_update	*tu;
	size_t			 ntu, tucap;
	struct progress		 prog[STORE_JOBS_MAX];
	size_t			 nprog;
};

struct store *
store_new(struct db *db, const char *daemon_id)
{
	struct store *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->db = db;
	s->daemon = daemon_id;
	buf_init(&s->errors, 0);
	buf_init(&s->logs, 0);
	buf_init(&s->events, 0);
	return s;
}

static void
store_clear(struct store *s)
{
	size_t i;

	for (i = 0; i < s->ngroups; i++)
		buf_free(&s->groups[i].rows);
	s->ngroups = 0;
	buf_reset(&s->errors);
	buf_reset(&s->logs);
	buf_reset(&s->events);
	s->nerrors = s->nlogs = s->nevents = 0;
	s->ntu = 0;
	for (i = 0; i < s->nprog; i++)
		free(s->prog[i].stats);
	s->nprog = 0;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	store_clear(s);
	buf_free(&s->errors);
	buf_free(&s->logs);
	buf_free(&s->events);
	free(s->tu);
	free(s);
}

/* Appends "key":"value" (escaped, cut to max bytes on a UTF-8 boundary) when v is set. */
static void
put_str(struct buf *b, const char *key, const char *v, size_t max)
{
	size_t n;

	if (v == NULL)
		return;
	n = strlen(v);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
			n--;
	}
	buf_printf(b, ",\"%s\":", key);
	buf_json_str(b, v, n);
}

static void
put_uuid(struct buf *b, const char *key, const struct uuid *u)
{
	char s[UUID_STR_LEN + 1];

	if (u == NULL)
		return;             /* absent reads as NULL in JSON_TABLE */
	uuid_format(u, s);
	buf_printf(b, ",\"%s\":\"%s\"", key, s);
}

static void
open_item(struct buf *b, size_t n)
{
	buf_puts(b, n == 0 ? "[{\"_\":0" : ",{\"_\":0");
}

static struct group *
group_get(struct store *s, const struct uuid *job, const struct uuid *target, int position)
{
	size_t i;

	for (i = 0; i < s->ngroups; i++)
		if (s->groups[i].position == position &&
		    memcmp(&s->groups[i].job, job, sizeof(*job)) == 0)
			return &s->groups[i];
	if (s->ngroups == STORE_GROUPS_MAX)
		return NULL;
	memset(&s->groups[s->ngroups], 0, sizeof(s->groups[0]));
	s->groups[s->ngroups].job = *job;
	s->groups[s->ngroups].target = *target;
	s->groups[s->ngroups].position = position;
	buf_init(&s->groups[s->ngroups].rows, 0);
	return &s->groups[s->ngroups++];
}

void
store_result(struct store *s, const struct uuid *job, const struct uuid *target, int position,
    const struct store_result *r)
{
	struct group	*g = group_get(s, job, target, position);
	char		 hex[65];

	if (g == NULL) {
		log_warn("store: too many result groups; a result was dropped");
		return;
	}
	sodium_bin2hex(hex, sizeof(hex), r->hash, 32);
	open_item(&g->rows, g->n++);
	put_str(&g->rows, "u", r->url, 4096);
	buf_printf(&g->rows, ",\"h\":\"%s\",\"s\":%ld,\"b\":%lld,\"m\":%ld,\"d\":%d,"
	    "\"l\":%ld,\"i\":%ld,\"p\":%ld", hex, r->status, r->bytes, r->fetch_ms, r->depth,
	    r->links, r->images, r->products);
	put_str(&g->rows, "c", r->content_type, 255);
	put_str(&g->rows, "t", r->title, 1024);
	put_str(&g->rows, "ds", r->description, 2048);
	put_str(&g->rows, "cn", r->canonical, 4096);
	put_str(&g->rows, "x", r->data_json, 1024 * 1024);
	buf_putc(&g->rows, '}');
}

void
store_error(struct store *s, const struct uuid *job, const struct uuid *target, const char *url,
    const char *kind, long status, const char *message)
{
	unsigned char	 h[32];
	char		 hex[65];

	crypto_hash_sha256(h, (const unsigned char *)url, strlen(url));
	sodium_bin2hex(hex, sizeof(hex), h, 32);
	open_item(&s->errors, s->nerrors++);
	put_uuid(&s->errors, "j", job);
	put_uuid(&s->errors, "t", target);
	put_str(&s->errors, "u", url, 4096);
	buf_printf(&s->errors, ",\"h\":\"%s\"", hex);
	put_str(&s->errors, "k", kind, 16);
	if (status > 0)
		buf_printf(&s->errors, ",\"s\":%ld", status);
	put_str(&s->errors, "m", message, 1024);
	buf_putc(&s->errors, '}');
}

void
store_log(struct store *s, const struct uuid *job, const struct uuid *target, const char *level,
    const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);   /* a log line may be cut short */
	va_end(ap);
	open_item(&s->logs, s->nlogs++);
	put_uuid(&s->logs, "j", job);
	put_uuid(&s->logs, "t", target);
	put_str(&s->logs, "l", level, 16);
	put_str(&s->logs, "m", msg, 1024);
	buf_putc(&s->logs, '}');
}

void
store_event(struct store *s, const struct uuid *job, const struct uuid *project, const char *type,
    const char *data_json)
{
	open_item(&s->events, s->nevents++);
	put_uuid(&s->events, "j", job);
	put_uuid(&s->events, "p", project);
	put_str(&s->events, "y", type, 32);
	put_str(&s->events, "x", data_json ? data_json : "{}", 65536);
	buf_putc(&s->events, '}');
}

void
store_target(struct store *s, const struct uuid *job, int position, enum job_status st,
    int started, int finished, const char *error)
{
	struct target_update *t;

	if (s->ntu == s->tucap) {
		size_t	 cap = s->tucap ? s->tucap * 2 : 16;
		void	*p = realloc(s->tu, cap * sizeof(*s->tu));

		if (p == NULL)
			return;
		s->tu = p;
		s->tucap = cap;
	}
	t = &s->tu[s->ntu++];
	t->job = *job;
	t->position = position;
	t->status = st;
	t->started = started;
	t->finished = finished;
	text_copy(t->error, sizeof(t->error), error);
}

static struct progress *
progress_get(struct store *s, const struct uuid *job)
{
	size_t i;

	for (i = 0; i < s->nprog; i++)
		if (memcmp(&s->prog[i].job, job, sizeof(*job)) == 0)
			return &s->prog[i];
	if (s->nprog == STORE_JOBS_MAX)
		return NULL;
	memset(&s->prog[s->nprog], 0, sizeof(s->prog[0]));
	s->prog[s->nprog].job = *job;
	s->prog[s->nprog].completed = -1;
	return &s->prog[s->nprog++];
}

void
store_progress(struct store *s, const struct uuid *job, long long completed,
    const struct uuid *current, const char *stats_json)
{
	struct progress *p = progress_get(s, job);

	if (p == NULL)
		return;
	p->completed = completed;
	p->has_current = current != NULL;
	if (current != NULL)
		p->current = *current;
	if (stats_json != NULL) {
		free(p->stats);
		p->stats = strdup(stats_json);
	}
	p->dirty = 1;
}

size_t
store_pending(const struct store *s)
{
	size_t i, n = s->errors.len + s->logs.len + s->events.len;

	for (i = 0; i < s->ngroups; i++)
		n += s->groups[i].rows.len;
	return n;
}

static const char results_sql[] =
    "INSERT IGNORE INTO results (job_id, target_id, url, url_hash, status_code, content_type, "
    "bytes, fetch_ms, depth, title, description, canonical_url, links_count, images_count, "
    "products_count, data) "
    "SELECT ?, ?, r.u, UNHEX(r.h), r.s, r.c, r.b, r.m, r.d, r.t, r.ds, r.cn, r.l, r.i, r.p, r.x "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (u VARCHAR(4096) PATH '$.u', h CHAR(64) PATH '$.h', "
    "s INT PATH '$.s', c VARCHAR(255) PATH '$.c', b BIGINT PATH '$.b', m INT PATH '$.m', "
    "d INT PATH '$.d', t VARCHAR(1024) PATH '$.t', ds VARCHAR(2048) PATH '$.ds', "
    "cn VARCHAR(4096) PATH '$.cn', l INT PATH '$.l', i INT PATH '$.i', p INT PATH '$.p', "
    "x LONGTEXT PATH '$.x')) AS r";

static const char errors_sql[] =
    "INSERT IGNORE INTO crawl_errors (job_id, target_id, url, url_hash, kind, status_code, "
    "message) SELECT e.j, e.t, e.u, UNHEX(e.h), e.k, e.s, e.m "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (j VARCHAR(36) PATH '$.j', t VARCHAR(36) PATH '$.t', "
    "u VARCHAR(4096) PATH '$.u', h CHAR(64) PATH '$.h', k VARCHAR(16) PATH '$.k', "
    "s INT PATH '$.s', m VARCHAR(1024) PATH '$.m')) AS e";

static const char logs_sql[] =
    "INSERT INTO job_logs (job_id, target_id, level, message) SELECT l.j, l.t, l.l, l.m "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (j VARCHAR(36) PATH '$.j', t VARCHAR(36) PATH '$.t', "
    "l VARCHAR(16) PATH '$.l', m VARCHAR(1024) PATH '$.m')) AS l";

/* Runs one JSON_TABLE insert over an array buffer, closing and reopening it around the call. */
static enum sq_err
insert_array(struct db *db, const char *sql, struct buf *b, size_t n,
    const struct db_param *pre, size_t npre)
{
	struct db_param	 p[3];
	enum sq_err	 rc;
	size_t		 i;

	if (n == 0)
		return SQ_OK;
	if (buf_putc(b, ']') == -1)
		return SQ_ERR_NOMEM;
	for (i = 0; i < npre; i++)
		p[i] = pre[i];
	p[npre] = DB_STRN(b->data, b->len);
	rc = db_exec(db, sql, p, npre + 1, NULL);
	b->data[--b->len] = '\0';        /* kept open for more, or for the retry */
	return rc;
}

static void
add_id(struct buf *b, const struct uuid *u)
{
	char s[UUID_STR_LEN + 1];

	uuid_format(u, s);
	buf_printf(b, "%s\"%s\"", b->len > 1 ? "," : "", s);
}

/*
 * The JSON array of the jobs this flush touches: those with result groups or target
 * updates, and with with_progress those with progress too (a job may appear twice).
 * The caller frees *ids, whatever is returned.
 */
static enum sq_err
touched_ids(const struct store *s, struct buf *ids, int with_progress)
{
	size_t	 i;

	buf_init(ids, 0);
	buf_putc(ids, '[');
	for (i = 0; i < s->ngroups; i++)
		add_id(ids, &s->groups[i].job);
	for (i = 0; i < s->ntu; i++)
		add_id(ids, &s->tu[i].job);
	for (i = 0; with_progress && i < s->nprog; i++)
		add_id(ids, &s->prog[i].job);
	buf_putc(ids, ']');
	return ids->oom ? SQ_ERR_NOMEM : SQ_OK;
}

/*
 * Locks the rows of the jobs this flush touches, in id order, before any of their
 * targets: a client's change (job_update) locks the job's row first and its targets
 * after, so taking them the other way round here deadlocked a cancel against a flush.
 */
static enum sq_err
lock_jobs(struct store *s)
{
	struct db_res	 r;
	struct buf	 ids;
	enum sq_err	 rc;

	if ((rc = touched_ids(s, &ids, 1)) == SQ_OK && ids.len > 2 &&
	    (rc = db_exec(s->db, "SELECT id FROM jobs WHERE id IN (SELECT t.id FROM "
	    DB_IDS_TABLE ") ORDER BY id FOR UPDATE", DB_PARAMS(DB_STR(ids.data)), &r)) == SQ_OK)
		db_res_free(&r);
	buf_free(&ids);
	return rc;
}

/* The target events, through the lifecycle's outbox writer (the array closed around it). */
static enum sq_err
flush_events(struct store *s)
{
	enum sq_err rc;

	if (s->nevents == 0)
		return SQ_OK;
	if (buf_putc(&s->events, ']') == -1)
		return SQ_ERR_NOMEM;
	rc = lifecycle_target_events(s->db, s->events.data, s->events.len);
	s->events.data[--s->events.len] = '\0';
	return rc;
}

static enum sq_err
flush_groups(struct store *s)
{
	char		 js[UUID_STR_LEN + 1], ts[UUID_STR_LEN + 1];
	struct progress	*p;
	enum sq_err	 rc;
	size_t		 i;
	long long	 added;

	for (i = 0; i < s->ngroups; i++) {
		struct group *g = &s->groups[i];
		struct db_param pre[2];

		uuid_format(&g->job, js);
		uuid_format(&g->target, ts);
		pre[0] = DB_STR(js);
		pre[1] = DB_STR(ts);
		if ((rc = insert_array(s->db, results_sql, &g->rows, g->n, pre, 2)) != SQ_OK)
			return rc;
		added = (long long)db_affected(s->db);
		if (added > 0 && (rc = db_exec(s->db, "UPDATE job_targets SET "
		    "results_count = results_count + ? WHERE job_id = ? AND position = ?",
		    DB_PARAMS(DB_INT(added), DB_STR(js), DB_INT(g->position)), NULL)) != SQ_OK)
			return rc;
		if ((p = progress_get(s, &g->job)) != NULL) {
			p->added += added;
			p->dirty = 1;
		}
	}
	return SQ_OK;
}

static enum sq_err
flush_targets(struct store *s)
{
	char		 js[UUID_STR_LEN + 1];
	enum sq_err	 rc;
	size_t		 i;

	for (i = 0; i < s->ntu; i++) {
		struct target_update *t = &s->tu[i];

		uuid_format(&t->job, js);
		rc = db_exec(s->db, "UPDATE job_targets SET status = ?, "
		    "started_at = IF(?, NOW(6), started_at), "
		    "completed_at = IF(?, NOW(6), completed_at), error = COALESCE(?, error) "
		    "WHERE job_id = ? AND position = ?",
		    DB_PARAMS(DB_STR(job_status_name(t->status)), DB_INT(t->started),
		    DB_INT(t->finished), DB_STR(t->error[0] ? t->error : NULL), DB_STR(js),
		    DB_INT(t->position)), NULL);
		if (rc != SQ_OK)
			return rc;
	}
	return SQ_OK;
}

/* The jobs whose job_targets this flush changed get their target_state again. */
static enum sq_err
flush_target_state(struct store *s)
{
	struct buf	 ids;
	enum sq_err	 rc;

	if ((rc = touched_ids(s, &ids, 0)) == SQ_OK && ids.len > 2)
		rc = job_target_state_sync_ids(s->db, ids.data);
	buf_free(&ids);
	return rc;
}

/* The progress of every job touched since the last flush, in one lifecycle call. */
static enum sq_err
flush_progress(struct store *s)
{
	struct lifecycle_progress	 lp[STORE_JOBS_MAX];
	char				 js[STORE_JOBS_MAX][UUID_STR_LEN + 1];
	char				 cs[STORE_JOBS_MAX][UUID_STR_LEN + 1];
	size_t				 i, n = 0;

	for (i = 0; i < s->nprog; i++) {
		struct progress *p = &s->prog[i];

		if (!p->dirty)
			continue;
		uuid_format(&p->job, js[n]);
		if (p->has_current)
			uuid_format(&p->current, cs[n]);
		lp[n].job = js[n];
		lp[n].completed = p->completed;
		lp[n].current = p->has_current ? cs[n] : NULL;
		lp[n].added = p->added;
		lp[n].stats = p->stats;
		n++;
	}
	return lifecycle_progress(s->db, s->daemon, lp, n);
}

enum sq_err
store_flush(struct store *s)
{
	enum sq_err	 rc;
	size_t		 i;

	if (s->ngroups == 0 && s->nerrors == 0 && s->nlogs == 0 && s->nevents == 0 &&
	    s->ntu == 0 && s->nprog == 0)
		return SQ_OK;
	if ((rc = db_begin(s->db)) != SQ_OK)
		return rc;
	for (i = 0; i < s->nprog; i++)
		s->prog[i].added = 0;
	/* Events in the order they happened: a target's start before the progress it made. */
	if ((rc = lock_jobs(s)) != SQ_OK ||
	    (rc = flush_groups(s)) != SQ_OK ||
	    (rc = flush_targets(s)) != SQ_OK ||
	    (rc = flush_target_state(s)) != SQ_OK ||
	    (rc = flush_events(s)) != SQ_OK ||
	    (rc = flush_progress(s)) != SQ_OK ||
	    (rc = insert_array(s->db, errors_sql, &s->errors, s->nerrors, NULL, 0)) != SQ_OK ||
	    (rc = insert_array(s->db, logs_sql, &s->logs, s->nlogs, NULL, 0)) != SQ_OK) {
		db_rollback(s->db);
		return rc;
	}
	if ((rc = db_commit(s->db)) != SQ_OK)
		return rc;
	store_clear(s);
	return SQ_OK;
}
