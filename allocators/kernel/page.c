// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page arena behind alloc_page() and __free_page(). See page.h.
 *
 * Free pages are kept on per-node LIFO lists (linked through page->lru) under
 * one lock. LIFO reuse keeps a steady-state replay on warm memory, as the
 * kernel's per-CPU page lists do. Freed pages are not returned to the OS.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "config.h"
#include "fault.h"
#include "migrate.h"
#include "page.h"
#include "percpu.h"
#include "spinlock.h"

#ifdef HAVE_NUMA
#include <numa.h>
#include <numaif.h>
#endif

/*
 * 64 GiB of address space: far more than any pool here needs. Only touched
 * pages (and the struct pages describing them) take memory.
 */
#define ARENA_BYTES (64UL << 30)
/* The least a reservation made on first use (no zpb_arena_reserve()) settles for. */
#define ARENA_DEFAULT_MIN_BYTES (64UL << 20)
#define REGION_PAGES 512UL		/* 2 MiB */
#define MAX_NODES 64
/*
 * Pages a reservation adds to what its caller asked for: a partly used
 * region per node, zsmalloc's partly filled zspages (up to 4 pages for each
 * of its classes) and the destination pages of migrations in flight.
 */
#define ARENA_SLACK_PAGES 2048UL

char *zpb_arena_base;
struct page *zpb_arena_pages;
unsigned long zpb_arena_npages;
/* PAGE_SHIFT (types.h): 4K until zpb_set_page_size() says otherwise. */
unsigned int zpb_page_shift = PAGE_SHIFT_MIN;

/*
 * The arena is set up once, by the first alloc_page() or by an explicit
 * zpb_arena_reserve(), whichever comes first (under arena_init_lock);
 * arena_state then says how it went, read with acquire on the hot path.
 */
enum { ARENA_UNSET, ARENA_READY, ARENA_FAILED };
static int arena_state;
static pthread_mutex_t arena_init_lock = PTHREAD_MUTEX_INITIALIZER;
static DEFINE_SPINLOCK(arena_lock);
static struct list_head free_lists[MAX_NODES];	/* under arena_lock */
static unsigned long next_region;		/* first never-used page, under arena_lock */
/* Runs of contiguous pages by length (zpb_alloc_contig_pages), and the region they are carved from. */
static struct list_head contig_free[ZPB_CONTIG_MAX + 1];	/* under arena_lock */
static unsigned long contig_next, contig_end;	/* under arena_lock */
static atomic_long_t in_use;
static bool numa_ok;
static unsigned char cpu_node[ZPB_MAX_CPUS];	/* filled once by arena_setup() */

__thread struct zpb_page_budget *zpb_current_budget;
static struct zpb_page_budget default_budget;	/* pages allocated outside any pool */

/* Address space an arena of @bytes takes: the pages and their struct pages. */
static unsigned long long arena_footprint(unsigned long bytes)
{
	return bytes + (unsigned long long)(bytes >> PAGE_SHIFT) * sizeof(struct page);
}

/* Map an arena of @bytes (pages and struct pages); false if either mapping fails. */
static bool arena_map(unsigned long bytes)
{
	size_t meta_bytes = (bytes >> PAGE_SHIFT) * sizeof(struct page);
	void *mem, *meta;

	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return false;
	meta = mmap(NULL, meta_bytes, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (meta == MAP_FAILED) {
		munmap(mem, bytes);
		return false;
	}
	zpb_arena_base = mem;
	zpb_arena_pages = meta;
	zpb_arena_npages = bytes >> PAGE_SHIFT;
	return true;
}

/*
 * Reserve from @want bytes down, halving, to no less than @least (both
 * multiples of a region): under ulimit -v, or valgrind's cap on a client's
 * address space (the callgrind runs of measure/callgrind.h), 64 GiB does
 * not fit. Called once, under arena_init_lock.
 */
static void arena_setup(unsigned long want, unsigned long least)
{
	unsigned long bytes;
	int i;

	for (bytes = want; bytes >= least; bytes /= 2)
		if (arena_map(bytes))
			break;
	if (bytes < least && !arena_map(least)) {
		__atomic_store_n(&arena_state, ARENA_FAILED, __ATOMIC_RELEASE);
		return;
	}
	for (i = 0; i < MAX_NODES; i++)
		INIT_LIST_HEAD(&free_lists[i]);
	for (i = 0; i <= ZPB_CONTIG_MAX; i++)
		INIT_LIST_HEAD(&contig_free[i]);
#ifdef HAVE_NUMA
	numa_ok = numa_available() >= 0;
	/*
	 * Learn the CPU-to-node map once: libnuma fills its own tables lazily,
	 * which races when several threads allocate their first pages at once.
	 */
	for (i = 0; i < (int)nr_cpu_ids && i < ZPB_MAX_CPUS; i++) {
		int node = numa_ok ? numa_node_of_cpu(i) : 0;

		cpu_node[i] = node >= 0 && node < MAX_NODES ? node : 0;
	}
#endif
	__atomic_store_n(&arena_state, ARENA_READY, __ATOMIC_RELEASE);
}

/* Set the arena up on first use, as large as fits; false if nothing did. */
static bool arena_ready(void)
{
	int state = __atomic_load_n(&arena_state, __ATOMIC_ACQUIRE);

	if (likely(state == ARENA_READY))
		return true;
	if (state == ARENA_FAILED)
		return false;
	pthread_mutex_lock(&arena_init_lock);
	if (__atomic_load_n(&arena_state, __ATOMIC_ACQUIRE) == ARENA_UNSET) {
		arena_setup(ARENA_BYTES, ARENA_DEFAULT_MIN_BYTES);
		if (arena_state == ARENA_FAILED)
			pr_err("cannot reserve %lu MiB of address space for the page arena: every page allocation fails\n",
			       ARENA_DEFAULT_MIN_BYTES >> 20);
	}
	pthread_mutex_unlock(&arena_init_lock);
	return __atomic_load_n(&arena_state, __ATOMIC_ACQUIRE) == ARENA_READY;
}

int zpb_arena_reserve(unsigned long pages, unsigned long long *needed)
{
	unsigned long least, want;
	int ret = 0;

	/* What is asked for, the slack, and whole regions; at most the full arena. */
	if (pages > (ARENA_BYTES >> PAGE_SHIFT) - ARENA_SLACK_PAGES)
		pages = (ARENA_BYTES >> PAGE_SHIFT) - ARENA_SLACK_PAGES;
	least = round_up((pages + ARENA_SLACK_PAGES) << PAGE_SHIFT, REGION_PAGES << PAGE_SHIFT);
	if (needed)
		*needed = arena_footprint(least);
	/*
	 * As much as fits, halving down to the need itself: the arena is set up
	 * once per process, and a later run of the same process (a test program,
	 * --repeat over traces of different lengths) may need more than this one.
	 * Reserving costs address space only (MAP_NORESERVE).
	 */
	want = ARENA_BYTES;
	pthread_mutex_lock(&arena_init_lock);
	if (__atomic_load_n(&arena_state, __ATOMIC_ACQUIRE) == ARENA_UNSET)
		arena_setup(want, least);
	if (__atomic_load_n(&arena_state, __ATOMIC_ACQUIRE) != ARENA_READY ||
	    zpb_arena_npages < least >> PAGE_SHIFT)
		ret = -ENOMEM;
	pthread_mutex_unlock(&arena_init_lock);
	return ret;
}

/* Give the arena's mappings back, so that the next use maps it anew. Under arena_init_lock. */
static void arena_unmap(void)
{
	unsigned long bytes = zpb_arena_npages << PAGE_SHIFT;

	munmap(zpb_arena_base, bytes);
	munmap(zpb_arena_pages, (bytes >> PAGE_SHIFT) * sizeof(struct page));
	zpb_arena_base = NULL;
	zpb_arena_pages = NULL;
	zpb_arena_npages = 0;
	next_region = 0;
	contig_next = contig_end = 0;
	__atomic_store_n(&arena_state, ARENA_UNSET, __ATOMIC_RELEASE);
}

int zpb_page_size_valid(unsigned long size)
{
	return size == 4096 || size == 16384 || size == 65536;
}

int zpb_set_page_size(unsigned long size)
{
	int ret = 0;

	if (!zpb_page_size_valid(size))
		return -EINVAL;
	pthread_mutex_lock(&arena_init_lock);
	if (size == PAGE_SIZE)
		goto out;
	/*
	 * Every page, struct page index and pool geometry depends on the size:
	 * it can change only while no page is out (between a test's pools, or
	 * before a replay's first pool). The arena is laid out in pages, so it
	 * is remapped at the new size on its next use.
	 */
	if (atomic_long_read(&in_use)) {
		ret = -EBUSY;
		goto out;
	}
	if (__atomic_load_n(&arena_state, __ATOMIC_ACQUIRE) == ARENA_READY)
		arena_unmap();
	else
		__atomic_store_n(&arena_state, ARENA_UNSET, __ATOMIC_RELEASE);
	__atomic_store_n(&zpb_page_shift, (unsigned int)__builtin_ctzl(size), __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&arena_init_lock);
	return ret;
}

static int current_node(void)
{
#ifdef HAVE_NUMA
	return cpu_node[smp_processor_id()];
#else
	return 0;
#endif
}

#ifdef HAVE_NUMA
static bool thread_has_mempolicy(void)
{
	int mode = MPOL_DEFAULT;

	return get_mempolicy(&mode, NULL, 0, NULL, 0) == 0 && mode != MPOL_DEFAULT;
}
#endif

/* Take a never-used region for @node; false when the arena is exhausted. */
static bool arena_take_region(int node, unsigned long *firstp)
{
	unsigned long first = next_region, i;

	if (first + REGION_PAGES > zpb_arena_npages)
		return false;
	next_region += REGION_PAGES;
	*firstp = first;
#ifdef HAVE_NUMA
	/*
	 * Bind before first touch, so the pages land on the caller's node, as
	 * alloc_page() takes local memory. A thread with a memory policy of its
	 * own (replay --mem-policy bind|interleave|preferred) gets its policy
	 * instead: the region is left unbound and the kernel places each page
	 * by the policy of the thread that first touches it.
	 */
	if (numa_ok && !thread_has_mempolicy())
		numa_tonode_memory(zpb_arena_base + (first << PAGE_SHIFT),
				   REGION_PAGES << PAGE_SHIFT, node);
#endif
	for (i = 0; i < REGION_PAGES; i++)
		zpb_arena_pages[first + i].node = node;
	return true;
}

/* Put pages [first, end) on their node's free list, in address order. */
static void arena_release_range(unsigned long first, unsigned long end)
{
	unsigned long i;

	for (i = end; i-- > first;) {
		struct page *page = &zpb_arena_pages[i];

		set_bit(PG_zpb_free, &page->flags);
		list_add(&page->lru, &free_lists[page->node]);
	}
}

/* Carve a new region for @node and put its pages on the node's free list. */
static bool arena_grow(int node)
{
	unsigned long first;

	if (!arena_take_region(node, &first))
		return false;
	arena_release_range(first, first + REGION_PAGES);
	return true;
}

void zpb_budget_init(struct zpb_page_budget *b, unsigned long limit)
{
	atomic_long_set(&b->pages, 0);
	atomic_long_set(&b->peak, 0);
	atomic_long_set(&b->limit_failures, 0);
	b->limit = limit;
}

struct zpb_page_budget *zpb_budget_enter(struct zpb_page_budget *b)
{
	return zpb_budget_swap(b);
}

void zpb_budget_leave(struct zpb_page_budget *prev)
{
	zpb_budget_swap(prev);
}

static bool budget_charge(struct zpb_page_budget *b)
{
	long n = atomic_long_inc_return(&b->pages), peak;

	if (b->limit && (unsigned long)n > b->limit) {
		atomic_long_dec(&b->pages);
		atomic_long_inc(&b->limit_failures);
		return false;
	}
	peak = atomic_long_read(&b->peak);
	while (n > peak && atomic_long_cmpxchg(&b->peak, peak, n) != peak)
		peak = atomic_long_read(&b->peak);
	return true;
}

/* Make a page just taken off a free list the fresh page of @b. */
static void page_init(struct page *page, struct zpb_page_budget *b, gfp_t gfp)
{
	/*
	 * The fields a page walk reads (flags, budget, the movable owner) are
	 * stored atomically: zpool_migrate_pages() scans pages racily, as the
	 * kernel's compaction scanner reads struct pages it does not own.
	 */
	__atomic_store_n(&page->flags, 0, __ATOMIC_RELAXED);	/* clears PG_zpb_free */
	page->private = 0;
	INIT_LIST_HEAD(&page->lru);
	WRITE_ONCE(page->mapping, NULL);
	WRITE_ONCE(page->mops, NULL);
	page->index = 0;
	page->page_type = 0;
	page->zpb_vm_pages = 0;
	WRITE_ONCE(page->budget, b);
	atomic_set(&page->_refcount, 1);
	atomic_long_inc(&in_use);
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE);
}

/* Allocate a page charged to @b: for migration, which charges the old page's owner. */
struct page *zpb_alloc_page_for(struct zpb_page_budget *b, gfp_t gfp)
{
	struct page *page = NULL;
	int node;

	if (unlikely(!arena_ready()) || should_fail_alloc_page(gfp, 0))
		return NULL;
	if (!budget_charge(b))
		return NULL;
	node = current_node();
	spin_lock(&arena_lock);
	if (list_empty(&free_lists[node]) && !arena_grow(node)) {
		/* The node is exhausted: fall back to any node, as the kernel does. */
		int n;

		for (n = 0; n < MAX_NODES && list_empty(&free_lists[n]); n++)
			;
		if (n < MAX_NODES)
			node = n;
	}
	if (!list_empty(&free_lists[node])) {
		page = list_first_entry(&free_lists[node], struct page, lru);
		list_del(&page->lru);
	}
	spin_unlock(&arena_lock);
	if (!page) {
		atomic_long_dec(&b->pages);
		return NULL;
	}
	page_init(page, b, gfp);
	return page;
}

struct page *alloc_page(gfp_t gfp)
{
	return zpb_alloc_page_for(zpb_current_budget ? zpb_current_budget : &default_budget, gfp);
}

/* Uncharge a page being freed and mark it free (it goes on a list next). */
static void page_uncharge(struct page *page)
{
	struct zpb_page_budget *b = page->budget;

	/* A page freed twice is a port bug that would corrupt the free list. */
	BUG_ON(test_bit(PG_zpb_free, &page->flags));
	BUG_ON(PageLocked(page));
	atomic_long_dec(&b->pages);
	atomic_long_dec(&in_use);
	WRITE_ONCE(page->budget, NULL);
	__atomic_store_n(&page->flags, 0, __ATOMIC_RELAXED);
	set_bit(PG_zpb_free, &page->flags);
}

static void arena_free(struct page *page)
{
	/* A vmalloc page goes back with its area (vfree), never alone. */
	BUG_ON(test_bit(PG_zpb_vmalloc, &page->flags));
	page_uncharge(page);
	spin_lock(&arena_lock);
	list_add(&page->lru, &free_lists[page->node]);
	spin_unlock(&arena_lock);
}

void put_page(struct page *page)
{
	if (atomic_dec_and_test(&page->_refcount))
		arena_free(page);
}

void __free_page(struct page *page)
{
	put_page(page);
}

struct page *zpb_alloc_contig_pages(unsigned int nr, gfp_t gfp)
{
	struct zpb_page_budget *b = zpb_current_budget ? zpb_current_budget : &default_budget;
	struct page *first = NULL;
	unsigned int i, charged;

	if (!nr || nr > ZPB_CONTIG_MAX)
		return NULL;
	/* vmalloc() takes its pages one by one: one injected failure fails the area. */
	if (unlikely(!arena_ready()) || should_fail_alloc_page(gfp, 0))
		return NULL;
	for (charged = 0; charged < nr; charged++)
		if (!budget_charge(b))
			goto uncharge;
	spin_lock(&arena_lock);
	if (!list_empty(&contig_free[nr])) {
		first = list_first_entry(&contig_free[nr], struct page, lru);
		list_del(&first->lru);
	} else {
		if (contig_end - contig_next < nr) {
			unsigned long region;

			if (arena_take_region(current_node(), &region)) {
				/* The old region's tail serves single pages. */
				arena_release_range(contig_next, contig_end);
				contig_next = region;
				contig_end = region + REGION_PAGES;
			}
		}
		if (contig_end - contig_next >= nr) {
			first = &zpb_arena_pages[contig_next];
			contig_next += nr;
		}
	}
	spin_unlock(&arena_lock);
	if (!first)
		goto uncharge;
	for (i = 0; i < nr; i++) {
		page_init(first + i, b, gfp);
		set_bit(PG_zpb_vmalloc, &first[i].flags);
	}
	first->zpb_vm_pages = nr;
	return first;

uncharge:
	while (charged--)
		atomic_long_dec(&b->pages);
	return NULL;
}

void zpb_free_contig_pages(struct page *first)
{
	unsigned int nr = first->zpb_vm_pages, i;

	BUG_ON(!nr || nr > ZPB_CONTIG_MAX);
	for (i = 0; i < nr; i++) {
		BUG_ON(!test_bit(PG_zpb_vmalloc, &first[i].flags));
		page_uncharge(first + i);
	}
	/* zpb_vm_pages stays: it is the run's length while the run is free. */
	spin_lock(&arena_lock);
	list_add(&first->lru, &contig_free[nr]);
	spin_unlock(&arena_lock);
}

unsigned long zpb_arena_pages_in_use(void)
{
	return atomic_long_read(&in_use);
}

int zpb_arena_for_each_page(struct zpb_page_budget *b,
			    int (*fn)(struct page *page, void *arg), void *arg)
{
	unsigned long i, end;
	int ret;

	spin_lock(&arena_lock);
	end = next_region;
	spin_unlock(&arena_lock);
	for (i = 0; i < end; i++) {
		struct page *page = &zpb_arena_pages[i];

		if (test_bit(PG_zpb_free, &page->flags) || READ_ONCE(page->budget) != b)
			continue;
		ret = fn(page, arg);
		if (ret)
			return ret;
	}
	return 0;
}
