/* queue.h: the claim protocol every worker of the queue follows: register, claim, lease, finish. */
#ifndef SCRAPEQ_QUEUE_H
#define SCRAPEQ_QUEUE_H

#include <stddef.h>
#include "auth.h"
#include "db.h"
#include "metrics.h"
#include "err.h"
#include "job_transition.h"
#include "limits.h"
#include "uuid.h"

#define QUEUE_RECLAIM_MAX 100      /* expired leases taken back per reclaim transaction */

/* One target of a claimed job, as the crawler needs it. */
struct queue_target {
	int		 position;
	struct uuid	 target_id;
	char		 url[SQ_URL_MAX + 1];
	enum job_status	 status;          /* completed targets of a reclaimed job are skipped */
	long long	 results_count;
};

/* A job a daemon now holds a lease on. */
struct queue_job {
	struct uuid		 id;
	struct uuid		 project_id;
	char			 type[33];
	long long		 retry_count;
	long long		 max_retries;
	long long		 total_results;
	char			*config;        /* JSON text */
	struct queue_target	*targets;
	size_t			 ntargets;
};

void	queue_jobs_free(struct queue_job *jobs, size_t n);

/* Registers (or re-registers) daemon id; heartbeat_at = now, stopped_at = NULL. */
enum sq_err queue_register(struct db *, const char *id, const char *host, int pid);
/*
 * Marks daemon id stopped (a clean exit), adding add (may be NULL) to its page
 * counters as queue_heartbeat does.
 */
enum sq_err queue_unregister(struct db *, const char *id, const struct metrics_pages *add);

/*
 * Heartbeat: refreshes the daemon's row, adds add (what the daemon did since its last
 * heartbeat that succeeded; may be NULL) to the row's page counters for GET /metrics,
 * and extends the lease of every job it runs by lease_seconds. *held receives how
 * many leases it still holds.
 */
enum sq_err queue_heartbeat(struct db *, const char *id, unsigned lease_seconds,
	    unsigned running, const struct metrics_pages *add, long long *held);

/*
 * Claims up to max claimable jobs (run_after <= now), highest priority first, then
 * oldest: one short transaction with SELECT ... FOR UPDATE SKIP LOCKED on job_queue,
 * their queue rows deleted, the jobs marked running with lease owner and expiry,
 * a "started" event and a "Job started" log line each. A deadlock is retried once.
 * Jobs of type "noop" are completed in that same transaction and not returned.
 * *jobs (n entries) is the caller's: queue_jobs_free. *claimed (may be NULL) counts
 * every job taken off the queue, no-ops included.
 */
enum sq_err queue_claim(struct db *, const char *id, unsigned lease_seconds, unsigned max,
	    struct queue_job **jobs, size_t *n, size_t *claimed);

/*
 * queue_claim for an external worker id (seed 001's /next, "api:<user>") over the
 * jobs of the projects where who's role may claim (role_allows ROLE_JOB_WRITE: member
 * or higher, any role for a server administrator) only: the same transaction, order,
 * lease, events and log lines; a viewer-only project's jobs are never taken. When
 * nothing was taken and who is a member of projects but may claim in none of them
 * (a viewer everywhere), SQ_ERR_FORBIDDEN; with no project at all, SQ_OK and *n 0.
 * scrapeqd reclaims such a lease when it expires like any other. who->user_id > 0.
 */
enum sq_err queue_claim_member(struct db *, const char *id, const struct principal *who,
	    unsigned lease_seconds, unsigned max, struct queue_job **jobs, size_t *n,
	    size_t *claimed, struct sq_error *);

/*
 * Takes back jobs whose lease expired (their daemon died or hung): each goes back to
 * pending with retry_count + 1 and a log line naming the lost daemon, or to failed
 * once retries are used up. Returns how many in *n.
 */
enum sq_err queue_reclaim(struct db *, size_t *n);

/*
 * Lists the jobs this daemon holds that were cancelled since it claimed them
 * (cancel_requested set), at most max, into ids.
 */
enum sq_err queue_cancelled(struct db *, const char *id, struct uuid *ids, size_t max,
	    size_t *n);

/* Lists (at most max) the jobs this daemon still holds a lease on, into ids. */
enum sq_err queue_held(struct db *, const char *id, struct uuid *ids, size_t max, size_t *n);

/*
 * *due = 1 when a job is claimable now (its run_after has passed), else 0: one
 * autocommit read of job_queue's claim index that locks nothing, the cheap question
 * an idle worker asks often before it opens a claim transaction.
 */
enum sq_err queue_due(struct db *, int *due);

/* The end of a job this daemon holds. stats/result/error are JSON texts or NULL. */
enum queue_outcome {
	QUEUE_COMPLETED,    /* -> completed */
	QUEUE_FAILED,       /* -> pending with backoff while retries remain, else failed */
	QUEUE_CANCELLED,    /* the job was cancelled: release it, keep its status */
	QUEUE_RELEASED,     /* shutting down: back to pending, no retry counted */
	QUEUE_FAILED_FINAL, /* -> failed at once: a retry cannot help (bad config, refused) */
};

/*
 * Ends the lease on job with outcome, writing stats/result/error, an event and a log
 * line (message, may be NULL) in one transaction. backoff_base is the retry delay
 * for the first retry in seconds (doubled each retry, capped at an hour).
 * SQ_ERR_CONFLICT when the daemon no longer holds the job (its lease was taken).
 */
enum sq_err queue_finish(struct db *, const char *id, const struct uuid *job,
	    enum queue_outcome, const char *stats, const char *result, const char *error,
	    const char *message, unsigned backoff_base);

/* One job's end for queue_finish_many: the arguments of queue_finish, and its answer. */
struct queue_end {
	const struct uuid	*job;
	enum queue_outcome	 outcome;
	const char		*stats, *result, *error, *message;
	enum sq_err		 rc;     /* out: SQ_OK, or SQ_ERR_CONFLICT (no longer held) */
};

/*
 * queue_finish for n jobs in one transaction (one commit), their rows locked in job
 * id order: each end's rc says whether it was ended (SQ_OK) or lost (SQ_ERR_CONFLICT,
 * nothing of it written). Returns SQ_OK, or the database error: then nothing at all
 * was written and every end can be tried again. The strings are the caller's.
 */
enum sq_err queue_finish_many(struct db *, const char *id, struct queue_end *ends, size_t n,
	    unsigned backoff_base);

#endif
