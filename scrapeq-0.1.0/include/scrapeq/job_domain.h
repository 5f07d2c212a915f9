/* job_domain.h: seed 001's domain scrape jobs on the one job model: create, read with stats, list. */
#ifndef SCRAPEQ_JOB_DOMAIN_H
#define SCRAPEQ_JOB_DOMAIN_H

#include <stddef.h>
#include <json-c/json.h>
#include "auth.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "job.h"
#include "pagination.h"
#include "uuid.h"

/* What a client may give when creating a job for one domain. */
struct job_domain_input {
	const struct uuid	*project;     /* NULL: the caller's oldest project (lowest seq) */
	const char		*domain;      /* a host name or an http(s) URL */
	const struct uuid	*target;      /* domain_id: the target; one of the two is required */
	const char		*job_type;    /* seed name; NULL: "domain_scrape" */
	long long		 priority;    /* -1: JOB_PRIORITY_DEFAULT */
	long long		 max_retries; /* -1: 3 */
	struct json_object	*config;      /* NULL: every default (job_spec_config) */
	struct json_object	*metadata;    /* NULL: {}; must be an object */
	const char		*scheduled_at; /* DATETIME(6) text (job_spec_time); NULL: now */
	int			 domain_optional; /* 1: a type other than scrape needs no domain */
};

/*
 * Creates a pending job for one domain, validated in the core: the domain's URL is
 * the project's target for it, created when the project has none (name = the
 * domain; that is part of creating the job, so a member may, though targets are
 * otherwise managed by admins); or the target domain_id names (its project when none
 * is given), and a domain given beside it must name the same (else "Invalid domain
 * and domain_id"). Without a project or domain_id the job lands in the caller's oldest
 * project (lowest seq) where its role may create jobs. The crawl config
 * (crawl_config_parse) is completed with the project's defaults. One transaction under
 * the project's row lock: the job (project_run 0, so
 * the project's JOB_RUNNING limit does not apply; the daily limit does), its
 * job_targets row, the queue row at its priority, a "created" event, a log line and
 * an audit row. Fills *id. SQ_ERR_BAD_REQUEST naming the field ("Invalid priority:
 * ..."), SQ_ERR_INVALID for a job type that is neither scrape nor in [handlers]
 * (nothing would run it), SQ_ERR_NOT_FOUND (project not the caller's, or the caller has none),
 * SQ_ERR_FORBIDDEN (a viewer of the project, or of every project when none is given),
 * SQ_ERR_RATE_LIMITED, or a db error.
 */
enum sq_err job_domain_create(struct db *, const struct config *, const struct principal *who,
	    const struct job_domain_input *, struct uuid *id, struct sq_error *);

/*
 * Seed 001's "domain" of a job: host[:port] of its first target's absolute URL, cut to
 * outsz - 1 bytes (webhooks send it too). url NULL or "" writes "".
 */
void	job_domain_of_url(const char *url, char *out, size_t outsz);

/* A job as seed 001 shows it: the job plus what struct job does not carry. */
struct job_domain_view {
	struct job	 job;
	char		*stats;                  /* JSON text or NULL */
	char		*result;                 /* JSON text or NULL */
	int		 has_target;
	struct uuid	 target_id;              /* the job's first target (its domain) */
	char		 url[SQ_URL_MAX + 1];
	char		 domain[SQ_URL_MAX + 1]; /* host[:port] of url */
	char		 lease_owner[65];
	long long	 project_seq;            /* the project's numeric alias */
	long long	 created_by;             /* users.id, -1 when none */
	char		 scheduled_at[32];       /* DATETIME(6) text or "" */
	char		 run_after[32];          /* the queue row's, or "" when not queued */
};

void	job_domain_view_clear(struct job_domain_view *);

/* Loads a job for seed 001. SQ_ERR_NOT_FOUND ("Job not found") unless who is a member. */
enum sq_err job_domain_get(struct db *, const struct principal *who, const struct uuid *id,
	    struct job_domain_view *out, struct sq_error *);

enum job_domain_sort {
	JOB_SORT_ID,                             /* newest first (uuid v7), the default */
	JOB_SORT_CREATED, JOB_SORT_UPDATED, JOB_SORT_PRIORITY, JOB_SORT_STATUS
};

struct job_domain_filter {
	int		 has_status;
	enum job_status	 status;
	const char	*type;                   /* core type name or NULL */
	const struct uuid *project;              /* NULL: every project of the caller */
	/* Any-of sets; 0 / none: no filter. Bit s of status_mask is enum job_status s,
	 * bit p of priority_mask is priority p (1..10); types are core type names. */
	unsigned	 status_mask;
	unsigned	 priority_mask;
	const char	*types[SQ_QUERY_PARAMS_MAX];
	size_t		 ntypes;
	enum job_domain_sort sort;
	int		 ascending;              /* for a sort other than JOB_SORT_ID */
};

/*
 * Lists the ids of the caller's jobs (every project it is a member of), newest
 * first, a page at a time; *total counts the matching jobs. *ids (n) is the
 * caller's to free.
 */
enum sq_err job_domain_list(struct db *, const struct principal *who,
	    const struct job_domain_filter *, const struct page *, struct uuid **ids,
	    size_t *n, long long *total, struct sq_error *);

/*
 * job_domain_list and job_domain_get_many in one: *views (n) holds the page's jobs in
 * the list's order, any job gone between the two reads left out; three round trips
 * whatever the page size. Free with job_domain_views_free.
 */
enum sq_err job_domain_page(struct db *, const struct principal *who,
	    const struct job_domain_filter *, const struct page *, struct job_domain_view **views,
	    size_t *n, long long *total, struct sq_error *);
void	job_domain_views_free(struct job_domain_view *, size_t n);

#endif
