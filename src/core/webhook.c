/* webhook.c: a project's webhooks (create, read, delete, with their audit rows) and their deliveries as the API shows them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/audit.h"
#include "scrapeq/buf.h"
#include "scrapeq/jsonw.h"
#include "scrapeq/page_read.h"
#include "scrapeq/project.h"
#include "scrapeq/role.h"
#include "scrapeq/target.h"
#include "scrapeq/text.h"
#include "scrapeq/webhook.h"

#define WEBHOOK_COLS "w.id, w.project_id, w.url, w.events, w.secret IS NOT NULL, w.enabled, " \
	"w.disabled_at, w.disabled_reason, w.failing_since, w.created_at"

static enum sq_err
validate_events(const struct webhook_input *in, unsigned *events, struct sq_error *e)
{
	enum webhook_event	 ev;
	size_t			 i;

	if (in->events == NULL) {
		*events = WEBHOOK_EVENTS_DEFAULT;
		return SQ_OK;
	}
	if (in->nevents == 0 || in->nevents > SQ_WEBHOOK_EVENTS_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "Field 'events' must list 1 to %d events",
		    SQ_WEBHOOK_EVENTS_MAX);
	*events = 0;
	for (i = 0; i < in->nevents; i++) {
		if (webhook_event_parse(in->events[i], &ev) == -1)
			return sq_fail(e, SQ_ERR_INVALID, "Field 'events[%zu]' is not an event: must "
			    "be one of job_status_changed, progress, target_started, "
			    "target_completed, target_failed, completed, failed", i);
		*events |= 1u << ev;
	}
	return SQ_OK;
}

static enum sq_err
validate_secret(const char *s, struct sq_error *e)
{
	size_t i, n;

	if (s == NULL)
		return SQ_OK;
	if ((n = strlen(s)) < SQ_WEBHOOK_SECRET_MIN || n > SQ_WEBHOOK_SECRET_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "Field 'secret' must be %d to %d characters",
		    SQ_WEBHOOK_SECRET_MIN, SQ_WEBHOOK_SECRET_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return sq_fail(e, SQ_ERR_INVALID, "Field 'secret' must be printable ASCII "
			    "without spaces");
	return SQ_OK;
}

enum sq_err
webhook_validate(const struct webhook_input *in, char *url, unsigned *events,
    struct sq_error *e)
{
	enum sq_err rc;

	if (in->url == NULL)
		return sq_fail(e, SQ_ERR_BAD_REQUEST, "Field 'url' is required");
	if ((rc = target_url_normalise(in->url, url, e)) != SQ_OK ||
	    (rc = validate_events(in, events, e)) != SQ_OK)
		return rc;
	return validate_secret(in->secret, e);
}

const char *
webhook_state_name(enum webhook_state s)
{
	static const char *const n[] = { "pending", "delivered", "failed" };

	return (unsigned)s < 3 ? n[s] : "";
}

static int
webhook_from_row(struct webhook *w, const struct db_res *r, size_t row)
{
	const char *s;

	memset(w, 0, sizeof(*w));
	if ((s = db_str(r, row, 0)) == NULL || uuid_parse(s, strlen(s), &w->id) == -1 ||
	    (s = db_str(r, row, 1)) == NULL || uuid_parse(s, strlen(s), &w->project_id) == -1)
		return -1;
	text_copy(w->url, sizeof(w->url), db_str(r, row, 2));
	w->events = (unsigned)db_int(r, row, 3) & WEBHOOK_EVENTS_ALL;
	w->has_secret = db_int(r, row, 4) != 0;
	w->enabled = db_int(r, row, 5) != 0;
	text_copy(w->disabled_at, sizeof(w->disabled_at), db_str(r, row, 6));
	text_copy(w->disabled_reason, sizeof(w->disabled_reason), db_str(r, row, 7));
	text_copy(w->failing_since, sizeof(w->failing_since), db_str(r, row, 8));
	text_copy(w->created_at, sizeof(w->created_at), db_str(r, row, 9));
	return 0;
}

/*
 * who's role in the project, which must manage it; with lock, the project's row is
 * locked (FOR UPDATE) for the rest of the caller's transaction.
 */
static enum sq_err
manage_access(struct db *db, const struct principal *who, const char *pids, int lock,
    const char *what, struct sq_error *e)
{
	struct db_res	 r;
	enum role	 role = ROLE_NONE;
	enum sq_err	 rc;

	rc = db_exec(db, lock ? "SELECT m.role FROM projects p JOIN memberships m "
	    "ON m.project_id = p.id AND m.user_id = ? WHERE p.id = ? FOR UPDATE" :
	    "SELECT m.role FROM projects p JOIN memberships m "
	    "ON m.project_id = p.id AND m.user_id = ? WHERE p.id = ?",
	    DB_PARAMS(DB_INT(who->user_id), DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0 || role_parse(db_str(&r, 0, 0), &role) == -1)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Project not found");
	db_res_free(&r);
	return rc != SQ_OK ? rc : role_require(who, role, ROLE_MANAGE, what, e);
}

static enum sq_err
load(struct db *db, const char *pids, const char *wids, struct webhook *out, struct sq_error *e)
{
	struct db_res	 r;
	enum sq_err	 rc;

	rc = db_exec(db, "SELECT " WEBHOOK_COLS " FROM webhooks w WHERE w.id = ? AND "
	    "w.project_id = ?", DB_PARAMS(DB_STR(wids), DB_STR(pids)), &r);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if (r.nrows == 0)
		rc = sq_fail(e, SQ_ERR_NOT_FOUND, "Webhook not found");
	else if (webhook_from_row(out, &r, 0) == -1)
		rc = sq_fail(e, SQ_ERR_INTERNAL, NULL);
	db_res_free(&r);
	return rc;
}

/* The audit row's view of a webhook: what it is, never its secret. */
static char *
audit_json(const char *url, unsigned events, int has_secret)
{
	struct buf	 b;
	struct jsonw	 w;
	unsigned	 i;

	buf_init(&b, 0);
	jsonw_init(&w, &b);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "url", url);
	jsonw_array(&w, "events");
	for (i = 0; i < WEBHOOK_EVENT__COUNT; i++)
		if (events & (1u << i))
			jsonw_str(&w, NULL, webhook_event_name((enum webhook_event)i));
	jsonw_end(&w);
	jsonw_bool(&w, "secret_set", has_secret);
	jsonw_end(&w);
	if (jsonw_failed(&w)) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

static enum sq_err
create_locked(struct db *db, const struct principal *who, const char *pids, const char *wids,
    const char *url, unsigned events, const char *secret, struct sq_error *e)
{
	struct db_res	 r;
	char		*after;
	enum sq_err	 rc;
	long long	 n;

	if ((rc = db_exec(db, "SELECT COUNT(*) FROM webhooks WHERE project_id = ?",
	    DB_PARAMS(DB_STR(pids)), &r)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	n = db_int(&r, 0, 0);
	db_res_free(&r);
	if (n >= SQ_WEBHOOKS_PER_PROJECT_MAX)
		return sq_fail(e, SQ_ERR_CONFLICT, "A project may have at most %d webhooks",
		    SQ_WEBHOOKS_PER_PROJECT_MAX);
	/* Events from the outbox's end on: none written before the webhook existed. */
	rc = db_exec(db, "INSERT INTO webhooks (id, project_id, url, events, secret, "
	    "since_event_id, created_by) SELECT ?, ?, ?, ?, ?, COALESCE(MAX(id), 0), ? "
	    "FROM job_events", DB_PARAMS(DB_STR(wids), DB_STR(pids), DB_STR(url), DB_INT(events),
	    DB_STR(secret), who->user_id > 0 ? DB_INT(who->user_id) : DB_NUL), NULL);
	if (rc != SQ_OK)
		return sq_fail(e, rc, NULL);
	if ((after = audit_json(url, events, secret != NULL)) == NULL)
		return sq_fail(e, SQ_ERR_NOMEM, NULL);
	rc = audit_write(db, who, pids, "webhook", wids, "create", NULL, after);
	free(after);
	return rc != SQ_OK ? sq_fail(e, rc, NULL) : SQ_OK;
}

enum sq_err
webhook_create(struct db *db, const struct principal *who, const struct uuid *project,
    const struct webhook_input *in, struct webhook *out, struct sq_error *e)
{
	char		 url[SQ_URL_MAX + 1], pids[UUID_STR_LEN + 1], wids[UUID_STR_LEN + 1];
	unsigned	 events;
	struct uuid	 id;
	enum sq_err	 rc;

	uuid_format(project, pids);
	if ((rc = manage_access(db, who, pids, 0, "manage webhooks", e)) != SQ_OK ||
	    (rc = webhook_validate(in, url, &events, e)) != SQ_OK)
		return rc;
	uuid_v7(&id);
	uuid_format(&id, wids);
	if ((rc = db_begin(db)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	/* Under the project's lock: the count and the insert see the same webhooks. */
	if ((rc = manage_access(db, who, pids, 1, "manage webhooks", e)) == SQ_OK &&
	    (rc = create_locked(db, who, pids, wids, url, events, in->secret, e)) == SQ_OK &&
	    (rc = db_commit(db)) != SQ_OK)
		rc = sq_fail(e, rc, NULL);
	if (rc != SQ_OK) {
		db_rollback(db);
		return rc;
	}
	return load(db, pids, wids, out, e);
}

enum sq_err
webhook_get(struct db *db, const struct principal *who, const struct uuid *project,
    const struct uuid *id, struct webhook *out, struct sq_error *e)
{
	char		 pids[UUID_STR_LEN + 1], wids[UUID_STR_LEN + 1];
	enum sq_err	 rc;

	uuid_format(project, pids);
	uuid_format(id, wids);
	if ((rc = manage_access(db, who, pids, 0, "read webhooks", e)) != SQ_OK)
		return rc;
	return load(db, pids, wids, out, e);
}

static int
webhook_row(void *item, const struct db_res *r, size_t row)
{
	return webhook_from_row(item, r, row);
}

static const struct page_read webhook_page = {
	"SELECT COUNT(*) FROM webhooks WHERE project_id = ?",
	"SELECT " WEBHOOK_COLS " FROM webhooks w WHERE w.project_id = ? "
	"ORDER BY w.id LIMIT ? OFFSET ?",
	sizeof(struct webhook), webhook_row, NULL
};

enum sq_err
webhook_list(struct db *db, const struct principal *who, const struct uuid *project,
    const struct page *pg, struct webhook **items, size_t *n, long long *total,
    struct sq_error *e)
{
	char		 pids[UUID_STR_LEN + 1];
	void		*v;
	enum sq_err	 rc;

	*items = NULL;
	*n = 0;
	uuid_format(project, pids);
	if ((rc = manage_access(db, who, pids, 0, "read webhooks", e)) != SQ_OK)
		return rc;
	rc = page_read(db, &webhook_page, pids, pg, &v, n, total, e);
	*items = v;
	return rc;
}

enum sq_err
webhook_delete(struct db *db, const struct principal *who, const struct uuid *project,
    const struct uuid *id, struct sq_error *e)
{
	char		 pids[UUID_STR_LEN + 1], wids[UUID_STR_LEN + 1], *before = NULL;
	struct webhook	 w;
	enum sq_err	 rc;

	uuid_format(project, pids);
	uuid_format(id, wids);
	if ((rc = db_begin(db)) != SQ_OK)
		return sq_fail(e, rc, NULL);
	if ((rc = manage_access(db, who, pids, 1, "delete webhooks", e)) != SQ_OK ||
	    (rc = load(db, pids, wids, &w, e)) != SQ_OK)
		goto fail;
	if ((before = audit_json(w.url, w.events, w.has_secret)) == NULL) {
		rc = sq_fail(e, SQ_ERR_NOMEM, NULL);
		goto fail;
	}
	/*
	 * The webhook first: its row lock waits for a fan-out that read it (webhook_queue.c
	 * reads webhooks LOCK IN SHARE MODE), so the deliveries deleted next include the
	 * ones that fan-out wrote.
	 */
	if ((rc = db_exec(db, "DELETE FROM webhooks WHERE id = ? AND project_id = ?",
	    DB_PARAMS(DB_STR(wids), DB_STR(pids)), NULL)) != SQ_OK ||
	    (rc = db_exec(db, "DELETE FROM webhook_deliveries WHERE webhook_id = ?",
	    DB_PARAMS(DB_STR(wids)), NULL)) != SQ_OK ||
	    (rc = audit_write(db, who, pids, "webhook", wids, "delete", before, NULL)) != SQ_OK ||
	    (rc = db_commit(db)) != SQ_OK) {
		rc = sq_fail(e, rc, NULL);
		goto fail;
	}
	free(before);
	return SQ_OK;
fail:
	db_rollback(db);
	free(before);
	return rc;
}

static int
delivery_from_row(struct webhook_delivery *d, const struct db_res *r, size_t row)
{
	static const char *const states[] = { "pending", "delivered", "failed" };
	const char	*s;
	size_t		 i;

	memset(d, 0, sizeof(*d));
	if ((s = db_str(r, row, 0)) == NULL || uuid_parse(s, strlen(s), &d->id) == -1 ||
	    (s = db_str(r, row, 1)) == NULL || uuid_parse(s, strlen(s), &d->job_id) == -1 ||
	    (s = db_str(r, row, 4)) == NULL)
		return -1;
	for (i = 0; i < 3 && strcmp(s, states[i]) != 0; i++)
		;
	if (i == 3)
		return -1;
	d->state = (enum webhook_state)i;
	d->event_id = db_int(r, row, 2);
	text_copy(d->event, sizeof(d->event), db_str(r, row, 3));
	d->attempts = db_int(r, row, 5);
	d->last_status_code = (int)db_int(r, row, 6);
	text_copy(d->last_error, sizeof(d->last_error), db_str(r, row, 7));
	if (d->state == WEBHOOK_STATE_PENDING)
		text_copy(d->next_attempt_at, sizeof(d->next_attempt_at), db_str(r, row, 8));
	text_copy(d->last_attempt_at, sizeof(d->last_attempt_at), db_str(r, row, 9));
	text_copy(d->delivered_at, sizeof(d->delivered_at), db_str(r, row, 10));
	text_copy(d->created_at, sizeof(d->created_at), db_str(r, row, 11));
	return 0;
}

static int
delivery_row(void *item, const struct db_res *r, size_t row)
{
	return delivery_from_row(item, r, row);
}

static const struct page_read delivery_page = {
	"SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?",
	"SELECT id, job_id, event_id, event, state, attempts, last_status_code, "
	"last_error, next_attempt_at, last_attempt_at, delivered_at, created_at "
	"FROM webhook_deliveries WHERE webhook_id = ? ORDER BY event_id DESC, event DESC "
	"LIMIT ? OFFSET ?",
	sizeof(struct webhook_delivery), delivery_row, NULL
};

enum sq_err
webhook_deliveries(struct db *db, const struct principal *who, const struct uuid *project,
    const struct uuid *id, const struct page *pg, struct webhook_delivery **items, size_t *n,
    long long *total, struct sq_error *e)
{
	struct webhook		 w;
	char			 wids[UUID_STR_LEN + 1];
	void			*v;
	enum sq_err		 rc;

	*items = NULL;
	*n = 0;
	if ((rc = webhook_get(db, who, project, id, &w, e)) != SQ_OK)
		return rc;
	uuid_format(id, wids);
	rc = page_read(db, &delivery_page, wids, pg, &v, n, total, e);
	*items = v;
	return rc;
}
