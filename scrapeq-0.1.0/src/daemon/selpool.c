/* selpool.c: job selectors in selector workers (scrapeqd re-run as one), driven from the loop through non-blocking pipes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "scrapeq/clock.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/selpool.h"
#include "scrapeq/selwire.h"
#include "scrapeq/selworker.h"

#define PIPE_BYTES	(1024 * 1024)	/* asked for the request pipe: a large page goes in fewer loop turns */
#define EXIT_GRACE_MS	1000		/* a worker that closed its pipes gets this long to exit on its own */

extern char **environ;

/* One page's selectors, from selpool_submit until done is called or its owner cancels. */
struct work {
	void				*owner, *page;
	const char			*url, *body;
	size_t				 len;
	const struct extract_selector	*sel;
	size_t				 nsel;
	struct work			*next;
};

/* A worker is free (pid 0 or pipes open, no work), busy (work), or dying (pid, pipes closed). */
struct worker {
	pid_t		 pid;
	int		 to, from;	/* its stdin and stdout, non-blocking; -1: closed */
	struct work	*work;
	struct buf	 req;		/* the request, until all of it is written */
	size_t		 sent;
	char		 in[2 * SELWIRE_REPLY_MAX];	/* replies read, not yet decoded */
	size_t		 inlen;
	char		*values[EXTRACT_MAX_SELECTORS];
	int		 current;	/* the selector it said it began; -1: none yet */
	long long	 deadline;	/* monotonic ms */
	int		 wall;		/* killed at the deadline */
	long long	 kill_at;	/* dying on its own: SIGKILL due then (0: none) */
};

struct selpool {
	const struct config	*cfg;
	const char		*exe;
	int			 self;		/* this executable, open; -1: exe is another */
	char			 self_path[32];	/* /proc/self/fd/<self> */
	selpool_done_fn		 done;
	struct worker		 w[SQ_SELECTOR_WORKERS];
	struct work		*queue;		/* waiting for a worker, oldest first */
	size_t			 reserved;
};

struct selpool *
selpool_new(const struct config *cfg, const char *exe, selpool_done_fn done)
{
	struct selpool	*p;
	size_t		 i;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->cfg = cfg;
	p->exe = exe;
	p->self = -1;
	p->done = done;
	/*
	 * This executable is held open and run through its descriptor: a worker is the
	 * same build as the daemon even once a package upgrade replaced the file, and
	 * under valgrind (where /proc/self/exe names the tool) it is still scrapeqd.
	 */
	if (exe == NULL) {
		if ((p->self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) == -1) {
			free(p);
			return NULL;
		}
		snprintf(p->self_path, sizeof(p->self_path), "/proc/self/fd/%d", p->self);
		p->exe = p->self_path;
	}
	for (i = 0; i < SQ_SELECTOR_WORKERS; i++) {
		p->w[i].to = p->w[i].from = -1;
		p->w[i].current = -1;
		buf_init(&p->w[i].req, SELWIRE_REQUEST_MAX);
	}
	return p;
}

static void
clear_values(struct worker *w)
{
	size_t i;

	for (i = 0; i < EXTRACT_MAX_SELECTORS; i++) {
		free(w->values[i]);
		w->values[i] = NULL;
	}
	w->current = -1;
}

/*
 * Closes w's pipes: it is dying (reaped later); its request and unread replies are
 * dropped. One that closed its end itself is given EXIT_GRACE_MS to exit before a
 * SIGKILL: a signal sent now could replace the status it is exiting with (a
 * single-threaded process exiting of itself or on SIGSEGV can still take SIGKILL).
 */
static void
close_worker(struct worker *w)
{
	if (w->to != -1)
		close(w->to);
	if (w->from != -1)
		close(w->from);
	w->to = w->from = -1;
	buf_free(&w->req);
	w->sent = w->inlen = 0;
	w->kill_at = clock_mono_ms() + EXIT_GRACE_MS;
}

/* Stops w at once; it is reaped later. */
static void
kill_worker(struct worker *w)
{
	if (w->pid > 0)
		kill(w->pid, SIGKILL);
	close_worker(w);
	w->kill_at = 0;
}

void
selpool_free(struct selpool *p)
{
	struct work	*wk;
	size_t		 i;
	int		 status;

	if (p == NULL)
		return;
	for (i = 0; i < SQ_SELECTOR_WORKERS; i++) {
		kill_worker(&p->w[i]);
		if (p->w[i].pid > 0)
			(void)waitpid(p->w[i].pid, &status, 0);
		clear_values(&p->w[i]);
		free(p->w[i].work);
	}
	while ((wk = p->queue) != NULL) {
		p->queue = wk->next;
		free(wk);
	}
	if (p->self != -1)
		close(p->self);
	free(p);
}

int
selpool_submit(struct selpool *p, void *owner, void *page, const char *url, const char *body,
    size_t len, const struct extract_selector *sel, size_t nsel)
{
	struct work *wk, **pp;

	if ((wk = calloc(1, sizeof(*wk))) == NULL)
		return -1;
	wk->owner = owner;
	wk->page = page;
	wk->url = url;
	wk->body = body;
	wk->len = len;
	wk->sel = sel;
	wk->nsel = nsel < EXTRACT_MAX_SELECTORS ? nsel : EXTRACT_MAX_SELECTORS;
	for (pp = &p->queue; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = wk;
	return 0;
}

void
selpool_cancel(struct selpool *p, void *owner)
{
	struct work	**pp, *wk;
	size_t		 i;

	for (pp = &p->queue; (wk = *pp) != NULL; ) {
		if (wk->owner == owner) {
			*pp = wk->next;
			free(wk);
		} else
			pp = &wk->next;
	}
	for (i = 0; i < SQ_SELECTOR_WORKERS; i++) {
		if (p->w[i].work == NULL || p->w[i].work->owner != owner)
			continue;
		free(p->w[i].work);
		p->w[i].work = NULL;
		kill_worker(&p->w[i]);
		clear_values(&p->w[i]);
	}
}

int
selpool_room(const struct selpool *p)
{
	return p->reserved < SQ_SELECTOR_PAGES;
}

int
selpool_reserve(struct selpool *p)
{
	if (!selpool_room(p))
		return -1;
	p->reserved++;
	return 0;
}

void
selpool_unreserve(struct selpool *p, size_t n)
{
	p->reserved = n < p->reserved ? p->reserved - n : 0;
}

unsigned
selpool_waitfds(const struct selpool *p, struct curl_waitfd *fds, unsigned max)
{
	const struct worker	*w;
	unsigned		 n = 0;
	size_t			 i;

	for (i = 0; i < SQ_SELECTOR_WORKERS; i++) {
		w = &p->w[i];
		if (w->from != -1 && n < max) {
			fds[n].fd = w->from;
			fds[n].events = CURL_WAIT_POLLIN;
			fds[n++].revents = 0;
		}
		if (w->to != -1 && w->sent < w->req.len && n < max) {
			fds[n].fd = w->to;
			fds[n].events = CURL_WAIT_POLLOUT;
			fds[n++].revents = 0;
		}
	}
	return n;
}

/* Hands the page's end to its owner; w is free for the next. */
static void
finish(struct selpool *p, struct worker *w, enum selpool_outcome o, int status)
{
	struct selpool_result	 r;
	struct work		*wk = w->work;

	w->work = NULL;
	r.outcome = o;
	r.selector = w->current;
	r.status = status;
	r.values = w->values;
	r.nvalues = wk->nsel;
	p->done(wk->owner, wk->page, &r);
	clear_values(w);
	free(wk);
}

/* Starts w as exe SELWORKER_ARG with pipes on its stdin and stdout. Returns 0, or -1 with errno. */
static int
spawn(struct selpool *p, struct worker *w)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 at;
	sigset_t			 none;
	char				*argv[] = { (char *)"scrapeqd", (char *)SELWORKER_ARG, NULL };
	int				 to[2] = { -1, -1 }, from[2] = { -1, -1 }, rc = -1, e, i;

	/* Close-on-exec: no handler command or later worker holds these ends open. */
	if (pipe2(to, O_CLOEXEC) == -1 || pipe2(from, O_CLOEXEC) == -1)
		goto out;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, to[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, from[1], STDOUT_FILENO);
	/* No signal blocked (SIGPROF must end it); a process group of its own (a terminal's ^C is the daemon's). */
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
	e = posix_spawn(&w->pid, p->exe, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		w->pid = 0;
		errno = e;
		goto out;
	}
	w->to = to[1];
	w->from = from[0];
	to[1] = from[0] = -1;
	(void)fcntl(w->to, F_SETFL, O_NONBLOCK);
	(void)fcntl(w->from, F_SETFL, O_NONBLOCK);
	(void)fcntl(w->to, F_SETPIPE_SZ, PIPE_BYTES);   /* a smaller pipe only costs loop turns */
	rc = 0;
out:
	e = errno;
	for (i = 0; i < 2; i++) {
		if (to[i] != -1)
			close(to[i]);
		if (from[i] != -1)
			close(from[i]);
	}
	errno = e;
	return rc;
}

static void
write_request(struct worker *w)
{
	ssize_t n;

	while (w->sent < w->req.len) {
		if ((n = write(w->to, w->req.data + w->sent, w->req.len - w->sent)) > 0)
			w->sent += (size_t)n;
		else if (n == -1 && errno == EAGAIN)
			return;
		else if (n == -1 && errno != EINTR) {
			close_worker(w);         /* it is gone: reap says how */
			return;
		}
	}
	buf_free(&w->req);                       /* the page's bytes are not kept twice */
	w->sent = 0;
}

/* Decodes what w said. Returns -1 for a reply that is malformed or out of turn. */
static int
take_replies(struct selpool *p, struct worker *w)
{
	struct selwire_reply	 r;
	size_t			 off = 0;
	long			 n;

	while ((n = selwire_reply_get(w->in + off, w->inlen - off, &r)) > 0) {
		off += (size_t)n;
		if (w->work == NULL || (r.kind != SELWIRE_END && r.index >= w->work->nsel))
			return -1;
		if (r.kind == SELWIRE_BEGIN)
			w->current = (int)r.index;
		else if (r.kind == SELWIRE_END)
			finish(p, w, SELPOOL_OK, 0);
		else {
			free(w->values[r.index]);
			w->values[r.index] = NULL;
			if (r.value != NULL && (w->values[r.index] = strndup(r.value, r.len)) == NULL)
				return -1;
		}
	}
	if (n == -1)
		return -1;
	memmove(w->in, w->in + off, w->inlen - off);
	w->inlen -= off;
	return 0;
}

static void
read_replies(struct selpool *p, struct worker *w)
{
	ssize_t n;

	while (w->from != -1) {
		n = read(w->from, w->in + w->inlen, sizeof(w->in) - w->inlen);
		if (n > 0) {
			w->inlen += (size_t)n;
			if (take_replies(p, w) == -1) {
				log_warn("selector worker %d said something malformed; killed", (int)w->pid);
				kill_worker(w);
			}
		} else if (n == -1 && errno == EAGAIN)
			return;
		else if (n == 0 || errno != EINTR)
			close_worker(w);         /* its end of output: it died or is dying */
	}
}

static enum selpool_outcome
outcome(const struct worker *w, int status)
{
	if (w->wall)
		return SELPOOL_WALL;
	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGPROF || WTERMSIG(status) == SIGXCPU))
		return SELPOOL_CPU;
	return SELPOOL_DIED;
}

/* A worker whose pipes are closed: once it has exited, its page (if any) ends with how it died. */
static void
reap(struct selpool *p, struct worker *w)
{
	enum selpool_outcome	 o;
	int			 status = 0;
	pid_t			 r;

	if ((r = waitpid(w->pid, &status, WNOHANG)) == 0 || (r == -1 && errno == EINTR))
		return;
	o = outcome(w, status);
	if (o == SELPOOL_DIED && w->work != NULL)
		log_warn("selector worker %d died (%s %d) on a page", (int)w->pid,
		    WIFSIGNALED(status) ? "signal" : "exit status",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	else if (o == SELPOOL_WALL)
		log_warn("selector worker %d gave no answer within its wall-clock backstop; killed",
		    (int)w->pid);
	w->pid = 0;
	w->kill_at = 0;
	if (w->work != NULL)
		finish(p, w, o, status);
	w->wall = 0;
	clear_values(w);
}

/* The oldest page of a job with none being evaluated, else the oldest: one job's slow pages do not hold up another's. */
static struct work *
next_work(struct selpool *p)
{
	struct work	**pp, **pick = &p->queue, *wk;
	size_t		 i;

	for (pp = &p->queue; *pp != NULL; pp = &(*pp)->next) {
		for (i = 0; i < SQ_SELECTOR_WORKERS; i++)
			if (p->w[i].work != NULL && p->w[i].work->owner == (*pp)->owner)
				break;
		if (i == SQ_SELECTOR_WORKERS) {
			pick = pp;
			break;
		}
	}
	wk = *pick;
	*pick = wk->next;
	wk->next = NULL;
	return wk;
}

/* Gives w (free) the next page, starting the worker when it has none. */
static void
dispatch(struct selpool *p, struct worker *w, long long now)
{
	unsigned cpu_ms = p->cfg->daemon_selector_cpu_ms;

	w->work = next_work(p);
	w->current = -1;
	w->wall = 0;
	w->inlen = 0;
	w->deadline = now + (long long)cpu_ms * SQ_SELECTOR_WALL_FACTOR + SQ_SELECTOR_WALL_SLACK_MS;
	if (w->pid == 0 && spawn(p, w) == -1) {
		log_err("cannot start a selector worker (%s): %s", p->exe, strerror(errno));
		finish(p, w, SELPOOL_UNAVAILABLE, 0);
		return;
	}
	if (selwire_request_put(&w->req, cpu_ms, w->work->url, w->work->body, w->work->len,
	    w->work->sel, w->work->nsel) == -1) {
		log_err("out of memory for a selector worker's request");
		buf_free(&w->req);
		finish(p, w, SELPOOL_UNAVAILABLE, 0);
		return;
	}
	write_request(w);
}

void
selpool_step(struct selpool *p)
{
	struct worker	*w;
	long long	 now = clock_mono_ms();
	size_t		 i;

	for (i = 0; i < SQ_SELECTOR_WORKERS; i++) {
		w = &p->w[i];
		if (w->to != -1 && w->sent < w->req.len)
			write_request(w);
		if (w->from != -1)
			read_replies(p, w);
		if (w->pid > 0 && w->from == -1) {
			reap(p, w);
			if (w->pid > 0 && w->kill_at != 0 && now >= w->kill_at) {
				kill(w->pid, SIGKILL);
				w->kill_at = 0;
			}
		} else if (w->work != NULL && now >= w->deadline) {
			w->wall = 1;
			kill_worker(w);
		}
	}
	for (i = 0; i < SQ_SELECTOR_WORKERS && p->queue != NULL; i++) {
		w = &p->w[i];
		if (w->work == NULL && (w->pid == 0 || w->from != -1))
			dispatch(p, w, now);
	}
}
