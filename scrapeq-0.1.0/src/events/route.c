/* route.c: the hub's path table and its two small header parsers. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "scrapeq/limits.h"
#include "route.h"

static const struct {
	const char	*prefix;
	const char	*suffix;
	const char	*idprefix;
	enum route_kind	 kind;
} routes[] = {
	{ "/api/v1/jobs/", "/ws", ID_PREFIX_JOB, ROUTE_JOB_WS },
	{ "/api/v1/jobs/", "/events", ID_PREFIX_JOB, ROUTE_JOB_SSE },
	{ "/api/v1/projects/", "/events", ID_PREFIX_PROJECT, ROUTE_PROJECT_SSE },
};

int
route_parse(const char *path, size_t len, struct route_hit *out)
{
	char	 id[ID_STR_MAX + 1];
	size_t	 i, pl, sl, il;

	out->kind = ROUTE_NONE;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		pl = strlen(routes[i].prefix);
		sl = strlen(routes[i].suffix);
		if (len <= pl + sl || strncmp(path, routes[i].prefix, pl) != 0 ||
		    strncmp(path + len - sl, routes[i].suffix, sl) != 0)
			continue;
		il = len - pl - sl;
		if (il > ID_STR_MAX || memchr(path + pl, '/', il) != NULL)
			return -1;
		memcpy(id, path + pl, il);
		id[il] = '\0';
		if (id_parse(routes[i].idprefix, id, &out->id) == -1)
			return -1;
		out->kind = routes[i].kind;
		return 0;
	}
	return -1;
}

int
route_last_event_id(const char *s, size_t len, unsigned long long *out)
{
	unsigned long long	 v = 0;
	size_t			 i = 0, digits = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (; i < len && isdigit((unsigned char)s[i]); i++, digits++) {
		if (digits == 19)
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (digits == 0 || i != len || v > (unsigned long long)LLONG_MAX)
		return -1;
	*out = v;
	return 0;
}

int
route_token_header(const char *token, char *out, size_t outsz)
{
	size_t	 i, n = strlen(token);
	int	 w;

	if (n == 0 || n > SQ_EVENTS_TOKEN_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)token[i]) && strchr("._~+/=-", token[i]) == NULL)
			return -1;
	w = snprintf(out, outsz, "Bearer %s", token);
	return w < 0 || (size_t)w >= outsz ? -1 : 0;
}
