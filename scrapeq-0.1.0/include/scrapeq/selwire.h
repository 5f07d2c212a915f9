/* selwire.h: what scrapeqd and its selector workers say on their pipes: one request per page, short replies. */
#ifndef SCRAPEQ_SELWIRE_H
#define SCRAPEQ_SELWIRE_H

#include <stddef.h>

#include "scrapeq/buf.h"
#include "scrapeq/extract.h"

/*
 * A request, scrapeqd to worker: 32-bit little-endian numbers, then the bytes they
 * count:
 *   cpu_ms, nsel, url_len, body_len, xpath_len[nsel], url, xpath[0..nsel), body
 * cpu_ms is the CPU time the page's selectors may use, from SQ_SELECTOR_CPU_MS_MIN
 * to SQ_SELECTOR_CPU_MS_MAX; nsel at most EXTRACT_MAX_SELECTORS; url_len at most
 * EXTRACT_URL_MAX; body_len at most EXTRACT_MAX_BYTES; each xpath_len at most
 * EXTRACT_XPATH_MAX.
 */
#define SELWIRE_REQUEST_HEAD	16
#define SELWIRE_REQUEST_MAX	(SELWIRE_REQUEST_HEAD + 4 * EXTRACT_MAX_SELECTORS + \
	EXTRACT_URL_MAX + EXTRACT_MAX_SELECTORS * EXTRACT_XPATH_MAX + EXTRACT_MAX_BYTES)

/*
 * Appends the request for one page to out (give it a max of at least
 * SELWIRE_REQUEST_MAX). What extract_html would not look at is not sent: selectors
 * past EXTRACT_MAX_SELECTORS, body bytes past EXTRACT_MAX_BYTES; an expression that
 * is NULL or longer than EXTRACT_XPATH_MAX goes as "" (its value is NULL either
 * way), a URL longer than EXTRACT_URL_MAX as "" (it only names the document).
 * Returns 0, or -1 when out could not take it (out->oom).
 */
int	selwire_request_put(struct buf *out, unsigned cpu_ms, const char *url, const char *body,
	    size_t len, const struct extract_selector *sel, size_t nsel);

/* A request as the worker reads it; every pointer is into mem, each string NUL-terminated. */
struct selwire_request {
	unsigned	 cpu_ms;
	size_t		 nsel;
	const char	*url;
	const char	*xpath[EXTRACT_MAX_SELECTORS];
	const char	*body;
	size_t		 len;
	char		*mem;
};

/*
 * Reads one request from fd, blocking. Returns 1 (free r with selwire_request_free),
 * 0 at the end of input before a request began, or -1 for a request cut short, a
 * number out of its range (checked before anything is allocated from it), a read
 * error or no memory; on 0 and -1 r holds nothing to free.
 */
int	selwire_request_read(int fd, struct selwire_request *r);
void	selwire_request_free(struct selwire_request *);

/*
 * A reply, worker to scrapeqd: kind (one byte), selector index (one byte), a 32-bit
 * little-endian length, then that many bytes. BEGIN says the worker starts
 * evaluating selector index, so that scrapeqd can name it if the worker is stopped;
 * VALUE carries its value (at most EXTRACT_FIELD_MAX bytes; length SELWIRE_NONE: no
 * value); END says the page is done. BEGIN and END have length 0.
 */
enum selwire_kind { SELWIRE_BEGIN = 'B', SELWIRE_VALUE = 'V', SELWIRE_END = 'E' };

#define SELWIRE_REPLY_HEAD	6
#define SELWIRE_REPLY_MAX	(SELWIRE_REPLY_HEAD + EXTRACT_FIELD_MAX)
#define SELWIRE_NONE		0xffffffffu

struct selwire_reply {
	enum selwire_kind	 kind;
	unsigned		 index;
	const char		*value;    /* VALUE: points into the bytes decoded, not NUL-terminated; NULL: none */
	size_t			 len;
};

/*
 * Encodes one reply into out (SELWIRE_REPLY_MAX bytes) and returns its length. A
 * value (VALUE only; NULL for none) is cut to EXTRACT_FIELD_MAX bytes.
 */
size_t	selwire_reply_put(char *out, enum selwire_kind, unsigned index, const char *value);

/*
 * Decodes the reply at the start of p[0..n). Returns its length in bytes, 0 when
 * p holds only part of one, or -1 when it is malformed: an unknown kind, an index
 * of EXTRACT_MAX_SELECTORS or more, a BEGIN or END with a length, a VALUE longer
 * than EXTRACT_FIELD_MAX.
 */
long	selwire_reply_get(const char *p, size_t n, struct selwire_reply *r);

#endif
