/* text.h: small string helpers every module would otherwise write again. */
#ifndef SCRAPEQ_TEXT_H
#define SCRAPEQ_TEXT_H

#include <stddef.h>

/* Copies src (NULL means "") into dst of dstsz > 0 bytes, truncating; always NUL-terminates. */
void	text_copy(char *dst, size_t dstsz, const char *src);
/* Returns the value of one hex digit (either case), or -1. */
int	text_hexval(unsigned char c);

#endif
