/* fuzz_events.c: libFuzzer target for the hub's parsers: paths, Last-Event-ID, ?token=, [events] listen, and message building over any outbox data. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrapeq/events_addr.h"
#include "scrapeq/limits.h"
#include "message.h"
#include "route.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A route it takes has a known prefix and suffix, and its id formats back to one id_parse takes. */
static void
routes(const char *s, size_t n)
{
	struct route_hit	 h;
	char			 id[ID_STR_MAX + 1];
	struct uuid		 u;

	if (route_parse(s, n, &h) == 0) {
		if (h.kind == ROUTE_NONE || strncmp(s, "/api/v1/", 8) != 0)
			abort();
		id_format(h.kind == ROUTE_PROJECT_SSE ? ID_PREFIX_PROJECT : ID_PREFIX_JOB, &h.id, id,
		    sizeof(id));
		if (id_parse(h.kind == ROUTE_PROJECT_SSE ? ID_PREFIX_PROJECT : ID_PREFIX_JOB, id, &u) != 0 ||
		    memcmp(&u, &h.id, sizeof(u)) != 0)
			abort();
	} else if (h.kind != ROUTE_NONE)
		abort();
}

/* An accepted Last-Event-ID prints back to its digits (blanks aside) and stays within LLONG_MAX. */
static void
last_id(const char *s, size_t n)
{
	unsigned long long	 v;
	char			 out[32], in[32];
	size_t			 i, k = 0;

	if (route_last_event_id(s, n, &v) != 0)
		return;
	if (v > (unsigned long long)LLONG_MAX)
		abort();
	for (i = 0; i < n && k < sizeof(in) - 1; i++)
		if (s[i] != ' ' && s[i] != '\t')
			in[k++] = s[i];
	in[k] = '\0';
	while (k > 1 && in[0] == '0') {
		memmove(in, in + 1, k);
		k--;
	}
	snprintf(out, sizeof(out), "%llu", v);
	if (strcmp(in, out) != 0)
		abort();
}

/* An accepted token becomes exactly "Bearer " + token, with no byte that could end a header. */
static void
token(const char *s)
{
	char	 out[SQ_EVENTS_TOKEN_MAX + 16];

	if (route_token_header(s, out, sizeof(out)) != 0)
		return;
	if (strncmp(out, "Bearer ", 7) != 0 || strcmp(out + 7, s) != 0 || strpbrk(out, "\r\n\" ;,") !=
	    out + 6)
		abort();
}

/* Any data: the message is refused or is one line of JSON starting with its type. */
static void
message(const char *s)
{
	struct event	 ev;
	struct buf	 b, f;

	memset(&ev, 0, sizeof(ev));
	ev.type = "failed";
	ev.data = s;
	ev.total_targets = 3;
	ev.completed_targets = 1;
	buf_init(&b, SQ_EVENTS_MESSAGE_MAX);
	buf_init(&f, SQ_EVENTS_MESSAGE_MAX + 64);
	if (message_build(&ev, &b) == 0) {
		if (strncmp(b.data, "{\"type\":\"failed\",\"data\":{", 25) != 0 ||
		    memchr(b.data, '\n', b.len) != NULL)
			abort();
		if (message_sse(9, "failed", b.data, b.len, &f) != 0)
			abort();
	}
	buf_free(&b);
	buf_free(&f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			*s;
	struct events_addr	 a;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	routes(s, strlen(s));
	last_id(s, size);
	token(s);
	message(s);
	if (events_addr_parse(s, &a) == 0 && (a.is_unix ? a.host[0] != '/' : a.port == 0))
		abort();
	free(s);
	return 0;
}
