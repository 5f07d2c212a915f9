/* hooks.h: scrapeqd's webhook delivery, on a thread of its own beside the crawl loop. */
#ifndef SCRAPEQD_HOOKS_H
#define SCRAPEQD_HOOKS_H

#include "scrapeq/config.h"
#include "scrapeq/netguard.h"

/*
 * Starts the delivery thread (a bgtask: its own database connection), which until
 * hooks_stop fans the job_events outbox out into deliveries (webhook_queue.h), claims
 * webhooks with due deliveries and POSTs them in event order with one libcurl easy
 * handle: [daemon] webhook_timeout per attempt, webhook_backoff_ms between failed
 * ones, redirects not followed, every connection judged by guard (a refused address
 * is the attempt's error). cfg's values, guard and daemon_id are copied (a SIGHUP does
 * not reach them). curl_global_init and sodium_init must have run. NULL when out of
 * memory or no thread could start.
 */
struct hooks *hooks_start(const struct config *cfg, const struct netguard *guard,
	    const char *daemon_id);
/* Asks the thread to stop: a transfer in progress is abandoned (not counted as an attempt). */
void	hooks_stop(struct hooks *);
/* Stops, waits for the thread and frees. NULL ok. */
void	hooks_free(struct hooks *);

#endif
