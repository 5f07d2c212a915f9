/* dialect_v1.h: what the canonical API's files share: v1's readers, and the schedule routes' handlers. */
#ifndef SCRAPEQ_DIALECT_V1_H
#define SCRAPEQ_DIALECT_V1_H

#include <stddef.h>
#include "request.h"
#include "scrapeq/uuid.h"

struct json_object;
struct jsonw;
struct page;

/* key: an id as v1 shows it, prefix_<hex> (id_format). */
void	v1_write_id(struct jsonw *, const char *key, const char *prefix, const struct uuid *);
/* key: a DATETIME(6) text as v1 shows it (UTC, RFC 3339); unset: null if always, else left out. */
void	v1_write_time(struct jsonw *, const char *key, const char *db, int always);

/*
 * Seed 000's list envelope: v1_page_begin opens {"items": [ in w, the caller writes
 * the items, v1_page_end closes the array, adds total, page, per_page and pages,
 * replies 200 with the document and frees w's buffer.
 */
void	v1_page_begin(struct jsonw *);
void	v1_page_end(struct req *, struct jsonw *, long long total, const struct page *);

/*
 * Reads a body's "target_ids" (an array of target id strings, at most
 * SQ_TARGET_IDS_MAX) into *ids, which the caller frees; *ids NULL when absent or
 * null. SQ_ERR_BAD_REQUEST for an element that is not a string, SQ_ERR_INVALID for
 * too many or one that is not a target id ("Unknown target id: ...").
 */
enum sq_err v1_read_target_ids(struct json_object *b, struct uuid **ids, size_t *n,
	    struct sq_error *e);

/* /api/v1/projects/{p}/schedules[/{id}] (dialect_v1_schedule.c). */
enum sq_err v1_schedule_create(struct req *, struct sq_error *);
enum sq_err v1_schedule_list(struct req *, struct sq_error *);
enum sq_err v1_schedule_get(struct req *, struct sq_error *);
enum sq_err v1_schedule_patch(struct req *, struct sq_error *);
enum sq_err v1_schedule_delete(struct req *, struct sq_error *);

#endif
