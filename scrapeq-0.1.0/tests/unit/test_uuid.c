/* test_uuid.c: UUIDv7 layout, ordering, parsing and the prefixed public ids. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "scrapeq/uuid.h"
#include "tap.h"

static const struct {
	const char	*in;
	int		 ok;
	const char	*canon;
} parse_rows[] = {
	{ "0190f3a2-7b1c-7def-8abc-0123456789ab", 1, "0190f3a2-7b1c-7def-8abc-0123456789ab" },
	{ "0190F3A2-7B1C-7DEF-8ABC-0123456789AB", 1, "0190f3a2-7b1c-7def-8abc-0123456789ab" },
	{ "0190f3a27b1c7def8abc0123456789ab", 1, "0190f3a2-7b1c-7def-8abc-0123456789ab" },
	{ "0190f3a2-7b1c-7def-8abc-0123456789a", 0, NULL },     /* short */
	{ "0190f3a2-7b1c-7def-8abc-0123456789abc", 0, NULL },   /* long */
	{ "0190f3a2x7b1c-7def-8abc-0123456789ab", 0, NULL },    /* bad dash */
	{ "0190f3a2-7b1c-7def-8abc-0123456789ag", 0, NULL },    /* bad hex */
	{ "", 0, NULL },
	{ "0190f3a27b1c7def8abc0123456789a-", 0, NULL },
};

static const struct {
	const char	*prefix;
	const char	*in;
	int		 ok;
} id_rows[] = {
	{ "job_", "job_0190f3a27b1c7def8abc0123456789ab", 1 },
	{ "job_", "0190f3a2-7b1c-7def-8abc-0123456789ab", 1 },
	{ "job_", "tgt_0190f3a27b1c7def8abc0123456789ab", 0 },
	{ "job_", "job_0190f3a27b1c7def8abc0123456789a", 0 },
	{ "job_", "job_", 0 },
	{ "proj_", "proj_0190f3a27b1c7def8abc0123456789ab", 1 },
	{ "proj_", "proj_0190f3a27b1c7def8abc0123456789ab0", 0 },
	{ "tgt_", "", 0 },
	{ "job_", "0190f3a27b1c7def8abc0123456789ab", 1 },        /* 32 bare hex digits */
	{ "job_", "0190F3A27B1C7DEF8ABC0123456789AB", 1 },
	{ "job_", "job_0190f3a2-7b1c-7def-8abc-0123456789ab", 0 }, /* a prefix on the dashed form */
	{ "job_", "job_0190f3a27b1c7def8abc0123456789ab-export", 0 },
};

static const struct {
	const char	*in;
	int		 ok;
	enum id_child	 child;
} job_rows[] = {
	{ "job_0190f3a27b1c7def8abc0123456789ab", 1, ID_CHILD_NONE },
	{ "0190f3a2-7b1c-7def-8abc-0123456789ab", 1, ID_CHILD_NONE },
	{ "0190f3a27b1c7def8abc0123456789ab", 1, ID_CHILD_NONE },
	{ "0190f3a27b1c7def8abc0123456789ab-export", 1, ID_CHILD_EXPORT },
	{ "job_0190f3a27b1c7def8abc0123456789ab-import", 1, ID_CHILD_IMPORT },
	{ "0190f3a2-7b1c-7def-8abc-0123456789ab-import", 1, ID_CHILD_IMPORT },
	{ "0190f3a27b1c7def8abc0123456789ab-exportx", 0, ID_CHILD_NONE },
	{ "0190f3a27b1c7def8abc0123456789ab-Export", 0, ID_CHILD_NONE },
	{ "0190f3a27b1c7def8abc0123456789ab-export-export", 0, ID_CHILD_NONE },
	{ "proj_0190f3a27b1c7def8abc0123456789ab", 0, ID_CHILD_NONE },
	{ "-export", 0, ID_CHILD_NONE },
	{ "", 0, ID_CHILD_NONE },
};

int
main(void)
{
	struct uuid	 u, v, prev;
	char		 s[UUID_STR_LEN + 1], t[UUID_STR_LEN + 1], id[ID_STR_MAX];
	size_t		 i;
	uint64_t	 now = (uint64_t)time(NULL) * 1000;

	for (i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
		int ok = uuid_parse(parse_rows[i].in, strlen(parse_rows[i].in), &u) == 0;

		TAP_CHECK(ok == parse_rows[i].ok, "uuid_parse(%s) = %d", parse_rows[i].in, ok);
		if (ok && parse_rows[i].ok) {
			uuid_format(&u, s);
			TAP_STREQ(s, parse_rows[i].canon, parse_rows[i].in);
		}
	}
	for (i = 0; i < sizeof(id_rows) / sizeof(id_rows[0]); i++) {
		int ok = id_parse(id_rows[i].prefix, id_rows[i].in, &u) == 0;

		TAP_CHECK(ok == id_rows[i].ok, "id_parse(%s, %s) = %d", id_rows[i].prefix,
		    id_rows[i].in, ok);
	}
	for (i = 0; i < sizeof(job_rows) / sizeof(job_rows[0]); i++) {
		enum id_child	 c = ID_CHILD_NONE;
		int		 ok = id_parse_job(job_rows[i].in, &u, &c) == 0;

		uuid_format(&u, s);
		TAP_CHECK(ok == job_rows[i].ok && (!ok || (c == job_rows[i].child &&
		    strcmp(s, "0190f3a2-7b1c-7def-8abc-0123456789ab") == 0)),
		    "id_parse_job(%s) = %d", job_rows[i].in, ok);
	}
	TAP_CHECK(id_parse("job_", NULL, &u) == -1 && id_parse_job(NULL, &u, NULL) == -1,
	    "NULL ids refused");

	uuid_v7(&u);
	TAP_CHECK((u.b[6] >> 4) == 7, "version nibble is 7");
	TAP_CHECK((u.b[8] & 0xc0) == 0x80, "variant bits are 10");
	TAP_CHECK(uuid_v7_time_ms(&u) + 2000 >= now && uuid_v7_time_ms(&u) <= now + 2000,
	    "timestamp is now");
	uuid_format(&u, s);
	TAP_CHECK(strlen(s) == UUID_STR_LEN, "format length");
	TAP_CHECK(uuid_parse(s, strlen(s), &v) == 0 && memcmp(&u, &v, 16) == 0, "round trip");
	id_format("job_", &u, id, sizeof(id));
	TAP_CHECK(strlen(id) == 4 + UUID_HEX_LEN && id_parse("job_", id, &v) == 0 &&
	    memcmp(&u, &v, 16) == 0, "public id round trip");
	id_format("job_", &u, id, 10);
	TAP_CHECK(id[0] == '\0', "id_format refuses a short buffer");

	/* Many ids in a row (most within one millisecond) sort strictly ascending. */
	prev = u;
	for (i = 0; i < 100000; i++) {
		uuid_v7(&v);
		if (memcmp(&prev, &v, 16) >= 0) {
			uuid_format(&prev, s);
			uuid_format(&v, t);
			TAP_FAIL("not ascending: %s then %s", s, t);
			break;
		}
		prev = v;
	}
	TAP_CHECK(i == 100000, "100000 ids strictly ascending");
	TAP_CHECK((v.b[6] >> 4) == 7 && (v.b[8] & 0xc0) == 0x80, "counter keeps version/variant");
	return tap_done("test_uuid");
}
