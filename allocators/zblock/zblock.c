// SPDX-License-Identifier: GPL-2.0-only
/*
 * zblock: a port of mm/zblock.c and mm/zblock.h, the latest C version in
 * the public vwool/linux-mm tree (Vitaly Wool, Igor Belousov, 2025; based
 * on Ananda Badmaev's 2022 zblock). Its tables, and v4's (mm-new, April
 * 2025) as table=v4.
 *
 * zblock keeps blocks of 1..8 pages, each divided into a whole number of
 * equal slots. A block type (one descriptor-table entry) fixes the slot
 * size, the slots per block and the pages per block; an object goes to the
 * first type whose slots are larger than it, and into any block of that
 * type with a free slot. A block's header sits at its start:
 *
 *	| header (48 B at 4K) | slot 0 | slot 1 | ... | slot n-1 | tail |
 *
 * A handle is the block's address with the slot number in its low
 * SLOT_BITS bits. Blocks of more than one page are vmalloc()ed (so slots
 * may cross page boundaries); single-page blocks come from the page
 * allocator unless vmalloc_small_blocks is set (off on x86, as here).
 *
 * Each block type has a block_list: a lock, the "active" list of blocks
 * with a free slot, and a count. There is no compaction, no reclaim (no
 * evict) and no migration: a block goes back only when its last object is
 * freed.
 *
 * Locking: block_list.lock protects a type's active list, its count and
 * every block's free_slots. Allocation finds the list's first block under
 * RCU, then reserves a slot (free_slots) under the lock, and claims a bit of
 * the slot bitmap with test_and_set_bit() after dropping it; free clears the
 * bit before taking the lock. Fully freed blocks are released after an RCU
 * grace period. map and unmap take no lock.
 *
 * Deliberate differences are marked "port:" with the reason. Where the
 * source can corrupt memory the port adds a guard, marked "port: guard",
 * that counts a PORT_GUARD() hit (zpool_get_diagnostics(): guards) and keeps the harness
 * safe; everything else, defects included, is as the source does it.
 */
#define pr_fmt(fmt) "zblock: " fmt

#include "../kernel/compat.h"
#include "../zpool.h"
#include "zblock.h"

/*****************
 * The descriptor tables (mm/zblock.h)
 *****************/

#define PAGE_SMALL_BLOCK	1

/* One table entry as the source writes it: SLOT_SIZE(nslots, pages), nslots, pages. */
struct zblock_entry {
	unsigned short nslots, pages;
};

/* The latest version's 4K table ("#if PAGE_SIZE == 0x1000"): { slots, pages }. */
static const struct zblock_entry latest_4k[] = {
	{ 28, 1 }, { 18, 1 }, { 12, 1 }, { 10, 1 }, { 17, 2 }, { 15, 2 }, { 13, 2 },
	{ 6, 1 }, { 11, 2 }, { 5, 1 }, { 19, 4 }, { 9, 2 }, { 17, 4 }, { 4, 1 },
	{ 23, 6 }, { 11, 3 }, { 7, 2 }, { 10, 3 }, { 19, 6 }, { 6, 2 }, { 14, 5 },
	{ 8, 3 }, { 5, 2 }, { 12, 5 }, { 9, 4 }, { 15, 7 }, { 2, 1 }, { 15, 8 },
	{ 9, 5 }, { 12, 7 }, { 13, 8 }, { 6, 4 }, { 11, 8 }, { 9, 7 }, { 6, 5 },
	{ 9, 8 }, { 4, 4 },
};

/* Its "#else" table: 16K pages (and, as the source builds it, any other size). */
static const struct zblock_entry latest_16k[] = {
	{ 185, 1 }, { 113, 1 }, { 86, 1 }, { 72, 1 }, { 58, 1 }, { 49, 1 }, { 42, 1 },
	{ 37, 1 }, { 33, 1 }, { 59, 2 }, { 27, 1 }, { 25, 1 }, { 23, 1 }, { 21, 1 },
	{ 39, 2 }, { 37, 2 }, { 35, 2 }, { 33, 2 }, { 31, 2 }, { 29, 2 }, { 27, 2 },
	{ 25, 2 }, { 12, 1 }, { 11, 1 }, { 21, 2 }, { 10, 1 }, { 19, 2 }, { 9, 1 },
	{ 17, 2 }, { 8, 1 }, { 15, 2 }, { 14, 2 }, { 27, 4 }, { 13, 2 }, { 25, 4 },
	{ 12, 2 }, { 23, 4 }, { 11, 2 }, { 21, 4 }, { 10, 2 }, { 19, 4 }, { 9, 2 },
	{ 17, 4 }, { 4, 1 }, { 23, 6 }, { 11, 3 }, { 7, 2 }, { 10, 3 }, { 16, 5 },
	{ 6, 2 }, { 11, 4 }, { 8, 3 }, { 5, 2 }, { 7, 3 }, { 11, 5 }, { 4, 2 },
	{ 9, 5 }, { 8, 5 }, { 3, 2 }, { 7, 6 }, { 4, 4 },
};

/*
 * v4's tables (SLOT_BITS 7 at 4K), written as v4 writes them with an order:
 * pages = 1 << order. Source: vwool/linux-mm mm/zblock.h at the version with
 * SLOT_BITS 7, which is the table the 2 May 2025 "use vmalloc for page
 * allocations" patch replaces in mm-new (docs/allocators.md says what was
 * and was not checked against the v4 mail itself).
 */
static const struct zblock_entry v4_4k[] = {
	{ 63, 1 }, { 32, 1 }, { 21, 1 }, { 15, 1 }, { 12, 1 }, { 10, 1 }, { 9, 1 },
	{ 8, 1 }, { 29, 4 }, { 13, 2 }, { 6, 1 }, { 11, 2 }, { 5, 1 }, { 9, 2 },
	{ 8, 2 }, { 29, 8 }, { 13, 4 }, { 12, 4 }, { 11, 4 }, { 10, 4 }, { 9, 4 },
	{ 17, 8 }, { 8, 4 }, { 15, 8 }, { 14, 8 }, { 13, 8 }, { 6, 4 }, { 11, 8 },
	{ 10, 8 }, { 9, 8 }, { 4, 4 },
};

static const struct zblock_entry v4_16k[] = {
	{ 255, 1 }, { 185, 1 }, { 145, 1 }, { 113, 1 }, { 92, 1 }, { 75, 1 }, { 60, 1 },
	{ 51, 1 }, { 43, 1 }, { 37, 1 }, { 32, 1 }, { 27, 1 }, { 23, 1 }, { 19, 1 },
	{ 17, 1 }, { 15, 1 }, { 13, 1 }, { 11, 1 }, { 10, 1 }, { 9, 1 }, { 8, 1 },
	{ 15, 2 }, { 14, 2 }, { 13, 2 }, { 12, 2 }, { 11, 2 }, { 10, 2 }, { 9, 2 },
	{ 8, 2 }, { 15, 4 }, { 14, 4 }, { 13, 4 }, { 12, 4 }, { 11, 4 }, { 10, 4 },
	{ 9, 4 }, { 8, 4 }, { 7, 4 }, { 6, 4 }, { 5, 4 },
};

/*
 * ZBLOCK_HEADER_SIZE, round_up(sizeof(struct zblock_block), sizeof(long)),
 * of each source's struct on x86-64, for a slot bitmap of 1 << slot_bits:
 *   latest: DECLARE_BITMAP(slot_info), list_head link, rcu_head rcu,
 *           unsigned short block_type, free_slots   (48 B at 4K, 72 B at 16K)
 *   v4:     list_head link, DECLARE_BITMAP(slot_info), u32 free_slots
 *                                                   (40 B at 4K, 56 B at 16K)
 */
static unsigned int source_header_size(enum zblock_table_version v, unsigned int slot_bits)
{
	unsigned int bitmap = BITS_TO_LONGS(1u << slot_bits) * sizeof(long);

	if (v == ZBLOCK_TABLE_V4)
		return round_up(sizeof(struct list_head) + bitmap + sizeof(u32), sizeof(long));
	return round_up(bitmap + sizeof(struct list_head) + 2 * sizeof(void *) +
			2 * sizeof(unsigned short), sizeof(long));
}

int zblock_table_init(struct zblock_table *t, unsigned long page_size,
		      enum zblock_table_version version)
{
	const struct zblock_entry *e;
	unsigned int i, n, page_shift;

	if (page_size != 4096 && page_size != 16384 && page_size != 65536)
		return -EINVAL;
	page_shift = __builtin_ctzl(page_size);
	memset(t, 0, sizeof(*t));
	t->page_size = page_size;
	t->version = version;
	/* SLOT_BITS: 6 (latest) or 7 (v4) at 4K; 8 at 16K and, with a #warning, above. */
	if (page_size == 4096)
		t->slot_bits = version == ZBLOCK_TABLE_V4 ? 7 : 6;
	else
		t->slot_bits = 8;
	t->header_size = source_header_size(version, t->slot_bits);
	if (version == ZBLOCK_TABLE_V4) {
		e = page_size == 4096 ? v4_4k : v4_16k;
		n = page_size == 4096 ? ARRAY_SIZE(v4_4k) : ARRAY_SIZE(v4_16k);
	} else {
		e = page_size == 4096 ? latest_4k : latest_16k;
		n = page_size == 4096 ? ARRAY_SIZE(latest_4k) : ARRAY_SIZE(latest_16k);
	}
	/* BUILD_BUG_ON(ARRAY_SIZE(block_desc) > MAX_TABLE_SIZE), and this struct's room. */
	if (n > (1u << (page_shift - t->slot_bits)) || n > ZBLOCK_MAX_TABLE_SIZE)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		struct block_desc *d = &t->desc[i];
		unsigned long data = page_size * e[i].pages - t->header_size;	/* BLOCK_DATA_SIZE */

		d->slot_size = round_down(data / e[i].nslots, sizeof(long));	/* SLOT_SIZE */
		d->slots_per_block = e[i].nslots;
		d->num_pages = e[i].pages;
		/* create_rbtree()'s check, then what the handle and the block can hold. */
		if ((i > 0 && d->slot_size <= t->desc[i - 1].slot_size) ||
		    e[i].nslots > (1u << t->slot_bits) || e[i].pages > ZPB_CONTIG_MAX)
			return -EINVAL;
	}
	t->nr = n;
	return 0;
}

/*
 * port: the source builds a red-black tree of [slot_size, next slot_size)
 * intervals at module init and walks it for every allocation. The intervals
 * are disjoint and sorted, so any search tree over them finds the same one:
 * here a binary search over the table does (the compat layer has no rbtree).
 * The last interval ends at PAGE_SIZE * 2, as the source's does.
 */
int zblock_table_lookup(const struct zblock_table *t, size_t size)
{
	unsigned int lo = 0, hi = t->nr;

	if (!size)
		return -EINVAL;
	if (size > t->desc[t->nr - 1].slot_size)
		return -ENOSPC;
	/* find basic block type with suitable slot size */
	if (size < t->desc[0].slot_size)
		return 0;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		size_t this_slot_size = t->desc[mid].slot_size;
		size_t next_slot_size = mid == t->nr - 1 ? t->page_size * 2 : t->desc[mid + 1].slot_size;

		if (size < this_slot_size)
			hi = mid;
		else if (size >= next_slot_size)
			lo = mid + 1;
		else
			return mid + 1;
	}
	return -EINVAL;	/* not reached: the intervals cover [slot_size[0], 2 * page) */
}

size_t zblock_table_max_size(const struct zblock_table *t)
{
	return t->desc[t->nr - 1].slot_size - 1;
}

/*****************
 * Structures
 *****************/

/**
 * struct zblock_block - block metadata, at the start of the block
 * @link: on its type's active list while it has a free slot
 * @block_type: its table entry
 * @free_slots: free slots, under the block list's lock
 * @slot_info: one bit per slot, set while the slot is taken
 *
 * port: the source's order is slot_info, link, rcu, block_type, free_slots,
 * with the bitmap sized by the compile-time SLOT_BITS. Here the bitmap comes
 * last so that one struct serves every table, and there is no rcu_head: the
 * compat layer's kvfree_rcu_mightsleep() needs none. Slot 0 still starts at
 * the source's ZBLOCK_HEADER_SIZE (zblock_table.header_size), which this
 * struct never exceeds (checked in zblock_create_pool), so every slot is
 * where the source puts it.
 */
struct zblock_block {
	struct list_head link;
	unsigned short block_type;
	unsigned short free_slots;
	unsigned long slot_info[];
};

/**
 * struct block_list - stores metadata of particular list
 * @lock: protects the list of blocks, @block_count and each block's free_slots
 * @active_list: linked list of active (non-full) blocks
 * @block_count: total number of blocks in the list
 */
struct block_list {
	spinlock_t lock;
	struct list_head active_list;
	unsigned long block_count;
};

/**
 * struct zblock_pool - stores metadata for each zblock pool
 * @block_lists: array of block lists, one per table entry
 * @block_header_cache: created and destroyed with the pool, and never
 *	allocated from, as in the source
 * @zpool: the zpool this pool backs
 * @vmalloc_small_blocks: the module parameter, per pool (spec option)
 * @table: port: the source's block_desc[], per pool, for its page size
 */
struct zblock_pool {
	struct block_list block_lists[ZBLOCK_MAX_TABLE_SIZE];
	struct kmem_cache *block_header_cache;
	struct zpool *zpool;
	bool vmalloc_small_blocks;
	struct zblock_table table;
};

#define SLOT_MASK(pool) ((1UL << (pool)->table.slot_bits) - 1)

/* port: the test hook of zblock.h (zblock_set_claim_hook). */
static void (*claim_hook)(void *arg);
static void *claim_hook_arg;

void zblock_set_claim_hook(void (*fn)(void *arg), void *arg)
{
	claim_hook_arg = arg;
	__atomic_store_n(&claim_hook, fn, __ATOMIC_RELEASE);
}

/*****************
 * Helpers
 *****************/

/* Encode handle of a particular slot in the pool using metadata */
static inline unsigned long metadata_to_handle(struct zblock_block *block, unsigned int slot)
{
	return (unsigned long)(block) | slot;
}

/* Return block, block type and slot in the pool corresponding to handle */
static inline struct zblock_block *handle_to_metadata(struct zblock_pool *pool,
						      unsigned long handle, unsigned int *slot)
{
	*slot = handle & SLOT_MASK(pool);
	return (struct zblock_block *)(handle & ~SLOT_MASK(pool));
}

/*
 * Find a block with at least one free slot and claim it.
 * We make sure that the first block, if exists, will always work.
 */
static inline struct zblock_block *find_and_claim_block(struct zblock_pool *pool,
							struct block_list *b,
							int block_type, unsigned long *handle)
{
	const struct block_desc *desc = &pool->table.desc[block_type];
	struct list_head *l = &b->active_list;
	unsigned int slot;
	struct zblock_block *z;

	rcu_read_lock();
retry_claim:
	z = list_first_or_null_rcu(l, typeof(*z), link);
	if (z) {
		void (*hook)(void *) = __atomic_load_n(&claim_hook, __ATOMIC_ACQUIRE);

		if (unlikely(hook))
			hook(claim_hook_arg);
		spin_lock(&b->lock);
		if (unlikely(!z->free_slots)) {
			spin_unlock(&b->lock);
			goto retry_claim;
		}
		/*
		 * port: guard. Between reading the list's first block and taking
		 * the lock, zblock_free() may have freed the block's last object:
		 * it is then off the list, free_slots == slots_per_block, and
		 * kvfree_rcu() will release it after this reader section. The
		 * source claims a slot in it anyway (a use after free for the
		 * caller); the port looks again instead.
		 */
		if (PORT_GUARD(z->free_slots == desc->slots_per_block)) {
			spin_unlock(&b->lock);
			goto retry_claim;
		}
		if (--z->free_slots == 0)
			list_bidir_del_rcu(&z->link);
		spin_unlock(&b->lock);
		/*
		 * There is a slot in the block and we just made sure it will
		 * remain.
		 * Find that slot and set the busy bit.
		 */
		for (slot = find_first_zero_bit(z->slot_info, desc->slots_per_block);
		     slot < desc->slots_per_block;
		     slot = find_next_zero_bit(z->slot_info, desc->slots_per_block, slot)) {
			if (!test_and_set_bit(slot, z->slot_info))
				break;
		}
		/*
		 * port: guard. The reservation above means a clear bit exists, so
		 * the search should not come back empty; if it does, the source
		 * returns a handle to slot slots_per_block, past the block. The
		 * port WARNs, as v4 did, and allocates from a new block instead
		 * (the reservation is lost: that block is never freed).
		 */
		if (WARN_ON(slot >= desc->slots_per_block))
			z = NULL;
		else
			*handle = metadata_to_handle(z, slot);
	}
	rcu_read_unlock();
	return z;
}

/*
 * allocate new block and add it to corresponding block list
 */
static struct zblock_block *alloc_block(struct zblock_pool *pool,
					int block_type, gfp_t gfp,
					unsigned long *handle,
					unsigned int nid)
{
	struct block_list *block_list = &pool->block_lists[block_type];
	const struct block_desc *desc = &pool->table.desc[block_type];
	unsigned int num_pages = desc->num_pages;
	struct zblock_block *block = NULL;
	struct page *page;

	if (!pool->vmalloc_small_blocks && num_pages == 1) {
		/* port: __alloc_pages(gfp & ~__GFP_HIGHMEM, 0, nid, NULL) */
		page = alloc_page(gfp & ~__GFP_HIGHMEM);
		if (page) {
			page->private = PAGE_SMALL_BLOCK;
			block = page_address(page);
		}
	}
	if (!block) {
		block = __vmalloc_node(PAGE_SIZE * num_pages, PAGE_SIZE, gfp, nid, NULL);
		if (!block)
			return NULL;
		page = vmalloc_to_page(block);
		page->private = 0;
	}

	/* init block data (port: no rcu_head to init_rcu_head()) */
	block->block_type = block_type;
	block->free_slots = desc->slots_per_block - 1;
	memset(block->slot_info, 0, BITS_TO_LONGS(1u << pool->table.slot_bits) * sizeof(long));
	set_bit(0, block->slot_info);
	*handle = metadata_to_handle(block, 0);

	spin_lock(&block_list->lock);
	list_add_rcu(&block->link, &block_list->active_list);
	WRITE_ONCE(block_list->block_count, block_list->block_count + 1);
	spin_unlock(&block_list->lock);
	return block;
}

/*
 * port: zblock_blocks_show(), the debugfs file "blocks" (per type: blocks,
 * pages per block, pages), is left out: there is no debugfs. The same
 * figures are the table (zblock.h) and each list's block_count.
 */

/*****************
 * API Functions
 *****************/
/**
 * zblock_create_pool() - create a new zblock pool
 * @gfp:	gfp flags when allocating the zblock pool structure
 * @table:	port: the version of the descriptor table
 * @vmalloc_small_blocks: port: the module parameter, per pool
 *
 * Return: pointer to the new zblock pool or NULL if the metadata allocation
 * failed.
 */
static struct zblock_pool *zblock_create_pool(gfp_t gfp, enum zblock_table_version table,
					      bool vmalloc_small_blocks)
{
	struct zblock_pool *pool = kmalloc(sizeof(struct zblock_pool), gfp);
	unsigned int i;

	if (!pool)
		return NULL;
	/*
	 * port: the kernel's create_rbtree() checks its one table at module
	 * init; here each pool computes its page size's table.
	 */
	if (zblock_table_init(&pool->table, PAGE_SIZE, table)) {
		pr_err("%s: no valid block descriptor table for %lu-byte pages\n", __func__, PAGE_SIZE);
		goto out;
	}
	/* port: the header must fit where the source's ends (see struct zblock_block). */
	if (WARN_ON(sizeof(struct zblock_block) +
		    BITS_TO_LONGS(1u << pool->table.slot_bits) * sizeof(long) >
		    pool->table.header_size))
		goto out;
	pool->vmalloc_small_blocks = vmalloc_small_blocks;

	/* init each block list */
	for (i = 0; i < pool->table.nr; i++) {
		struct block_list *block_list = &pool->block_lists[i];

		spin_lock_init(&block_list->lock);
		INIT_LIST_HEAD(&block_list->active_list);
		block_list->block_count = 0;
	}

	pool->block_header_cache = kmem_cache_create("zblock",
						     sizeof(struct zblock_block),
						     (1 << pool->table.slot_bits), 0, NULL);
	if (!pool->block_header_cache)
		goto out;

	return pool;

out:
	kfree(pool);
	return NULL;
}

/**
 * zblock_destroy_pool() - destroys an existing zblock pool
 * @pool:	the zblock pool to be destroyed
 *
 */
static void zblock_destroy_pool(struct zblock_pool *pool)
{
	kmem_cache_destroy(pool->block_header_cache);
	kfree(pool);
}

/**
 * zblock_alloc() - allocates a slot of appropriate size
 * @pool:	zblock pool from which to allocate
 * @size:	size in bytes of the desired allocation
 * @gfp:	gfp flags used if the pool needs to grow
 * @handle:	handle of the new allocation
 * @nid:	NUMA node (port: the page arena takes the caller's)
 *
 * Return: 0 if success and handle is set, otherwise -EINVAL if the size or
 * gfp arguments are invalid or -ENOMEM if the pool was unable to allocate
 * a new slot.
 */
static int zblock_alloc(struct zblock_pool *pool, size_t size, gfp_t gfp,
			unsigned long *handle, unsigned int nid)
{
	int block_type;
	struct zblock_block *block;
	struct block_list *block_list;

	/* !size is -EINVAL, above the last slot size -ENOSPC; then the search. */
	block_type = zblock_table_lookup(&pool->table, size);
	if (block_type == -ENOSPC || block_type == -EINVAL)
		return block_type;
	if (WARN_ON(block_type < 0))
		return -EINVAL;
	/*
	 * port: guard. A size equal to the last slot size passes the source's
	 * "size > last slot_size" test and its search yields the type after the
	 * last one: the source then indexes block_lists[] past its end. v4 had
	 * "if (block_type >= ARRAY_SIZE(block_desc)) return -ENOSPC;" here; the
	 * port restores it, counted as a guard.
	 */
	if (PORT_GUARD((unsigned int)block_type >= pool->table.nr))
		return -ENOSPC;

	block_list = &pool->block_lists[block_type];

	block = find_and_claim_block(pool, block_list, block_type, handle);
	if (block)
		return 0;

	/* not found block with free slots try to allocate new empty block */
	block = alloc_block(pool, block_type, gfp, handle, nid);
	return block ? 0 : -ENOMEM;
}

/**
 * zblock_free() - frees the allocation associated with the given handle
 * @pool:	pool in which the allocation resided
 * @handle:	handle associated with the allocation returned by zblock_alloc()
 *
 */
static void zblock_free(struct zblock_pool *pool, unsigned long handle)
{
	unsigned int slot, block_type;
	struct zblock_block *block;
	struct block_list *block_list;

	block = handle_to_metadata(pool, handle, &slot);
	block_type = block->block_type;
	block_list = &pool->block_lists[block_type];

	/*
	 * clear bit early, this will shorten the search
	 *
	 * port: clear_bit_unlock(), a release, where the source has clear_bit(),
	 * which orders nothing: an allocator may claim the bit (test_and_set_bit)
	 * without taking the list lock after this free, so on a weakly ordered
	 * CPU the caller's last reads of the object could still be in flight
	 * when the next owner writes it. (ThreadSanitizer reports exactly that
	 * race in test_stress with the source's clear_bit.)
	 */
	clear_bit_unlock(slot, block->slot_info);

	spin_lock(&block_list->lock);
	/* if all slots in block are empty delete the whole block */
	if (++block->free_slots == pool->table.desc[block_type].slots_per_block) {
		WRITE_ONCE(block_list->block_count, block_list->block_count - 1);
		list_bidir_del_rcu(&block->link);
		spin_unlock(&block_list->lock);
		/* port: kvfree_rcu(block, rcu); the headless form waits here instead */
		kvfree_rcu_mightsleep(block);
		return;
	} else if (block->free_slots == 1)
		list_add_tail_rcu(&block->link, &block_list->active_list);
	spin_unlock(&block_list->lock);
}

/**
 * zblock_map() - maps the allocation associated with the given handle
 * @pool:	pool in which the allocation resides
 * @handle:	handle associated with the allocation to be mapped
 *
 *
 * Returns: a pointer to the mapped allocation
 */
static void *zblock_map(struct zblock_pool *pool, unsigned long handle)
{
	unsigned int slot;
	struct zblock_block *block = handle_to_metadata(pool, handle, &slot);
	unsigned long offs = pool->table.header_size +
			     slot * pool->table.desc[block->block_type].slot_size;

	return (void *)block + offs;
}

/**
 * zblock_unmap() - unmaps the allocation associated with the given handle
 * @pool:	pool in which the allocation resides
 * @handle:	handle associated with the allocation to be unmapped
 */
static void zblock_unmap(struct zblock_pool *pool, unsigned long handle)
{
	(void)pool, (void)handle;
}

/*
 * port: zblock_write() (zpool's obj_write: memcpy to zblock_map()'s address)
 * is left out: the workbench writes through a ZPOOL_MM_WO mapping, which is
 * the same address.
 */

/**
 * zblock_get_total_pages() - gets the zblock pool size in pages
 * @pool:	pool being queried
 *
 * Returns: size in pages of the given pool. Reads the counts without the
 * locks, as the source does.
 */
static u64 zblock_get_total_pages(struct zblock_pool *pool)
{
	u64 total_size;
	unsigned int i;

	total_size = 0;
	for (i = 0; i < pool->table.nr; i++)
		total_size += READ_ONCE(pool->block_lists[i].block_count) *
			      pool->table.desc[i].num_pages;

	return total_size;
}

/*****************
 * zpool
 ****************/

static const char *const zblock_table_names[] = { "latest", "v4", NULL };

static const struct zpb_option zblock_options[] = {
	{ "table", ZPB_OPT_ENUM, ZBLOCK_TABLE_LATEST, 0, 0,
	  "descriptor table: the latest C version's, or v4's (April 2025, the published figures)",
	  .names = zblock_table_names },
	{ "vmalloc_small", ZPB_OPT_BOOL, 0, 0, 1,
	  "vmalloc single-page blocks too (module parameter vmalloc_small_blocks; 0 on x86)" },
	{ NULL },
};

/* port: the workbench's create also passes the ops (zblock has no evict) and the spec. */
static void *zblock_zpool_create(const char *name, gfp_t gfp, const struct zpool_ops *ops,
				 struct zpool *zpool, const struct zpb_spec *spec)
{
	struct zblock_pool *pool;

	(void)name, (void)ops;
	pool = zblock_create_pool(gfp, zpb_spec_get(spec, "table"),
				  zpb_spec_get(spec, "vmalloc_small"));
	if (pool)
		pool->zpool = zpool;
	return pool;
}

static void zblock_zpool_destroy(void *pool)
{
	zblock_destroy_pool(pool);
}

static int zblock_zpool_malloc(void *pool, size_t size, gfp_t gfp, unsigned long *handle)
{
	return zblock_alloc(pool, size, gfp, handle, NUMA_NO_NODE);
}

static void zblock_zpool_free(void *pool, unsigned long handle)
{
	zblock_free(pool, handle);
}

/* port: zpool's obj_read_begin/obj_write/obj_read_end become map/unmap. */
static void *zblock_zpool_map(void *pool, unsigned long handle, enum zpool_mapmode mm)
{
	(void)mm;
	return zblock_map(pool, handle);
}

static void zblock_zpool_unmap(void *pool, unsigned long handle)
{
	zblock_unmap(pool, handle);
}

/* port: the vtable reports bytes; the source's total_pages, times PAGE_SIZE. */
static u64 zblock_zpool_total_size(void *pool)
{
	return zblock_get_total_pages(pool) << PAGE_SHIFT;
}

/*
 * port: not static, so the registry can list it. No evict, compact or
 * movable: the source has none. SPANNING because a slot of a multi-page
 * block may cross a page boundary; SLEEP_MAPPED because zblock_map() takes
 * no lock. max_size: the page size's tables' last slot size less one, the
 * largest size the source stores (see zblock_alloc): 4079 at 4K, both
 * versions; see zblock_max_size() for the others.
 */
/*
 * The largest size @spec's table stores at the page size in force: 4079 at
 * 4K (both tables); at 16K 16359 (latest) and 13095 (v4); at 64K 65511
 * and 52415 (neither source has a 64K table: both build their 16K one).
 */
static size_t zblock_max_size(const struct zpb_spec *spec)
{
	struct zblock_table t;

	if (zblock_table_init(&t, PAGE_SIZE, spec ? zpb_spec_get(spec, "table") : ZBLOCK_TABLE_LATEST))
		return 0;
	return zblock_table_max_size(&t);
}

const struct zpool_driver zblock_zpool_driver = {
	.type = "zblock",
	.description = "whole slots in blocks of 1-8 pages, no compaction, reclaim or migration (vwool/linux-mm 2025)",
	.caps = ZPB_CAP_SPANNING | ZPB_CAP_SLEEP_MAPPED,
	.options = zblock_options,
	.max_size = zblock_max_size,
	.create = zblock_zpool_create,
	.destroy = zblock_zpool_destroy,
	.malloc = zblock_zpool_malloc,
	.free = zblock_zpool_free,
	.shrink = NULL,
	.map = zblock_zpool_map,
	.unmap = zblock_zpool_unmap,
	.total_size = zblock_zpool_total_size,
	.compact = NULL,
};
