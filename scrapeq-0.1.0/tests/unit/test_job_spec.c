/* test_job_spec.c: seed 001's field rules: domains, job types, timestamps. */
#include <stdlib.h>

#include "scrapeq/job_spec.h"
#include "tap.h"

static const struct {
	const char *in, *out;   /* out NULL: refused */
} domains[] = {
	{ "example.com", "https://example.com/" },
	{ "shop.example.com:8080", "https://shop.example.com:8080/" },
	{ "https://example.com/a?b=1", "https://example.com/a?b=1" },
	{ "http://x.org", "http://x.org" },
	{ "", NULL }, { "exa mple.com", NULL }, { "-bad.com", NULL }, { "a..b", NULL },
	{ "example.com.", NULL }, { "ftp://x.org", NULL }, { "x.org:", NULL },
	{ "x.org:123456", NULL }, { "x.org:8a", NULL }, { "x.org/path", NULL },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", NULL },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
	  "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com/" },
};

static const struct {
	const char *in;
	int ok;
} types[] = {
	{ "domain_scrape", 1 }, { "a", 1 }, { "x9_", 1 }, { "", 0 }, { "Domain", 0 },
	{ "a-b", 0 }, { "a b", 0 }, { "abcdefghijklmnopqrstuvwxyz012345", 1 },
	{ "abcdefghijklmnopqrstuvwxyz0123456", 0 },
};

static const struct {
	const char *in, *out;
} times[] = {
	{ "2024-01-01T12:00:00.000Z", "2024-01-01 12:00:00.000000" },
	{ "2024-01-01T12:00:00Z", "2024-01-01 12:00:00.000000" },
	{ "2024-01-01T12:00:00.123456789Z", "2024-01-01 12:00:00.123456" },
	{ "2024-01-01T12:00:00.5+02:00", "2024-01-01 10:00:00.500000" },
	{ "2024-01-01T00:30:00-01:00", "2024-01-01 01:30:00.000000" },
	{ "2024-02-29T00:00:00Z", "2024-02-29 00:00:00.000000" },
	{ "2023-02-29T00:00:00Z", NULL }, { "2024-13-01T00:00:00Z", NULL },
	{ "2024-01-01T24:00:00Z", NULL }, { "2024-01-01T12:00:00", NULL },
	{ "2024-01-01", NULL }, { "2024-01-01T12:00:00.Z", NULL }, { "", NULL },
	{ "1969-12-31T23:59:59Z", NULL }, { "2024-01-01T12:00:00Zjunk", NULL },
	{ "2024-01-01T12:00:00+2:00", NULL },
};

int
main(void)
{
	char	 out[4096], t[32];
	size_t	 i;

	for (i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
		int rc = job_spec_domain_url(domains[i].in, out, sizeof(out));

		TAP_CHECK(domains[i].out ? rc == 0 && strcmp(out, domains[i].out) == 0 : rc == -1,
		    "domain \"%s\"", domains[i].in);
	}
	TAP_CHECK(job_spec_domain_url("example.com", out, 10) == -1, "domain truncation refused");
	TAP_CHECK(job_spec_domain_url(NULL, out, sizeof(out)) == -1, "NULL domain");
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		TAP_CHECK(job_spec_type_ok(types[i].in) == types[i].ok, "type \"%s\"", types[i].in);
	TAP_STREQ(job_spec_type_to_core("domain_scrape"), "scrape", "domain_scrape is scrape");
	TAP_STREQ(job_spec_type_from_core("scrape"), "domain_scrape", "scrape reads back");
	TAP_STREQ(job_spec_type_to_core("report"), "report", "other types as they are");
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		int rc = job_spec_time(times[i].in, t);

		TAP_CHECK(times[i].out ? rc == 0 && strcmp(t, times[i].out) == 0 : rc == -1,
		    "time \"%s\"", times[i].in);
	}
	TAP_CHECK(job_spec_time(NULL, t) == -1, "NULL time");
	TAP_CHECK(job_spec_priority_parse("low") == 2 && job_spec_priority_parse("normal") == 5 &&
	    job_spec_priority_parse("high") == 8 && job_spec_priority_parse("urgent") == 10,
	    "seed 003 priority names map onto 2/5/8/10");
	TAP_CHECK(job_spec_priority_parse("HIGH") == -1 && job_spec_priority_parse("") == -1 &&
	    job_spec_priority_parse("5") == -1, "other priority names refused");
	TAP_STREQ(job_spec_priority_name(1), "low", "priority 1 is low");
	TAP_STREQ(job_spec_priority_name(3), "low", "priority 3 is low");
	TAP_STREQ(job_spec_priority_name(4), "normal", "priority 4 is normal");
	TAP_STREQ(job_spec_priority_name(6), "normal", "priority 6 is normal");
	TAP_STREQ(job_spec_priority_name(7), "high", "priority 7 is high");
	TAP_STREQ(job_spec_priority_name(9), "high", "priority 9 is high");
	TAP_STREQ(job_spec_priority_name(10), "urgent", "priority 10 is urgent");
	for (i = 2; i <= 10; i++)
		if (i == 2 || i == 5 || i == 8 || i == 10)
			TAP_CHECK(job_spec_priority_parse(job_spec_priority_name((long long)i)) ==
			    (int)i, "priority %zu round-trips", i);
	return tap_done("test_job_spec");
}
