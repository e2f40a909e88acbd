// SPDX-License-Identifier: GPL-2.0-only
/*
 * null: stores nothing, for measuring the harness itself (trace decoding,
 * dispatch, timing). Handles are distinct non-zero numbers; map returns a
 * per-thread scratch page whose contents mean nothing. It is never reported
 * as an allocator result (ZPB_CAP_HARNESS), and replay skips verifying it
 * (ZPB_CAP_NO_DATA).
 */
#include "../kernel/atomic.h"
#include "../kernel/slab.h"
#include "../zpool.h"

struct null_pool {
	long id;		/* pools ever made, at its making: a reused address is not the same pool */
	atomic_long_t threads;	/* threads that have allocated: each one's handle prefix */
};

static atomic_long_t pools;

/*
 * Handles are made per thread: (thread's number << 40) | its count. One
 * counter for the pool was a cache line every replay thread wrote on every
 * store, contention of the harness's own allocator that T2/T1 then showed.
 */
static __thread long handle_pool;	/* the id of the pool the prefix and count are for */
static __thread unsigned long handle_prefix, handle_count;

static __thread unsigned char scratch[PAGE_SIZE_MAX];	/* any page size's page */

static void *null_create(const char *name, gfp_t gfp, const struct zpool_ops *ops,
			 struct zpool *zpool, const struct zpb_spec *spec)
{
	struct null_pool *pool = kzalloc(sizeof(struct null_pool), GFP_KERNEL);

	(void)name, (void)gfp, (void)ops, (void)zpool, (void)spec;
	if (pool)
		pool->id = atomic_long_inc_return(&pools);
	return pool;
}

static void null_destroy(void *pool)
{
	kfree(pool);
}

static int null_malloc(void *p, size_t size, gfp_t gfp, unsigned long *handle)
{
	struct null_pool *pool = p;

	(void)gfp;
	if (!size)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -ENOSPC;
	if (unlikely(handle_pool != pool->id)) {
		handle_pool = pool->id;
		handle_prefix = (unsigned long)atomic_long_inc_return(&pool->threads) << 40;
		handle_count = 0;
	}
	*handle = handle_prefix | ++handle_count;
	return 0;
}

static void null_free(void *p, unsigned long handle)
{
	(void)p, (void)handle;
}

static void *null_map(void *p, unsigned long handle, enum zpool_mapmode mm)
{
	(void)p, (void)handle, (void)mm;
	return scratch;
}

static void null_unmap(void *p, unsigned long handle)
{
	(void)p, (void)handle;
}

static u64 null_total_size(void *p)
{
	(void)p;
	return 0;
}

const struct zpool_driver null_zpool_driver = {
	.type = "null",
	.description = "stores nothing: measures the harness's own cost, never reported",
	.caps = ZPB_CAP_HARNESS | ZPB_CAP_NO_DATA | ZPB_CAP_SLEEP_MAPPED,
	.max_size = zpool_max_size_page,
	.create = null_create,
	.destroy = null_destroy,
	.malloc = null_malloc,
	.free = null_free,
	.map = null_map,
	.unmap = null_unmap,
	.total_size = null_total_size,
};
