/* webhook.h: a project's webhooks as the API manages them, and their deliveries as it shows them. */
#ifndef SCRAPEQ_WEBHOOK_H
#define SCRAPEQ_WEBHOOK_H

#include <stddef.h>
#include "auth.h"
#include "db.h"
#include "err.h"
#include "limits.h"
#include "pagination.h"
#include "uuid.h"
#include "webhook_event.h"

#define ID_PREFIX_WEBHOOK "wh_"      /* a webhook's public id: "wh_" + 32 hex */

struct webhook {
	struct uuid	 id;
	struct uuid	 project_id;
	char		 url[SQ_URL_MAX + 1];
	unsigned	 events;                 /* bitmask of enum webhook_event */
	int		 has_secret;             /* the secret itself is never read back */
	int		 enabled;
	char		 disabled_at[32];        /* "" unless disabled */
	char		 disabled_reason[513];
	char		 failing_since[32];      /* "" while the last attempt worked */
	char		 created_at[32];
};

/* What a client gives to create one. */
struct webhook_input {
	const char	*url;                    /* required */
	const char	*const *events;          /* NULL: WEBHOOK_EVENTS_DEFAULT */
	size_t		 nevents;
	const char	*secret;                 /* NULL: unsigned deliveries */
};

/*
 * Checks in: url through target_url_normalise (absolute http(s), libcurl's URL API,
 * no user name or password, SQ_URL_MAX), events (1 to SQ_WEBHOOK_EVENTS_MAX names of
 * webhook_event.h; a repeated name counts once), secret (SQ_WEBHOOK_SECRET_MIN to
 * SQ_WEBHOOK_SECRET_MAX printable ASCII characters). Writes the normalised URL
 * (SQ_URL_MAX + 1 bytes) and the events' bitmask. SQ_OK; SQ_ERR_BAD_REQUEST without
 * url; SQ_ERR_INVALID naming the field ("Field 'events[2]' is not an event: ...").
 */
enum sq_err webhook_validate(const struct webhook_input *in, char *url, unsigned *events,
	    struct sq_error *e);

/*
 * Every call checks the caller's membership of project (SQ_ERR_NOT_FOUND without one)
 * and that its role manages the project (admin, owner, a server administrator;
 * SQ_ERR_FORBIDDEN otherwise), reading as well as writing: a webhook's URL is where
 * the project's job data goes.
 *
 * create: validates (before the role: webhook_validate's errors), refuses past
 * SQ_WEBHOOKS_PER_PROJECT_MAX (SQ_ERR_CONFLICT), writes the webhook and its audit row
 * (entity "webhook", action "create", no secret in it) in one transaction under the
 * project's row lock; the webhook is sent the events written after it. delete removes
 * it and its deliveries, with an audit row ("delete"). get and delete: SQ_ERR_NOT_FOUND
 * for an id that is not the project's.
 */
enum sq_err webhook_create(struct db *, const struct principal *, const struct uuid *project,
	    const struct webhook_input *, struct webhook *out, struct sq_error *);
enum sq_err webhook_get(struct db *, const struct principal *, const struct uuid *project,
	    const struct uuid *id, struct webhook *out, struct sq_error *);
/* The project's webhooks, oldest first; *items is the caller's to free(). */
enum sq_err webhook_list(struct db *, const struct principal *, const struct uuid *project,
	    const struct page *, struct webhook **items, size_t *n, long long *total,
	    struct sq_error *);
enum sq_err webhook_delete(struct db *, const struct principal *, const struct uuid *project,
	    const struct uuid *id, struct sq_error *);

enum webhook_state { WEBHOOK_STATE_PENDING, WEBHOOK_STATE_DELIVERED, WEBHOOK_STATE_FAILED };

/* "pending", "delivered", "failed". */
const char *webhook_state_name(enum webhook_state);

/* One delivery as the API shows it (not its body). */
struct webhook_delivery {
	struct uuid		 id;             /* X-Scrapeq-Delivery */
	struct uuid		 job_id;
	long long		 event_id;       /* job_events.id */
	char			 event[SQ_WEBHOOK_EVENT_NAME_MAX + 1];
	enum webhook_state	 state;
	long long		 attempts;
	int			 last_status_code;   /* 0: no answer */
	char			 last_error[SQ_WEBHOOK_ERROR_MAX + 1];
	char			 next_attempt_at[32]; /* "" unless pending */
	char			 last_attempt_at[32];
	char			 delivered_at[32];
	char			 created_at[32];
};

/*
 * A webhook's deliveries, newest event first, a page at a time; *items is the caller's
 * to free(). The same checks as webhook_get.
 */
enum sq_err webhook_deliveries(struct db *, const struct principal *,
	    const struct uuid *project, const struct uuid *id, const struct page *,
	    struct webhook_delivery **items, size_t *n, long long *total, struct sq_error *);

#endif
