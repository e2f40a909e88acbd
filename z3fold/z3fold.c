// SPDX-License-Identifier: GPL-2.0-only
/*
 * z3fold.c
 *
 * Author: Vitaly Wool <vitaly.wool@konsulko.com>
 * Copyright (C) 2016, Sony Mobile Communications Inc.
 *
 * This implementation is based on zbud written by Seth Jennings.
 *
 * z3fold is an special purpose allocator for storing compressed pages. It
 * can store up to three compressed pages per page which improves the
 * compression ratio of zbud while retaining its main concepts (e. g. always
 * storing an integral number of objects per page) and simplicity.
 * It still has simple and deterministic reclaim properties that make it
 * preferable to a higher density approach (with no requirement on integral
 * number of object per page) when reclaim is used.
 *
 * As in zbud, pages are divided into "chunks". The size of the chunks is
 * fixed at compile time and is determined by NCHUNKS_ORDER below.
 *
 * z3fold doesn't export any API and is meant to be used via zpool API.
 *
 * zpoolbench port: the seed (/work/shared/seed/z3fold.c) with its missing
 * lines filled from mm/z3fold.c of Linux v5.4 (buddy slots, page migration;
 * not 5.5's inter-page compaction or slot rwlock). Functions, names, order,
 * locks and work queues are the seed's, so each reads beside its original.
 * Deliberate differences are marked "port:" with the reason in one line.
 *
 * Locking, as in v5.4:
 *  - pool->lock protects the per-CPU unbuddied lists and the LRU;
 *  - pool->stale_lock protects the stale list;
 *  - zhdr->page_lock protects a page's header (chunk counts, first_num,
 *    mapped_count, cpu) and its slots; it nests outside pool->lock;
 *  - PAGE_CLAIMED (a bit in page->private) is taken by reclaim and free so
 *    that only one of them acts on a page at a time;
 *  - zhdr->refcount (kref) keeps a page alive while reclaim, isolation or a
 *    queued compaction holds it; the last put moves it to the stale list,
 *    from which free_pages_work (on release_wq) frees it.
 */
#define pr_fmt(fmt) "z3fold: " fmt

#include "../allocators/kernel/compat.h"
#include "../allocators/zpool.h"

/*
 * NCHUNKS_ORDER determines the internal allocation granularity, effectively
 * adjusting internal fragmentation. It also determines the number of
 * freelists maintained in each pool. NCHUNKS_ORDER of 6 means that the
 * allocation granularity will be in chunks of size PAGE_SIZE/64. Some chunks
 * in the beginning of an allocated page are occupied by z3fold header, so
 * NCHUNKS will be calculated to 63 (or 62 in case CONFIG_DEBUG_SPINLOCK=y),
 * which shows the max number of free chunks in z3fold page, also there will
 * be 63, or 62, respectively, freelists per pool.
 */
#define NCHUNKS_ORDER 6

/*
 * port: the geometry is the kernel's on x86-64 without lock debugging, where
 * sizeof(struct z3fold_header) is 88 (so ZHDR_CHUNKS is 2 and NCHUNKS 62 at
 * 4K pages), not the size of this userspace struct; see the _Static_assert
 * below. arm64's struct is the same 88 bytes (LP64, same members).
 *
 * Page sizes: v5.4's z3fold is written against PAGE_SHIFT alone (Kconfig:
 * Z3FOLD depends on ZPOOL only; init_z3fold() checks only that the header
 * fits a page), so 4K, 16K and 64K are all the kernel's. These macros are
 * its, evaluated at the page size in force: chunks of 64, 256 and 1024
 * bytes; ZHDR_CHUNKS 2, 1 and 1; NCHUNKS 62, 63 and 63; objects above
 * 3904, 15872 and 63488 bytes go headless. The handle's last_chunks field
 * (BUDDY_SHIFT up, under PAGE_MASK) has room at each.
 *
 * The kernel's macros are constants; evaluated on every use the formulas
 * would cost the hot paths (the unbuddied walk, each handle decode) a
 * reload of the page size and a few shifts each time. So z3fold_geometry()
 * evaluates them once, when a pool is created, into z3fold_geo, and the
 * names below read it (PAGE_SHIFT, PAGE_SIZE and PAGE_MASK too, here):
 * a file-local the compiler knows no pointer reaches.
 */
#define Z3FOLD_KERNEL_HDR_SIZE 88

static struct {
	unsigned int page_shift;	/* PAGE_SHIFT */
	unsigned long page_size;	/* PAGE_SIZE */
	unsigned long page_mask;	/* PAGE_MASK */
	unsigned int chunk_shift;	/* CHUNK_SHIFT */
	int chunk_size;			/* CHUNK_SIZE */
	unsigned long zhdr_size_aligned;	/* ZHDR_SIZE_ALIGNED */
	unsigned long zhdr_chunks;	/* ZHDR_CHUNKS */
	unsigned long total_chunks;	/* TOTAL_CHUNKS */
	unsigned long nchunks;		/* NCHUNKS */
} z3fold_geo = { 12, 4096, ~4095UL, 6, 64, 128, 2, 64, 62 };	/* 4K, until a pool is created */

/* The kernel's geometry, verbatim in meaning, at the page size in force. */
static void z3fold_geometry(void)
{
	unsigned int page_shift = zpb_page_shift;
	unsigned long page_size = 1UL << page_shift;
	unsigned int chunk_shift = page_shift - NCHUNKS_ORDER;	/* CHUNK_SHIFT */
	int chunk_size = 1 << chunk_shift;			/* CHUNK_SIZE */
	unsigned long zhdr = round_up((unsigned long)Z3FOLD_KERNEL_HDR_SIZE, chunk_size);

	z3fold_geo.page_shift = page_shift;
	z3fold_geo.page_size = page_size;
	z3fold_geo.page_mask = ~(page_size - 1);
	z3fold_geo.chunk_shift = chunk_shift;
	z3fold_geo.chunk_size = chunk_size;
	z3fold_geo.zhdr_size_aligned = zhdr;			/* ZHDR_SIZE_ALIGNED */
	z3fold_geo.zhdr_chunks = zhdr >> chunk_shift;		/* ZHDR_CHUNKS */
	z3fold_geo.total_chunks = page_size >> chunk_shift;	/* TOTAL_CHUNKS */
	z3fold_geo.nchunks = (page_size - zhdr) >> chunk_shift;	/* NCHUNKS */
}

#undef PAGE_SHIFT
#undef PAGE_SIZE
#undef PAGE_MASK
#define PAGE_SHIFT z3fold_geo.page_shift
#define PAGE_SIZE z3fold_geo.page_size
#define PAGE_MASK z3fold_geo.page_mask
#define CHUNK_SHIFT z3fold_geo.chunk_shift
#define CHUNK_SIZE z3fold_geo.chunk_size
#define ZHDR_SIZE_ALIGNED z3fold_geo.zhdr_size_aligned
#define ZHDR_CHUNKS z3fold_geo.zhdr_chunks
#define TOTAL_CHUNKS z3fold_geo.total_chunks
#define NCHUNKS z3fold_geo.nchunks

#define BUDDY_MASK (0x3)
#define BUDDY_SHIFT 2
#define SLOTS_ALIGN (0x40)

/*****************
 * Structures
*****************/
struct z3fold_pool;
struct z3fold_ops {
	int (*evict)(struct z3fold_pool *pool, unsigned long handle);
};

enum buddy {
	HEADLESS = 0,
	FIRST,
	MIDDLE,
	LAST,
	BUDDIES_MAX = LAST
};

struct z3fold_buddy_slots {
	/*
	 * we are using BUDDY_MASK in handle_to_buddy etc. so there should
	 * be enough slots to hold all possible variants
	 */
	unsigned long slot[BUDDY_MASK + 1];
	unsigned long pool; /* back link + flags */
	rwlock_t lock;	/* port: Linux 5.5's slot lock, not in v5.4 (see get_z3fold_header) */
};
#define HANDLE_FLAG_MASK (0x03)
/*
 * port: a slot is read without the page lock (it is how map and free find
 * the page) while reclaim or migration may rewrite it: the kernel's plain
 * accesses are spelled READ_ONCE/WRITE_ONCE so ThreadSanitizer sees them.
 */

/*
 * port: handle flags (under HANDLE_FLAG_MASK). v5.4 has none. HANDLES_NOFREE
 * (v5.11's name) marks a page's slots while reclaim evicts from the page:
 * free_handle() then leaves the slot in place and reclaim settles it (see
 * z3fold_reclaim_page()).
 */
enum z3fold_handle_flags {
	HANDLES_NOFREE = 0,
};

/*
 * struct z3fold_header - z3fold page metadata occupying first chunks of each
 *			z3fold page, except for HEADLESS pages
 * @buddy:		links the z3fold page into the relevant list in the
 *			pool
 * @page_lock:		per-page lock
 * @refcount:		reference count for the z3fold page
 * @work:		work_struct for page layout optimization
 * @slots:		pointer to the structure holding buddy slots
 * @pool:		pointer to the containing pool
 * @cpu:		CPU which this page "belongs" to
 * @first_chunks:	the size of the first buddy in chunks, 0 if free
 * @middle_chunks:	the size of the middle buddy in chunks, 0 if free
 * @last_chunks:	the size of the last buddy in chunks, 0 if free
 * @first_num:		the starting number (for the first handle)
 * @mapped_count:	the number of objects currently mapped
 */
struct z3fold_header {
	struct list_head buddy;
	spinlock_t page_lock;
	struct kref refcount;
	struct work_struct work;
	struct z3fold_buddy_slots *slots;
	struct z3fold_pool *pool;
	short cpu;
	unsigned short first_chunks;
	unsigned short middle_chunks;
	unsigned short last_chunks;
	unsigned short start_middle;
	unsigned short first_num:2;
	unsigned short mapped_count:2;
};

/* The userspace header (its work_struct is larger) must fit the kernel's space. */
_Static_assert(sizeof(struct z3fold_header) <= 128,
	       "struct z3fold_header does not fit in the kernel's ZHDR_SIZE_ALIGNED (at 4K, the smallest)");
_Static_assert(round_up(Z3FOLD_KERNEL_HDR_SIZE, 1 << (PAGE_SHIFT_MIN - NCHUNKS_ORDER)) == 128,
	       "z3fold geometry at 4K differs from the kernel's on x86-64");
_Static_assert(((1 << NCHUNKS_ORDER) << BUDDY_SHIFT) <= (1 << PAGE_SHIFT_MIN),
	       "a LAST handle's chunk count must fit below PAGE_MASK");
_Static_assert(sizeof(struct z3fold_buddy_slots) <= SLOTS_ALIGN,
	       "buddy slots must fit in SLOTS_ALIGN so handle_to_slots() can mask");

/**
 * struct z3fold_pool - stores metadata for each z3fold pool
 * @name:	pool name
 * @lock:	protects pool unbuddied/lru lists
 * @stale_lock:	protects pool stale page list
 * @unbuddied:	per-cpu array of lists tracking z3fold pages that contain 2-
 *		buddies; the list each z3fold page is added to depends on
 *		the size of its free region.
 * @lru:	list tracking the z3fold pages in LRU order by most recently
 *		added buddy.
 * @stale:	list of pages marked for freeing
 * @pages_nr:	number of z3fold pages in the pool.
 * @c_handle:	cache for z3fold_buddy_slots allocation
 * @ops:	pointer to a structure of user defined operations specified at
 *		pool creation time.
 * @zpool:	zpool driver
 * @zpool_ops:	zpool operations structure with an evict callback
 * @compact_wq:	workqueue for page layout background optimization
 * @release_wq:	workqueue for safe page release
 * @work:	work_struct for safe page release
 * @inode:	inode for z3fold pseudo filesystem
 *
 * This structure is allocated at pool creation time and maintains metadata
 * pertaining to a particular z3fold pool.
 */
struct z3fold_pool {
	const char *name;
	spinlock_t lock;
	spinlock_t stale_lock;
	struct list_head *unbuddied;
	struct list_head lru;
	struct list_head stale;
	atomic64_t pages_nr;
	struct kmem_cache *c_handle;
	const struct z3fold_ops *ops;
	struct zpool *zpool;
	const struct zpool_ops *zpool_ops;
	struct workqueue_struct *compact_wq;
	struct workqueue_struct *release_wq;
	struct work_struct work;
	struct inode *inode;
	bool claim_first;	/* port: spec option claim_first (see z3fold_free) */
	bool strict_first;	/* port: spec option strict_first (see z3fold_alloc) */
};

/*
 * Internal z3fold page flags
 */
enum z3fold_page_flags {
	PAGE_HEADLESS = 0,
	MIDDLE_CHUNK_MAPPED,
	NEEDS_COMPACTING,
	PAGE_STALE,
	PAGE_CLAIMED, /* by either reclaim or free */
};

/*****************
 * Helpers
*****************/

/* Converts an allocation size in bytes to size in z3fold chunks */
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

static void compact_page_work(struct work_struct *w);

static inline struct z3fold_buddy_slots *alloc_slots(struct z3fold_pool *pool,
							gfp_t gfp)
{
	struct z3fold_buddy_slots *slots;

	slots = kmem_cache_alloc(pool->c_handle,
				 (gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE)));

	if (slots) {
		memset(slots->slot, 0, sizeof(slots->slot));
		slots->pool = (unsigned long)pool;
		rwlock_init(&slots->lock);
	}

	return slots;
}

static inline struct z3fold_pool *slots_to_pool(struct z3fold_buddy_slots *s)
{
	return (struct z3fold_pool *)(s->pool & ~HANDLE_FLAG_MASK);
}

static inline struct z3fold_buddy_slots *handle_to_slots(unsigned long handle)
{
	return (struct z3fold_buddy_slots *)(handle & ~(SLOTS_ALIGN - 1));
}

/* Called with the page lock held (z3fold_free). */
static inline void free_handle(unsigned long handle)
{
	struct z3fold_buddy_slots *slots;
	int i;
	bool is_free;

	if (handle & (1 << PAGE_HEADLESS))
		return;

	WARN_ON(READ_ONCE(*(unsigned long *)handle) == 0);
	slots = handle_to_slots(handle);
	/*
	 * port: reclaim is evicting from this page with the page's own handles:
	 * keep the slot so a handle freed meanwhile still resolves; reclaim
	 * clears it (settle_reclaimed_slots()).
	 */
	if (test_bit(HANDLES_NOFREE, &slots->pool))
		return;
	write_lock(&slots->lock);
	WRITE_ONCE(*(unsigned long *)handle, 0);
	write_unlock(&slots->lock);
	is_free = true;
	for (i = 0; i <= BUDDY_MASK; i++) {
		if (READ_ONCE(slots->slot[i])) {
			is_free = false;
			break;
		}
	}

	if (is_free) {
		struct z3fold_pool *pool = slots_to_pool(slots);

		kmem_cache_free(pool->c_handle, slots);
	}
}

/*
 * port: there is no VFS, so there is no pseudo filesystem to mount
 * (z3fold_init_fs_context, z3fold_fs, kern_mount): the compat layer's
 * alloc_anon_inode() just holds the address_space that migration needs.
 */
static int z3fold_mount(void)
{
	return 0;
}

static void z3fold_unmount(void)
{
}

static const struct address_space_operations z3fold_aops;
static int z3fold_register_migration(struct z3fold_pool *pool)
{
	pool->inode = alloc_anon_inode(NULL);
	if (IS_ERR(pool->inode)) {
		pool->inode = NULL;
		return 1;
	}

	pool->inode->i_mapping->private_data = pool;
	pool->inode->i_mapping->a_ops = &z3fold_aops;
	return 0;
}

static void z3fold_unregister_migration(struct z3fold_pool *pool)
{
	if (pool->inode)
		iput(pool->inode);
}

/* Initializes the z3fold header of a newly allocated z3fold page */
static struct z3fold_header *init_z3fold_page(struct page *page, bool headless,
					struct z3fold_pool *pool, gfp_t gfp)
{
	struct z3fold_header *zhdr = page_address(page);
	struct z3fold_buddy_slots *slots;

	INIT_LIST_HEAD(&page->lru);
	clear_bit(PAGE_HEADLESS, &page->private);
	clear_bit(MIDDLE_CHUNK_MAPPED, &page->private);
	clear_bit(NEEDS_COMPACTING, &page->private);
	clear_bit(PAGE_STALE, &page->private);
	clear_bit(PAGE_CLAIMED, &page->private);
	if (headless)
		return zhdr;

	slots = alloc_slots(pool, gfp);
	if (!slots)
		return NULL;

	spin_lock_init(&zhdr->page_lock);
	kref_init(&zhdr->refcount);
	zhdr->first_chunks = 0;
	zhdr->middle_chunks = 0;
	zhdr->last_chunks = 0;
	zhdr->first_num = 0;
	zhdr->start_middle = 0;
	/* port: v5.4 leaves mapped_count as the page held it (a fresh page is not zeroed). */
	zhdr->mapped_count = 0;
	zhdr->cpu = -1;
	zhdr->slots = slots;
	zhdr->pool = pool;
	INIT_LIST_HEAD(&zhdr->buddy);
	INIT_WORK(&zhdr->work, compact_page_work);
	return zhdr;
}

/* Resets the struct page fields and frees the page */
static void free_z3fold_page(struct page *page, bool headless)
{
	if (!headless) {
		lock_page(page);
		__ClearPageMovable(page);
		unlock_page(page);
	}
	ClearPagePrivate(page);
	__free_page(page);
}

/* Lock a z3fold page */
static inline void z3fold_page_lock(struct z3fold_header *zhdr)
{
	spin_lock(&zhdr->page_lock);
}

/* Try to lock a z3fold page */
static inline int z3fold_page_trylock(struct z3fold_header *zhdr)
{
	return spin_trylock(&zhdr->page_lock);
}

/* Unlock a z3fold page */
static inline void z3fold_page_unlock(struct z3fold_header *zhdr)
{
	spin_unlock(&zhdr->page_lock);
}

/* Helper function to build the index */
static inline int __idx(struct z3fold_header *zhdr, enum buddy bud)
{
	return (bud + zhdr->first_num) & BUDDY_MASK;
}

/*
 * Encodes the handle of a particular buddy within a z3fold page
 * Pool lock should be held as this function accesses first_num
 */
static unsigned long __encode_handle(struct z3fold_header *zhdr,
				struct z3fold_buddy_slots *slots,
				enum buddy bud)
{
	unsigned long h = (unsigned long)zhdr;
	int idx = 0;

	/*
	 * For a headless page, its handle is its pointer with the extra
	 * PAGE_HEADLESS bit set
	 */
	if (bud == HEADLESS)
		return h | (1 << PAGE_HEADLESS);

	/* otherwise, return pointer to encoded handle */
	idx = __idx(zhdr, bud);
	h += idx;
	if (bud == LAST)
		h |= (zhdr->last_chunks << BUDDY_SHIFT);

	write_lock(&slots->lock);
	WRITE_ONCE(slots->slot[idx], h);
	write_unlock(&slots->lock);
	return (unsigned long)&slots->slot[idx];
}

static unsigned long encode_handle(struct z3fold_header *zhdr, enum buddy bud)
{
	return __encode_handle(zhdr, zhdr->slots, bud);
}

/* Returns the z3fold page where a given handle is stored */
static inline struct z3fold_header *handle_to_z3fold_header(unsigned long h)
{
	unsigned long addr = h;

	if (!(addr & (1 << PAGE_HEADLESS)))
		addr = READ_ONCE(*(unsigned long *)h);

	return (struct z3fold_header *)(addr & PAGE_MASK);
}

/*
 * port: Linux 5.5's get_z3fold_header(), not in v5.4. v5.4's map, unmap and
 * free read a handle's slot and then lock the page it names; migration may
 * re-point the slot at the new page in between, and the caller then works
 * on the old page, which migration frees: lost writes and a use after free
 * (the seed's own race). Here the slot is read under its lock (migration
 * re-points it under the write lock, holding the old page's lock) and the
 * page is only trylocked inside, so a caller ends up with the page lock of
 * the page its handle names now.
 *
 * Returns the header, locked; a headless handle's page, not locked.
 * static inline, as 5.5's.
 */
static inline struct z3fold_header *get_z3fold_header(unsigned long handle)
{
	struct z3fold_buddy_slots *slots;
	struct z3fold_header *zhdr;
	bool locked;

	if (handle & (1 << PAGE_HEADLESS))
		return (struct z3fold_header *)(handle & PAGE_MASK);
	slots = handle_to_slots(handle);
	for (;;) {
		read_lock(&slots->lock);
		zhdr = (struct z3fold_header *)(READ_ONCE(*(unsigned long *)handle) & PAGE_MASK);
		locked = z3fold_page_trylock(zhdr);
		read_unlock(&slots->lock);
		if (locked)
			return zhdr;
		cond_resched();
	}
}

/* only for LAST bud, returns zero otherwise */
static unsigned short handle_to_chunks(unsigned long handle)
{
	unsigned long addr = READ_ONCE(*(unsigned long *)handle);

	return (addr & ~PAGE_MASK) >> BUDDY_SHIFT;
}

/*
 * (handle & BUDDY_MASK) < zhdr->first_num is possible in encode_handle
 * but that doesn't matter. because the masking will result in the
 * correct buddy number.
 */
static enum buddy handle_to_buddy(unsigned long handle)
{
	struct z3fold_header *zhdr;
	unsigned long addr;

	WARN_ON(handle & (1 << PAGE_HEADLESS));
	addr = READ_ONCE(*(unsigned long *)handle);
	zhdr = (struct z3fold_header *)(addr & PAGE_MASK);
	return (addr - zhdr->first_num) & BUDDY_MASK;
}

static inline struct z3fold_pool *zhdr_to_pool(struct z3fold_header *zhdr)
{
	return zhdr->pool;
}

static void __release_z3fold_page(struct z3fold_header *zhdr, bool locked)
{
	struct page *page = virt_to_page(zhdr);
	struct z3fold_pool *pool = zhdr_to_pool(zhdr);

	WARN_ON(!list_empty(&zhdr->buddy));
	set_bit(PAGE_STALE, &page->private);
	clear_bit(NEEDS_COMPACTING, &page->private);
	spin_lock(&pool->lock);
	if (!list_empty(&page->lru))
		list_del_init(&page->lru);
	spin_unlock(&pool->lock);
	if (locked)
		z3fold_page_unlock(zhdr);
	spin_lock(&pool->stale_lock);
	list_add(&zhdr->buddy, &pool->stale);
	queue_work(pool->release_wq, &pool->work);
	spin_unlock(&pool->stale_lock);
}

static void __attribute__((__unused__))
			release_z3fold_page(struct kref *ref)
{
	struct z3fold_header *zhdr = container_of(ref, struct z3fold_header,
						refcount);
	__release_z3fold_page(zhdr, false);
}

static void release_z3fold_page_locked(struct kref *ref)
{
	struct z3fold_header *zhdr = container_of(ref, struct z3fold_header,
						refcount);
	WARN_ON(z3fold_page_trylock(zhdr));
	__release_z3fold_page(zhdr, true);
}

static void release_z3fold_page_locked_list(struct kref *ref)
{
	struct z3fold_header *zhdr = container_of(ref, struct z3fold_header,
					       refcount);
	struct z3fold_pool *pool = zhdr_to_pool(zhdr);
	spin_lock(&pool->lock);
	list_del_init(&zhdr->buddy);
	spin_unlock(&pool->lock);

	WARN_ON(z3fold_page_trylock(zhdr));
	__release_z3fold_page(zhdr, true);
}

static void free_pages_work(struct work_struct *w)
{
	struct z3fold_pool *pool = container_of(w, struct z3fold_pool, work);

	spin_lock(&pool->stale_lock);
	while (!list_empty(&pool->stale)) {
		struct z3fold_header *zhdr = list_first_entry(&pool->stale,
						struct z3fold_header, buddy);
		struct page *page = virt_to_page(zhdr);

		list_del(&zhdr->buddy);
		if (WARN_ON(!test_bit(PAGE_STALE, &page->private)))
			continue;
		spin_unlock(&pool->stale_lock);
		cancel_work_sync(&zhdr->work);
		free_z3fold_page(page, false);
		cond_resched();
		spin_lock(&pool->stale_lock);
	}
	spin_unlock(&pool->stale_lock);
}

/*
 * Returns the number of free chunks in a z3fold page.
 * NB: can't be used with HEADLESS pages.
 */
static int num_free_chunks(struct z3fold_header *zhdr)
{
	int nfree;
	/*
	 * If there is a middle object, pick up the bigger free space
	 * either before or after it. Otherwise just subtract the number
	 * of chunks occupied by the first and the last objects.
	 */
	if (zhdr->middle_chunks != 0) {
		int nfree_before = zhdr->first_chunks ?
			0 : zhdr->start_middle - ZHDR_CHUNKS;
		int nfree_after = zhdr->last_chunks ?
			0 : TOTAL_CHUNKS -
				(zhdr->start_middle + zhdr->middle_chunks);
		nfree = max(nfree_before, nfree_after);
	} else
		nfree = NCHUNKS - zhdr->first_chunks - zhdr->last_chunks;
	return nfree;
}

/* Add to the appropriate unbuddied list */
static inline void add_to_unbuddied(struct z3fold_pool *pool,
				struct z3fold_header *zhdr)
{
	if (zhdr->first_chunks == 0 || zhdr->last_chunks == 0 ||
			zhdr->middle_chunks == 0) {
		struct list_head *unbuddied = get_cpu_ptr(pool->unbuddied);

		int freechunks = num_free_chunks(zhdr);
		spin_lock(&pool->lock);
		list_add(&zhdr->buddy, &unbuddied[freechunks]);
		spin_unlock(&pool->lock);
		zhdr->cpu = smp_processor_id();
		put_cpu_ptr(pool->unbuddied);
	}
}

static inline void *mchunk_memmove(struct z3fold_header *zhdr,
				unsigned short dst_chunk)
{
	char *beg = (char *)zhdr;

	return memmove(beg + (dst_chunk << CHUNK_SHIFT),
		       beg + (zhdr->start_middle << CHUNK_SHIFT),
		       zhdr->middle_chunks << CHUNK_SHIFT);
}

#define BIG_CHUNK_GAP 3
/* Has to be called with lock held */
static int z3fold_compact_page(struct z3fold_header *zhdr)
{
	struct page *page = virt_to_page(zhdr);

	if (test_bit(MIDDLE_CHUNK_MAPPED, &page->private))
		return 0; /* can't move middle chunk, it's used */

	if (unlikely(PageIsolated(page)))
		return 0;

	if (zhdr->middle_chunks == 0)
		return 0; /* nothing to compact */

	if (zhdr->first_chunks == 0 && zhdr->last_chunks == 0) {
		/* move to the beginning */
		mchunk_memmove(zhdr, ZHDR_CHUNKS);
		zhdr->first_chunks = zhdr->middle_chunks;
		zhdr->middle_chunks = 0;
		zhdr->start_middle = 0;
		zhdr->first_num++;
		return 1;
	}

	/*
	 * moving data is expensive, so let's only do that if
	 * there's substantial gain (at least BIG_CHUNK_GAP chunks)
	 */
	if (zhdr->first_chunks != 0 && zhdr->last_chunks == 0 &&
	    zhdr->start_middle - (zhdr->first_chunks + ZHDR_CHUNKS) >=
			BIG_CHUNK_GAP) {
		mchunk_memmove(zhdr, zhdr->first_chunks + ZHDR_CHUNKS);
		zhdr->start_middle = zhdr->first_chunks + ZHDR_CHUNKS;
		return 1;
	} else if (zhdr->last_chunks != 0 && zhdr->first_chunks == 0 &&
		   TOTAL_CHUNKS - (zhdr->last_chunks + zhdr->start_middle
					+ zhdr->middle_chunks) >=
			BIG_CHUNK_GAP) {
		unsigned short new_start = TOTAL_CHUNKS - zhdr->last_chunks -
			zhdr->middle_chunks;
		mchunk_memmove(zhdr, new_start);
		zhdr->start_middle = new_start;
		return 1;
	}

	return 0;
}

static void do_compact_page(struct z3fold_header *zhdr, bool locked)
{
	struct z3fold_pool *pool = zhdr_to_pool(zhdr);
	struct page *page;

	page = virt_to_page(zhdr);
	if (locked)
		WARN_ON(z3fold_page_trylock(zhdr));
	else
		z3fold_page_lock(zhdr);
	if (WARN_ON(!test_and_clear_bit(NEEDS_COMPACTING, &page->private))) {
		z3fold_page_unlock(zhdr);
		return;
	}
	spin_lock(&pool->lock);
	list_del_init(&zhdr->buddy);
	spin_unlock(&pool->lock);

	if (kref_put(&zhdr->refcount, release_z3fold_page_locked)) {
		atomic64_dec(&pool->pages_nr);
		return;
	}

	if (unlikely(PageIsolated(page) ||
		     test_bit(PAGE_CLAIMED, &page->private) ||
		     test_bit(PAGE_STALE, &page->private))) {
		z3fold_page_unlock(zhdr);
		return;
	}

	z3fold_compact_page(zhdr);
	add_to_unbuddied(pool, zhdr);
	z3fold_page_unlock(zhdr);
}

static void compact_page_work(struct work_struct *w)
{
	struct z3fold_header *zhdr = container_of(w, struct z3fold_header,
						work);

	do_compact_page(zhdr, false);
}

/* returns _locked_ z3fold page header or NULL */
static inline struct z3fold_header *__z3fold_alloc(struct z3fold_pool *pool,
						size_t size, bool can_sleep)
{
	struct z3fold_header *zhdr = NULL;
	struct page *page;
	struct list_head *unbuddied;
	int chunks = size_to_chunks(size), i;

lookup:
	/* First, try to find an unbuddied z3fold page. */
	unbuddied = get_cpu_ptr(pool->unbuddied);
	for_each_unbuddied_list(i, chunks) {
		struct list_head *l = &unbuddied[i];

		zhdr = list_first_entry_or_null(READ_ONCE(l),
					struct z3fold_header, buddy);

		if (!zhdr)
			continue;

		/* Re-check under lock. */
		spin_lock(&pool->lock);
		l = &unbuddied[i];
		if (unlikely(zhdr != list_first_entry(READ_ONCE(l),
						struct z3fold_header, buddy)) ||
		    !z3fold_page_trylock(zhdr)) {
			spin_unlock(&pool->lock);
			zhdr = NULL;
			put_cpu_ptr(pool->unbuddied);
			if (can_sleep)
				cond_resched();
			goto lookup;
		}
		list_del_init(&zhdr->buddy);
		zhdr->cpu = -1;
		spin_unlock(&pool->lock);

		page = virt_to_page(zhdr);
		if (test_bit(NEEDS_COMPACTING, &page->private)) {
			z3fold_page_unlock(zhdr);
			zhdr = NULL;
			put_cpu_ptr(pool->unbuddied);
			if (can_sleep)
				cond_resched();
			goto lookup;
		}

		/*
		 * this page could not be removed from its unbuddied
		 * list while pool lock was held, and then we've taken
		 * page lock so kref_put could not be called before
		 * we got here, so it's safe to just call kref_get()
		 */
		kref_get(&zhdr->refcount);
		break;
	}
	put_cpu_ptr(pool->unbuddied);

	if (!zhdr) {
		int cpu;

		/* look for _exact_ match on other cpus' lists */
		for_each_online_cpu(cpu) {
			struct list_head *l;

			unbuddied = per_cpu_ptr(pool->unbuddied, cpu);
			spin_lock(&pool->lock);
			l = &unbuddied[chunks];

			zhdr = list_first_entry_or_null(READ_ONCE(l),
						struct z3fold_header, buddy);

			if (!zhdr || !z3fold_page_trylock(zhdr)) {
				spin_unlock(&pool->lock);
				zhdr = NULL;
				continue;
			}
			list_del_init(&zhdr->buddy);
			zhdr->cpu = -1;
			spin_unlock(&pool->lock);

			page = virt_to_page(zhdr);
			if (test_bit(NEEDS_COMPACTING, &page->private)) {
				z3fold_page_unlock(zhdr);
				zhdr = NULL;
				if (can_sleep)
					cond_resched();
				continue;
			}
			kref_get(&zhdr->refcount);
			break;
		}
	}

	return zhdr;
}

/*
 * API Functions
 */

/**
 * z3fold_create_pool() - create a new z3fold pool
 * @name:	pool name
 * @gfp:	gfp flags when allocating the z3fold pool structure
 * @ops:	user-defined operations for the z3fold pool
 *
 * Return: pointer to the new z3fold pool or NULL if the metadata allocation
 * failed.
 */
static struct z3fold_pool *z3fold_create_pool(const char *name, gfp_t gfp,
		const struct z3fold_ops *ops)
{
	struct z3fold_pool *pool = NULL;
	int i, cpu;

	z3fold_geometry();	/* port: see z3fold_geo */
	pool = kzalloc(sizeof(struct z3fold_pool), gfp);
	if (!pool)
		goto out;
	pool->c_handle = kmem_cache_create("z3fold_handle",
				sizeof(struct z3fold_buddy_slots),
				SLOTS_ALIGN, 0, NULL);
	if (!pool->c_handle)
		goto out_c;
	spin_lock_init(&pool->lock);
	spin_lock_init(&pool->stale_lock);
	pool->unbuddied = __alloc_percpu(sizeof(struct list_head)*NCHUNKS, 2);
	if (!pool->unbuddied)
		goto out_pool;
	for_each_possible_cpu(cpu) {
		struct list_head *unbuddied =
				per_cpu_ptr(pool->unbuddied, cpu);
		for_each_unbuddied_list(i, 0)
			INIT_LIST_HEAD(&unbuddied[i]);
	}
	INIT_LIST_HEAD(&pool->lru);
	INIT_LIST_HEAD(&pool->stale);
	atomic64_set(&pool->pages_nr, 0);
	pool->name = name;
	pool->compact_wq = create_singlethread_workqueue(pool->name);
	if (!pool->compact_wq)
		goto out_unbuddied;
	pool->release_wq = create_singlethread_workqueue(pool->name);
	if (!pool->release_wq)
		goto out_wq;
	if (z3fold_register_migration(pool))
		goto out_rwq;
	INIT_WORK(&pool->work, free_pages_work);
	pool->ops = ops;
	return pool;

out_rwq:
	destroy_workqueue(pool->release_wq);
out_wq:
	destroy_workqueue(pool->compact_wq);
out_unbuddied:
	free_percpu(pool->unbuddied);
out_pool:
	kmem_cache_destroy(pool->c_handle);
out_c:
	kfree(pool);
out:
	return NULL;
}

/**
 * z3fold_destroy_pool() - destroys an existing z3fold pool
 * @pool:	the z3fold pool to be destroyed
 *
 * The pool should be emptied before this function is called.
 */
static void z3fold_destroy_pool(struct z3fold_pool *pool)
{
	kmem_cache_destroy(pool->c_handle);

	/*
	 * We need to destroy pool->compact_wq before pool->release_wq,
	 * as any pending work on pool->compact_wq will call
	 * queue_work(pool->release_wq, &pool->work).
	 *
	 * There are still outstanding pages until both workqueues are drained,
	 * so we cannot unregister migration until then.
	 */

	destroy_workqueue(pool->compact_wq);
	destroy_workqueue(pool->release_wq);
	z3fold_unregister_migration(pool);
	/* port: v5.4 leaks the per-CPU unbuddied lists here. */
	free_percpu(pool->unbuddied);
	kfree(pool);
}

/**
 * z3fold_alloc() - allocates a region of a given size
 * @pool:	z3fold pool from which to allocate
 * @size:	size in bytes of the desired allocation
 * @gfp:	gfp flags used if the pool needs to grow
 * @handle:	handle of the new allocation
 *
 * This function will attempt to find a free region in the pool large enough to
 * satisfy the allocation request. A search of the unbuddied lists is
 * performed first. If no suitable free region is found, then a new page is
 * allocated and added to the pool to satisfy the request.
 *
 * gfp should not set __GFP_HIGHMEM as highmem pages cannot be used
 * as z3fold pool pages.
 *
 * Locks: takes the page lock of the page it fills, and pool->lock and
 * pool->stale_lock inside it; may sleep (cancel_work_sync) if @gfp allows.
 *
 * Return: 0 if success and handle is set, otherwise -EINVAL if the size or
 * gfp arguments are invalid or -ENOMEM if the pool was unable to allocate
 * a new page.
 */
static int z3fold_alloc(struct z3fold_pool *pool, size_t size, gfp_t gfp,
			unsigned long *handle)
{
	int chunks = size_to_chunks(size);
	struct z3fold_header *zhdr = NULL;
	struct page *page = NULL;
	enum buddy bud;
	bool can_sleep = gfpflags_allow_blocking(gfp);

	/*
	 * port: v5.4 accepts __GFP_HIGHMEM (5.3's "allow __GFP_HIGHMEM in
	 * z3fold_alloc"); zpoolbench keeps zbud's and the zpool contract's
	 * -EINVAL for it, as pages here can never be highmem.
	 */
	if (!size || (gfp & __GFP_HIGHMEM))
		return -EINVAL;

	if (size > PAGE_SIZE)
		return -ENOSPC;

	if (size > PAGE_SIZE - ZHDR_SIZE_ALIGNED - CHUNK_SIZE)
		bud = HEADLESS;
	else {
retry:
		zhdr = __z3fold_alloc(pool, size, can_sleep);
		if (zhdr) {
			if (zhdr->first_chunks == 0) {
				/*
				 * v5.4 (seed lines 886-887): an object of
				 * start_middle - 1 chunks is put FIRST, where
				 * only start_middle - ZHDR_CHUNKS fit, and its
				 * last chunk overlaps the middle buddy (a page
				 * with both ends free and the middle in place:
				 * the middle was mapped while it would have
				 * been compacted). port: strict_first=1 uses
				 * Linux 5.11's get_free_buddy() bound instead.
				 */
				if (zhdr->middle_chunks != 0 &&
				    (pool->strict_first ?
				     chunks > (int)(zhdr->start_middle - ZHDR_CHUNKS) :
				     chunks >= zhdr->start_middle))
					bud = LAST;
				else
					bud = FIRST;
			} else if (zhdr->last_chunks == 0)
				bud = LAST;
			else if (zhdr->middle_chunks == 0)
				bud = MIDDLE;
			else {
				if (kref_put(&zhdr->refcount,
					     release_z3fold_page_locked))
					atomic64_dec(&pool->pages_nr);
				else
					z3fold_page_unlock(zhdr);
				pr_err("No free chunks in unbuddied\n");
				WARN_ON(1);
				goto retry;
			}
			page = virt_to_page(zhdr);
			goto found;
		}
		bud = FIRST;
	}

	page = NULL;
	if (can_sleep) {
		spin_lock(&pool->stale_lock);
		zhdr = list_first_entry_or_null(&pool->stale,
						struct z3fold_header, buddy);
		/*
		 * Before allocating a page, let's see if we can take one from
		 * the stale pages list. cancel_work_sync() can sleep so we
		 * limit this case to the contexts where we can sleep
		 */
		if (zhdr) {
			list_del(&zhdr->buddy);
			spin_unlock(&pool->stale_lock);
			cancel_work_sync(&zhdr->work);
			page = virt_to_page(zhdr);
			/*
			 * port: a stale page is still movable, and migration
			 * could isolate it once init_z3fold_page() clears
			 * PAGE_STALE, before this allocation relists it (the
			 * seed's race with its own deferred release): take it
			 * off migration's hands first, under the page lock, as
			 * free_z3fold_page() would; it is made movable again
			 * below.
			 */
			lock_page(page);
			__ClearPageMovable(page);
			unlock_page(page);
		} else {
			spin_unlock(&pool->stale_lock);
		}
	}
	if (!page)
		page = alloc_page(gfp);

	if (!page)
		return -ENOMEM;

	zhdr = init_z3fold_page(page, bud == HEADLESS, pool, gfp);
	if (!zhdr) {
		__free_page(page);
		return -ENOMEM;
	}
	atomic64_inc(&pool->pages_nr);

	if (bud == HEADLESS) {
		set_bit(PAGE_HEADLESS, &page->private);
		goto headless;
	}
	/*
	 * port: v5.4 takes the page lock after making the page movable, so
	 * migration could isolate the empty page in between and this
	 * allocation then listed an isolated page that migration frees (the
	 * seed's race). Locked first, isolation waits until the page is
	 * listed. No deadlock with isolation's order (page lock_page(), then
	 * the z3fold lock): migration takes the z3fold lock only of a page
	 * already movable.
	 */
	z3fold_page_lock(zhdr);
	if (can_sleep) {
		lock_page(page);
		__SetPageMovable(page, pool->inode->i_mapping);
		unlock_page(page);
	} else {
		if (trylock_page(page)) {
			__SetPageMovable(page, pool->inode->i_mapping);
			unlock_page(page);
		}
	}

found:
	if (bud == FIRST)
		zhdr->first_chunks = chunks;
	else if (bud == LAST)
		zhdr->last_chunks = chunks;
	else {
		zhdr->middle_chunks = chunks;
		zhdr->start_middle = zhdr->first_chunks + ZHDR_CHUNKS;
	}
	add_to_unbuddied(pool, zhdr);

headless:
	spin_lock(&pool->lock);
	/* Add/move z3fold page to beginning of LRU */
	if (!list_empty(&page->lru))
		list_del(&page->lru);

	list_add(&page->lru, &pool->lru);

	*handle = encode_handle(zhdr, bud);
	spin_unlock(&pool->lock);
	if (bud != HEADLESS)
		z3fold_page_unlock(zhdr);

	return 0;
}

/**
 * z3fold_free() - frees the allocation associated with the given handle
 * @pool:	pool in which the allocation resided
 * @handle:	handle associated with the allocation returned by z3fold_alloc()
 *
 * In the case that the z3fold page in which the allocation resides is under
 * reclaim, as indicated by the PG_reclaim flag being set, this function
 * only sets the first|last_chunks to 0. The page is actually freed
 * once both buddies are evicted (see z3fold_reclaim_page() below).
 *
 * Locks: the slot lock and the page lock (get_z3fold_header), PAGE_CLAIMED
 * under it, and pool->lock inside it (a headless page: PAGE_CLAIMED alone).
 * The compaction of the page it leaves is queued on compact_wq.
 */
static void z3fold_free(struct z3fold_pool *pool, unsigned long handle)
{
	struct z3fold_header *zhdr;
	struct page *page;
	enum buddy bud;
	bool page_claimed;

	/*
	 * port: v5.4 tests PAGE_HEADLESS in the page the slot names, before
	 * any lock: a page migration may be moving or freeing. The handle
	 * says it as well (bit 0, see __encode_handle()), without a read.
	 */
	if (handle & (1 << PAGE_HEADLESS)) {
		zhdr = handle_to_z3fold_header(handle);
		page = virt_to_page(zhdr);
		/*
		 * port: mark a headless page's object gone before trying to
		 * claim the page, so that reclaim, if it holds the claim, frees
		 * the page when it lets go (v5.4 leaks the page if reclaim's
		 * evict failed meanwhile).
		 */
		set_bit(PAGE_STALE, &page->private);
		page_claimed = test_and_set_bit(PAGE_CLAIMED, &page->private);
		/* if a headless page is under reclaim, just leave.
		 * NB: we use test_and_set_bit for a reason: if the bit
		 * has not been set before, we release this page
		 * immediately so we don't care about its value any more.
		 */
		if (!page_claimed) {
			spin_lock(&pool->lock);
			list_del(&page->lru);
			spin_unlock(&pool->lock);
			free_z3fold_page(page, true);
			atomic64_dec(&pool->pages_nr);
		}
		return;
	}

	/*
	 * Non-headless case. port: v5.4 claims the page, then reads the handle
	 * again and locks; the page is found and locked through the slot lock
	 * (get_z3fold_header) and claimed under the page lock, as Linux 5.11
	 * orders it, so that the claim lands on the page the handle names.
	 */
	zhdr = get_z3fold_header(handle);
	page = virt_to_page(zhdr);
	page_claimed = test_and_set_bit(PAGE_CLAIMED, &page->private);
	bud = handle_to_buddy(handle);

	switch (bud) {
	case FIRST:
		zhdr->first_chunks = 0;
		break;
	case MIDDLE:
		zhdr->middle_chunks = 0;
		break;
	case LAST:
		zhdr->last_chunks = 0;
		break;
	default:
		pr_err("%s: unknown bud %d\n", __func__, bud);
		WARN_ON(1);
		z3fold_page_unlock(zhdr);
		return;
	}

	free_handle(handle);
	if (kref_put(&zhdr->refcount, release_z3fold_page_locked_list)) {
		atomic64_dec(&pool->pages_nr);
		return;
	}
	if (page_claimed) {
		/* the page has not been claimed by us */
		z3fold_page_unlock(zhdr);
		return;
	}
	if (unlikely(PageIsolated(page)) ||
	    test_and_set_bit(NEEDS_COMPACTING, &page->private)) {
		/* port: v5.4 unlocks first; the page may then be freed under clear_bit(). */
		clear_bit(PAGE_CLAIMED, &page->private);
		z3fold_page_unlock(zhdr);
		return;
	}
	if (zhdr->cpu < 0 || !cpu_online(zhdr->cpu)) {
		spin_lock(&pool->lock);
		list_del_init(&zhdr->buddy);
		spin_unlock(&pool->lock);
		zhdr->cpu = -1;
		kref_get(&zhdr->refcount);
		/*
		 * port: with claim_first, release the claim before compacting,
		 * the order Linux 5.5 adopted, so the page is compacted and
		 * offered to new objects again; the page is not touched after.
		 */
		if (pool->claim_first) {
			clear_bit(PAGE_CLAIMED, &page->private);
			do_compact_page(zhdr, true);
			return;
		}
		/*
		 * v5.4 runs do_compact_page() while this free still holds
		 * PAGE_CLAIMED, so it only takes the page off the lists: the
		 * page is neither compacted nor relisted (kept, as v5.4 does).
		 * port: v5.4 then clears PAGE_CLAIMED, unlocked, on a page that
		 * another free may have released meanwhile or, once the claim
		 * is gone, migration may have moved. An extra reference keeps
		 * the page, and the claim is released under the page lock
		 * before that reference is put, so neither can happen.
		 */
		kref_get(&zhdr->refcount);
		do_compact_page(zhdr, true);
		z3fold_page_lock(zhdr);
		clear_bit(PAGE_CLAIMED, &page->private);
		if (kref_put(&zhdr->refcount, release_z3fold_page_locked))
			atomic64_dec(&pool->pages_nr);
		else
			z3fold_page_unlock(zhdr);
		return;
	}
	kref_get(&zhdr->refcount);
	/* port: claim_first, as above; v5.4 queues first, racing the worker. */
	if (pool->claim_first)
		clear_bit(PAGE_CLAIMED, &page->private);
	queue_work_on(zhdr->cpu, pool->compact_wq, &zhdr->work);
	if (!pool->claim_first)
		clear_bit(PAGE_CLAIMED, &page->private);
	z3fold_page_unlock(zhdr);
}

/*
 * port: end reclaim's pin on a page's slots (called with the page lock held):
 * clear the slots of buddies freed during the evictions, and free the slots
 * if none is left, as free_handle() would have. No buddy can have been
 * allocated meanwhile: reclaim took the page off the unbuddied lists and
 * PAGE_CLAIMED keeps compaction and isolation away.
 */
static void settle_reclaimed_slots(struct z3fold_header *zhdr,
				   struct z3fold_buddy_slots *slots)
{
	bool is_free = true;
	int i;

	clear_bit(HANDLES_NOFREE, &slots->pool);
	for (i = 0; i <= BUDDY_MASK; i++) {
		unsigned long addr = READ_ONCE(slots->slot[i]);
		unsigned short chunks = 0;

		if (!addr)
			continue;
		switch ((enum buddy)((addr - zhdr->first_num) & BUDDY_MASK)) {
		case FIRST:
			chunks = zhdr->first_chunks;
			break;
		case MIDDLE:
			chunks = zhdr->middle_chunks;
			break;
		case LAST:
			chunks = zhdr->last_chunks;
			break;
		default:
			WARN_ON(1);
			break;
		}
		if (chunks) {
			is_free = false;
		} else {
			write_lock(&slots->lock);
			WRITE_ONCE(slots->slot[i], 0);
			write_unlock(&slots->lock);
		}
	}
	if (is_free)
		kmem_cache_free(slots_to_pool(slots)->c_handle, slots);
}

/**
 * z3fold_reclaim_page() - evicts allocations from a pool page and frees it
 * @pool:	pool from which a page will attempt to be evicted
 * @retries:	number of pages on the LRU list for which eviction will
 *		be attempted before failing
 *
 * z3fold reclaim is different from normal system reclaim in that it is done
 * from the bottom, up. This is because only the bottom layer, z3fold, has
 * information on how the allocations are organized within each z3fold page.
 * This has the potential to create interesting locking situations between
 * z3fold and the user, however.
 *
 * To avoid these, this is how z3fold_reclaim_page() should be called:
 *
 * The user detects a page should be reclaimed and calls z3fold_reclaim_page().
 * z3fold_reclaim_page() will remove a z3fold page from the pool LRU list and
 * call the user-defined eviction handler with the pool and handle as
 * arguments.
 *
 * If the handle can not be evicted, the eviction handler should return
 * non-zero. z3fold_reclaim_page() will add the z3fold page back to the
 * appropriate list and try the next z3fold page on the LRU up to
 * a user defined number of retries.
 *
 * If the handle is successfully evicted, the eviction handler should
 * return 0 _and_ should have called z3fold_free() on the handle. z3fold_free()
 * contains logic to delay freeing the page if the page is under reclaim,
 * as indicated by the setting of the PG_reclaim flag on the underlying page.
 *
 * If all buddies in the z3fold page are successfully evicted, then the
 * z3fold page can be freed.
 *
 * Locks: pool->lock while walking the LRU, PAGE_CLAIMED and a page
 * reference across the evict calls, which run with no z3fold lock held.
 *
 * Returns: 0 if page is successfully freed, otherwise -EINVAL if there are
 * no pages to evict or an eviction handler is not registered, -EAGAIN if
 * the retry limit was hit.
 */
static int z3fold_reclaim_page(struct z3fold_pool *pool, unsigned int retries)
{
	int i, ret = 0;
	struct z3fold_header *zhdr = NULL;
	struct page *page = NULL;
	struct list_head *pos;
	/* port: the page's own slots, pinned (v5.4: an on-stack copy); see below. */
	struct z3fold_buddy_slots *slots = NULL;
	unsigned long first_handle = 0, middle_handle = 0, last_handle = 0;

	spin_lock(&pool->lock);
	if (!pool->ops || !pool->ops->evict || retries == 0) {
		spin_unlock(&pool->lock);
		return -EINVAL;
	}
	for (i = 0; i < (int)retries; i++) {
		if (list_empty(&pool->lru)) {
			spin_unlock(&pool->lock);
			return -EINVAL;
		}
		/*
		 * port: v5.4 keeps the previous try's zhdr here, so a walk that
		 * finds no page (all claimed or isolated) would use page == NULL.
		 */
		zhdr = NULL;
		list_for_each_prev(pos, &pool->lru) {
			page = list_entry(pos, struct page, lru);

			/* this bit could have been set by free, in which case
			 * we pass over to the next page in the pool.
			 */
			if (test_and_set_bit(PAGE_CLAIMED, &page->private)) {
				page = NULL;
				continue;
			}

			if (unlikely(PageIsolated(page))) {
				clear_bit(PAGE_CLAIMED, &page->private);
				page = NULL;
				continue;
			}
			zhdr = page_address(page);
			if (test_bit(PAGE_HEADLESS, &page->private))
				break;

			if (!z3fold_page_trylock(zhdr)) {
				clear_bit(PAGE_CLAIMED, &page->private);
				zhdr = NULL;
				continue; /* can't evict at this point */
			}
			kref_get(&zhdr->refcount);
			list_del_init(&zhdr->buddy);
			zhdr->cpu = -1;
			break;
		}

		if (!zhdr)
			break;

		list_del_init(&page->lru);
		spin_unlock(&pool->lock);

		if (!test_bit(PAGE_HEADLESS, &page->private)) {
			/*
			 * We need encode the handles before unlocking, and
			 * use our local slots structure because z3fold_free
			 * can zero out zhdr->slots and we can't do much
			 * about that
			 *
			 * port: v5.4 encodes into an on-stack copy of the
			 * slots, so evict gets handles malloc never returned;
			 * the workbench's evict callbacks know objects by
			 * their handle, so we pass the page's own handles and
			 * instead pin its slots (HANDLES_NOFREE) until the
			 * evictions are done: a handle freed meanwhile still
			 * resolves to its page, as with the copy.
			 */
			first_handle = 0;
			last_handle = 0;
			middle_handle = 0;
			slots = NULL;
			if (zhdr->first_chunks || zhdr->middle_chunks ||
			    zhdr->last_chunks) {
				slots = zhdr->slots;
				set_bit(HANDLES_NOFREE, &slots->pool);
			}
			if (zhdr->first_chunks)
				first_handle = __encode_handle(zhdr, slots,
								FIRST);
			if (zhdr->middle_chunks)
				middle_handle = __encode_handle(zhdr, slots,
								MIDDLE);
			if (zhdr->last_chunks)
				last_handle = __encode_handle(zhdr, slots,
								LAST);
			/*
			 * it's safe to unlock here because we hold a
			 * reference to this page
			 */
			z3fold_page_unlock(zhdr);
		} else {
			first_handle = __encode_handle(zhdr, NULL, HEADLESS);
			last_handle = middle_handle = 0;
		}

		/* Issue the eviction callback(s) */
		if (middle_handle) {
			ret = pool->ops->evict(pool, middle_handle);
			if (ret)
				goto next;
		}
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
		if (test_bit(PAGE_HEADLESS, &page->private)) {
			if (ret == 0) {
				free_z3fold_page(page, true);
				atomic64_dec(&pool->pages_nr);
				return 0;
			}
			spin_lock(&pool->lock);
			list_add(&page->lru, &pool->lru);
			spin_unlock(&pool->lock);
			clear_bit(PAGE_CLAIMED, &page->private);
			/*
			 * port: the object was freed while we held the page
			 * (z3fold_free() marked it stale and left it to us):
			 * free the page unless another reclaim claimed it, in
			 * which case that one will.
			 */
			if (test_bit(PAGE_STALE, &page->private) &&
			    !test_and_set_bit(PAGE_CLAIMED, &page->private)) {
				spin_lock(&pool->lock);
				list_del(&page->lru);
				spin_unlock(&pool->lock);
				free_z3fold_page(page, true);
				atomic64_dec(&pool->pages_nr);
				return 0;
			}
		} else {
			z3fold_page_lock(zhdr);
			if (slots)
				settle_reclaimed_slots(zhdr, slots);
			if (kref_put(&zhdr->refcount,
					release_z3fold_page_locked)) {
				atomic64_dec(&pool->pages_nr);
				return 0;
			}
			/*
			 * if we are here, the page is still not completely
			 * free. Take the global pool lock then to be able
			 * to add it back to the lru list
			 */
			spin_lock(&pool->lock);
			list_add(&page->lru, &pool->lru);
			spin_unlock(&pool->lock);
			/* port: v5.4 unlocks first; the page may then be freed under clear_bit(). */
			clear_bit(PAGE_CLAIMED, &page->private);
			z3fold_page_unlock(zhdr);
		}

		/* We started off locked to we need to lock the pool back */
		spin_lock(&pool->lock);
	}
	spin_unlock(&pool->lock);
	return -EAGAIN;
}

/**
 * z3fold_map() - maps the allocation associated with the given handle
 * @pool:	pool in which the allocation resides
 * @handle:	handle associated with the allocation to be mapped
 *
 * Extracts the buddy number from handle and constructs the pointer to the
 * correct starting chunk within the page.
 *
 * Locks: the slot lock, briefly, to find and lock the page; the page lock,
 * only while it counts the mapping; the mapping itself holds no lock (a mapped middle buddy is pinned by MIDDLE_CHUNK_MAPPED,
 * a mapped page by mapped_count against migration).
 *
 * Returns: a pointer to the mapped allocation
 */
static void *z3fold_map(struct z3fold_pool *pool, unsigned long handle)
{
	struct z3fold_header *zhdr;
	struct page *page;
	char *addr;
	enum buddy buddy;

	/* port: found and locked through the slot lock (get_z3fold_header). */
	zhdr = get_z3fold_header(handle);
	addr = (char *)zhdr;
	page = virt_to_page(zhdr);

	if (test_bit(PAGE_HEADLESS, &page->private))
		return addr;

	buddy = handle_to_buddy(handle);
	switch (buddy) {
	case FIRST:
		addr += ZHDR_SIZE_ALIGNED;
		break;
	case MIDDLE:
		addr += zhdr->start_middle << CHUNK_SHIFT;
		set_bit(MIDDLE_CHUNK_MAPPED, &page->private);
		break;
	case LAST:
		addr += PAGE_SIZE - (handle_to_chunks(handle) << CHUNK_SHIFT);
		break;
	default:
		pr_err("unknown buddy id %d\n", buddy);
		WARN_ON(1);
		addr = NULL;
		break;
	}

	if (addr)
		zhdr->mapped_count++;
	z3fold_page_unlock(zhdr);
	return addr;
}

/**
 * z3fold_unmap() - unmaps the allocation associated with the given handle
 * @pool:	pool in which the allocation resides
 * @handle:	handle associated with the allocation to be unmapped
 */
static void z3fold_unmap(struct z3fold_pool *pool, unsigned long handle)
{
	struct z3fold_header *zhdr;
	struct page *page;
	enum buddy buddy;

	zhdr = get_z3fold_header(handle);	/* port: as in z3fold_map() */
	page = virt_to_page(zhdr);

	if (test_bit(PAGE_HEADLESS, &page->private))
		return;

	buddy = handle_to_buddy(handle);
	if (buddy == MIDDLE)
		clear_bit(MIDDLE_CHUNK_MAPPED, &page->private);
	zhdr->mapped_count--;
	z3fold_page_unlock(zhdr);
}

/**
 * z3fold_get_pool_size() - gets the z3fold pool size in pages
 * @pool:	pool whose size is being queried
 *
 * Returns: size in pages of the given pool.
 */
static u64 z3fold_get_pool_size(struct z3fold_pool *pool)
{
	return atomic64_read(&pool->pages_nr);
}

/* Called by migration with the page locked; takes the page lock and pool->lock. */
static bool z3fold_page_isolate(struct page *page, isolate_mode_t mode)
{
	struct z3fold_header *zhdr;
	struct z3fold_pool *pool;

	VM_BUG_ON_PAGE(!PageMovable(page), page);
	VM_BUG_ON_PAGE(PageIsolated(page), page);

	/*
	 * port: v5.4 only tests PAGE_CLAIMED. Between this function's return
	 * and the caller's __SetPageIsolated(), a free saw the page not
	 * isolated and queued its compaction, which then ran on the old page
	 * after migration freed it (the seed's own race). Isolation takes the
	 * claim instead, as Linux 5.11 does: a free then leaves the page alone,
	 * and reclaim passes it over; putback or migration releases it.
	 */
	if (test_bit(PAGE_HEADLESS, &page->private) ||
	    test_and_set_bit(PAGE_CLAIMED, &page->private))
		return false;

	zhdr = page_address(page);
	z3fold_page_lock(zhdr);
	if (test_bit(NEEDS_COMPACTING, &page->private) ||
	    test_bit(PAGE_STALE, &page->private))
		goto out;

	pool = zhdr_to_pool(zhdr);

	if (zhdr->mapped_count == 0) {
		kref_get(&zhdr->refcount);
		spin_lock(&pool->lock);
		/* port: v5.4 unlinks from the unbuddied list outside pool->lock, racing __z3fold_alloc. */
		if (!list_empty(&zhdr->buddy))
			list_del_init(&zhdr->buddy);
		if (!list_empty(&page->lru))
			list_del(&page->lru);
		spin_unlock(&pool->lock);
		z3fold_page_unlock(zhdr);
		return true;
	}
out:
	clear_bit(PAGE_CLAIMED, &page->private);
	z3fold_page_unlock(zhdr);
	return false;
}

/*
 * Called by migration with both pages locked and @page isolated. Moves the
 * header and buddies, re-points the handles at @newpage and queues its
 * compaction, which drops the reference isolation took.
 *
 * port: v5.4 lets a map or free that read a handle's slot just before it
 * is re-pointed use the old page. The port fences that with 5.5's slot lock
 * (get_z3fold_header) and by re-pointing the handles before the old page is
 * unlocked, so migration may run beside map and free, as kernel compaction
 * runs beside zswap (tests/test_migrate_threads.c).
 */
static int z3fold_page_migrate(struct address_space *mapping, struct page *newpage,
			       struct page *page, enum migrate_mode mode)
{
	struct z3fold_header *zhdr, *new_zhdr;
	struct z3fold_pool *pool;
	struct address_space *new_mapping;
	const size_t lock_at = offsetof(struct z3fold_header, page_lock), lock_end = lock_at + sizeof(spinlock_t);

	VM_BUG_ON_PAGE(!PageMovable(page), page);
	VM_BUG_ON_PAGE(!PageIsolated(page), page);
	VM_BUG_ON_PAGE(!PageLocked(newpage), newpage);

	zhdr = page_address(page);
	pool = zhdr_to_pool(zhdr);

	if (!z3fold_page_trylock(zhdr)) {
		return -EAGAIN;
	}
	if (zhdr->mapped_count != 0) {
		z3fold_page_unlock(zhdr);
		return -EBUSY;
	}
	if (work_pending(&zhdr->work)) {
		z3fold_page_unlock(zhdr);
		return -EAGAIN;
	}
	new_zhdr = page_address(newpage);
	/*
	 * port: the page is copied around its lock word, which is reset below:
	 * a map or free beside migration spins on that word (get_z3fold_header's
	 * trylock), and the kernel's whole-page memcpy reads it as they write it.
	 */
	memcpy(new_zhdr, zhdr, lock_at);
	memcpy((char *)new_zhdr + lock_end, (char *)zhdr + lock_end, PAGE_SIZE - lock_end);
	newpage->private = page->private;
	clear_bit(PAGE_CLAIMED, &newpage->private);	/* port: isolation's claim (see z3fold_page_isolate) */
	page->private = 0;
	spin_lock_init(&new_zhdr->page_lock);
	INIT_WORK(&new_zhdr->work, compact_page_work);
	/*
	 * z3fold_page_isolate() ensures that new_zhdr->buddy is empty,
	 * so we only have to reinitialize it.
	 */
	INIT_LIST_HEAD(&new_zhdr->buddy);
	/*
	 * port: v5.4 unlocks the old page first and re-points the handles
	 * afterwards, so a map or free in between works on the old page. The
	 * handles are re-pointed (under the slot lock) while the old page is
	 * still locked: get_z3fold_header() cannot take the old page's lock
	 * and rereads the slot until it names the new page.
	 */
	z3fold_page_lock(new_zhdr);
	if (new_zhdr->first_chunks)
		encode_handle(new_zhdr, FIRST);
	if (new_zhdr->last_chunks)
		encode_handle(new_zhdr, LAST);
	if (new_zhdr->middle_chunks)
		encode_handle(new_zhdr, MIDDLE);
	z3fold_page_unlock(zhdr);
	new_mapping = page_mapping(page);
	__ClearPageMovable(page);
	ClearPagePrivate(page);

	get_page(newpage);
	set_bit(NEEDS_COMPACTING, &newpage->private);
	new_zhdr->cpu = smp_processor_id();
	spin_lock(&pool->lock);
	list_add(&newpage->lru, &pool->lru);
	spin_unlock(&pool->lock);
	__SetPageMovable(newpage, new_mapping);
	z3fold_page_unlock(new_zhdr);

	queue_work_on(new_zhdr->cpu, pool->compact_wq, &new_zhdr->work);

	page_mapcount_reset(page);
	put_page(page);
	return 0;
}

/* Called by migration when isolation is undone; drops isolation's reference. */
static void z3fold_page_putback(struct page *page)
{
	struct z3fold_header *zhdr;
	struct z3fold_pool *pool;

	zhdr = page_address(page);
	pool = zhdr_to_pool(zhdr);

	z3fold_page_lock(zhdr);
	if (!list_empty(&zhdr->buddy))
		list_del_init(&zhdr->buddy);
	INIT_LIST_HEAD(&page->lru);
	if (kref_put(&zhdr->refcount, release_z3fold_page_locked)) {
		atomic64_dec(&pool->pages_nr);
		return;
	}
	spin_lock(&pool->lock);
	list_add(&page->lru, &pool->lru);
	spin_unlock(&pool->lock);
	clear_bit(PAGE_CLAIMED, &page->private);	/* port: isolation's claim */
	z3fold_page_unlock(zhdr);
}

static const struct address_space_operations z3fold_aops = {
	.isolate_page = z3fold_page_isolate,
	.migratepage = z3fold_page_migrate,
	.putback_page = z3fold_page_putback,
};

/*****************
 * zpool
 ****************/

static int z3fold_zpool_evict(struct z3fold_pool *pool, unsigned long handle)
{
	if (pool->zpool && pool->zpool_ops && pool->zpool_ops->evict)
		return pool->zpool_ops->evict(pool->zpool, handle);
	else
		return -ENOENT;
}

static const struct z3fold_ops z3fold_zpool_ops = {
	.evict = z3fold_zpool_evict
};

/*
 * port: the workbench's create also passes the parsed spec. Its options are
 * not v5.4's: claim_first=1 releases PAGE_CLAIMED before a freed page is
 * compacted, as Linux 5.5 does. v5.4 compacts while the free still holds
 * the claim, so a page that was once full is never compacted or relisted
 * until it empties; the option shows what that costs in density.
 * strict_first=1 takes Linux 5.11's get_free_buddy() bound for FIRST in
 * front of a middle buddy, where v5.4 overlaps it (see z3fold_alloc).
 */
static void *z3fold_zpool_create(const char *name, gfp_t gfp,
			       const struct zpool_ops *zpool_ops,
			       struct zpool *zpool, const struct zpb_spec *spec)
{
	struct z3fold_pool *pool;

	pool = z3fold_create_pool(name, gfp,
				zpool_ops ? &z3fold_zpool_ops : NULL);
	if (pool) {
		pool->zpool = zpool;
		pool->zpool_ops = zpool_ops;
		pool->claim_first = zpb_spec_get(spec, "claim_first");
		pool->strict_first = zpb_spec_get(spec, "strict_first");
	}
	return pool;
}

static void z3fold_zpool_destroy(void *pool)
{
	z3fold_destroy_pool(pool);
}

static int z3fold_zpool_malloc(void *pool, size_t size, gfp_t gfp,
			unsigned long *handle)
{
	return z3fold_alloc(pool, size, gfp, handle);
}
static void z3fold_zpool_free(void *pool, unsigned long handle)
{
	z3fold_free(pool, handle);
}

static int z3fold_zpool_shrink(void *pool, unsigned int pages,
			unsigned int *reclaimed)
{
	unsigned int total = 0;
	int ret = -EINVAL;

	while (total < pages) {
		ret = z3fold_reclaim_page(pool, 8);
		if (ret < 0)
			break;
		total++;
	}

	if (reclaimed)
		*reclaimed = total;

	return ret;
}

static void *z3fold_zpool_map(void *pool, unsigned long handle,
			enum zpool_mapmode mm)
{
	return z3fold_map(pool, handle);
}
static void z3fold_zpool_unmap(void *pool, unsigned long handle)
{
	z3fold_unmap(pool, handle);
}

static u64 z3fold_zpool_total_size(void *pool)
{
	return z3fold_get_pool_size(pool) * PAGE_SIZE;
}

/*
 * port: not static, so the registry can list it; SLEEP_MAPPED because
 * z3fold_map() returns with no lock held.
 */
static const struct zpb_option z3fold_options[] = {
	{ "claim_first", ZPB_OPT_BOOL, 0, 0, 1,
	  "release a freed page's claim before compacting it, as Linux 5.5 does (v5.4: 0)" },
	{ "strict_first", ZPB_OPT_BOOL, 0, 0, 1,
	  "put an object FIRST before a middle only if it fits, as Linux 5.11 does (v5.4: 0 overlaps by a chunk)",
	  ZPB_OPT_FIXES_SEED },
	{ NULL },
};

const struct zpool_driver z3fold_zpool_driver = {
	.type = "z3fold",
	.options = z3fold_options,
	.description = "three buddies per page at PAGE_SIZE/64-byte chunks, headless pages above 3904 bytes at 4K (Linux v5.4)",
	.caps = ZPB_CAP_EVICT | ZPB_CAP_MOVABLE | ZPB_CAP_SLEEP_MAPPED,
	.max_size = zpool_max_size_page,
	.create = z3fold_zpool_create,
	.destroy = z3fold_zpool_destroy,
	.malloc = z3fold_zpool_malloc,
	.free = z3fold_zpool_free,
	.shrink = z3fold_zpool_shrink,
	.map = z3fold_zpool_map,
	.unmap = z3fold_zpool_unmap,
	.total_size = z3fold_zpool_total_size,
};

/*
 * port: module_init/module_exit become a constructor and destructor (the
 * module is loaded for the life of the process); the registry's table
 * entry stands for zpool_register_driver().
 */
__attribute__((constructor)) static void init_z3fold(void)
{
	int ret;

	/* Make sure the z3fold header is not larger than the page size (the smallest) */
	BUILD_BUG_ON(Z3FOLD_KERNEL_HDR_SIZE > 1UL << PAGE_SHIFT_MIN);
	ret = z3fold_mount();
	BUG_ON(ret);
}

__attribute__((destructor)) static void exit_z3fold(void)
{
	z3fold_unmount();
}
