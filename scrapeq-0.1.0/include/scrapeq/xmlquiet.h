/* xmlquiet.h: keeps libxml2 from printing: its callers read errors from return values. */
#ifndef SCRAPEQ_XMLQUIET_H
#define SCRAPEQ_XMLQUIET_H

#include <libxml/xmlerror.h>

/* Installs no-op generic and structured error handlers for this thread. */
void	xmlquiet_install(void);
/* A structured error handler that drops the error, for a parser context's own slot. */
void	xmlquiet_structured(void *ctx, xmlErrorPtr err);

#endif
