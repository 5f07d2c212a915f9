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
 * Marks every descriptor above stderr close-on-exec: called first thing in main, so
 * what the parent left open (a shell's, a supervisor's) never reaches a child.
 */
void	cloexec_inherited(void);

#endif
