/* server.h: the FastCGI listener, the prefork supervisor and the worker threads. */
#ifndef SCRAPEQ_SERVER_H
#define SCRAPEQ_SERVER_H

#include "scrapeq/config.h"

/*
 * Opens the listening socket: path (unix socket, created mode 0666 after removing a
 * stale one) or ":port"/"host:port"; NULL/"" means inherit fd 0, which must be a
 * socket. Returns the fd, or -1 with the reason logged.
 */
int	server_listen(const char *path);

/*
 * Runs the supervisor: forks workers processes of threads threads each on fd, and
 * restarts a worker that dies, until SIGTERM or SIGINT. Returns the exit status.
 */
int	server_run(const struct config *cfg, int fd, unsigned workers, unsigned threads);

#endif
