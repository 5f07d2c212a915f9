/* fuzz_bearer.c: libFuzzer target for auth_bearer, the Authorization header reader every authenticated route runs first. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/auth.h"
#include "scrapeq/limits.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * The grammar of auth.h written again: blanks, "Bearer" in any case, at least one
 * blank, the token up to trailing blanks (never empty); the whole header at most
 * SQ_AUTH_HEADER_MAX bytes. Returns 0 with the token's offset and length, or -1.
 */
static int
model(const char *h, size_t n, size_t *off, size_t *len)
{
	static const char word[] = "bearer";
	size_t i = 0, k, end = n;

	if (n > SQ_AUTH_HEADER_MAX)
		return -1;
	while (i < n && blank(h[i]))
		i++;
	for (k = 0; k < 6; k++, i++)
		if (i >= n || lower(h[i]) != word[k])
			return -1;
	if (i >= n || !blank(h[i]))
		return -1;
	while (i < n && blank(h[i]))
		i++;
	while (end > i && blank(h[end - 1]))
		end--;
	if (end == i)
		return -1;
	*off = i;
	*len = end - i;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*tok = NULL;
	char		*h;
	size_t		 n, len = 0, moff = 0, mlen = 0;
	int		 rc, want;

	/* A header reaches the API as a C string: it ends at its first NUL. */
	if ((h = malloc(size + 1)) == NULL)
		return 0;
	memcpy(h, data, size);
	h[size] = '\0';
	n = strlen(h);
	rc = auth_bearer(h, &tok, &len);
	want = model(h, n, &moff, &mlen);
	if (rc != want)
		abort();
	if (rc == 0 && (tok != h + moff || len != mlen || len == 0 || blank(tok[0]) ||
	    blank(tok[len - 1]) || tok + len > h + n))
		abort();
	free(h);
	return 0;
}
