/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zsmalloc port: the structures and small helpers shared by its files.
 *
 * Follows Linux 6.18's mm/zsmalloc.c (the kernel this machine runs): size
 * classes with a configurable chain size, twelve ZS_INUSE_RATIO_* fullness
 * groups, class->lock + pool->lock (rwlock) + the preemptible zspage lock,
 * compaction and movable_operations page migration. Two deliberate
 * differences, both without effect on placement:
 *  - component pages are described with struct page fields as in 6.12
 *    (page->private = zspage, page->index = next page or the huge handle,
 *    page->page_type = first object offset) because the compat layer has
 *    struct page, not zpdesc;
 *  - objects are accessed with 6.15's zs_map_object()/zs_unmap_object()
 *    (per-CPU copy buffer under local_lock), because the zpool vtable maps
 *    and unmaps; 6.16+ zs_obj_read_begin()/zs_obj_write() place nothing
 *    differently.
 * The chain size is a per-pool option here rather than a Kconfig constant,
 * and so are the size-class delta and the chain-growth rule (the tunings of
 * Sergey Senozhatsky's RFC of 1 January 2026, "size-classes chain-length
 * tunings"), so everything that depends on them lives in struct zs_pool.
 *
 * Lock ordering (as the kernel): page lock, pool->lock, class->lock,
 * zspage lock.
 */
#ifndef ZPB_ZSMALLOC_INTERNAL_H
#define ZPB_ZSMALLOC_INTERNAL_H

#include "../kernel/compat.h"
#include "../zpool.h"
#include "../zsmalloc.h"

#define ZSPAGE_MAGIC 0x58

/*
 * Power of 2 and >= sizeof(struct link_free), so a free object's link never
 * spans two pages.
 */
#define ZS_ALIGN 8
#define ZS_HANDLE_SIZE (sizeof(unsigned long))

/*
 * x86-64: MAX_POSSIBLE_PHYSMEM_BITS is 52 (five-level paging), so an object
 * value is <PFN:40, obj_idx:24> at 4K. port: the split stays that at every
 * page size. The kernel's widens the index with the page (<38, 26> at 16K,
 * <36, 28> at 64K, arm64 with 52-bit PAs); no placement depends on it, 24
 * bits hold any object index (16 pages of 64K in 32-byte objects: 32768),
 * and the arena's PFNs fit 40 bits. A constant keeps the shift of every
 * handle decode an immediate.
 */
#define MAX_POSSIBLE_PHYSMEM_BITS 52
#define _PFN_BITS (MAX_POSSIBLE_PHYSMEM_BITS - PAGE_SHIFT_MIN)
#define OBJ_INDEX_BITS (BITS_PER_LONG - _PFN_BITS)
#define OBJ_INDEX_MASK ((1UL << OBJ_INDEX_BITS) - 1)

/* An allocated object's header holds its handle with this tag bit set. */
#define OBJ_ALLOCATED_TAG 1UL
#define OBJ_TAG_BITS 1
#define OBJ_TAG_MASK OBJ_ALLOCATED_TAG

#define HUGE_BITS 1
#define FULLNESS_BITS 4
#define CLASS_BITS 8
#define MAGIC_VAL_BITS 8

/* CONFIG_ZSMALLOC_CHAIN_SIZE: Kconfig's default and range. */
#define ZS_DEFAULT_CHAIN_SIZE 8
#define ZS_MIN_CHAIN_SIZE 4
#define ZS_MAX_CHAIN_SIZE 16

/*
 * ZS_MIN_ALLOC_SIZE is MAX(32, chain << PAGE_SHIFT >> OBJ_INDEX_BITS); with
 * the kernel's OBJ_INDEX_BITS, 12 + PAGE_SHIFT, the second term is chain >>
 * 12, 0 for every allowed chain and page size, so it is 32 (asserted in
 * classes.c); with the port's 24 it is at most 16 << 16 >> 24 = 4, so 32.
 */
#define ZS_MIN_ALLOC_SIZE 32
#define ZS_MAX_ALLOC_SIZE PAGE_SIZE
/*
 * 6.18's delta and class count, at the page size in force: 16 and 255 at
 * 4K, 64 and 257 at 16K, 256 and 257 at 64K. port: a pool's delta is its
 * own (pool->tuning.delta, ZPB_ZS_MIN_DELTA at least), and so is its count,
 * pool->nr_size_classes = DIV_ROUND_UP(ZS_MAX_ALLOC_SIZE -
 * ZS_MIN_ALLOC_SIZE, delta) + 1, the kernel's formula with the pool's
 * delta; the class array is sized by it at pool creation.
 */
#define ZS_SIZE_CLASS_DELTA (PAGE_SIZE >> CLASS_BITS)
#define ZS_SIZE_CLASSES ((int)(DIV_ROUND_UP(ZS_MAX_ALLOC_SIZE - ZS_MIN_ALLOC_SIZE, \
					    ZS_SIZE_CLASS_DELTA) + 1))
/*
 * port: the zspage's class index field. The kernel's is CLASS_BITS + 1
 * bits (257 classes at 16K and 64K need the ninth); a delta below the
 * page's own (the RFC's 16 at 16K: 1023 classes, at 64K: 4095) needs more,
 * so it is wide enough for the most classes of any page size and delta.
 * It shares a word with huge and magic, as in the kernel; no placement
 * depends on its width.
 */
#define ZS_CLASS_INDEX_BITS 12

/*
 * Fullness groups by the ratio of in-use objects: RATIO_10 holds zspages
 * with > 0% and <= 10% in use, ..., RATIO_99 > 90% and < 100%.
 */
enum fullness_group {
	ZS_INUSE_RATIO_0,
	ZS_INUSE_RATIO_10,
	/* 8 more fullness groups here */
	ZS_INUSE_RATIO_99 = 10,
	ZS_INUSE_RATIO_100,
	NR_FULLNESS_GROUPS,
};

enum class_stat_type {
	/* stats for the 12 fullness groups come first */
	ZS_OBJS_ALLOCATED = NR_FULLNESS_GROUPS,
	ZS_OBJS_INUSE,
	NR_CLASS_STAT_TYPES,
};

struct zs_size_stat {
	unsigned long objs[NR_CLASS_STAT_TYPES];
};

struct size_class {
	spinlock_t lock;
	struct list_head fullness_list[NR_FULLNESS_GROUPS];
	int size;		/* a multiple of ZS_ALIGN */
	int objs_per_zspage;
	int pages_per_zspage;
	unsigned int index;
	struct zs_size_stat stats;
};

/* In a free object: the next free index; in an allocated one: its handle. */
struct link_free {
	union {
		unsigned long next;
		unsigned long handle;
	};
};

enum zs_mapmode {
	ZS_MM_RW,
	ZS_MM_RO,
	ZS_MM_WO,
};

/* The per-CPU area for objects that span two pages. */
struct mapping_area {
	local_lock_t lock;	/* first: local_lock() takes the per-CPU base pointer */
	char *vm_buf;		/* copy buffer, ZS_MAX_ALLOC_SIZE bytes */
	char *vm_addr;		/* the mapped page, when the object fits in one */
	enum zs_mapmode vm_mm;
};

struct zs_pool_stats {
	atomic_long_t pages_compacted;
};

struct zs_pool {
	const char *name;

	struct kmem_cache *handle_cachep;
	struct kmem_cache *zspage_cachep;

	atomic_long_t pages_allocated;
	struct zs_pool_stats stats;

	/*
	 * What CONFIG_ZSMALLOC_CHAIN_SIZE, ZS_SIZE_CLASS_DELTA, the chain rule
	 * and the static huge_class_size are in the kernel.
	 */
	struct zpb_zs_tuning tuning;
	int nr_size_classes;
	size_t huge_class_size;

	/* zs_map_area: per pool rather than global, so a pool frees what it made. */
	struct mapping_area *map_area;

	struct work_struct free_work;
	/* protects zspage migration/compaction */
	rwlock_t lock;
	atomic_t compaction_in_progress;

	/*
	 * port: last, sized by nr_size_classes at creation (the kernel's is
	 * ZS_SIZE_CLASSES, a constant): one array, no indirection, as there.
	 */
	struct size_class *size_class[];
};

#define ZS_PAGE_UNLOCKED 0
#define ZS_PAGE_WRLOCKED -1

/*
 * The zspage lock: readers (map) may hold it across an operation and are
 * only blocked by writers; writers (migration, compaction) only trylock and
 * hold zsl->lock itself for their duration.
 */
struct zspage_lock {
	spinlock_t lock;
	int cnt;
};

struct zspage {
	/* Set before the zspage is published; read without class->lock. */
	struct {
		unsigned int huge:HUGE_BITS;
		unsigned int class:ZS_CLASS_INDEX_BITS;
		unsigned int magic:MAGIC_VAL_BITS;
	};
	/*
	 * The kernel packs fullness (FULLNESS_BITS) into the word above; it
	 * changes under class->lock while map and free read class and magic
	 * unlocked, a read-modify-write of a shared word that ThreadSanitizer
	 * rightly reports, so here it has a word of its own.
	 */
	unsigned int fullness;
	unsigned int inuse;
	unsigned int freeobj;
	struct page *first_page;
	struct list_head list;	/* fullness list */
	struct zs_pool *pool;
	struct zspage_lock zsl;
};

/* Shared between the port's files (zsmalloc.c, compact.c, classes.c). */
extern const struct movable_operations zsmalloc_mops;

bool zs_tuning_valid(const struct zpb_zs_tuning *t);
struct zpb_zs_tuning zs_tuning_resolve(const struct zpb_zs_tuning *t);
int zs_nr_size_classes(const struct zpb_zs_tuning *t);
int zs_calculate_zspage_chain_size(int class_size, const struct zpb_zs_tuning *t);
void zs_class_geometry(const struct zpb_zs_tuning *t, int i, int *size, int *pages_per_zspage,
		       int *objs_per_zspage);
int zs_get_size_class_index(const struct zpb_zs_tuning *t, int size);

/*
 * The kernel's get_size_class_index() for a delta (a power of two) and a
 * class count: zs_malloc() passes its pool's, cached at creation, so the
 * lookup on every allocation reads no page size.
 */
static inline int zs_class_index(int size, unsigned int delta, int nr_size_classes)
{
	int idx = 0;

	if (likely(size > ZS_MIN_ALLOC_SIZE))
		idx = (size - ZS_MIN_ALLOC_SIZE + (int)delta - 1) >> __builtin_ctz(delta);

	return min_t(int, nr_size_classes - 1, idx);
}
size_t zs_calc_huge_class_size(const struct zpb_zs_tuning *t);

struct zs_pool *zs_create_pool(const char *name, const struct zpb_zs_tuning *t);
void zs_destroy_pool(struct zs_pool *pool);
unsigned long zs_malloc(struct zs_pool *pool, size_t size, gfp_t gfp);
void zs_free(struct zs_pool *pool, unsigned long handle);
void *zs_map_object(struct zs_pool *pool, unsigned long handle, enum zs_mapmode mm);
void zs_unmap_object(struct zs_pool *pool, unsigned long handle);
unsigned long zs_get_total_pages(struct zs_pool *pool);
unsigned long zs_compact(struct zs_pool *pool);
size_t zs_huge_class_size(struct zs_pool *pool);

/* zsmalloc.c internals that compaction and migration use. */
void zspage_read_lock(struct zspage *zspage);
void zspage_read_unlock(struct zspage *zspage);
bool zspage_write_trylock(struct zspage *zspage);
void zspage_write_unlock(struct zspage *zspage);
int get_fullness_group(struct size_class *class, struct zspage *zspage);
void insert_zspage(struct size_class *class, struct zspage *zspage, int fullness);
void remove_zspage(struct size_class *class, struct zspage *zspage);
void create_page_chain(struct size_class *class, struct zspage *zspage, struct page *pages[]);
unsigned long obj_malloc(struct zs_pool *pool, struct zspage *zspage, unsigned long handle);
void obj_free(int class_size, unsigned long obj);
bool obj_allocated(struct page *page, void *obj, unsigned long *phandle);
void free_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage);
void __free_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage);
void reset_page(struct page *page);
void kick_deferred_free(struct zs_pool *pool);
void init_deferred_free(struct zs_pool *pool);
void zs_flush_migration(struct zs_pool *pool);
void SetZsPageMovable(struct zs_pool *pool, struct zspage *zspage);
unsigned long zs_can_compact(struct size_class *class);

static inline bool ZsHugePage(struct zspage *zspage)
{
	return zspage->huge;
}

/* Only written once: replace_sub_page() rebuilds the chain of a published zspage. */
static inline void SetZsHugePage(struct zspage *zspage)
{
	if (!zspage->huge)
		zspage->huge = 1;
}

static inline bool is_first_page(struct page *page)
{
	return PagePrivate(page);
}

static inline int get_zspage_inuse(struct zspage *zspage)
{
	return zspage->inuse;
}

static inline void mod_zspage_inuse(struct zspage *zspage, int val)
{
	zspage->inuse += val;
}

static inline struct page *get_first_page(struct zspage *zspage)
{
	struct page *first_page = zspage->first_page;

	VM_BUG_ON_PAGE(!is_first_page(first_page), first_page);
	return first_page;
}

static inline unsigned int get_first_obj_offset(struct page *page)
{
	return page->page_type;
}

static inline void set_first_obj_offset(struct page *page, unsigned int offset)
{
	page->page_type = offset;
}

static inline unsigned int get_freeobj(struct zspage *zspage)
{
	return zspage->freeobj;
}

static inline void set_freeobj(struct zspage *zspage, unsigned int obj)
{
	zspage->freeobj = obj;
}

static inline struct size_class *zspage_class(struct zs_pool *pool, struct zspage *zspage)
{
	return pool->size_class[zspage->class];
}

static inline void class_stat_add(struct size_class *class, int type, unsigned long cnt)
{
	class->stats.objs[type] += cnt;
}

static inline void class_stat_sub(struct size_class *class, int type, unsigned long cnt)
{
	class->stats.objs[type] -= cnt;
}

static inline unsigned long class_stat_read(struct size_class *class, int type)
{
	return class->stats.objs[type];
}

static inline struct zspage *get_zspage(struct page *page)
{
	struct zspage *zspage = (struct zspage *)page_private(page);

	BUG_ON(zspage->magic != ZSPAGE_MAGIC);
	return zspage;
}

static inline struct page *get_next_page(struct page *page)
{
	struct zspage *zspage = get_zspage(page);

	if (unlikely(ZsHugePage(zspage)))
		return NULL;
	return (struct page *)page->index;
}

static inline void obj_to_location(unsigned long obj, struct page **page, unsigned int *obj_idx)
{
	*page = pfn_to_page(obj >> OBJ_INDEX_BITS);
	*obj_idx = (obj & OBJ_INDEX_MASK);
}

static inline void obj_to_page(unsigned long obj, struct page **page)
{
	*page = pfn_to_page(obj >> OBJ_INDEX_BITS);
}

static inline unsigned long location_to_obj(struct page *page, unsigned int obj_idx)
{
	return (page_to_pfn(page) << OBJ_INDEX_BITS) | (obj_idx & OBJ_INDEX_MASK);
}

static inline unsigned long handle_to_obj(unsigned long handle)
{
	return READ_ONCE(*(unsigned long *)handle);
}

/* class->lock (which owns the handle) or pool->lock for writing serialises this. */
static inline void record_obj(unsigned long handle, unsigned long obj)
{
	WRITE_ONCE(*(unsigned long *)handle, obj);
}

static inline unsigned long offset_in_page(unsigned long off)
{
	return off & ~PAGE_MASK;
}

static inline bool zspage_full(struct size_class *class, struct zspage *zspage)
{
	return get_zspage_inuse(zspage) == class->objs_per_zspage;
}

static inline bool zspage_empty(struct zspage *zspage)
{
	return get_zspage_inuse(zspage) == 0;
}

#endif
