/* selworker.c: the selector worker: one page at a time, its XPath selectors under a CPU-time bound, in a process of its own. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <libxml/parser.h>

#include "scrapeq/extract.h"
#include "scrapeq/limits.h"
#include "scrapeq/selwire.h"
#include "scrapeq/selworker.h"

/* AddressSanitizer reserves terabytes of address space: under it RLIMIT_AS would stop the worker at once. */
#if defined(__SANITIZE_ADDRESS__)
#define SELWORKER_NO_AS_LIMIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SELWORKER_NO_AS_LIMIT 1
#endif
#endif

static int
write_full(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

static int
reply(enum selwire_kind kind, size_t index, const char *value)
{
	char out[SELWIRE_REPLY_MAX];

	return write_full(STDOUT_FILENO, out, selwire_reply_put(out, kind, (unsigned)index, value));
}

/* Arms the CPU timer for ms (0 disarms it). Its SIGPROF, left at its default action, ends the process. */
static void
cpu_timer(unsigned ms)
{
	struct itimerval t;

	memset(&t, 0, sizeof(t));
	t.it_value.tv_sec = ms / 1000;
	t.it_value.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	(void)setitimer(ITIMER_PROF, &t, NULL);
}

/*
 * One page: the parse is not timed (scrapeqd's loop parses the same bytes itself,
 * so it cannot be made worse here); the selectors are, together.
 */
static int
page(const struct selwire_request *r)
{
	struct extract_doc	*doc = extract_doc_new(r->body, r->len, r->url);
	char			*v;
	size_t			 i;
	int			 rc = 0;

	cpu_timer(r->cpu_ms);
	for (i = 0; i < r->nsel && rc == 0; i++) {
		v = NULL;
		if ((rc = reply(SELWIRE_BEGIN, i, NULL)) == -1)
			break;
		if (doc != NULL)
			(void)extract_doc_value(doc, r->xpath[i], &v);   /* out of memory: no value */
		rc = reply(SELWIRE_VALUE, i, v);
		free(v);
	}
	cpu_timer(0);
	if (rc == 0)
		rc = reply(SELWIRE_END, 0, NULL);
	extract_doc_free(doc);
	return rc;
}

static void
setup(void)
{
	struct rlimit rl;

	/* Nothing of the daemon's (database and transfer sockets, other pipes) stays open here. */
	(void)close_range(3, ~0U, 0);
	/*
	 * scrapeqd ends it by closing its stdin, or with SIGKILL. A SIGTERM sent to a
	 * whole process group or cgroup at shutdown must not cut off a page the
	 * daemon still waits for during its grace period.
	 */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPROF, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	/* Gone with the daemon even in the middle of a page (stdin's end covers the rest). */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	rl.rlim_cur = rl.rlim_max = 0;
	(void)setrlimit(RLIMIT_CORE, &rl);
#ifndef SELWORKER_NO_AS_LIMIT
	rl.rlim_cur = rl.rlim_max = (rlim_t)SQ_SELECTOR_WORKER_MEM;
	(void)setrlimit(RLIMIT_AS, &rl);
#endif
	xmlInitParser();
}

int
selworker_main(void)
{
	struct selwire_request	 r;
	int			 rc, status = 0;

	setup();
	while ((rc = selwire_request_read(STDIN_FILENO, &r)) == 1) {
		rc = page(&r);
		selwire_request_free(&r);
		if (rc == -1) {
			status = 1;
			break;
		}
	}
	if (rc == -1 && status == 0)
		status = 2;
	xmlCleanupParser();
	return status;
}
