// SPDX-License-Identifier: GPL-2.0-only
/* Order models: sequential, random, and LRU under a RAM budget with Zipf accesses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order.h"
#include "rng.h"

#define NIL UINT32_MAX

enum page_state { UNTOUCHED, RESIDENT, SWAPPED, ON_DISK };

struct run {
	const struct zpb_order_opts *o;
	const struct zpb_order_page *pages;
	uint64_t npages;
	struct zpb_sink *sink;
	struct zpb_order_stats *st;
	uint64_t t, step;
	char *err;
	size_t errlen;
	/* LRU state: a doubly linked list through two arrays, head = most recent. */
	uint8_t *state;
	uint32_t *prev, *next;
	uint32_t head, tail;
	uint64_t resident;
};

int zpb_order_parse(const char *s)
{
	if (!strcmp(s, "sequential"))
		return ZPB_ORDER_SEQUENTIAL;
	if (!strcmp(s, "random"))
		return ZPB_ORDER_RANDOM;
	if (!strcmp(s, "lru"))
		return ZPB_ORDER_LRU;
	return -1;
}

const char *zpb_order_name(enum zpb_order o)
{
	static const char *const names[] = { "sequential", "random", "lru" };

	return (unsigned int)o < 3 ? names[o] : "?";
}

static void progress(struct run *r, const char *phase, uint64_t done, uint64_t total)
{
	/* Every 64 Ki steps: often enough for a terminal, cheap enough for a loop. */
	if (r->o->progress && ((done & 0xffff) == 0 || done == total))
		r->o->progress(r->o->progress_ctx, phase, done, total);
}

static int mark(struct run *r, const char *label)
{
	r->st->marks++;
	return zpb_sink_mark(r->sink, r->t += r->step, 0, label, r->err, r->errlen);
}

static int store(struct run *r, uint32_t p)
{
	const struct zpb_order_page *pg = &r->pages[p];

	if (pg->rejected) {
		r->st->rejected_stores++;
		return 0;
	}
	r->st->stores++;
	return zpb_sink_store(r->sink, r->t += r->step, 0, ZPB_KEY(0, p), pg->len,
			      pg->flags | ZPB_STORE_PAGEREF, p, r->err, r->errlen);
}

/* A swap-in: the page comes back from zswap and its slot is freed. */
static int swapin(struct run *r, uint32_t p)
{
	if (r->pages[p].rejected) {
		r->st->disk_swapins++;
		return 0;
	}
	r->st->loads++;
	r->st->invalidates++;
	if (zpb_sink_op(r->sink, r->t += r->step, 0, ZPB_OP_LOAD, ZPB_KEY(0, p), r->err, r->errlen))
		return -1;
	return zpb_sink_op(r->sink, r->t += r->step, 0, ZPB_OP_INVALIDATE, ZPB_KEY(0, p),
			   r->err, r->errlen);
}

static uint32_t *permutation(uint64_t n, struct zpb_rng *rng)
{
	uint32_t *p = malloc((n ? n : 1) * sizeof(*p));

	if (p)
		zpb_rng_permutation(rng, p, n);
	return p;
}

static int run_two_phase(struct run *r, struct zpb_rng *rng)
{
	uint32_t *order = NULL;
	uint64_t i;
	int phase;

	for (phase = 0; phase < 2; phase++) {
		if (mark(r, phase ? "load" : "store"))
			goto fail;
		if (r->o->order == ZPB_ORDER_RANDOM) {
			free(order);
			order = permutation(r->npages, rng);
			if (!order) {
				snprintf(r->err, r->errlen, "order model: out of memory for %llu pages",
					 (unsigned long long)r->npages);
				return -1;
			}
		}
		for (i = 0; i < r->npages; i++) {
			uint32_t p = order ? order[i] : (uint32_t)i;

			if (phase ? swapin(r, p) : store(r, p))
				goto fail;
			progress(r, phase ? "load" : "store", i + 1, r->npages);
		}
	}
	free(order);
	return 0;
fail:
	free(order);
	return -1;
}

static void lru_unlink(struct run *r, uint32_t p)
{
	if (r->prev[p] != NIL)
		r->next[r->prev[p]] = r->next[p];
	else
		r->head = r->next[p];
	if (r->next[p] != NIL)
		r->prev[r->next[p]] = r->prev[p];
	else
		r->tail = r->prev[p];
	r->resident--;
}

static void lru_push(struct run *r, uint32_t p)
{
	r->prev[p] = NIL;
	r->next[p] = r->head;
	if (r->head != NIL)
		r->prev[r->head] = p;
	else
		r->tail = p;
	r->head = p;
	if (++r->resident > r->st->max_resident)
		r->st->max_resident = r->resident;
}

/* One access to page @p: a hit moves it to the front; a miss brings it in and may evict. */
static int lru_touch(struct run *r, uint32_t p)
{
	if (r->state[p] == RESIDENT) {
		lru_unlink(r, p);
		lru_push(r, p);
		return 0;
	}
	/*
	 * Reclaim makes room before the fault brings the page in, so RAM never
	 * holds more than the budget, not even between two records.
	 */
	while (r->resident >= r->o->budget) {
		uint32_t q = r->tail;

		lru_unlink(r, q);
		r->state[q] = r->pages[q].rejected ? ON_DISK : SWAPPED;
		if (store(r, q))
			return -1;
	}
	switch (r->state[p]) {
	case SWAPPED:
		if (swapin(r, p))
			return -1;
		break;
	case ON_DISK:
		r->st->disk_swapins++;
		break;
	default:
		r->st->first_touches++;
		break;
	}
	r->state[p] = RESIDENT;
	lru_push(r, p);
	return 0;
}

static int run_lru(struct run *r, struct zpb_rng *rng)
{
	uint64_t ws = r->o->working_set ? r->o->working_set : r->npages;
	uint64_t ops = r->o->ops ? r->o->ops : 4 * r->npages;
	uint32_t *hot = NULL;
	struct zpb_zipf z;
	uint64_t i;
	int ret = -1;

	if (r->o->budget < 1) {
		snprintf(r->err, r->errlen, "lru order: the budget must be at least 1 page");
		return -1;
	}
	if (ws > r->npages)
		ws = r->npages;
	r->state = calloc(r->npages, 1);
	r->prev = malloc(r->npages * sizeof(*r->prev));
	r->next = malloc(r->npages * sizeof(*r->next));
	/* Which pages are hot is random, not the first ones of the file. */
	hot = permutation(r->npages, rng);
	if (!r->state || !r->prev || !r->next || !hot) {
		snprintf(r->err, r->errlen, "lru order: out of memory for %llu pages",
			 (unsigned long long)r->npages);
		goto out;
	}
	r->head = r->tail = NIL;
	/* Fill: the program touches all its memory once, in order. */
	if (mark(r, "fill"))
		goto out;
	for (i = 0; i < r->npages; i++) {
		if (lru_touch(r, (uint32_t)i))
			goto out;
		progress(r, "fill", i + 1, r->npages);
	}
	if (mark(r, "access"))
		goto out;
	zpb_zipf_init(&z, ws, r->o->zipf);
	for (i = 0; i < ops; i++) {
		if (lru_touch(r, hot[zpb_zipf_next(&z, rng)]))
			goto out;
		progress(r, "access", i + 1, ops);
	}
	ret = mark(r, "end");
out:
	free(hot);
	free(r->state);
	free(r->prev);
	free(r->next);
	return ret;
}

int zpb_order_run(const struct zpb_order_opts *o, const struct zpb_order_page *pages,
		  uint64_t npages, struct zpb_sink *sink, struct zpb_order_stats *st,
		  char *err, size_t errlen)
{
	struct run r;
	struct zpb_rng rng;

	memset(st, 0, sizeof(*st));
	if (npages == 0) {
		snprintf(err, errlen, "order model: no pages");
		return -1;
	}
	if (npages >= NIL) {
		snprintf(err, errlen, "order model: %llu pages is too many (the limit is %u)",
			 (unsigned long long)npages, NIL - 1);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.o = o;
	r.pages = pages;
	r.npages = npages;
	r.sink = sink;
	r.st = st;
	r.step = o->time_step_ns ? o->time_step_ns : 1000;
	r.err = err;
	r.errlen = errlen;
	zpb_rng_seed(&rng, o->seed);
	switch (o->order) {
	case ZPB_ORDER_SEQUENTIAL:
	case ZPB_ORDER_RANDOM:
		return run_two_phase(&r, &rng);
	case ZPB_ORDER_LRU:
		return run_lru(&r, &rng);
	}
	snprintf(err, errlen, "order model: unknown order %d", (int)o->order);
	return -1;
}
