/* migrate.h: applies the numbered SQL migrations in sql/ and records them. */
#ifndef SCRAPEQ_MIGRATE_H
#define SCRAPEQ_MIGRATE_H

#include <stdio.h>
#include "db.h"

/*
 * Applies every migration in dir ("NNN_name.sql", in numeric order) not yet in
 * schema_migrations, each recorded after it succeeds. Holds the MariaDB named lock
 * "scrapeq_migrate" throughout, so two hosts migrating at once apply each file once.
 * Progress lines go to out. Returns 0, or -1 with the reason written to out.
 */
int	migrate_run(struct db *db, const char *dir, FILE *out);

#endif
