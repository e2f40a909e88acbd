// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: threaded
/*
 * zsmalloc's class table and placement rules, with expected values worked
 * out by hand from the kernel's formulas (Linux 6.18 mm/zsmalloc.c, x86-64,
 * 4 KiB pages):
 *   ZS_MIN_ALLOC_SIZE = MAX(32, chain << 12 >> 24) = 32
 *   ZS_SIZE_CLASS_DELTA = 4096 >> 8 = 16
 *   ZS_SIZE_CLASSES = DIV_ROUND_UP(4096 - 32, 16) + 1 = 255
 *   class index of a request of n bytes: DIV_ROUND_UP(n + 8 - 32, 16)
 *   (the 8-byte handle is added first), class i has size 32 + 16 i;
 *   pages_per_zspage: the k in 1..chain with the least (k * 4096) % size,
 *   the first such k on ties; objs_per_zspage = k * 4096 / size;
 *   a class merges into the next larger one of equal (pages, objs).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../allocators/kernel/compat.h"
#include "../allocators/zsmalloc.h"
#include "harness.h"
#include "pool_util.h"

static struct zpool *zs_pool(const char *spec_text)
{
	struct zpb_spec spec;
	struct zpool *zp;
	char err[256];

	if (zpb_spec_parse(spec_text, &spec, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "spec '%s': %s", spec_text, err);
		return NULL;
	}
	zp = zpool_create_pool(&spec, zpbt_current(), NULL, 0);
	if (!zp)
		zpbt_fail(__FILE__, __LINE__, "zsmalloc: zpool_create_pool(%s) failed", spec_text);
	return zp;
}

/* Pages the pool holds, checked three ways: its own count, the arena's, total_size. */
static unsigned long pages(struct zpool *zp)
{
	unsigned long arena = zpool_pages(zp);
	u64 total = zpool_get_total_size(zp);

	CHECK(total == (u64)arena * PAGE_SIZE,
	      "zsmalloc total_size %lu bytes != %lu arena pages", (unsigned long)total, arena);
	return arena;
}

static unsigned long alloc(struct zpool *zp, size_t size)
{
	unsigned long h = 0;
	int ret = zpool_malloc(zp, size, GFP_KERNEL, &h);

	CHECK(ret == 0, "zsmalloc malloc(%zu): expected 0, got %d", size, ret);
	return h;
}

static void write_obj(struct zpool *zp, unsigned long h, size_t size, uint64_t tag)
{
	zpbt_fill(zpool_map_handle(zp, h, ZPOOL_MM_WO), size, tag);
	zpool_unmap_handle(zp, h);
}

static size_t verify_obj(struct zpool *zp, unsigned long h, size_t size, uint64_t tag)
{
	size_t bad = zpbt_verify(zpool_map_handle(zp, h, ZPOOL_MM_RO), size, tag);

	zpool_unmap_handle(zp, h);
	return bad;
}

static void finish(struct zpool *zp)
{
	long left = zpool_destroy_pool(zp);

	CHECK(left == 0, "zsmalloc destroy: %ld pages left", left);
	CHECK(zpb_diag_warnings() == 0, "zsmalloc: %lu WARNs", zpb_diag_warnings());
}

static void check_class(unsigned int chain, size_t req, unsigned int index, unsigned int size,
			unsigned int ppz, unsigned int opz)
{
	struct zpb_zs_class c;
	int ret = zpb_zs_class_for(chain, req, &c);

	REQUIRE(ret == 0, "zsmalloc chain=%u class_for(%zu): %d", chain, req, ret);
	CHECK(c.index == index && c.size == size && c.pages_per_zspage == ppz &&
	      c.objs_per_zspage == opz,
	      "zsmalloc chain=%u class of a %zu-byte object: expected index %u size %u %u pages %u objs, "
	      "got index %u size %u %u pages %u objs", chain, req, index, size, ppz, opz,
	      c.index, c.size, c.pages_per_zspage, c.objs_per_zspage);
	CHECK(c.huge == (ppz == 1 && opz == 1), "zsmalloc chain=%u size %zu: huge flag", chain, req);
}

TEST(zsmalloc_class_table_matches_the_kernel_formulas_chain8)
{
	/* 1 + 8 = 9 <= 32: class 0, size 32; a power of 2 takes one page: 4096 / 32 = 128 objects. */
	check_class(8, 1, 0, 32, 1, 128);
	/* 24 + 8 = 32: still class 0. 25 + 8 = 33: DIV_ROUND_UP(1, 16) = 1, size 48;
	 * waste (k*4096) % 48 = 16, 32, 0 for k = 1, 2, 3: 3 pages, 12288 / 48 = 256 objects. */
	check_class(8, 24, 0, 32, 1, 128);
	check_class(8, 25, 1, 48, 3, 256);
	/* 100 + 8 = 108: DIV_ROUND_UP(76, 16) = 5, size 112; waste for k = 1..8 is
	 * 64, 16, 80, 32, 96, 48, 0, 64: k = 7, 28672 / 112 = 256 objects. */
	check_class(8, 100, 5, 112, 7, 256);
	/* 1624 + 8 = 1632: index 100; waste 832, 32, 864, 64, 896, 96, 928, 128: k = 2, 5 objects. */
	check_class(8, 1624, 100, 1632, 2, 5);
	/* 2056 + 8 = 2064: index 127; classes 127..134 (2064..2176) all have 8 pages and
	 * 15 objects (2176: waste 128 at k = 8, 32768 / 2176 = 15), so they merge into 134. */
	check_class(8, 2056, 134, 2176, 8, 15);
	check_class(8, 2072, 134, 2176, 8, 15);
	/* 3624 + 8 = 3632: index 225; waste 464 * k for k <= 7 (3248 at 7), 80 at 8: 8 pages,
	 * 32768 / 3632 = 9 objects: the largest class that is not huge. */
	check_class(8, 3624, 225, 3632, 8, 9);
	/* 3625 + 8 = 3633: index 226 (3648) and up are 1 page / 1 object, merged into 254 (4096). */
	check_class(8, 3625, 254, 4096, 1, 1);
	check_class(8, 4096, 254, 4096, 1, 1);
	/* huge_class_size = 3632 - (8 - 1) = 3625. */
	CHECK_EQ_UL(zpb_zs_huge_class_size(8), 3625, "zsmalloc chain=8 huge_class_size");
	CHECK_EQ_UL(zpb_zs_huge_class_size(3), 0, "zsmalloc chain=3 (out of Kconfig's 4..16) huge_class_size");
}

TEST(zsmalloc_class_table_matches_the_kernel_formulas_chain4)
{
	/* Size 112 with k <= 4: waste 64, 16, 80, 32: k = 2, 8192 / 112 = 73 objects. */
	check_class(4, 100, 5, 112, 2, 73);
	/* 1632 has its best chain at 2 either way. */
	check_class(4, 1624, 100, 1632, 2, 5);
	/* 2064 now merges up to 2336 (index 144): waste 1760, 1184, 608, 32: 4 pages, 7 objects. */
	check_class(4, 2056, 144, 2336, 4, 7);
	/* 3256 + 8 = 3264 (index 202): waste 832, 1664, 2496, 64: 4 pages, 16384 / 3264 = 5 objects;
	 * the largest non-huge class, so huge_class_size = 3264 - 7 = 3257. */
	check_class(4, 3256, 202, 3264, 4, 5);
	check_class(4, 3257, 254, 4096, 1, 1);
	CHECK_EQ_UL(zpb_zs_huge_class_size(4), 3257, "zsmalloc chain=4 huge_class_size");
	/* 3000 + 8 = 3008: index 186, merged up to 3072 (index 190): 3 pages, 4 objects. */
	check_class(4, 3000, 190, 3072, 3, 4);
}

/* Distinct classes serving sizes 1..4096: what zs_create_pool() allocates. */
static unsigned int distinct_classes(unsigned int chain)
{
	bool seen[ZPB_ZS_SIZE_CLASSES] = { false };
	unsigned int n = 0;
	struct zpb_zs_class c;
	size_t size;

	for (size = 1; size <= PAGE_SIZE; size++)
		if (zpb_zs_class_for(chain, size, &c) == 0 && c.index < ZPB_ZS_SIZE_CLASSES && !seen[c.index]) {
			seen[c.index] = true;
			n++;
		}
	return n;
}

TEST(zsmalloc_merging_leaves_119_classes_at_chain8_and_69_at_chain4)
{
	struct zpb_zs_class c;

	/*
	 * Counted by running the kernel's loop (largest index down, merge into
	 * the last created class on equal pages and objects) over all 255
	 * sizes, independently of the port (a script, by hand for spot checks
	 * such as 127..134 -> 134 above).
	 */
	CHECK_EQ_UL(distinct_classes(8), 119, "zsmalloc chain=8 distinct classes");
	CHECK_EQ_UL(distinct_classes(4), 69, "zsmalloc chain=4 distinct classes");
	CHECK(zpb_zs_class_for(8, 0, &c) == -EINVAL && zpb_zs_class_for(8, PAGE_SIZE + 1, &c) == -EINVAL,
	      "zsmalloc class_for: sizes 0 and 4097 are refused");
}

TEST(zsmalloc_chain_option_is_checked_against_kconfig_range)
{
	struct zpb_spec spec;
	char err[256];

	CHECK(zpb_spec_parse("zsmalloc:chain=3", &spec, err, sizeof(err)) != 0,
	      "zsmalloc chain=3 must be refused (Kconfig range 4..16)");
	CHECK(zpb_spec_parse("zsmalloc:chain=17", &spec, err, sizeof(err)) != 0,
	      "zsmalloc chain=17 must be refused (Kconfig range 4..16)");
	REQUIRE(zpb_spec_parse("zsmalloc", &spec, err, sizeof(err)) == 0, "zsmalloc spec: %s", err);
	CHECK_EQ_UL(zpb_spec_get(&spec, "chain"), 8, "zsmalloc default chain");
}

TEST(zsmalloc_live_pool_reports_chain_and_huge_threshold)
{
	struct zpool *zp = zs_pool("zsmalloc:chain=4");

	REQUIRE(zp, "pool");
	CHECK_EQ_UL(zpb_zs_pool_chain(zp), 4, "zsmalloc pool chain");
	CHECK_EQ_UL(zpb_zs_pool_huge_class_size(zp), 3257, "zsmalloc pool huge_class_size (chain 4)");
	finish(zp);
}

/* N objects of one class take ceil(N / objs) zspages of ppz pages; freeing all gives back every page. */
static void fill_and_count(const char *spec, size_t size, unsigned int n, unsigned long expect)
{
	struct zpool *zp = zs_pool(spec);
	unsigned long *h = calloc(n, sizeof(*h));
	unsigned int i;

	REQUIRE(zp && h, "pool");
	for (i = 0; i < n; i++)
		h[i] = alloc(zp, size);
	CHECK(pages(zp) == expect, "%s: %u objects of %zu bytes: expected %lu pages, got %lu",
	      spec, n, size, expect, pages(zp));
	for (i = 0; i < n; i++)
		zpool_free(zp, h[i]);
	CHECK(pages(zp) == 0, "%s: after freeing all: expected 0 pages, got %lu", spec, pages(zp));
	free(h);
	finish(zp);
}

TEST(zsmalloc_n_objects_take_ceil_n_over_objs_zspages)
{
	/* size 100 -> class 112: chain 8: 7 pages / 256 objects; 257 objects: 2 zspages = 14 pages. */
	fill_and_count("zsmalloc", 100, 256, 7);
	fill_and_count("zsmalloc", 100, 257, 14);
	/* chain 4: 2 pages / 73 objects; 146 objects: 4 pages; 147: 6 pages. */
	fill_and_count("zsmalloc:chain=4", 100, 146, 4);
	fill_and_count("zsmalloc:chain=4", 100, 147, 6);
	/* huge: each object of >= 3625 bytes takes its own page. */
	fill_and_count("zsmalloc", 3625, 3, 3);
	fill_and_count("zsmalloc", 4096, 2, 2);
	/* just below: class 3632, 8 pages / 9 objects: 10 objects take 16 pages. */
	fill_and_count("zsmalloc", 3624, 10, 16);
	/* 1 byte: class 32, 128 per page: 129 objects take 2 pages. */
	fill_and_count("zsmalloc", 1, 129, 2);
}

/*
 * 16K pages, by hand from 6.18's formulas: ZS_SIZE_CLASS_DELTA = 16384 >>
 * CLASS_BITS 8 = 64, ZS_SIZE_CLASSES = DIV_ROUND_UP(16384 - 32, 64) + 1 =
 * 257 (the 257th index is why the kernel's field is CLASS_BITS + 1 wide).
 *   100 B: +8 = 108 -> index ceil(76 / 64) = 2, size 160; tail waste over
 *     1..8 pages 64, 128, 32, 96, 0: 5 pages, 512 objects.
 *   1000 B: 1008 -> index 16, size 1056; waste 544, 32, 576, 64, ...: the
 *     least (32) at 2 pages, 31 objects (no larger size merges).
 *   3000 B: 3008 -> index 47, size 3040; waste 1184, 2368, 512, 1696, 2880,
 *     1024, 2208, 352: 8 pages, 43 objects.
 *   huge: the largest class that is not one object in one page is index
 *     227 (size 14560, 8 pages, 9 objects), so zs_huge_class_size() is
 *     14560 - 7 = 14553.
 * The RFC's delta 16 at 16K: DIV_ROUND_UP(16352, 16) + 1 = 1023 indexes;
 * 1000 B: 1008 is a size of its own, waste 256, 512, 768, 16: 4 pages, 65.
 */
TEST(zsmalloc_16k_class_table_by_hand)
{
	struct zpb_zs_tuning t = ZPB_ZS_TUNING_DEFAULT, t16 = ZPB_ZS_TUNING_DEFAULT;
	struct zpb_zs_class c;
	struct zpool *zp;

	if (!zpbt_page_size(16384))
		return;
	t16.delta = 16;
	CHECK_EQ_UL(zpb_zs_nr_size_classes(&t), 257, "zsmalloc 16K class indexes");
	CHECK_EQ_UL(zpb_zs_nr_size_classes(&t16), 1023, "zsmalloc:delta=16 16K class indexes");
	CHECK_EQ_UL(zpb_zs_huge_class_size(8), 14553, "zsmalloc 16K huge_class_size");
	check_class(8, 100, 2, 160, 5, 512);
	check_class(8, 1000, 16, 1056, 2, 31);
	check_class(8, 3000, 47, 3040, 8, 43);
	CHECK(zpb_zs_class_for_tuning(&t16, 1000, &c) == 0 && c.size == 1008 && c.pages_per_zspage == 4 &&
	      c.objs_per_zspage == 65, "zsmalloc:delta=16 16K class of 1000 B: got size %u, %u pages, %u objs",
	      c.size, c.pages_per_zspage, c.objs_per_zspage);
	/* Pools: the spec's delta follows the page; delta=64 is the default there. */
	zp = zs_pool("zsmalloc:delta=64");
	if (zp) {
		struct zpb_zs_tuning got;

		CHECK(!strcmp(zp->spec.text, "zsmalloc"), "zsmalloc:delta=64 at 16K is '%s', not 'zsmalloc'",
		      zp->spec.text);
		CHECK(zpb_zs_pool_tuning(zp, &got) == 0 && got.delta == 64, "zsmalloc 16K pool delta %u", got.delta);
		finish(zp);
	}
	fill_and_count("zsmalloc", 1000, 31, 2);
	fill_and_count("zsmalloc", 1000, 32, 4);
	fill_and_count("zsmalloc", 3000, 43, 8);
	fill_and_count("zsmalloc", 3000, 44, 16);
	fill_and_count("zsmalloc", 14553, 2, 2);	/* huge: a page each */
	fill_and_count("zsmalloc:delta=16", 1000, 65, 4);
	fill_and_count("zsmalloc:delta=16", 1000, 66, 8);
	zpbt_page_size(4096);
}

/*
 * 64K: delta 65536 >> 8 = 256, again 257 indexes. 1000 B: 1008 -> index 4,
 * size 1056, waste 64 at one page (the least): 62 objects a page. huge:
 * index 227, size 58144 (8 pages, 9 objects): 58137.
 */
TEST(zsmalloc_64k_class_table_by_hand)
{
	struct zpb_zs_tuning t = ZPB_ZS_TUNING_DEFAULT;

	if (!zpbt_page_size(65536))
		return;
	CHECK_EQ_UL(zpb_zs_nr_size_classes(&t), 257, "zsmalloc 64K class indexes");
	CHECK_EQ_UL(zpb_zs_huge_class_size(8), 58137, "zsmalloc 64K huge_class_size");
	check_class(8, 1000, 4, 1056, 1, 62);
	fill_and_count("zsmalloc", 1000, 62, 1);
	fill_and_count("zsmalloc", 1000, 63, 2);
	zpbt_page_size(4096);
}

TEST(zsmalloc_merged_sizes_share_one_zspage)
{
	struct zpool *zp = zs_pool("zsmalloc");
	unsigned long a, b;

	REQUIRE(zp, "pool");
	/* 2056 (index 127) and 2168 (index 134) both use class 134: one 8-page zspage. */
	a = alloc(zp, 2056);
	b = alloc(zp, 2168);
	CHECK(pages(zp) == 8, "zsmalloc merged class: two objects of sizes 2056 and 2168: expected 8 pages, got %lu",
	      pages(zp));
	/* 2048 (2056 with the handle: index 127 too) also lands there; 2040 + 8 = 2048 is class 126. */
	zpool_free(zp, a);
	zpool_free(zp, b);
	a = alloc(zp, 2040);
	CHECK(pages(zp) == 1, "zsmalloc class 2048 (power of 2): expected 1 page, got %lu", pages(zp));
	zpool_free(zp, a);
	finish(zp);
}

/*
 * Class 1632 (request 1624): 2 pages, 5 objects per zspage. Fullness group
 * is 1 + (100 * inuse / 5) / 10: 4 in use -> 80% -> group 9, 2 -> 40% -> 5.
 */
#define C1632 1624

TEST(zsmalloc_next_object_goes_to_the_fullest_zspage)
{
	struct zpool *zp = zs_pool("zsmalloc");
	unsigned long a[5], b[5], x;
	int i;

	REQUIRE(zp, "pool");
	for (i = 0; i < 5; i++)
		a[i] = alloc(zp, C1632);
	for (i = 0; i < 5; i++)
		b[i] = alloc(zp, C1632);
	CHECK(pages(zp) == 4, "zsmalloc: 10 objects of class 1632: expected 4 pages, got %lu", pages(zp));
	/* A to 4/5 (group 9), B to 2/5 (group 5): the next object goes to A. */
	zpool_free(zp, a[0]);
	zpool_free(zp, b[0]);
	zpool_free(zp, b[1]);
	zpool_free(zp, b[2]);
	x = alloc(zp, C1632);
	CHECK(pages(zp) == 4, "zsmalloc: an object with room in two zspages took a new one (%lu pages)", pages(zp));
	/* Emptying B frees it only if x went to A. */
	zpool_free(zp, b[3]);
	zpool_free(zp, b[4]);
	CHECK(pages(zp) == 2, "zsmalloc: expected the new object in the fuller zspage A, so B's 2 pages go when it empties; got %lu pages",
	      pages(zp));
	zpool_free(zp, x);
	for (i = 1; i < 5; i++)
		zpool_free(zp, a[i]);
	CHECK(pages(zp) == 0, "zsmalloc: expected 0 pages, got %lu", pages(zp));
	finish(zp);
}

TEST(zsmalloc_within_a_group_the_zspage_that_entered_last_is_used_first)
{
	struct zpool *zp = zs_pool("zsmalloc");
	unsigned long a[5], b[5], x;
	int i;

	REQUIRE(zp, "pool");
	for (i = 0; i < 5; i++)
		a[i] = alloc(zp, C1632);
	for (i = 0; i < 5; i++)
		b[i] = alloc(zp, C1632);
	/* Both to 4/5 (group 9): A enters first, B after it, at the list head (list_add). */
	zpool_free(zp, a[0]);
	zpool_free(zp, b[0]);
	x = alloc(zp, C1632);
	/* So x went to B: emptying A frees its pages. */
	for (i = 1; i < 5; i++)
		zpool_free(zp, a[i]);
	CHECK(pages(zp) == 2, "zsmalloc: expected the new object in B (head of group 9), so A's pages go; got %lu pages",
	      pages(zp));
	zpool_free(zp, x);
	for (i = 1; i < 5; i++)
		zpool_free(zp, b[i]);
	finish(zp);
}

TEST(zsmalloc_zspage_is_freed_exactly_when_its_last_object_goes)
{
	struct zpool *zp = zs_pool("zsmalloc");
	unsigned long h[256];
	int i;

	REQUIRE(zp, "pool");
	/* class 112: 7 pages for 256 objects */
	for (i = 0; i < 256; i++)
		h[i] = alloc(zp, 100);
	for (i = 0; i < 255; i++)
		zpool_free(zp, h[i]);
	CHECK(pages(zp) == 7, "zsmalloc: one object left in the zspage: expected 7 pages, got %lu", pages(zp));
	zpool_free(zp, h[255]);
	CHECK(pages(zp) == 0, "zsmalloc: last object freed: expected 0 pages, got %lu", pages(zp));
	finish(zp);
}

TEST(zsmalloc_rejects_zero_and_oversized_requests_as_the_kernel)
{
	struct zpool *zp = zs_pool("zsmalloc");
	unsigned long h = 0;

	REQUIRE(zp, "pool");
	CHECK(zpool_malloc(zp, 0, GFP_KERNEL, &h) == -EINVAL, "zsmalloc malloc(0): expected -EINVAL");
	CHECK(zpool_malloc(zp, PAGE_SIZE + 1, GFP_KERNEL, &h) == -ENOSPC, "zsmalloc malloc(4097): expected -ENOSPC");
	CHECK(pages(zp) == 0, "zsmalloc: failed mallocs took %lu pages", pages(zp));
	finish(zp);
}

/*
 * Class 112 objects run back to back through a 7-page zspage: object 36
 * starts at 36 * 112 = 4032 and ends at 4144, across the first page boundary.
 */
TEST(zsmalloc_spanning_object_round_trips_in_every_map_mode)
{
	struct zpool *zp = zs_pool("zsmalloc");
	unsigned long h[37];
	unsigned char *p;
	int i;

	REQUIRE(zp, "pool");
	for (i = 0; i < 37; i++) {
		h[i] = alloc(zp, 104);
		write_obj(zp, h[i], 104, 1000 + i);
	}
	for (i = 0; i < 37; i++)
		CHECK(verify_obj(zp, h[i], 104, 1000 + i) == 104, "zsmalloc: object %d after WO writes", i);

	/* RW: the copy-in shows the old contents and the copy-back keeps the new. */
	p = zpool_map_handle(zp, h[36], ZPOOL_MM_RW);
	CHECK(zpbt_verify(p, 104, 1036) == 104, "zsmalloc: spanning object read through an RW mapping");
	zpbt_fill(p, 104, 2036);
	zpool_unmap_handle(zp, h[36]);
	CHECK(verify_obj(zp, h[36], 104, 2036) == 104, "zsmalloc: spanning object after an RW write");

	/* RO: writes into the copy are not copied back (kernel semantics for spanning objects). */
	p = zpool_map_handle(zp, h[36], ZPOOL_MM_RO);
	memset(p, 0x5a, 104);
	zpool_unmap_handle(zp, h[36]);
	CHECK(verify_obj(zp, h[36], 104, 2036) == 104, "zsmalloc: an RO mapping of a spanning object wrote back");

	/* Neighbours untouched; the spanning object's handle header intact (free works). */
	CHECK(verify_obj(zp, h[35], 104, 1035) == 104, "zsmalloc: object before the spanning one");
	for (i = 0; i < 37; i++)
		zpool_free(zp, h[i]);
	CHECK(pages(zp) == 0, "zsmalloc: expected 0 pages, got %lu", pages(zp));
	finish(zp);
}

TEST(zsmalloc_nested_map_on_one_thread_is_a_bug_not_a_hang)
{
	pid_t pid = fork();
	int status = 0;

	REQUIRE(pid >= 0, "fork");
	if (pid == 0) {
		struct zpool *zp = zs_pool("zsmalloc");
		unsigned long a = alloc(zp, 100), b = alloc(zp, 100);

		alarm(10);	/* a hang shows as SIGALRM */
		zpb_diag_set_quiet(true);
		zpool_map_handle(zp, a, ZPOOL_MM_RO);
		zpool_map_handle(zp, b, ZPOOL_MM_RO);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	      "zsmalloc: a second map before unmap on one thread: expected SIGABRT (BUG), got status 0x%x", status);
}

static int count_stats(struct zpool *zp, unsigned int size, struct zpb_zs_class_stats *out)
{
	static struct zpb_zs_class_stats s[ZPB_ZS_SIZE_CLASSES];	/* 4095 of them: not on the stack */
	int n = zpb_zs_pool_stats(zp, s, ZPB_ZS_SIZE_CLASSES), i;

	for (i = 0; i < n; i++)
		if (s[i].class.size == size) {
			*out = s[i];
			return 1;
		}
	return 0;
}

TEST(zsmalloc_compact_frees_sparse_zspages_and_keeps_contents)
{
	struct zpool *zp = zs_pool("zsmalloc");
	struct zpb_zs_class_stats st;
	unsigned long *h = calloc(1024, sizeof(*h));
	unsigned long freed;
	int i;

	REQUIRE(zp && h, "pool");
	/* 1024 objects of class 112: 4 zspages of 256, 28 pages. */
	for (i = 0; i < 1024; i++) {
		h[i] = alloc(zp, 100);
		write_obj(zp, h[i], 100, i);
	}
	CHECK(pages(zp) == 28, "zsmalloc: expected 28 pages, got %lu", pages(zp));
	/* Keep every fourth: each zspage at 64/256 = 25% (group 3); nothing freed yet. */
	for (i = 0; i < 1024; i++)
		if (i % 4)
			zpool_free(zp, h[i]);
	CHECK(pages(zp) == 28, "zsmalloc: sparse zspages stay until compaction; got %lu pages", pages(zp));
	REQUIRE(count_stats(zp, 112, &st), "zsmalloc stats for class 112");
	CHECK(st.objs_allocated == 1024 && st.objs_inuse == 256 && st.zspages[3] == 4 && st.freeable == 21,
	      "zsmalloc class 112 stats: allocated %lu inuse %lu group3 %lu freeable %lu (expected 1024 256 4 21)",
	      st.objs_allocated, st.objs_inuse, st.zspages[3], st.freeable);
	/* (1024 - 256) / 256 = 3 zspages of 7 pages can go: 256 objects fill one zspage. */
	freed = zpool_compact(zp);
	CHECK(freed == 21, "zsmalloc compact: expected 21 pages freed, got %lu", freed);
	CHECK(pages(zp) == 7, "zsmalloc after compact: expected 7 pages, got %lu", pages(zp));
	CHECK_EQ_UL(zpb_zs_pool_pages_compacted(zp), 21, "zsmalloc pages_compacted");
	for (i = 0; i < 1024; i += 4)
		CHECK(verify_obj(zp, h[i], 100, i) == 100, "zsmalloc: object %d after compaction", i);
	CHECK(zpool_compact(zp) == 0, "zsmalloc: a second compaction finds nothing to free");
	for (i = 0; i < 1024; i += 4)
		zpool_free(zp, h[i]);
	CHECK(pages(zp) == 0, "zsmalloc: expected 0 pages, got %lu", pages(zp));
	free(h);
	finish(zp);
}

TEST(zsmalloc_compact_moves_spanning_and_huge_objects_intact)
{
	struct zpool *zp = zs_pool("zsmalloc:chain=4");
	unsigned long h[30];
	unsigned long freed;
	int i;

	REQUIRE(zp, "pool");
	/* class 3072 (request 3000): 3 pages, 4 objects, all but the first spanning. 28 objects: 7 zspages. */
	for (i = 0; i < 28; i++) {
		h[i] = alloc(zp, 3000);
		write_obj(zp, h[i], 3000, 7000 + i);
	}
	/* huge objects never move (one per zspage) */
	h[28] = alloc(zp, 4000);
	write_obj(zp, h[28], 4000, 7028);
	h[29] = alloc(zp, 4000);
	write_obj(zp, h[29], 4000, 7029);
	CHECK(pages(zp) == 21 + 2, "zsmalloc: expected 23 pages, got %lu", pages(zp));
	/* Free 3 of each zspage's 4 but in zspages 0..3 only: 4 zspages at 1/4, 3 full. */
	for (i = 0; i < 16; i++)
		if (i % 4)
			zpool_free(zp, h[i]);
	/* 4 objects left in 4 zspages: (16 - 4) / 4 = 3 zspages of 3 pages go. */
	freed = zpool_compact(zp);
	CHECK(freed == 9, "zsmalloc compact (class 3072): expected 9 pages freed, got %lu", freed);
	CHECK(pages(zp) == 14, "zsmalloc after compact: expected 14 pages, got %lu", pages(zp));
	for (i = 0; i < 30; i++)
		if (i >= 16 || i % 4 == 0)
			CHECK(verify_obj(zp, h[i], i < 28 ? 3000 : 4000, 7000 + i) == (i < 28 ? 3000u : 4000u),
			      "zsmalloc: object %d after compaction", i);
	for (i = 0; i < 30; i++)
		if (i >= 16 || i % 4 == 0)
			zpool_free(zp, h[i]);
	finish(zp);
}

TEST(zsmalloc_migration_moves_pages_and_keeps_contents)
{
	struct zpool *zp = zs_pool("zsmalloc");
	unsigned long h[600];
	unsigned long moved, before;
	size_t sizes[600];
	int i;

	REQUIRE(zp, "pool");
	for (i = 0; i < 600; i++) {
		sizes[i] = 1 + (i * 37) % 4096;
		h[i] = alloc(zp, sizes[i]);
		write_obj(zp, h[i], sizes[i], 50000 + i);
	}
	before = pages(zp);
	moved = zpool_migrate_pages(zp, before);
	CHECK(moved == before, "zsmalloc migrate: expected all %lu pages moved, got %lu", before, moved);
	CHECK(pages(zp) == before, "zsmalloc migrate: page count changed %lu -> %lu", before, pages(zp));
	for (i = 0; i < 600; i++)
		CHECK(verify_obj(zp, h[i], sizes[i], 50000 + i) == sizes[i],
		      "zsmalloc: object %d (%zu bytes) after migration", i, sizes[i]);
	/* Objects still free and compact normally after their pages moved. */
	for (i = 0; i < 600; i += 2)
		zpool_free(zp, h[i]);
	zpool_compact(zp);
	for (i = 1; i < 600; i += 2)
		CHECK(verify_obj(zp, h[i], sizes[i], 50000 + i) == sizes[i],
		      "zsmalloc: object %d after migration then compaction", i);
	for (i = 1; i < 600; i += 2)
		zpool_free(zp, h[i]);
	CHECK(pages(zp) == 0, "zsmalloc: expected 0 pages, got %lu", pages(zp));
	finish(zp);
}

TEST(zsmalloc_migration_skips_a_zspage_with_a_mapped_object)
{
	struct zpool *zp = zs_pool("zsmalloc");
	unsigned long a, b, moved;
	void *p;

	REQUIRE(zp, "pool");
	/* Two zspages: class 112 (7 pages) and class 1632 (2 pages). */
	a = alloc(zp, 100);
	b = alloc(zp, C1632);
	write_obj(zp, a, 100, 1);
	write_obj(zp, b, C1632, 2);
	p = zpool_map_handle(zp, a, ZPOOL_MM_RO);
	/* The mapped zspage's write trylock fails: only b's 2 pages move. */
	moved = zpool_migrate_pages(zp, 9);
	CHECK(zpbt_verify(p, 100, 1) == 100, "zsmalloc: mapped object changed under migration");
	zpool_unmap_handle(zp, a);
	CHECK(moved == 2, "zsmalloc migrate with a mapped object: expected 2 pages moved, got %lu", moved);
	CHECK(verify_obj(zp, b, C1632, 2) == C1632, "zsmalloc: migrated object");
	moved = zpool_migrate_pages(zp, 9);
	CHECK(moved == 9, "zsmalloc migrate after unmap: expected 9 pages moved, got %lu", moved);
	CHECK(verify_obj(zp, a, 100, 1) == 100, "zsmalloc: object after unmapped migration");
	zpool_free(zp, a);
	zpool_free(zp, b);
	finish(zp);
}

static int find_first_page(struct page *page, void *arg)
{
	*(struct page **)arg = page;
	return 1;
}

TEST(zsmalloc_free_is_deferred_while_migration_holds_a_page_lock)
{
	struct zpool *zp;
	struct page *page = NULL;
	unsigned long h;
	int waited;

	if (zpb_wq_is_deterministic())
		return;	/* the deferred work would run inline and wait on our lock */
	zp = zs_pool("zsmalloc");
	REQUIRE(zp, "pool");
	h = alloc(zp, 4000);	/* a huge zspage: one page */
	zpb_arena_for_each_page(&zp->budget, find_first_page, &page);
	REQUIRE(page, "zsmalloc: the pool's page");
	REQUIRE(trylock_page(page), "zsmalloc: lock the pool's page");
	zpool_free(zp, h);
	/* free_zspage()'s trylock failed: the page stays until the work can lock it. */
	CHECK(pages(zp) == 1, "zsmalloc: free with the page locked: expected 1 page kept, got %lu", pages(zp));
	unlock_page(page);
	for (waited = 0; waited < 5000 && zpool_pages(zp); waited++)
		usleep(1000);
	CHECK(pages(zp) == 0, "zsmalloc: deferred free did not run: %lu pages", pages(zp));
	finish(zp);
}

/*
 * The real kernel's zsmalloc, through zram, against the port: the fixture
 * records every write, overwrite, discard and compaction zram performed on
 * Linux 6.18 (lz4, CONFIG_ZSMALLOC_CHAIN_SIZE=8) with mem_used_total after
 * each. Replayed in the same order the port must hold exactly as many pages
 * after every single operation, and free as many pages by compaction.
 */
#define ZRAM_FIXTURE "tests/fixtures/zsmalloc-zram-6.18-lz4.ops"

TEST(zsmalloc_matches_kernel_zram_page_counts_after_every_op)
{
	FILE *f = fopen(ZRAM_FIXTURE, "r");
	struct zpool *zp;
	unsigned long *h = calloc(1 << 14, sizeof(*h));
	char line[128];
	long lineno = 0, ops = 0, mismatches = 0;

	REQUIRE(f, "zsmalloc: cannot open %s", ZRAM_FIXTURE);
	zp = zs_pool("zsmalloc:chain=8");
	REQUIRE(zp && h, "pool");
	while (fgets(line, sizeof(line), f)) {
		long idx = -1, len = 0, mem = -1, compacted = -1;
		unsigned long nh = 0, kernel, port;

		lineno++;
		if (line[0] == '#' || !strncmp(line, "mark", 4))
			continue;
		if ((line[0] == 'w' || line[0] == 'o') &&
		    sscanf(line + 2, "%ld %ld %ld", &idx, &len, &mem) == 3 && idx >= 0 && idx < (1 << 14)) {
			/* zram_write_page(): the new object is allocated before the old one is freed */
			REQUIRE(zpool_malloc(zp, len, GFP_KERNEL, &nh) == 0,
				"zsmalloc: %s:%ld: malloc(%ld) failed", ZRAM_FIXTURE, lineno, len);
			if (line[0] == 'o')
				zpool_free(zp, h[idx]);
			h[idx] = nh;
		} else if (line[0] == 'd' && sscanf(line + 2, "%ld %ld", &idx, &mem) == 2 &&
			   idx >= 0 && idx < (1 << 14) && h[idx]) {
			zpool_free(zp, h[idx]);
			h[idx] = 0;
		} else if (line[0] == 'c' && sscanf(line + 2, "%ld %ld", &compacted, &mem) == 2) {
			unsigned long freed = zpool_compact(zp);

			CHECK(freed == (unsigned long)compacted,
			      "zsmalloc: %s:%ld: compaction freed %lu pages, the kernel %ld",
			      ZRAM_FIXTURE, lineno, freed, compacted);
		} else {
			REQUIRE(0, "zsmalloc: %s:%ld: unreadable line '%s'", ZRAM_FIXTURE, lineno, line);
		}
		ops++;
		kernel = mem / PAGE_SIZE;
		port = zpool_pages(zp);
		if (kernel != port && mismatches++ == 0)
			zpbt_fail(__FILE__, __LINE__, "zsmalloc: %s:%ld: after '%.*s' the kernel held %lu pages, the port %lu",
				  ZRAM_FIXTURE, lineno, (int)strcspn(line, "\n"), line, kernel, port);
	}
	fclose(f);
	CHECK(ops > 4000, "zsmalloc: only %ld ops read from %s", ops, ZRAM_FIXTURE);
	CHECK(mismatches == 0, "zsmalloc: %ld of %ld ops left a different page count than the kernel's", mismatches, ops);
	for (lineno = 0; lineno < (1 << 14); lineno++)
		if (h[lineno])
			zpool_free(zp, h[lineno]);
	CHECK(pages(zp) == 0, "zsmalloc: expected 0 pages, got %lu", pages(zp));
	free(h);
	finish(zp);
}

/* --- threads: malloc, map, write, unmap, free, with compaction and migration alongside --- */

struct worker {
	struct zpool *zp;
	int id;
	long ops;
	int errors;
};

static volatile int stop_side;

static void *zs_worker(void *arg)
{
	struct worker *w = arg;
	uint64_t rng = 0x1234 + w->id;
	enum { N = 256 };
	unsigned long h[N] = { 0 };
	size_t sz[N];
	uint64_t tag[N];
	long i;
	int k;

	zpb_set_thread_cpu((w->id % 2) % (int)nr_cpu_ids);	/* two threads per CPU number: local_lock must serialize them */
	for (i = 0; i < w->ops; i++) {
		k = zpbt_below(&rng, N);
		if (h[k]) {
			if (verify_obj(w->zp, h[k], sz[k], tag[k]) != sz[k])
				w->errors++;
			zpool_free(w->zp, h[k]);
			h[k] = 0;
		} else {
			sz[k] = 1 + zpbt_below(&rng, 4096);
			tag[k] = ((uint64_t)w->id << 32) | (uint64_t)i;
			if (zpool_malloc(w->zp, sz[k], GFP_KERNEL, &h[k])) {
				w->errors++;
				h[k] = 0;
				continue;
			}
			write_obj(w->zp, h[k], sz[k], tag[k]);
		}
	}
	for (k = 0; k < N; k++)
		if (h[k]) {
			if (verify_obj(w->zp, h[k], sz[k], tag[k]) != sz[k])
				w->errors++;
			zpool_free(w->zp, h[k]);
		}
	zpb_set_thread_cpu(-1);
	return NULL;
}

static void *side_worker(void *arg)
{
	struct zpool *zp = arg;

	while (!__atomic_load_n(&stop_side, __ATOMIC_ACQUIRE)) {
		zpool_compact(zp);
		zpool_migrate_pages(zp, 16);
		usleep(200);
	}
	return NULL;
}

TEST(zsmalloc_four_threads_with_compaction_and_migration_keep_contents)
{
	struct zpool *zp = zs_pool("zsmalloc");
	struct worker w[4];
	pthread_t t[4], side;
	int i, errors = 0;

	REQUIRE(zp, "pool");
	stop_side = 0;
	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ .zp = zp, .id = i, .ops = (long)(20000 * zpbt_scale()) };
		pthread_create(&t[i], NULL, zs_worker, &w[i]);
	}
	pthread_create(&side, NULL, side_worker, zp);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		errors += w[i].errors;
	}
	__atomic_store_n(&stop_side, 1, __ATOMIC_RELEASE);
	pthread_join(side, NULL);
	CHECK(errors == 0, "zsmalloc threaded: %d objects lost or corrupted", errors);
	CHECK(pages(zp) == 0, "zsmalloc threaded: %lu pages left after freeing all", pages(zp));
	finish(zp);
}
