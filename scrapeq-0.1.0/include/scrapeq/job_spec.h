/* job_spec.h: seed 001's job fields checked and normalised, pure: domain, job_type, timestamps (config: crawl_config.h). */
#ifndef SCRAPEQ_JOB_SPEC_H
#define SCRAPEQ_JOB_SPEC_H

#include <stddef.h>
#include <json-c/json.h>
#include "buf.h"
#include "err.h"
#include "limits.h"

/*
 * Turns a seed 001 "domain" into the URL a target starts from: a bare host name
 * ("example.com", "shop.example.com:8080") becomes "https://<host>/"; an absolute
 * http(s) URL is taken as it is (the caller normalises it with target_url_normalise).
 * Writes into out (outsz bytes). Returns 0, or -1 for an empty, over-long or
 * malformed domain (a host label is letters, digits and '-', 1..63 bytes).
 */
int	job_spec_domain_url(const char *domain, char *out, size_t outsz);

/* Returns 1 when s is a job type name: 1..SQ_JOB_TYPE_MAX bytes of [a-z0-9_]. */
int	job_spec_type_ok(const char *s);

/*
 * The seed's job_type and the core's jobs.type: "domain_scrape" is the built-in
 * crawl, stored as "scrape"; any other name is stored as itself.
 */
const char *job_spec_type_to_core(const char *job_type);
const char *job_spec_type_from_core(const char *type);

/*
 * Parses an ISO 8601 / RFC 3339 timestamp with a date, a time, optional fraction
 * (up to 6 digits used) and "Z" or "+HH:MM"/"-HH:MM", into MariaDB DATETIME(6)
 * text in UTC: "YYYY-MM-DD HH:MM:SS.ffffff". Returns 0, or -1 when malformed or
 * out of range (years 1970..9999).
 */
int	job_spec_time(const char *iso, char out[32]);

/*
 * Seed 003's priority names on the core's 1..10: low 2, normal 5, high 8, urgent 10.
 * job_spec_priority_parse returns the number, or -1 for another name;
 * job_spec_priority_name names any core priority: 1..3 low, 4..6 normal, 7..9 high,
 * 10 urgent.
 */
int	job_spec_priority_parse(const char *name);
const char *job_spec_priority_name(long long priority);

#endif
