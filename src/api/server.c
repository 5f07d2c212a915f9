/* server.c: FastCGI socket, prefork supervisor, and the worker threads' accept loop. */
#include <errno.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcgiapp.h>

#include "scrapeq/cloexec.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "reqstats.h"
#include "request.h"
#include "router.h"
#include "server.h"

#define SOCKET_BACKLOG 1024        /* pending FastCGI connections */
#define SOCKET_GROUP_BUF 16384     /* getgrnam_r's scratch space */
#define WORKER_DRAIN_MS 10000      /* how long a stopping worker lets requests finish */
#define WORKER_MMAP_THRESHOLD (4 << 20)   /* blocks under it come from the heap */
#define WORKER_TRIM_THRESHOLD (8 << 20)   /* free memory a thread arena keeps */

static atomic_int stopping;               /* set once this worker is told to stop */
static atomic_int inflight;               /* requests accepted and not yet finished */
static atomic_int kept;                   /* connections parked in the wait set */

/*
 * A worker process's threads share one epoll wait set: the listening socket and every
 * FastCGI connection nginx keeps (fastcgi_keep_conn) while it is idle. A thread takes
 * whichever is ready, serves one request, and parks a kept connection again, so an
 * idle kept connection holds no thread, and the pool never closes one that nginx may
 * be reusing (nginx does not retry a POST on a connection the upstream closed).
 */
struct thread_arg {
	const struct config	*cfg;
	int			 fd;       /* the listening socket */
	int			 ep;       /* the process's wait set */
	struct auth_gate	*gate;     /* the process's bound on password verifications */
	struct reqstats		*stats;    /* the pool's request counters */
};

/* The group named by [api] socket_group; -1 (and logged) when there is none by that name. */
static int
socket_gid(const char *group, gid_t *gid)
{
	struct group	 gr, *res = NULL;
	char		 buf[SOCKET_GROUP_BUF];

	if (getgrnam_r(group, &gr, buf, sizeof(buf), &res) != 0 || res == NULL) {
		log_err("[api] socket_group '%s': no such group", group);
		return -1;
	}
	*gid = gr.gr_gid;
	return 0;
}

/*
 * A unix socket made mode 0660 from the start: bound under a umask that leaves no
 * moment at which another user could connect, then chmod'ed in case the umask was
 * stricter, then given the group nginx's workers are in.
 */
static int
listen_unix(const char *path, const char *group)
{
	struct sockaddr_un	 sa;
	mode_t			 old;
	gid_t			 gid = (gid_t)-1;
	int			 fd, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("cannot listen on %s: path longer than %zu bytes", path,
		    sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (group[0] != '\0' && socket_gid(group, &gid) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_err("socket: %s", strerror(errno));
		return -1;
	}
	(void)unlink(path);        /* a stale socket from an earlier run */
	old = umask(0777 & ~SQ_API_SOCKET_MODE);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc == -1 || chmod(path, SQ_API_SOCKET_MODE) == -1 ||
	    (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) == -1) ||
	    listen(fd, SOCKET_BACKLOG) == -1) {
		log_err("cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
server_listen(const char *path, const char *group)
{
	struct stat	 st;
	int		 fd;

	if (path == NULL || path[0] == '\0') {
		if (fstat(0, &st) == -1 || !S_ISSOCK(st.st_mode)) {
			log_err("no listening socket: fd 0 is not a socket; "
			    "pass --socket PATH or set [api] socket");
			return -1;
		}
		return 0;
	}
	/* libfcgi would make a colon-less name a unix socket of its own, without our mode. */
	if (path[0] == '/' || path[0] == '.' || strchr(path, ':') == NULL)
		return listen_unix(path, group);
	if ((fd = FCGX_OpenSocket(path, SOCKET_BACKLOG)) < 0) {
		log_err("cannot listen on %s: %s", path, strerror(errno));
		return -1;
	}
	cloexec_set(fd);           /* libfcgi's TCP socket: no file mode to set */
	return fd;
}

static double
elapsed_s(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void
access_log(const struct config *cfg, const struct req *r, double ms)
{
	char path[256];

	if (strcmp(cfg->api_access_log, "off") == 0)
		return;
	log_clean(path, sizeof(path), r->path, strlen(r->path), 200);
	if (strcmp(cfg->api_access_log, "syslog") == 0)
		syslog(LOG_INFO, "%s %s %d %.1fms", r->method, path, r->status, ms);
	else
		fprintf(stderr, "access: %s %s %d %.1fms\n", r->method, path, r->status, ms);
}

/*
 * Reads what is left of the request's body (bounded): a connection that nginx keeps
 * must start the next request at a record boundary. Returns 0, or -1 when the rest is
 * too long or the stream failed, and the connection is then closed, not kept.
 */
static int
drain_input(FCGX_Request *f)
{
	char	 buf[4096];
	size_t	 left = SQ_API_DRAIN_MAX;
	int	 n;

	while ((n = FCGX_GetStr(buf, (int)sizeof(buf), f->in)) > 0) {
		if ((size_t)n > left)
			return -1;
		left -= (size_t)n;
	}
	return FCGX_GetError(f->in) == 0 ? 0 : -1;
}

static void
serve(const struct thread_arg *ta, struct worker *w, FCGX_Request *f)
{
	struct req	 r;
	struct timespec	 t0;
	double		 s;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (req_init(&r, f, w) == -1) {
		static const char big[] = "Status: 414 URI Too Long\r\n"
		    "Content-Type: application/json\r\nContent-Length: 67\r\n\r\n"
		    "{\"error\":{\"code\":\"URI_TOO_LONG\",\"message\":\"Request path too long\"}}";

		r.status = 414;
		FCGX_PutStr(big, (int)sizeof(big) - 1, f->out);
	} else
		router_dispatch(&r);
	s = elapsed_s(&t0);
	reqstats_record(ta->stats, r.group, r.status, s);
	access_log(ta->cfg, &r, s * 1e3);
	req_done(&r);
}

/*
 * Serves one request on fd (just accepted, or a parked connection that became
 * readable) and parks fd again when nginx asked to keep it. parked says whether fd is
 * in the wait set already (oneshot, disarmed).
 */
static void
serve_conn(const struct thread_arg *ta, struct worker *w, FCGX_Request *f, int fd,
    int parked)
{
	struct epoll_event	 ev;

	f->ipcFd = fd;
	f->keepConnection = 1;     /* FCGX_Accept_r first finishes "the last request": no close */
	if (FCGX_Accept_r(f) < 0) {
		if (parked)        /* nginx closed it, or a bad record: libfcgi closed fd */
			atomic_fetch_sub(&kept, 1);
		return;
	}
	serve(ta, w, f);
	if (f->keepConnection && (drain_input(f) == -1 || stopping ||
	    (!parked && atomic_load(&kept) >= SQ_API_KEPT_MAX)))
		f->keepConnection = 0;
	FCGX_Finish_r(f);          /* closes fd unless nginx keeps the connection */
	if (f->ipcFd < 0) {
		if (parked)
			atomic_fetch_sub(&kept, 1);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.fd = f->ipcFd;
	if (epoll_ctl(ta->ep, parked ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, f->ipcFd, &ev) == -1) {
		log_err("worker: epoll_ctl: %s", strerror(errno));
		close(f->ipcFd);
		if (parked)
			atomic_fetch_sub(&kept, 1);
	} else if (!parked)
		atomic_fetch_add(&kept, 1);
	f->ipcFd = -1;             /* the wait set owns it now */
}

/*
 * A new connection from the listening socket, or -1 (another thread or process took
 * it). A TCP connection gets TCP_NODELAY, as libfcgi's own accept gave it: an answer
 * written in several writes must not wait for the peer's delayed ACK.
 */
static int
accept_conn(int lfd)
{
	struct sockaddr_storage	 sa;
	socklen_t		 len = sizeof(sa);
	int			 fd, one = 1;

	if ((fd = accept4(lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC)) >= 0) {
		if (sa.ss_family == AF_INET || sa.ss_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		return fd;
	}
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
		log_err("worker: accept: %s", strerror(errno));
		usleep(10000);     /* the socket stays readable: do not spin */
	}
	return -1;
}

static void *
worker_thread(void *arg)
{
	const struct thread_arg	*ta = arg;
	struct worker		 w = { .cfg = ta->cfg, .gate = ta->gate, .stats = ta->stats };
	struct epoll_event	 ev;
	FCGX_Request		 f;
	int			 fd;

	w.db = db_new(ta->cfg);
	w.auth = auth_cache_new(ta->cfg->api_token_cache_seconds);
	/* No listening socket for libfcgi: the loop below accepts; libfcgi only reads. */
	if (w.db == NULL || w.auth == NULL || FCGX_InitRequest(&f, -1, 0) != 0) {
		log_err("worker: out of memory at start");
		exit(1);
	}
	for (;;) {
		if (epoll_wait(ta->ep, &ev, 1, -1) != 1)
			continue;
		atomic_fetch_add(&inflight, 1);
		/* A kept connection that speaks holds a request nginx has sent: serve it even when stopping. */
		if (ev.data.fd != ta->fd)
			serve_conn(ta, &w, &f, ev.data.fd, 1);
		else if (!stopping && (fd = accept_conn(ta->fd)) >= 0)
			serve_conn(ta, &w, &f, fd, 0);
		atomic_fetch_sub(&inflight, 1);
	}
	return NULL;               /* not reached: the process exits under its threads */
}

/* The process's wait set with the listening socket in it, made non-blocking: every worker process waits on it. */
static int
wait_set_new(int lfd)
{
	struct epoll_event	 ev;
	int			 ep, fl;

	if ((fl = fcntl(lfd, F_GETFL)) == -1 || fcntl(lfd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;     /* one process woken per connection */
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == -1) {
		close(ep);
		return -1;
	}
	return ep;
}

/*
 * One worker process: threads wait on the wait set; the main thread waits for
 * SIGTERM, takes the listening socket out of the wait set, lets requests in flight
 * finish (up to WORKER_DRAIN_MS; a kept connection that speaks meanwhile is served and
 * then closed) and exits 0. Threads still waiting hold no request; exiting closes the
 * idle kept connections, which nginx then drops (a GET sent on one at that moment is
 * retried by nginx on a new connection, a POST gets the snippet's 503).
 */
static void
worker_main(const struct config *cfg, int fd, unsigned threads, struct reqstats *stats)
{
	struct thread_arg	 ta = { cfg, fd, -1, NULL, stats };
	pthread_t		 tid;
	sigset_t		 set;
	unsigned		 i, waited;
	int			 sig;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * A large answer (a seed 002 page is ~650 KB) was mmap'd, or trimmed back from its
	 * thread's arena, and page-faulted in again by the next request: measured here,
	 * 56 -> 79 pages/s of GET /v1/jobs with these, for ~1.5 MB more resident per worker.
	 */
	mallopt(M_MMAP_THRESHOLD, WORKER_MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, WORKER_TRIM_THRESHOLD);
	if ((ta.gate = auth_gate_new(cfg->login_verify_max, cfg->login_verify_wait_ms)) == NULL) {
		log_err("worker: out of memory at start");
		exit(1);
	}
	if ((ta.ep = wait_set_new(fd)) == -1) {
		log_err("worker: epoll: %s", strerror(errno));
		exit(1);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);     /* inherited by the threads */
	for (i = 0; i < threads; i++)
		if (pthread_create(&tid, NULL, worker_thread, &ta) != 0) {
			log_err("worker: pthread_create failed");
			exit(1);
		}
	while (sigwait(&set, &sig) != 0)
		;
	stopping = 1;
	/* New connections go to the other workers; kept ones that speak are still served. */
	(void)epoll_ctl(ta.ep, EPOLL_CTL_DEL, fd, NULL);
	/* An accept that returned just now counts itself in a moment: give it one. */
	for (waited = 0; waited < WORKER_DRAIN_MS; waited += 10) {
		usleep(10000);
		if (atomic_load(&inflight) == 0)
			break;
	}
	exit(0);
}

static pid_t
spawn_worker(const struct config *cfg, int fd, unsigned threads, const sigset_t *old,
    struct reqstats *stats)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigprocmask(SIG_SETMASK, old, NULL);
		worker_main(cfg, fd, threads, stats);
	}
	if (pid < 0)
		log_err("fork: %s", strerror(errno));
	return pid;
}

/* Reaps every dead worker and starts a new one in its place. */
static void
reap_and_restart(const struct config *cfg, int fd, unsigned threads, pid_t *pids,
    time_t *born, unsigned workers, const sigset_t *old, struct reqstats *stats)
{
	pid_t		 dead;
	unsigned	 i;
	int		 status;

	while ((dead = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < workers; i++) {
			if (pids[i] != dead)
				continue;
			log_err("worker %d died (%s %d); restarting", (int)dead,
			    WIFSIGNALED(status) ? "signal" : "exit",
			    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			if (time(NULL) - born[i] < 1)
				sleep(1);          /* a worker that dies at once must not spin */
			pids[i] = spawn_worker(cfg, fd, threads, old, stats);
			born[i] = time(NULL);
		}
	}
}

/*
 * The supervisor blocks its signals and takes them one at a time with sigwaitinfo,
 * so a SIGTERM can never slip in between a check and a wait.
 */
int
server_run(const struct config *cfg, int fd, unsigned workers, unsigned threads)
{
	sigset_t	 set, old;
	struct reqstats	*stats;
	pid_t		*pids;
	time_t		*born;
	unsigned	 i;
	int		 sig, status;

	signal(SIGPIPE, SIG_IGN);
	/* A log rotation's or a habit's "kill -HUP" must not end the pool (there is no reload). */
	signal(SIGHUP, SIG_IGN);
	if (FCGX_Init() != 0)
		return 1;
	/* Before any fork: the workers, and their replacements, share these counters. */
	if ((stats = reqstats_new()) == NULL)
		return 1;
	pids = calloc(workers, sizeof(*pids));
	born = calloc(workers, sizeof(*born));
	if (pids == NULL || born == NULL)
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (i = 0; i < workers; i++) {
		pids[i] = spawn_worker(cfg, fd, threads, &old, stats);
		born[i] = time(NULL);
	}
	log_info("serving with %u workers x %u threads", workers, threads);
	for (;;) {
		if ((sig = sigwaitinfo(&set, NULL)) == -1)
			continue;
		if (sig != SIGCHLD)
			break;
		reap_and_restart(cfg, fd, threads, pids, born, workers, &old, stats);
	}
	for (i = 0; i < workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (i = 0; i < workers; i++)
		if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] &&
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			log_warn("worker %d did not stop cleanly (%s %d)", (int)pids[i],
			    WIFSIGNALED(status) ? "signal" : "exit",
			    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	free(pids);
	free(born);
	log_info("stopped");
	return 0;
}
