/* text.h: small string helpers every module would otherwise write again. */
#ifndef SCRAPEQ_TEXT_H
#define SCRAPEQ_TEXT_H

#include <stddef.h>

/* Copies src (NULL means "") into dst of dstsz > 0 bytes, truncating; always NUL-terminates. */
void	text_copy(char *dst, size_t dstsz, const char *src);
/* ASCII lower case of c (locale-free). */
unsigned char text_lower(unsigned char c);
/* 1 when s[0..n) equals the NUL-terminated lit, ignoring ASCII case; else 0. */
int	text_eq_ci(const char *s, size_t n, const char *lit);
/* Returns the value of one hex digit (either case), or -1. */
int	text_hexval(unsigned char c);

#endif
