/* clock.h: the monotonic clock every deadline, lease and politeness gap is measured on. */
#ifndef SCRAPEQ_CLOCK_H
#define SCRAPEQ_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC: only differences mean anything. */
long long	clock_mono_ms(void);

#endif
