// SPDX-License-Identifier: GPL-2.0-only
/*
 * zblock's tables, placement and guards, with page counts worked out by
 * hand from the descriptor tables. SLOT_SIZE(n, p) is the block's p pages
 * less the header, divided by n, rounded down to a multiple of 8; headers
 * are 48 bytes at 4K and 72 at 16K (latest), 40 and 56 (v4).
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "../allocators/kernel/compat.h"
#include "../allocators/zblock/zblock.h"
#include "harness.h"
#include "pool_util.h"

static const struct zpool_driver *zblock(void)
{
	return zpb_driver_find("zblock");
}

static struct zpool *create_spec(const char *text)
{
	struct zpb_spec spec;
	char err[256];

	if (zpb_spec_parse(text, &spec, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "zblock: spec '%s': %s", text, err);
		return NULL;
	}
	return zpool_create_pool(&spec, zpbt_current(), NULL, 0);
}

/* Pages held, checking the pool's own count against what the arena charged. */
static unsigned long pages(struct zpool *zp)
{
	u64 total = zpool_get_total_size(zp);

	CHECK(total == zpool_pages(zp) * PAGE_SIZE,
	      "zblock total_size %lu != %lu charged pages", (unsigned long)total, zpool_pages(zp));
	return total / PAGE_SIZE;
}

static unsigned long alloc(struct zpool *zp, size_t size)
{
	unsigned long h = 0;
	int ret = zpool_malloc(zp, size, GFP_KERNEL, &h);

	CHECK(ret == 0, "zblock malloc(%zu): expected 0, got %d", size, ret);
	return h;
}

static unsigned long block_of(unsigned long handle)
{
	return handle & ~63UL;	/* SLOT_BITS 6 at 4K */
}

static unsigned long slot_of(unsigned long handle)
{
	return handle & 63UL;
}

/* Allocate @n objects of @size into @h, free them all, and return the pages they took. */
static unsigned long pages_for(struct zpool *zp, unsigned int n, size_t size)
{
	unsigned long *h = calloc(n, sizeof(*h)), p;
	unsigned int i;

	for (i = 0; i < n; i++)
		h[i] = alloc(zp, size);
	p = pages(zp);
	for (i = 0; i < n; i++)
		if (h[i])
			zpool_free(zp, h[i]);
	free(h);
	CHECK_EQ_UL(pages(zp), 0, "zblock pages after freeing everything");
	return p;
}

TEST(zblock_4k_table_is_the_sources_37_entries_with_slot_sizes_by_hand)
{
	struct zblock_table t;

	REQUIRE(zblock_table_init(&t, 4096, ZBLOCK_TABLE_LATEST) == 0, "zblock 4K table builds");
	CHECK_EQ_UL(t.nr, 37, "zblock 4K entries");
	CHECK_EQ_UL(t.slot_bits, 6, "zblock 4K SLOT_BITS");
	/* 8-byte bitmap + list_head 16 + rcu_head 16 + two shorts = 44, rounded to 48. */
	CHECK_EQ_UL(t.header_size, 48, "zblock 4K header");
	/* (4096 - 48) / 28 = 144.6 -> 144 */
	CHECK_EQ_UL(t.desc[0].slot_size, 144, "zblock 4K type 0 slot (28 per page)");
	CHECK_EQ_UL(t.desc[0].slots_per_block, 28, "zblock 4K type 0 slots");
	/* (8192 - 48) / 17 = 479.1 -> 472 (multiple of 8) */
	CHECK_EQ_UL(t.desc[4].slot_size, 472, "zblock 4K type 4 slot (17 in 2 pages)");
	/* (24576 - 48) / 23 = 1066.4 -> 1064 */
	CHECK_EQ_UL(t.desc[14].slot_size, 1064, "zblock 4K type 14 slot (23 in 6 pages)");
	CHECK_EQ_UL(t.desc[14].num_pages, 6, "zblock 4K type 14 pages");
	/* (4096 - 48) / 2 = 2024 */
	CHECK_EQ_UL(t.desc[26].slot_size, 2024, "zblock 4K type 26 slot (2 per page)");
	/* (32768 - 48) / 9 = 3635.6 -> 3632 */
	CHECK_EQ_UL(t.desc[35].slot_size, 3632, "zblock 4K type 35 slot (9 in 8 pages)");
	/* (16384 - 48) / 4 = 4084 -> 4080: the largest slot */
	CHECK_EQ_UL(t.desc[36].slot_size, 4080, "zblock 4K last slot (4 in 4 pages)");
	CHECK_EQ_UL(zblock_table_max_size(&t), 4079, "zblock 4K largest stored size");
	CHECK_EQ_UL(zblock()->max_size(NULL), 4079, "zblock driver max_size");
}

TEST(zblock_16k_table_math_by_hand)
{
	struct zblock_table t;
	unsigned int type;

	REQUIRE(zblock_table_init(&t, 16384, ZBLOCK_TABLE_LATEST) == 0, "zblock 16K table builds");
	CHECK_EQ_UL(t.nr, 61, "zblock 16K entries");
	CHECK_EQ_UL(t.slot_bits, 8, "zblock 16K SLOT_BITS");
	/* 32-byte bitmap + 16 + 16 + 4 = 68, rounded to 72. */
	CHECK_EQ_UL(t.header_size, 72, "zblock 16K header");
	/* (16384 - 72) / 185 = 88.2 -> 88 */
	CHECK_EQ_UL(t.desc[0].slot_size, 88, "zblock 16K type 0 slot (185 per page)");
	/* (32768 - 72) / 59 = 554.2 -> 552 */
	CHECK_EQ_UL(t.desc[9].slot_size, 552, "zblock 16K type 9 slot (59 in 2 pages)");
	/* (98304 - 72) / 7 = 14033.1 -> 14032 */
	CHECK_EQ_UL(t.desc[59].slot_size, 14032, "zblock 16K type 59 slot (7 in 6 pages)");
	/* (65536 - 72) / 4 = 16366 -> 16360 */
	CHECK_EQ_UL(t.desc[60].slot_size, 16360, "zblock 16K last slot (4 in 4 pages)");
	CHECK_EQ_UL(zblock_table_max_size(&t), 16359, "zblock 16K largest stored size");
	/*
	 * Page counts at 16K: 1000 objects of 100 bytes go to type 1
	 * ((16384 - 72) / 113 = 144.4 -> 144, 113 per page): 9 pages.
	 * 100 of 3000 bytes: [2968, 3112) -> type 38, (21, 4):
	 * (65536 - 72) / 21 = 3117.3 -> 3112, 21 in 4 pages: 5 blocks, 20 pages.
	 */
	type = zblock_table_lookup(&t, 100);
	CHECK_EQ_UL(type, 1, "zblock 16K type of 100 bytes");
	CHECK_EQ_UL(DIV_ROUND_UP(1000, t.desc[type].slots_per_block) * t.desc[type].num_pages, 9,
		    "zblock 16K pages for 1000 x 100 bytes");
	type = zblock_table_lookup(&t, 3000);
	CHECK_EQ_UL(type, 38, "zblock 16K type of 3000 bytes");
	CHECK_EQ_UL(t.desc[type].slot_size, 3112, "zblock 16K slot for 3000 bytes");
	CHECK_EQ_UL(DIV_ROUND_UP(100, t.desc[type].slots_per_block) * t.desc[type].num_pages, 20,
		    "zblock 16K pages for 100 x 3000 bytes");
	/* 4096 bytes fit a 16K page's zblock: [4072, 4264) -> type 44, (23, 6) */
	CHECK_EQ_UL(zblock_table_lookup(&t, 4096), 44, "zblock 16K type of 4096 bytes");
}

TEST(zblock_64k_uses_the_16k_entries_and_other_page_sizes_are_refused)
{
	struct zblock_table t;

	REQUIRE(zblock_table_init(&t, 65536, ZBLOCK_TABLE_LATEST) == 0, "zblock 64K table builds");
	CHECK_EQ_UL(t.nr, 61, "zblock 64K entries (the #else table)");
	/* (262144 - 72) / 4 = 65518 -> 65512 */
	CHECK_EQ_UL(t.desc[60].slot_size, 65512, "zblock 64K last slot");
	CHECK(zblock_table_init(&t, 8192, ZBLOCK_TABLE_LATEST) == -EINVAL, "zblock 8K refused");
	CHECK(zblock_table_init(&t, 4095, ZBLOCK_TABLE_V4) == -EINVAL, "zblock 4095 refused");
}

TEST(zblock_v4_tables_by_hand)
{
	struct zblock_table t;

	REQUIRE(zblock_table_init(&t, 4096, ZBLOCK_TABLE_V4) == 0, "zblock v4 4K table builds");
	CHECK_EQ_UL(t.nr, 31, "zblock v4 4K entries");
	CHECK_EQ_UL(t.slot_bits, 7, "zblock v4 4K SLOT_BITS");
	/* list_head 16 + 16-byte bitmap + u32 = 36, rounded to 40. */
	CHECK_EQ_UL(t.header_size, 40, "zblock v4 4K header");
	/* (4096 - 40) / 63 = 64.4 -> 64 */
	CHECK_EQ_UL(t.desc[0].slot_size, 64, "zblock v4 type 0 slot (63 per page)");
	/* order 2: (16384 - 40) / 29 = 563.6 -> 560 */
	CHECK_EQ_UL(t.desc[8].slot_size, 560, "zblock v4 type 8 slot (29 in 4 pages)");
	CHECK_EQ_UL(t.desc[8].num_pages, 4, "zblock v4 type 8 pages (order 2)");
	/* order 3: (32768 - 40) / 9 = 3636.4 -> 3632 */
	CHECK_EQ_UL(t.desc[29].slot_size, 3632, "zblock v4 type 29 slot (9 in 8 pages)");
	/* order 2: (16384 - 40) / 4 = 4086 -> 4080 */
	CHECK_EQ_UL(t.desc[30].slot_size, 4080, "zblock v4 last slot");

	REQUIRE(zblock_table_init(&t, 16384, ZBLOCK_TABLE_V4) == 0, "zblock v4 16K table builds");
	CHECK_EQ_UL(t.nr, 40, "zblock v4 16K entries");
	CHECK_EQ_UL(t.header_size, 56, "zblock v4 16K header (16 + 32 + 4 = 52 -> 56)");
	/* (16384 - 56) / 255 = 64.03 -> 64 */
	CHECK_EQ_UL(t.desc[0].slot_size, 64, "zblock v4 16K type 0 slot (255 per page)");
	/* order 2: (65536 - 56) / 5 = 13096 */
	CHECK_EQ_UL(t.desc[39].slot_size, 13096, "zblock v4 16K last slot (5 in 4 pages)");
}

TEST(zblock_size_equal_to_a_slot_size_goes_to_the_next_type)
{
	struct zblock_table t;

	REQUIRE(zblock_table_init(&t, 4096, ZBLOCK_TABLE_LATEST) == 0, "zblock 4K table builds");
	CHECK_EQ_UL(zblock_table_lookup(&t, 1), 0, "zblock type of 1 byte");
	CHECK_EQ_UL(zblock_table_lookup(&t, 143), 0, "zblock type of 143 bytes");
	/* The source's search: 144 is in [144, 224), the interval of type 0, so type 1. */
	CHECK_EQ_UL(zblock_table_lookup(&t, 144), 1, "zblock type of 144 bytes (fits type 0)");
	CHECK_EQ_UL(zblock_table_lookup(&t, 145), 1, "zblock type of 145 bytes");
	CHECK_EQ_UL(zblock_table_lookup(&t, 4079), 36, "zblock type of 4079 bytes");
	CHECK_EQ_UL(zblock_table_lookup(&t, 4080), 37, "zblock type of 4080 bytes: past the table");
	CHECK(zblock_table_lookup(&t, 4081) == -ENOSPC, "zblock 4081 bytes is -ENOSPC");
	CHECK(zblock_table_lookup(&t, 0) == -EINVAL, "zblock 0 bytes is -EINVAL");
}

TEST(zblock_last_slot_size_is_refused_with_a_counted_guard)
{
	struct zpool *zp = zpbt_create(zblock(), NULL, 0);
	unsigned long h = 0, w, g;
	int ret;

	REQUIRE(zp, "no zblock pool");
	w = zpb_diag_warnings();
	g = zpb_diag_guards();
	zpb_diag_set_quiet(true);
	ret = zpool_malloc(zp, 4080, GFP_KERNEL, &h);
	zpb_diag_set_quiet(false);
	CHECK(ret == -ENOSPC, "zblock malloc(4080): expected -ENOSPC, got %d", ret);
	CHECK_EQ_UL(zpb_diag_guards(), g + 1, "zblock guard hits for malloc(4080)");
	CHECK_EQ_UL(zpb_diag_warnings(), w, "zblock WARNs for malloc(4080) (a guard, not a WARN)");
	CHECK_EQ_UL(pages(zp), 0, "zblock pages after the refused malloc");
	w = zpb_diag_warnings();
	CHECK(zpool_malloc(zp, 4081, GFP_KERNEL, &h) == -ENOSPC, "zblock malloc(4081) is -ENOSPC");
	CHECK(zpool_malloc(zp, 8192, GFP_KERNEL, &h) == -ENOSPC, "zblock malloc(8192) is -ENOSPC");
	CHECK(zpool_malloc(zp, 0, GFP_KERNEL, &h) == -EINVAL, "zblock malloc(0) is -EINVAL");
	CHECK_EQ_UL(zpb_diag_warnings(), w, "zblock WARNs for sizes the source refuses itself");
	h = alloc(zp, 4079);
	CHECK_EQ_UL(pages(zp), 4, "zblock pages for one 4079-byte object (a 4-page block)");
	zpool_free(zp, h);
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zblock pages left at destroy");
}

TEST(zblock_4k_page_counts_by_hand)
{
	struct zpool *zp = zpbt_create(zblock(), NULL, 0);
	unsigned long w = zpb_diag_warnings();

	REQUIRE(zp, "no zblock pool");
	/* 100 bytes: type 0, 28 a page: ceil(100 / 28) = 4 pages. */
	CHECK_EQ_UL(pages_for(zp, 100, 100), 4, "zblock pages for 100 x 100 bytes");
	/* 144 bytes: type 1 (224 bytes, 18 a page): ceil(36 / 18) = 2 pages. */
	CHECK_EQ_UL(pages_for(zp, 36, 144), 2, "zblock pages for 36 x 144 bytes");
	/* 1000 bytes: [960, 1008) -> type 13, (4, 1): ceil(10 / 4) = 3 pages. */
	CHECK_EQ_UL(pages_for(zp, 10, 1000), 3, "zblock pages for 10 x 1000 bytes");
	/* 1050 bytes: [1008, 1064) -> type 14, (23, 6): 24 objects, 2 blocks, 12 pages. */
	CHECK_EQ_UL(pages_for(zp, 24, 1050), 12, "zblock pages for 24 x 1050 bytes");
	/* 2100 bytes: [2024, 2176) -> type 27, (15, 8): 15 objects, 1 block, 8 pages. */
	CHECK_EQ_UL(pages_for(zp, 15, 2100), 8, "zblock pages for 15 x 2100 bytes");
	/* 4000 bytes: [3632, 4080) -> type 36, (4, 4): 5 objects, 2 blocks, 8 pages. */
	CHECK_EQ_UL(pages_for(zp, 5, 4000), 8, "zblock pages for 5 x 4000 bytes");
	CHECK_EQ_UL(zpb_diag_warnings(), w, "zblock WARNs");
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zblock pages left at destroy");
}

/*
 * A pool at 16K holds what zblock_16k_table_math_by_hand works out from
 * the table, and its max_size is the table's; v4 and 64K likewise:
 *   v4 16K: 100 bytes in [88, 112) -> type 2, (145, 1) with slot
 *     (16384 - 56) / 145 = 112.6 -> 112: ceil(1000 / 145) = 7 pages;
 *     its last slot is 13096, so 13095 bytes at most.
 *   latest 64K (the 16K entries): type 0 is (65536 - 72) / 185 = 353.8 ->
 *     352, 185 a page: 100 bytes are type 0, ceil(1000 / 185) = 6 pages.
 */
TEST(zblock_16k_and_64k_pools_count_pages_as_the_tables_say)
{
	struct zpool *zp;
	unsigned long w = zpb_diag_warnings(), h;

	if (!zpbt_page_size(16384))
		return;
	zp = create_spec("zblock");
	REQUIRE(zp, "no zblock pool at 16K");
	CHECK_EQ_PG(zpb_spec_max_size(&zp->spec), 16359, "zblock max_size");
	CHECK_EQ_PG(pages_for(zp, 1000, 100), 9, "zblock pages for 1000 x 100 bytes");
	CHECK_EQ_PG(pages_for(zp, 100, 3000), 20, "zblock pages for 100 x 3000 bytes");
	CHECK_EQ_PG(zpool_malloc(zp, 16360, GFP_KERNEL, &h), -ENOSPC, "zblock malloc(16360)");
	CHECK_EQ_PG(zpool_destroy_pool(zp), 0, "zblock pages left at destroy");
	zp = create_spec("zblock:table=v4");
	REQUIRE(zp, "no zblock:table=v4 pool at 16K");
	CHECK_EQ_PG(zpb_spec_max_size(&zp->spec), 13095, "zblock:table=v4 max_size");
	CHECK_EQ_PG(pages_for(zp, 1000, 100), 7, "zblock:table=v4 pages for 1000 x 100 bytes");
	CHECK_EQ_PG(zpool_malloc(zp, 13096, GFP_KERNEL, &h), -ENOSPC, "zblock:table=v4 malloc(13096)");
	CHECK_EQ_PG(zpool_destroy_pool(zp), 0, "zblock:table=v4 pages left at destroy");
	if (zpbt_page_size(65536)) {
		zp = create_spec("zblock");
		REQUIRE(zp, "no zblock pool at 64K");
		CHECK_EQ_PG(zpb_spec_max_size(&zp->spec), 65511, "zblock max_size");
		CHECK_EQ_PG(pages_for(zp, 1000, 100), 6, "zblock pages for 1000 x 100 bytes");
		CHECK_EQ_PG(zpool_destroy_pool(zp), 0, "zblock pages left at destroy");
	}
	CHECK_EQ_UL(zpb_diag_warnings(), w, "zblock WARNs");
	zpbt_page_size(4096);
}

TEST(zblock_table_v4_changes_the_page_counts_as_its_table_says)
{
	struct zpool *zp = create_spec("zblock:table=v4");

	REQUIRE(zp, "no zblock:table=v4 pool");
	CHECK(!strcmp(zp->spec.text, "zblock:table=v4"), "zblock v4 canonical spec: got '%s'",
	      zp->spec.text);
	/* 60 bytes: v4 type 0, 63 a page: ceil(100 / 63) = 2 pages (latest: 4). */
	CHECK_EQ_UL(pages_for(zp, 100, 60), 2, "zblock v4 pages for 100 x 60 bytes");
	/* 1000 bytes: [904, 1016) -> v4 type 14, (8, order 1): 10 objects, 2 blocks, 4 pages. */
	CHECK_EQ_UL(pages_for(zp, 10, 1000), 4, "zblock v4 pages for 10 x 1000 bytes");
	/* 4000 bytes: [3632, 4080) -> (4, order 2): 4 objects, 1 block, 4 pages. */
	CHECK_EQ_UL(pages_for(zp, 4, 4000), 4, "zblock v4 pages for 4 x 4000 bytes");
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zblock v4 pages left at destroy");
	zp = create_spec("zblock:table=latest");
	REQUIRE(zp, "no zblock:table=latest pool");
	CHECK(!strcmp(zp->spec.text, "zblock"), "zblock latest canonical spec: got '%s'", zp->spec.text);
	CHECK_EQ_UL(pages_for(zp, 100, 60), 4, "zblock latest pages for 100 x 60 bytes");
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zblock pages left at destroy");
}

TEST(zblock_spec_refuses_an_unknown_table)
{
	struct zpb_spec spec;
	char err[256];

	CHECK(zpb_spec_parse("zblock:table=v5", &spec, err, sizeof(err)) == -EINVAL,
	      "zblock:table=v5 refused");
	CHECK(strstr(err, "latest") && strstr(err, "v4") && strstr(err, "table"),
	      "zblock:table=v5 error names the choices: '%s'", err);
}

TEST(zblock_slot_0_follows_the_header_and_handles_carry_the_slot)
{
	struct zpool *zp = zpbt_create(zblock(), NULL, 0);
	unsigned long h[3];
	char *p[3];
	int i;

	REQUIRE(zp, "no zblock pool");
	for (i = 0; i < 3; i++) {
		h[i] = alloc(zp, 300);	/* type 2: 336 bytes, 12 a page */
		p[i] = zpool_map_handle(zp, h[i], ZPOOL_MM_WO);
		zpool_unmap_handle(zp, h[i]);
	}
	CHECK_EQ_UL(block_of(h[0]) & ~PAGE_MASK, 0, "zblock block is page aligned");
	CHECK_EQ_UL(block_of(h[1]), block_of(h[0]), "zblock objects 0 and 1 share a block");
	for (i = 0; i < 3; i++) {
		CHECK_EQ_UL(slot_of(h[i]), i, "zblock slot of the i-th object");
		CHECK_EQ_UL((unsigned long)p[i] - block_of(h[i]), 48 + 336 * i,
			    "zblock object offset: header + slot * slot size");
	}
	for (i = 0; i < 3; i++)
		zpool_free(zp, h[i]);
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zblock pages left at destroy");
}

TEST(zblock_blocks_that_regain_a_slot_join_the_tail_and_the_lowest_slot_is_taken)
{
	struct zpool *zp = zpbt_create(zblock(), NULL, 0);
	unsigned long a[28], b[28], h;
	int i;

	REQUIRE(zp, "no zblock pool");
	for (i = 0; i < 28; i++)
		a[i] = alloc(zp, 100);
	for (i = 0; i < 28; i++)
		b[i] = alloc(zp, 100);
	CHECK(block_of(a[0]) != block_of(b[0]), "zblock 29th object opens a second block");
	CHECK_EQ_UL(pages(zp), 2, "zblock pages for two full blocks");
	/* Both are full and off the active list. B regains a slot first, then A. */
	zpool_free(zp, b[20]);
	zpool_free(zp, a[9]);
	zpool_free(zp, a[3]);
	/* The list is B, A: the next object goes to B, then two to A, lowest slot first. */
	h = alloc(zp, 100);
	CHECK_EQ_UL(block_of(h), block_of(b[0]), "zblock alloc goes to the first block to regain a slot");
	CHECK_EQ_UL(slot_of(h), 20, "zblock slot in B");
	b[20] = h;
	h = alloc(zp, 100);
	CHECK_EQ_UL(block_of(h), block_of(a[0]), "zblock then the next block on the list");
	CHECK_EQ_UL(slot_of(h), 3, "zblock lowest free slot in A (freed last)");
	a[3] = h;
	h = alloc(zp, 100);
	CHECK_EQ_UL(slot_of(h), 9, "zblock then A's other free slot");
	a[9] = h;
	CHECK_EQ_UL(pages(zp), 2, "zblock no new block while slots were free");
	for (i = 0; i < 28; i++)
		zpool_free(zp, a[i]);
	CHECK_EQ_UL(pages(zp), 1, "zblock a block goes back with its last object");
	for (i = 0; i < 28; i++)
		zpool_free(zp, b[i]);
	CHECK_EQ_UL(pages(zp), 0, "zblock pages after freeing everything");
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zblock pages left at destroy");
}

/*
 * The race the source leaves open: between reading the active list's first
 * block and locking the list, the block's last object is freed. The hook
 * runs in that window; another thread frees the object, and the hook waits
 * until the block is off the list (its pages leave the pool's count; the
 * freeing thread then waits for the grace period, i.e. for this reader).
 */
struct race {
	struct zpool *zp;
	unsigned long victim;
	bool fired;
};

static void *free_victim(void *arg)
{
	struct race *r = arg;

	zpool_free(r->zp, r->victim);
	return NULL;
}

static void claim_hook(void *arg)
{
	struct race *r = arg;
	pthread_t t;
	int spins;

	if (r->fired)
		return;
	r->fired = true;
	if (pthread_create(&t, NULL, free_victim, r)) {
		zpbt_fail(__FILE__, __LINE__, "zblock: pthread_create");
		return;
	}
	for (spins = 0; spins < 10000000 && zpool_get_total_size(r->zp) != 0; spins++)
		sched_yield();
	pthread_detach(t);
}

TEST(zblock_claim_in_a_block_being_freed_is_guarded_and_counted)
{
	struct zpool *zp = zpbt_create(zblock(), NULL, 0);
	struct race r = { 0 };
	unsigned long h, w;
	void *p;

	REQUIRE(zp, "no zblock pool");
	r.zp = zp;
	r.victim = alloc(zp, 100);
	CHECK_EQ_UL(pages(zp), 1, "zblock pages with the victim");
	w = zpb_diag_guards();
	zpb_diag_set_quiet(true);
	zblock_set_claim_hook(claim_hook, &r);
	h = alloc(zp, 100);
	zblock_set_claim_hook(NULL, NULL);
	zpb_diag_set_quiet(false);
	CHECK(r.fired, "zblock claim hook ran");
	CHECK_EQ_UL(zpb_diag_guards(), w + 1, "zblock guard hits once for the dying block");
	REQUIRE(h, "zblock malloc during the race");
	CHECK(block_of(h) != block_of(r.victim), "zblock object is not in the dying block");
	p = zpool_map_handle(zp, h, ZPOOL_MM_WO);
	zpbt_fill(p, 100, 7);
	zpool_unmap_handle(zp, h);
	/* Wait for the freeing thread's grace period to end and the old block to go. */
	while (zpool_pages(zp) != 1)
		sched_yield();
	p = zpool_map_handle(zp, h, ZPOOL_MM_RO);
	CHECK_EQ_UL(zpbt_verify(p, 100, 7), 100, "zblock object intact after the race");
	zpool_unmap_handle(zp, h);
	CHECK_EQ_UL(pages(zp), 1, "zblock pages: the new block only");
	zpool_free(zp, h);
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zblock pages left at destroy");
}

TEST(zblock_has_no_evict_compact_or_migration)
{
	struct zpool *zp = zpbt_create(zblock(), NULL, 0);
	unsigned long h;

	REQUIRE(zp, "no zblock pool");
	CHECK(!(zblock()->caps & (ZPB_CAP_EVICT | ZPB_CAP_COMPACT | ZPB_CAP_MOVABLE)),
	      "zblock caps: no evict, compact or movable");
	CHECK(!zblock()->shrink && !zblock()->compact, "zblock has no shrink or compact");
	h = alloc(zp, 1500);
	CHECK_EQ_UL(zpool_migrate_pages(zp, 16), 0, "zblock pages migrated");
	CHECK_EQ_UL(zpool_compact(zp), 0, "zblock pages compacted");
	zpool_free(zp, h);
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zblock pages left at destroy");
}
