// SPDX-License-Identifier: GPL-2.0-only
/*
 * zsmalloc port: moving objects. zs_compact() migrates objects out of
 * sparse zspages into dense ones of the same class and frees what empties;
 * page migration (movable_operations, 6.x style) moves one component page
 * to a new page the way kernel compaction asks; and the deferred free
 * finishes zspages that emptied while migration held one of their pages.
 *
 * Follows Linux 6.18 mm/zsmalloc.c. One difference: the kernel's
 * __zs_compact() also drops the locks when pool->lock is contended; the
 * compat rwlock cannot see waiting readers, so here a class is compacted
 * in one go (the destination zspage is still put back whenever it fills,
 * as in the kernel, so a single-threaded run places objects identically).
 */
#include "zs_internal.h"

/* Copy one object (class->size bytes) from @src to @dst; either may span pages. */
static void zs_object_copy(struct size_class *class, unsigned long dst, unsigned long src)
{
	struct page *s_page, *d_page;
	unsigned int s_objidx, d_objidx;
	unsigned long s_off, d_off;
	char *s_addr, *d_addr;
	int s_size, d_size, size;
	int written = 0;

	s_size = d_size = class->size;

	obj_to_location(src, &s_page, &s_objidx);
	obj_to_location(dst, &d_page, &d_objidx);

	s_off = offset_in_page(class->size * s_objidx);
	d_off = offset_in_page(class->size * d_objidx);

	if (s_off + class->size > PAGE_SIZE)
		s_size = PAGE_SIZE - s_off;
	if (d_off + class->size > PAGE_SIZE)
		d_size = PAGE_SIZE - d_off;

	s_addr = kmap_local_page(s_page);
	d_addr = kmap_local_page(d_page);

	for (;;) {
		size = min(s_size, d_size);
		memcpy(d_addr + d_off, s_addr + s_off, size);
		written += size;

		if (written == class->size)
			break;

		s_off += size;
		s_size -= size;
		d_off += size;
		d_size -= size;

		if (s_off >= PAGE_SIZE) {
			kunmap_local(d_addr);
			kunmap_local(s_addr);
			s_page = get_next_page(s_page);
			s_addr = kmap_local_page(s_page);
			d_addr = kmap_local_page(d_page);
			s_size = class->size - written;
			s_off = 0;
		}

		if (d_off >= PAGE_SIZE) {
			kunmap_local(d_addr);
			d_page = get_next_page(d_page);
			d_addr = kmap_local_page(d_page);
			d_size = class->size - written;
			d_off = 0;
		}
	}

	kunmap_local(d_addr);
	kunmap_local(s_addr);
}

/*
 * The handle of the first allocated object that starts in @page at or
 * after index *@obj_idx (counted within the page), or 0; *@obj_idx is
 * advanced to it.
 */
static unsigned long find_alloced_obj(struct size_class *class, struct page *page,
				      unsigned int *obj_idx)
{
	unsigned int offset;
	unsigned int index = *obj_idx;
	unsigned long handle = 0;
	char *addr = kmap_local_page(page);

	offset = get_first_obj_offset(page);
	offset += class->size * index;

	while (offset < PAGE_SIZE) {
		if (obj_allocated(page, addr + offset, &handle))
			break;
		offset += class->size;
		index++;
	}

	kunmap_local(addr);
	*obj_idx = index;
	return handle;
}

/*
 * Move objects from @src_zspage to @dst_zspage in address order until dst
 * is full or src is empty. Caller holds pool->lock for writing, class->lock
 * and src's zspage write lock.
 */
static void migrate_zspage(struct zs_pool *pool, struct zspage *src_zspage,
			   struct zspage *dst_zspage)
{
	unsigned long used_obj, free_obj;
	unsigned long handle;
	unsigned int obj_idx = 0;
	struct page *s_page = get_first_page(src_zspage);
	struct size_class *class = pool->size_class[src_zspage->class];

	for (;;) {
		handle = find_alloced_obj(class, s_page, &obj_idx);
		if (!handle) {
			s_page = get_next_page(s_page);
			if (!s_page)
				break;
			obj_idx = 0;
			continue;
		}

		used_obj = handle_to_obj(handle);
		free_obj = obj_malloc(pool, dst_zspage, handle);
		zs_object_copy(class, free_obj, used_obj);
		obj_idx++;
		obj_free(class->size, used_obj);

		if (zspage_full(class, dst_zspage))
			break;
		if (zspage_empty(src_zspage))
			break;
	}
}

/* The sparsest listed zspage (RATIO_10 upwards), off its list. */
static struct zspage *isolate_src_zspage(struct size_class *class)
{
	struct zspage *zspage;
	int fg;

	for (fg = ZS_INUSE_RATIO_10; fg <= ZS_INUSE_RATIO_99; fg++) {
		zspage = list_first_entry_or_null(&class->fullness_list[fg], struct zspage, list);
		if (zspage) {
			remove_zspage(class, zspage);
			return zspage;
		}
	}
	return NULL;
}

/* The fullest non-full zspage (RATIO_99 downwards), off its list. */
static struct zspage *isolate_dst_zspage(struct size_class *class)
{
	struct zspage *zspage;
	int fg;

	for (fg = ZS_INUSE_RATIO_99; fg >= ZS_INUSE_RATIO_10; fg--) {
		zspage = list_first_entry_or_null(&class->fullness_list[fg], struct zspage, list);
		if (zspage) {
			remove_zspage(class, zspage);
			return zspage;
		}
	}
	return NULL;
}

/* Put @zspage on the list its fullness calls for; returns that group. */
static int putback_zspage(struct size_class *class, struct zspage *zspage)
{
	int fullness = get_fullness_group(class, zspage);

	insert_zspage(class, zspage, fullness);
	return fullness;
}

/*
 * Lock every page of @zspage, waiting as needed, for the deferred free.
 * Only lock a page under the zspage's read lock: migration may swap pages
 * out of the chain meanwhile, so a reference is held while waiting.
 */
static void lock_zspage(struct zspage *zspage)
{
	struct page *curr_page, *page;

	for (;;) {
		zspage_read_lock(zspage);
		page = get_first_page(zspage);
		if (trylock_page(page))
			break;
		get_page(page);
		zspage_read_unlock(zspage);
		/* wait_on_page_locked(): take and drop it, then look again */
		lock_page(page);
		unlock_page(page);
		put_page(page);
	}

	curr_page = page;
	while ((page = get_next_page(curr_page))) {
		if (trylock_page(page)) {
			curr_page = page;
		} else {
			get_page(page);
			zspage_read_unlock(zspage);
			lock_page(page);
			unlock_page(page);
			put_page(page);
			zspage_read_lock(zspage);
		}
	}
	zspage_read_unlock(zspage);
}

/* Swap @newpage for @oldpage in @zspage's chain. */
static void replace_sub_page(struct size_class *class, struct zspage *zspage,
			     struct page *newpage, struct page *oldpage)
{
	struct page *page;
	struct page *pages[ZS_MAX_CHAIN_SIZE] = { NULL, };
	unsigned int first_obj_offset;
	int idx = 0;

	page = get_first_page(zspage);
	do {
		pages[idx++] = page == oldpage ? newpage : page;
	} while ((page = get_next_page(page)) != NULL);

	create_page_chain(class, zspage, pages);
	first_obj_offset = get_first_obj_offset(oldpage);
	set_first_obj_offset(newpage, first_obj_offset);
	if (unlikely(ZsHugePage(zspage)))
		newpage->index = oldpage->index;
	__SetPageMovable(newpage, &zsmalloc_mops);
}

/*
 * The page is locked, so its zspage cannot be freed meanwhile; a page
 * whose zspage is already gone (reset_page()) is refused.
 */
static bool zs_page_isolate(struct page *page, isolate_mode_t mode)
{
	(void)mode;
	return page_private(page) != 0;
}

/**
 * zs_page_migrate - move one component page's contents to @newpage
 * @newpage: the destination, locked by the caller
 * @page: the isolated source, locked by the caller
 * @mode: unused, as in the kernel
 *
 * Takes pool->lock for writing, class->lock and the zspage write lock (by
 * trylock: a mapped object makes migration fail with -EINVAL).
 *
 * Return: 0 on success (also when the zspage was freed meanwhile).
 */
static int zs_page_migrate(struct page *newpage, struct page *page, enum migrate_mode mode)
{
	struct zs_pool *pool;
	struct size_class *class;
	struct zspage *zspage;
	struct page *dummy;
	char *s_addr, *d_addr, *addr;
	unsigned int offset;
	unsigned long handle;
	unsigned long old_obj, new_obj;
	unsigned int obj_idx;

	(void)mode;
	/* As the kernel's TODO says: the zspage may have died while isolated. */
	if (!page_private(page))
		return MIGRATEPAGE_SUCCESS;

	/* The page is locked, so this pointer stays valid. */
	zspage = get_zspage(page);
	pool = zspage->pool;

	/* pool->lock for writing: no zs_free() or map can be looking up a handle. */
	write_lock(&pool->lock);
	class = zspage_class(pool, zspage);
	spin_lock(&class->lock);
	if (!zspage_write_trylock(zspage)) {
		spin_unlock(&class->lock);
		write_unlock(&pool->lock);
		return -EINVAL;
	}

	offset = get_first_obj_offset(page);
	s_addr = kmap_local_page(page);

	d_addr = kmap_local_page(newpage);
	memcpy(d_addr, s_addr, PAGE_SIZE);
	kunmap_local(d_addr);

	for (addr = s_addr + offset; addr < s_addr + PAGE_SIZE; addr += class->size) {
		if (obj_allocated(page, addr, &handle)) {
			old_obj = handle_to_obj(handle);
			obj_to_location(old_obj, &dummy, &obj_idx);
			new_obj = location_to_obj(newpage, obj_idx);
			record_obj(handle, new_obj);
		}
	}
	kunmap_local(s_addr);

	replace_sub_page(class, zspage, newpage, page);
	write_unlock(&pool->lock);
	spin_unlock(&class->lock);
	zspage_write_unlock(zspage);

	get_page(newpage);
	reset_page(page);
	put_page(page);

	return MIGRATEPAGE_SUCCESS;
}

static void zs_page_putback(struct page *page)
{
	(void)page;
}

const struct movable_operations zsmalloc_mops = {
	.isolate_page = zs_page_isolate,
	.migrate_page = zs_page_migrate,
	.putback_page = zs_page_putback,
};

/* Free every zspage left on a RATIO_0 list by free_zspage()'s failed trylock. */
static void async_free_zspage(struct work_struct *work)
{
	int i;
	struct size_class *class;
	struct zspage *zspage, *tmp;
	LIST_HEAD(free_pages);
	struct zs_pool *pool = container_of(work, struct zs_pool, free_work);

	for (i = 0; i < pool->nr_size_classes; i++) {
		class = pool->size_class[i];
		if (class->index != (unsigned int)i)
			continue;

		spin_lock(&class->lock);
		list_splice_init(&class->fullness_list[ZS_INUSE_RATIO_0], &free_pages);
		spin_unlock(&class->lock);
	}

	list_for_each_entry_safe(zspage, tmp, &free_pages, list) {
		list_del(&zspage->list);
		lock_zspage(zspage);

		class = zspage_class(pool, zspage);
		spin_lock(&class->lock);
		class_stat_sub(class, ZS_INUSE_RATIO_0, 1);
		__free_zspage(pool, class, zspage);
		spin_unlock(&class->lock);
	}
}

void kick_deferred_free(struct zs_pool *pool)
{
	schedule_work(&pool->free_work);
}

void zs_flush_migration(struct zs_pool *pool)
{
	flush_work(&pool->free_work);
}

void init_deferred_free(struct zs_pool *pool)
{
	INIT_WORK(&pool->free_work, async_free_zspage);
}

/* Mark a new zspage's pages movable, each under its page lock. */
void SetZsPageMovable(struct zs_pool *pool, struct zspage *zspage)
{
	struct page *page = get_first_page(zspage);

	(void)pool;
	do {
		WARN_ON(!trylock_page(page));
		__SetPageMovable(page, &zsmalloc_mops);
		unlock_page(page);
	} while ((page = get_next_page(page)) != NULL);
}

/**
 * zs_can_compact - pages compaction could free in @class
 *
 * Whole zspages' worth of unused objects. Caller holds class->lock.
 */
unsigned long zs_can_compact(struct size_class *class)
{
	unsigned long obj_wasted;
	unsigned long obj_allocated = class_stat_read(class, ZS_OBJS_ALLOCATED);
	unsigned long obj_used = class_stat_read(class, ZS_OBJS_INUSE);

	if (obj_allocated <= obj_used)
		return 0;

	obj_wasted = obj_allocated - obj_used;
	obj_wasted /= class->objs_per_zspage;

	return obj_wasted * class->pages_per_zspage;
}

static unsigned long __zs_compact(struct zs_pool *pool, struct size_class *class)
{
	struct zspage *src_zspage = NULL;
	struct zspage *dst_zspage = NULL;
	unsigned long pages_freed = 0;

	/* against page migration and zs_free(), and allocation in the class */
	write_lock(&pool->lock);
	spin_lock(&class->lock);
	while (zs_can_compact(class)) {
		int fg;

		if (!dst_zspage) {
			dst_zspage = isolate_dst_zspage(class);
			if (!dst_zspage)
				break;
		}

		src_zspage = isolate_src_zspage(class);
		if (!src_zspage)
			break;

		if (!zspage_write_trylock(src_zspage))
			break;

		migrate_zspage(pool, src_zspage, dst_zspage);
		zspage_write_unlock(src_zspage);

		fg = putback_zspage(class, src_zspage);
		if (fg == ZS_INUSE_RATIO_0) {
			free_zspage(pool, class, src_zspage);
			pages_freed += class->pages_per_zspage;
		}
		src_zspage = NULL;

		if (get_fullness_group(class, dst_zspage) == ZS_INUSE_RATIO_100) {
			putback_zspage(class, dst_zspage);
			dst_zspage = NULL;

			spin_unlock(&class->lock);
			write_unlock(&pool->lock);
			cond_resched();
			write_lock(&pool->lock);
			spin_lock(&class->lock);
		}
	}

	if (src_zspage)
		putback_zspage(class, src_zspage);
	if (dst_zspage)
		putback_zspage(class, dst_zspage);

	spin_unlock(&class->lock);
	write_unlock(&pool->lock);

	return pages_freed;
}

/**
 * zs_compact - compact every class, largest first
 *
 * Only one compaction runs at a time; a concurrent caller returns 0.
 *
 * Return: pages freed (counted as the kernel counts them: a zspage whose
 * free was deferred still counts).
 */
unsigned long zs_compact(struct zs_pool *pool)
{
	int i;
	struct size_class *class;
	unsigned long pages_freed = 0;

	if (atomic_xchg(&pool->compaction_in_progress, 1))
		return 0;

	for (i = pool->nr_size_classes - 1; i >= 0; i--) {
		class = pool->size_class[i];
		if (class->index != (unsigned int)i)
			continue;
		pages_freed += __zs_compact(pool, class);
	}
	atomic_long_add(pages_freed, &pool->stats.pages_compacted);
	atomic_set(&pool->compaction_in_progress, 0);

	return pages_freed;
}
