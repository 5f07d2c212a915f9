/* flow.h: seed 002's view of the job model: each scrape job is a flow job with an export and an import child. */
#ifndef SCRAPEQ_FLOW_H
#define SCRAPEQ_FLOW_H

#include <stddef.h>
#include "auth.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "job_transition.h"
#include "limits.h"
#include "query.h"
#include "uuid.h"

/*
 * Ids (all derived, nothing stored):
 *   flow job    _id = the job's 32 hex digits          "0190f3a1...c2"
 *   export job  _id = the job's hex + "-export"         (the crawl)
 *   import job  _id = the job's hex + "-import"         (delivery of its results)
 *   _integrationId = the project's public id            "proj_<32 hex>"
 *   _flowId        = "flow_<project hex>"  (a project's crawl is its one flow)
 *   _exportId      = "exp_<project hex>"
 *   flowExecutionGroupId = the flow job's _id, on all three.
 * createdAt is the job's for the flow, 1 ms later for its export child and 2 ms later
 * for its import child (so a page boundary never falls between objects of one job that
 * share an instant). A list is ordered by createdAt descending, then by job (created_at,
 * id descending), then flow, export, import.
 */
enum flow_kind { FLOW_KIND_FLOW, FLOW_KIND_EXPORT, FLOW_KIND_IMPORT };

#define FLOW_ID_MAX       (UUID_HEX_LEN + 8)     /* "<hex>-export" and its NUL */
#define FLOW_REF_MAX      (5 + UUID_HEX_LEN + 1) /* "flow_<hex>" and its NUL */
#define FLOW_TIME_MAX     32                     /* both the ISO and the database form */

/* Writes the _id of kind of job into out. */
void	flow_id_format(const struct uuid *job, enum flow_kind, char out[FLOW_ID_MAX]);
/* Parses an _id (any of the three forms, hex in either case). Returns 0 or -1. */
int	flow_id_parse(const char *s, struct uuid *job, enum flow_kind *);
/* Writes "flow_<hex>" or "exp_<hex>" of a project; out holds FLOW_REF_MAX bytes. */
void	flow_ref_format(const char *prefix, const struct uuid *project, char out[FLOW_REF_MAX]);

#define FLOW_PREFIX_FLOW   "flow_"
#define FLOW_PREFIX_EXPORT "exp_"

/* "flow", "export", "import"; parse returns 0 or -1. */
const char *flow_kind_name(enum flow_kind);
int	flow_kind_parse(const char *, enum flow_kind *);
/*
 * Parses an ISO 8601 UTC time, "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SS[.f...]" with an
 * optional "Z" or "+00:00" (or " 00:00": a '+' a client left unencoded in the query
 * string; one to six fraction digits; other offsets are refused),
 * into the database form "YYYY-MM-DD HH:MM:SS.ffffff". Returns 0 or -1 (out undefined).
 */
int	flow_time_parse(const char *s, char out[FLOW_TIME_MAX]);
/*
 * Renders a database time "YYYY-MM-DD HH:MM:SS[.f...]" as "YYYY-MM-DDTHH:MM:SS.ffffffZ":
 * always microseconds, so a createdAt fed back as createdAt_lte is exact. 0 or -1.
 */
int	flow_time_render(const char *db, char out[FLOW_TIME_MAX]);

/* The filters of GET /v1/jobs (read by src/api/integrator_query.c); "has" flags say which were given. */
struct flow_filter {
	int		 has_integration, has_flow, has_export, has_flow_job, has_status,
			 has_kind, has_after;
	struct uuid	 integration, flow, export, flow_job;
	enum job_status	 status;
	enum flow_kind	 kind;
	char		 created_gte[FLOW_TIME_MAX];   /* "" when absent */
	char		 created_lte[FLOW_TIME_MAX];
	struct uuid	 after_job;                    /* the after_id cursor */
	enum flow_kind	 after_kind;
	long long	 success_gte, success_lte, error_gte, error_lte, ignore_gte; /* -1: absent */
	int		 has_flow_in;
	char		 flow_in[SQ_FLOW_IDS_IN_MAX * (UUID_STR_LEN + 3) + 3]; /* JSON array of UUIDs */
};

#endif
