/* fuzz_config.c: libFuzzer target for config_parse (no files are read). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/config.h"
#include "scrapeq/limits.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Whatever the text, an accepted config holds values inside their documented ranges. */
static void
check_config(const struct config *c)
{
	if (c->db_port < 1 || c->db_port > 65535 || c->api_workers < 1 ||
	    c->api_workers > SQ_WORKERS_MAX || c->api_threads < 1 ||
	    c->api_threads > SQ_THREADS_MAX || c->api_body_max < 1 ||
	    c->api_body_max > SQ_BODY_MAX_CEILING || c->db_connect_timeout < 1 ||
	    (unsigned)c->log_level > LOG_LVL_ERROR || c->jobs_per_day < 1 ||
	    c->max_results_per_target > SQ_RESULTS_PER_TARGET_MAX || c->jwt_key_len != 0 ||
	    c->db_password[0] != '\0')
		abort();
	if (strcmp(c->api_access_log, "stderr") != 0 && strcmp(c->api_access_log, "syslog") != 0 &&
	    strcmp(c->api_access_log, "off") != 0)
		abort();
	if (memchr(c->db_host, '\0', sizeof(c->db_host)) == NULL ||
	    memchr(c->jwt_key_file, '\0', sizeof(c->jwt_key_file)) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 c;
	char		 err[256];

	memset(err, 'Z', sizeof(err));
	if (config_parse(&c, "fuzz.conf", (const char *)data, size, err, sizeof(err)) == 0)
		check_config(&c);
	else if (strncmp(err, "fuzz.conf:", 10) != 0 || memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	return 0;
}
