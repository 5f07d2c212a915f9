/* webhook_queue.c: webhook deliveries in MariaDB: the fan-out from the job_events outbox, claims (SKIP LOCKED), attempts recorded. */
#include <stdlib.h>
#include <string.h>

#include "scrapeq/buf.h"
#include "scrapeq/job_domain.h"
#include "scrapeq/log.h"
#include "scrapeq/text.h"
#include "scrapeq/webhook_event.h"
#include "scrapeq/webhook_queue.h"

/* The columns of a batch of job_events, as fanout_locked selects them. */
enum { EV_ID, EV_JOB, EV_PROJECT, EV_TYPE, EV_DATA, EV_CREATED, EV_AGE_US };

/* The enabled webhooks of the batch's projects (columns, as fanout_lookups selects them). */
enum { WH_ID, WH_PROJECT, WH_EVENTS, WH_SINCE };

/* The batch's jobs: their first target's URL and their stats (likewise). */
enum { JB_ID, JB_URL, JB_STATS };

/* Delivery rows are written by one INSERT per this many bytes of them. */
#define FANOUT_INSERT_BYTES (1024 * 1024)

/* One fan-out transaction's state. */
struct fanout {
	struct db_res	 ev, hooks, jobs;
	size_t		 upto;            /* rows of ev taken (before the first gap still waited for) */
	const char	**prev;           /* per ev row: the job's status before it, when seen */
	struct buf	 rows;            /* deliveries to insert, a JSON array being written */
	size_t		 nrows;
	size_t		 made;
};

/* Rows of ev up to the first id gap younger than SQ_WEBHOOK_GAP_WAIT_MS. */
static size_t
fanout_upto(const struct db_res *ev, unsigned long long cursor)
{
	unsigned long long	 want = cursor + 1, id;
	size_t			 i;

	for (i = 0; i < ev->nrows; i++) {
		id = (unsigned long long)db_int(ev, i, EV_ID);
		if (id != want && db_int(ev, i, EV_AGE_US) < SQ_WEBHOOK_GAP_WAIT_MS * 1000LL)
			break;
		want = id + 1;
	}
	return i;
}

/* Writes column col of the rows [0, upto) of ev that are webhook events, as a JSON array. */
static int
ids_json(const struct db_res *ev, size_t upto, size_t col, struct buf *b)
{
	size_t i;

	buf_puts(b, "[");
	for (i = 0; i < upto; i++) {
		if (webhook_events_of(db_str(ev, i, EV_TYPE)) == 0)
			continue;
		if (b->len > 1)
			buf_puts(b, ",");
		buf_json_str(b, db_str(ev, i, col), strlen(db_str(ev, i, col)));
	}
	buf_puts(b, "]");
	return b->oom ? -1 : 0;
}

/* The enabled webhooks of the taken rows' projects, and those rows' jobs. */
static enum sq_err
fanout_lookups(struct db *db, struct fanout *f)
{
	struct buf	 b;
	enum sq_err	 rc;

	buf_init(&b, 0);
	if (ids_json(&f->ev, f->upto, EV_PROJECT, &b) == -1) {
		rc = SQ_ERR_NOMEM;
		goto out;
	}
	/*
	 * Shared locks: a webhook being deleted is waited for (and then not seen), and one
	 * read here is deleted, deliveries included, only after this commits.
	 */
	rc = db_exec(db, "SELECT w.id, w.project_id, w.events, w.since_event_id FROM webhooks w "
	    "WHERE w.enabled = 1 AND w.project_id IN (SELECT DISTINCT t.id FROM " DB_IDS_TABLE ") "
	    "LOCK IN SHARE MODE", DB_PARAMS(DB_STR(b.data)), &f->hooks);
	if (rc != SQ_OK || f->hooks.nrows == 0)
		goto out;
	buf_reset(&b);
	if (ids_json(&f->ev, f->upto, EV_JOB, &b) == -1) {
		rc = SQ_ERR_NOMEM;
		goto out;
	}
	rc = db_exec(db, "SELECT j.id, jt.url, j.stats FROM jobs j LEFT JOIN job_targets jt "
	    "ON jt.job_id = j.id AND jt.position = 1 "
	    "WHERE j.id IN (SELECT DISTINCT t.id FROM " DB_IDS_TABLE ")",
	    DB_PARAMS(DB_STR(b.data)), &f->jobs);
out:
	buf_free(&b);
	return rc;
}

static size_t
find_row(const struct db_res *r, size_t col, const char *v)
{
	size_t i;

	for (i = 0; i < r->nrows; i++)
		if (db_str(r, i, col) != NULL && strcmp(db_str(r, i, col), v) == 0)
			return i;
	return (size_t)-1;
}

/*
 * The status each row's job had before it, where an earlier row of the batch shows
 * it: for outbox rows that do not carry old_status yet.
 */
static int
fanout_prev(struct fanout *f)
{
	size_t		 i, k;
	const char	*st;

	if (f->upto > 0 && (f->prev = calloc(f->upto, sizeof(*f->prev))) == NULL)
		return -1;
	for (i = 0; i < f->upto; i++) {
		for (k = i; k-- > 0; ) {
			if (strcmp(db_str(&f->ev, k, EV_JOB), db_str(&f->ev, i, EV_JOB)) != 0)
				continue;
			st = db_str(&f->ev, k, EV_TYPE);
			if (strcmp(st, "created") == 0) {
				f->prev[i] = "pending";
				break;
			}
			if ((f->prev[i] = webhook_new_status(st, NULL)) != NULL)
				break;
		}
	}
	return 0;
}

/*
 * Inserts the deliveries gathered in f->rows, in one statement (INSERT IGNORE: a
 * delivery of a (webhook, event, name) is made once).
 */
static enum sq_err
fanout_flush(struct db *db, struct fanout *f)
{
	enum sq_err rc;

	if (f->nrows == 0)
		return SQ_OK;
	if (buf_puts(&f->rows, "]") == -1 || f->rows.oom)
		return SQ_ERR_NOMEM;
	rc = db_exec(db, "INSERT IGNORE INTO webhook_deliveries (id, webhook_id, event_id, event, "
	    "job_id, payload) SELECT t.i, t.w, t.e, t.n, t.j, t.p FROM JSON_TABLE(?, '$[*]' "
	    "COLUMNS (i VARCHAR(36) PATH '$.i', w VARCHAR(36) PATH '$.w', "
	    "e BIGINT UNSIGNED PATH '$.e', n VARCHAR(32) PATH '$.n', j VARCHAR(36) PATH '$.j', "
	    "p LONGTEXT PATH '$.p')) AS t", DB_PARAMS(DB_STRN(f->rows.data, f->rows.len)), NULL);
	if (rc == SQ_OK)
		f->made += db_affected(db);
	buf_reset(&f->rows);
	f->nrows = 0;
	return rc;
}

/* Adds one delivery row to f->rows: {"i","w","e","n","j","p"}. */
static int
fanout_row(struct fanout *f, const char *id, const char *hook, long long event_id,
    const char *name, const char *job, const struct buf *body)
{
	struct buf *b = &f->rows;

	buf_puts(b, f->nrows == 0 ? "[{\"i\":\"" : ",{\"i\":\"");
	buf_puts(b, id);
	buf_puts(b, "\",\"w\":\"");
	buf_puts(b, hook);
	buf_printf(b, "\",\"e\":%lld,\"n\":\"%s\",\"j\":\"", event_id, name);
	buf_puts(b, job);
	buf_puts(b, "\",\"p\":");
	buf_json_str(b, body->data, body->len);
	buf_puts(b, "}");
	f->nrows++;
	return b->oom ? -1 : 0;
}

/* Adds the delivery of row i for event ev to webhook h. */
static enum sq_err
fanout_one(struct db *db, struct fanout *f, size_t i, size_t h, enum webhook_event ev,
    struct buf *body)
{
	struct webhook_body_in	 in;
	struct uuid		 job, id;
	size_t			 j = find_row(&f->jobs, JB_ID, db_str(&f->ev, i, EV_JOB));
	char			 pub[ID_STR_MAX], domain[SQ_URL_MAX + 1], ids[UUID_STR_LEN + 1];
	const char		*js = db_str(&f->ev, i, EV_JOB);

	if (uuid_parse(js, strlen(js), &job) == -1)
		return SQ_OK;
	id_format(ID_PREFIX_JOB, &job, pub, sizeof(pub));
	domain[0] = '\0';
	if (j != (size_t)-1)
		job_domain_of_url(db_str(&f->jobs, j, JB_URL), domain, sizeof(domain));
	in = (struct webhook_body_in){ ev, js, pub, domain[0] ? domain : NULL,
	    db_str(&f->ev, i, EV_TYPE), db_str(&f->ev, i, EV_DATA), f->prev[i],
	    j != (size_t)-1 ? db_str(&f->jobs, j, JB_STATS) : NULL, db_str(&f->ev, i, EV_CREATED) };
	buf_reset(body);
	if (webhook_body(body, &in) == -1) {
		log_warn("webhooks: outbox event %s (%s) has no usable body; not sent",
		    db_str(&f->ev, i, EV_ID), db_str(&f->ev, i, EV_TYPE));
		return SQ_OK;
	}
	uuid_v7(&id);
	uuid_format(&id, ids);
	if (fanout_row(f, ids, db_str(&f->hooks, h, WH_ID), db_int(&f->ev, i, EV_ID),
	    webhook_event_name(ev), js, body) == -1)
		return SQ_ERR_NOMEM;
	return f->rows.len >= FANOUT_INSERT_BYTES ? fanout_flush(db, f) : SQ_OK;
}

/* Every delivery the taken rows make. */
static enum sq_err
fanout_write(struct db *db, struct fanout *f)
{
	struct buf	 body;
	enum sq_err	 rc = SQ_OK;
	unsigned	 match, b;
	size_t		 i, h;

	buf_init(&body, SQ_WEBHOOK_PAYLOAD_MAX + 1);
	for (i = 0; rc == SQ_OK && i < f->upto; i++) {
		unsigned evs = webhook_events_of(db_str(&f->ev, i, EV_TYPE));

		for (h = 0; evs != 0 && rc == SQ_OK && h < f->hooks.nrows; h++) {
			if (strcmp(db_str(&f->hooks, h, WH_PROJECT), db_str(&f->ev, i, EV_PROJECT)) != 0 ||
			    db_int(&f->ev, i, EV_ID) <= db_int(&f->hooks, h, WH_SINCE))
				continue;
			match = evs & (unsigned)db_int(&f->hooks, h, WH_EVENTS);
			for (b = 0; rc == SQ_OK && b < WEBHOOK_EVENT__COUNT; b++)
				if (match & (1u << b))
					rc = fanout_one(db, f, i, h, (enum webhook_event)b, &body);
		}
	}
	buf_free(&body);
	return rc == SQ_OK ? fanout_flush(db, f) : rc;
}

static enum sq_err
fanout_locked(struct db *db, struct fanout *f, unsigned long long cursor, int *more)
{
	struct db_res	 r;
	enum sq_err	 rc;

	if ((rc = db_exec(db, "SELECT COUNT(*) FROM webhooks WHERE enabled = 1", NULL, 0, &r)) != SQ_OK)
		return rc;
	if (db_int(&r, 0, 0) == 0) {
		db_res_free(&r);
		return db_exec(db, "UPDATE webhook_fanout SET last_event_id = GREATEST(last_event_id, "
		    "(SELECT COALESCE(MAX(id), 0) FROM job_events)) WHERE id = 1", NULL, 0, NULL);
	}
	db_res_free(&r);
	rc = db_exec(db, "SELECT e.id, e.job_id, e.project_id, e.type, e.data, e.created_at, "
	    "TIMESTAMPDIFF(MICROSECOND, e.created_at, NOW(6)) FROM job_events e WHERE e.id > ? "
	    "ORDER BY e.id LIMIT ?", DB_PARAMS(DB_INT(cursor), DB_INT(SQ_WEBHOOK_FANOUT_BATCH)),
	    &f->ev);
	if (rc != SQ_OK || (f->upto = fanout_upto(&f->ev, cursor)) == 0)
		return rc;
	if ((rc = fanout_lookups(db, f)) != SQ_OK)
		return rc;
	if (fanout_prev(f) == -1)
		return SQ_ERR_NOMEM;
	if (f->hooks.nrows > 0 && (rc = fanout_write(db, f)) != SQ_OK)
		return rc;
	*more = f->ev.nrows == SQ_WEBHOOK_FANOUT_BATCH && f->upto == f->ev.nrows;
	return db_exec(db, "UPDATE webhook_fanout SET last_event_id = ? WHERE id = 1",
	    DB_PARAMS(DB_INT(db_int(&f->ev, f->upto - 1, EV_ID))), NULL);
}

enum sq_err
webhook_fanout(struct db *db, size_t *made, int *more)
{
	struct fanout	 f;
	struct db_res	 r;
	enum sq_err	 rc;

	*made = 0;
	*more = 0;
	memset(&f, 0, sizeof(f));
	buf_init(&f.rows, 0);
	if ((rc = db_begin(db)) != SQ_OK)
		return rc;
	rc = db_exec(db, "SELECT last_event_id FROM webhook_fanout WHERE id = 1 "
	    "FOR UPDATE SKIP LOCKED", NULL, 0, &r);
	if (rc != SQ_OK || r.nrows == 0) {       /* another daemon fans out now */
		db_res_free(&r);
		db_rollback(db);
		return rc;
	}
	rc = fanout_locked(db, &f, (unsigned long long)db_int(&r, 0, 0), more);
	db_res_free(&r);
	if (rc == SQ_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (rc == SQ_OK)
		*made = f.made;
	else
		*more = 0;
	free(f.prev);
	buf_free(&f.rows);
	db_res_free(&f.ev);
	db_res_free(&f.hooks);
	db_res_free(&f.jobs);
	return rc;
}

static int
claim_from_row(struct webhook_claim *c, const struct db_res *r, size_t row)
{
	const char *s = db_str(r, row, 0);

	memset(c, 0, sizeof(*c));
	if (s == NULL || uuid_parse(s, strlen(s), &c->id) == -1)
		return -1;
	text_copy(c->url, sizeof(c->url), db_str(r, row, 1));
	if ((s = db_str(r, row, 2)) != NULL) {
		c->has_secret = 1;
		text_copy(c->secret, sizeof(c->secret), s);
	}
	return 0;
}

enum sq_err
webhook_claim(struct db *db, const char *daemon, unsigned max, struct webhook_claim *out,
    size_t *n)
{
	struct db_res	 r;
	struct buf	 ids;
	enum sq_err	 rc;
	size_t		 i;

	*n = 0;
	if (max > SQ_WEBHOOK_CLAIM_BATCH)
		max = SQ_WEBHOOK_CLAIM_BATCH;
	if ((rc = db_begin(db)) != SQ_OK)
		return rc;
	rc = db_exec(db, "SELECT w.id, w.url, w.secret FROM webhooks w WHERE w.enabled = 1 "
	    "AND (w.retry_at IS NULL OR w.retry_at <= NOW(6)) "
	    "AND (w.lease_expires_at IS NULL OR w.lease_expires_at < NOW(6)) "
	    "AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id "
	    "AND d.state = 'pending') ORDER BY w.retry_at, w.id LIMIT ? FOR UPDATE SKIP LOCKED",
	    DB_PARAMS(DB_INT(max)), &r);
	if (rc != SQ_OK || r.nrows == 0) {
		db_res_free(&r);
		db_rollback(db);
		return rc;
	}
	buf_init(&ids, 0);
	if (db_res_ids_json(&r, &ids) == -1)
		rc = SQ_ERR_NOMEM;
	else
		rc = db_exec(db, "UPDATE webhooks SET lease_owner = ?, lease_expires_at = NOW(6) + "
		    "INTERVAL ? SECOND WHERE id IN (SELECT t.id FROM " DB_IDS_TABLE ")",
		    DB_PARAMS(DB_STR(daemon), DB_INT(SQ_WEBHOOK_LEASE_SECONDS), DB_STR(ids.data)),
		    NULL);
	buf_free(&ids);
	if (rc == SQ_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	for (i = 0; rc == SQ_OK && i < r.nrows; i++)
		if (claim_from_row(&out[*n], &r, i) == 0)
			(*n)++;
	db_res_free(&r);
	return rc;
}

void
webhook_sends_free(struct webhook_send *s, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		free(s[i].payload);
	free(s);
}

enum sq_err
webhook_pending(struct db *db, const struct uuid *hook, size_t max, struct webhook_send **out,
    size_t *n)
{
	struct webhook_send	*v = NULL;
	struct db_res		 r;
	char			 hs[UUID_STR_LEN + 1];
	const char		*s;
	enum sq_err		 rc;
	size_t			 i;

	*out = NULL;
	*n = 0;
	uuid_format(hook, hs);
	rc = db_exec(db, "SELECT id, event, payload, attempts, "
	    "TIMESTAMPDIFF(MICROSECOND, created_at, NOW(6)) DIV 1000 FROM webhook_deliveries "
	    "WHERE webhook_id = ? AND state = 'pending' ORDER BY event_id, event LIMIT ?",
	    DB_PARAMS(DB_STR(hs), DB_INT(max)), &r);
	if (rc != SQ_OK)
		return rc;
	if (r.nrows > 0 && (v = calloc(r.nrows, sizeof(*v))) == NULL)
		rc = SQ_ERR_NOMEM;
	for (i = 0; rc == SQ_OK && i < r.nrows; i++) {
		s = db_str(&r, i, 0);
		if (s == NULL || uuid_parse(s, strlen(s), &v[i].id) == -1 ||
		    (v[i].payload = strdup(db_str(&r, i, 2) ? db_str(&r, i, 2) : "")) == NULL) {
			rc = SQ_ERR_NOMEM;
			break;
		}
		text_copy(v[i].event, sizeof(v[i].event), db_str(&r, i, 1));
		v[i].attempts = db_int(&r, i, 3);
		v[i].age_ms = db_int(&r, i, 4);
	}
	db_res_free(&r);
	if (rc != SQ_OK) {
		webhook_sends_free(v, i);
		return rc;
	}
	*out = v;
	*n = i;
	return SQ_OK;
}

/* The ok attempts of sent as [{"i": id, "c": status}, ...]. */
static int
delivered_json(const struct webhook_send *sent, const struct webhook_attempt *att, size_t n,
    struct buf *b)
{
	char	 ids[UUID_STR_LEN + 1];
	size_t	 i;

	buf_puts(b, "[");
	for (i = 0; i < n; i++) {
		if (!att[i].ok)
			continue;
		uuid_format(&sent[i].id, ids);
		buf_printf(b, "%s{\"i\":\"%s\",\"c\":%d}", b->len > 1 ? "," : "", ids,
		    att[i].status_code);
	}
	buf_puts(b, "]");
	return b->oom ? -1 : 0;
}

/* The failed attempt's delivery: retried later, or failed when its day is over. Sets *wait_ms (-1: none). */
static enum sq_err
record_failure(struct db *db, const char *daemon, const struct webhook_send *s,
    const struct webhook_attempt *a, unsigned backoff_ms, long long *wait_ms)
{
	char		 ids[UUID_STR_LEN + 1];
	long long	 next;
	int		 give_up;

	give_up = webhook_backoff(backoff_ms, (unsigned)(s->attempts + 1), s->age_ms, &next);
	*wait_ms = give_up ? -1 : next;
	uuid_format(&s->id, ids);
	return db_exec(db, "UPDATE webhook_deliveries SET attempts = attempts + 1, "
	    "last_status_code = ?, last_error = ?, last_attempt_at = NOW(6), last_daemon = ?, "
	    "state = IF(?, 'failed', 'pending'), "
	    "next_attempt_at = NOW(6) + INTERVAL ? MICROSECOND WHERE id = ? AND state = 'pending'",
	    DB_PARAMS(a->status_code > 0 ? DB_INT(a->status_code) : DB_NUL, DB_STR(a->error),
	    DB_STR(daemon), DB_INT(give_up), DB_INT(give_up ? 0 : next * 1000), DB_STR(ids)), NULL);
}

/* A webhook failing for a day is disabled, saying why; its pending deliveries fail. */
static enum sq_err
record_disable(struct db *db, const char *hs, const char *error, int *disabled)
{
	enum sq_err rc;

	rc = db_exec(db, "UPDATE webhooks SET enabled = 0, disabled_at = NOW(6), "
	    "disabled_reason = CONCAT('Failing since ', DATE_FORMAT(failing_since, "
	    "'%Y-%m-%dT%H:%i:%sZ'), ' (more than a day); last error: ', LEFT(?, 255)) "
	    "WHERE id = ? AND enabled = 1 AND failing_since <= NOW(6) - INTERVAL ? SECOND",
	    DB_PARAMS(DB_STR(error), DB_STR(hs), DB_INT(SQ_WEBHOOK_GIVE_UP_SECONDS)), NULL);
	if (rc != SQ_OK || db_affected(db) == 0)
		return rc;
	*disabled = 1;
	return db_exec(db, "UPDATE webhook_deliveries SET state = 'failed', "
	    "last_error = 'webhook disabled after failing for a day' "
	    "WHERE webhook_id = ? AND state = 'pending'", DB_PARAMS(DB_STR(hs)), NULL);
}

static enum sq_err
record_locked(struct db *db, const char *daemon, const char *hs, const struct webhook_send *sent,
    const struct webhook_attempt *att, size_t nsent, unsigned backoff_ms, int *disabled)
{
	struct buf	 b;
	long long	 wait_ms = -1;
	int		 failed = nsent > 0 && !att[nsent - 1].ok;
	size_t		 nok = nsent - (size_t)failed;
	enum sq_err	 rc = SQ_OK;

	buf_init(&b, 0);
	if (nok > 0 && delivered_json(sent, att, nsent, &b) == -1)
		rc = SQ_ERR_NOMEM;
	else if (nok > 0)
		rc = db_exec(db, "UPDATE webhook_deliveries d JOIN JSON_TABLE(?, '$[*]' COLUMNS ("
		    "i VARCHAR(36) PATH '$.i', c INT PATH '$.c')) AS t ON d.id = t.i "
		    "SET d.state = 'delivered', d.attempts = d.attempts + 1, d.last_status_code = t.c, "
		    "d.last_error = NULL, d.last_attempt_at = NOW(6), d.delivered_at = NOW(6), "
		    "d.last_daemon = ? WHERE d.state = 'pending'", DB_PARAMS(DB_STR(b.data),
		    DB_STR(daemon)), NULL);
	buf_free(&b);
	if (rc == SQ_OK && failed)
		rc = record_failure(db, daemon, &sent[nsent - 1], &att[nsent - 1], backoff_ms,
		    &wait_ms);
	if (rc == SQ_OK)
		rc = db_exec(db, "UPDATE webhooks SET lease_owner = NULL, lease_expires_at = NULL, "
		    "retry_at = IF(? >= 0, NOW(6) + INTERVAL ? MICROSECOND, NULL), "
		    "failing_since = IF(?, COALESCE(failing_since, NOW(6)), "
		    "IF(?, NULL, failing_since)) WHERE id = ? AND lease_owner = ?",
		    DB_PARAMS(DB_INT(wait_ms), DB_INT(wait_ms >= 0 ? wait_ms * 1000 : 0),
		    DB_INT(failed), DB_INT(nok > 0), DB_STR(hs), DB_STR(daemon)), NULL);
	if (rc == SQ_OK && failed)
		rc = record_disable(db, hs, att[nsent - 1].error, disabled);
	return rc;
}

enum sq_err
webhook_record(struct db *db, const char *daemon, const struct uuid *hook,
    const struct webhook_send *sent, const struct webhook_attempt *att, size_t nsent,
    unsigned backoff_ms, int *disabled)
{
	struct db_res	 r;
	char		 hs[UUID_STR_LEN + 1];
	enum sq_err	 rc;

	*disabled = 0;
	uuid_format(hook, hs);
	if ((rc = db_begin(db)) != SQ_OK)
		return rc;
	rc = db_exec(db, "SELECT 1 FROM webhooks WHERE id = ? AND lease_owner = ? FOR UPDATE",
	    DB_PARAMS(DB_STR(hs), DB_STR(daemon)), &r);
	if (rc == SQ_OK && r.nrows == 0)
		rc = SQ_ERR_CONFLICT;
	db_res_free(&r);
	if (rc == SQ_OK)
		rc = record_locked(db, daemon, hs, sent, att, nsent, backoff_ms, disabled);
	if (rc == SQ_OK)
		return db_commit(db);
	db_rollback(db);
	return rc;
}

enum sq_err
webhook_prune(struct db *db, unsigned days, unsigned limit, size_t *n)
{
	enum sq_err rc;

	*n = 0;
	rc = db_exec(db, "DELETE FROM webhook_deliveries WHERE state IN ('delivered', 'failed') "
	    "AND created_at < NOW(6) - INTERVAL ? DAY LIMIT ?", DB_PARAMS(DB_INT(days),
	    DB_INT(limit)), NULL);
	if (rc == SQ_OK)
		*n = (size_t)db_affected(db);
	return rc;
}
