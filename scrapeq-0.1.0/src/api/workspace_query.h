/* workspace_query.h: seed 003's list query string read into a job filter and a page, pure. */
#ifndef SCRAPEQ_WORKSPACE_QUERY_H
#define SCRAPEQ_WORKSPACE_QUERY_H

#include "scrapeq/err.h"
#include "scrapeq/job_domain.h"
#include "scrapeq/limits.h"
#include "scrapeq/pagination.h"
#include "scrapeq/query.h"

/*
 * Reads GET /workspace/{w}/jobs's (and legacy GET /jobs's) query into *f and *pg:
 * status (pending running success failed cancelled), job_type (1..SQ_JOB_TYPE_MAX
 * of [a-z0-9_]; domain_scrape is the core's scrape) and priority (low normal high
 * urgent, each naming its whole band of the core's 1..10), any of them repeated to
 * mean any of those values; sort (created_at updated_at priority status), order
 * (asc, desc; asc alone sorts by created_at), page (1..SQ_PAGE_MAX, default 1),
 * limit (1..SQ_WORKSPACE_LIMIT_MAX, default SQ_WORKSPACE_LIMIT_DEFAULT). *f is zeroed
 * first and f->project left NULL for the caller; f->types point into q, which must
 * outlive f. Other parameters are ignored; page, limit, sort and order may each be
 * given once (a second value is a 422, not a silent choice). Returns SQ_OK, or SQ_ERR_INVALID (the seed's 422) with a
 * message naming the parameter: a value out of range or not one of its names (status
 * takes success and completed alike: the seed's list says one, its examples the other).
 */
enum sq_err workspace_query_parse(const struct query *q, struct job_domain_filter *f,
	    struct page *pg, struct sq_error *e);

#endif
