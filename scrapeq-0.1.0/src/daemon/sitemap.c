/* sitemap.c: sitemaps.org urlset and sitemapindex documents, streamed through libxml2's SAX2 parser. */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "scrapeq/sitemap.h"
#include "scrapeq/xmlquiet.h"

/*
 * SAX rather than a tree: a 10 MB sitemap stays out of memory, and every <loc>
 * before an error has been handed over (libxml2's xmlReader loses the whole
 * 512-byte chunk an error is in). With XML_PARSE_RECOVER the parse goes on past
 * an error such as a raw '&'; a <loc> an error touched is dropped, not guessed.
 */
struct smparse {
	xmlParserCtxtPtr	 ctxt;
	enum sitemap_kind	 kind;
	const xmlChar		*ns;		/* the root's namespace (parser's dictionary), or NULL */
	int			 depth;		/* of the next element to open; the root is 0 */
	int			 root_seen;	/* one root only, however recovery goes */
	int			 in_entry;	/* inside a <url> or <sitemap> */
	int			 in_loc;	/* inside a <loc> we collect */
	int			 loc_bad;	/* an error, or the cap, hit this <loc> */
	size_t			 loclen;
	size_t			 nlocs;
	sitemap_cb		 cb;
	void			*arg;
	char			 loc[SITEMAP_LOC_MAX + 1];
};

static int
same_ns(const struct smparse *s, const xmlChar *uri)
{
	return (uri == NULL && s->ns == NULL) || (uri != NULL && s->ns != NULL &&
	    xmlStrEqual(uri, s->ns));
}

static void
on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
    int nns, const xmlChar **nsdecl, int nattr, int ndef, const xmlChar **attrs)
{
	struct smparse	*s = ctx;
	int		 depth = s->depth++;

	(void)prefix, (void)nns, (void)nsdecl, (void)nattr, (void)ndef, (void)attrs;
	if (depth == 0 && s->root_seen)
		xmlStopParser(s->ctxt);
	else if (depth == 0) {
		s->root_seen = 1;
		if (xmlStrEqual(local, BAD_CAST "urlset"))
			s->kind = SITEMAP_URLSET;
		else if (xmlStrEqual(local, BAD_CAST "sitemapindex"))
			s->kind = SITEMAP_INDEX;
		else
			xmlStopParser(s->ctxt);
		s->ns = uri;
	} else if (depth == 1)
		s->in_entry = same_ns(s, uri) && xmlStrEqual(local,
		    s->kind == SITEMAP_URLSET ? BAD_CAST "url" : BAD_CAST "sitemap");
	else if (depth == 2 && s->in_entry && same_ns(s, uri) &&
	    xmlStrEqual(local, BAD_CAST "loc")) {
		s->in_loc = 1;
		s->loc_bad = 0;
		s->loclen = 0;
	}
}

static int
is_xml_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Hands the collected <loc> over, trimmed; stops the parse when told to or at the cap. */
static void
deliver(struct smparse *s)
{
	size_t	 start = 0, n = s->loclen;

	while (n > 0 && is_xml_ws(s->loc[n - 1]))
		n--;
	while (start < n && is_xml_ws(s->loc[start]))
		start++;
	if (s->loc_bad || start == n)
		return;
	s->loc[n] = '\0';
	if (s->cb(s->arg, s->loc + start) != 0 || ++s->nlocs == SITEMAP_MAX_URLS)
		xmlStopParser(s->ctxt);
}

static void
on_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct smparse	*s = ctx;

	(void)local, (void)prefix, (void)uri;
	if (s->depth > 0)
		s->depth--;
	if (s->depth == 2 && s->in_loc) {
		s->in_loc = 0;
		deliver(s);
	} else if (s->depth == 1)
		s->in_entry = 0;
}

static void
on_text(void *ctx, const xmlChar *text, int len)
{
	struct smparse	*s = ctx;

	if (!s->in_loc || s->loc_bad)
		return;
	if (len < 0 || (size_t)len > SITEMAP_LOC_MAX - s->loclen) {
		s->loc_bad = 1;
		return;
	}
	memcpy(s->loc + s->loclen, text, (size_t)len);
	s->loclen += (size_t)len;
}

/* The protocol has no DTD; a DOCTYPE is refused before any entity is declared. */
static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *pub, const xmlChar *sys)
{
	struct smparse	*s = ctx;

	(void)name, (void)pub, (void)sys;
	s->kind = SITEMAP_INVALID;
	xmlStopParser(s->ctxt);
}

/* A parser error (libxml2 passes the SAX user data) drops the <loc> it is in. */
static void
on_error(void *ctx, xmlErrorPtr err)
{
	struct smparse	*s = ctx;

	(void)err;
	if (s != NULL)
		s->loc_bad = 1;
}

enum sitemap_kind
sitemap_parse(const char *body, size_t len, sitemap_cb cb, void *arg)
{
	struct smparse	 s;

	if (body == NULL || len == 0 || len > SITEMAP_MAX_BYTES || cb == NULL)
		return SITEMAP_INVALID;
	memset(&s, 0, sizeof(s));
	s.kind = SITEMAP_INVALID;
	s.cb = cb;
	s.arg = arg;
	xmlquiet_install();
	if ((s.ctxt = xmlCreateMemoryParserCtxt(body, (int)len)) == NULL)
		return SITEMAP_INVALID;
	xmlCtxtUseOptions(s.ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_RECOVER);
	/* Only these callbacks: no tree, no entity declarations kept, nothing loaded. */
	memset(s.ctxt->sax, 0, sizeof(*s.ctxt->sax));
	s.ctxt->sax->initialized = XML_SAX2_MAGIC;
	s.ctxt->sax->startElementNs = on_start;
	s.ctxt->sax->endElementNs = on_end;
	s.ctxt->sax->characters = on_text;
	s.ctxt->sax->cdataBlock = on_text;
	s.ctxt->sax->internalSubset = on_doctype;
	s.ctxt->sax->serror = on_error;
	s.ctxt->userData = &s;
	xmlParseDocument(s.ctxt);
	xmlFreeParserCtxt(s.ctxt);
	return s.kind;
}
