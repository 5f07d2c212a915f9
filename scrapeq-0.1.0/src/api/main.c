/* main.c: scrapeq-api, the FastCGI job API: options, config, then the supervisor. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "scrapeq/log.h"
#include "scrapeq/query.h"
#include "server.h"

static void
usage(void)
{
	fprintf(stderr, "usage: scrapeq-api [-c FILE] [--socket PATH|:PORT] "
	    "[--workers N] [--threads T]\n");
	exit(64);
}

static unsigned
count_arg(const char *s, long long max)
{
	long long v;

	if (parse_int_range(s, 1, max, &v) == -1) {
		fprintf(stderr, "scrapeq-api: '%s' is not a number from 1 to %lld\n", s, max);
		exit(64);
	}
	return (unsigned)v;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "threads", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	static struct config cfg;
	const char	*cpath = NULL, *sock = NULL;
	unsigned	 workers = 0, threads = 0;
	char		 err[512];
	int		 ch, fd;

	while ((ch = getopt_long(argc, argv, "c:s:w:t:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': cpath = optarg; break;
		case 's': sock = optarg; break;
		case 'w': workers = count_arg(optarg, SQ_WORKERS_MAX); break;
		case 't': threads = count_arg(optarg, SQ_THREADS_MAX); break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (config_load(&cfg, config_path(cpath), err, sizeof(err)) == -1) {
		fprintf(stderr, "scrapeq-api: %s\n", err);
		return 2;
	}
	log_init("scrapeq-api", cfg.log_level, strcmp(cfg.api_access_log, "syslog") == 0);
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("library initialisation failed");
		return 1;
	}
	if ((fd = server_listen(sock ? sock : cfg.api_socket)) < 0)
		return 1;
	return server_run(&cfg, fd, workers ? workers : cfg.api_workers,
	    threads ? threads : cfg.api_threads);
}
