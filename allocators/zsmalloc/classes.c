// SPDX-License-Identifier: GPL-2.0-only
/*
 * zsmalloc port: the size-class table, exactly as Linux 6.18's
 * zs_create_pool() and calculate_zspage_chain_size() compute it, but for a
 * tuning given at run time: the chain size (the kernel's
 * CONFIG_ZSMALLOC_CHAIN_SIZE), the size-class delta (ZS_SIZE_CLASS_DELTA)
 * and the chain-growth rule, the last two after Sergey Senozhatsky's RFC
 * "zsmalloc: size-classes chain-length tunings" (linux-mm, 1 January 2026).
 * Pure arithmetic, shared by pool creation and the read-only table API.
 */
#include "zs_internal.h"

/*
 * The kernel's ZS_MIN_ALLOC_SIZE term, for the record: chain << PAGE_SHIFT
 * >> (12 + PAGE_SHIFT), zero for every allowed chain at every page size.
 */
BUILD_BUG_ON((ZS_MAX_CHAIN_SIZE >> (BITS_PER_LONG - MAX_POSSIBLE_PHYSMEM_BITS)) > 32);
BUILD_BUG_ON(((ZS_MAX_CHAIN_SIZE << PAGE_SHIFT_MAX) >> OBJ_INDEX_BITS) > 32);
/* Every object index of the longest chain of the largest pages fits the port's index bits. */
BUILD_BUG_ON(((ZS_MAX_CHAIN_SIZE << PAGE_SHIFT_MAX) / ZS_MIN_ALLOC_SIZE) > (1UL << OBJ_INDEX_BITS));
BUILD_BUG_ON(ZS_MIN_ALLOC_SIZE % ZS_ALIGN || ZPB_ZS_MIN_DELTA % ZS_ALIGN);
BUILD_BUG_ON(NR_FULLNESS_GROUPS > (1 << FULLNESS_BITS));
/* Every class index of the smallest delta at the largest page fits the zspage's field. */
BUILD_BUG_ON(DIV_ROUND_UP(PAGE_SIZE_MAX - ZS_MIN_ALLOC_SIZE, ZPB_ZS_MIN_DELTA) + 1 >
	     (1UL << ZS_CLASS_INDEX_BITS));
BUILD_BUG_ON(DIV_ROUND_UP(PAGE_SIZE_MAX - ZS_MIN_ALLOC_SIZE, ZPB_ZS_MIN_DELTA) + 1 != ZPB_ZS_SIZE_CLASSES);
/* The kernel's delta at each page size is one a spec can name. */
BUILD_BUG_ON((PAGE_SIZE_MAX >> CLASS_BITS) != ZPB_ZS_MAX_DELTA);
BUILD_BUG_ON(((1UL << PAGE_SHIFT_MIN) >> CLASS_BITS) != ZPB_ZS_MIN_DELTA);

/**
 * zs_tuning_resolve - @t with its delta filled in
 *
 * A delta of 0 (ZPB_ZS_TUNING_DEFAULT's) is the kernel's own for the page
 * size in force, ZS_SIZE_CLASS_DELTA: 16 at 4K, 64 at 16K, 256 at 64K.
 */
struct zpb_zs_tuning zs_tuning_resolve(const struct zpb_zs_tuning *t)
{
	struct zpb_zs_tuning r = *t;

	if (!r.delta)
		r.delta = ZS_SIZE_CLASS_DELTA;
	return r;
}

/**
 * zs_tuning_valid - whether @t describes a table the class math supports
 *
 * The chain within Kconfig's range; the delta resolved (zs_tuning_resolve())
 * and a power of two (so classes stay ZS_ALIGN-aligned and the index is a
 * shift) from ZPB_ZS_MIN_DELTA to ZPB_ZS_MAX_DELTA; a known policy.
 */
bool zs_tuning_valid(const struct zpb_zs_tuning *t)
{
	return t->chain >= ZS_MIN_CHAIN_SIZE && t->chain <= ZS_MAX_CHAIN_SIZE &&
	       is_power_of_2(t->delta) && t->delta >= ZPB_ZS_MIN_DELTA &&
	       t->delta <= ZPB_ZS_MAX_DELTA &&
	       (t->chain_policy == ZPB_ZS_CHAIN_KERNEL || t->chain_policy == ZPB_ZS_CHAIN_RFC);
}

/* ZS_SIZE_CLASSES for @t's delta: the kernel's formula. */
int zs_nr_size_classes(const struct zpb_zs_tuning *t)
{
	/* DIV_ROUND_UP by a power of two, as a shift: zs_malloc() asks on every call. */
	return (int)((ZS_MAX_ALLOC_SIZE - ZS_MIN_ALLOC_SIZE + t->delta - 1) >> __builtin_ctz(t->delta)) + 1;
}

/*
 * 6.18's calculate_zspage_chain_size(): the number of pages, 1..@chain,
 * whose tail waste is smallest; the first such count wins ties. Power-of-2
 * sizes waste nothing in one page.
 */
static int chain_size_kernel(int class_size, unsigned int chain)
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

/*
 * The RFC's rule (RFC PATCH 2/2, "zsmalloc: chain-length configuration
 * should consider other metrics"): grow the chain from one page, and stop
 * as soon as the best chain so far wastes at most 1/64 of its zspage
 * ("early exit, < 1.5%"). While the best wastes more than 10% of its
 * zspage ("safety valve"), any longer chain that wastes less replaces it;
 * otherwise only one that wastes less than 3/4 of it (a 25% saving).
 *
 * port: the rule as calculate_zspage_chain_size_new() of Sergey
 * Senozhatsky's simulate-zsmalloc tool has it at commit 0907fa9 (the tool
 * the RFC cites for its thresholds), read on 2026-12-03; the RFC's own diff
 * could not be read here, so that it is the same is not confirmed. The
 * tool starts from min_waste = INT_MAX, whose "min_waste * 10" overflows
 * an int at the first page; 64-bit products here keep the meaning (the
 * first page is always taken) without the undefined behaviour. The tool's
 * other version (commit e07db98: exact "curr * 4 < min * 3" and the exit
 * test after each step) picks the same chains for every class size that
 * is a multiple of 4, as every class size here is (tests pin this down).
 */
static int chain_size_rfc(int class_size, unsigned int chain)
{
	long long min_waste = INT_MAX;
	int i, chain_size = 1;

	if (is_power_of_2(class_size))
		return chain_size;

	for (i = 1; i <= (int)chain; i++) {
		long long waste = ((long long)i * PAGE_SIZE) % class_size;
		long long zspage = (long long)chain_size * PAGE_SIZE;

		/* Early exit: the best wastes at most 1/64 (about 1.5%) of its zspage. */
		if (min_waste <= zspage / 64)
			break;

		if (min_waste * 10 > zspage) {
			/* Safety valve: the best wastes over 10%, so anything better will do. */
			if (waste < min_waste) {
				min_waste = waste;
				chain_size = i;
			}
		} else if (waste < min_waste * 3 / 4) {
			/* Otherwise a longer chain has to save at least 25% of the waste. */
			min_waste = waste;
			chain_size = i;
		}
	}
	return chain_size;
}

/**
 * zs_calculate_zspage_chain_size - pages per zspage for a class size
 * @class_size: the class's object size
 * @t: the tuning: its chain is the most pages a zspage may have, its
 *	policy the rule that picks among 1..chain
 *
 * Return: pages per zspage.
 */
int zs_calculate_zspage_chain_size(int class_size, const struct zpb_zs_tuning *t)
{
	if (t->chain_policy == ZPB_ZS_CHAIN_RFC)
		return chain_size_rfc(class_size, t->chain);
	return chain_size_kernel(class_size, t->chain);
}

/**
 * zs_class_geometry - the size, pages and objects of class index @i
 * @t: the pool's tuning
 * @i: class index, 0..zs_nr_size_classes(@t)-1
 * @size: gets ZS_MIN_ALLOC_SIZE + i * delta, capped at a page
 * @pages_per_zspage: gets the chain length for that size
 * @objs_per_zspage: gets how many objects such a zspage holds
 *
 * This is the class before merging; zs_create_pool() merges neighbours.
 */
void zs_class_geometry(const struct zpb_zs_tuning *t, int i, int *size, int *pages_per_zspage,
		       int *objs_per_zspage)
{
	int sz = ZS_MIN_ALLOC_SIZE + i * (int)t->delta;

	if (sz > (int)ZS_MAX_ALLOC_SIZE)
		sz = ZS_MAX_ALLOC_SIZE;
	*size = sz;
	*pages_per_zspage = zs_calculate_zspage_chain_size(sz, t);
	*objs_per_zspage = *pages_per_zspage * PAGE_SIZE / sz;
}

/**
 * zs_get_size_class_index - the class index for an allocation of @size
 * bytes, where @size already includes ZS_HANDLE_SIZE as zs_malloc() adds it
 * @t: the pool's tuning
 *
 * The kernel divides by the constant ZS_SIZE_CLASS_DELTA; the delta is a
 * power of two here, so the same DIV_ROUND_UP is a shift.
 *
 * Return: 0..zs_nr_size_classes(@t)-1, before merging (pool->size_class[]
 * maps merged indexes to the class that serves them).
 */
int zs_get_size_class_index(const struct zpb_zs_tuning *t, int size)
{
	return zs_class_index(size, t->delta, zs_nr_size_classes(t));
}

/**
 * zs_calc_huge_class_size - zs_huge_class_size() for a tuning
 *
 * The kernel walks the classes from the largest down and records the first
 * that is not huge (one object in one page); any object of at least that
 * size less ZS_HANDLE_SIZE - 1 bytes lands in a huge class, because
 * zs_malloc() adds the handle's bytes before the class lookup.
 *
 * Return: the threshold in bytes, as zram reads it.
 */
size_t zs_calc_huge_class_size(const struct zpb_zs_tuning *t)
{
	int i;

	for (i = zs_nr_size_classes(t) - 1; i >= 0; i--) {
		int size, ppz, opz;

		zs_class_geometry(t, i, &size, &ppz, &opz);
		/* The kernel's test, verbatim in meaning: both must differ from 1. */
		if (ppz != 1 && opz != 1)
			return size - (ZS_HANDLE_SIZE - 1);
	}
	return 0;
}
