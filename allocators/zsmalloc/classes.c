// SPDX-License-Identifier: GPL-2.0-only
/*
 * zsmalloc port: the size-class table, exactly as Linux 6.18's
 * zs_create_pool() and calculate_zspage_chain_size() compute it, but for a
 * chain size given at run time (the kernel's CONFIG_ZSMALLOC_CHAIN_SIZE).
 * Pure arithmetic, shared by pool creation and the read-only table API.
 */
#include "zs_internal.h"

/* The kernel's formula, for the record: zero for every allowed chain size. */
BUILD_BUG_ON(((ZS_MAX_CHAIN_SIZE << PAGE_SHIFT) >> OBJ_INDEX_BITS) > 32);
BUILD_BUG_ON(ZS_MIN_ALLOC_SIZE % ZS_ALIGN || ZS_SIZE_CLASS_DELTA % ZS_ALIGN);
BUILD_BUG_ON(ZS_SIZE_CLASSES != 255);
BUILD_BUG_ON(NR_FULLNESS_GROUPS > (1 << FULLNESS_BITS));

/**
 * zs_calculate_zspage_chain_size - pages per zspage for a class size
 * @class_size: the class's object size
 * @chain: the most pages a zspage may have
 *
 * Picks the number of pages, 1..@chain, whose tail waste is smallest; the
 * first such count wins ties. Power-of-2 sizes waste nothing in one page.
 *
 * Return: pages per zspage.
 */
int zs_calculate_zspage_chain_size(int class_size, unsigned int chain)
{
	int i, min_waste = INT_MAX;
	int chain_size = 1;

	if (is_power_of_2(class_size))
		return chain_size;

	for (i = 1; i <= (int)chain; i++) {
		int waste = (i * PAGE_SIZE) % class_size;

		if (waste < min_waste) {
			min_waste = waste;
			chain_size = i;
		}
	}
	return chain_size;
}

/**
 * zs_class_geometry - the size, pages and objects of class index @i
 * @chain: the pool's chain size
 * @i: class index, 0..ZS_SIZE_CLASSES-1
 * @size: gets ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA, capped at a page
 * @pages_per_zspage: gets the chain length for that size
 * @objs_per_zspage: gets how many objects such a zspage holds
 *
 * This is the class before merging; zs_create_pool() merges neighbours.
 */
void zs_class_geometry(unsigned int chain, int i, int *size, int *pages_per_zspage,
		       int *objs_per_zspage)
{
	int sz = ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA;

	if (sz > (int)ZS_MAX_ALLOC_SIZE)
		sz = ZS_MAX_ALLOC_SIZE;
	*size = sz;
	*pages_per_zspage = zs_calculate_zspage_chain_size(sz, chain);
	*objs_per_zspage = *pages_per_zspage * PAGE_SIZE / sz;
}

/**
 * zs_get_size_class_index - the class index for an allocation of @size
 * bytes, where @size already includes ZS_HANDLE_SIZE as zs_malloc() adds it
 *
 * Return: 0..ZS_SIZE_CLASSES-1, before merging (pool->size_class[] maps
 * merged indexes to the class that serves them).
 */
int zs_get_size_class_index(int size)
{
	int idx = 0;

	if (likely(size > ZS_MIN_ALLOC_SIZE))
		idx = DIV_ROUND_UP(size - ZS_MIN_ALLOC_SIZE, ZS_SIZE_CLASS_DELTA);

	return min_t(int, ZS_SIZE_CLASSES - 1, idx);
}

/**
 * zs_calc_huge_class_size - zs_huge_class_size() for a chain size
 *
 * The kernel walks the classes from the largest down and records the first
 * that is not huge (one object in one page); any object of at least that
 * size less ZS_HANDLE_SIZE - 1 bytes lands in a huge class, because
 * zs_malloc() adds the handle's bytes before the class lookup.
 *
 * Return: the threshold in bytes, as zram reads it.
 */
size_t zs_calc_huge_class_size(unsigned int chain)
{
	int i;

	for (i = ZS_SIZE_CLASSES - 1; i >= 0; i--) {
		int size, ppz, opz;

		zs_class_geometry(chain, i, &size, &ppz, &opz);
		/* The kernel's test, verbatim in meaning: both must differ from 1. */
		if (ppz != 1 && opz != 1)
			return size - (ZS_HANDLE_SIZE - 1);
	}
	return 0;
}
