/* status.h: scrapeqctl status: what GET /api/v1/status knows, read from the database on the host. */
#ifndef SCRAPEQ_CTL_STATUS_H
#define SCRAPEQ_CTL_STATUS_H

#include "scrapeq/config.h"
#include "scrapeq/db.h"

#define STATUS_EXIT_UNHEALTHY 3   /* read fine, and something is down */

/*
 * Reads health_read's figures and probes the hub at [events] listen, as GET
 * /api/v1/status does (every daemon listed: the caller is the sysadmin), and prints
 * them as text, or as JSON when json. Returns 0 when healthy, STATUS_EXIT_UNHEALTHY
 * when no scrapeqd is alive or the hub does not accept connections, and 1 when the
 * database could not be read (said on stderr).
 */
int	status_print(struct db *, const struct config *, int json);

#endif
