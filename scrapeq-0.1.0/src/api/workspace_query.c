/* workspace_query.c: seed 003's list query (filters, sort, page) parsed without a request. */
#include <string.h>

#include "scrapeq/job.h"
#include "scrapeq/job_spec.h"
#include "scrapeq/job_transition.h"
#include "scrapeq/limits.h"
#include "workspace_query.h"

/* page and limit, the seed's names; out of range is a 422. */
static enum sq_err
page_parse(const struct query *q, struct page *pg, struct sq_error *e)
{
	const char	*s;
	long long	 v;

	pg->page = 1;
	pg->per_page = SQ_WORKSPACE_LIMIT_DEFAULT;
	if ((s = query_get(q, "page")) != NULL) {
		if (parse_int_range(s, 1, SQ_PAGE_MAX, &v) == -1)
			return sq_fail(e, SQ_ERR_INVALID, "page must be an integer from 1 to %d",
			    SQ_PAGE_MAX);
		pg->page = v;
	}
	if ((s = query_get(q, "limit")) != NULL) {
		if (parse_int_range(s, 1, SQ_WORKSPACE_LIMIT_MAX, &v) == -1)
			return sq_fail(e, SQ_ERR_INVALID, "limit must be an integer from 1 to %d",
			    SQ_WORKSPACE_LIMIT_MAX);
		pg->per_page = v;
	}
	pg->offset = (pg->page - 1) * pg->per_page;
	return SQ_OK;
}

/* Low is 1..3, normal 4..6, high 7..9, urgent 10: the ranges job_spec_priority_name reads. */
static unsigned
priority_bits(int p)
{
	unsigned	 m = 0;
	int		 i;

	for (i = JOB_PRIORITY_MIN; i <= JOB_PRIORITY_MAX; i++)
		if (strcmp(job_spec_priority_name(i), job_spec_priority_name(p)) == 0)
			m |= 1u << i;
	return m;
}

/* One status, job_type or priority value added to its any-of set; other keys pass. */
static enum sq_err
anyof_add(const char *k, const char *s, struct job_domain_filter *f, struct sq_error *e)
{
	enum job_status	 st;
	int		 p;

	if (strcmp(k, "status") == 0) {
		/* "completed" too: the seed's own response examples spell it so. */
		if (strcmp(s, "success") == 0)
			st = JOB_COMPLETED;
		else if (job_status_parse(s, &st) == -1)
			return sq_fail(e, SQ_ERR_INVALID, "status must be one of pending, "
			    "running, success, failed, cancelled");
		f->status_mask |= 1u << st;
	} else if (strcmp(k, "job_type") == 0) {
		if (!job_spec_type_ok(s))
			return sq_fail(e, SQ_ERR_INVALID, "Invalid job_type: must be 1 to %d "
			    "of a-z, 0-9 and _", SQ_JOB_TYPE_MAX);
		/* At most one per query parameter, so types (SQ_QUERY_PARAMS_MAX) holds them. */
		f->types[f->ntypes++] = job_spec_type_to_core(s);
	} else if (strcmp(k, "priority") == 0) {
		if ((p = job_spec_priority_parse(s)) == -1)
			return sq_fail(e, SQ_ERR_INVALID, "priority must be one of low, "
			    "normal, high, urgent");
		f->priority_mask |= priority_bits(p);
	}
	return SQ_OK;
}

/* The ORDER BY column comes from this whitelist, in enum job_domain_sort's order. */
static const char *const sorts[] = { "created_at", "updated_at", "priority", "status" };

static enum sq_err
sort_parse(const struct query *q, struct job_domain_filter *f, struct sq_error *e)
{
	const char	*s;
	size_t		 j;

	if ((s = query_get(q, "sort")) != NULL) {
		for (j = 0; j < sizeof(sorts) / sizeof(sorts[0]); j++)
			if (strcmp(s, sorts[j]) == 0)
				break;
		if (j == sizeof(sorts) / sizeof(sorts[0]))
			return sq_fail(e, SQ_ERR_INVALID, "sort must be one of created_at, "
			    "updated_at, priority, status");
		f->sort = (enum job_domain_sort)(JOB_SORT_CREATED + j);
	}
	if ((s = query_get(q, "order")) != NULL && strcmp(s, "asc") != 0 &&
	    strcmp(s, "desc") != 0)
		return sq_fail(e, SQ_ERR_INVALID, "order must be asc or desc");
	f->ascending = s != NULL && strcmp(s, "asc") == 0;
	if (f->sort == JOB_SORT_ID && f->ascending)
		f->sort = JOB_SORT_CREATED;   /* order=asc alone: oldest first */
	return SQ_OK;
}

enum sq_err
workspace_query_parse(const struct query *q, struct job_domain_filter *f, struct page *pg,
    struct sq_error *e)
{
	static const char *const once[] = { "page", "limit", "sort", "order" };
	size_t		 i;
	enum sq_err	 rc;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		if (query_count(q, once[i]) > 1)
			return sq_fail(e, SQ_ERR_INVALID, "%s must be given at most once", once[i]);
	if ((rc = page_parse(q, pg, e)) != SQ_OK)
		return rc;
	for (i = 0; i < q->n; i++)
		if ((rc = anyof_add(q->p[i].key, q->p[i].val, f, e)) != SQ_OK)
			return rc;
	return sort_parse(q, f, e);
}
