/* cursor.c: in-order delivery over an AUTO_INCREMENT id with gaps, and late rows. */
#include <string.h>

#include "scrapeq/limits.h"
#include "cursor.h"

void
cursor_init(struct cursor *c, unsigned long long pos, unsigned grace_ms)
{
	memset(c, 0, sizeof(*c));
	c->pos = pos;
	c->grace_ms = grace_ms;
}

int
cursor_tick(struct cursor *c, long long now_ms, struct buf *out)
{
	size_t	 i, n = 0;

	c->holding = 0;
	for (i = 0; i < c->ngaps; i++)
		if (now_ms - c->gaps[i].seen_ms < SQ_EVENTS_GAP_RECHECK_MS)
			c->gaps[n++] = c->gaps[i];
	c->ngaps = n;
	buf_putc(out, '[');
	for (i = 0; i < c->ngaps; i++)
		buf_printf(out, "%s[%llu,%llu]", i ? "," : "", c->gaps[i].lo, c->gaps[i].hi);
	buf_putc(out, ']');
	return out->oom ? -1 : 0;
}

/* Remembers [lo, hi] as given up; when full, the oldest is forgotten. */
static void
give_up(struct cursor *c, unsigned long long lo, unsigned long long hi, long long seen_ms)
{
	if (c->ngaps == SQ_EVENTS_GAPS_MAX) {
		memmove(&c->gaps[0], &c->gaps[1], (c->ngaps - 1) * sizeof(c->gaps[0]));
		c->ngaps--;
	}
	c->gaps[c->ngaps].lo = lo;
	c->gaps[c->ngaps].hi = hi;
	c->gaps[c->ngaps].seen_ms = seen_ms;
	c->ngaps++;
}

/* A row at or below pos: late when a given-up gap holds it (the gap shrinks or splits). */
static enum cursor_verdict
feed_old(struct cursor *c, unsigned long long id)
{
	struct cursor_gap	*g;
	size_t			 i;

	for (i = 0; i < c->ngaps; i++) {
		g = &c->gaps[i];
		if (id < g->lo || id > g->hi)
			continue;
		if (g->lo == g->hi) {
			memmove(g, g + 1, (c->ngaps - i - 1) * sizeof(*g));
			c->ngaps--;
		} else if (id == g->lo)
			g->lo++;
		else if (id == g->hi)
			g->hi--;
		else {
			struct cursor_gap tail = { id + 1, g->hi, g->seen_ms };

			g->hi = id - 1;
			give_up(c, tail.lo, tail.hi, tail.seen_ms);
		}
		return CURSOR_LATE;
	}
	return CURSOR_SKIP;
}

enum cursor_verdict
cursor_feed(struct cursor *c, unsigned long long id, long long age_ms, long long now_ms)
{
	if (id <= c->pos)
		return feed_old(c, id);
	if (c->holding)
		return CURSOR_HOLD;
	while (id > c->pos + 1) {
		/* pend, when set, always starts at pos + 1. */
		if (c->pend.hi == 0) {
			c->pend.lo = c->pos + 1;
			c->pend.hi = id - 1;
			c->pend.seen_ms = now_ms - (age_ms > 0 ? age_ms : 0);
		}
		if (now_ms - c->pend.seen_ms < (long long)c->grace_ms) {
			if (c->pend.hi < id - 1)
				c->pend.hi = id - 1;
			c->holding = 1;
			return CURSOR_HOLD;
		}
		if (c->pend.hi >= id - 1) {
			give_up(c, c->pend.lo, id - 1, c->pend.seen_ms);
			c->pos = id - 1;
			c->pend.lo = id + 1;
			if (c->pend.hi < c->pend.lo)
				c->pend.hi = 0;
		} else {
			/* Only the part seen missing long enough is given up; the rest waits anew. */
			give_up(c, c->pend.lo, c->pend.hi, c->pend.seen_ms);
			c->pos = c->pend.hi;
			c->pend.hi = 0;
		}
	}
	c->pos = id;
	if (c->pend.hi != 0) {
		if (c->pend.lo <= id)
			c->pend.lo = id + 1;
		if (c->pend.hi < c->pend.lo)
			c->pend.hi = 0;
	}
	return CURSOR_DELIVER;
}
