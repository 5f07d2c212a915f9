/* csv.h: RFC 4180 CSV output, one cell at a time, into a struct buf. */
#ifndef SCRAPEQ_CSV_H
#define SCRAPEQ_CSV_H

#include <stddef.h>
#include "buf.h"

/*
 * Prefix text cells that a spreadsheet would run as a formula with a single quote
 * (OWASP's "CSV injection"): a leading TAB, CR or LF, or = + - @ (or their full-width
 * forms U+FF1D U+FF0B U+FF0D U+FF20) after any run of blanks (ASCII white space,
 * U+00A0, U+3000), since spreadsheets trim those before they look. RFC 4180 knows
 * nothing of formulas: this is for the people who open an export in Excel or LibreOffice.
 */
#define CSV_GUARD_FORMULAS 0x1

/* A row writer over b (not owned). Errors stick in b->oom, as with every buf append. */
struct csv {
	struct buf	*b;
	unsigned	 flags;
	size_t		 ncells;   /* cells written in the current row */
};

void	csv_init(struct csv *, struct buf *b, unsigned flags);
/*
 * Appends one cell as RFC 4180 section 2 says: quoted when it holds a comma, a
 * double quote, CR or LF, with quotes doubled. NULL is an empty cell; a non-NULL
 * empty string is written "" so the two stay apart. The bytes are copied as they
 * are (the caller hands UTF-8).
 */
void	csv_cell(struct csv *, const char *s, size_t len);
/* As csv_cell, for text from outside: guarded against formulas when the flag is set. */
void	csv_text(struct csv *, const char *s, size_t len);
void	csv_int(struct csv *, long long v);
/* Ends the row with CRLF (RFC 4180: every line, the last included). */
void	csv_row_end(struct csv *);

#endif
