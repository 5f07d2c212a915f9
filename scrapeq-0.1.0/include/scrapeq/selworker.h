/* selworker.h: the selector worker, a process scrapeqd starts from its own executable to run job selectors. */
#ifndef SCRAPEQ_SELWORKER_H
#define SCRAPEQ_SELWORKER_H

/* argv[1] of a scrapeqd started as a selector worker (not for people: it reads selwire.h on stdin). */
#define SELWORKER_ARG "--selector-worker"

/*
 * The worker: reads requests (selwire.h) on stdin and answers each on stdout, one
 * page at a time, until stdin ends. For each page it parses the body once, arms a
 * CPU timer of the request's cpu_ms (ITIMER_PROF) and evaluates the selectors in
 * order, saying which one it begins before it evaluates it; a page past its CPU
 * time ends the process with SIGPROF, which scrapeqd reads as that selector's
 * fault. The process runs with an address-space limit (SQ_SELECTOR_WORKER_MEM;
 * not under AddressSanitizer, which reserves terabytes), no core files, no
 * descriptor but 0, 1 and 2, and dies with its parent. Returns the exit status: 0
 * at the end of input, 1 when an answer could not be written, 2 for a malformed
 * request.
 */
int	selworker_main(void);

#endif
