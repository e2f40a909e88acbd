// SPDX-License-Identifier: GPL-2.0-only
/*
 * The conformance suite: what every allocator must do behind the zpool
 * vtable, whatever its layout (selftest.h: run over every registered
 * allocator by tests/test_conformance.c, on any spec by `zpoolbench
 * selftest`). Checks of stored contents are skipped for drivers that keep
 * no data (ZPB_CAP_NO_DATA). Failure messages start with the allocator's name.
 */
#include <stdlib.h>

#include "checks.h"

struct obj {
	unsigned long handle;
	size_t size;
	uint64_t tag;
};

/* Allocate and fill one object; false (with a failure recorded) on error. */
static bool obj_new(struct zpool *zp, struct obj *o, size_t size, uint64_t tag)
{
	const struct zpool_driver *d = zp->driver;
	int ret = zpool_malloc(zp, size, GFP_KERNEL, &o->handle);
	void *p;

	if (ret) {
		CHECK(0, "%s: malloc(%zu): expected 0, got %d", d->type, size, ret);
		o->handle = 0;
		return false;
	}
	o->size = size;
	o->tag = tag;
	p = zpool_map_handle(zp, o->handle, ZPOOL_MM_WO);
	zpb_pattern_fill(p, size, tag);
	zpool_unmap_handle(zp, o->handle);
	return true;
}

/* Check an object's contents (if the driver keeps data); true if intact. */
static bool obj_check(struct zpool *zp, const struct obj *o, const char *when)
{
	const struct zpool_driver *d = zp->driver;
	size_t at = o->size;
	const void *p;

	if (!zpb_has_data(d))
		return true;
	p = zpool_map_handle(zp, o->handle, ZPOOL_MM_RO);
	at = zpb_pattern_verify(p, o->size, o->tag);
	zpool_unmap_handle(zp, o->handle);
	CHECK(at == o->size, "%s: %s: object of %zu bytes (tag %llu) differs at byte %zu",
	      d->type, when, o->size, (unsigned long long)o->tag, at);
	return at == o->size;
}

static void obj_free(struct zpool *zp, struct obj *o, const char *when)
{
	if (!o->handle)
		return;
	obj_check(zp, o, when);
	zpool_free(zp, o->handle);
	o->handle = 0;
}

/* The pool is empty: it must hold no pages and report no size. */
static void check_empty(struct zpool *zp, const char *when)
{
	const struct zpool_driver *d = zp->driver;

	CHECK(zpool_get_total_size(zp) == 0, "%s: %s: total_size %llu, expected 0",
	      d->type, when, (unsigned long long)zpool_get_total_size(zp));
	CHECK(zpool_pages(zp) == 0, "%s: %s: %lu pages still charged, expected 0",
	      d->type, when, zpool_pages(zp));
}

/*
 * Every check runs with deterministic work (queued work runs at the end of
 * the operation that queued it), so "after free, the pool is empty" is
 * exact; test_stress covers asynchronous work.
 */
static const struct zpool_driver *deterministic(struct zpb_check *c)
{
	zpb_wq_set_deterministic(true);
	return c->spec->driver;
}

/* The driver index the tests' seeds were derived from (its place in the registry). */
static int driver_index(const struct zpool_driver *d)
{
	const struct zpool_driver *const *all = zpb_drivers();
	int i;

	for (i = 0; all[i]; i++)
		if (all[i] == d)
			return i;
	return i;
}

#define RING 8

void zpb_selftest_conformance_every_size_round_trips_and_past_max_is_enospc(struct zpb_check *c)
{
	const struct zpool_driver *d = deterministic(c);
	struct zpool *zp = zpb_check_pool(NULL, 0, false);
	struct obj ring[RING] = { { 0 } };
	unsigned long h = 0;
	size_t size;
	int ret;

	if (!zp)
		return;
	/* Keep the last few objects so that sizes also share pages. */
	for (size = 1; size <= zpb_spec_max_size(c->spec); size++) {
		struct obj *o = &ring[size % RING];

		obj_free(zp, o, "every-size ring");
		if (!obj_new(zp, o, size, size) || !obj_check(zp, o, "right after writing"))
			break;
	}
	for (size = 0; size < RING; size++)
		obj_free(zp, &ring[size], "every-size ring drain");
	ret = zpool_malloc(zp, zpb_spec_max_size(c->spec) + 1, GFP_KERNEL, &h);
	CHECK(ret == -ENOSPC, "%s: malloc(max_size + 1 = %zu): expected -ENOSPC, got %d",
	      d->type, zpb_spec_max_size(c->spec) + 1, ret);
	if (!ret)
		zpool_free(zp, h);
	ret = zpool_malloc(zp, 4 * PAGE_SIZE, GFP_KERNEL, &h);
	CHECK(ret == -ENOSPC, "%s: malloc(%lu): expected -ENOSPC, got %d", d->type, 4 * PAGE_SIZE, ret);
	if (!ret)
		zpool_free(zp, h);
	ret = zpool_malloc(zp, 0, GFP_KERNEL, &h);
	CHECK(ret == -EINVAL, "%s: malloc(0): expected -EINVAL, got %d", d->type, ret);
	if (!ret)
		zpool_free(zp, h);
	check_empty(zp, "after the size sweep");
	CHECK(zpool_destroy_pool(zp) == 0, "%s: destroy left pages", d->type);
}

#define KEEPERS 48
#define CHURN 256
#define OTHER_OPS 6000

void zpb_selftest_conformance_data_survives_thousands_of_other_operations(struct zpb_check *c)
{
	const struct zpool_driver *d = deterministic(c);
	int i = driver_index(d);
	struct zpool *zp = zpb_check_pool(NULL, 0, false);
	struct obj keep[KEEPERS] = { { 0 } }, *churn;
	uint64_t rng = 1000 + i;
	int k, n;

	if (!zp)
		return;
	churn = calloc(CHURN, sizeof(*churn));
	REQUIRE(churn, "calloc");
	for (k = 0; k < KEEPERS; k++)
		obj_new(zp, &keep[k], 1 + zpb_below(&rng, zpb_spec_max_size(c->spec)), 1u << 20 | k);
	for (n = 0; n < OTHER_OPS; n++) {
		struct obj *o = &churn[zpb_below(&rng, CHURN)];

		if (o->handle)
			obj_free(zp, o, "churn free");
		else
			obj_new(zp, o, 1 + zpb_below(&rng, zpb_spec_max_size(c->spec)), n);
	}
	for (k = 0; k < KEEPERS; k++)
		obj_free(zp, &keep[k], "keeper after thousands of other operations");
	for (k = 0; k < CHURN; k++)
		obj_free(zp, &churn[k], "churn drain");
	free(churn);
	check_empty(zp, "after freeing every object");
	CHECK(zpool_destroy_pool(zp) == 0, "%s: destroy left pages", d->type);
}

/*
 * Map modes: WO writes reach the object; RO reads see it and leave it as it
 * was; RW reads the current contents in and writes every change out, so a
 * partial write keeps the bytes it did not touch. The sizes include the
 * largest, and enough objects per size that some sit across page
 * boundaries in allocators that let them (zsmalloc's copy-in/copy-out).
 */
void zpb_selftest_conformance_map_modes_wo_writes_ro_reads_rw_round_trips(struct zpb_check *c)
{
	static const size_t sizes[] = { 1, 8, 63, 64, 65, 700, 1500, 2049, 3000 };
	const struct zpool_driver *d = deterministic(c);
	struct zpool *zp = zpb_check_pool(NULL, 0, false);
	struct obj objs[12];
	unsigned int s, k;

	if (!zp)
		return;
	if (!zpb_has_data(d)) {
		zpb_check_skip(c, "it keeps no data (no-data capability): there are no contents to map");
		zpool_destroy_pool(zp);
		return;
	}
	for (s = 0; s <= ARRAY_SIZE(sizes); s++) {
		size_t size = s < ARRAY_SIZE(sizes) ? sizes[s] : zpb_spec_max_size(c->spec);

		for (k = 0; k < ARRAY_SIZE(objs); k++)
			obj_new(zp, &objs[k], size, 10 * s + k);
		for (k = 0; k < ARRAY_SIZE(objs); k++) {
			struct obj *o = &objs[k];
			unsigned char *p;
			size_t at;

			if (!o->handle)
				continue;
			obj_check(zp, o, "WO write then RO read");
			obj_check(zp, o, "second RO read (RO must not disturb)");
			/* RW: sees the old contents, then a full rewrite persists. */
			p = zpool_map_handle(zp, o->handle, ZPOOL_MM_RW);
			at = zpb_pattern_verify(p, size, o->tag);
			CHECK(at == size, "%s: RW map of %zu bytes differs at %zu (no copy-in?)",
			      d->type, size, at);
			o->tag += 1000;
			zpb_pattern_fill(p, size, o->tag);
			zpool_unmap_handle(zp, o->handle);
			obj_check(zp, o, "after a full RW rewrite");
			/* RW: change the first and last bytes only. */
			p = zpool_map_handle(zp, o->handle, ZPOOL_MM_RW);
			p[0] ^= 0xff;
			p[size - 1] ^= 0x5a;
			zpool_unmap_handle(zp, o->handle);
			/* The object now reads as the pattern with both ends flipped. */
			{
				unsigned char *want = malloc(size);

				REQUIRE(want, "malloc");
				zpb_pattern_fill(want, size, o->tag);
				want[0] ^= 0xff;
				want[size - 1] ^= 0x5a;
				p = zpool_map_handle(zp, o->handle, ZPOOL_MM_RO);
				for (at = 0; at < size && p[at] == want[at]; at++)
					;
				zpool_unmap_handle(zp, o->handle);
				free(want);
			}
			CHECK(at == size, "%s: partial RW write of a %zu-byte object: byte %zu wrong",
			      d->type, size, at);
			/* A WO write of the whole object restores it; the final free checks. */
			p = zpool_map_handle(zp, o->handle, ZPOOL_MM_WO);
			zpb_pattern_fill(p, size, o->tag);
			zpool_unmap_handle(zp, o->handle);
		}
		for (k = 0; k < ARRAY_SIZE(objs); k++)
			obj_free(zp, &objs[k], "map-mode objects");
	}
	check_empty(zp, "after the map-mode objects");
	CHECK(zpool_destroy_pool(zp) == 0, "%s: destroy left pages", d->type);
}

void zpb_selftest_conformance_total_size_returns_to_zero_when_everything_is_freed(struct zpb_check *c)
{
	const struct zpool_driver *d = deterministic(c);
	int i = driver_index(d);
	struct zpool *zp = zpb_check_pool(NULL, 0, false);
	unsigned int n = 2000, k, round;
	struct obj *objs;
	uint64_t rng = 77 + i;

	if (!zp)
		return;
	objs = calloc(n, sizeof(*objs));
	REQUIRE(objs, "calloc");
	/* Twice: an emptied pool must fill and empty again. */
	for (round = 0; round < 2; round++) {
		unsigned long long bytes = 0, total;

		for (k = 0; k < n; k++) {
			obj_new(zp, &objs[k], 1 + zpb_below(&rng, zpb_spec_max_size(c->spec)), k);
			bytes += objs[k].size;
		}
		total = zpool_get_total_size(zp);
		if (d->caps & ZPB_CAP_BOUND)
			CHECK(total == DIV_ROUND_UP(bytes, PAGE_SIZE) * PAGE_SIZE,
			      "%s: total_size %llu for %llu live bytes, expected the bound %llu",
			      d->type, total, bytes, DIV_ROUND_UP(bytes, PAGE_SIZE) * PAGE_SIZE);
		else if (zpb_has_data(d))
			CHECK(total >= bytes && total == zpool_pages(zp) * PAGE_SIZE,
			      "%s: total_size %llu for %llu live bytes in %lu charged pages",
			      d->type, total, bytes, zpool_pages(zp));
		/* Free in a random order. */
		for (k = n - 1; k > 0; k--) {
			unsigned int j = zpb_below(&rng, k + 1);
			struct obj t = objs[k];

			objs[k] = objs[j];
			objs[j] = t;
		}
		for (k = 0; k < n; k++)
			obj_free(zp, &objs[k], "random-order free");
		check_empty(zp, round ? "after the second emptying" : "after the first emptying");
	}
	free(objs);
	CHECK(zpool_destroy_pool(zp) == 0, "%s: destroy left pages", d->type);
}

/* The arena's pages are back, and LeakSanitizer (ASan builds) sees no heap leak at exit. */
void zpb_selftest_conformance_destroying_an_emptied_pool_leaks_nothing(struct zpb_check *c)
{
	const struct zpool_driver *d = deterministic(c);
	int i = driver_index(d);
	unsigned long before = zpb_arena_pages_in_use();
	struct zpool *zp = zpb_check_pool(NULL, 0, false);
	struct obj objs[300];
	uint64_t rng = 5 + i;
	unsigned int k;
	long left;

	if (!zp)
		return;
	for (k = 0; k < ARRAY_SIZE(objs); k++)
		obj_new(zp, &objs[k], 1 + zpb_below(&rng, zpb_spec_max_size(c->spec)), k);
	for (k = 0; k < ARRAY_SIZE(objs); k++)
		obj_free(zp, &objs[k], "before destroy");
	left = zpool_destroy_pool(zp);
	CHECK(left == 0, "%s: zpool_destroy_pool: expected 0 pages left, got %ld", d->type, left);
	CHECK(zpb_arena_pages_in_use() == before, "%s: arena pages in use %lu after destroy, %lu before",
	      d->type, zpb_arena_pages_in_use(), before);
}

/*
 * A page limit makes alloc_page() fail, as memory pressure does: malloc then
 * says -ENOMEM, stays within the limit, and what was stored stays intact.
 * Not for drivers whose memory is not arena pages (ideal, null).
 */
void zpb_selftest_conformance_malloc_is_enomem_at_the_page_limit_and_keeps_what_it_has(struct zpb_check *c)
{
	const struct zpool_driver *d = deterministic(c);
	struct zpool *zp;
	struct obj objs[512] = { { 0 } };
	unsigned long limit = 16, h;
	unsigned int k, n = 0;
	int ret = 0;

	if (d->caps & (ZPB_CAP_BOUND | ZPB_CAP_NO_DATA)) {
		zpb_check_skip(c, "its memory is not pool pages (bound or no-data capability): no page limit to hit");
		return;
	}
	zp = zpb_check_pool(NULL, limit, false);
	if (!zp)
		return;
	while (n < ARRAY_SIZE(objs)) {
		size_t size = zpb_spec_max_size(c->spec) / 2 + n % 7;

		ret = zpool_malloc(zp, size, GFP_KERNEL, &h);
		if (ret)
			break;
		objs[n].handle = h;
		objs[n].size = size;
		objs[n].tag = n;
		zpb_pattern_fill(zpool_map_handle(zp, h, ZPOOL_MM_WO), size, n);
		zpool_unmap_handle(zp, h);
		n++;
	}
	CHECK(ret == -ENOMEM, "%s: malloc past a %lu-page limit: expected -ENOMEM, got %d after %u objects",
	      d->type, limit, ret, n);
	CHECK(zpool_pages(zp) <= limit, "%s: %lu pages charged past a %lu-page limit",
	      d->type, zpool_pages(zp), limit);
	for (k = 0; k < n; k++)
		obj_free(zp, &objs[k], "stored before the limit");
	check_empty(zp, "after hitting the page limit");
	CHECK(zpool_destroy_pool(zp) == 0, "%s: destroy left pages", d->type);
}

/* Without an evict callback nothing can be reclaimed, and nothing is lost. */
void zpb_selftest_conformance_shrink_without_evict_reclaims_nothing(struct zpb_check *c)
{
	const struct zpool_driver *d = deterministic(c);
	struct zpool *zp = zpb_check_pool(NULL, 0, false);
	unsigned int got = 12345;
	struct obj o;
	int ret;

	if (!zp)
		return;
	obj_new(zp, &o, 100, 1);
	ret = zpool_shrink(zp, 1, &got);
	CHECK(ret < 0 && got == 0, "%s: shrink without evict: expected an error and 0 pages, got %d and %u",
	      d->type, ret, got);
	if (!(d->caps & ZPB_CAP_EVICT))
		CHECK(ret == -EINVAL, "%s: shrink of a non-evictable pool: expected -EINVAL, got %d",
		      d->type, ret);
	obj_free(zp, &o, "after a refused shrink");
	CHECK(zpool_destroy_pool(zp) == 0, "%s: destroy left pages", d->type);
}
