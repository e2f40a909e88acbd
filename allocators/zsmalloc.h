/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Read-only views into the zsmalloc port, for tests and for the kernel
 * fidelity work (issue 5): the class table as the kernel computes it for a
 * chain size (or a whole tuning: chain, delta, chain policy), the huge-class threshold zram reads, and per-class counts
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

/*
 * The most class indexes a table can have: the smallest delta (16) at the
 * largest page (64K). 6.18's own tables have 255 (4K) and 257 (16K, 64K).
 */
#define ZPB_ZS_SIZE_CLASSES 4095
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

/*
 * How a pool's zspage chain lengths are chosen (the spec's chain_policy):
 * KERNEL is 6.18's calculate_zspage_chain_size() (the least tail waste over
 * 1..chain pages); RFC is the rule of Sergey Senozhatsky's RFC 2/2 of
 * 1 January 2026 (grow the chain only when that saves enough), see
 * docs/allocators.md.
 */
enum zpb_zs_chain_policy {
	ZPB_ZS_CHAIN_KERNEL,
	ZPB_ZS_CHAIN_RFC,
};

/*
 * The size-class delta the spec's delta accepts: powers of two from 6.18's
 * ZS_SIZE_CLASS_DELTA at 4K pages (PAGE_SIZE >> CLASS_BITS) up to 256, the
 * delta 6.18 has at 64K pages. Below the page's own delta (the RFC's 16 at
 * 16K) the table has more classes than the kernel's CLASS_BITS + 1 bits
 * number; the port's zspage field is wider (zs_internal.h).
 */
#define ZPB_ZS_MIN_DELTA 16
#define ZPB_ZS_MAX_DELTA 256

/**
 * struct zpb_zs_tuning - what a zsmalloc class table depends on
 * @chain: pages per zspage at most (CONFIG_ZSMALLOC_CHAIN_SIZE), 4..16
 * @delta: bytes between neighbouring size classes (ZS_SIZE_CLASS_DELTA),
 *	a power of two ZPB_ZS_MIN_DELTA..ZPB_ZS_MAX_DELTA, or 0 for the
 *	kernel's at the page size in force (PAGE_SIZE >> CLASS_BITS)
 * @chain_policy: how each class's chain length is chosen
 */
struct zpb_zs_tuning {
	unsigned int chain;
	unsigned int delta;
	enum zpb_zs_chain_policy chain_policy;
};

/* Linux 6.18's: chain 8 (Kconfig's default), the page size's delta, its own chain rule. */
#define ZPB_ZS_TUNING_DEFAULT { .chain = 8, .delta = 0, .chain_policy = ZPB_ZS_CHAIN_KERNEL }

/**
 * zpb_zs_class_for_tuning - the class a zs_malloc(@size) lands in, with merging
 * @t: the table's tuning
 * @size: the requested size, 1..PAGE_SIZE
 * @out: gets the class
 *
 * Needs no pool: the table depends only on @t.
 * Return: 0, or -EINVAL for a tuning or size out of range.
 */
int zpb_zs_class_for_tuning(const struct zpb_zs_tuning *t, size_t size, struct zpb_zs_class *out);

/* The same for the 6.18 defaults but @chain. */
int zpb_zs_class_for(unsigned int chain, size_t size, struct zpb_zs_class *out);

/**
 * zpb_zs_huge_class_size_tuning - zs_huge_class_size() for @t: the smallest
 * requested size that lands in a huge class, the threshold zram compares
 * compressed lengths against (comp_len >= it: stored as PAGE_SIZE).
 * Return: the threshold, or 0 for a tuning out of range.
 */
size_t zpb_zs_huge_class_size_tuning(const struct zpb_zs_tuning *t);

/* The same for the 6.18 defaults but @chain. */
size_t zpb_zs_huge_class_size(unsigned int chain);

/*
 * Class indexes of @t's table before merging (ZS_SIZE_CLASSES:
 * DIV_ROUND_UP(PAGE_SIZE - 32, delta) + 1), at most ZPB_ZS_SIZE_CLASSES;
 * 0 for a tuning out of range.
 */
int zpb_zs_nr_size_classes(const struct zpb_zs_tuning *t);

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
/* The pool's tuning in @out; -EINVAL if not a zsmalloc pool. */
int zpb_zs_pool_tuning(struct zpool *zpool, struct zpb_zs_tuning *out);
size_t zpb_zs_pool_huge_class_size(struct zpool *zpool);
/* Pages zs_compact() has freed over the pool's life (zs_pool_stats()). */
unsigned long zpb_zs_pool_pages_compacted(struct zpool *zpool);

#endif
