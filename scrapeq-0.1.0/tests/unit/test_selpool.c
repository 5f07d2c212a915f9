/*
 * test_selpool.c: the selector pool with real workers (this program re-run as one): values,
 * a hostile selector cut off by its CPU bound and named, the next page on a new worker,
 * fairness between jobs, cancel, and workers that cannot start or misbehave.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "scrapeq/buf.h"
#include "scrapeq/config.h"
#include "scrapeq/limits.h"
#include "scrapeq/selpool.h"
#include "scrapeq/selwire.h"
#include "scrapeq/selworker.h"
#include "tap.h"

#define HOSTILE "count(//*[. = string(/)])"

/* What done was told about one page. */
struct seen {
	const void		*owner;
	int			 page;
	enum selpool_outcome	 outcome;
	int			 selector;
	int			 status;
	char			*values[4];
	double			 at;        /* seconds since the test began */
};

static struct seen	 seen[64];
static size_t		 nseen;
static struct timespec	 t0;

static double
since(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
}

static void
on_done(void *owner, void *page, const struct selpool_result *r)
{
	struct seen	*s;
	size_t		 i;

	if (nseen == sizeof(seen) / sizeof(seen[0]))
		return;
	s = &seen[nseen++];
	s->owner = owner;
	s->page = (int)(long)page;
	s->outcome = r->outcome;
	s->selector = r->selector;
	s->status = r->status;
	s->at = since();
	for (i = 0; i < 4 && i < r->nvalues; i++)
		s->values[i] = r->outcome == SELPOOL_OK && r->values[i] ? strdup(r->values[i]) : NULL;
}

static const struct seen *
find(const void *owner, int page)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		if (seen[i].owner == owner && seen[i].page == page)
			return &seen[i];
	return NULL;
}

/* Waits on the pool's pipes and steps it until page of owner is done, or timeout seconds pass. */
static const struct seen *
run_until(struct selpool *p, const void *owner, int page, double timeout)
{
	struct curl_waitfd	 w[SELPOOL_WAITFDS_MAX];
	struct pollfd		 pfd[SELPOOL_WAITFDS_MAX];
	double			 end = since() + timeout;
	unsigned		 n, i;

	selpool_step(p);
	while (find(owner, page) == NULL && since() < end) {
		n = selpool_waitfds(p, w, SELPOOL_WAITFDS_MAX);
		for (i = 0; i < n; i++) {
			pfd[i].fd = w[i].fd;
			pfd[i].events = (short)((w[i].events & CURL_WAIT_POLLIN ? POLLIN : 0) |
			    (w[i].events & CURL_WAIT_POLLOUT ? POLLOUT : 0));
		}
		(void)poll(pfd, n, 50);
		selpool_step(p);
	}
	return find(owner, page);
}

/* About 2 MB of HTML: 25,000 paragraphs. */
static char *
big_page(size_t *len)
{
	struct buf	 b;
	int		 i;

	buf_init(&b, 4 * 1024 * 1024);
	buf_puts(&b, "<html><head><title>Big</title></head><body><h1>Big page</h1>\n");
	for (i = 0; i < 25000; i++)
		buf_printf(&b, "<p>paragraph %05d of the big page, lorem ipsum dolor sit amet.</p>\n", i);
	buf_puts(&b, "</body></html>\n");
	*len = b.len;
	return b.oom ? NULL : b.data;
}

static const char small[] = "<html><head><title>T</title></head><body><h1> Hi </h1>"
	"<p>a</p><span class=\"price\">19.99 EUR</span></body></html>";

static void
test_values_and_cpu(struct selpool *p, const char *big, size_t biglen)
{
	static const struct extract_selector sel[] = {
		{ "heading", "//h1" }, { "paras", "count(//p)" }, { "missing", "//table" },
		{ "price", "//span[@class='price']" },
	};
	static const struct extract_selector hostile[] = {
		{ "first", "//p[1]" }, { "slow", HOSTILE }, { "never", "//h1" },
	};
	static int A;
	const struct seen	*s;
	double			 t;

	TAP_CHECK(selpool_submit(p, &A, (void *)1L, "http://e.test/", small, strlen(small), sel, 4)
	    == 0, "submit a small page");
	s = run_until(p, &A, 1, 10);
	TAP_CHECK(s != NULL && s->outcome == SELPOOL_OK, "small page: OK (%d)", s ? (int)s->outcome : -1);
	if (s != NULL && s->outcome == SELPOOL_OK) {
		TAP_STREQ(s->values[0], "Hi", "heading");
		TAP_STREQ(s->values[1], "1", "paras");
		TAP_STREQ(s->values[2], NULL, "missing");
		TAP_STREQ(s->values[3], "19.99 EUR", "price");
	}
	t = since();
	selpool_submit(p, &A, (void *)2L, "http://e.test/big", big, biglen, hostile, 3);
	s = run_until(p, &A, 2, 30);
	TAP_CHECK(s != NULL && s->outcome == SELPOOL_CPU && s->selector == 1,
	    "hostile selector on 2 MB: cut off by its CPU bound, selector 1 named (outcome %d, "
	    "selector %d)", s ? (int)s->outcome : -1, s ? s->selector : -9);
	if (s != NULL)
		printf("# a 2 MB page with %s was cut off after %.2f s (CPU bound 300 ms)\n", HOSTILE,
		    s->at - t);
	TAP_CHECK(s != NULL && s->at - t < 10, "cut off within 10 s of wall-clock time");
	t = since();
	selpool_submit(p, &A, (void *)3L, "http://e.test/", small, strlen(small), sel, 1);
	s = run_until(p, &A, 3, 10);
	TAP_CHECK(s != NULL && s->outcome == SELPOOL_OK && s->values[0] != NULL &&
	    strcmp(s->values[0], "Hi") == 0, "the next page runs on a new worker");
	TAP_CHECK(s != NULL && s->at - t < 2, "and promptly (%.2f s)", s ? s->at - t : -1);
	/* Selectors that give nothing on a page that is no document. */
	selpool_submit(p, &A, (void *)4L, "http://e.test/empty", "", 0, sel, 2);
	s = run_until(p, &A, 4, 10);
	TAP_CHECK(s != NULL && s->outcome == SELPOOL_OK && s->values[0] == NULL &&
	    s->values[1] == NULL, "an empty body: OK, no values");
}

/* A job with hostile pages queued does not hold up another job's page. */
static void
test_fair(struct selpool *p, const char *big, size_t biglen)
{
	static const struct extract_selector hostile[] = { { "slow", HOSTILE } };
	static const struct extract_selector sel[] = { { "heading", "//h1" } };
	static int A, B;
	const struct seen	*s, *h;
	int			 i;

	for (i = 1; i <= 3; i++)
		selpool_submit(p, &A, (void *)(long)i, "http://e.test/big", big, biglen, hostile, 1);
	selpool_submit(p, &B, (void *)1L, "http://e.test/", small, strlen(small), sel, 1);
	s = run_until(p, &B, 1, 30);
	h = find(&A, 3);
	TAP_CHECK(s != NULL && s->outcome == SELPOOL_OK && h == NULL,
	    "fair: the other job's page is done before the hostile job's third page");
	h = run_until(p, &A, 3, 60);
	TAP_CHECK(h != NULL && h->outcome == SELPOOL_CPU && find(&A, 1) != NULL &&
	    find(&A, 2) != NULL, "fair: every hostile page ends cut off");
}

/* Cancel drops queued pages and kills a worker on one: no call, and the next page is prompt. */
static void
test_cancel(struct selpool *p, struct config *cfg, const char *big, size_t biglen)
{
	static const struct extract_selector hostile[] = { { "slow", HOSTILE } };
	static const struct extract_selector sel[] = { { "heading", "//h1" } };
	static int C, D;
	const struct seen	*s;
	size_t			 before;
	double			 t;
	int			 i;

	cfg->daemon_selector_cpu_ms = 20000;      /* each would take 20 s if left to run */
	for (i = 1; i <= 4; i++)
		selpool_submit(p, &C, (void *)(long)i, "http://e.test/big", big, biglen, hostile, 1);
	(void)run_until(p, &C, 99, 1.5);          /* two of them are being evaluated by now */
	before = nseen;
	t = since();
	selpool_cancel(p, &C);
	selpool_submit(p, &D, (void *)1L, "http://e.test/", small, strlen(small), sel, 1);
	s = run_until(p, &D, 1, 10);
	TAP_CHECK(s != NULL && s->outcome == SELPOOL_OK && s->at - t < 2,
	    "after a cancel, the next page is done promptly (%.2f s)", s ? s->at - t : -1);
	(void)run_until(p, &D, 99, 0.5);
	for (i = 1; i <= 4; i++)
		TAP_CHECK(find(&C, i) == NULL, "cancelled page %d: never reported", i);
	TAP_CHECK(nseen == before + 1, "nothing reported but the new page");
	cfg->daemon_selector_cpu_ms = 300;
}

/*
 * Workers that misbehave, as this program run with TEST_SELPOOL_MODE: "echo" sends
 * its request back (nonsense as replies); "crash" begins selector 0, then dies of
 * SIGABRT (a core-dumping signal: unlike SIGPROF's, its status a later SIGKILL could
 * have replaced; AddressSanitizer leaves SIGABRT alone, where it turns SIGSEGV into
 * an exit status).
 */
static int
bad_worker(const char *mode)
{
	struct selwire_request	 r;
	struct rlimit		 rl = { 0, 0 };
	char			 b[4096], out[SELWIRE_REPLY_MAX];
	ssize_t			 n;

	if (strcmp(mode, "echo") == 0) {
		while ((n = read(0, b, sizeof(b))) > 0)
			if (write(1, b, (size_t)n) != n)
				return 1;
		return 0;
	}
	(void)setrlimit(RLIMIT_CORE, &rl);
	if (selwire_request_read(0, &r) != 1)
		return 2;
	if (write(1, out, selwire_reply_put(out, SELWIRE_BEGIN, 0, NULL)) < 0)
		return 1;
	raise(SIGABRT);
	return 3;
}

/* A worker that cannot start, exits at once, answers nonsense, or crashes on a selector. */
static void
test_bad_workers(struct config *cfg)
{
	static const struct extract_selector sel[] = { { "heading", "//h1" } };
	static const struct {
		const char		*exe, *mode;
		enum selpool_outcome	 want;
		int			 selector, status;
		const char		*what;
	} rows[] = {
		{ "/nonexistent/scrapeqd", "", SELPOOL_UNAVAILABLE, -1, 0, "no such executable" },
		{ "/bin/false", "", SELPOOL_DIED, -1, 1 << 8, "a worker that exits at once" },
		{ NULL, "echo", SELPOOL_DIED, -1, SIGKILL,
		    "a worker that answers nonsense is killed" },
		{ NULL, "crash", SELPOOL_DIED, 0, SIGABRT,
		    "a worker that crashes on selector 0: named, its signal kept" },
	};
	static int E;
	struct selpool		*p;
	const struct seen	*s;
	enum selpool_outcome	 o;
	size_t			 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		setenv("TEST_SELPOOL_MODE", rows[i].mode, 1);
		if ((p = selpool_new(cfg, rows[i].exe, on_done)) == NULL) {
			TAP_FAIL("selpool_new");
			return;
		}
		selpool_submit(p, &E, (void *)(long)i, "http://e.test/", small, strlen(small), sel, 1);
		s = run_until(p, &E, (int)i, 10);
		o = s != NULL ? s->outcome : (enum selpool_outcome)-1;
		/* Under valgrind posix_spawn is a fork and an exec that fails in the child: 127. */
		if (o == SELPOOL_DIED && rows[i].want == SELPOOL_UNAVAILABLE &&
		    WIFEXITED(s->status) && WEXITSTATUS(s->status) == 127)
			o = SELPOOL_UNAVAILABLE;
		TAP_CHECK(s != NULL && o == rows[i].want && s->selector == rows[i].selector &&
		    (o != SELPOOL_DIED || s->status == rows[i].status),
		    "%s: outcome %d selector %d status %#x", rows[i].what, s ? (int)s->outcome : -1,
		    s ? s->selector : -9, s ? s->status : -1);
		selpool_free(p);
	}
	unsetenv("TEST_SELPOOL_MODE");
}

static void
test_places(struct config *cfg)
{
	struct selpool	*p = selpool_new(cfg, "/nonexistent", on_done);
	size_t		 i;
	int		 ok = 1;

	for (i = 0; i < SQ_SELECTOR_PAGES; i++)
		ok = ok && selpool_room(p) && selpool_reserve(p) == 0;
	TAP_CHECK(ok, "SQ_SELECTOR_PAGES places can be taken");
	TAP_CHECK(!selpool_room(p) && selpool_reserve(p) == -1, "and no more");
	selpool_unreserve(p, 1);
	TAP_CHECK(selpool_room(p) && selpool_reserve(p) == 0, "one given back can be taken again");
	selpool_unreserve(p, SQ_SELECTOR_PAGES + 5);
	TAP_CHECK(selpool_room(p), "giving back too many leaves none taken");
	selpool_free(p);
}

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct selpool	*p;
	char		*big;
	size_t		 biglen, i, k;

	if (argc == 2 && strcmp(argv[1], SELWORKER_ARG) == 0)
		return getenv("TEST_SELPOOL_MODE") != NULL && getenv("TEST_SELPOOL_MODE")[0] != '\0' ?
		    bad_worker(getenv("TEST_SELPOOL_MODE")) : selworker_main();
	signal(SIGPIPE, SIG_IGN);            /* as scrapeqd does: a dead worker's pipe is EPIPE */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	config_defaults(&cfg);
	cfg.daemon_selector_cpu_ms = 300;
	if ((big = big_page(&biglen)) == NULL || (p = selpool_new(&cfg, NULL, on_done)) == NULL) {
		TAP_FAIL("setup");
		return tap_done("test_selpool");
	}
	test_values_and_cpu(p, big, biglen);
	test_fair(p, big, biglen);
	test_cancel(p, &cfg, big, biglen);
	selpool_free(p);
	test_bad_workers(&cfg);
	test_places(&cfg);
	for (i = 0; i < nseen; i++)
		for (k = 0; k < 4; k++)
			free(seen[i].values[k]);
	free(big);
	return tap_done("test_selpool");
}
