/* main.c: scrapeqd, the scrape daemon: claims jobs, runs their crawls, heartbeats, reclaims. */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>
#include <libxml/parser.h>

#include "scrapeq/clock.h"
#include "scrapeq/cloexec.h"
#include "scrapeq/db.h"
#include "scrapeq/hrefcache.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/netguard.h"
#include "scrapeq/queue.h"
#include "scrapeq/selpool.h"
#include "scrapeq/selworker.h"
#include "scrapeq/text.h"
#include "crawl.h"
#include "handler.h"
#include "hooks.h"
#include "purge.h"
#include "sampling_run.h"
#include "schedrun.h"

#define CANCEL_POLL_MS   500       /* a cancel is seen within this (and one loop turn) */
#define RECLAIM_MS       5000
#define PURGE_MS         60000     /* between retention purges (1 s while a backlog lasts) */
#define LOOP_MS          50
#define STORE_HIGH_WATER (8 * 1024 * 1024)
#define RETRY_DB_MS      1000
#define DAEMON_MXFAST    (80 * sizeof(size_t) / 4)   /* glibc's largest M_MXFAST: 160 bytes */

static volatile sig_atomic_t got_term, got_hup;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

struct daemon {
	struct config		 cfg;
	const char		*cfg_path;
	char			 id[64];
	struct netguard		 guard;
	struct db		*db;
	struct store		*store;
	struct engine		*engine;
	struct selpool		*selectors;       /* job selectors, off this loop */
	struct crawl_env	 env;
	struct metrics_pages	 pages;           /* what the crawls did since start (env.pages) */
	struct metrics_pages	 reported;        /* ... of which the daemons row has this much */
	struct crawl		**crawls;
	size_t			 ncrawls;
	struct handler_run	**runs;           /* jobs of types run by a handler command */
	size_t			 nruns;
	struct sampling_task	**samplings;      /* sampling jobs, each on its own thread */
	size_t			 nsamplings;
	struct purge_run	*purge;           /* the retention purge running, or NULL */
	struct hooks		*hooks;           /* webhook delivery, on its own thread */
	long long		 next_purge;
	struct schedrun		*sched;           /* the thread firing due schedules, or NULL */
	long long		 next_sched;      /* when to (re)start it */
	long long		 next_claim, next_beat, next_cancel, next_reclaim, next_flush;
	int			 drained;         /* the last claim took all that was due */
	long long		 stop_deadline;      /* 0 until SIGTERM */
	long long		 db_retry_at;        /* after a failed write: not before this */
};

static void
on_fetch_done(struct fetch *f)
{
	crawl_on_fetch(f->owner, f);
}

static void
on_selectors_done(void *owner, void *page, const struct selpool_result *r)
{
	crawl_on_selectors(owner, page, r);
}

/* A job of a type this daemon has no [handlers] entry for: failed, not retried. */
static void
no_handler(struct daemon *d, const struct queue_job *j)
{
	struct json_object	*e = json_object_new_object();
	char			 msg[128];

	snprintf(msg, sizeof(msg), "no handler for job type '%s' in [handlers]", j->type);
	json_object_object_add(e, "code", json_object_new_string("NO_HANDLER"));
	json_object_object_add(e, "message", json_object_new_string(msg));
	(void)queue_finish(d->db, d->id, &j->id, QUEUE_FAILED_FINAL, NULL, NULL,
	    json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN), msg, 0);
	json_object_put(e);
}

/* Jobs this daemon holds: crawls, handler runs and sampling draws. */
static size_t
running(const struct daemon *d)
{
	return d->ncrawls + d->nruns + d->nsamplings;
}

static void
start_sampling(struct daemon *d, const struct queue_job *j)
{
	struct sampling_task *t;

	if ((t = sampling_start(&d->cfg, d->id, j)) != NULL) {
		d->samplings[d->nsamplings++] = t;
		return;
	}
	log_err("cannot start a sampling thread; the job goes back to the queue");
	(void)queue_finish(d->db, d->id, &j->id, QUEUE_RELEASED, NULL, NULL, NULL,
	    "Could not start sampling: job released", 0);
}

/*
 * After a claim that emptied the queue, the next claim is preceded by queue_due, a
 * read that locks nothing, every idle_poll_ms: 0 when nothing is due (no claim now).
 */
static int
due(struct daemon *d, long long now)
{
	int yes;

	if (!d->drained)
		return 1;
	if (queue_due(d->db, &yes) != SQ_OK) {
		d->next_claim = now + RETRY_DB_MS;
		return 0;
	}
	if (!yes)
		d->next_claim = now + d->cfg.daemon_idle_poll_ms;
	return yes;
}

/* Returns 1 when jobs were claimed (their crawls start now: do not sleep). */
static int
claim(struct daemon *d, long long now)
{
	struct queue_job	*jobs = NULL;
	size_t			 n = 0, got = 0, i;
	size_t			 room = d->cfg.daemon_max_jobs - running(d);
	struct handler_run	*h;
	const char		*cmd;
	unsigned		 want = d->cfg.daemon_claim_batch;
	struct crawl		*c;

	if (room == 0 || d->stop_deadline != 0 || now < d->next_claim || !due(d, now))
		return 0;
	if (want > room)
		want = (unsigned)room;
	if (queue_claim(d->db, d->id, d->cfg.daemon_lease_seconds, want, &jobs, &n,
	    &got) != SQ_OK) {
		d->next_claim = now + RETRY_DB_MS;
		return 0;
	}
	/*
	 * A full batch leaves more queued: claim again at once while a full batch still
	 * fits, else gather the slots that free up for SQ_DAEMON_CLAIM_GAP_MS, so that a busy
	 * daemon claims several jobs per transaction rather than each slot as it frees.
	 * Only the n jobs handed back take slots: the no-ops among the got claimed were
	 * completed in the claim's transaction (counting them held a daemon of no-ops to
	 * one batch per gap).
	 */
	d->drained = got < want;
	if (got == 0)
		d->next_claim = now + d->cfg.daemon_idle_poll_ms;
	else if (got < want || room - n >= d->cfg.daemon_claim_batch)
		d->next_claim = now;
	else
		d->next_claim = now + SQ_DAEMON_CLAIM_GAP_MS;
	for (i = 0; i < n; i++) {
		if ((cmd = config_handler(&d->cfg, jobs[i].type)) != NULL) {
			if ((h = handler_start(&d->cfg, d->store, &jobs[i], cmd)) != NULL)
				d->runs[d->nruns++] = h;
			continue;
		}
		if (strcmp(jobs[i].type, "sampling") == 0) {   /* built in, on its own thread */
			start_sampling(d, &jobs[i]);
			continue;
		}
		if (strcmp(jobs[i].type, "scrape") != 0) {
			no_handler(d, &jobs[i]);
			continue;
		}
		if ((c = crawl_start(&d->env, &jobs[i])) == NULL) {
			log_err("out of memory starting a crawl");
			continue;
		}
		d->crawls[d->ncrawls++] = c;
	}
	queue_jobs_free(jobs, n);
	return got > 0;
}

/* Backs off after a failed write; says so once per outage, not once per try. */
static void
db_failed(struct daemon *d, const char *what, enum sq_err rc)
{
	if (d->db_retry_at == 0)
		log_warn("%s failed: %s; retrying every %d ms", what, sq_strerror(rc), RETRY_DB_MS);
	d->db_retry_at = clock_mono_ms() + RETRY_DB_MS;
}

/* A crawl that stopped, and how its job ends. */
struct ended {
	size_t			 i;         /* in d->crawls */
	enum queue_outcome	 o;
	char			*stats, *err;
	char			 msg[400];
};

static void
end_message(const struct daemon *d, struct crawl *c, struct ended *e)
{
	if (e->o == QUEUE_COMPLETED)
		snprintf(e->msg, sizeof(e->msg), "Job completed: %lld results", crawl_results(c));
	else if (e->o == QUEUE_FAILED || e->o == QUEUE_FAILED_FINAL)
		snprintf(e->msg, sizeof(e->msg), "Job failed%s: %s", e->o == QUEUE_FAILED_FINAL ?
		    " (not retried)" : "", crawl_error_text(c));
	else if (e->o == QUEUE_CANCELLED)
		snprintf(e->msg, sizeof(e->msg), "Job cancelled: stopped after %lld results, kept",
		    crawl_results(c));
	else
		snprintf(e->msg, sizeof(e->msg), "Daemon %s stopping: job released", d->id);
}

/*
 * Ends the n crawls in e (ascending i) that are done: their writes first, in one
 * flush, then their jobs' ends in one transaction, so that the crawls that end in one
 * loop turn cost two commits together rather than two each.
 */
static void
finish_crawls(struct daemon *d, struct ended *e, size_t n)
{
	struct queue_end	*qe = NULL;
	enum sq_err		 rc;
	size_t			 k;

	if (clock_mono_ms() < d->db_retry_at)
		return;                   /* the database failed a moment ago */
	if ((qe = calloc(n, sizeof(*qe))) == NULL)
		return;
	for (k = 0; k < n; k++) {
		struct crawl *c = d->crawls[e[k].i];

		e[k].stats = crawl_stats_json(c);
		e[k].err = crawl_error_json(c);
		end_message(d, c, &e[k]);
		store_progress(d->store, crawl_job(c), crawl_completed_targets(c), NULL,
		    e[k].stats);
		qe[k] = (struct queue_end){ crawl_job(c), e[k].o, e[k].stats, NULL, e[k].err,
		    e[k].msg, SQ_OK };
	}
	if ((rc = store_flush(d->store)) != SQ_OK) {
		db_failed(d, "writing a finished job's results", rc);
		goto out;                 /* try again later */
	}
	/* A job lost meanwhile (SQ_ERR_CONFLICT in its end) is let go like one ended. */
	if ((rc = queue_finish_many(d->db, d->id, qe, n, d->cfg.daemon_retry_backoff)) != SQ_OK) {
		db_failed(d, "finishing a job", rc);
		goto out;
	}
	if (d->db_retry_at != 0) {
		log_info("database writes work again");
		d->db_retry_at = 0;
	}
	for (k = n; k-- > 0; ) {          /* from the last: the swap moves a running crawl */
		crawl_free(d->crawls[e[k].i]);
		d->crawls[e[k].i] = d->crawls[--d->ncrawls];
	}
out:
	for (k = 0; k < n; k++) {
		free(e[k].stats);
		free(e[k].err);
	}
	free(qe);
}

static void
poll_cancels(struct daemon *d)
{
	struct uuid	 ids[64];
	size_t		 n = 0, i, k;

	if (running(d) == 0 ||
	    queue_cancelled(d->db, d->id, ids, 64, &n) != SQ_OK)
		return;
	for (i = 0; i < n; i++) {
		for (k = 0; k < d->ncrawls; k++)
			if (memcmp(crawl_job(d->crawls[k]), &ids[i], sizeof(ids[i])) == 0)
				crawl_cancel(d->crawls[k]);
		for (k = 0; k < d->nruns; k++)
			if (memcmp(handler_job(d->runs[k]), &ids[i], sizeof(ids[i])) == 0)
				handler_cancel(d->runs[k]);
		for (k = 0; k < d->nsamplings; k++)
			if (memcmp(sampling_job(d->samplings[k]), &ids[i], sizeof(ids[i])) == 0)
				sampling_stop(d->samplings[k]);
	}
}

/*
 * A lease can be lost (this daemon stalled past it and another reclaimed the job):
 * a crawl whose job this daemon no longer holds stops, writing nothing more.
 */
static void
drop_lost(struct daemon *d)
{
	struct uuid	*held;
	size_t		 n = 0, i, k;

	if (d->ncrawls == 0 || (held = calloc(d->ncrawls, sizeof(*held))) == NULL)
		return;
	if (queue_held(d->db, d->id, held, d->ncrawls, &n) == SQ_OK) {
		for (i = 0; i < d->ncrawls; ) {
			for (k = 0; k < n; k++)
				if (memcmp(crawl_job(d->crawls[i]), &held[k], sizeof(held[k])) == 0)
					break;
			if (k < n) {
				i++;
				continue;
			}
			log_warn("lost the lease on a job (another daemon reclaimed it); "
			    "stopping its crawl");
			crawl_free(d->crawls[i]);
			d->crawls[i] = d->crawls[--d->ncrawls];
		}
	}
	free(held);
}

static void
progress_all(struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->nruns; i++) {
		char *stats = handler_stats_json(d->runs[i]);

		store_progress(d->store, handler_job(d->runs[i]), -1, NULL, stats);
		free(stats);
	}

	for (i = 0; i < d->ncrawls; i++) {
		char *stats = crawl_stats_json(d->crawls[i]);

		store_progress(d->store, crawl_job(d->crawls[i]),
		    crawl_completed_targets(d->crawls[i]), crawl_current_target(d->crawls[i]),
		    stats);
		free(stats);
	}
}

/*
 * A third of the lease, so two beats can be missed before it expires; and never
 * longer than SQ_DAEMON_HEARTBEAT_SECONDS, which /api/v1/status judges liveness by.
 */
static long long
beat_ms(const struct daemon *d)
{
	long long ms = (long long)d->cfg.daemon_lease_seconds * 1000 / 3;

	return ms < SQ_DAEMON_HEARTBEAT_SECONDS * 1000 ? ms : SQ_DAEMON_HEARTBEAT_SECONDS * 1000;
}

/*
 * What the crawls did since the last heartbeat that reached the row: a failed
 * heartbeat's part is sent with the next one, so the row's counters only grow.
 */
static struct metrics_pages
pages_delta(const struct daemon *d)
{
	struct metrics_pages a = d->pages;

	a.fetched -= d->reported.fetched;
	a.stored -= d->reported.stored;
	a.failed -= d->reported.failed;
	a.bytes -= d->reported.bytes;
	return a;
}

static void
timers(struct daemon *d, long long now)
{
	struct metrics_pages	 add = pages_delta(d);
	long long		 held;
	size_t			 n;

	if (now >= d->next_beat) {
		if (queue_heartbeat(d->db, d->id, d->cfg.daemon_lease_seconds,
		    (unsigned)running(d), &add, &held) == SQ_OK) {
			d->reported = d->pages;
			d->next_beat = now + beat_ms(d);
			if ((size_t)held < d->ncrawls)
				drop_lost(d);
		} else
			d->next_beat = now + RETRY_DB_MS;
	}
	if (now >= d->next_cancel) {
		poll_cancels(d);
		d->next_cancel = now + CANCEL_POLL_MS;
	}
	if (now >= d->next_reclaim) {
		if (queue_reclaim(d->db, &n) == SQ_OK && n > 0)
			log_warn("reclaimed %zu job(s) whose lease expired", n);
		d->next_reclaim = now + RECLAIM_MS;
	}
	if (now >= d->next_purge && d->purge == NULL && d->stop_deadline == 0 &&
	    (d->purge = purge_start(&d->cfg)) == NULL) {
		log_err("cannot start the retention purge; trying again later");
		d->next_purge = now + PURGE_MS;
	}
	if (now >= d->next_sched && d->sched == NULL && d->stop_deadline == 0 &&
	    (d->sched = schedrun_start(&d->cfg, d->id)) == NULL) {
		log_err("cannot start the schedule thread; trying again later");
		d->next_sched = now + RETRY_DB_MS;
	}
	if ((now >= d->next_flush || store_pending(d->store) > STORE_HIGH_WATER) &&
	    now >= d->db_retry_at) {
		enum sq_err rc;

		progress_all(d);
		if ((rc = store_flush(d->store)) != SQ_OK)
			db_failed(d, "writing results (kept for the next try)", rc);
		else if (d->db_retry_at != 0) {
			log_info("database writes work again");
			d->db_retry_at = 0;
		}
		d->next_flush = now + d->cfg.daemon_flush_ms;
	}
}

/* How a crawl's job ends now; -1: it runs on. */
static int
outcome(struct crawl *c, int releasing)
{
	switch (crawl_state(c)) {
	case CRAWL_COMPLETED:
		return QUEUE_COMPLETED;
	case CRAWL_FAILED:
		return crawl_retryable(c) ? QUEUE_FAILED : QUEUE_FAILED_FINAL;
	case CRAWL_CANCELLED:
		return QUEUE_CANCELLED;
	case CRAWL_RUNNING:
		break;
	}
	return releasing ? QUEUE_RELEASED : -1;
}

static void
step_crawls(struct daemon *d, long long now)
{
	struct ended	*e;
	size_t		 i, n = 0;
	int		 releasing = d->stop_deadline != 0 && now >= d->stop_deadline, o;

	if (d->ncrawls == 0 || (e = calloc(d->ncrawls, sizeof(*e))) == NULL)
		return;
	for (i = 0; i < d->ncrawls; i++) {
		struct crawl *c = d->crawls[i];

		if (crawl_state(c) == CRAWL_RUNNING && !releasing &&
		    store_pending(d->store) < STORE_HIGH_WATER)
			crawl_pump(c);
		if ((o = outcome(c, releasing)) >= 0) {
			e[n].i = i;
			e[n++].o = (enum queue_outcome)o;
		}
	}
	if (n > 0)
		finish_crawls(d, e, n);
	free(e);
}

/* Ends a handler job: its log lines first, then the job's status with its result. */
static void
finish_run(struct daemon *d, size_t i, enum queue_outcome o)
{
	struct handler_run	*h = d->runs[i];
	char			*stats = handler_stats_json(h), *res = handler_result_json(h);
	char			*err = handler_error_json(h), msg[400];
	enum sq_err		 rc;

	if (o == QUEUE_COMPLETED)
		snprintf(msg, sizeof(msg), "Job completed");
	else if (o == QUEUE_FAILED)
		snprintf(msg, sizeof(msg), "Job failed: %s", handler_error_text(h));
	else if (o == QUEUE_CANCELLED)
		snprintf(msg, sizeof(msg), "Job cancelled: the handler was stopped");
	else
		snprintf(msg, sizeof(msg), "Daemon %s stopping: job released", d->id);
	if (clock_mono_ms() < d->db_retry_at)
		goto out;
	if ((rc = store_flush(d->store)) != SQ_OK) {
		db_failed(d, "writing a finished job's log", rc);
		goto out;
	}
	rc = queue_finish(d->db, d->id, handler_job(h), o, stats, res, err, msg,
	    d->cfg.daemon_retry_backoff);
	if (rc != SQ_OK && rc != SQ_ERR_CONFLICT) {
		db_failed(d, "finishing a job", rc);
		goto out;
	}
	handler_free(h);
	d->runs[i] = d->runs[--d->nruns];
out:
	free(stats);
	free(res);
	free(err);
}

static void
step_runs(struct daemon *d, long long now)
{
	size_t	 i;
	int	 releasing = d->stop_deadline != 0 && now >= d->stop_deadline;

	for (i = 0; i < d->nruns; ) {
		struct handler_run *h = d->runs[i];
		size_t before = d->nruns;

		handler_poll(h);
		if (releasing)
			handler_cancel(h);
		switch (handler_state(h)) {
		case HANDLER_COMPLETED:
			finish_run(d, i, QUEUE_COMPLETED);
			break;
		case HANDLER_FAILED:
			finish_run(d, i, QUEUE_FAILED);
			break;
		case HANDLER_CANCELLED:
			finish_run(d, i, releasing ? QUEUE_RELEASED : QUEUE_CANCELLED);
			break;
		case HANDLER_RUNNING:
			break;
		}
		if (d->nruns == before)
			i++;
	}
}

/*
 * Ends the sampling threads that are done. A sampling that gave up was cancelled, or
 * the grace period of a shutdown ran out: then it is released back to the queue.
 */
static void
step_samplings(struct daemon *d, long long now)
{
	struct sampling_task	*t;
	size_t			 i;
	int			 releasing = d->stop_deadline != 0 && now >= d->stop_deadline;
	char			 msg[160];

	for (i = 0; i < d->nsamplings; ) {
		t = d->samplings[i];
		if (releasing)
			sampling_stop(t);
		if (!sampling_done(t)) {
			i++;
			continue;
		}
		if (sampling_unfinished(t)) {
			snprintf(msg, sizeof(msg), releasing ? "Daemon %s stopping: job released" :
			    "Job cancelled: sampling stopped, nothing kept", d->id);
			(void)queue_finish(d->db, d->id, sampling_job(t), releasing ?
			    QUEUE_RELEASED : QUEUE_CANCELLED, NULL, NULL, NULL, msg, 0);
		}
		sampling_free(t);
		d->samplings[i] = d->samplings[--d->nsamplings];
	}
}

/* Ends a purge run that is done and says what it deleted; the next comes sooner while a backlog lasts. */
static void
step_purge(struct daemon *d, long long now)
{
	struct purge_run *p = d->purge;

	if (p == NULL)
		return;
	if (d->stop_deadline != 0)
		purge_stop(p);
	if (!purge_done(p))
		return;
	if (purge_count(p) > 0)
		log_info("purged %zu job(s) that ended more than %u days ago", purge_count(p),
		    d->cfg.retention_days);
	if (purge_error(p) != SQ_OK)
		log_warn("retention purge stopped: %s", sq_strerror(purge_error(p)));
	d->next_purge = now + (purge_more(p) ? 1000 : PURGE_MS);
	purge_free(p);
	d->purge = NULL;
}

/* Ends the schedule thread once asked to (SIGTERM, a reload: it restarts with the new config). */
static void
step_sched(struct daemon *d, long long now)
{
	if (d->sched == NULL)
		return;
	if (d->stop_deadline != 0)
		schedrun_stop(d->sched);
	if (!schedrun_done(d->sched))
		return;
	schedrun_free(d->sched);
	d->sched = NULL;
	d->next_sched = now;
}

/* SIGHUP: re-read the config; what a running process can take is taken, the rest logged. */
static void
reload(struct daemon *d)
{
	struct config	 n;
	struct netguard	 g;
	char		 err[512];

	if (config_load(&n, d->cfg_path, err, sizeof(err)) == -1) {
		log_err("reload refused, keeping the running config: %s", err);
		return;
	}
	if (netguard_parse(&g, n.daemon_allow_networks, err, sizeof(err)) == -1) {
		log_err("reload refused: [daemon] allow_networks: %s", err);
		return;
	}
	if (strcmp(n.db_socket, d->cfg.db_socket) != 0 || strcmp(n.db_host, d->cfg.db_host) != 0 ||
	    strcmp(n.db_name, d->cfg.db_name) != 0 || strcmp(n.db_user, d->cfg.db_user) != 0 ||
	    n.daemon_concurrency != d->cfg.daemon_concurrency ||
	    n.daemon_per_host != d->cfg.daemon_per_host)
		log_warn("reload: database and connection-limit settings take effect on restart");
	/* The engine and the store hold pointers into d->cfg: change values in place. */
	d->cfg.daemon_max_jobs = n.daemon_max_jobs;
	d->cfg.daemon_claim_batch = n.daemon_claim_batch;
	d->cfg.daemon_idle_poll_ms = n.daemon_idle_poll_ms;
	d->cfg.daemon_lease_seconds = n.daemon_lease_seconds;
	d->cfg.daemon_grace_seconds = n.daemon_grace_seconds;
	d->cfg.daemon_flush_ms = n.daemon_flush_ms;
	d->cfg.daemon_retry_backoff = n.daemon_retry_backoff;
	d->cfg.daemon_timeout = n.daemon_timeout;
	d->cfg.daemon_max_redirects = n.daemon_max_redirects;
	d->cfg.daemon_max_body = n.daemon_max_body;
	d->cfg.daemon_host_delay_ms = n.daemon_host_delay_ms;
	d->cfg.daemon_selector_cpu_ms = n.daemon_selector_cpu_ms;
	d->cfg.daemon_handler_timeout = n.daemon_handler_timeout;
	memcpy(d->cfg.daemon_handler_user, n.daemon_handler_user, sizeof(n.daemon_handler_user));
	d->cfg.max_results_per_target = n.max_results_per_target;
	d->cfg.retention_days = n.retention_days;
	/* The schedule thread restarts below with a copy of these. */
	d->cfg.jobs_per_day = n.jobs_per_day;
	d->cfg.active_runs_per_project = n.active_runs_per_project;
	memcpy(d->cfg.daemon_user_agent, n.daemon_user_agent, sizeof(n.daemon_user_agent));
	d->cfg.log_level = n.log_level;
	d->guard = g;
	log_init("scrapeqd", d->cfg.log_level, 0);
	if (d->sched != NULL)
		schedrun_stop(d->sched);        /* it holds a copy of the old config */
	log_info("config reloaded from %s", d->cfg_path);
	explicit_bzero(&n, sizeof(n));
}

static int
setup(struct daemon *d, const char *idarg)
{
	char	 err[512], host[256];

	if (config_load(&d->cfg, d->cfg_path, err, sizeof(err)) == -1) {
		fprintf(stderr, "scrapeqd: %s\n", err);
		return 2;
	}
	if (netguard_parse(&d->guard, d->cfg.daemon_allow_networks, err, sizeof(err)) == -1) {
		fprintf(stderr, "scrapeqd: %s: [daemon] allow_networks: %s\n", d->cfg_path, err);
		return 2;
	}
	log_init("scrapeqd", d->cfg.log_level, 0);
	if (gethostname(host, sizeof(host)) != 0)
		text_copy(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	if (idarg != NULL)
		text_copy(d->id, sizeof(d->id), idarg);
	else if (d->cfg.daemon_id[0] != '\0')
		text_copy(d->id, sizeof(d->id), d->cfg.daemon_id);
	else
		snprintf(d->id, sizeof(d->id), "%.40s-%d", host, (int)getpid());
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("library initialisation failed");
		return 1;
	}
	xmlInitParser();
	d->db = db_new(&d->cfg);
	d->store = store_new(d->db, d->id);
	d->engine = engine_new(&d->cfg, &d->guard, on_fetch_done);
	d->selectors = selpool_new(&d->cfg, NULL, on_selectors_done);   /* workers: this executable */
	d->crawls = calloc(1024, sizeof(*d->crawls));
	d->runs = calloc(1024, sizeof(*d->runs));
	d->samplings = calloc(1024, sizeof(*d->samplings));
	if (d->db == NULL || d->store == NULL || d->engine == NULL || d->selectors == NULL ||
	    d->crawls == NULL ||
	    d->runs == NULL || d->samplings == NULL) {
		log_err("out of memory at start");
		return 1;
	}
	d->env.cfg = &d->cfg;
	d->env.engine = d->engine;
	d->env.store = d->store;
	d->env.selectors = d->selectors;
	d->env.pages = &d->pages;
	d->env.memo = hrefcache_new();          /* NULL (no memory): every href resolved in full */
	while (queue_register(d->db, d->id, host, (int)getpid()) != SQ_OK) {
		if (got_term)
			return 1;
		log_warn("cannot register with the database; retrying");
		sleep(1);
	}
	if ((d->hooks = hooks_start(&d->cfg, &d->guard, d->id)) == NULL)
		log_err("cannot start webhook delivery; this daemon delivers none");
	log_info("daemon %s started (concurrency %u, %u per host, up to %u jobs)", d->id,
	    d->cfg.daemon_concurrency, d->cfg.daemon_per_host, d->cfg.daemon_max_jobs);
	return 0;
}

/* How long the loop may wait for transfers: until the next claim, if one may come. */
static int
loop_wait(const struct daemon *d, long long now)
{
	long long until = d->next_claim - now;

	if (running(d) >= d->cfg.daemon_max_jobs || d->stop_deadline != 0 || until >= LOOP_MS)
		return LOOP_MS;
	return until > 0 ? (int)until : 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: scrapeqd [-c FILE] [--id ID]\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "id", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	static struct daemon d;
	struct sigaction sa;
	struct curl_waitfd fds[SELPOOL_WAITFDS_MAX];
	const char	*cpath = NULL, *idarg = NULL;
	long long	 now;
	int		 ch, rc, busy;

	/*
	 * libxml2 builds every page's tree from a few hundred small blocks and frees them
	 * all at once: blocks up to 160 bytes then come back through glibc's fast bins
	 * instead of its sorted ones (issue 13: _int_malloc was 19% of a crawl's samples;
	 * scrapeqd's CPU over bench/crawl's 20,000 pages 4.4, 3.9 s with it against 5.4 s).
	 */
	mallopt(M_MXFAST, (int)DAEMON_MXFAST);
	if (argc == 2 && strcmp(argv[1], SELWORKER_ARG) == 0)
		return selworker_main();
	cloexec_all();
	while ((ch = getopt_long(argc, argv, "c:i:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': cpath = optarg; break;
		case 'i':
			if (strlen(optarg) == 0 || strlen(optarg) >= sizeof(d.id))
				usage();
			idarg = optarg;
			break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.cfg_path = config_path(cpath);
	if ((rc = setup(&d, idarg)) != 0)
		return rc;
	cloexec_all();          /* what libcurl and the hooks thread opened without it */
	for (;;) {
		now = clock_mono_ms();
		if (got_hup) {
			got_hup = 0;
			reload(&d);
		}
		if (got_term && d.stop_deadline == 0) {
			d.stop_deadline = now + (long long)d.cfg.daemon_grace_seconds * 1000;
			hooks_stop(d.hooks);
			log_info("stopping: no new claims; %zu job(s) get %u s to finish",
			    running(&d), d.cfg.daemon_grace_seconds);
		}
		if (d.stop_deadline != 0 && running(&d) == 0 &&
		    d.purge == NULL && d.sched == NULL)
			break;
		busy = claim(&d, now);
		timers(&d, now);
		if (engine_run(d.engine, busy ? 0 : loop_wait(&d, clock_mono_ms()), fds,
		    selpool_waitfds(d.selectors, fds, SELPOOL_WAITFDS_MAX)) == -1)
			log_err("curl multi failed");
		selpool_step(d.selectors);
		step_crawls(&d, clock_mono_ms());
		step_runs(&d, clock_mono_ms());
		step_samplings(&d, clock_mono_ms());
		step_purge(&d, clock_mono_ms());
		step_sched(&d, clock_mono_ms());
	}
	hooks_free(d.hooks);
	(void)store_flush(d.store);
	{
		struct metrics_pages add = pages_delta(&d);

		(void)queue_unregister(d.db, d.id, &add);
	}
	selpool_free(d.selectors);
	hrefcache_free(d.env.memo);
	engine_free(d.engine);
	store_free(d.store);
	db_free(d.db);
	free(d.crawls);
	free(d.runs);
	free(d.samplings);
	xmlCleanupParser();
	curl_global_cleanup();
	log_info("daemon %s stopped", d.id);
	return 0;
}
