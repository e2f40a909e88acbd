// SPDX-License-Identifier: GPL-2.0-only
/*
 * zbud: a port of the kernel's mm/zbud.c as of v5.4 (Seth Jennings, 2013;
 * concepts from Dan Magenheimer's zcache zbud), the design z3fold grew from.
 *
 * zbud "buddies" two compressed objects in one page. The first buddy is left
 * justified just after the header, the last buddy is right justified at the
 * end of the page, so freeing either one merges its space with the slack
 * between them into the largest possible free region. A page therefore never
 * holds more than two objects, and never fewer than one: zbud can never use
 * more pages than the objects would uncompressed.
 *
 * Pages are divided into 64 chunks of 64 bytes (NCHUNKS_ORDER 6); the first
 * chunk holds the header, leaving NCHUNKS = 63. Pages holding one buddy sit
 * on unbuddied[free chunks]; pages holding two sit on the buddied list. Every
 * page is also on the LRU, ordered by its most recently allocated buddy, and
 * reclaim evicts from the LRU's tail.
 *
 * A handle is the address of the object, as in the kernel: map is free.
 *
 * Locking: one spinlock per pool protects the lists, the counters and every
 * page's first_chunks/last_chunks/under_reclaim. evict callbacks run without
 * it. map and unmap take no lock.
 */
#define pr_fmt(fmt) "zbud: " fmt

#include "../allocators/kernel/compat.h"
#include "../allocators/zpool.h"
#include "zbud.h"

/*****************
 * Structures
 *****************/
/*
 * NCHUNKS_ORDER sets the allocation granularity (PAGE_SIZE >> 6: 64 bytes
 * at 4K, 256 at 16K, 1024 at 64K) and thereby the number of unbuddied
 * lists. One chunk holds the header, so NCHUNKS is 63 at every page size:
 * the most free chunks a page can have.
 *
 * Page sizes: v5.4's zbud is written against PAGE_SHIFT alone (its Kconfig
 * depends on ZPOOL only, and init_zbud() checks just that the header fits
 * a chunk), so 4K, 16K and 64K are all the kernel's.
 *
 * port: the kernel's macros are constants. Evaluated on every use, the
 * formulas would cost the hot paths (the unbuddied walk, each handle) a
 * reload of the page size and shifts each time, so zbud_geometry()
 * evaluates them once per pool creation into zbud_geo, which the names
 * below read (PAGE_SHIFT, PAGE_SIZE and PAGE_MASK too, in this file): a
 * file-local the compiler knows no pointer reaches.
 */
#define NCHUNKS_ORDER	6

static struct {
	unsigned int page_shift;	/* PAGE_SHIFT */
	unsigned long page_size;	/* PAGE_SIZE */
	unsigned long page_mask;	/* PAGE_MASK */
	unsigned int chunk_shift;	/* CHUNK_SHIFT */
	int chunk_size;			/* CHUNK_SIZE, and ZHDR_SIZE_ALIGNED */
	unsigned long nchunks;		/* NCHUNKS */
	unsigned long max_size;		/* ZBUD_MAX_SIZE */
} zbud_geo = { 12, 4096, ~4095UL, 6, 64, 63, 3968 };	/* 4K, until a pool is created */

/* The kernel's formulas for the page size in force. */
static void zbud_geometry(void)
{
	unsigned int page_shift = zpb_page_shift;
	unsigned long page_size = 1UL << page_shift;
	unsigned int chunk_shift = page_shift - NCHUNKS_ORDER;	/* CHUNK_SHIFT */
	int chunk_size = 1 << chunk_shift;			/* CHUNK_SIZE = ZHDR_SIZE_ALIGNED */

	zbud_geo.page_shift = page_shift;
	zbud_geo.page_size = page_size;
	zbud_geo.page_mask = ~(page_size - 1);
	zbud_geo.chunk_shift = chunk_shift;
	zbud_geo.chunk_size = chunk_size;
	zbud_geo.nchunks = (page_size - chunk_size) >> chunk_shift;	/* NCHUNKS */
	/* The largest object: a page less the header and one chunk (3968 bytes at 4K, 15872 at 16K). */
	zbud_geo.max_size = page_size - chunk_size - chunk_size;	/* ZBUD_MAX_SIZE */
}

#undef PAGE_SHIFT
#undef PAGE_SIZE
#undef PAGE_MASK
#define PAGE_SHIFT	zbud_geo.page_shift
#define PAGE_SIZE	zbud_geo.page_size
#define PAGE_MASK	zbud_geo.page_mask
#define CHUNK_SHIFT	zbud_geo.chunk_shift
#define CHUNK_SIZE	zbud_geo.chunk_size
#define ZHDR_SIZE_ALIGNED CHUNK_SIZE
#define NCHUNKS		zbud_geo.nchunks
#define ZBUD_MAX_SIZE	zbud_geo.max_size
/* NCHUNKS whatever the page size (the header is one chunk): the unbuddied array's length. */
#define ZBUD_NCHUNKS_ALL ((1 << NCHUNKS_ORDER) - 1)

/* How many LRU pages one zpool shrink step tries, as the kernel's zbud_zpool_shrink. */
#define ZBUD_ZPOOL_RETRIES 8

/**
 * struct zbud_pool - the metadata of one zbud pool
 * @lock:	protects every field below except @ops/@zpool/@zpool_ops, and the
 *		first_chunks/last_chunks/under_reclaim of every page in the pool
 * @unbuddied:	pages holding one buddy, on the list indexed by their free chunks
 * @buddied:	pages holding two buddies (full: no third object ever fits)
 * @lru:	every page not under reclaim, most recently allocated-into first
 * @pages_nr:	pages in the pool; written under @lock, read without it
 * @ops:	the user's callbacks (evict), or NULL
 * @zpool:	the zpool this pool backs, passed back to zpool_ops->evict
 * @zpool_ops:	the zpool user's callbacks
 */
struct zbud_pool {
	spinlock_t lock;
	struct list_head unbuddied[ZBUD_NCHUNKS_ALL];
	struct list_head buddied;
	struct list_head lru;
	u64 pages_nr;
	const struct zbud_ops *ops;
	struct zpool *zpool;
	const struct zpool_ops *zpool_ops;
};

/*
 * struct zbud_header - the page metadata, in the first chunk of each page
 * @buddy:	links the page into an unbuddied list or the buddied list
 * @lru:	links the page into the pool's LRU
 * @first_chunks: size of the first buddy in chunks, 0 if free
 * @last_chunks: size of the last buddy in chunks, 0 if free
 * @under_reclaim: reclaim owns the page: zbud_free must not free or relist it
 */
struct zbud_header {
	struct list_head buddy;
	struct list_head lru;
	unsigned int first_chunks;
	unsigned int last_chunks;
	bool under_reclaim;
};

/*
 * The kernel's init_zbud() checks this at module load; we check at build
 * time, against the smallest chunk (4K pages: 64 bytes).
 */
BUILD_BUG_ON(sizeof(struct zbud_header) > (1 << (PAGE_SHIFT_MIN - NCHUNKS_ORDER)));
BUILD_BUG_ON(ZBUD_NCHUNKS_ALL != 63);

/*****************
 * zpool
 *****************/

static int zbud_zpool_evict(struct zbud_pool *pool, unsigned long handle)
{
	if (pool->zpool && pool->zpool_ops && pool->zpool_ops->evict)
		return pool->zpool_ops->evict(pool->zpool, handle);
	return -ENOENT;
}

static const struct zbud_ops zbud_zpool_ops = {
	.evict = zbud_zpool_evict,
};

/* zbud has no options: @spec is accepted and ignored. */
static void *zbud_zpool_create(const char *name, gfp_t gfp,
			       const struct zpool_ops *zpool_ops,
			       struct zpool *zpool, const struct zpb_spec *spec)
{
	struct zbud_pool *pool;

	(void)name, (void)spec;
	pool = zbud_create_pool(gfp, zpool_ops ? &zbud_zpool_ops : NULL);
	if (pool) {
		pool->zpool = zpool;
		pool->zpool_ops = zpool_ops;
	}
	return pool;
}

static void zbud_zpool_destroy(void *pool)
{
	zbud_destroy_pool(pool);
}

static int zbud_zpool_malloc(void *pool, size_t size, gfp_t gfp, unsigned long *handle)
{
	return zbud_alloc(pool, size, gfp, handle);
}

static void zbud_zpool_free(void *pool, unsigned long handle)
{
	zbud_free(pool, handle);
}

/* Reclaim page by page, each with the kernel's 8 retries; stop at the first failure. */
static int zbud_zpool_shrink(void *pool, unsigned int pages, unsigned int *reclaimed)
{
	unsigned int total = 0;
	int ret = -EINVAL;

	while (total < pages) {
		ret = zbud_reclaim_page(pool, ZBUD_ZPOOL_RETRIES);
		if (ret < 0)
			break;
		total++;
	}
	if (reclaimed)
		*reclaimed = total;
	return ret;
}

/* zbud has no copy-in or copy-out, so every map mode is the same. */
static void *zbud_zpool_map(void *pool, unsigned long handle, enum zpool_mapmode mm)
{
	(void)mm;
	return zbud_map(pool, handle);
}

static void zbud_zpool_unmap(void *pool, unsigned long handle)
{
	zbud_unmap(pool, handle);
}

static u64 zbud_zpool_total_size(void *pool)
{
	return zbud_get_pool_size(pool) * PAGE_SIZE;
}

/* ZBUD_MAX_SIZE at the page size in force, pool or no pool yet: page - 2 chunks. */
static size_t zbud_max_size(const struct zpb_spec *spec)
{
	(void)spec;
	return (1UL << zpb_page_shift) - 2 * (1UL << (zpb_page_shift - NCHUNKS_ORDER));
}

const struct zpool_driver zbud_zpool_driver = {
	.type = "zbud",
	.description = "two buddies per page at PAGE_SIZE/64-byte chunks, LRU reclaim (kernel v5.4 mm/zbud.c)",
	.caps = ZPB_CAP_EVICT | ZPB_CAP_SLEEP_MAPPED,
	.max_size = zbud_max_size,
	.create = zbud_zpool_create,
	.destroy = zbud_zpool_destroy,
	.malloc = zbud_zpool_malloc,
	.free = zbud_zpool_free,
	.shrink = zbud_zpool_shrink,
	.map = zbud_zpool_map,
	.unmap = zbud_zpool_unmap,
	.total_size = zbud_zpool_total_size,
};

/*****************
 * Helpers
 *****************/
enum buddy {
	FIRST,
	LAST
};

/* Converts an allocation size in bytes to zbud chunks, rounding up. */
static int size_to_chunks(size_t size)
{
	return (size + CHUNK_SIZE - 1) >> CHUNK_SHIFT;
}

/*
 * port: the bound is read once per walk: NCHUNKS is a load here (see the
 * geometry above), and the walk's READ_ONCE()s would force a reload per list.
 */
#define for_each_unbuddied_list(_iter, _begin) \
	for (int __nchunks = ((_iter) = (_begin), (int)NCHUNKS); (_iter) < __nchunks; (_iter)++)

/* Initializes the header of a newly allocated zbud page. */
static struct zbud_header *init_zbud_page(struct page *page)
{
	struct zbud_header *zhdr = page_address(page);

	zhdr->first_chunks = 0;
	zhdr->last_chunks = 0;
	INIT_LIST_HEAD(&zhdr->buddy);
	INIT_LIST_HEAD(&zhdr->lru);
	zhdr->under_reclaim = false;
	return zhdr;
}

static void free_zbud_page(struct zbud_header *zhdr)
{
	__free_page(virt_to_page(zhdr));
}

/*
 * The handle of a buddy is its address: the first buddy starts right after
 * the header, the last one ends at the page's end. Caller holds the pool
 * lock (reads last_chunks).
 */
static unsigned long encode_handle(struct zbud_header *zhdr, enum buddy bud)
{
	unsigned long handle = (unsigned long)zhdr;

	if (bud == FIRST)
		handle += ZHDR_SIZE_ALIGNED;
	else
		handle += PAGE_SIZE - (zhdr->last_chunks << CHUNK_SHIFT);
	return handle;
}

static struct zbud_header *handle_to_zbud_header(unsigned long handle)
{
	return (struct zbud_header *)(handle & PAGE_MASK);
}

/* Free buddies have zero chunks, so no case analysis is needed. */
static int num_free_chunks(struct zbud_header *zhdr)
{
	return NCHUNKS - zhdr->first_chunks - zhdr->last_chunks;
}

/* Put a page with at least one buddy on the list its occupancy says. Pool lock held. */
static void zbud_relist(struct zbud_pool *pool, struct zbud_header *zhdr)
{
	if (zhdr->first_chunks == 0 || zhdr->last_chunks == 0)
		list_add(&zhdr->buddy, &pool->unbuddied[num_free_chunks(zhdr)]);
	else
		list_add(&zhdr->buddy, &pool->buddied);
}

/*****************
 * API Functions
 *****************/
/**
 * zbud_create_pool() - create a new zbud pool
 * @gfp: flags for the pool structure's allocation
 * @ops: the user's callbacks, or NULL (then the pool cannot reclaim)
 *
 * Return: the new pool, or NULL if its metadata could not be allocated.
 */
struct zbud_pool *zbud_create_pool(gfp_t gfp, const struct zbud_ops *ops)
{
	struct zbud_pool *pool;
	int i;

	zbud_geometry();	/* port: see zbud_geo */
	pool = kzalloc(sizeof(struct zbud_pool), gfp);
	if (!pool)
		return NULL;
	spin_lock_init(&pool->lock);
	for_each_unbuddied_list(i, 0)
		INIT_LIST_HEAD(&pool->unbuddied[i]);
	INIT_LIST_HEAD(&pool->buddied);
	INIT_LIST_HEAD(&pool->lru);
	pool->pages_nr = 0;
	pool->ops = ops;
	return pool;
}

/**
 * zbud_destroy_pool() - destroy an empty zbud pool
 * @pool: the pool; every handle must have been freed (pages still held
 *	leak, as in the kernel; zpool_destroy_pool() reports them)
 */
void zbud_destroy_pool(struct zbud_pool *pool)
{
	kfree(pool);
}

/**
 * zbud_alloc() - allocate a region of a given size
 * @pool: the pool to allocate from
 * @size: bytes wanted, 1 to 3968
 * @gfp: flags for a new page; __GFP_HIGHMEM is refused
 * @handle: where the new handle goes
 *
 * Takes the first page on the first non-empty unbuddied list with at least
 * enough free chunks (the best fit by list, the most recently listed page
 * within it) and fills its free buddy; else allocates a new page and puts the
 * object in its first buddy. Takes the pool lock, and drops it around
 * alloc_page().
 *
 * Return: 0 with *@handle set, -EINVAL for size 0 or __GFP_HIGHMEM, -ENOSPC
 * for a size over 3968, or -ENOMEM if no page could be had.
 */
int zbud_alloc(struct zbud_pool *pool, size_t size, gfp_t gfp, unsigned long *handle)
{
	int chunks, i;
	struct zbud_header *zhdr = NULL;
	enum buddy bud;
	struct page *page;

	if (!size || (gfp & __GFP_HIGHMEM))
		return -EINVAL;
	if (size > ZBUD_MAX_SIZE)
		return -ENOSPC;
	chunks = size_to_chunks(size);
	spin_lock(&pool->lock);

	/* First, try to find an unbuddied zbud page. */
	for_each_unbuddied_list(i, chunks) {
		if (!list_empty(&pool->unbuddied[i])) {
			zhdr = list_first_entry(&pool->unbuddied[i], struct zbud_header, buddy);
			list_del(&zhdr->buddy);
			bud = zhdr->first_chunks == 0 ? FIRST : LAST;
			goto found;
		}
	}

	/* None fits: take a new page, without the lock as alloc_page may sleep. */
	spin_unlock(&pool->lock);
	page = alloc_page(gfp);
	if (!page)
		return -ENOMEM;
	spin_lock(&pool->lock);
	WRITE_ONCE(pool->pages_nr, pool->pages_nr + 1);
	zhdr = init_zbud_page(page);
	bud = FIRST;

found:
	if (bud == FIRST)
		zhdr->first_chunks = chunks;
	else
		zhdr->last_chunks = chunks;
	zbud_relist(pool, zhdr);

	/* Add or move the page to the head of the LRU. */
	if (!list_empty(&zhdr->lru))
		list_del(&zhdr->lru);
	list_add(&zhdr->lru, &pool->lru);

	*handle = encode_handle(zhdr, bud);
	spin_unlock(&pool->lock);
	return 0;
}

/**
 * zbud_free() - free the allocation behind a handle
 * @pool: the pool it came from
 * @handle: a handle from zbud_alloc()
 *
 * If the page is under reclaim this only marks the buddy free; reclaim frees
 * the page once both buddies are gone. Takes the pool lock.
 */
void zbud_free(struct zbud_pool *pool, unsigned long handle)
{
	struct zbud_header *zhdr;

	spin_lock(&pool->lock);
	zhdr = handle_to_zbud_header(handle);

	/* The first buddy's handle is the page address plus the header. */
	if ((handle - ZHDR_SIZE_ALIGNED) & ~PAGE_MASK)
		zhdr->last_chunks = 0;
	else
		zhdr->first_chunks = 0;

	if (zhdr->under_reclaim) {
		spin_unlock(&pool->lock);
		return;
	}

	list_del(&zhdr->buddy);
	if (zhdr->first_chunks == 0 && zhdr->last_chunks == 0) {
		list_del(&zhdr->lru);
		free_zbud_page(zhdr);
		WRITE_ONCE(pool->pages_nr, pool->pages_nr - 1);
	} else {
		list_add(&zhdr->buddy, &pool->unbuddied[num_free_chunks(zhdr)]);
	}
	spin_unlock(&pool->lock);
}

/**
 * zbud_reclaim_page() - evict the buddies of one LRU page and free it
 * @pool: the pool
 * @retries: how many LRU pages to try before giving up
 *
 * Takes the page at the LRU's tail off every list, marks it under reclaim
 * and, without the pool lock, calls ops->evict for each buddy it holds; a
 * successful evict has called zbud_free(). If both buddies are then free
 * the page is freed; otherwise it goes back on its buddy list and at the
 * head of the LRU, and the next tail page is tried, up to @retries pages.
 * Takes the pool lock, dropping it around the evict calls.
 *
 * Return: 0 if a page was freed; -EINVAL if the pool has no evict callback,
 * no pages, or @retries is 0; -EAGAIN if @retries pages were tried in vain.
 */
int zbud_reclaim_page(struct zbud_pool *pool, unsigned int retries)
{
	unsigned int i;
	int ret;
	struct zbud_header *zhdr;
	unsigned long first_handle, last_handle;

	spin_lock(&pool->lock);
	if (!pool->ops || !pool->ops->evict || list_empty(&pool->lru) || retries == 0) {
		spin_unlock(&pool->lock);
		return -EINVAL;
	}
	for (i = 0; i < retries; i++) {
		/* Never empty here: a failed page went back on the LRU under the lock. */
		zhdr = list_last_entry(&pool->lru, struct zbud_header, lru);
		list_del(&zhdr->lru);
		list_del(&zhdr->buddy);
		/* Protect the page against zbud_free. */
		zhdr->under_reclaim = true;
		/* Encode the handles now: a racing free zeroes the chunk counts. */
		first_handle = 0;
		last_handle = 0;
		if (zhdr->first_chunks)
			first_handle = encode_handle(zhdr, FIRST);
		if (zhdr->last_chunks)
			last_handle = encode_handle(zhdr, LAST);
		spin_unlock(&pool->lock);

		if (first_handle) {
			ret = pool->ops->evict(pool, first_handle);
			if (ret)
				goto next;
		}
		if (last_handle) {
			ret = pool->ops->evict(pool, last_handle);
			if (ret)
				goto next;
		}
next:
		spin_lock(&pool->lock);
		zhdr->under_reclaim = false;
		if (zhdr->first_chunks == 0 && zhdr->last_chunks == 0) {
			free_zbud_page(zhdr);
			WRITE_ONCE(pool->pages_nr, pool->pages_nr - 1);
			spin_unlock(&pool->lock);
			return 0;
		}
		zbud_relist(pool, zhdr);
		list_add(&zhdr->lru, &pool->lru);
	}
	spin_unlock(&pool->lock);
	return -EAGAIN;
}

/**
 * zbud_map() - the address of a handle's object
 * @pool: the pool
 * @handle: a live handle
 *
 * Return: the object's address, valid until the handle is freed. No lock.
 */
void *zbud_map(struct zbud_pool *pool, unsigned long handle)
{
	(void)pool;
	return (void *)handle;
}

/**
 * zbud_unmap() - end a mapping (nothing to do: zbud maps in place)
 * @pool: the pool
 * @handle: the mapped handle
 */
void zbud_unmap(struct zbud_pool *pool, unsigned long handle)
{
	(void)pool, (void)handle;
}

/**
 * zbud_get_pool_size() - the pool's size in pages
 * @pool: the pool
 *
 * Return: pages held. Reads without the pool lock, as the kernel does.
 */
u64 zbud_get_pool_size(struct zbud_pool *pool)
{
	return READ_ONCE(pool->pages_nr);
}
