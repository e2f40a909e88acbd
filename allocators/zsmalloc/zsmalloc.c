// SPDX-License-Identifier: GPL-2.0-only
/*
 * zsmalloc port: pools, zspages, allocation, free and mapping.
 *
 * Follows Linux 6.18 mm/zsmalloc.c; see zs_internal.h for what differs and
 * why. A zspage chains 1..chain order-0 pages; objects of its class sit
 * back to back across them, so an object may span two pages. Each object
 * starts with its handle (except in huge zspages, which keep it in the
 * page), and a handle is a kmem_cache word holding <PFN, obj_idx>, so that
 * compaction and migration can move objects by rewriting that word.
 */
#include <stdio.h>

#include "zs_internal.h"

static int create_cache(struct zs_pool *pool)
{
	char name[48];

	snprintf(name, sizeof(name), "zs_handle-%s", pool->name);
	pool->handle_cachep = kmem_cache_create(name, ZS_HANDLE_SIZE, 0, 0, NULL);
	if (!pool->handle_cachep)
		return -EINVAL;

	snprintf(name, sizeof(name), "zspage-%s", pool->name);
	pool->zspage_cachep = kmem_cache_create(name, sizeof(struct zspage), 0, 0, NULL);
	if (!pool->zspage_cachep) {
		kmem_cache_destroy(pool->handle_cachep);
		pool->handle_cachep = NULL;
		return -EINVAL;
	}
	return 0;
}

static void destroy_cache(struct zs_pool *pool)
{
	if (pool->handle_cachep)
		kmem_cache_destroy(pool->handle_cachep);
	if (pool->zspage_cachep)
		kmem_cache_destroy(pool->zspage_cachep);
}

static unsigned long cache_alloc_handle(struct zs_pool *pool, gfp_t gfp)
{
	return (unsigned long)kmem_cache_alloc(pool->handle_cachep,
					       gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE));
}

static void cache_free_handle(struct zs_pool *pool, unsigned long handle)
{
	kmem_cache_free(pool->handle_cachep, (void *)handle);
}

static struct zspage *cache_alloc_zspage(struct zs_pool *pool, gfp_t flags)
{
	return kmem_cache_zalloc(pool->zspage_cachep, flags & ~(__GFP_HIGHMEM | __GFP_MOVABLE));
}

static void cache_free_zspage(struct zs_pool *pool, struct zspage *zspage)
{
	kmem_cache_free(pool->zspage_cachep, zspage);
}

/* The zspage lock; see struct zspage_lock. */
static void zspage_lock_init(struct zspage *zspage)
{
	spin_lock_init(&zspage->zsl.lock);
	zspage->zsl.cnt = ZS_PAGE_UNLOCKED;
}

void zspage_read_lock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	spin_lock(&zsl->lock);
	zsl->cnt++;
	spin_unlock(&zsl->lock);
}

void zspage_read_unlock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	spin_lock(&zsl->lock);
	zsl->cnt--;
	spin_unlock(&zsl->lock);
}

/* On success the writer keeps zsl->lock until zspage_write_unlock(). */
bool zspage_write_trylock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	spin_lock(&zsl->lock);
	if (zsl->cnt == ZS_PAGE_UNLOCKED) {
		zsl->cnt = ZS_PAGE_WRLOCKED;
		return true;
	}
	spin_unlock(&zsl->lock);
	return false;
}

void zspage_write_unlock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	zsl->cnt = ZS_PAGE_UNLOCKED;
	spin_unlock(&zsl->lock);
}

/**
 * get_fullness_group - the fullness group a zspage belongs in
 *
 * 0 when empty, ZS_INUSE_RATIO_100 when full, else 1 + the in-use
 * percentage / 10, so that one object in a large zspage counts as
 * RATIO_10 rather than 0. Caller holds class->lock.
 */
int get_fullness_group(struct size_class *class, struct zspage *zspage)
{
	int inuse, objs_per_zspage, ratio;

	inuse = get_zspage_inuse(zspage);
	objs_per_zspage = class->objs_per_zspage;

	if (inuse == 0)
		return ZS_INUSE_RATIO_0;
	if (inuse == objs_per_zspage)
		return ZS_INUSE_RATIO_100;

	ratio = 100 * inuse / objs_per_zspage;
	return ratio / 10 + 1;
}

/* Put @zspage at the head of its group's list. Caller holds class->lock. */
void insert_zspage(struct size_class *class, struct zspage *zspage, int fullness)
{
	class_stat_add(class, fullness, 1);
	list_add(&zspage->list, &class->fullness_list[fullness]);
	zspage->fullness = fullness;
}

/* Caller holds class->lock. */
void remove_zspage(struct size_class *class, struct zspage *zspage)
{
	int fullness = zspage->fullness;

	VM_BUG_ON(list_empty(&class->fullness_list[fullness]));
	list_del_init(&zspage->list);
	class_stat_sub(class, fullness, 1);
}

/* Move @zspage to the group its in-use count now calls for; returns that group. */
static int fix_fullness_group(struct size_class *class, struct zspage *zspage)
{
	int newfg = get_fullness_group(class, zspage);

	if (newfg == (int)zspage->fullness)
		return newfg;
	remove_zspage(class, zspage);
	insert_zspage(class, zspage, newfg);
	return newfg;
}

/*
 * Is the object at @obj allocated? If so, *@phandle gets its handle. Huge
 * zspages keep the handle in the page, not the object.
 */
bool obj_allocated(struct page *page, void *obj, unsigned long *phandle)
{
	unsigned long handle;
	struct zspage *zspage = get_zspage(page);

	if (unlikely(ZsHugePage(zspage))) {
		VM_BUG_ON_PAGE(!is_first_page(page), page);
		handle = page->index;
	} else {
		handle = *(unsigned long *)obj;
	}

	if (!(handle & OBJ_ALLOCATED_TAG))
		return false;

	*phandle = handle & ~OBJ_TAG_MASK;
	return true;
}

void reset_page(struct page *page)
{
	__ClearPageMovable(page);
	ClearPagePrivate(page);
	set_page_private(page, 0);
	page->index = 0;
	page_mapcount_reset(page);
}

/* Lock every page of @zspage, or none. Returns 1 if all were locked. */
static int trylock_zspage(struct zspage *zspage)
{
	struct page *cursor, *fail;

	for (cursor = get_first_page(zspage); cursor != NULL; cursor = get_next_page(cursor)) {
		if (!trylock_page(cursor)) {
			fail = cursor;
			goto unlock;
		}
	}
	return 1;
unlock:
	for (cursor = get_first_page(zspage); cursor != fail; cursor = get_next_page(cursor))
		unlock_page(cursor);
	return 0;
}

/* Free an empty zspage whose pages the caller has locked. Caller holds class->lock. */
void __free_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage)
{
	struct page *page, *next;

	assert_spin_locked(&class->lock);
	VM_BUG_ON(get_zspage_inuse(zspage));
	VM_BUG_ON(zspage->fullness != ZS_INUSE_RATIO_0);

	next = page = get_first_page(zspage);
	do {
		VM_BUG_ON_PAGE(!PageLocked(page), page);
		next = get_next_page(page);
		reset_page(page);
		unlock_page(page);
		put_page(page);
		page = next;
	} while (page != NULL);

	cache_free_zspage(pool, zspage);

	class_stat_sub(class, ZS_OBJS_ALLOCATED, class->objs_per_zspage);
	atomic_long_sub(class->pages_per_zspage, &pool->pages_allocated);
}

/*
 * Free an empty zspage, or, if migration holds one of its pages locked,
 * leave it on the RATIO_0 list for the deferred-free work. Caller holds
 * class->lock.
 */
void free_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage)
{
	VM_BUG_ON(get_zspage_inuse(zspage));
	VM_BUG_ON(list_empty(&zspage->list));

	/* zs_free cannot sleep, so no lock_page(): only try. */
	if (!trylock_zspage(zspage)) {
		kick_deferred_free(pool);
		return;
	}
	remove_zspage(class, zspage);
	__free_zspage(pool, class, zspage);
}

/* Lay the free list through a new zspage: object i links to i + 1. */
static void init_zspage(struct size_class *class, struct zspage *zspage)
{
	unsigned int freeobj = 1;
	unsigned long off = 0;
	struct page *page = get_first_page(zspage);

	while (page) {
		struct page *next_page;
		struct link_free *link;
		void *vaddr;

		set_first_obj_offset(page, off);

		vaddr = kmap_local_page(page);
		link = (struct link_free *)vaddr + off / sizeof(*link);

		while ((off += class->size) < PAGE_SIZE) {
			link->next = freeobj++ << OBJ_TAG_BITS;
			link += class->size / sizeof(*link);
		}

		/* The last (whole or partial) object here links to the next page's first. */
		next_page = get_next_page(page);
		if (next_page)
			link->next = freeobj++ << OBJ_TAG_BITS;
		else
			link->next = -1UL << OBJ_TAG_BITS;	/* no tag: not allocated */
		kunmap_local(vaddr);
		page = next_page;
		off %= PAGE_SIZE;
	}

	set_freeobj(zspage, 0);
}

/*
 * Link @pages into @zspage: each page's private points at the zspage, each
 * page's index at the next page, and PG_private marks the first.
 */
void create_page_chain(struct size_class *class, struct zspage *zspage, struct page *pages[])
{
	int i;
	struct page *page, *prev_page = NULL;
	int nr_pages = class->pages_per_zspage;

	for (i = 0; i < nr_pages; i++) {
		page = pages[i];
		set_page_private(page, zspage);
		page->index = 0;
		if (i == 0) {
			zspage->first_page = page;
			SetPagePrivate(page);
			if (unlikely(class->objs_per_zspage == 1 && class->pages_per_zspage == 1))
				SetZsHugePage(zspage);
		} else {
			prev_page->index = (unsigned long)page;
		}
		prev_page = page;
	}
}

/* Allocate a zspage for @class: its pages one by one, as the kernel never asks for order > 0. */
static struct zspage *alloc_zspage(struct zs_pool *pool, struct size_class *class, gfp_t gfp)
{
	int i;
	struct page *pages[ZS_MAX_CHAIN_SIZE];
	struct zspage *zspage = cache_alloc_zspage(pool, gfp);

	if (!zspage)
		return NULL;

	zspage->magic = ZSPAGE_MAGIC;
	zspage->pool = pool;
	zspage->class = class->index;
	zspage_lock_init(zspage);

	for (i = 0; i < class->pages_per_zspage; i++) {
		struct page *page = alloc_page(gfp);

		if (!page) {
			while (--i >= 0)
				__free_page(pages[i]);
			cache_free_zspage(pool, zspage);
			return NULL;
		}
		pages[i] = page;
	}

	create_page_chain(class, zspage, pages);
	init_zspage(class, zspage);
	return zspage;
}

/*
 * The zspage the next object of @class goes into: the head of the fullest
 * non-full group, from RATIO_99 down to RATIO_0 (an empty zspage is only
 * listed while its deferred free is pending). Caller holds class->lock.
 */
static struct zspage *find_get_zspage(struct size_class *class)
{
	int i;
	struct zspage *zspage = NULL;

	for (i = ZS_INUSE_RATIO_99; i >= ZS_INUSE_RATIO_0; i--) {
		zspage = list_first_entry_or_null(&class->fullness_list[i], struct zspage, list);
		if (zspage)
			break;
	}
	return zspage;
}

static bool can_merge(struct size_class *prev, int pages_per_zspage, int objs_per_zspage)
{
	return prev->pages_per_zspage == pages_per_zspage &&
	       prev->objs_per_zspage == objs_per_zspage;
}

unsigned long zs_get_total_pages(struct zs_pool *pool)
{
	return atomic_long_read(&pool->pages_allocated);
}

size_t zs_huge_class_size(struct zs_pool *pool)
{
	return pool->huge_class_size;
}

/*
 * Objects this thread has mapped: a second zs_map_object() before the
 * unmap would spin forever on this CPU's mapping area, which the kernel
 * forbids too (local_lock does not nest), so it is a BUG here, not a hang.
 */
static __thread int zs_thread_mapped;

/**
 * zs_map_object - get the address of a handle's object
 * @pool: the pool the handle came from
 * @handle: from zs_malloc()
 * @mm: ZS_MM_RO (no copy back), ZS_MM_WO (no copy in) or ZS_MM_RW
 *
 * An object within one page is mapped in place; one that spans two pages
 * is copied into this CPU's buffer (unless @mm is WO). The CPU's mapping
 * area stays locked (local_lock) and the zspage read-locked until
 * zs_unmap_object(), so a thread may have only one object mapped at a time,
 * as in the kernel, and migration and compaction leave the zspage alone.
 *
 * Return: the object's address, past its handle header.
 */
void *zs_map_object(struct zs_pool *pool, unsigned long handle, enum zs_mapmode mm)
{
	struct zspage *zspage;
	struct page *page;
	unsigned long obj, off;
	unsigned int obj_idx;
	struct size_class *class;
	struct mapping_area *area;
	void *ret;

	if (unlikely(zs_thread_mapped)) {
		pr_err("zsmalloc: zs_map_object() while this thread has an object mapped\n");
		BUG();
	}
	zs_thread_mapped = 1;

	/* pool->lock keeps the handle's page from moving while we find the zspage. */
	read_lock(&pool->lock);
	obj = handle_to_obj(handle);
	obj_to_location(obj, &page, &obj_idx);
	zspage = get_zspage(page);

	/* Keep migration off this zspage's pages until unmap. */
	zspage_read_lock(zspage);
	read_unlock(&pool->lock);

	class = zspage_class(pool, zspage);
	off = offset_in_page(class->size * obj_idx);

	local_lock(&pool->map_area->lock);
	area = this_cpu_ptr(pool->map_area);
	area->vm_mm = mm;
	if (off + class->size <= PAGE_SIZE) {
		/* The object lies within one page. */
		area->vm_addr = kmap_local_page(page);
		ret = area->vm_addr + off;
		goto out;
	}

	/* It spans two pages: copy both parts in, unless the caller only writes. */
	ret = area->vm_buf;
	if (mm != ZS_MM_WO) {
		struct page *next = get_next_page(page);
		size_t sizes0 = PAGE_SIZE - off;

		BUG_ON(!next);
		memcpy(area->vm_buf, (char *)page_address(page) + off, sizes0);
		memcpy(area->vm_buf + sizes0, page_address(next), class->size - sizes0);
	}
out:
	if (likely(!ZsHugePage(zspage)))
		ret = (char *)ret + ZS_HANDLE_SIZE;
	return ret;
}

/**
 * zs_unmap_object - end a zs_map_object()
 *
 * A spanning object mapped RW or WO is copied back from the CPU's buffer,
 * all but its handle header. Releases the mapping area and the zspage's
 * read lock.
 */
void zs_unmap_object(struct zs_pool *pool, unsigned long handle)
{
	struct zspage *zspage;
	struct page *page;
	unsigned long obj, off;
	unsigned int obj_idx;
	struct size_class *class;
	struct mapping_area *area;

	obj = handle_to_obj(handle);
	obj_to_location(obj, &page, &obj_idx);
	zspage = get_zspage(page);
	class = zspage_class(pool, zspage);
	off = offset_in_page(class->size * obj_idx);

	area = this_cpu_ptr(pool->map_area);
	if (off + class->size <= PAGE_SIZE) {
		kunmap_local(area->vm_addr);
	} else if (area->vm_mm != ZS_MM_RO) {
		struct page *next = get_next_page(page);
		/* The handle header is never written through a mapping. */
		char *buf = area->vm_buf + ZS_HANDLE_SIZE;
		size_t size = class->size - ZS_HANDLE_SIZE;
		size_t sizes0;

		off += ZS_HANDLE_SIZE;
		sizes0 = PAGE_SIZE - off;
		memcpy((char *)page_address(page) + off, buf, sizes0);
		memcpy(page_address(next), buf + sizes0, size - sizes0);
	}
	local_unlock(&pool->map_area->lock);
	zs_thread_mapped = 0;

	zspage_read_unlock(zspage);
}

/*
 * Take the first free object of @zspage for @handle; returns its object
 * value (also stored in the handle). Caller holds class->lock.
 */
unsigned long obj_malloc(struct zs_pool *pool, struct zspage *zspage, unsigned long handle)
{
	int i, nr_page, offset;
	unsigned long obj;
	struct link_free *link;
	struct size_class *class;
	struct page *m_page;
	unsigned long m_offset;
	void *vaddr;

	class = pool->size_class[zspage->class];
	obj = get_freeobj(zspage);

	offset = obj * class->size;
	nr_page = offset >> PAGE_SHIFT;
	m_offset = offset_in_page(offset);
	m_page = get_first_page(zspage);

	for (i = 0; i < nr_page; i++)
		m_page = get_next_page(m_page);

	vaddr = kmap_local_page(m_page);
	link = (struct link_free *)vaddr + m_offset / sizeof(*link);
	set_freeobj(zspage, link->next >> OBJ_TAG_BITS);
	if (likely(!ZsHugePage(zspage)))
		/* record the handle in the object's header */
		link->handle = handle | OBJ_ALLOCATED_TAG;
	else
		zspage->first_page->index = handle | OBJ_ALLOCATED_TAG;

	kunmap_local(vaddr);
	mod_zspage_inuse(zspage, 1);

	obj = location_to_obj(m_page, obj);
	record_obj(handle, obj);
	return obj;
}

/**
 * zs_malloc - allocate @size bytes from @pool
 * @pool: the pool
 * @size: 1..ZS_MAX_ALLOC_SIZE
 * @gfp: flags for the pages of a new zspage
 *
 * The handle's bytes are added to @size before the class lookup, since the
 * object stores its handle. Takes class->lock.
 *
 * Return: the handle, or an ERR_PTR value: -EINVAL for size 0, -ENOSPC
 * above ZS_MAX_ALLOC_SIZE, -ENOMEM when no page could be had.
 */
unsigned long zs_malloc(struct zs_pool *pool, size_t size, gfp_t gfp)
{
	unsigned long handle;
	struct size_class *class;
	int newfg;
	struct zspage *zspage;

	if (unlikely(!size))
		return (unsigned long)ERR_PTR(-EINVAL);

	if (unlikely(size > ZS_MAX_ALLOC_SIZE))
		return (unsigned long)ERR_PTR(-ENOSPC);

	handle = cache_alloc_handle(pool, gfp);
	if (!handle)
		return (unsigned long)ERR_PTR(-ENOMEM);

	/* extra space in the chunk to keep the handle */
	size += ZS_HANDLE_SIZE;
	class = pool->size_class[zs_class_index(size, pool->tuning.delta, pool->nr_size_classes)];

	/* class->lock effectively protects zspage migration */
	spin_lock(&class->lock);
	zspage = find_get_zspage(class);
	if (likely(zspage)) {
		obj_malloc(pool, zspage, handle);
		fix_fullness_group(class, zspage);
		class_stat_add(class, ZS_OBJS_INUSE, 1);
		goto out;
	}

	spin_unlock(&class->lock);

	zspage = alloc_zspage(pool, class, gfp);
	if (!zspage) {
		cache_free_handle(pool, handle);
		return (unsigned long)ERR_PTR(-ENOMEM);
	}

	spin_lock(&class->lock);
	obj_malloc(pool, zspage, handle);
	newfg = get_fullness_group(class, zspage);
	insert_zspage(class, zspage, newfg);
	atomic_long_add(class->pages_per_zspage, &pool->pages_allocated);
	class_stat_add(class, ZS_OBJS_ALLOCATED, class->objs_per_zspage);
	class_stat_add(class, ZS_OBJS_INUSE, 1);

	/* The zspage is set up completely: its pages may now be migrated. */
	SetZsPageMovable(pool, zspage);
out:
	spin_unlock(&class->lock);
	return handle;
}

/* Return the object @obj to its zspage's free list. Caller holds class->lock. */
void obj_free(int class_size, unsigned long obj)
{
	struct link_free *link;
	struct zspage *zspage;
	struct page *f_page;
	unsigned long f_offset;
	unsigned int f_objidx;
	void *vaddr;

	obj_to_location(obj, &f_page, &f_objidx);
	f_offset = offset_in_page(class_size * f_objidx);
	zspage = get_zspage(f_page);

	vaddr = kmap_local_page(f_page);
	link = (struct link_free *)((char *)vaddr + f_offset);

	if (likely(!ZsHugePage(zspage)))
		link->next = get_freeobj(zspage) << OBJ_TAG_BITS;
	else
		f_page->index = 0;
	set_freeobj(zspage, f_objidx);

	kunmap_local(vaddr);
	mod_zspage_inuse(zspage, -1);
}

/**
 * zs_free - free a handle from zs_malloc(); its zspage goes when it empties
 *
 * Takes pool->lock for reading (against migration moving the object) and
 * class->lock.
 */
void zs_free(struct zs_pool *pool, unsigned long handle)
{
	struct zspage *zspage;
	struct page *f_page;
	unsigned long obj;
	struct size_class *class;
	int fullness;

	if (IS_ERR_OR_NULL((void *)handle))
		return;

	read_lock(&pool->lock);
	obj = handle_to_obj(handle);
	obj_to_page(obj, &f_page);
	zspage = get_zspage(f_page);
	class = zspage_class(pool, zspage);
	spin_lock(&class->lock);
	read_unlock(&pool->lock);

	class_stat_sub(class, ZS_OBJS_INUSE, 1);
	obj_free(class->size, obj);

	fullness = fix_fullness_group(class, zspage);
	if (fullness == ZS_INUSE_RATIO_0)
		free_zspage(pool, class, zspage);

	spin_unlock(&class->lock);
	cache_free_handle(pool, handle);
}

static int alloc_map_area(struct zs_pool *pool)
{
	int cpu;

	pool->map_area = alloc_percpu(struct mapping_area);
	if (!pool->map_area)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct mapping_area *area = per_cpu_ptr(pool->map_area, cpu);

		spin_lock_init(&area->lock.lock);
		area->vm_buf = kmalloc(ZS_MAX_ALLOC_SIZE, GFP_KERNEL);
		if (!area->vm_buf)
			return -ENOMEM;
	}
	return 0;
}

static void free_map_area(struct zs_pool *pool)
{
	int cpu;

	if (!pool->map_area)
		return;
	for_each_possible_cpu(cpu)
		kfree(per_cpu_ptr(pool->map_area, cpu)->vm_buf);
	free_percpu(pool->map_area);
}

/**
 * zs_create_pool - create a pool with the given tuning
 * @name: for diagnostics and the caches' names
 * @tuning: chain size (CONFIG_ZSMALLOC_CHAIN_SIZE, 4..16), size-class delta (0:
 *	the page size's) and
 *	chain policy (zs_tuning_valid())
 *
 * Builds the class table from the largest size down, so that a class with
 * the same pages and objects per zspage as the next larger one merges into
 * it (the larger size serves both).
 *
 * Return: the pool, or NULL.
 */
struct zs_pool *zs_create_pool(const char *name, const struct zpb_zs_tuning *tuning)
{
	int i;
	struct zs_pool *pool;
	struct size_class *prev_class = NULL;

	struct zpb_zs_tuning r = zs_tuning_resolve(tuning);
	const struct zpb_zs_tuning *t = &r;
	int nr;

	BUILD_BUG_ON(offsetof(struct mapping_area, lock) != 0);
	if (!zs_tuning_valid(t))
		return NULL;

	nr = zs_nr_size_classes(t);
	pool = kzalloc(sizeof(*pool) + (size_t)nr * sizeof(pool->size_class[0]), GFP_KERNEL);
	if (!pool)
		return NULL;

	init_deferred_free(pool);
	rwlock_init(&pool->lock);
	atomic_set(&pool->compaction_in_progress, 0);
	pool->tuning = *t;
	pool->nr_size_classes = nr;
	pool->huge_class_size = zs_calc_huge_class_size(t);

	pool->name = kstrdup(name ? name : "zsmalloc", GFP_KERNEL);
	if (!pool->name)
		goto err;
	if (create_cache(pool))
		goto err;
	if (alloc_map_area(pool))
		goto err;

	for (i = pool->nr_size_classes - 1; i >= 0; i--) {
		int size, pages_per_zspage, objs_per_zspage, fullness;
		struct size_class *class;

		zs_class_geometry(t, i, &size, &pages_per_zspage, &objs_per_zspage);

		if (prev_class && can_merge(prev_class, pages_per_zspage, objs_per_zspage)) {
			pool->size_class[i] = prev_class;
			continue;
		}

		class = kzalloc(sizeof(struct size_class), GFP_KERNEL);
		if (!class)
			goto err;

		class->size = size;
		class->index = i;
		class->pages_per_zspage = pages_per_zspage;
		class->objs_per_zspage = objs_per_zspage;
		spin_lock_init(&class->lock);
		pool->size_class[i] = class;
		for (fullness = ZS_INUSE_RATIO_0; fullness < NR_FULLNESS_GROUPS; fullness++)
			INIT_LIST_HEAD(&class->fullness_list[fullness]);

		prev_class = class;
	}
	return pool;

err:
	zs_destroy_pool(pool);
	return NULL;
}

/**
 * zs_destroy_pool - free a pool; every handle should have been freed
 *
 * Complains (pr_err) about every class group still holding zspages, as
 * the kernel does; their pages are then leaked to the pool's budget, which
 * zpool_destroy_pool() reports.
 */
void zs_destroy_pool(struct zs_pool *pool)
{
	int i;

	zs_flush_migration(pool);

	for (i = 0; i < pool->nr_size_classes; i++) {
		int fg;
		struct size_class *class = pool->size_class[i];

		if (!class || class->index != (unsigned int)i)
			continue;

		for (fg = ZS_INUSE_RATIO_0; fg < NR_FULLNESS_GROUPS; fg++) {
			if (list_empty(&class->fullness_list[fg]))
				continue;
			pr_err("zsmalloc: class-%d fullness group %d is not empty\n", class->size, fg);
		}
		kfree(class);
	}

	free_map_area(pool);
	destroy_cache(pool);
	kfree(pool->name);
	kfree(pool);
}
