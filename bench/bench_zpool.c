// SPDX-License-Identifier: GPL-2.0-only
/*
 * Microbenchmarks of every allocator through the zpool interface, written
 * against bench/gbench.h. Per allocator (the registry's order; the null
 * harness allocator is skipped, it stores nothing):
 *
 *   ALLOC/malloc_free/size:S    steady state: free the oldest object of a
 *                               ring of RING objects, allocate one of S bytes
 *   ALLOC/map_unmap/size:S      map (read-only) and unmap one object of S bytes
 *   ALLOC/store/size:S          alloc, map write-only, copy S bytes, unmap
 *                               (BATCH stores per iteration; freeing them is
 *                               not timed)
 *   ALLOC/load/size:S           map read-only, copy S bytes out, unmap
 *   ALLOC/free_compact_pending  free objects from pages left half empty, so
 *                               that compaction is pending (z3fold queues its
 *                               page work, zsmalloc's classes fragment)
 *   ALLOC/store_load_mt/threads:N  N threads on one pool, each replacing
 *                               (free + store) and loading its own objects
 *
 * S runs from 64 B, doubling, to the largest size the allocator accepts.
 * Counters: bytes_per_second (Google Benchmark's, from bytes processed),
 * items_per_second (ops), and pool_pages_per_1k_objects (the allocator's
 * size in pages per 1000 live objects; lower is denser): at the end of the
 * run, and for store_load_mt after a seeded churn before timing. They repeat
 * exactly run to run, except z3fold's, whose deferred work runs on its own
 * workqueue thread (a few percent).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../allocators/zpool.h"
#include "gbench.h"

#define RING 1024		/* live objects in the steady-state benchmarks */
#define BATCH 256		/* stores per timed iteration */
#define MAX_ALLOCATORS 16
#define CHURN 4		/* store_load_mt: replacements per object before timing */

struct bm_alloc {
	const struct zpool_driver *drv;
	struct zpb_spec spec;
	/* store_load_mt: the pool and objects thread 0 sets up for all threads */
	struct zpool *pool;
	unsigned long *handles;
	size_t *lens;
	long per_thread;
	double churned_pages;	/* pool pages after the setup's churn */
};

static struct bm_alloc allocs[MAX_ALLOCATORS];
static unsigned char src_page[PAGE_SIZE_MAX];

static struct zpool *make_pool(struct zpb_bench_state *st, struct bm_alloc *a)
{
	struct zpool *pool = zpool_create_pool(&a->spec, "bench", NULL, 0);

	if (!pool)
		zpb_bench_skip_with_error(st, "zpool_create_pool failed");
	return pool;
}

/* alloc + map + copy + unmap: one zswap store. 0 or a negative errno. */
static inline int store_one(struct zpool *pool, size_t len, unsigned long *handle)
{
	int ret = zpool_malloc(pool, len, GFP_KERNEL, handle);
	void *dst;

	if (ret)
		return ret;
	dst = zpool_map_handle(pool, *handle, ZPOOL_MM_WO);
	memcpy(dst, src_page, len);
	zpool_unmap_handle(pool, *handle);
	return 0;
}

/* map + copy out + unmap: one zswap load. */
static inline void load_one(struct zpool *pool, unsigned long handle, size_t len, unsigned char *out)
{
	const void *src = zpool_map_handle(pool, handle, ZPOOL_MM_RO);

	memcpy(out, src, len);
	zpool_unmap_handle(pool, handle);
}

static void set_density(struct zpb_bench_state *st, struct zpool *pool, long objects)
{
	/* the allocator's own size, as results' pool_pages: ideal holds no arena pages but has a size */
	if (objects > 0)
		zpb_bench_counter(st, "pool_pages_per_1k_objects",
				  (double)zpool_get_total_size(pool) / PAGE_SIZE * 1000.0 / (double)objects,
				  ZPB_BENCH_VALUE);
}

/* Fill @h with @n objects of @len bytes. false (and the run marked failed) if the pool refused. */
static bool fill(struct zpb_bench_state *st, struct zpool *pool, unsigned long *h, long n, size_t len)
{
	long i;

	for (i = 0; i < n; i++) {
		if (store_one(pool, len, &h[i])) {
			while (i--)
				zpool_free(pool, h[i]);
			zpb_bench_skip_with_error(st, "the pool refused an allocation while filling");
			return false;
		}
	}
	return true;
}

/* Free every non-zero handle of @h. */
static void drain(struct zpool *pool, unsigned long *h, long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (h[i])
			zpool_free(pool, h[i]);
}

/* The steady-state benchmarks' pool: RING live objects of one size. */
struct ring {
	struct zpool *pool;
	unsigned long h[RING];
	size_t len;
};

static struct ring ring;	/* benchmarks run one at a time (threaded ones use bm_alloc) */

/* Make @a's pool holding RING objects of the run's size. false if the run failed. */
static bool ring_open(struct zpb_bench_state *st, struct bm_alloc *a, struct ring *r)
{
	r->len = (size_t)zpb_bench_range(st, 0);
	r->pool = make_pool(st, a);
	if (r->pool && fill(st, r->pool, r->h, RING, r->len))
		return true;
	if (r->pool)
		zpool_destroy_pool(r->pool);
	return false;
}

/* Report ops (and bytes: @bytes_per_op per op), density; free everything. */
static void ring_close(struct zpb_bench_state *st, struct ring *r, int64_t ops_per_iter, int64_t bytes_per_op)
{
	int64_t ops = zpb_bench_iterations(st) * ops_per_iter;

	set_density(st, r->pool, RING);
	if (bytes_per_op)
		zpb_bench_set_bytes_processed(st, ops * bytes_per_op);
	zpb_bench_set_items_processed(st, ops);
	drain(r->pool, r->h, RING);
	zpool_destroy_pool(r->pool);
}

static void bm_malloc_free(struct zpb_bench_state *st, void *arg)
{
	struct ring *r = &ring;
	long i = 0;

	if (!ring_open(st, arg, r))
		return;
	while (zpb_bench_keep_running(st)) {
		zpool_free(r->pool, r->h[i]);
		if (zpool_malloc(r->pool, r->len, GFP_KERNEL, &r->h[i])) {
			zpb_bench_skip_with_error(st, "zpool_malloc failed");
			r->h[i] = 0;
			break;
		}
		i = (i + 1) % RING;
	}
	ring_close(st, r, 1, (int64_t)r->len);
}

static void bm_map_unmap(struct zpb_bench_state *st, void *arg)
{
	struct ring *r = &ring;
	long i = 0;

	if (!ring_open(st, arg, r))
		return;
	while (zpb_bench_keep_running(st)) {
		void *p = zpool_map_handle(r->pool, r->h[i], ZPOOL_MM_RO);

		__asm__ volatile("" : : "r"(p) : "memory");	/* keep the map */
		zpool_unmap_handle(r->pool, r->h[i]);
		i = (i + 1) % RING;
	}
	ring_close(st, r, 1, 0);
}

static void bm_store(struct zpb_bench_state *st, void *arg)
{
	struct ring *r = &ring;	/* a populated pool, as zswap's is: stores land among other objects */
	static unsigned long h[BATCH];
	long i;

	if (!ring_open(st, arg, r))
		return;
	while (zpb_bench_keep_running(st)) {
		for (i = 0; i < BATCH; i++) {
			if (store_one(r->pool, r->len, &h[i])) {
				zpb_bench_skip_with_error(st, "store failed");
				drain(r->pool, h, i);
				goto done;
			}
		}
		zpb_bench_pause(st);
		drain(r->pool, h, BATCH);
		zpb_bench_resume(st);
	}
done:
	ring_close(st, r, BATCH, (int64_t)r->len);
}

static void bm_load(struct zpb_bench_state *st, void *arg)
{
	struct ring *r = &ring;
	static unsigned char out[PAGE_SIZE_MAX];
	long i = 0;

	if (!ring_open(st, arg, r))
		return;
	while (zpb_bench_keep_running(st)) {
		load_one(r->pool, r->h[i], r->len, out);
		i = (i + 1) % RING;
	}
	ring_close(st, r, 1, (int64_t)r->len);
}

/* Mixed sizes, so pages hold objects of several sizes, as zswap's do. */
static size_t mixed_len(long i, size_t max)
{
	size_t len = 64 + ((size_t)i * 739) % (max / 2);

	return len < max ? len : max;
}

static void bm_free_compact_pending(struct zpb_bench_state *st, void *arg)
{
	struct bm_alloc *a = arg;
	static unsigned long h[2 * BATCH];
	struct zpool *pool = make_pool(st, a);
	int64_t bytes = 0;
	long i;

	if (!pool)
		return;
	while (zpb_bench_keep_running(st)) {
		zpb_bench_pause(st);
		for (i = 0; i < 2 * BATCH; i++) {
			if (store_one(pool, mixed_len(i, a->drv->max_size(NULL)), &h[i])) {
				zpb_bench_skip_with_error(st, "store failed");
				drain(pool, h, i);
				goto done;
			}
		}
		/* every other object: each page is left partly used, compaction pending */
		for (i = 1; i < 2 * BATCH; i += 2)
			zpool_free(pool, h[i]);
		set_density(st, pool, BATCH);
		zpb_bench_resume(st);
		for (i = 0; i < 2 * BATCH; i += 2) {
			zpool_free(pool, h[i]);
			bytes += (int64_t)mixed_len(i, a->drv->max_size(NULL));
		}
	}
done:
	zpb_bench_set_bytes_processed(st, bytes);
	zpb_bench_set_items_processed(st, zpb_bench_iterations(st) * BATCH);
	zpool_destroy_pool(pool);
}

static void bm_store_load_mt(struct zpb_bench_state *st, void *arg)
{
	struct bm_alloc *a = arg;
	int tid = zpb_bench_thread_index(st), nthreads = zpb_bench_thread_count(st);
	unsigned char out[PAGE_SIZE_MAX];
	unsigned long *h;
	size_t *lens;
	uint64_t rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(tid + 1);
	int64_t bytes = 0;
	long per, i = 0, k;

	/*
	 * Thread 0 sets up before its first keep_running(), which every thread
	 * waits at; it tears down after its last, which every thread has also
	 * passed (gbench.h).
	 */
	if (tid == 0) {
		long total = RING * nthreads;

		a->per_thread = RING;
		a->pool = make_pool(st, a);
		a->handles = calloc((size_t)total, sizeof(*a->handles));
		a->lens = calloc((size_t)total, sizeof(*a->lens));
		if (a->pool && a->handles && a->lens) {
			for (i = 0; i < total; i++) {
				a->lens[i] = mixed_len(i, a->drv->max_size(NULL));
				if (store_one(a->pool, a->lens[i], &a->handles[i])) {
					zpb_bench_skip_with_error(st, "store failed while filling");
					break;
				}
			}
			/*
			 * Churn to a steady state before timing, with a fixed seed, and
			 * take the density there: after the timed loop it would depend on
			 * how many iterations Google Benchmark chose (+-3% run to run).
			 */
			for (k = 0; i == total && k < CHURN * total; k++) {
				long at = k % total;

				rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
				zpool_free(a->pool, a->handles[at]);
				a->lens[at] = mixed_len((long)(rng >> 20), a->drv->max_size(NULL));
				if (store_one(a->pool, a->lens[at], &a->handles[at])) {
					a->handles[at] = 0;
					zpb_bench_skip_with_error(st, "store failed while churning");
					break;
				}
			}
			a->churned_pages = (double)zpool_get_total_size(a->pool) / PAGE_SIZE;
		}
	}
	per = RING;
	i = 0;
	while (zpb_bench_keep_running(st)) {
		long j;

		if (!a->pool || !a->handles || !a->lens) {
			zpb_bench_skip_with_error(st, "thread 0 could not set the pool up");
			break;
		}
		h = a->handles + (long)tid * per;
		lens = a->lens + (long)tid * per;
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		j = (long)(rng % (uint64_t)per);
		/* replace object i (invalidate + store), then load object j */
		zpool_free(a->pool, h[i]);
		lens[i] = mixed_len((long)(rng >> 20), a->drv->max_size(NULL));
		if (store_one(a->pool, lens[i], &h[i])) {
			zpb_bench_skip_with_error(st, "store failed");
			h[i] = 0;
			break;
		}
		load_one(a->pool, h[j], lens[j], out);
		bytes += (int64_t)(lens[i] + lens[j]);
		i = (i + 1) % per;
	}
	zpb_bench_set_bytes_processed(st, bytes);
	zpb_bench_set_items_processed(st, zpb_bench_iterations(st) * 2);
	if (tid == 0 && a->pool) {
		long total = RING * nthreads;

		zpb_bench_counter(st, "pool_pages_per_1k_objects", a->churned_pages * 1000.0 / (double)total,
				  ZPB_BENCH_VALUE);
		for (i = 0; i < total; i++)
			if (a->handles[i])
				zpool_free(a->pool, a->handles[i]);
		zpool_destroy_pool(a->pool);
		a->pool = NULL;
	}
	if (tid == 0) {
		free(a->handles);
		free(a->lens);
		a->handles = NULL;
		a->lens = NULL;
	}
}

static void add_sizes(struct zpb_bench *b, size_t max)
{
	size_t s;

	for (s = 64; s < max; s *= 2)
		zpb_bench_arg(b, (int64_t)s);
	zpb_bench_arg(b, (int64_t)max);
	zpb_bench_arg_name(b, "size");
}

static void add(struct bm_alloc *a, const char *what, zpb_bench_fn fn, bool sizes)
{
	char name[128];
	struct zpb_bench *b;

	snprintf(name, sizeof(name), "%s/%s", a->drv->type, what);
	b = zpb_bench_register(name, fn, a);
	if (sizes)
		add_sizes(b, a->drv->max_size(NULL));
}

int main(int argc, char **argv)
{
	const struct zpool_driver *const *d;
	char err[256];
	int n = 0;
	size_t i;

	for (i = 0; i < sizeof(src_page); i++)
		src_page[i] = (unsigned char)(i * 131 + 7);
	for (d = zpb_drivers(); *d && n < MAX_ALLOCATORS; d++) {
		struct bm_alloc *a = &allocs[n];
		struct zpb_bench *b;
		char name[128];

		if ((*d)->caps & ZPB_CAP_HARNESS)
			continue;	/* null keeps nothing: not an allocator to compare */
		if (zpb_spec_parse((*d)->type, &a->spec, err, sizeof(err))) {
			fprintf(stderr, "zpb_bench: %s\n", err);
			return 2;
		}
		a->drv = *d;
		n++;
		add(a, "malloc_free", bm_malloc_free, true);
		add(a, "map_unmap", bm_map_unmap, true);
		add(a, "store", bm_store, true);
		add(a, "load", bm_load, true);
		add(a, "free_compact_pending", bm_free_compact_pending, false);
		snprintf(name, sizeof(name), "%s/store_load_mt", a->drv->type);
		b = zpb_bench_register(name, bm_store_load_mt, a);
		zpb_bench_threads(b, 1);
		zpb_bench_threads(b, 2);
		zpb_bench_threads(b, 4);
		zpb_bench_use_real_time(b);
	}
	return zpb_bench_main(argc, argv);
}
