// SPDX-License-Identifier: GPL-2.0-only
/*
 * pageper: an example zpoolbench plugin that stores one object per page.
 *
 * It is the simplest allocator that is correct, and the worst at density:
 * a 100-byte object costs a whole 4096-byte page, so it stores about as
 * much as swap without compression would. It is here to show the plugin
 * ABI (docs/plugins.md) and the kernel-compat layer a plugin may use
 * (spinlocks, lists, alloc_page, kmalloc), not as an allocator to measure
 * anything with; a real allocator must beat it on every trace.
 *
 * Build it against an installed zpoolbench with the Makefile beside it:
 *	make PKG_CONFIG_PATH=PREFIX/lib/pkgconfig
 * then: zpoolbench selftest --alloc ./libpageper.so
 *	 zpoolbench replay TRACE --alloc ./libpageper.so:poison=1
 */
#include <zpoolbench/kernel/compat.h>
#include <zpoolbench/plugin.h>

#define POISON_BYTE 0x6b	/* the kernel's POISON_FREE */

/**
 * struct pageper_pool - a pool: the pages it holds, one object each
 * @lock: protects @pages and @nr_pages
 * @pages: every page holding an object, linked through page->lru
 * @nr_pages: how many
 * @poison: fill a page with POISON_BYTE when its object is freed
 */
struct pageper_pool {
	spinlock_t lock;
	struct list_head pages;
	unsigned long nr_pages;
	bool poison;
};

static const struct zpb_option pageper_options[] = {
	{ .key = "poison", .type = ZPB_OPT_BOOL, .def = 0, .max = 1,
	  .help = "fill a freed object's page with 0x6b before giving it back" },
	{ NULL },
};

static void *pageper_create(const char *name, gfp_t gfp, const struct zpool_ops *ops,
			    struct zpool *zpool, const struct zpb_spec *spec)
{
	struct pageper_pool *pool = kzalloc(sizeof(*pool), gfp);

	(void)name, (void)ops, (void)zpool;
	if (!pool)
		return NULL;
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->pages);
	pool->poison = zpb_spec_get(spec, "poison");
	return pool;
}

/* Every handle should have been freed; give back the pages of any that were not. */
static void pageper_destroy(void *p)
{
	struct pageper_pool *pool = p;
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &pool->pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	kfree(pool);
}

/* The handle is the struct page of the object's page. */
static int pageper_malloc(void *p, size_t size, gfp_t gfp, unsigned long *handle)
{
	struct pageper_pool *pool = p;
	struct page *page;

	if (!size)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -ENOSPC;
	page = alloc_page(gfp);
	if (!page)
		return -ENOMEM;
	spin_lock(&pool->lock);
	list_add(&page->lru, &pool->pages);
	pool->nr_pages++;
	spin_unlock(&pool->lock);
	*handle = (unsigned long)page;
	return 0;
}

static void pageper_free(void *p, unsigned long handle)
{
	struct pageper_pool *pool = p;
	struct page *page = (struct page *)handle;

	spin_lock(&pool->lock);
	list_del(&page->lru);
	pool->nr_pages--;
	spin_unlock(&pool->lock);
	if (pool->poison)
		memset(page_address(page), POISON_BYTE, PAGE_SIZE);
	__free_page(page);
}

static void *pageper_map(void *p, unsigned long handle, enum zpool_mapmode mm)
{
	(void)p, (void)mm;
	return page_address((struct page *)handle);
}

static void pageper_unmap(void *p, unsigned long handle)
{
	(void)p, (void)handle;
}

static u64 pageper_total_size(void *p)
{
	struct pageper_pool *pool = p;
	unsigned long n;

	spin_lock(&pool->lock);
	n = pool->nr_pages;
	spin_unlock(&pool->lock);
	return (u64)n * PAGE_SIZE;
}

static const struct zpool_driver pageper_driver = {
	.type = "pageper",
	.description = "example plugin: one object per page (no compression benefit at all)",
	.caps = ZPB_CAP_SLEEP_MAPPED,
	.options = pageper_options,
	.max_size = zpool_max_size_page,	/* one page, at whatever size the run chose */
	.create = pageper_create,
	.destroy = pageper_destroy,
	.malloc = pageper_malloc,
	.free = pageper_free,
	.map = pageper_map,
	.unmap = pageper_unmap,
	.total_size = pageper_total_size,
};

ZPB_PLUGIN_DEFINE(pageper_driver);
