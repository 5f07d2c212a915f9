/* fuzz_workspace_query.c: libFuzzer target for seed 003's list query (workspace_query_parse). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/job.h"
#include "scrapeq/job_spec.h"
#include "scrapeq/job_transition.h"
#include "scrapeq/query.h"
#include "workspace_query.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The priority bands of the core's 1..10: low, normal, high, urgent. */
static const unsigned bands[] = {
	(1u << 1) | (1u << 2) | (1u << 3), (1u << 4) | (1u << 5) | (1u << 6),
	(1u << 7) | (1u << 8) | (1u << 9), 1u << 10,
};

/* Each priority given selects its whole band, and nothing else is selected. */
static unsigned
band_mask(unsigned given)
{
	unsigned	 m = 0;
	size_t		 i;

	for (i = 0; i < sizeof(bands) / sizeof(bands[0]); i++)
		if ((given & bands[i]) != 0)
			m |= bands[i];
	return m;
}

/* Page and limit are their one value, or the defaults, and the offset follows. */
static void
check_page(const struct query *q, const struct page *pg)
{
	long long	 page = 1, limit = SQ_WORKSPACE_LIMIT_DEFAULT;

	if (query_count(q, "page") > 1 || query_count(q, "limit") > 1 ||
	    query_count(q, "sort") > 1 || query_count(q, "order") > 1)
		abort();          /* accepted: each of them given at most once */
	if (query_get(q, "page") != NULL &&
	    parse_int_range(query_get(q, "page"), 1, SQ_PAGE_MAX, &page) != 0)
		abort();
	if (query_get(q, "limit") != NULL &&
	    parse_int_range(query_get(q, "limit"), 1, SQ_WORKSPACE_LIMIT_MAX, &limit) != 0)
		abort();
	if (pg->page != page || pg->per_page != limit || pg->page < 1 || pg->per_page < 1 ||
	    pg->per_page > SQ_WORKSPACE_LIMIT_MAX || pg->offset != (page - 1) * limit)
		abort();
}

/* The any-of sets hold exactly the values given, in their documented spellings. */
static void
check_sets(const struct query *q, const struct job_domain_filter *f)
{
	unsigned	 st = 0, pr = 0;
	enum job_status	 s;
	size_t		 i, nt = 0;
	int		 p;

	for (i = 0; i < q->n; i++) {
		if (strcmp(q->p[i].key, "status") == 0) {
			if (strcmp(q->p[i].val, "success") == 0)
				s = JOB_COMPLETED;
			else if (job_status_parse(q->p[i].val, &s) != 0)
				abort();
			st |= 1u << s;
		} else if (strcmp(q->p[i].key, "job_type") == 0) {
			if (nt >= f->ntypes || !job_spec_type_ok(q->p[i].val) ||
			    strcmp(f->types[nt++], job_spec_type_to_core(q->p[i].val)) != 0)
				abort();
		} else if (strcmp(q->p[i].key, "priority") == 0) {
			if ((p = job_spec_priority_parse(q->p[i].val)) == -1)
				abort();
			pr |= 1u << p;
		}
	}
	if (f->status_mask != st || nt != f->ntypes || f->ntypes > SQ_QUERY_PARAMS_MAX ||
	    (f->status_mask >> JOB_STATUS__COUNT) != 0 || f->priority_mask != band_mask(pr))
		abort();
}

/* Sort from the whitelist; order=asc alone sorts by created_at. */
static void
check_sort(const struct query *q, const struct job_domain_filter *f)
{
	static const char *const sorts[] = { "created_at", "updated_at", "priority", "status" };
	const char	*s = query_get(q, "sort"), *o = query_get(q, "order");
	int		 asc = o != NULL && strcmp(o, "asc") == 0;
	size_t		 j;

	if (o != NULL && !asc && strcmp(o, "desc") != 0)
		abort();
	if (f->ascending != asc || f->project != NULL || f->has_status || f->type != NULL)
		abort();
	if (s == NULL) {
		if (f->sort != (asc ? JOB_SORT_CREATED : JOB_SORT_ID))
			abort();
		return;
	}
	for (j = 0; j < sizeof(sorts) / sizeof(sorts[0]); j++)
		if (strcmp(s, sorts[j]) == 0)
			break;
	if (j == sizeof(sorts) / sizeof(sorts[0]) ||
	    f->sort != (enum job_domain_sort)(JOB_SORT_CREATED + j))
		abort();
}

/* A refusal is SQ_ERR_INVALID (the 422) with a message naming its parameter. */
static void
check_refused(enum sq_err rc, const struct sq_error *e)
{
	static const char *const names[] = {
		"page ", "limit ", "status ", "Invalid job_type:", "priority ", "sort ", "order ",
	};
	size_t i;

	if (rc != SQ_ERR_INVALID || e->code != rc ||
	    memchr(e->message, '\0', sizeof(e->message)) == NULL)
		abort();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(e->message, names[i], strlen(names[i])) == 0)
			return;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct job_domain_filter f;
	struct query		 q;
	struct page		 pg;
	struct sq_error		 e;
	char			 err[128];
	enum sq_err		 rc;

	if (query_parse(&q, (const char *)data, size, err, sizeof(err)) != 0)
		return 0;
	memset(&e, 0, sizeof(e));
	/* Garbage in f and pg must not leak into the answer. */
	memset(&f, 0xa5, sizeof(f));
	memset(&pg, 0xa5, sizeof(pg));
	if ((rc = workspace_query_parse(&q, &f, &pg, &e)) == SQ_OK) {
		check_page(&q, &pg);
		check_sets(&q, &f);
		check_sort(&q, &f);
	} else
		check_refused(rc, &e);
	query_free(&q);
	return 0;
}
