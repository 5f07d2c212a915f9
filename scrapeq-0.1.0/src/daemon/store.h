/* store.h: everything a crawl writes, buffered and written in one transaction per flush. */
#ifndef SCRAPEQ_STORE_H
#define SCRAPEQ_STORE_H

#include <stddef.h>

#include "scrapeq/db.h"
#include "scrapeq/err.h"
#include "scrapeq/job_transition.h"
#include "scrapeq/uuid.h"

/* One page kept as a result. Strings may be NULL; they are truncated to their columns. */
struct store_result {
	const char	*url;
	unsigned char	 hash[32];        /* SHA-256 of url: the dedupe key */
	long		 status;
	const char	*content_type;
	long long	 bytes;
	long		 fetch_ms;
	int		 depth;
	const char	*title;
	const char	*description;
	const char	*canonical;
	long		 links;
	long		 images;
	long		 products;
	const char	*data_json;       /* {"products":[...],"fields":{...}} or NULL */
};

struct store;

/* db and daemon_id must outlive the store. */
struct store *store_new(struct db *db, const char *daemon_id);
void	store_free(struct store *);

/* Buffered; nothing reaches MariaDB before store_flush. */
void	store_result(struct store *, const struct uuid *job, const struct uuid *target,
	    int position, const struct store_result *);
void	store_error(struct store *, const struct uuid *job, const struct uuid *target,
	    const char *url, const char *kind, long status, const char *message);
void	store_log(struct store *, const struct uuid *job, const struct uuid *target,
	    const char *level, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void	store_event(struct store *, const struct uuid *job, const struct uuid *project,
	    const char *type, const char *data_json);
/* A target's status; started/finished stamp started_at/completed_at with now. */
void	store_target(struct store *, const struct uuid *job, int position, enum job_status,
	    int started, int finished, const char *error);
/* The job's progress columns and stats (JSON text, may be NULL), and a progress event. */
void	store_progress(struct store *, const struct uuid *job, long long completed_targets,
	    const struct uuid *current_target, const char *stats_json);

/*
 * Writes everything buffered in one transaction: results (INSERT IGNORE on the
 * (job, URL hash) key, so work redone after a crash never duplicates a row, and only
 * new rows are counted into results_count and total_results), errors, logs, events,
 * target and progress updates. On failure nothing is written and everything stays
 * buffered for the next flush. Returns SQ_OK or the database error.
 */
enum sq_err store_flush(struct store *);

/* Bytes buffered and not yet written (the caller slows down past a bound). */
size_t	store_pending(const struct store *);

#endif
