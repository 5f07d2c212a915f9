/* buf.h: a growable byte buffer that carries its own cap. */
#ifndef SCRAPEQ_BUF_H
#define SCRAPEQ_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* always NUL-terminated when len > 0 or after any append */
	size_t	 len;
	size_t	 cap;	/* allocated */
	size_t	 max;	/* hard limit on len; 0 means SIZE_MAX / 2 */
	int	 oom;	/* set once an append failed (no memory or past max); appends then no-op */
};

void	buf_init(struct buf *, size_t max);
void	buf_free(struct buf *);            /* frees data, leaves an empty buf; NULL ok */
void	buf_reset(struct buf *);           /* len = 0, keeps memory */
int	buf_append(struct buf *, const void *, size_t);     /* 0 ok, -1 failed (sets oom) */
int	buf_puts(struct buf *, const char *);
int	buf_putc(struct buf *, char);
/* Appends v in decimal, as "%lld" writes it, without printf's cost. */
int	buf_putint(struct buf *, long long v);
int	buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
int	buf_vprintf(struct buf *, const char *, va_list) __attribute__((format(printf, 2, 0)));
/* Appends s as a JSON string literal with quotes; invalid UTF-8 bytes become U+FFFD. */
int	buf_json_str(struct buf *, const char *s, size_t len);

#endif
