// SPDX-License-Identifier: GPL-2.0-only
/*
 * zsmalloc's tunings (issue 9): the size-class delta (zsmalloc:delta=N) and
 * the chain-growth rule (zsmalloc:chain_policy=kernel|rfc), with expected
 * values worked out by hand, 4 KiB pages, chain 8 (Kconfig's default):
 *   class index of a request of n bytes: DIV_ROUND_UP(n + 8 - 32, delta),
 *   class i has size min(32 + delta * i, 4096); there are
 *   DIV_ROUND_UP(4096 - 32, delta) + 1 indexes; a class merges into the
 *   next larger one of equal (pages, objs); waste(k) = (k * 4096) % size.
 *   kernel: the k in 1..8 with the least waste, the first on ties.
 *   rfc (RFC 2/2 of 1 January 2026, as simulate-zsmalloc 0907fa9 has it):
 *   best = 1 page; for k = 2..8: stop if waste(best) <= best * 4096 / 64;
 *   if waste(best) * 10 > best * 4096, take k if waste(k) < waste(best),
 *   else take k only if waste(k) < waste(best) * 3 / 4.
 * Power-of-2 sizes take one page under both rules.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../allocators/kernel/compat.h"
#include "../allocators/zsmalloc.h"
#include "harness.h"
#include "pool_util.h"
#include "replay_util.h"

#define KERNEL ZPB_ZS_CHAIN_KERNEL
#define RFC ZPB_ZS_CHAIN_RFC

static const char *policy_name(enum zpb_zs_chain_policy p)
{
	return p == RFC ? "rfc" : "kernel";
}

static void check_class(unsigned int delta, enum zpb_zs_chain_policy p, size_t req, unsigned int index,
			unsigned int size, unsigned int ppz, unsigned int opz)
{
	struct zpb_zs_tuning t = { .chain = 8, .delta = delta, .chain_policy = p };
	struct zpb_zs_class c;
	int ret = zpb_zs_class_for_tuning(&t, req, &c);

	REQUIRE(ret == 0, "zsmalloc:delta=%u:chain_policy=%s class_for(%zu): %d", delta, policy_name(p), req, ret);
	CHECK(c.index == index && c.size == size && c.pages_per_zspage == ppz && c.objs_per_zspage == opz,
	      "zsmalloc:delta=%u:chain_policy=%s class of a %zu-byte object: expected index %u size %u "
	      "%u pages %u objs, got index %u size %u %u pages %u objs", delta, policy_name(p), req,
	      index, size, ppz, opz, c.index, c.size, c.pages_per_zspage, c.objs_per_zspage);
}

TEST(zsmalloc_tuning_delta16_classes_by_hand_under_both_chain_policies)
{
	/* 100 + 8 = 108: DIV_ROUND_UP(76, 16) = 5, size 112; waste for k = 1..8:
	 * 64, 16, 80, 32, 96, 48, 0, 64. kernel: k = 7, 28672 / 112 = 256 objects.
	 * rfc: best 1 (64); at k = 2, 64 <= 4096 / 64 = 64: stop. 1 page, 36 objects.
	 * Class 6 (128, a power of 2) has 1 page and 32 objects: no merge. */
	check_class(16, KERNEL, 100, 5, 112, 7, 256);
	check_class(16, RFC, 100, 5, 112, 1, 36);
	/* 200 + 8 = 208: index 11; waste 144, 80, 16, 160, 96, 32, 176, 112.
	 * kernel: k = 3, 12288 / 208 = 59. rfc: best 1 (144); k = 2: 144 > 64,
	 * 1440 <= 4096, so 80 < 144 * 3 / 4 = 108 is needed and holds: best 2 (80);
	 * k = 3: 80 <= 8192 / 64 = 128: stop. 2 pages, 8192 / 208 = 39 objects.
	 * Class 12 (224) is kernel 7 pages / 128 (waste 0 at 7), rfc 1 / 18
	 * (64 <= 64 stops at once): no merge either way. */
	check_class(16, KERNEL, 200, 11, 208, 3, 59);
	check_class(16, RFC, 200, 11, 208, 2, 39);
	/* 2056 + 8 = 2064: index 127. kernel: 8 pages, 15 objects, merged up to 2176
	 * (test_zsmalloc.c). rfc for 2064: waste 2032, 2000, 1968, 1936, 1904, 1872,
	 * 1840, 1808; best stays over 10% through k = 5 (1936 * 10 > 16384), so k = 2..5
	 * each win; at k = 6, 1904 * 10 <= 20480 and 1872 >= 1904 * 3 / 4 = 1428, nor
	 * do 1840, 1808: 5 pages, 20480 / 2064 = 9 objects. 2080 and 2096 get 5 / 9 the
	 * same way (waste at 5: 1760, 1616); 2112's waste is 1984, 1856, 1728, 1600,
	 * 1472, 1344, 1216, 1088: at k = 5, 1600 * 10 <= 16384 and 1472 >= 1200; k = 8's
	 * 1088 < 1200: 8 pages, 15 objects. So 2064..2096 merge into index 129. */
	check_class(16, KERNEL, 2056, 134, 2176, 8, 15);
	check_class(16, RFC, 2056, 129, 2096, 5, 9);
}

TEST(zsmalloc_tuning_delta32_classes_by_hand_under_both_chain_policies)
{
	/* 108: DIV_ROUND_UP(76, 32) = 3, size 32 + 96 = 128, a power of 2: 1 page,
	 * 32 objects under both rules; class 4 (160) is kernel 5 / 128, rfc 2 / 51. */
	check_class(32, KERNEL, 100, 3, 128, 1, 32);
	check_class(32, RFC, 100, 3, 128, 1, 32);
	/* 208: DIV_ROUND_UP(176, 32) = 6, size 224: kernel 7 pages / 128, rfc 1 / 18
	 * (above); class 7 is 256, 1 page / 16: no merge. */
	check_class(32, KERNEL, 200, 6, 224, 7, 128);
	check_class(32, RFC, 200, 6, 224, 1, 18);
	/* 2064: DIV_ROUND_UP(2032, 32) = 64, size 2080. kernel: waste 2016, 1952, 1888,
	 * 1824, 1760, 1696, 1632, 1568: 8 pages, 15 objects; 2112 and 2144 (waste at 8:
	 * 1088, 608) and 2176 are 8 / 15 too; 2208's waste 288 at 6 makes it 6 / 11:
	 * merged into index 67 (2176). rfc: 2080 is 5 / 9 (above), 2112 is 8 / 15: no
	 * merge, index 64. */
	check_class(32, KERNEL, 2056, 67, 2176, 8, 15);
	check_class(32, RFC, 2056, 64, 2080, 5, 9);
}

TEST(zsmalloc_tuning_delta64_classes_by_hand_under_both_chain_policies)
{
	/* 108: DIV_ROUND_UP(76, 64) = 2, size 160; waste 96, 32, 128, 64, 0.
	 * kernel: 5 pages, 20480 / 160 = 128. rfc: best 1 (96); k = 2: 96 > 64,
	 * 960 <= 4096, 32 < 72: best 2 (32); k = 3: 32 <= 128: stop. 2 pages, 51. */
	check_class(64, KERNEL, 100, 2, 160, 5, 128);
	check_class(64, RFC, 100, 2, 160, 2, 51);
	/* 208: DIV_ROUND_UP(176, 64) = 3, size 224 again, with index 3. */
	check_class(64, KERNEL, 200, 3, 224, 7, 128);
	check_class(64, RFC, 200, 3, 224, 1, 18);
	/* 2064: DIV_ROUND_UP(2032, 64) = 32, size 2080. kernel: 8 / 15, and 2144 (index
	 * 33) is 8 / 15, 2208 is 6 / 11: merged into 2144. rfc: 2080 is 5 / 9; 2144's
	 * waste 1952, 1760, 1568, 1376, 1184, 992, 800, 608: k = 2..4 win over 10%, then
	 * 1184 >= 1032 but 992 < 1032 (k = 6), and 608 < 744 (k = 8): 8 / 15, no merge. */
	check_class(64, KERNEL, 2056, 33, 2144, 8, 15);
	check_class(64, RFC, 2056, 32, 2080, 5, 9);
}

TEST(zsmalloc_tuning_class_counts_and_huge_class_size_follow_the_delta)
{
	static const unsigned int deltas[] = { 16, 32, 64, 128, 256 };
	/* DIV_ROUND_UP(4064, delta) + 1 */
	static const int counts[] = { 255, 128, 65, 33, 17 };
	int i;

	for (i = 0; i < 5; i++) {
		struct zpb_zs_tuning t = { .chain = 8, .delta = deltas[i], .chain_policy = KERNEL };

		CHECK(zpb_zs_nr_size_classes(&t) == counts[i], "zsmalloc:delta=%u: expected %d class indexes, got %d",
		      deltas[i], counts[i], zpb_zs_nr_size_classes(&t));
	}
	/*
	 * delta 16: 3632 (8 pages, 9 objects) is the largest class that is not
	 * huge: 3625 (test_zsmalloc.c), under the rfc rule too (3632's waste is
	 * 464 k up to k = 7, over 10% all the way, then 80 at k = 8). delta 32:
	 * classes are multiples of 32; 3616 wastes 480 k up to k = 7 and 224 at
	 * k = 8: 8 pages, 9 objects under both rules; 3648 and up waste
	 * (4096 - size) k < size for k <= 8, so k = 1, 1 object: huge.
	 * 3616 - 7 = 3609.
	 */
	for (i = 0; i < 2; i++) {
		struct zpb_zs_tuning t16 = { .chain = 8, .delta = 16, .chain_policy = i ? RFC : KERNEL };
		struct zpb_zs_tuning t32 = { .chain = 8, .delta = 32, .chain_policy = i ? RFC : KERNEL };

		CHECK_EQ_UL(zpb_zs_huge_class_size_tuning(&t16), 3625, i ? "zsmalloc:chain_policy=rfc huge_class_size"
									   : "zsmalloc huge_class_size");
		CHECK_EQ_UL(zpb_zs_huge_class_size_tuning(&t32), 3609, i ? "zsmalloc:delta=32:chain_policy=rfc huge_class_size"
									   : "zsmalloc:delta=32 huge_class_size");
	}
	/* The default tuning is 6.18's, and the old entry points are that tuning. */
	{
		struct zpb_zs_tuning t = ZPB_ZS_TUNING_DEFAULT;
		struct zpb_zs_class a, b;

		/* Delta 0: the page size's own, PAGE_SIZE >> CLASS_BITS (16 at 4K): 255 classes. */
		CHECK(t.chain == 8 && t.delta == 0 && t.chain_policy == KERNEL && zpb_zs_nr_size_classes(&t) == 255,
		      "zsmalloc default tuning: expected chain 8 delta 0 (255 classes) kernel, got %u %u (%d) %d",
		      t.chain, t.delta, zpb_zs_nr_size_classes(&t), t.chain_policy);
		CHECK(zpb_zs_class_for(8, 2056, &a) == 0 && zpb_zs_class_for_tuning(&t, 2056, &b) == 0 &&
		      a.index == b.index && a.size == b.size && a.pages_per_zspage == b.pages_per_zspage &&
		      a.objs_per_zspage == b.objs_per_zspage,
		      "zsmalloc class_for(8, 2056): index %u size %u, class_for_tuning(default): index %u size %u",
		      a.index, a.size, b.index, b.size);
	}
}

/* Distinct classes serving sizes 1..4096 under @t: what zs_create_pool() allocates. */
static int distinct_classes(const struct zpb_zs_tuning *t)
{
	bool seen[ZPB_ZS_SIZE_CLASSES] = { false };
	struct zpb_zs_class c;
	int n = 0;
	size_t size;

	for (size = 1; size <= PAGE_SIZE; size++)
		if (!zpb_zs_class_for_tuning(t, size, &c) && c.index < ZPB_ZS_SIZE_CLASSES && !seen[c.index]) {
			seen[c.index] = true;
			n++;
		}
	return n;
}

TEST(zsmalloc_tuning_merging_leaves_fewer_classes_at_larger_deltas)
{
	/*
	 * Not by hand: counted by a separate model of the same formulas (a
	 * Python script, run when these tests were written; docs/allocators.md
	 * has the table). 119 at delta 16 with 6.18's rule is also
	 * test_zsmalloc.c's figure and Sergey Senozhatsky's (linux-mm, 2023).
	 */
	static const struct { unsigned int delta; int kernel, rfc; } want[] = {
		{ 16, 119, 128 }, { 32, 77, 83 }, { 64, 51, 53 }, { 128, 30, 29 }, { 256, 16, 16 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		struct zpb_zs_tuning k = { .chain = 8, .delta = want[i].delta, .chain_policy = KERNEL };
		struct zpb_zs_tuning r = { .chain = 8, .delta = want[i].delta, .chain_policy = RFC };

		CHECK(distinct_classes(&k) == want[i].kernel, "zsmalloc:delta=%u: expected %d distinct classes, got %d",
		      want[i].delta, want[i].kernel, distinct_classes(&k));
		CHECK(distinct_classes(&r) == want[i].rfc,
		      "zsmalloc:delta=%u:chain_policy=rfc: expected %d distinct classes, got %d", want[i].delta,
		      want[i].rfc, distinct_classes(&r));
	}
}

TEST(zsmalloc_tuning_out_of_range_is_refused_by_the_views)
{
	static const struct zpb_zs_tuning bad[] = {
		{ 8, 8, KERNEL },	/* below ZS_SIZE_CLASS_DELTA: 509 classes, more than CLASS_BITS numbers */
		{ 8, 48, KERNEL },	/* not a power of two */
		{ 8, 512, KERNEL },	/* above 64K pages' delta */
		{ 3, 16, KERNEL },	/* chain below Kconfig's 4 */
		{ 8, 16, 2 },		/* no such policy */
	};
	struct zpb_zs_class c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK(zpb_zs_class_for_tuning(&bad[i], 100, &c) == -EINVAL,
		      "zsmalloc tuning chain %u delta %u policy %d: class_for expected -EINVAL",
		      bad[i].chain, bad[i].delta, bad[i].chain_policy);
		CHECK(zpb_zs_huge_class_size_tuning(&bad[i]) == 0 && zpb_zs_nr_size_classes(&bad[i]) == 0,
		      "zsmalloc tuning chain %u delta %u policy %d: expected 0 threshold and 0 classes",
		      bad[i].chain, bad[i].delta, bad[i].chain_policy);
	}
}

/*
 * The simulate-zsmalloc tool's other version of the rule (commit e07db98):
 * the exit test after each step and exact "waste * 4 < best * 3". Written
 * here independently of the port, to pin down the claim in classes.c and
 * docs/allocators.md that both versions pick the same chains for every
 * class size (all multiples of 16 here).
 */
static int rfc_e07db98(int size, int chain)
{
	long long min_waste = INT_MAX;
	int i, best = 1;

	if (is_power_of_2(size))
		return 1;
	for (i = 1; i <= chain; i++) {
		long long w = (long long)i * (long long)PAGE_SIZE % size;

		if (w == 0)
			return i;
		if (min_waste * 10 > (long long)best * (long long)PAGE_SIZE) {
			if (w < min_waste)
				min_waste = w, best = i;
		} else if (w * 4 < min_waste * 3) {
			min_waste = w, best = i;
		}
		if (min_waste * 64 <= (long long)best * (long long)PAGE_SIZE)
			break;
	}
	return best;
}

TEST(zsmalloc_rfc_chain_rule_agrees_with_both_simulator_versions_for_every_class_and_chain)
{
	unsigned int chain;
	int size, differ = 0;

	for (chain = 4; chain <= 16; chain++) {
		struct zpb_zs_tuning t = { .chain = chain, .delta = 16, .chain_policy = RFC };

		/* Request size - 8 lands in class size itself or a merged one of the same geometry. */
		for (size = 48; size <= 4096; size += 16) {
			struct zpb_zs_class c;
			int want = rfc_e07db98(size, (int)chain);

			if (zpb_zs_class_for_tuning(&t, (size_t)size - 8, &c) || (int)c.pages_per_zspage != want) {
				if (differ++ < 5)
					CHECK(0, "zsmalloc:chain=%u:chain_policy=rfc class %d: expected %d pages "
					      "(simulate-zsmalloc e07db98), got %u", chain, size, want, c.pages_per_zspage);
			}
		}
	}
	CHECK(differ == 0, "zsmalloc rfc rule: %d classes differ from simulate-zsmalloc e07db98", differ);
}

static void check_spec_error(const char *text, const char *want)
{
	struct zpb_spec spec;
	char err[256] = "";
	int ret = zpb_spec_parse(text, &spec, err, sizeof(err));

	CHECK(ret == -EINVAL, "spec '%s': expected -EINVAL, got %d", text, ret);
	CHECK(strstr(err, want) && !strchr(err, '\n'),
	      "spec '%s': expected a one-line error containing \"%s\", got \"%s\"", text, want, err);
}

TEST(zsmalloc_tuning_spec_refuses_bad_values_in_one_line_naming_the_accepted_ones)
{
	static const char *const bad_delta[] = { "zsmalloc:delta=48", "zsmalloc:delta=8", "zsmalloc:delta=512",
						 "zsmalloc:delta=0", "zsmalloc:delta=016", "zsmalloc:delta=",
						 "zsmalloc:delta", "zsmalloc:delta=-16" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_delta); i++)
		check_spec_error(bad_delta[i], "option 'delta' of allocator 'zsmalloc' needs one of 16 32 64 128 256");
	check_spec_error("zsmalloc:chain_policy=RFC",
			 "option 'chain_policy' of allocator 'zsmalloc' needs one of kernel rfc in spec 'zsmalloc:chain_policy=RFC'");
	check_spec_error("zsmalloc:chain_policy=", "needs one of kernel rfc");
	check_spec_error("zsmalloc:chain_policy=rfc:chain_policy=kernel", "given twice");
}

TEST(zsmalloc_tuning_spec_is_canonical_and_reaches_the_pool)
{
	static const struct {
		const char *text, *canonical;
		unsigned int chain, delta;
		enum zpb_zs_chain_policy policy;
	} cases[] = {
		{ "zsmalloc", "zsmalloc", 8, 16, KERNEL },
		{ "zsmalloc:delta=16:chain_policy=kernel", "zsmalloc", 8, 16, KERNEL },
		{ "zsmalloc:chain_policy=rfc:delta=32", "zsmalloc:delta=32:chain_policy=rfc", 8, 32, RFC },
		{ "zsmalloc:delta=256:chain=4", "zsmalloc:chain=4:delta=256", 4, 256, KERNEL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct zpb_zs_tuning t = { 0 };
		struct zpb_spec spec;
		struct zpool *zp;
		char err[256];

		REQUIRE(!zpb_spec_parse(cases[i].text, &spec, err, sizeof(err)), "spec '%s': %s", cases[i].text, err);
		CHECK(!strcmp(spec.text, cases[i].canonical), "spec '%s': expected canonical '%s', got '%s'",
		      cases[i].text, cases[i].canonical, spec.text);
		zp = zpool_create_pool(&spec, zpbt_current(), NULL, 0);
		REQUIRE(zp, "zsmalloc: zpool_create_pool(%s) failed", cases[i].text);
		CHECK(zpb_zs_pool_tuning(zp, &t) == 0 && t.chain == cases[i].chain && t.delta == cases[i].delta &&
		      t.chain_policy == cases[i].policy,
		      "%s: pool tuning: expected chain %u delta %u %s, got chain %u delta %u %s", cases[i].text,
		      cases[i].chain, cases[i].delta, policy_name(cases[i].policy), t.chain, t.delta,
		      policy_name(t.chain_policy));
		CHECK(zpb_zs_pool_huge_class_size(zp) == zpb_zs_huge_class_size_tuning(&t),
		      "%s: pool huge_class_size %zu, table's %zu", cases[i].text, zpb_zs_pool_huge_class_size(zp),
		      zpb_zs_huge_class_size_tuning(&t));
		CHECK(zpool_destroy_pool(zp) == 0, "%s: destroy left pages", cases[i].text);
	}
}

/* Pages a pool holds after @n objects of @size, each filled and then verified. */
static unsigned long pages_for(const char *text, size_t size, int n)
{
	unsigned long h[64], pages;
	struct zpb_spec spec;
	struct zpool *zp;
	char err[256];
	int i;

	BUG_ON(n > 64);
	if (zpb_spec_parse(text, &spec, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "spec '%s': %s", text, err);
		return 0;
	}
	zp = zpool_create_pool(&spec, zpbt_current(), NULL, 0);
	if (!zp) {
		zpbt_fail(__FILE__, __LINE__, "%s: zpool_create_pool failed", text);
		return 0;
	}
	for (i = 0; i < n; i++) {
		int ret = zpool_malloc(zp, size, GFP_KERNEL, &h[i]);

		if (ret) {
			CHECK(0, "%s: malloc(%zu) #%d: expected 0, got %d", text, size, i, ret);
			n = i;
			break;
		}
		zpbt_fill(zpool_map_handle(zp, h[i], ZPOOL_MM_WO), size, (uint64_t)i);
		zpool_unmap_handle(zp, h[i]);
	}
	pages = zpool_pages(zp);
	for (i = 0; i < n; i++) {
		size_t at = zpbt_verify(zpool_map_handle(zp, h[i], ZPOOL_MM_RO), size, (uint64_t)i);

		zpool_unmap_handle(zp, h[i]);
		CHECK(at == size, "%s: object %d of %zu bytes differs at byte %zu", text, i, size, at);
		zpool_free(zp, h[i]);
	}
	CHECK(zpool_destroy_pool(zp) == 0, "%s: destroy left pages", text);
	return pages;
}

TEST(zsmalloc_tuning_changes_placement_as_the_class_tables_say)
{
	/* 200 bytes: class 208, 3 pages / 59 objects (kernel): 60 objects need two zspages. */
	CHECK_EQ_UL(pages_for("zsmalloc", 200, 60), 6, "zsmalloc 60 x 200 B: pages");
	/* rfc: 2 pages / 39 objects: two zspages too. */
	CHECK_EQ_UL(pages_for("zsmalloc:chain_policy=rfc", 200, 60), 4, "zsmalloc:chain_policy=rfc 60 x 200 B: pages");
	/* delta 32: class 224, 7 pages / 128 objects: one zspage. */
	CHECK_EQ_UL(pages_for("zsmalloc:delta=32", 200, 60), 7, "zsmalloc:delta=32 60 x 200 B: pages");
	/* delta 32, rfc: 1 page / 18 objects: ceil(60 / 18) = 4 zspages. */
	CHECK_EQ_UL(pages_for("zsmalloc:delta=32:chain_policy=rfc", 200, 60), 4,
		    "zsmalloc:delta=32:chain_policy=rfc 60 x 200 B: pages");
	/* 100 bytes, delta 64: class 160, kernel 5 pages / 128, rfc 2 / 51: 60 objects. */
	CHECK_EQ_UL(pages_for("zsmalloc:delta=64", 100, 60), 5, "zsmalloc:delta=64 60 x 100 B: pages");
	CHECK_EQ_UL(pages_for("zsmalloc:delta=64:chain_policy=rfc", 100, 60), 4,
		    "zsmalloc:delta=64:chain_policy=rfc 60 x 100 B: pages");
}

/* The records of a bundled sample, read whole into memory. */
static struct zpb_record *load_sample(const char *path, size_t *n)
{
	size_t cap = 1 << 16;
	struct zpb_record *recs = malloc(cap * sizeof(*recs));
	struct zpb_trace_reader *tr;
	char err[512];
	int rc = 1;

	*n = 0;
	if (!recs)
		return NULL;
	tr = zpb_trace_open(path, err, sizeof(err));
	if (!tr) {
		zpbt_fail(__FILE__, __LINE__, "%s", err);
		free(recs);
		return NULL;
	}
	while (*n < cap && (rc = zpb_trace_next(tr, &recs[*n], err, sizeof(err))) == 1)
		(*n)++;
	zpb_trace_close(tr);
	if (rc != 0) {
		zpbt_fail(__FILE__, __LINE__, "%s: %s", path, rc < 0 ? err : "more records than the test reads");
		free(recs);
		return NULL;
	}
	return recs;
}

TEST(zsmalloc_tuning_replay_of_a_sample_places_differently_and_verifies_every_byte)
{
	static const char *const specs[] = { "zsmalloc", "zsmalloc:delta=32", "zsmalloc:chain_policy=rfc" };
	const char *kv[] = { "deterministic", "1", NULL };
	uint64_t final[3] = { 0 }, stored[3] = { 0 };
	size_t n, i;
	struct zpb_record *recs = load_sample("traces/samples/licenses-lru.zpt", &n);

	REQUIRE(recs, "licenses-lru.zpt: cannot be read");
	for (i = 0; i < 3; i++) {
		struct zpb_run_result *r = replay_memory(specs[i], kv, recs, n);

		if (!r)
			continue;
		CHECK(r->complete && r->verify_failures == 0 && r->leaked_pages == 0,
		      "%s on licenses-lru: complete %d, %llu verify failures (%s), %ld leaked pages", specs[i],
		      r->complete, (unsigned long long)r->verify_failures,
		      r->nverify_messages ? r->verify_messages[0] : "-", r->leaked_pages);
		final[i] = r->final.pool_pages;
		stored[i] = r->ops.stored_objects;
		zpb_run_result_free(r);
	}
	free(recs);
	/* Equal work: the same objects were stored, so only placement can differ. */
	CHECK(stored[0] && stored[1] == stored[0] && stored[2] == stored[0],
	      "licenses-lru stored objects: zsmalloc %llu, delta=32 %llu, rfc %llu: expected equal and non-zero",
	      (unsigned long long)stored[0], (unsigned long long)stored[1], (unsigned long long)stored[2]);
	CHECK(final[1] != final[0], "licenses-lru final pool pages: zsmalloc:delta=32 %llu, expected other than "
	      "zsmalloc's %llu", (unsigned long long)final[1], (unsigned long long)final[0]);
	CHECK(final[2] != final[0], "licenses-lru final pool pages: zsmalloc:chain_policy=rfc %llu, expected other "
	      "than zsmalloc's %llu", (unsigned long long)final[2], (unsigned long long)final[0]);
}
