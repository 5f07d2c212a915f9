/* sampling_job.h: seed 004's datasets and the creation of sampling jobs over them. */
#ifndef SCRAPEQ_SAMPLING_JOB_H
#define SCRAPEQ_SAMPLING_JOB_H

#include <json-c/json.h>
#include "auth.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "uuid.h"

/*
 * A dataset id names a set of result rows: "job_<hex>" the results of one finished
 * job (completed, failed or cancelled: its rows no longer change), "tgt_<hex>" the
 * results for that target of the latest completed job that crawled it (source_ref
 * "main", the only ref there is). table_key picks the rows: "primary" every page,
 * "links" the pages that had links, "images" the pages that had images (results keep
 * counts per page, not the links or images themselves).
 */
enum sampling_table { SAMPLING_TABLE_PRIMARY, SAMPLING_TABLE_LINKS, SAMPLING_TABLE_IMAGES };

const char *sampling_table_name(enum sampling_table);
int	sampling_table_parse(const char *, enum sampling_table *);

/*
 * Creates a pending job of type "sampling" over dataset for who from a request body
 * {source_ref, table_key, rounds}: the rounds are validated (sampling_rounds_parse),
 * every round without a seed gets one drawn here, and the job's config records the
 * dataset, the source job it resolved to, the table and the rounds with their seeds,
 * so the draw is reproducible from the config alone. One transaction under the
 * project's row lock, with the creation limits of every job: the job, its queue row,
 * a "created" event and a log line. Fills *id and *nrounds.
 * SQ_ERR_NOT_FOUND ("Dataset not found") unless who is a member of the dataset's
 * project; SQ_ERR_FORBIDDEN for a viewer of it (role_allows ROLE_JOB_WRITE, judged
 * before the dataset's readiness and the body); SQ_ERR_INVALID naming the field;
 * SQ_ERR_RATE_LIMITED; a db error.
 */
enum sq_err sampling_job_create(struct db *, const struct config *, const struct principal *who,
	    const char *dataset, struct json_object *body, struct uuid *id, size_t *nrounds,
	    struct sq_error *);

#endif
