/* xmlquiet.c: no-op libxml2 error handlers shared by the HTML and sitemap parsers. */
#include <libxml/xmlerror.h>

#include "scrapeq/xmlquiet.h"

static void
quiet_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

void
xmlquiet_structured(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

void
xmlquiet_install(void)
{
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	xmlSetStructuredErrorFunc(NULL, xmlquiet_structured);
}
