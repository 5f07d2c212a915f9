/* main.c: scrapeq-events, the WebSocket/SSE hub: config, file limit, signals, the loop. */
#include <sys/resource.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scrapeq/cloexec.h"
#include "scrapeq/config.h"
#include "scrapeq/log.h"
#include "server.h"

static volatile sig_atomic_t stop_flag;
static volatile int stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: scrapeq-events [-c FILE]\n");
	exit(64);       /* EX_USAGE, as scrapeq-api and scrapeqd */
}

/* Every watcher is a socket (two behind nginx): the soft file limit goes up to the hard one. */
static void
raise_nofile(void)
{
	struct rlimit	 r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &r);
	}
}

int
main(int argc, char *argv[])
{
	static struct config	 cfg;
	struct server		*s;
	struct sigaction	 sa;
	const char		*path = NULL;
	char			 err[512];
	int			 ch, rc;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch == 'c')
			path = optarg;
		else
			usage();
	}
	if (optind != argc)
		usage();
	cloexec_all();
	if (config_load(&cfg, config_path(path), err, sizeof(err)) == -1) {
		fprintf(stderr, "scrapeq-events: %s\n", err);
		return 2;
	}
	log_init("scrapeq-events", cfg.log_level, 0);
	raise_nofile();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);	/* no reload; a rotation's HUP must not end the hub */
	if ((s = server_new(&cfg, err, sizeof(err))) == NULL) {
		log_msg(LOG_LVL_ERROR, "%s", err);
		return 1;
	}
	log_msg(LOG_LVL_INFO, "listening on %s (max %u watchers, queue %u, tick %u ms)",
	    cfg.events_listen, cfg.events_max_watchers, cfg.events_queue_max, cfg.events_tick_ms);
	rc = server_run(s, &stop);
	log_msg(LOG_LVL_INFO, "stopping");
	server_free(s);
	return rc == 0 ? 0 : 1;
}
