/* auth_gate.h: a bound on the Argon2id password verifications one worker process runs at once. */
#ifndef SCRAPEQ_AUTH_GATE_H
#define SCRAPEQ_AUTH_GATE_H

/*
 * An Argon2id verification takes about 64 MiB and tens of milliseconds of one core
 * (libsodium's interactive limits): a flood of logins on every thread would take the
 * pool's threads and memory. One gate per worker process, shared by its threads: at
 * most max verifications run at once; a further one waits up to wait_ms for a slot
 * and is refused after that.
 */
struct auth_gate;

/* Returns a gate for max (>= 1) at once, or NULL when out of memory. Free with auth_gate_free. */
struct auth_gate *auth_gate_new(unsigned max, unsigned wait_ms);
void	auth_gate_free(struct auth_gate *);     /* NULL ok; no thread may be inside */

/*
 * Takes a slot, waiting up to the gate's wait_ms (monotonic clock). Returns 0 with a
 * slot (give it back with auth_gate_leave), or -1 when none came free in time. A NULL
 * gate always lets in (no bound: scrapeqctl, tests).
 */
int	auth_gate_enter(struct auth_gate *);
void	auth_gate_leave(struct auth_gate *);

#endif
