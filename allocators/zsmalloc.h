/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Read-only views into the zsmalloc port, for tests and for the kernel
 * fidelity work (issue 5): the class table as the kernel computes it for a
 * chain size, the huge-class threshold zram reads, and per-class counts
 * of a live pool (what /sys/kernel/debug/zsmalloc/POOL/classes shows).
 *
 * Sizes passed to these functions are what the zpool user asks zs_malloc()
 * for; the handle's ZS_HANDLE_SIZE bytes are added here as zs_malloc()
 * adds them.
 */
#ifndef ZPB_ZSMALLOC_H
#define ZPB_ZSMALLOC_H

#include <stddef.h>

#include "zpool.h"

#define ZPB_ZS_SIZE_CLASSES 255
#define ZPB_ZS_FULLNESS_GROUPS 12	/* ZS_INUSE_RATIO_0, _10 .. _99, _100 */

/**
 * struct zpb_zs_class - one size class
 * @index: the class's own index (for a merged index: the class serving it)
 * @size: object slot size in bytes, handle included
 * @pages_per_zspage: pages in one zspage of the class
 * @objs_per_zspage: objects one zspage holds
 * @huge: one object per single-page zspage (its handle kept in the page)
 */
struct zpb_zs_class {
	unsigned int index;
	unsigned int size;
	unsigned int pages_per_zspage;
	unsigned int objs_per_zspage;
	bool huge;
};

/**
 * zpb_zs_class_for - the class a zs_malloc(@size) lands in, with merging
 * @chain: the chain size (CONFIG_ZSMALLOC_CHAIN_SIZE), 4..16
 * @size: the requested size, 1..PAGE_SIZE
 * @out: gets the class
 *
 * Needs no pool: the table depends only on @chain.
 * Return: 0, or -EINVAL for a chain or size out of range.
 */
int zpb_zs_class_for(unsigned int chain, size_t size, struct zpb_zs_class *out);

/**
 * zpb_zs_huge_class_size - zs_huge_class_size() for @chain: the smallest
 * requested size that lands in a huge class, the threshold zram compares
 * compressed lengths against (comp_len >= it: stored as PAGE_SIZE).
 * Return: the threshold, or 0 for a chain out of range.
 */
size_t zpb_zs_huge_class_size(unsigned int chain);

/**
 * struct zpb_zs_class_stats - a live class's counters
 * @class: its geometry
 * @zspages: zspages per fullness group (index 0: empty, awaiting deferred
 *	free; 1..10: RATIO_10..RATIO_99; 11: full)
 * @objs_allocated: object slots in its zspages
 * @objs_inuse: objects allocated
 * @freeable: pages zs_compact() could free (zs_can_compact())
 */
struct zpb_zs_class_stats {
	struct zpb_zs_class class;
	unsigned long zspages[ZPB_ZS_FULLNESS_GROUPS];
	unsigned long objs_allocated;
	unsigned long objs_inuse;
	unsigned long freeable;
};

/**
 * zpb_zs_pool_stats - per-class counters of a zsmalloc pool
 * @zpool: a pool created from a "zsmalloc" spec
 * @out: room for @max entries, filled in class-index order, one per
 *	distinct (unmerged) class that holds any zspage
 * @max: entries in @out
 *
 * Takes each class's lock in turn; not for the hot path.
 * Return: entries filled, or -EINVAL if @zpool is not a zsmalloc pool.
 */
int zpb_zs_pool_stats(struct zpool *zpool, struct zpb_zs_class_stats *out, int max);

/* The pool's chain size and huge-class threshold; 0 if not a zsmalloc pool. */
unsigned int zpb_zs_pool_chain(struct zpool *zpool);
size_t zpb_zs_pool_huge_class_size(struct zpool *zpool);
/* Pages zs_compact() has freed over the pool's life (zs_pool_stats()). */
unsigned long zpb_zs_pool_pages_compacted(struct zpool *zpool);

#endif
