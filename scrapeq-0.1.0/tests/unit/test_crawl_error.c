/* test_crawl_error.c: crawl error kinds by name, both ways, exactly as the kind= filter takes them. */
#include <string.h>

#include "scrapeq/crawl_error.h"
#include "tap.h"

static const struct {
	const char	*in;
	int		 ok;
	enum crawl_error_kind want;
} rows[] = {
	{ "fetch", 1, CRAWL_ERR_FETCH },
	{ "http", 1, CRAWL_ERR_HTTP },
	{ "robots", 1, CRAWL_ERR_ROBOTS },
	{ "refused", 1, CRAWL_ERR_REFUSED },
	{ "too_large", 1, CRAWL_ERR_TOO_LARGE },
	{ "redirects", 1, CRAWL_ERR_REDIRECTS },
	{ "type", 1, CRAWL_ERR_TYPE },
	{ "selector", 1, CRAWL_ERR_SELECTOR },
	{ "selectors", 0, 0 },
	{ "Selector", 0, 0 },
	{ "", 0, 0 },
	{ "HTTP", 0, 0 },
	{ "http ", 0, 0 },
	{ "robot", 0, 0 },
	{ "robotss", 0, 0 },
	{ "too-large", 0, 0 },
	{ "?", 0, 0 },
};

int
main(void)
{
	enum crawl_error_kind	 k;
	size_t			 i;
	int			 i2;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		k = (enum crawl_error_kind)99;
		i2 = crawl_error_kind_parse(rows[i].in, &k);
		if (rows[i].ok)
			TAP_CHECK(i2 == 0 && k == rows[i].want, "\"%s\": rc %d kind %d", rows[i].in, i2, (int)k);
		else
			TAP_CHECK(i2 == -1 && k == (enum crawl_error_kind)99, "\"%s\" refused", rows[i].in);
	}
	TAP_CHECK(crawl_error_kind_parse(NULL, &k) == -1, "NULL refused");
	for (i2 = 0; i2 < CRAWL_ERR__COUNT; i2++)
		TAP_CHECK(crawl_error_kind_parse(crawl_error_kind_name((enum crawl_error_kind)i2), &k) == 0 &&
		    k == (enum crawl_error_kind)i2, "name of kind %d parses back", i2);
	TAP_STREQ(crawl_error_kind_name(CRAWL_ERR__COUNT), "?", "out of range");
	return tap_done("test_crawl_error");
}
