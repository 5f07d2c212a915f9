/* cloexec.h: close-on-exec for descriptors a library opened, or a parent left us. */
#ifndef SCRAPEQ_CLOEXEC_H
#define SCRAPEQ_CLOEXEC_H

/*
 * Sets FD_CLOEXEC on fd if it is not set yet (for a library's descriptor, such as
 * MariaDB Connector/C's socket). Our own opens use O_CLOEXEC, SOCK_CLOEXEC, pipe2 and
 * accept4 instead. Returns 0, or -1 (fd not open).
 */
int	cloexec_set(int fd);

/*
 * Marks every open descriptor above stderr close-on-exec: first thing in main, so what
 * the parent left open (a shell's, a supervisor's) never reaches a child; and again
 * once the libraries have opened theirs (libcurl 7.88's multi handle makes a
 * socketpair without close-on-exec).
 */
void	cloexec_all(void);

#endif
