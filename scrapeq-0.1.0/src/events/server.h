/* server.h: the hub's libwebsockets server: routes, upgrades, SSE streams and the outbox tick. */
#ifndef SCRAPEQ_EVENTS_SERVER_H
#define SCRAPEQ_EVENTS_SERVER_H

#include "scrapeq/config.h"

struct server;

/*
 * Creates the server for c (borrowed; must outlive it): a libwebsockets context
 * listening on c->events_listen, its own MariaDB connection, the tick timer.
 * Returns NULL with a reason in err.
 */
struct server *server_new(const struct config *c, char *err, size_t errsz);

/* Runs the event loop until *stop becomes non-zero. Returns 0, or -1 on a loop failure. */
int	server_run(struct server *, volatile int *stop);

/* Closes every connection and frees everything; NULL ok. */
void	server_free(struct server *);

#endif
