/* fuzz_extract.c: libFuzzer target for extract_html. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/extract.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Ends on a whole UTF-8 character (the cut to EXTRACT_FIELD_MAX must not split one). */
static int
whole_utf8_end(const char *s, size_t n)
{
	size_t	 i = n, k = 0;
	unsigned char c;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && k < 4) {
		i--;
		k++;
	}
	if (i == 0)
		return k == 0;
	c = (unsigned char)s[i - 1];
	if (c < 0x80)
		return k == 0;
	return (c >= 0xF0 && k == 3) || (c >= 0xE0 && c < 0xF0 && k == 2) ||
	    (c >= 0xC0 && c < 0xE0 && k == 1);
}

/*
 * A kept field: NULL, or non-empty, trimmed, bounded; collapsed ones hold no
 * runs; text from libxml2 (always UTF-8) still ends on a whole character.
 */
static void
check_field(const char *s, int collapsed, int utf8)
{
	size_t	 n, i;

	if (s == NULL)
		return;
	n = strlen(s);
	if (n == 0 || n > EXTRACT_FIELD_MAX || is_ws(s[0]) || is_ws(s[n - 1]))
		abort();
	if (utf8 && !whole_utf8_end(s, n))
		abort();
	for (i = 0; collapsed && i + 1 < n; i++)
		if (is_ws(s[i]) && (s[i] != ' ' || is_ws(s[i + 1])))
			abort();
}

static void
check_url(const char *u)
{
	if (u == NULL)
		return;
	if ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) ||
	    strchr(u, '#') != NULL || strpbrk(u, " \t\r\n") != NULL || strlen(u) > EXTRACT_URL_MAX)
		abort();
}

static void
check_page(const struct extract_page *p, size_t nsel)
{
	size_t	 i, j;

	if (p->nlinks > EXTRACT_MAX_LINKS || p->nlinks > p->links_total ||
	    p->nproducts > EXTRACT_MAX_PRODUCTS || p->nvalues != nsel ||
	    (p->nofollow != 0 && p->nofollow != 1))
		abort();
	check_field(p->title, 1, 1);
	check_field(p->description, 1, 1);
	check_url(p->canonical);
	check_url(p->base);
	for (i = 0; i < p->nlinks; i++) {
		check_url(p->links[i]);
		for (j = 0; j < i; j++)
			if (strcmp(p->links[i], p->links[j]) == 0)
				abort();
	}
	for (i = 0; i < p->nproducts; i++) {
		check_field(p->products[i].name, 1, 0);
		check_field(p->products[i].price, 0, 0);
		check_field(p->products[i].currency, 0, 0);
	}
	for (i = 0; i < p->nvalues; i++)
		check_field(p->values[i], 0, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extract_selector	 sel[6] = {
		{ "t", "//title" }, { "h", "//a/@href" }, { "n", "count(//*)" },
		{ "bad", "//p[" }, { "d", "string(//meta[@name='description']/@content)" },
		{ "x", NULL },
	};
	struct extract_page	 p;
	char			 xp[201];
	size_t			 n = 0;

	/* "XP:<expr>\n" first: a fuzzed selector too. */
	if (size > 3 && memcmp(data, "XP:", 3) == 0) {
		while (3 + n < size && data[3 + n] != '\n' && n < sizeof(xp) - 1) {
			xp[n] = data[3 + n] ? (char)data[3 + n] : ' ';
			n++;
		}
		xp[n] = '\0';
		sel[5].xpath = xp;
	}
	if (extract_html((const char *)data, size, "https://example.com/dir/page.html?q=1", sel, 6,
	    &p) != 0) {
		if (p.title != NULL || p.links != NULL || p.nlinks != 0 || p.values != NULL)
			abort();
		return 0;
	}
	check_page(&p, 6);
	extract_free(&p);
	return 0;
}
