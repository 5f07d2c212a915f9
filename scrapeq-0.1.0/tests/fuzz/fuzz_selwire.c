/* fuzz_selwire.c: libFuzzer target for the selector workers' protocol: replies decoded and re-encoded, requests read and re-encoded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "scrapeq/limits.h"
#include "scrapeq/selwire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Every reply decoded stays inside the input and encodes back to the same bytes. */
static void
replies(const char *p, size_t n)
{
	struct selwire_reply	 r;
	char			 out[SELWIRE_REPLY_MAX];
	long			 got;
	size_t			 len;

	while ((got = selwire_reply_get(p, n, &r)) > 0) {
		if (got < SELWIRE_REPLY_HEAD || (size_t)got > n || got > SELWIRE_REPLY_MAX ||
		    r.index >= EXTRACT_MAX_SELECTORS)
			abort();
		if (r.value != NULL && (r.kind != SELWIRE_VALUE || r.value != p + SELWIRE_REPLY_HEAD ||
		    r.len != (size_t)got - SELWIRE_REPLY_HEAD))
			abort();
		if (r.kind != SELWIRE_VALUE && got != SELWIRE_REPLY_HEAD)
			abort();
		/* A value without a NUL byte is what the worker sends: it encodes back as it came. */
		if (r.value == NULL || memchr(r.value, '\0', r.len) == NULL) {
			char v[EXTRACT_FIELD_MAX + 1];

			if (r.value != NULL) {
				memcpy(v, r.value, r.len);
				v[r.len] = '\0';
			}
			len = selwire_reply_put(out, r.kind, r.index, r.value != NULL ? v : NULL);
			if (len != (size_t)got || memcmp(out, p, len) != 0)
				abort();
		}
		p += got;
		n -= (size_t)got;
	}
	if (got == 0 && n >= SELWIRE_REPLY_MAX)
		abort();                          /* "need more" with a whole reply's worth */
}

static int
has_nul(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/* Requests read from the bytes: in range, and (strings without NUL) encoding back to them. */
static void
requests(const uint8_t *d, size_t n)
{
	struct selwire_request	 r;
	struct extract_selector	 sel[EXTRACT_MAX_SELECTORS];
	struct buf		 b;
	off_t			 at = 0, end;
	size_t			 i;
	int			 fd, rc, plain;

	if ((fd = memfd_create("fuzz_selwire", MFD_CLOEXEC)) == -1)
		return;
	if (write(fd, d, n) != (ssize_t)n || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return;
	}
	while ((rc = selwire_request_read(fd, &r)) == 1) {
		end = lseek(fd, 0, SEEK_CUR);
		if (r.nsel > EXTRACT_MAX_SELECTORS || r.len > EXTRACT_MAX_BYTES ||
		    strlen(r.url) > EXTRACT_URL_MAX || r.cpu_ms < SQ_SELECTOR_CPU_MS_MIN ||
		    r.cpu_ms > SQ_SELECTOR_CPU_MS_MAX || r.body[r.len] != '\0')
			abort();
		plain = !has_nul((const char *)d + at + SELWIRE_REQUEST_HEAD + 4 * r.nsel,
		    (size_t)(end - at) - SELWIRE_REQUEST_HEAD - 4 * r.nsel - r.len);
		for (i = 0; i < r.nsel; i++) {
			if (strlen(r.xpath[i]) > EXTRACT_XPATH_MAX)
				abort();
			sel[i].name = "f";
			sel[i].xpath = r.xpath[i];
		}
		if (plain) {
			buf_init(&b, SELWIRE_REQUEST_MAX);
			if (selwire_request_put(&b, r.cpu_ms, r.url, r.body, r.len, sel, r.nsel) != 0 ||
			    b.len != (size_t)(end - at) || memcmp(b.data, d + at, b.len) != 0)
				abort();
			buf_free(&b);
		}
		selwire_request_free(&r);
		at = end;
	}
	if (rc == 0 && (size_t)at != n)
		abort();                          /* the end of input only between requests */
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	replies((const char *)d, n);
	requests(d, n);
	return 0;
}
