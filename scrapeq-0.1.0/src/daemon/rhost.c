/* rhost.c: per-host state of a crawl's current target, and the URL parts it is keyed and judged by. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "scrapeq/text.h"
#include "rhost.h"

struct rhost *
rhost_get(struct rhost **list, const char *key)
{
	struct rhost *h;

	for (h = *list; h != NULL; h = h->next)
		if (strcmp(h->key, key) == 0)
			return h;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	text_copy(h->key, sizeof(h->key), key);
	h->next = *list;
	*list = h;
	return h;
}

void
rhost_free_all(struct rhost **list)
{
	struct rhost	*h, *n;
	size_t		 i;

	for (h = *list; h != NULL; h = n) {
		n = h->next;
		for (i = 0; i < h->nwaiting; i++)
			frontier_item_free(&h->waiting[i]);
		free(h->waiting);
		robots_free(h->robots);
		free(h);
	}
	*list = NULL;
}

void
rhost_wait(struct rhost *h, struct frontier_item *it)
{
	if (h->nwaiting == h->capwaiting) {
		size_t	 cap = h->capwaiting ? h->capwaiting * 2 : 16;
		void	*p;

		if (cap > FRONTIER_MAX || (p = realloc(h->waiting, cap * sizeof(*h->waiting))) == NULL) {
			frontier_item_free(it);
			return;
		}
		h->waiting = p;
		h->capwaiting = cap;
	}
	h->waiting[h->nwaiting++] = *it;
}

int
rhost_key(const char *url, char *out, size_t outsz)
{
	CURLU	*h = curl_url();
	char	*scheme = NULL, *host = NULL, *port = NULL;
	int	 rc = -1;

	if (h != NULL && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		int n = snprintf(out, outsz, "%s://%s:%s", scheme, host, port);

		rc = n > 0 && (size_t)n < outsz ? 0 : -1;
	}
	curl_free(port);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(h);
	return rc;
}

int
rhost_path(const char *url, char *out, size_t outsz)
{
	CURLU	*h = curl_url();
	char	*path = NULL, *query = NULL;
	int	 rc = -1, n;

	if (h != NULL && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
		(void)curl_url_get(h, CURLUPART_QUERY, &query, 0);
		n = snprintf(out, outsz, "%s%s%s", path, query ? "?" : "", query ? query : "");
		rc = n > 0 && (size_t)n < outsz ? 0 : -1;
	}
	curl_free(query);
	curl_free(path);
	curl_url_cleanup(h);
	return rc;
}
