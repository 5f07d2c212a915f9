/* target.h: targets, the URLs a project's scrape jobs start from. */
#ifndef SCRAPEQ_TARGET_H
#define SCRAPEQ_TARGET_H

#include "auth.h"
#include "db.h"
#include "err.h"
#include "limits.h"
#include "pagination.h"
#include "uuid.h"

struct target {
	struct uuid	 id;
	struct uuid	 project_id;
	char		 url[SQ_URL_MAX + 1];
	char		 name[SQ_NAME_MAX + 1];
	int		 has_name;               /* 0: name is null */
	int		 enabled;
	char		 created_at[32];
	char		 updated_at[32];
};

/* What a caller may set; for update, only the fields marked given change. */
struct target_input {
	const char	*url;                    /* NULL: not given */
	int		 name_given;
	const char	*name;                   /* NULL with name_given: set to null */
	int		 enabled;                /* -1: not given, else 0/1 */
};

/*
 * Checks url is an absolute http(s) URL with a host and no user name or password
 * (every member of the project sees it), at most SQ_URL_MAX bytes, using libcurl's
 * URL API, and writes its normalised form (host in lower case) to out (SQ_URL_MAX + 1
 * bytes). Returns SQ_OK or SQ_ERR_INVALID with a message naming the field "url".
 */
enum sq_err target_url_normalise(const char *url, char *out, struct sq_error *e);

/*
 * Each of these checks the caller's membership of project: SQ_ERR_NOT_FOUND if none.
 * Create, update and delete are managing the project: SQ_ERR_FORBIDDEN ("Members may
 * not delete targets") unless role_allows ROLE_MANAGE (admin, owner, a server
 * administrator), before anything changes. (Seed 001's job create adds the target
 * of a new domain as part of the job: job_domain.h.)
 */
enum sq_err target_create(struct db *, const struct principal *, const struct uuid *project,
	    const struct target_input *, struct target *out, struct sq_error *);
enum sq_err target_get(struct db *, const struct principal *, const struct uuid *project,
	    const struct uuid *id, struct target *out, struct sq_error *);
enum sq_err target_list(struct db *, const struct principal *, const struct uuid *project,
	    const struct page *, struct target **items, size_t *n, long long *total,
	    struct sq_error *);
enum sq_err target_update(struct db *, const struct principal *, const struct uuid *project,
	    const struct uuid *id, const struct target_input *, struct target *out,
	    struct sq_error *);
enum sq_err target_delete(struct db *, const struct principal *, const struct uuid *project,
	    const struct uuid *id, struct sq_error *);

#endif
