/* test_frontier.c: the frontier's order (breadth first, retries in front), growth, bound and ownership. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontier.h"
#include "rhost.h"
#include "tap.h"

static struct frontier_item
item(const char *url, int depth)
{
	struct frontier_item it = { strdup(url), depth, 0, 0, NULL };

	return it;
}

static void
test_order(void)
{
	struct frontier		 f = { NULL, 0, 0, 0 };
	struct frontier_item	 it, a = item("a", 0), b = item("b", 1), r = item("r", 2);
	char			 got[16] = "";
	size_t			 n = 0;

	frontier_push(&f, &a, 0);
	frontier_push(&f, &b, 0);
	frontier_push(&f, &r, 1);
	while (frontier_pop(&f, &it) && n < sizeof(got) - 1) {
		got[n++] = it.url[0];
		frontier_item_free(&it);
	}
	TAP_STREQ(got, "rab", "back pushes come out in order, a front push first");
	TAP_CHECK(f.len == 0 && frontier_pop(&f, &it) == 0, "empty after popping all");
	frontier_free(&f);
}

/* Past the initial capacity, wrapped around, the ring keeps its order. */
static void
test_growth(void)
{
	struct frontier		 f = { NULL, 0, 0, 0 };
	struct frontier_item	 it;
	char			 url[32];
	int			 i, ok = 1;

	for (i = 0; i < 100; i++) {
		snprintf(url, sizeof(url), "u%d", i);
		it = item(url, 0);
		frontier_push(&f, &it, 0);
	}
	for (i = 0; i < 50; i++) {
		(void)frontier_pop(&f, &it);
		frontier_item_free(&it);
	}
	for (i = 100; i < 1000; i++) {
		snprintf(url, sizeof(url), "u%d", i);
		it = item(url, 0);
		frontier_push(&f, &it, 0);
	}
	for (i = 50; i < 1000; i++) {
		snprintf(url, sizeof(url), "u%d", i);
		if (!frontier_pop(&f, &it) || strcmp(it.url, url) != 0)
			ok = 0;
		frontier_item_free(&it);
	}
	TAP_CHECK(ok && f.len == 0, "950 URLs through a wrapped, grown ring, in order");
	it = item("x", 0);
	frontier_push(&f, &it, 1);
	frontier_clear(&f);
	TAP_CHECK(f.len == 0 && frontier_pop(&f, &it) == 0, "clear empties it");
	frontier_free(&f);
}

/* At FRONTIER_MAX a push frees the item instead (leak-checked under ASan). */
static void
test_bound(void)
{
	struct frontier		 f = { NULL, 0, 0, 0 };
	struct frontier_item	 it;
	size_t			 i;

	for (i = 0; i < FRONTIER_MAX + 10; i++) {
		it = item("u", 0);
		frontier_push(&f, &it, i % 2);
	}
	TAP_CHECK(f.len == FRONTIER_MAX, "the frontier holds at most %d URLs (%zu)", FRONTIER_MAX,
	    f.len);
	frontier_free(&f);
}

static void
test_hosts(void)
{
	struct rhost		*list = NULL, *a, *b;
	struct frontier_item	 it = item("https://a.example/x", 0);
	char			 key[FETCH_HOST_MAX], path[256];

	a = rhost_get(&list, "https://a.example:443");
	b = rhost_get(&list, "https://b.example:443");
	TAP_CHECK(a != NULL && b != NULL && a != b && rhost_get(&list, "https://a.example:443") == a,
	    "one rhost per key");
	rhost_wait(a, &it);
	TAP_CHECK(a->nwaiting == 1 && strcmp(a->waiting[0].url, "https://a.example/x") == 0,
	    "a URL waits on its host");
	rhost_free_all(&list);
	TAP_CHECK(list == NULL, "freed");
	TAP_CHECK(rhost_key("https://example.com/a?b", key, sizeof(key)) == 0 &&
	    strcmp(key, "https://example.com:443") == 0, "key %s", key);
	TAP_CHECK(rhost_key("http://x.org:8080/", key, sizeof(key)) == 0 &&
	    strcmp(key, "http://x.org:8080") == 0, "key with a port %s", key);
	TAP_CHECK(rhost_key("https://example.com/", key, 10) == -1, "a key too long for out");
	TAP_CHECK(rhost_path("https://example.com/a/b?q=1", path, sizeof(path)) == 0 &&
	    strcmp(path, "/a/b?q=1") == 0, "path and query %s", path);
	TAP_CHECK(rhost_path("https://example.com", path, sizeof(path)) == 0 &&
	    strcmp(path, "/") == 0, "an empty path is /");
}

int
main(void)
{
	test_order();
	test_growth();
	test_bound();
	test_hosts();
	return tap_done("test_frontier");
}
