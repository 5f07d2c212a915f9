/* webhook_event.c: a webhook's event names, the outbox rows they match, the body, its signature and the retry schedule. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "scrapeq/jsonw.h"
#include "scrapeq/limits.h"
#include "scrapeq/timefmt.h"
#include "scrapeq/uuid.h"
#include "scrapeq/webhook_event.h"

static const char *const event_names[WEBHOOK_EVENT__COUNT] = {
	[WEBHOOK_STATUS_CHANGED] = "job_status_changed",
	[WEBHOOK_PROGRESS] = "progress",
	[WEBHOOK_TARGET_STARTED] = "target_started",
	[WEBHOOK_TARGET_COMPLETED] = "target_completed",
	[WEBHOOK_TARGET_FAILED] = "target_failed",
	[WEBHOOK_COMPLETED] = "completed",
	[WEBHOOK_FAILED] = "failed",
};

const char *
webhook_event_name(enum webhook_event e)
{
	return (unsigned)e < WEBHOOK_EVENT__COUNT ? event_names[e] : NULL;
}

int
webhook_event_parse(const char *s, enum webhook_event *out)
{
	unsigned i;

	for (i = 0; s != NULL && i < WEBHOOK_EVENT__COUNT; i++)
		if (strcmp(s, event_names[i]) == 0) {
			*out = (enum webhook_event)i;
			return 0;
		}
	return -1;
}

#define BIT(e) (1u << (e))

/*
 * The outbox's row types: the daemon's (queue.c, store.c), the lifecycle's created,
 * and a client's change typed by the status it set (job_update.c). new: the status a
 * row of the type moves to when its data does not say; old: the one it came from.
 */
static const struct row_type {
	const char	*type;
	unsigned	 events;
	const char	*new_status;
	const char	*old_status;
} row_types[] = {
	{ "started", BIT(WEBHOOK_STATUS_CHANGED), "running", "pending" },
	{ "running", BIT(WEBHOOK_STATUS_CHANGED), "running", "pending" },
	{ "requeued", BIT(WEBHOOK_STATUS_CHANGED), "pending", "running" },
	{ "pending", BIT(WEBHOOK_STATUS_CHANGED), "pending", "running" },
	{ "completed", BIT(WEBHOOK_STATUS_CHANGED) | BIT(WEBHOOK_COMPLETED), "completed", "running" },
	{ "failed", BIT(WEBHOOK_STATUS_CHANGED) | BIT(WEBHOOK_FAILED), "failed", "running" },
	{ "cancelled", BIT(WEBHOOK_STATUS_CHANGED), "cancelled", "running" },
	{ "progress", BIT(WEBHOOK_PROGRESS), NULL, NULL },
	{ "target_started", BIT(WEBHOOK_TARGET_STARTED), NULL, NULL },
	{ "target_completed", BIT(WEBHOOK_TARGET_COMPLETED), NULL, NULL },
	{ "target_failed", BIT(WEBHOOK_TARGET_FAILED), NULL, NULL },
};

static const struct row_type *
row_type(const char *type)
{
	size_t i;

	for (i = 0; type != NULL && i < sizeof(row_types) / sizeof(row_types[0]); i++)
		if (strcmp(type, row_types[i].type) == 0)
			return &row_types[i];
	return NULL;
}

unsigned
webhook_events_of(const char *type)
{
	const struct row_type *t = row_type(type);

	return t != NULL ? t->events : 0;
}

static int
is_status(const char *s)
{
	static const char *const st[] = { "pending", "running", "completed", "failed", "cancelled" };
	size_t i;

	for (i = 0; s != NULL && i < sizeof(st) / sizeof(st[0]); i++)
		if (strcmp(s, st[i]) == 0)
			return 1;
	return 0;
}

const char *
webhook_new_status(const char *type, const char *data_status)
{
	const struct row_type *t = row_type(type);

	if (t == NULL || t->new_status == NULL)
		return NULL;
	return is_status(data_status) ? data_status : t->new_status;
}

const char *
webhook_old_status(const char *type, const char *data_old, const char *prev)
{
	const struct row_type *t = row_type(type);

	if (t == NULL || t->old_status == NULL)
		return NULL;
	if (is_status(data_old))
		return data_old;
	return is_status(prev) ? prev : t->old_status;
}

/* The outbox row's data as an object (an owned reference), or NULL when it is not one. */
static struct json_object *
parse_object(const char *text)
{
	struct json_object *o;

	if (text == NULL)
		return json_object_new_object();
	if ((o = json_tokener_parse(text)) == NULL)
		return NULL;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static const char *
member_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Seed 001's timestamp: RFC 3339, always with milliseconds ("2024-01-01T12:30:00.000Z"). */
static int
timestamp(const char *db, char out[TIMEFMT_MAX])
{
	size_t n;

	if (timefmt_rfc3339(db, 1, out) == -1)
		return -1;
	if ((n = strlen(out)) == 20)            /* no fraction in db: ".000" */
		memcpy(out + 19, ".000Z", 6);
	return 0;
}

/* A target UUID in seed 000's data is shown as the v1 id ("tgt_<hex>"). */
static void
write_member(struct jsonw *w, const char *key, struct json_object *v)
{
	struct uuid	 u;
	const char	*s;
	char		 id[ID_STR_MAX];

	if (strcmp(key, "current_target") == 0 && json_object_is_type(v, json_type_string) &&
	    (s = json_object_get_string(v)) != NULL && uuid_parse(s, strlen(s), &u) == 0) {
		id_format(ID_PREFIX_TARGET, &u, id, sizeof(id));
		jsonw_str(w, key, id);
		return;
	}
	jsonw_raw(w, key, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

static void
status_body(struct jsonw *w, const struct webhook_body_in *in, struct json_object *data,
    const char *ts)
{
	jsonw_str(w, "event", "job_status_changed");
	jsonw_str(w, "job_id", in->job_uuid);
	jsonw_str(w, "domain", in->domain);
	jsonw_str(w, "old_status", webhook_old_status(in->type, member_str(data, "old_status"),
	    in->prev_status));
	jsonw_str(w, "new_status", webhook_new_status(in->type, member_str(data, "status")));
	jsonw_raw(w, "stats", in->stats != NULL ? in->stats : "{}");
	jsonw_str(w, "timestamp", ts);
}

static void
message_body(struct jsonw *w, const struct webhook_body_in *in, struct json_object *data,
    const char *ts)
{
	jsonw_str(w, "event", webhook_event_name(in->event));
	jsonw_str(w, "job_id", in->job_public);
	jsonw_object(w, "data");
	jsonw_str(w, "job_id", in->job_public);
	json_object_object_foreach(data, key, v) {
		if (strcmp(key, "job_id") != 0)
			write_member(w, key, v);
	}
	jsonw_end(w);
	jsonw_str(w, "timestamp", ts);
}

int
webhook_body(struct buf *b, const struct webhook_body_in *in)
{
	struct json_object	*data = NULL, *stats = NULL;
	struct jsonw		 w;
	char			 ts[TIMEFMT_MAX];
	size_t			 start = b->len;
	int			 rc = -1;

	if ((unsigned)in->event >= WEBHOOK_EVENT__COUNT || in->job_uuid == NULL ||
	    in->job_public == NULL || timestamp(in->created_at, ts) == -1 ||
	    (data = parse_object(in->data)) == NULL ||
	    (in->stats != NULL && (stats = parse_object(in->stats)) == NULL))
		goto out;
	if (in->event == WEBHOOK_STATUS_CHANGED && webhook_new_status(in->type, NULL) == NULL)
		goto out;
	jsonw_init(&w, b);
	jsonw_object(&w, NULL);
	if (in->event == WEBHOOK_STATUS_CHANGED)
		status_body(&w, in, data, ts);
	else
		message_body(&w, in, data, ts);
	jsonw_end(&w);
	if (!jsonw_failed(&w) && b->len - start <= SQ_WEBHOOK_PAYLOAD_MAX)
		rc = 0;
out:
	json_object_put(data);
	json_object_put(stats);
	return rc;
}

int
webhook_sign(const char *secret, long long t, const char *body, size_t len,
    char out[WEBHOOK_SIGNATURE_MAX])
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 mac[crypto_auth_hmacsha256_BYTES];
	char				 ts[24], hex[2 * crypto_auth_hmacsha256_BYTES + 1];
	int				 n;

	if (sodium_init() < 0)
		return -1;
	n = snprintf(ts, sizeof(ts), "%lld.", t);
	if (n < 0 || (size_t)n >= sizeof(ts))
		return -1;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	n = snprintf(out, WEBHOOK_SIGNATURE_MAX, "t=%lld,v1=%s", t, hex);
	sodium_memzero(&st, sizeof(st));
	return n < 0 || n >= WEBHOOK_SIGNATURE_MAX ? -1 : 0;
}

int
webhook_backoff(unsigned base_ms, unsigned attempts, long long age_ms, long long *next_ms)
{
	long long	 d = base_ms > 0 ? base_ms : 1;
	unsigned	 i;

	if (age_ms < 0)
		age_ms = 0;
	for (i = 1; i < attempts && d < SQ_WEBHOOK_BACKOFF_MS_MAX; i++)
		d *= 2;
	if (d > SQ_WEBHOOK_BACKOFF_MS_MAX)
		d = SQ_WEBHOOK_BACKOFF_MS_MAX;
	*next_ms = d;
	return age_ms + d >= (long long)SQ_WEBHOOK_GIVE_UP_SECONDS * 1000;
}
