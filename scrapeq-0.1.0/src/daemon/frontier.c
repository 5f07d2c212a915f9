/* frontier.c: a target's URLs waiting to be fetched, as a ring that grows by doubling. */
#include <stdlib.h>

#include "frontier.h"

void
frontier_item_free(struct frontier_item *it)
{
	free(it->url);
	free(it->origin);
	it->url = it->origin = NULL;
}

static int
grow(struct frontier *f)
{
	struct frontier_item	*n;
	size_t			 cap = f->cap ? f->cap * 2 : 256, i;

	if ((n = calloc(cap, sizeof(*n))) == NULL)
		return -1;
	for (i = 0; i < f->len; i++)
		n[i] = f->ring[(f->head + i) % f->cap];
	free(f->ring);
	f->ring = n;
	f->cap = cap;
	f->head = 0;
	return 0;
}

void
frontier_push(struct frontier *f, struct frontier_item *it, int front)
{
	if (f->len >= FRONTIER_MAX || (f->len == f->cap && grow(f) == -1)) {
		frontier_item_free(it);
		return;
	}
	if (front) {
		f->head = (f->head + f->cap - 1) % f->cap;
		f->ring[f->head] = *it;
	} else
		f->ring[(f->head + f->len) % f->cap] = *it;
	f->len++;
}

int
frontier_pop(struct frontier *f, struct frontier_item *it)
{
	if (f->len == 0)
		return 0;
	*it = f->ring[f->head];
	f->head = (f->head + 1) % f->cap;
	f->len--;
	return 1;
}

void
frontier_clear(struct frontier *f)
{
	struct frontier_item it;

	while (frontier_pop(f, &it))
		frontier_item_free(&it);
}

void
frontier_free(struct frontier *f)
{
	frontier_clear(f);
	free(f->ring);
	f->ring = NULL;
	f->head = f->len = f->cap = 0;
}
