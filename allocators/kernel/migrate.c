// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page migration as mm/migrate.c drives a movable (non-LRU) page, and the
 * anonymous inode z3fold's v5.4 migration hangs its address_space on.
 *
 * The sequence follows v5.4's isolate_movable_page(), move_to_new_page() and
 * putback_movable_page(), reduced to the single-page case: take a reference,
 * lock, ask the owner to isolate, mark isolated; allocate the destination,
 * lock both, ask the owner to migrate; on success drop the isolation
 * reference (the owner dropped its own), otherwise put the page back.
 */
#include <stdlib.h>

#include "migrate.h"
#include "slab.h"

struct page *zpb_alloc_page_for(struct zpb_page_budget *b, gfp_t gfp);

struct inode *alloc_anon_inode(void *sb)
{
	struct inode *inode = kzalloc(sizeof(*inode), GFP_KERNEL);

	(void)sb;
	if (!inode)
		return ERR_PTR(-ENOMEM);
	inode->i_mapping = &inode->i_data;
	return inode;
}

void iput(struct inode *inode)
{
	kfree(inode);
}

static bool owner_isolate(struct page *page)
{
	if (page->mops)
		return page->mops->isolate_page(page, ISOLATE_UNEVICTABLE);
	return page->mapping->a_ops->isolate_page(page, ISOLATE_UNEVICTABLE);
}

static void owner_putback(struct page *page, const struct movable_operations *mops,
			  struct address_space *mapping)
{
	if (mops)
		mops->putback_page(page);
	else if (mapping)
		mapping->a_ops->putback_page(page);
}

int zpb_migrate_page(struct page *page)
{
	const struct movable_operations *mops;
	struct address_space *mapping;
	struct page *newpage;
	int rc;

	/* isolate_movable_page() */
	if (!get_page_unless_zero(page))
		return -EBUSY;
	if (!__PageMovable(page) || !trylock_page(page)) {
		put_page(page);
		return -EBUSY;
	}
	if (!PageMovable(page) || PageIsolated(page) || !owner_isolate(page)) {
		unlock_page(page);
		put_page(page);
		return -EBUSY;
	}
	__SetPageIsolated(page);
	mops = page->mops;
	mapping = page->mapping;
	unlock_page(page);

	/* unmap_and_move() */
	newpage = zpb_alloc_page_for(page->budget, GFP_KERNEL);
	lock_page(page);
	if (!newpage) {
		rc = -ENOMEM;
		goto putback;
	}
	if (!trylock_page(newpage))
		BUG();
	if (mops)
		rc = mops->migrate_page(newpage, page, MIGRATE_SYNC);
	else if (page->mapping)
		rc = page->mapping->a_ops->migratepage(page->mapping, newpage, page, MIGRATE_SYNC);
	else
		rc = -EAGAIN;	/* the owner freed it meanwhile */
	unlock_page(newpage);
	if (rc == MIGRATEPAGE_SUCCESS) {
		__ClearPageIsolated(page);
		unlock_page(page);
		put_page(page);		/* the isolation reference */
		put_page(newpage);	/* ours; the owner took its own */
		return 0;
	}
	put_page(newpage);
putback:
	/* putback_movable_page(): the owner may have freed the page meanwhile. */
	if (PageMovable(page))
		owner_putback(page, mops, mapping);
	__ClearPageIsolated(page);
	unlock_page(page);
	put_page(page);
	return rc;
}
