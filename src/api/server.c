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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcgiapp.h>

#include "scrapeq/cloexec.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
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
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;

struct thread_arg {
	const struct config	*cfg;
	int			 fd;
	struct auth_gate	*gate;     /* the process's bound on password verifications */
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
	if (path[0] == '/' || path[0] == '.')
		return listen_unix(path, group);
	if ((fd = FCGX_OpenSocket(path, SOCKET_BACKLOG)) < 0) {
		log_err("cannot listen on %s: %s", path, strerror(errno));
		return -1;
	}
	cloexec_set(fd);           /* libfcgi's TCP socket: no file mode to set */
	return fd;
}

static double
elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
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

static void *
worker_thread(void *arg)
{
	const struct thread_arg	*ta = arg;
	struct worker		 w = { .cfg = ta->cfg, .gate = ta->gate };
	FCGX_Request		 f;
	struct req		 r;
	struct timespec		 t0;
	int			 rc;

	w.db = db_new(ta->cfg);
	w.auth = auth_cache_new(ta->cfg->api_token_cache_seconds);
	if (w.db == NULL || w.auth == NULL || FCGX_InitRequest(&f, ta->fd, 0) != 0) {
		log_err("worker: out of memory at start");
		exit(1);
	}
	for (;;) {
		pthread_mutex_lock(&accept_lock);
		if (stopping) {
			pthread_mutex_unlock(&accept_lock);
			break;
		}
		rc = FCGX_Accept_r(&f);
		if (rc >= 0) {
			atomic_fetch_add(&inflight, 1);
			cloexec_set(f.ipcFd);   /* libfcgi accepts without SOCK_CLOEXEC */
		}
		pthread_mutex_unlock(&accept_lock);
		if (rc < 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (req_init(&r, &f, &w) == -1) {
			static const char big[] = "Status: 414 URI Too Long\r\n"
			    "Content-Type: application/json\r\nContent-Length: 67\r\n\r\n"
			    "{\"error\":{\"code\":\"URI_TOO_LONG\",\"message\":\"Request path too long\"}}";

			r.status = 414;
			FCGX_PutStr(big, (int)sizeof(big) - 1, f.out);
		} else
			router_dispatch(&r);
		access_log(ta->cfg, &r, elapsed_ms(&t0));
		req_done(&r);
		FCGX_Finish_r(&f);
		atomic_fetch_sub(&inflight, 1);
	}
	db_free(w.db);
	auth_cache_free(w.auth);
	return NULL;
}

/*
 * One worker process: threads accept on fd; the main thread waits for SIGTERM,
 * then lets requests in flight finish (up to WORKER_DRAIN_MS) and exits 0. Threads
 * still blocked in accept hold no request, so exiting under them loses nothing.
 */
static void
worker_main(const struct config *cfg, int fd, unsigned threads)
{
	struct thread_arg	 ta = { cfg, fd, NULL };
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
	/* An accept that returned just now counts itself in a moment: give it one. */
	for (waited = 0; waited < WORKER_DRAIN_MS; waited += 10) {
		usleep(10000);
		if (atomic_load(&inflight) == 0)
			break;
	}
	exit(0);
}

static pid_t
spawn_worker(const struct config *cfg, int fd, unsigned threads, const sigset_t *old)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigprocmask(SIG_SETMASK, old, NULL);
		worker_main(cfg, fd, threads);
	}
	if (pid < 0)
		log_err("fork: %s", strerror(errno));
	return pid;
}

/* Reaps every dead worker and starts a new one in its place. */
static void
reap_and_restart(const struct config *cfg, int fd, unsigned threads, pid_t *pids,
    time_t *born, unsigned workers, const sigset_t *old)
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
			pids[i] = spawn_worker(cfg, fd, threads, old);
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
	pid_t		*pids;
	time_t		*born;
	unsigned	 i;
	int		 sig, status;

	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0)
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
		pids[i] = spawn_worker(cfg, fd, threads, &old);
		born[i] = time(NULL);
	}
	log_info("serving with %u workers x %u threads", workers, threads);
	for (;;) {
		if ((sig = sigwaitinfo(&set, NULL)) == -1)
			continue;
		if (sig != SIGCHLD)
			break;
		reap_and_restart(cfg, fd, threads, pids, born, workers, &old);
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
