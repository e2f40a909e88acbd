// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: soak
// zpb-test: threaded
/*
 * Threaded stress over every registered allocator: 4 threads share one pool
 * and malloc, map, write, unmap, check and free, handing objects to each
 * other through a mailbox so that an object is often freed or mapped by a
 * thread other than the one that allocated it. Every object's contents are
 * checked whenever it is mapped and at the end. Built for TSan too (it is in
 * 'ninja test-threaded'): the handoff is an acquire/release exchange, so any
 * race TSan reports is the allocator's.
 */
#include <pthread.h>
#include <stdlib.h>

#include "../allocators/kernel/compat.h"
#include "harness.h"
#include "pool_util.h"

#define NTHREADS	4
#define PER_THREAD	256
#define MAILBOX		64
#define BASE_ITERS	50000UL

struct record {
	unsigned long handle;
	uint32_t size;
	bool live;
	uint64_t tag;
};

struct worker {
	pthread_t tid;
	int id;
	struct zpool *zp;
	struct record *own[PER_THREAD];
	uint64_t rng;
	unsigned long iters, ops, errors;
	char first_error[200];
};

static struct record *mailbox[MAILBOX];

static void fail(struct worker *w, const char *what, const struct record *r, size_t at, int ret)
{
	if (!w->errors++)
		snprintf(w->first_error, sizeof(w->first_error),
			 "%s: thread %d: %s: %u-byte object, tag %llu: byte %zu / ret %d",
			 w->zp->driver->type, w->id, what, r->size, (unsigned long long)r->tag, at, ret);
}

static void check(struct worker *w, struct record *r, const void *p, const char *what)
{
	size_t at;

	if (!zpbt_has_data(w->zp->driver))
		return;
	at = zpbt_verify(p, r->size, r->tag);
	if (at != r->size)
		fail(w, what, r, at, 0);
}

static void step(struct worker *w, struct record **slot)
{
	struct record *r = *slot;
	struct zpool *zp = w->zp;
	uint64_t x = zpbt_below(&w->rng, 100);
	void *p;
	int ret;

	w->ops++;
	if (!r->live) {
		r->size = 1 + zpbt_below(&w->rng, zpb_spec_max_size(&zp->spec));
		ret = zpool_malloc(zp, r->size, GFP_KERNEL, &r->handle);
		if (ret) {
			fail(w, "malloc", r, 0, ret);
			return;
		}
		r->live = true;
		r->tag = (uint64_t)w->id << 48 | w->ops;
		p = zpool_map_handle(zp, r->handle, ZPOOL_MM_WO);
		zpbt_fill(p, r->size, r->tag);
		zpool_unmap_handle(zp, r->handle);
		return;
	}
	if (x < 35) {
		p = zpool_map_handle(zp, r->handle, ZPOOL_MM_RO);
		check(w, r, p, "RO map before free");
		zpool_unmap_handle(zp, r->handle);
		zpool_free(zp, r->handle);
		r->live = false;
	} else if (x < 65) {
		p = zpool_map_handle(zp, r->handle, ZPOOL_MM_RO);
		check(w, r, p, "RO map");
		zpool_unmap_handle(zp, r->handle);
	} else if (x < 80) {
		p = zpool_map_handle(zp, r->handle, ZPOOL_MM_RW);
		check(w, r, p, "RW map");
		r->tag += 1u << 20;
		zpbt_fill(p, r->size, r->tag);
		zpool_unmap_handle(zp, r->handle);
	} else if (x < 90) {
		p = zpool_map_handle(zp, r->handle, ZPOOL_MM_WO);
		r->tag += 1u << 20;
		zpbt_fill(p, r->size, r->tag);
		zpool_unmap_handle(zp, r->handle);
	} else {
		/* Hand the object to whichever thread takes this mailbox slot next. */
		*slot = __atomic_exchange_n(&mailbox[zpbt_below(&w->rng, MAILBOX)], r, __ATOMIC_ACQ_REL);
	}
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned long n;

	for (n = 0; n < w->iters; n++)
		step(w, &w->own[zpbt_below(&w->rng, PER_THREAD)]);
	return NULL;
}

static void finish(struct zpool *zp, struct record *r, unsigned long *bad)
{
	const void *p;

	if (!r->live)
		return;
	if (zpbt_has_data(zp->driver)) {
		p = zpool_map_handle(zp, r->handle, ZPOOL_MM_RO);
		if (zpbt_verify(p, r->size, r->tag) != r->size)
			(*bad)++;
		zpool_unmap_handle(zp, r->handle);
	}
	zpool_free(zp, r->handle);
	r->live = false;
}

TEST(stress_four_threads_share_a_pool_with_contents_intact)
{
	unsigned long iters = BASE_ITERS * zpbt_scale();
	uint64_t seed = zpbt_seed(4242);
	const struct zpool_driver *d;
	int i;

	zpbt_for_each_driver(d, i) {
		struct record *recs = calloc(NTHREADS * PER_THREAD + MAILBOX, sizeof(*recs));
		struct worker w[NTHREADS];
		unsigned long bad = 0, ops = 0;
		struct zpool *zp;
		int t, k;

		REQUIRE(recs, "calloc");
		/* Threads hold mappings while others free: the seeds' data bugs are fixed (pool_util.h). */
		zp = zpbt_create_with_fixes(d, NULL, 0);
		if (!zp) {
			free(recs);
			continue;
		}
		for (k = 0; k < MAILBOX; k++)
			mailbox[k] = &recs[NTHREADS * PER_THREAD + k];
		for (t = 0; t < NTHREADS; t++) {
			memset(&w[t], 0, sizeof(w[t]));
			w[t].id = t;
			w[t].zp = zp;
			w[t].iters = iters;
			w[t].rng = seed + t;
			for (k = 0; k < PER_THREAD; k++)
				w[t].own[k] = &recs[t * PER_THREAD + k];
			REQUIRE(!pthread_create(&w[t].tid, NULL, worker_fn, &w[t]), "pthread_create");
		}
		for (t = 0; t < NTHREADS; t++) {
			pthread_join(w[t].tid, NULL);
			CHECK(!w[t].errors, "%s (%lu errors)", w[t].first_error, w[t].errors);
			ops += w[t].ops;
		}
		/* Every record is in some thread's hands or in the mailbox: check and free it. */
		for (k = 0; k < NTHREADS * PER_THREAD + MAILBOX; k++)
			finish(zp, &recs[k], &bad);
		CHECK(bad == 0, "%s: %lu objects corrupt at the end of the stress run", d->type, bad);
		CHECK(zpbt_settles_to_zero(zp), "%s: total_size %llu 10s after freeing everything",
		      d->type, (unsigned long long)zpool_get_total_size(zp));
		CHECK(zpool_destroy_pool(zp) == 0, "%s: destroy after stress left pages", d->type);
		printf("  %s: %lu ops over %d threads\n", d->type, ops, NTHREADS);
		free(recs);
	}
}
