/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page arena: struct page, alloc_page(), virt_to_page() and friends.
 *
 * Pages come from one large virtual reservation (MAP_NORESERVE, so only
 * touched pages cost memory) carved into 2 MiB regions. A region is bound to
 * the NUMA node of the thread that first needs it, as alloc_page() returns
 * memory local to the caller. A parallel array of struct page makes
 * virt_to_page() and page_address() a subtraction and a shift, as on the
 * kernel's SPARSEMEM_VMEMMAP.
 *
 * Each page is charged to a page budget: the pool whose operation allocated
 * it. A budget may have a limit, after which alloc_page() returns NULL as the
 * kernel's does under memory pressure. The zpool layer makes a pool's budget
 * the current one for the duration of each pool operation, so the ports keep
 * the kernel's alloc_page(gfp) signature.
 */
#ifndef ZPB_KERNEL_PAGE_H
#define ZPB_KERNEL_PAGE_H

#include "atomic.h"
#include "bitops.h"
#include "bug.h"
#include "list.h"

struct address_space;
struct movable_operations;
struct zpb_page_budget;

/* page->flags bits. PG_movable and PG_isolated stand for the kernel's
 * PAGE_MAPPING_MOVABLE tag and PG_isolated. */
enum pageflags {
	PG_locked,
	PG_private,
	PG_owner_priv_1,
	PG_movable,
	PG_isolated,
	PG_zpb_free,	/* on the arena's free list: catches double frees */
	PG_zpb_vmalloc,	/* part of a vmalloc area (vmalloc.h) */
};

struct page {
	unsigned long flags;
	unsigned long private;		/* owner's flag bits or pointer */
	struct list_head lru;		/* owner's list linkage */
	struct address_space *mapping;	/* 5.4-style movable pages (z3fold) */
	const struct movable_operations *mops;	/* 6.x-style movable pages (zsmalloc) */
	unsigned long index;		/* owner's use (zsmalloc: next page) */
	unsigned int page_type;		/* owner's use (zsmalloc: first object offset) */
	atomic_t _refcount;
	int node;			/* NUMA node of the region */
	struct zpb_page_budget *budget;	/* who the page is charged to */
	unsigned int zpb_vm_pages;	/* vmalloc: pages of the area this page begins, else 0 */
};

/**
 * struct zpb_page_budget - pages charged to one pool
 * @pages: pages currently charged
 * @peak: the most pages ever charged at once
 * @limit: 0 for none, else alloc_page() fails once @pages reaches it
 * @limit_failures: allocations refused because of @limit
 */
struct zpb_page_budget {
	atomic_long_t pages;
	atomic_long_t peak;
	unsigned long limit;
	atomic_long_t limit_failures;
};

void zpb_budget_init(struct zpb_page_budget *b, unsigned long limit);
/* Charge pages allocated by this thread to @b until the matching leave. Nests. */
struct zpb_page_budget *zpb_budget_enter(struct zpb_page_budget *b);
void zpb_budget_leave(struct zpb_page_budget *prev);
/* The same in line, for zpool.h's path of every allocation. */
extern __thread struct zpb_page_budget *zpb_current_budget;
static inline struct zpb_page_budget *zpb_budget_swap(struct zpb_page_budget *b)
{
	struct zpb_page_budget *prev = zpb_current_budget;

	zpb_current_budget = b;
	return prev;
}

struct page *alloc_page(gfp_t gfp);
void __free_page(struct page *page);
#define __free_pages(page, order) __free_page(page)

/*
 * zpb_alloc_contig_pages - @nr (1..ZPB_CONTIG_MAX) contiguous arena pages,
 * charged to the current budget as alloc_page() charges one: vmalloc.c's
 * areas. Freed with zpb_free_contig_pages(), which puts the run on a free
 * list of runs of its length (runs are not split or merged). The pages are
 * tagged PG_zpb_vmalloc; the first has zpb_vm_pages = @nr.
 */
#define ZPB_CONTIG_MAX 64
struct page *zpb_alloc_contig_pages(unsigned int nr, gfp_t gfp);
void zpb_free_contig_pages(struct page *first);

/* The arena's geometry, for the inline conversions. */
extern char *zpb_arena_base;
extern struct page *zpb_arena_pages;
extern unsigned long zpb_arena_npages;

static inline void *page_address(const struct page *page)
{
	return zpb_arena_base + ((unsigned long)(page - zpb_arena_pages) << PAGE_SHIFT);
}

static inline struct page *virt_to_page(const void *addr)
{
	unsigned long off = (unsigned long)((const char *)addr - zpb_arena_base);

	BUG_ON(off >= (zpb_arena_npages << PAGE_SHIFT));
	return zpb_arena_pages + (off >> PAGE_SHIFT);
}

/* Whether @addr lies in the arena's pages. */
static inline bool zpb_arena_contains(const void *addr)
{
	return zpb_arena_base && (unsigned long)((const char *)addr - zpb_arena_base) <
				 (zpb_arena_npages << PAGE_SHIFT);
}

static inline unsigned long page_to_pfn(const struct page *page) { return page - zpb_arena_pages; }
static inline struct page *pfn_to_page(unsigned long pfn) { return zpb_arena_pages + pfn; }
static inline int page_to_nid(const struct page *page) { return page->node; }

/* No highmem in userspace: every page is always mapped. */
static inline void *kmap(struct page *page) { return page_address(page); }
static inline void kunmap(struct page *page) { (void)page; }
static inline void *kmap_atomic(struct page *page) { return page_address(page); }
#define kunmap_atomic(addr) ((void)(addr))
#define kmap_local_page(page) kmap_atomic(page)
#define kunmap_local(addr) kunmap_atomic(addr)

/* Reference counts: the page returns to the arena when the last one drops. */
static inline int page_count(const struct page *page) { return atomic_read(&page->_refcount); }
static inline void get_page(struct page *page) { atomic_inc(&page->_refcount); }
static inline bool get_page_unless_zero(struct page *page) { return atomic_inc_not_zero(&page->_refcount); }
void put_page(struct page *page);
static inline void page_mapcount_reset(struct page *page) { (void)page; }

#define set_page_private(page, v) ((page)->private = (unsigned long)(v))
#define page_private(page) ((page)->private)

/* Flag accessors. */
static inline bool PageLocked(const struct page *p) { return test_bit(PG_locked, &p->flags); }
static inline bool trylock_page(struct page *p) { return !test_and_set_bit_lock(PG_locked, &p->flags); }
void lock_page(struct page *p);
static inline void unlock_page(struct page *p) { clear_bit_unlock(PG_locked, &p->flags); }

static inline bool PagePrivate(const struct page *p) { return test_bit(PG_private, &p->flags); }
static inline void SetPagePrivate(struct page *p) { set_bit(PG_private, &p->flags); }
static inline void ClearPagePrivate(struct page *p) { clear_bit(PG_private, &p->flags); }
#define __SetPagePrivate SetPagePrivate
#define __ClearPagePrivate ClearPagePrivate
static inline bool PageOwnerPriv1(const struct page *p) { return test_bit(PG_owner_priv_1, &p->flags); }
static inline void SetPageOwnerPriv1(struct page *p) { set_bit(PG_owner_priv_1, &p->flags); }
static inline void ClearPageOwnerPriv1(struct page *p) { clear_bit(PG_owner_priv_1, &p->flags); }

static inline bool PageIsolated(const struct page *p) { return test_bit(PG_isolated, &p->flags); }
static inline void __SetPageIsolated(struct page *p) { set_bit(PG_isolated, &p->flags); }
static inline void __ClearPageIsolated(struct page *p) { clear_bit(PG_isolated, &p->flags); }
#define SetPageIsolated __SetPageIsolated
#define ClearPageIsolated __ClearPageIsolated

/**
 * zpb_arena_for_each_page - visit every page charged to a budget
 * @b: the budget
 * @fn: called with each page; a non-zero return stops the walk and is returned
 * @arg: passed to @fn
 *
 * For the harness (migration, objects-per-page statistics), not the hot path:
 * it scans the arena's page table. The caller keeps the pool quiescent or
 * tolerates pages coming and going.
 */
int zpb_arena_for_each_page(struct zpb_page_budget *b,
			    int (*fn)(struct page *page, void *arg), void *arg);

/**
 * zpb_arena_reserve - make sure the arena can hold @pages pages
 * @pages: pages the caller's pools will hold at most (a slack is added)
 * @needed: if not NULL, gets the bytes of address space that takes
 *
 * The arena is one reservation of address space, made on first use as large
 * as fits (64 GiB down to 64 MiB). Called before any page is allocated, this
 * makes the reservation fit @pages instead: twice the need if that fits,
 * down to the need itself.
 *
 * Return: 0, or -ENOMEM when no reservation of that size could be made, or
 * the arena already exists and is smaller.
 */
int zpb_arena_reserve(unsigned long pages, unsigned long long *needed);

/**
 * zpb_set_page_size - the page size every port and the arena use from now on
 * @size: 4096, 16384 or 65536 bytes
 *
 * PAGE_SHIFT, PAGE_SIZE and PAGE_MASK (types.h) follow it, and with them
 * each allocator's geometry, computed at pool creation. Set it before the
 * pools are made: it can change only while no arena page is allocated.
 *
 * Return: 0, -EINVAL for another size, or -EBUSY while pages are out.
 */
int zpb_set_page_size(unsigned long size);
/* Whether zpb_set_page_size() accepts @size. */
int zpb_page_size_valid(unsigned long size);

/* Pages the arena has handed out and not yet had back, over all budgets. */
unsigned long zpb_arena_pages_in_use(void);

#endif
