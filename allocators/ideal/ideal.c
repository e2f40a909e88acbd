// SPDX-License-Identifier: GPL-2.0-only
/*
 * ideal: the density bound. It packs objects with no per-object or per-page
 * waste, so its size is ceil(live bytes / PAGE_SIZE) pages: what no
 * allocator can beat. Objects live on the C heap so the pool still stores
 * and returns data and replay can verify it like any other.
 *
 * A handle points at a heap block that starts with the object's size.
 * Locking: none needed beyond the atomic byte count.
 */
#include <stdlib.h>

#include "../kernel/atomic.h"
#include "../kernel/slab.h"
#include "../zpool.h"

struct ideal_pool {
	atomic_long_t bytes;
};

struct ideal_obj {
	size_t size;
	unsigned char data[];
};

static void *ideal_create(const char *name, gfp_t gfp, const struct zpool_ops *ops,
			  struct zpool *zpool, const struct zpb_spec *spec)
{
	(void)name, (void)gfp, (void)ops, (void)zpool, (void)spec;
	return kzalloc(sizeof(struct ideal_pool), GFP_KERNEL);
}

static void ideal_destroy(void *pool)
{
	kfree(pool);
}

static int ideal_malloc(void *p, size_t size, gfp_t gfp, unsigned long *handle)
{
	struct ideal_pool *pool = p;
	struct ideal_obj *obj;

	if (!size)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -ENOSPC;
	obj = kmalloc(sizeof(*obj) + size, gfp);	/* kmalloc, so failure injection reaches it */
	if (!obj)
		return -ENOMEM;
	obj->size = size;
	atomic_long_add(size, &pool->bytes);
	*handle = (unsigned long)obj;
	return 0;
}

static void ideal_free(void *p, unsigned long handle)
{
	struct ideal_pool *pool = p;
	struct ideal_obj *obj = (struct ideal_obj *)handle;

	atomic_long_sub(obj->size, &pool->bytes);
	kfree(obj);
}

static void *ideal_map(void *p, unsigned long handle, enum zpool_mapmode mm)
{
	(void)p, (void)mm;
	return ((struct ideal_obj *)handle)->data;
}

static void ideal_unmap(void *p, unsigned long handle)
{
	(void)p, (void)handle;
}

static u64 ideal_total_size(void *p)
{
	struct ideal_pool *pool = p;

	return DIV_ROUND_UP((u64)atomic_long_read(&pool->bytes), PAGE_SIZE) * PAGE_SIZE;
}

const struct zpool_driver ideal_zpool_driver = {
	.type = "ideal",
	.description = "density bound: ceil(live bytes / PAGE_SIZE) pages, no per-object waste",
	.caps = ZPB_CAP_BOUND | ZPB_CAP_SPANNING | ZPB_CAP_SLEEP_MAPPED,
	.max_size = zpool_max_size_page,
	.create = ideal_create,
	.destroy = ideal_destroy,
	.malloc = ideal_malloc,
	.free = ideal_free,
	.map = ideal_map,
	.unmap = ideal_unmap,
	.total_size = ideal_total_size,
};
