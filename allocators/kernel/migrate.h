/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Movable pages and page migration, as kernel compaction drives them.
 *
 * Two registration styles exist because the ports come from two eras:
 * z3fold (v5.4) marks pages movable with an address_space whose a_ops carry
 * isolate_page/migratepage/putback_page; zsmalloc (6.x) passes a
 * movable_operations table. __SetPageMovable() accepts either, as each
 * kernel's own signature did.
 *
 * zpb_migrate_page() plays the part of mm/migrate.c and mm/compaction.c:
 * isolate, allocate a destination page charged to the same budget, migrate,
 * and put back on failure, with the kernel's reference and lock protocol.
 */
#ifndef ZPB_KERNEL_MIGRATE_H
#define ZPB_KERNEL_MIGRATE_H

#include "page.h"

enum migrate_mode {
	MIGRATE_ASYNC,
	MIGRATE_SYNC_LIGHT,
	MIGRATE_SYNC,
};

#define MIGRATEPAGE_SUCCESS 0
#define ISOLATE_UNEVICTABLE 0x8u

struct address_space_operations {
	bool (*isolate_page)(struct page *page, isolate_mode_t mode);
	int (*migratepage)(struct address_space *mapping, struct page *newpage,
			   struct page *page, enum migrate_mode mode);
	void (*putback_page)(struct page *page);
};

struct address_space {
	const struct address_space_operations *a_ops;
	void *private_data;
};

struct movable_operations {
	bool (*isolate_page)(struct page *page, isolate_mode_t mode);
	int (*migrate_page)(struct page *dst, struct page *src, enum migrate_mode mode);
	void (*putback_page)(struct page *page);
};

/*
 * z3fold's v5.4 code keeps its address_space in an anonymous inode on a
 * pseudo filesystem. There is no VFS here: the inode is just the holder of
 * the address_space, and the mount is a no-op kept so that the port's
 * z3fold_mount()/z3fold_register_migration() read as the original.
 */
struct inode {
	struct address_space i_data;
	struct address_space *i_mapping;
};
struct inode *alloc_anon_inode(void *sb);
void iput(struct inode *inode);

static inline void zpb_set_movable_mapping(struct page *page, struct address_space *mapping)
{
	WRITE_ONCE(page->mapping, mapping);
	WRITE_ONCE(page->mops, NULL);
	set_bit(PG_movable, &page->flags);
}

static inline void zpb_set_movable_ops(struct page *page, const struct movable_operations *mops)
{
	WRITE_ONCE(page->mapping, NULL);
	WRITE_ONCE(page->mops, mops);
	set_bit(PG_movable, &page->flags);
}

#define __SetPageMovable(page, m) _Generic((m),					\
	struct address_space *: zpb_set_movable_mapping,				\
	const struct movable_operations *: zpb_set_movable_ops,				\
	struct movable_operations *: zpb_set_movable_ops)(page, m)

static inline void __ClearPageMovable(struct page *page)
{
	/* As the kernel: the movable tag stays so isolated pages still
	 * reach putback, but the owner's mapping is forgotten. */
	WRITE_ONCE(page->mapping, NULL);
	WRITE_ONCE(page->mops, NULL);
}

static inline bool __PageMovable(const struct page *page) { return test_bit(PG_movable, &page->flags); }
static inline bool PageMovable(const struct page *page)
{
	/* Read racily by page walks (zpool_migrate_pages), hence READ_ONCE. */
	return __PageMovable(page) && (READ_ONCE(page->mapping) || READ_ONCE(page->mops));
}
static inline struct address_space *page_mapping(struct page *page) { return READ_ONCE(page->mapping); }

/**
 * zpb_migrate_page - migrate one page the way kernel compaction does
 * @page: a page of some pool, movable or not
 *
 * Return: 0 if the contents moved to a new page and @page was freed;
 * -EBUSY if the page is not movable or could not be isolated or locked;
 * -ENOMEM if no destination page could be allocated; or the owner's
 * migrate error (the page is then put back).
 */
int zpb_migrate_page(struct page *page);

#endif
