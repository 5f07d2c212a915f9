/* dialect.h: what every dialect provides: its routes and its error envelope. */
#ifndef SCRAPEQ_DIALECT_H
#define SCRAPEQ_DIALECT_H

#include "scrapeq/job_update.h"
#include "request.h"
#include "router.h"

struct dialect {
	const char	*name;
	/* Renders e in this dialect's envelope, with sq_http_status(e->code). */
	void		(*error)(struct req *, const struct sq_error *e);
};

extern const struct dialect dialect_v1;
extern const struct route dialect_v1_routes[];
extern const struct dialect dialect_scrapejobs;
extern const struct route dialect_scrapejobs_routes[];
extern const struct dialect dialect_workspace;
extern const struct route dialect_workspace_routes[];
extern const struct dialect dialect_integrator;
extern const struct route dialect_integrator_routes[];
extern const struct dialect dialect_datasets;
extern const struct route dialect_datasets_routes[];

/*
 * The bodies of the two client job updates, read into the core's change (which
 * job_update then checks): seed 001's PUT /api/scrape-jobs/{id} and seed 003's PATCH
 * /workspace/{w}/jobs/{id}. b stays the caller's and c borrows from it. Pure: no
 * database (fuzz_job_update drives them). SQ_OK, or the dialect's refusal in e.
 */
enum sq_err scrapejobs_put_change(struct json_object *b, struct job_change *c,
	    struct sq_error *e);
enum sq_err workspace_patch_change(struct json_object *b, struct job_change *c,
	    struct sq_error *e);
/* Seed 003's words for a field job_update refused (e->message is kept otherwise). */
void	workspace_patch_phrase(enum job_field bad, struct sq_error *e);

#endif
