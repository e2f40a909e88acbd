// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: soak
/*
 * Failure injection (allocators/kernel/fault.h) at every allocation of every
 * registered allocator: pool creation (kmalloc, kmem_cache_create, per-CPU
 * areas, workqueues), alloc_page (objects' pages, zsmalloc's zspages,
 * migration's destination pages) and kmem_cache_alloc (z3fold's slots,
 * zsmalloc's handle and zspage caches), and ideal's kmalloc'd objects.
 *
 * A small seeded workload (malloc, write, verify, free, shrink, compact,
 * migrate, as the driver's capabilities allow) runs once to count the
 * allocations it makes, C; then once for every N in 1..C with the Nth
 * allocation failing, and then with allocations failing at random. Each
 * time:
 *  - the failing call is reached (the workload is deterministic), and the
 *    only visible effect is create returning NULL or malloc returning
 *    -ENOMEM, in the call during which the fault was injected;
 *  - after each failure every live object is checked byte by byte (the
 *    object an operation touches is checked at every operation);
 *  - at the end every page goes back (destroy reports none left, the arena
 *    is back where it started), no WARN or pr_err fired, and nothing leaks
 *    (LeakSanitizer, in an address-sanitizer build).
 * The replay engine, with page allocations failing at random, counts each
 * failed store as rejected and goes on to the end, every load verified.
 * 'ninja soak' (ZPB_TEST_SCALE=20) runs a workload 20 times as long.
 */
#include <stdlib.h>

#include "../allocators/kernel/compat.h"
#include "harness.h"
#include "pool_util.h"
#include "replay_util.h"

#define NOBJ 48
#define BASE_STEPS 120
#define RANDOM_RUNS 12

struct obj {
	unsigned long handle;
	size_t size;
	uint64_t tag;
	bool live;
};

struct fi {
	const struct zpool_driver *d;
	struct zpool *zp;
	struct obj o[NOBJ];
	uint64_t rng, next_tag;
	unsigned long enomem, create_failed, ops;
	bool broken;
};

static struct fi *current;

static bool check_obj(struct fi *f, int i, const char *after)
{
	struct obj *o = &f->o[i];
	const void *p;
	size_t at;

	if (!zpbt_has_data(f->d))
		return true;
	p = zpool_map_handle(f->zp, o->handle, ZPOOL_MM_RO);
	at = zpbt_verify(p, o->size, o->tag);
	zpool_unmap_handle(f->zp, o->handle);
	if (at != o->size) {
		CHECK(0, "%s: op %lu (after %s): object %d (%zu bytes) differs at byte %zu",
		      f->d->type, f->ops, after, i, o->size, at);
		f->broken = true;
	}
	return at == o->size;
}

static void check_all(struct fi *f, const char *after)
{
	int i;

	for (i = 0; i < NOBJ && !f->broken; i++)
		if (f->o[i].live)
			check_obj(f, i, after);
}

static int fi_evict(struct zpool *zp, unsigned long handle)
{
	struct fi *f = current;
	int i;

	for (i = 0; i < NOBJ; i++)
		if (f->o[i].live && f->o[i].handle == handle)
			break;
	if (i == NOBJ) {
		CHECK(0, "%s: evict of a handle %#lx that is not live", f->d->type, handle);
		f->broken = true;
		return -ENOENT;
	}
	check_obj(f, i, "evict");
	zpool_free(zp, handle);
	f->o[i].live = false;
	return 0;
}

static const struct zpool_ops fi_ops = { .evict = fi_evict };

static size_t fi_size(struct fi *f)
{
	size_t max = f->d->max_size(NULL);

	switch (zpbt_below(&f->rng, 5)) {
	case 0:
		return 1 + zpbt_below(&f->rng, 128);
	case 1:
		return max - zpbt_below(&f->rng, 200);	/* headless (z3fold), huge classes (zsmalloc) */
	default:
		return 300 + zpbt_below(&f->rng, 1800);
	}
}

static void fi_malloc(struct fi *f, int i)
{
	struct obj *o = &f->o[i];
	unsigned long injected = zpb_fault_injected();
	size_t size = fi_size(f);
	int ret = zpool_malloc(f->zp, size, GFP_KERNEL, &o->handle);

	f->ops++;
	if (ret == -ENOMEM && zpb_fault_injected() != injected) {
		f->enomem++;
		check_all(f, "a failed malloc");
		return;
	}
	if (ret) {
		CHECK(0, "%s: op %lu: malloc(%zu): expected 0 (or -ENOMEM when a fault is injected in it), got %d (%lu injected during it)",
		      f->d->type, f->ops, size, ret, zpb_fault_injected() - injected);
		f->broken = true;
		return;
	}
	o->size = size;
	o->tag = f->next_tag++;
	o->live = true;
	zpbt_fill(zpool_map_handle(f->zp, o->handle, ZPOOL_MM_WO), size, o->tag);
	zpool_unmap_handle(f->zp, o->handle);
	if (zpb_fault_injected() != injected)
		check_all(f, "a malloc that absorbed an injected fault");
}

/* One step of the workload; the driver's capabilities choose the maintenance. */
static void fi_step(struct fi *f, unsigned long step)
{
	int i = (int)zpbt_below(&f->rng, NOBJ);
	unsigned long injected = zpb_fault_injected();

	if (!f->o[i].live) {
		fi_malloc(f, i);
	} else if (zpbt_below(&f->rng, 3) == 0) {
		check_obj(f, i, "free");
		zpool_free(f->zp, f->o[i].handle);
		f->o[i].live = false;
		f->ops++;
	} else {
		check_obj(f, i, "a map");
		f->ops++;
	}
	if ((f->d->caps & ZPB_CAP_EVICT) && step % 17 == 16) {
		zpool_shrink(f->zp, 1, NULL);
		f->ops++;
	}
	if ((f->d->caps & ZPB_CAP_COMPACT) && step % 23 == 22) {
		zpool_compact(f->zp);
		f->ops++;
	}
	if ((f->d->caps & ZPB_CAP_MOVABLE) && step % 11 == 10) {
		zpool_migrate_pages(f->zp, 4);	/* a destination page that cannot be had: the page stays */
		f->ops++;
	}
	if (zpb_fault_injected() != injected)
		check_all(f, "an injected fault");
}

/*
 * Run the workload of @seed over @steps under @cfg (NULL: no injection);
 * returns the allocations counted (all sites), or 0 if the run broke.
 */
static unsigned long run(const struct zpool_driver *d, uint64_t seed, unsigned long steps,
			 const struct zpb_fault_config *cfg, unsigned long *injected)
{
	static struct fi f;
	struct zpb_fault_config count = { .sites = ZPB_FAULT_ALL };
	unsigned long warns = zpb_diag_warnings(), errors = zpb_diag_errors();
	unsigned long arena = zpb_arena_pages_in_use(), calls, step;
	long left;
	int i;

	memset(&f, 0, sizeof(f));
	f.d = d;
	f.rng = seed;
	f.next_tag = 1;
	current = &f;
	zpb_fault_start(cfg ? cfg : &count);
	f.zp = zpbt_create_quiet(d, &fi_ops, 0);
	if (!f.zp) {
		bool injected_in_create = zpb_fault_injected() != 0;

		zpb_fault_stop();
		*injected = zpb_fault_injected();
		CHECK(injected_in_create, "%s: create failed (errno %d) without an injected fault", d->type, errno);
		CHECK(errno == ENOMEM, "%s: create failed by an injected fault: errno %d, expected ENOMEM",
		      d->type, errno);
		CHECK_EQ_UL(zpb_arena_pages_in_use(), arena, "pages in the arena after a failed create");
		f.create_failed = 1;
		calls = zpb_fault_calls();
		goto out;
	}
	for (step = 0; step < steps && !f.broken; step++)
		fi_step(&f, step);
	calls = zpb_fault_calls();
	zpb_fault_stop();
	*injected = zpb_fault_injected();
	check_all(&f, "the workload");
	for (i = 0; i < NOBJ; i++)
		if (f.o[i].live)
			zpool_free(f.zp, f.o[i].handle);
	left = zpool_destroy_pool(f.zp);
	CHECK(left == 0, "%s: destroy after %lu injected faults: %ld pages left", d->type, *injected, left);
	CHECK_EQ_UL(zpb_arena_pages_in_use(), arena, "pages in the arena after destroy");
	if (f.broken)
		calls = 0;
out:
	CHECK(zpb_diag_warnings() == warns && zpb_diag_errors() == errors,
	      "%s: %lu WARNs and %lu errors (pr_err) under failure injection, expected none",
	      d->type, zpb_diag_warnings() - warns, zpb_diag_errors() - errors);
	current = NULL;
	return calls;
}

/* Work runs at the end of the operation that queued it: the same calls in the same order every run. */
static void deterministic(bool on)
{
	zpb_wq_set_deterministic(on);
	zpb_set_thread_cpu(on ? zpb_next_online_cpu(-1) : -1);
}

TEST(every_nth_allocation_failing_is_enomem_without_leak_or_corruption_on_every_allocator)
{
	unsigned long steps = (unsigned long)(BASE_STEPS * zpbt_scale());
	uint64_t seed = zpbt_seed(0xfa11);
	const struct zpool_driver *d;
	int k;

	deterministic(true);
	zpbt_for_each_driver(d, k) {
		unsigned long calls, n, injected, missed = 0;

		calls = run(d, seed, steps, NULL, &injected);
		CHECK(calls > 0, "%s: the workload made no allocation (or broke)", d->type);
		for (n = 1; n <= calls && !zpbt_failed(); n++) {
			struct zpb_fault_config c = { .sites = ZPB_FAULT_ALL, .nth = n };

			run(d, seed, steps, &c, &injected);
			if (injected != 1)
				missed++;
		}
		/*
		 * The workload repeats itself call for call but for migration,
		 * which takes the pool's first movable pages in arena order,
		 * and the arena's free list is in another order each run: a
		 * run may make a few allocations fewer than the count. Almost
		 * every allocation must still have been failed in its turn.
		 */
		CHECK(missed * 50 <= calls, "%s: %lu of %lu allocations were not reached again when told to fail (at most 2%% may be)",
		      d->type, missed, calls);
		printf("  %s: failed each of %lu allocations in turn (%lu not reached)\n", d->type, calls, missed);
	}
	deterministic(false);
}

TEST(random_allocation_failures_are_enomem_without_leak_or_corruption_on_every_allocator)
{
	unsigned long steps = (unsigned long)(BASE_STEPS * 8 * zpbt_scale());
	uint64_t seed = zpbt_seed(0xfa12);
	const struct zpool_driver *d;
	int k;

	deterministic(true);
	zpbt_for_each_driver(d, k) {
		unsigned long total = 0, injected;
		int r;

		for (r = 0; r < RANDOM_RUNS && !zpbt_failed(); r++) {
			/* Sites one at a time, then all; 1% to 10% of calls fail. */
			static const unsigned int sites[] = { ZPB_FAULT_PAGE, ZPB_FAULT_SLAB,
							      ZPB_FAULT_KMALLOC, ZPB_FAULT_ALL };
			struct zpb_fault_config c = {
				.sites = sites[r % 4],
				.permille = 10 + 30 * (r % 4),
				.seed = seed + (uint64_t)r,
			};

			run(d, seed + (uint64_t)r, steps, &c, &injected);
			total += injected;
		}
		CHECK(total > 0, "%s: no fault was injected in %d random runs", d->type, RANDOM_RUNS);
		printf("  %s: %lu random faults over %d runs\n", d->type, total, RANDOM_RUNS);
	}
	deterministic(false);
}

/* Off means off: a disarmed hook fails nothing and counts nothing. */
TEST(failure_injection_disarmed_fails_and_counts_nothing)
{
	struct zpb_fault_config c = { .sites = ZPB_FAULT_ALL, .permille = 1000 };
	struct page *page;
	void *p;

	zpb_fault_start(&c);
	CHECK(alloc_page(GFP_KERNEL) == NULL, "alloc_page with every call failing: got a page");
	CHECK(kmalloc(16, GFP_KERNEL) == NULL, "kmalloc with every call failing: got memory");
	CHECK_EQ_UL(zpb_fault_injected(), 2, "faults injected while armed");
	zpb_fault_stop();
	page = alloc_page(GFP_KERNEL);
	p = kmalloc(16, GFP_KERNEL);
	CHECK(page && p, "allocations after zpb_fault_stop(): page %p, kmalloc %p", (void *)page, p);
	CHECK_EQ_UL(zpb_fault_calls(), 2, "calls counted after zpb_fault_stop()");
	if (page)
		__free_page(page);
	kfree(p);
}

/*
 * zswap's store path under failing pages: zpool_malloc() returns -ENOMEM,
 * the store is rejected (the page goes to the swap device) and the replay
 * goes on; loads of it find a rejected store, the rest verify.
 */
TEST(replay_counts_stores_whose_allocation_fails_as_rejected_and_goes_on)
{
	enum { KEYS = 400 };
	struct zpb_record *recs = calloc(3 * KEYS, sizeof(*recs));
	const struct zpool_driver *d;
	size_t n = 0;
	int i, k;

	REQUIRE(recs, "calloc");
	for (k = 0; k < KEYS; k++)
		recs[n++] = rec_op(ZPB_OP_STORE, 0, k, 200 + (k * 37) % 2800);
	for (k = 0; k < KEYS; k++)
		recs[n++] = rec_op(ZPB_OP_LOAD, 0, k, 0);
	for (k = 0; k < KEYS; k++)
		recs[n++] = rec_op(ZPB_OP_INVALIDATE, 0, k, 0);
	zpbt_for_each_driver(d, i) {
		static const char *const kv[] = { "deterministic", "1", "pool-limit", "none", NULL };
		/* Pages and slab objects: what stores allocate; creating the pool takes neither. */
		struct zpb_fault_config c = { .sites = ZPB_FAULT_PAGE | ZPB_FAULT_SLAB,
					      .permille = 100, .seed = 7 };
		unsigned long warns = zpb_diag_warnings();
		struct zpb_run_result *r;
		uint64_t injected;

		if (!zpbt_has_data(d))
			continue;
		zpb_fault_start(&c);
		r = replay_memory(d->type, kv, recs, n);
		zpb_fault_stop();
		injected = zpb_fault_injected();
		if (!r)
			continue;
		CHECK(r->complete && r->records == n, "%s: replay under failing allocations: complete %d, %llu of %zu records",
		      d->type, r->complete, (unsigned long long)r->records, n);
		/* The bound (ideal) keeps its objects on the heap, which these sites do not reach. */
		CHECK((d->caps & ZPB_CAP_BOUND) || injected > 0, "%s: no fault injected in the replay", d->type);
		CHECK((r->ops.rejected_alloc > 0) == (injected > 0) && r->ops.rejected_alloc <= injected,
		      "%s: stores rejected for a failed allocation: %llu, with %llu faults injected",
		      d->type, (unsigned long long)r->ops.rejected_alloc, (unsigned long long)injected);
		CHECK(r->ops.load_rejected == r->ops.rejected_alloc && r->ops.load_hits == KEYS - r->ops.rejected_alloc,
		      "%s: loads: %llu hits and %llu of rejected stores, for %llu rejected of %d",
		      d->type, (unsigned long long)r->ops.load_hits, (unsigned long long)r->ops.load_rejected,
		      (unsigned long long)r->ops.rejected_alloc, KEYS);
		CHECK_EQ_UL(r->verify_failures, 0, "verify failures under failing allocations");
		CHECK_EQ_UL(zpb_diag_warnings(), warns, "WARNs under failing allocations");
		zpb_run_result_free(r);
	}
	free(recs);
}
