/* integrator_query.h: seed 002's status spellings and its list query, at the dialect's edge. */
#ifndef SCRAPEQ_INTEGRATOR_QUERY_H
#define SCRAPEQ_INTEGRATOR_QUERY_H

#include "scrapeq/err.h"
#include "scrapeq/flow.h"
#include "scrapeq/job_transition.h"
#include "scrapeq/query.h"

/*
 * Seed 002 spells the core's pending and cancelled "queued" and "canceled":
 * queued running completed failed canceled. parse returns 0 or -1.
 */
const char *integrator_status_name(enum job_status);
int	integrator_status_parse(const char *, enum job_status *);

/*
 * Fills *f from the query: integration_id, flow_id, export_id, flow_job_id, status,
 * type, createdAt_gte, createdAt_lte, numSuccess_gte/_lte, numError_gte/_lte,
 * numIgnore_gte, flow_id_in (comma-separated, at most SQ_FLOW_IDS_IN_MAX), and the
 * tie-break cursor after_id (an _id; it needs createdAt_lte). Refuses with
 * SQ_ERR_BAD_REQUEST and a message naming the parameter: an unknown or repeated
 * parameter, an id or time that does not parse, a count that is not 0..2^31-1.
 */
enum sq_err integrator_query_parse(const struct query *, struct flow_filter *, struct sq_error *);

#endif
