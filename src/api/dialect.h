/* dialect.h: what every dialect provides: its routes and its error envelope. */
#ifndef SCRAPEQ_DIALECT_H
#define SCRAPEQ_DIALECT_H

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

#endif
