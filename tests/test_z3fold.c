// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: threaded
/*
 * z3fold's placement, compaction, reclaim and migration, pinned down with
 * numbers worked out by hand from the v5.4 chunk arithmetic:
 *
 *   CHUNK_SIZE 64, ZHDR_CHUNKS 2 (the kernel's 88-byte header), NCHUNKS 62,
 *   TOTAL_CHUNKS 64; objects over 4096 - 128 - 64 = 3904 bytes are headless
 *   (at 4K pages; 16K and 64K have a test of their own).
 *   FIRST starts at chunk 2 (byte 128), LAST ends at the page end, MIDDLE
 *   starts right after FIRST (first_chunks + 2) when it is placed.
 *
 * Single-threaded tests run in deterministic workqueue mode with the thread
 * pinned to one CPU, so compaction work runs at the end of the operation
 * that queued it and the per-CPU unbuddied list is known.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "../allocators/kernel/compat.h"
#include "harness.h"
#include "pool_util.h"

#define HDR 128UL		/* ZHDR_SIZE_ALIGNED */
#define CH 64UL			/* CHUNK_SIZE */

static int first_cpu(void)
{
	return zpb_next_online_cpu(-1);
}

static struct zpool *mk(const struct zpool_ops *ops)
{
	zpb_wq_set_deterministic(true);
	zpb_set_thread_cpu(first_cpu());
	return zpbt_create(zpb_driver_find("z3fold"), ops, 0);
}

/* A deterministic pool of the spec @text ("z3fold:claim_first=1"). */
static struct zpool *mk_spec(const char *text, const struct zpool_ops *ops)
{
	struct zpb_spec spec;
	char err[256];

	if (zpb_spec_parse(text, &spec, err, sizeof(err))) {
		CHECK(0, "%s: %s", text, err);
		return NULL;
	}
	zpb_wq_set_deterministic(true);
	zpb_set_thread_cpu(first_cpu());
	return zpool_create_pool(&spec, "test", ops, 0);
}

static void done(struct zpool *zp, unsigned long warns_before)
{
	long left = zpool_destroy_pool(zp);

	CHECK(left == 0, "z3fold: destroy: %ld pages left, expected 0", left);
	CHECK_EQ_UL(zpb_diag_warnings(), warns_before, "z3fold: WARN count");
	zpb_set_thread_cpu(-1);
	zpb_wq_set_deterministic(false);
}

static unsigned long h_alloc(struct zpool *zp, size_t size, uint64_t tag)
{
	unsigned long h = 0;
	int ret = zpool_malloc(zp, size, GFP_KERNEL, &h);
	void *p;

	CHECK(ret == 0, "z3fold: malloc(%zu): expected 0, got %d", size, ret);
	if (ret)
		return 0;
	p = zpool_map_handle(zp, h, ZPOOL_MM_WO);
	zpbt_fill(p, size, tag);
	zpool_unmap_handle(zp, h);
	return h;
}

/* Byte offset of the object within its page (unmaps again). */
static unsigned long off_of(struct zpool *zp, unsigned long h)
{
	unsigned long p = (unsigned long)zpool_map_handle(zp, h, ZPOOL_MM_RO);

	zpool_unmap_handle(zp, h);
	return p & ~PAGE_MASK;
}

static unsigned long page_of(struct zpool *zp, unsigned long h)
{
	unsigned long p = (unsigned long)zpool_map_handle(zp, h, ZPOOL_MM_RO);

	zpool_unmap_handle(zp, h);
	return p & PAGE_MASK;
}

static bool intact(struct zpool *zp, unsigned long h, size_t size, uint64_t tag)
{
	const void *p = zpool_map_handle(zp, h, ZPOOL_MM_RO);
	size_t at = zpbt_verify(p, size, tag);

	zpool_unmap_handle(zp, h);
	CHECK(at == size, "z3fold: object of %zu bytes (tag %llu) differs at byte %zu",
	      size, (unsigned long long)tag, at);
	return at == size;
}

/*
 * The same arithmetic at 16K and 64K, by hand: chunks of 256 and 1024
 * bytes, the 88-byte header in one chunk (ZHDR_CHUNKS 1), so NCHUNKS 63 of
 * TOTAL_CHUNKS 64, and objects over page - 2 chunks (15872, 63488 bytes)
 * headless. Three 16-chunk objects (48 <= 63) share a page: FIRST after the
 * header, LAST ending the page, MIDDLE at first_chunks + ZHDR_CHUNKS = 17.
 */
static const struct {
	unsigned long page, chunk, obj, headless;	/* obj: 16 chunks' worth, less a little */
} z3fold_big_pages[] = {
	{ 16384, 256, 4000, 15873 },
	{ 65536, 1024, 16000, 63489 },
};

TEST(z3fold_16k_and_64k_pages_have_the_kernels_chunks_by_hand)
{
	unsigned long w = zpb_diag_warnings();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(z3fold_big_pages); i++) {
		unsigned long ps = z3fold_big_pages[i].page, ch = z3fold_big_pages[i].chunk, h[6];
		size_t obj = z3fold_big_pages[i].obj, hl = z3fold_big_pages[i].headless;
		struct zpool *zp;
		int k;

		if (!zpbt_page_size(ps))
			break;
		zp = mk(NULL);
		REQUIRE(zp, "z3fold: create at %lu-byte pages", ps);
		h[0] = h_alloc(zp, obj, 1);
		h[1] = h_alloc(zp, obj, 2);
		h[2] = h_alloc(zp, obj, 3);
		CHECK_EQ_PG(zpool_pages(zp), 1, "z3fold: pages after three 16-chunk objects");
		CHECK_EQ_PG(off_of(zp, h[0]), ch, "z3fold: FIRST after the one-chunk header");
		CHECK_EQ_PG(off_of(zp, h[1]), ps - 16 * ch, "z3fold: LAST ends the page");
		CHECK_EQ_PG(off_of(zp, h[2]), 17 * ch, "z3fold: MIDDLE right after FIRST");
		h[3] = h_alloc(zp, 1, 4);	/* the page has all three buddies */
		CHECK_EQ_PG(zpool_pages(zp), 2, "z3fold: pages after a fourth object");
		/* 62 chunks: a buddy; 1 + 1 + 62 = 64, so LAST beside the 1-byte FIRST. */
		h[4] = h_alloc(zp, hl - 1, 5);
		CHECK_EQ_PG(page_of(zp, h[4]), page_of(zp, h[3]), "z3fold: page - 2 chunks joins the 1-chunk page");
		CHECK_EQ_PG(off_of(zp, h[4]), 2 * ch, "z3fold: page - 2 chunks as LAST");
		h[5] = h_alloc(zp, hl, 6);	/* one byte more: headless */
		CHECK_EQ_PG(off_of(zp, h[5]), 0, "z3fold: page - 2 chunks + 1 is headless");
		CHECK_EQ_PG(zpool_pages(zp), 3, "z3fold: pages after the two large objects");
		{
			unsigned long x;

			CHECK_EQ_PG(zpool_malloc(zp, ps + 1, GFP_KERNEL, &x), -ENOSPC, "z3fold: malloc(page + 1)");
		}
		for (k = 0; k < 6; k++) {
			intact(zp, h[k], k == 3 ? 1 : k == 4 ? hl - 1 : k == 5 ? hl : obj, k + 1);
			zpool_free(zp, h[k]);
		}
		done(zp, w);
	}
	zpbt_page_size(4096);
}

TEST(z3fold_three_objects_whose_chunks_fit_share_one_page_first_last_middle)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(NULL);
	unsigned long a, b, c, d;

	REQUIRE(zp, "z3fold: create");
	/* 1000 bytes = 16 chunks; 3 x 16 = 48 <= 62. */
	a = h_alloc(zp, 1000, 1);
	b = h_alloc(zp, 1000, 2);
	c = h_alloc(zp, 1000, 3);
	CHECK_EQ_UL(zpool_pages(zp), 1, "z3fold: pages after three 16-chunk objects");
	CHECK_EQ_UL(zpool_get_total_size(zp), PAGE_SIZE, "z3fold: total_size");
	CHECK_EQ_UL(off_of(zp, a), HDR, "z3fold: first object is FIRST (after the header)");
	CHECK_EQ_UL(off_of(zp, b), PAGE_SIZE - 16 * CH, "z3fold: second object is LAST (ends the page)");
	CHECK_EQ_UL(off_of(zp, c), (16 + 2) * CH, "z3fold: third object is MIDDLE (right after FIRST)");
	CHECK(page_of(zp, a) == page_of(zp, b) && page_of(zp, b) == page_of(zp, c),
	      "z3fold: the three objects share a page");
	/* The page is full (all three buddies): even 1 byte takes a new page. */
	d = h_alloc(zp, 1, 4);
	CHECK_EQ_UL(zpool_pages(zp), 2, "z3fold: pages after a fourth object");
	CHECK_EQ_UL(off_of(zp, d), HDR, "z3fold: fourth object is FIRST of a new page");
	intact(zp, a, 1000, 1);
	intact(zp, b, 1000, 2);
	intact(zp, c, 1000, 3);
	intact(zp, d, 1, 4);
	zpool_free(zp, a);
	zpool_free(zp, b);
	zpool_free(zp, c);
	zpool_free(zp, d);
	CHECK_EQ_UL(zpool_pages(zp), 0, "z3fold: pages after freeing all");
	done(zp, w);
}

TEST(z3fold_headless_above_3904_bytes_and_errors_as_the_kernel)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(NULL);
	unsigned long a, b, c, h = 0;

	REQUIRE(zp, "z3fold: create");
	a = h_alloc(zp, 3904, 1);	/* 61 chunks: the largest buddy */
	CHECK_EQ_UL(off_of(zp, a), HDR, "z3fold: 3904 bytes is a FIRST buddy");
	b = h_alloc(zp, 3905, 2);
	CHECK_EQ_UL(off_of(zp, b), 0, "z3fold: 3905 bytes is headless (page start)");
	c = h_alloc(zp, PAGE_SIZE, 3);
	CHECK_EQ_UL(off_of(zp, c), 0, "z3fold: PAGE_SIZE bytes is headless");
	CHECK_EQ_UL(zpool_pages(zp), 3, "z3fold: pages for 3904, 3905 and 4096 bytes");
	CHECK_EQ_UL(zpool_malloc(zp, PAGE_SIZE + 1, GFP_KERNEL, &h), (unsigned long)-ENOSPC,
		    "z3fold: malloc(PAGE_SIZE + 1)");
	CHECK_EQ_UL(zpool_malloc(zp, 0, GFP_KERNEL, &h), (unsigned long)-EINVAL, "z3fold: malloc(0)");
	CHECK_EQ_UL(zpool_malloc(zp, 100, GFP_KERNEL | __GFP_HIGHMEM, &h), (unsigned long)-EINVAL,
		    "z3fold: malloc with __GFP_HIGHMEM");
	intact(zp, a, 3904, 1);
	intact(zp, b, 3905, 2);
	intact(zp, c, PAGE_SIZE, 3);
	zpool_free(zp, b);
	CHECK_EQ_UL(zpool_pages(zp), 2, "z3fold: freeing a headless object frees its page at once");
	zpool_free(zp, a);
	zpool_free(zp, c);
	done(zp, w);
}

TEST(z3fold_full_page_is_off_the_unbuddied_lists_and_list_zero_is_never_searched)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(NULL);
	unsigned long a, b, c;

	REQUIRE(zp, "z3fold: create");
	a = h_alloc(zp, 3904, 1);	/* FIRST, 61 chunks: 1 free chunk */
	b = h_alloc(zp, 64, 2);		/* 1 chunk: fits as LAST, page now has 0 free */
	CHECK_EQ_UL(zpool_pages(zp), 1, "z3fold: 61 + 1 chunks share a page");
	CHECK_EQ_UL(off_of(zp, b), PAGE_SIZE - CH, "z3fold: the 1-chunk object is LAST");
	/* No free chunk left (the page sits on list 0, which a search never reads). */
	c = h_alloc(zp, 1, 3);
	CHECK_EQ_UL(zpool_pages(zp), 2, "z3fold: a 1-byte object after 61 + 1 chunks");
	/* 65 bytes are 2 chunks: a 61-chunk FIRST leaves 1, so no room. */
	zpool_free(zp, b);
	zpool_free(zp, c);
	CHECK_EQ_UL(zpool_pages(zp), 1, "z3fold: pages after freeing the small objects");
	b = h_alloc(zp, 65, 4);
	CHECK_EQ_UL(zpool_pages(zp), 2, "z3fold: a 2-chunk object does not fit beside 61 chunks");
	intact(zp, a, 3904, 1);
	zpool_free(zp, a);
	zpool_free(zp, b);
	done(zp, w);
}

TEST(z3fold_other_cpus_lists_are_searched_for_the_exact_size_only)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp;
	unsigned long a, b, c, d;
	int cpu_a = first_cpu(), cpu_b = cpu_a == 0 ? 1 : 0;

	if (nr_cpu_ids < 2) {
		zpbt_skip("one CPU id: there is no other CPU's list to search");
		return;
	}
	zp = mk(NULL);
	REQUIRE(zp, "z3fold: create");
	a = h_alloc(zp, 1000, 1);	/* CPU A: FIRST 16 chunks, on A's list 46 */
	zpb_set_thread_cpu(cpu_b);
	b = h_alloc(zp, 20 * CH, 2);	/* 20 chunks: not an exact match for 46 */
	CHECK_EQ_UL(zpool_pages(zp), 2, "z3fold: a smaller object on another CPU takes a new page");
	CHECK(page_of(zp, a) != page_of(zp, b), "z3fold: the 20-chunk object is on its own page");
	/* B's own page has 42 free: too few. Exactly 46 chunks: found on A's list 46. */
	c = h_alloc(zp, 46 * CH, 3);
	CHECK_EQ_UL(zpool_pages(zp), 2, "z3fold: an exact-size object uses the other CPU's page");
	CHECK(page_of(zp, a) == page_of(zp, c), "z3fold: the 46-chunk object joined A's page");
	CHECK_EQ_UL(off_of(zp, c), PAGE_SIZE - 46 * CH, "z3fold: as its LAST buddy");
	/* On its own CPU, any list at or above the size is searched. */
	d = h_alloc(zp, 5 * CH, 4);
	CHECK(page_of(zp, d) == page_of(zp, b), "z3fold: a 5-chunk object joins B's own page");
	intact(zp, a, 1000, 1);
	intact(zp, b, 20 * CH, 2);
	intact(zp, c, 46 * CH, 3);
	intact(zp, d, 5 * CH, 4);
	zpool_free(zp, a);
	zpool_free(zp, b);
	zpool_free(zp, c);
	zpool_free(zp, d);
	done(zp, w);
}

/*
 * A full page leaves __z3fold_alloc() with cpu -1 (add_to_unbuddied() skips
 * full pages), so a free from it takes z3fold_free()'s synchronous branch,
 * where v5.4 calls do_compact_page() while the free still holds PAGE_CLAIMED:
 * do_compact_page() then only takes the page off the lists. The page is
 * neither compacted nor offered to new objects until something re-queues
 * its compaction (migration does). Later kernels clear PAGE_CLAIMED first.
 */
TEST(z3fold_free_from_a_once_full_page_neither_compacts_nor_relists_it_as_v5_4)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(NULL);
	unsigned long a, b, c, d;

	REQUIRE(zp, "z3fold: create");
	a = h_alloc(zp, 1000, 1);	/* FIRST 16 */
	b = h_alloc(zp, 1000, 2);	/* LAST 16 */
	c = h_alloc(zp, 1000, 3);	/* MIDDLE 16 at chunk 18: the page is full */
	zpool_free(zp, a);
	CHECK_EQ_UL(off_of(zp, c), 18 * CH, "z3fold: middle not moved after FIRST freed from a full page");
	d = h_alloc(zp, 1000, 4);
	CHECK_EQ_UL(zpool_pages(zp), 2, "z3fold: a 16-chunk object after freeing FIRST of a full page takes a new page");
	CHECK(page_of(zp, d) != page_of(zp, c), "z3fold: the new object is not on the once-full page");
	intact(zp, b, 1000, 2);
	intact(zp, c, 1000, 3);
	zpool_free(zp, b);
	zpool_free(zp, c);
	zpool_free(zp, d);
	CHECK_EQ_UL(zpool_pages(zp), 0, "z3fold: pages after freeing all");
	done(zp, w);
}

/*
 * The spec option claim_first=1 releases the claim before compacting, as
 * Linux 5.5 does: the same sequence now compacts the page (MIDDLE moves next
 * to LAST: 64 - 16 - 16 = chunk 32, since 64 - (16 + 18 + 16) = 14 >=
 * BIG_CHUNK_GAP) and relists it with 32 - 2 = 30 free chunks, so the next
 * 16-chunk object goes there as FIRST instead of to a new page.
 */
TEST(z3fold_claim_first_compacts_and_relists_a_once_full_page_as_linux_5_5)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk_spec("z3fold:claim_first=1", NULL);
	unsigned long a, b, c, d;

	REQUIRE(zp, "z3fold:claim_first=1: create");
	a = h_alloc(zp, 1000, 1);
	b = h_alloc(zp, 1000, 2);
	c = h_alloc(zp, 1000, 3);
	zpool_free(zp, a);
	CHECK_EQ_UL(off_of(zp, c), 32 * CH, "z3fold:claim_first=1: middle moved next to LAST");
	d = h_alloc(zp, 1000, 4);
	CHECK_EQ_UL(zpool_pages(zp), 1, "z3fold:claim_first=1: the once-full page takes the new object");
	CHECK(page_of(zp, d) == page_of(zp, c), "z3fold:claim_first=1: the new object shares the page");
	CHECK_EQ_UL(off_of(zp, d), HDR, "z3fold:claim_first=1: the new object is FIRST");
	CHECK(intact(zp, b, 1000, 2) && intact(zp, c, 1000, 3), "z3fold:claim_first=1: contents kept");
	zpool_free(zp, b);
	zpool_free(zp, c);
	zpool_free(zp, d);
	done(zp, w);
}

/* Build FIRST a, LAST b, MIDDLE c (chunk sizes fa, lb, mc), then free a. */
static void first_last_middle_free_first(struct zpool *zp, unsigned long *b, unsigned long *c,
					 size_t lb, size_t mc)
{
	unsigned long a = h_alloc(zp, 16 * CH, 1);

	*b = h_alloc(zp, lb * CH, 2);
	*c = h_alloc(zp, mc * CH, 3);
	CHECK_EQ_UL(off_of(zp, *c), 18 * CH, "z3fold: middle starts right after FIRST, at chunk 18");
	zpool_free(zp, a);
}

TEST(z3fold_middle_moves_to_last_then_to_first_when_both_ends_free)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(NULL);
	unsigned long b, c, d;

	REQUIRE(zp, "z3fold: create");
	first_last_middle_free_first(zp, &b, &c, 16, 16);
	/*
	 * Migration queues the compaction of the new page: FIRST is free and
	 * the gap after the middle is 64 - (16 + 18 + 16) = 14 >= 3, so the
	 * middle moves up against LAST, to chunk 32.
	 */
	CHECK_EQ_UL(zpool_migrate_pages(zp, 8), 1, "z3fold: pages migrated");
	CHECK_EQ_UL(off_of(zp, c), 32 * CH, "z3fold: middle moved next to LAST");
	intact(zp, c, 16 * CH, 3);
	/* Now on a list with its CPU: freeing LAST queues compaction; both ends free: to FIRST. */
	zpool_free(zp, b);
	CHECK_EQ_UL(off_of(zp, c), HDR, "z3fold: lone middle moved to FIRST (first_num rotated)");
	intact(zp, c, 16 * CH, 3);
	d = h_alloc(zp, 1000, 4);
	CHECK_EQ_UL(off_of(zp, d), PAGE_SIZE - 16 * CH, "z3fold: next object is LAST of the same page");
	CHECK_EQ_UL(zpool_pages(zp), 1, "z3fold: still one page");
	zpool_free(zp, c);
	zpool_free(zp, d);
	done(zp, w);
}

TEST(z3fold_middle_stays_when_the_gap_is_below_big_chunk_gap)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(NULL);
	unsigned long b, c;

	REQUIRE(zp, "z3fold: create");
	/* LAST 20 from chunk 44, MIDDLE 24 at 18..42: moving up gains 2 < BIG_CHUNK_GAP (3). */
	first_last_middle_free_first(zp, &b, &c, 20, 24);
	CHECK_EQ_UL(zpool_migrate_pages(zp, 8), 1, "z3fold: pages migrated");
	CHECK_EQ_UL(off_of(zp, c), 18 * CH, "z3fold: a 2-chunk gain does not move the middle");
	intact(zp, b, 20 * CH, 2);
	intact(zp, c, 24 * CH, 3);
	zpool_free(zp, b);
	CHECK_EQ_UL(off_of(zp, c), HDR, "z3fold: with both ends free it moves to FIRST whatever the gain");
	zpool_free(zp, c);
	done(zp, w);
}

TEST(z3fold_mapped_middle_is_not_moved_and_gap_after_first_is_closed)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(NULL);
	unsigned long b, c, d, e;
	void *p;

	REQUIRE(zp, "z3fold: create");
	first_last_middle_free_first(zp, &b, &c, 16, 16);
	p = zpool_map_handle(zp, c, ZPOOL_MM_RO);
	CHECK_EQ_UL(zpool_migrate_pages(zp, 8), 0, "z3fold: a page with a mapped object is not migrated");
	zpool_unmap_handle(zp, c);
	CHECK_EQ_UL(zpool_migrate_pages(zp, 8), 1, "z3fold: pages migrated after unmap");
	CHECK_EQ_UL(off_of(zp, c), 32 * CH, "z3fold: middle moved next to LAST");
	/* Both ends free, but the middle is mapped while its compaction runs: it stays. */
	p = zpool_map_handle(zp, c, ZPOOL_MM_RO);
	zpool_free(zp, b);
	CHECK_EQ_UL((unsigned long)p & ~PAGE_MASK, 32 * CH, "z3fold: mapped middle address");
	zpool_unmap_handle(zp, c);
	CHECK_EQ_UL(off_of(zp, c), 32 * CH, "z3fold: middle mapped during compaction was not moved");
	/* 30 free chunks before the middle: a 5-chunk object (below start_middle 32) is FIRST. */
	d = h_alloc(zp, 5 * CH, 4);
	CHECK_EQ_UL(off_of(zp, d), HDR, "z3fold: 5-chunk object is FIRST in front of the middle");
	/* A LAST fills the page (16 free after the middle); free it from the full page, then migrate. */
	e = h_alloc(zp, 10 * CH, 5);
	CHECK_EQ_UL(off_of(zp, e), PAGE_SIZE - 10 * CH, "z3fold: 10-chunk object is LAST");
	zpool_free(zp, e);
	CHECK_EQ_UL(zpool_migrate_pages(zp, 8), 1, "z3fold: pages migrated");
	/* FIRST ends at chunk 7, the middle starts at 32: a 25-chunk gap closes. */
	CHECK_EQ_UL(off_of(zp, c), 7 * CH, "z3fold: middle moved down to just after FIRST");
	CHECK_EQ_UL(zpool_pages(zp), 1, "z3fold: one page");
	intact(zp, c, 16 * CH, 3);
	intact(zp, d, 5 * CH, 4);
	zpool_free(zp, c);
	zpool_free(zp, d);
	done(zp, w);
}

/*
 * A page with both ends free and its middle buddy in place: FIRST 1 chunk,
 * LAST 29, MIDDLE 30 at chunk 3 (too little gain to move: 64 - 62 = 2 <
 * BIG_CHUNK_GAP); free FIRST, migrate (relisted with the middle in place),
 * then free LAST while the middle is mapped, so its compaction leaves it.
 * The page is listed with 31 free chunks (after the middle). Returns the
 * middle's handle, mapped (read-write) at *@mapped.
 */
static unsigned long middle_in_place_with_both_ends_free(struct zpool *zp, void **mapped)
{
	unsigned long a = h_alloc(zp, 1 * CH, 1), b = h_alloc(zp, 29 * CH, 2), c = h_alloc(zp, 30 * CH, 3);

	CHECK_EQ_UL(off_of(zp, c), 3 * CH, "z3fold: middle placed at chunk 3, after a 1-chunk FIRST");
	zpool_free(zp, a);
	CHECK_EQ_UL(zpool_migrate_pages(zp, 8), 1, "z3fold: pages migrated");
	CHECK_EQ_UL(off_of(zp, c), 3 * CH, "z3fold: a 2-chunk gain does not move the middle");
	*mapped = zpool_map_handle(zp, c, ZPOOL_MM_RW);
	zpool_free(zp, b);
	CHECK_EQ_UL((unsigned long)*mapped & ~PAGE_MASK, 3 * CH, "z3fold: the mapped middle stayed at chunk 3");
	return c;
}

/*
 * The seed's placement rule (v5.4 z3fold_alloc, seed lines 886-887) puts an
 * object of start_middle - 1 chunks FIRST, in front of a middle at
 * start_middle, where only start_middle - 2 fit: its last chunk overlaps the
 * middle. Reproduced as v5.4 does it (found by the shadow suite's held
 * mappings): a 2-chunk object goes FIRST over the 30-chunk middle at chunk 3.
 */
TEST(z3fold_v5_4_puts_an_object_one_chunk_too_large_first_overlapping_the_middle)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(NULL);
	unsigned long c, d;
	void *pc;
	size_t at;

	REQUIRE(zp, "z3fold: create");
	c = middle_in_place_with_both_ends_free(zp, &pc);
	d = h_alloc(zp, 2 * CH - 20, 4);	/* 2 chunks = start_middle - 1 */
	CHECK_EQ_UL(zpool_pages(zp), 1, "z3fold (v5.4): the 2-chunk object joins the page");
	CHECK_EQ_UL(off_of(zp, d), HDR, "z3fold (v5.4): the 2-chunk object goes FIRST");
	at = zpbt_verify(pc, 30 * CH, 3);
	CHECK(at < CH, "z3fold (v5.4): the mapped middle's first chunk is overwritten by FIRST: first difference at byte %zu, expected below %lu",
	      at, CH);
	zpool_unmap_handle(zp, c);
	zpool_free(zp, c);
	zpool_free(zp, d);
	done(zp, w);
}

/* strict_first=1: Linux 5.11's get_free_buddy() bound sends it LAST, after the middle. */
TEST(z3fold_strict_first_puts_it_last_and_keeps_the_middle_as_linux_5_11)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk_spec("z3fold:strict_first=1", NULL);
	unsigned long c, d;
	void *pc;

	REQUIRE(zp, "z3fold:strict_first=1: create");
	c = middle_in_place_with_both_ends_free(zp, &pc);
	d = h_alloc(zp, 2 * CH - 20, 4);
	CHECK_EQ_UL(zpool_pages(zp), 1, "z3fold:strict_first=1: the 2-chunk object joins the page");
	CHECK_EQ_UL(off_of(zp, d), PAGE_SIZE - 2 * CH, "z3fold:strict_first=1: the 2-chunk object goes LAST");
	CHECK_EQ_UL(zpbt_verify(pc, 30 * CH, 3), 30 * CH, "z3fold:strict_first=1: mapped middle intact (bytes)");
	zpool_unmap_handle(zp, c);
	intact(zp, d, 2 * CH - 20, 4);
	zpool_free(zp, c);
	zpool_free(zp, d);
	done(zp, w);
}

/*
 * Isolation refuses a page with a mapped object (v5.4 z3fold_page_isolate).
 * Were it to isolate it, migration would refuse (-EBUSY) and putback would
 * leave the page off the unbuddied lists: the next object that fits would
 * take a new page instead.
 */
TEST(z3fold_migration_refused_for_a_mapped_page_keeps_it_on_its_unbuddied_list)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(NULL);
	unsigned long a, b;

	REQUIRE(zp, "z3fold: create");
	a = h_alloc(zp, 16 * CH, 1);
	zpool_map_handle(zp, a, ZPOOL_MM_RO);
	CHECK_EQ_UL(zpool_migrate_pages(zp, 8), 0, "z3fold: a page with a mapped object is not migrated");
	zpool_unmap_handle(zp, a);
	b = h_alloc(zp, 16 * CH, 2);
	CHECK_EQ_UL(zpool_pages(zp), 1, "z3fold: pages after the refused migration and a 16-chunk object");
	CHECK(page_of(zp, a) == page_of(zp, b), "z3fold: the 16-chunk object joined the page that stayed listed");
	CHECK_EQ_UL(off_of(zp, b), PAGE_SIZE - 16 * CH, "z3fold: as its LAST buddy");
	zpool_free(zp, a);
	zpool_free(zp, b);
	done(zp, w);
}

/* Reclaim: an evict callback that writes back (checks) and frees. */
#define NOBJ 64
static struct {
	struct zpool *zp;
	unsigned long handle[NOBJ];
	size_t size[NOBJ];
	int order[NOBJ], norder;
	int fail_first;		/* fail this many evict calls */
	int calls;
	pthread_mutex_t lock;
} R = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int r_evict(struct zpool *zp, unsigned long handle)
{
	int i;

	R.calls++;
	if (R.fail_first > 0) {
		R.fail_first--;
		return -EBUSY;
	}
	for (i = 0; i < NOBJ; i++) {
		if (R.handle[i] != handle)
			continue;
		intact(zp, handle, R.size[i], i);
		zpool_free(zp, handle);
		R.handle[i] = 0;
		R.order[R.norder++] = i;
		return 0;
	}
	CHECK(0, "z3fold: evict of handle %#lx that malloc never returned (or already freed)", handle);
	return -ENOENT;
}

static const struct zpool_ops r_ops = { .evict = r_evict };

static void r_reset(struct zpool *zp)
{
	memset(R.handle, 0, sizeof(R.handle));
	R.zp = zp;
	R.norder = 0;
	R.fail_first = 0;
	R.calls = 0;
}

static void r_alloc(int i, size_t size)
{
	R.size[i] = size;
	R.handle[i] = h_alloc(R.zp, size, i);
}

static void r_free_rest(void)
{
	int i;

	for (i = 0; i < NOBJ; i++)
		if (R.handle[i]) {
			intact(R.zp, R.handle[i], R.size[i], i);
			zpool_free(R.zp, R.handle[i]);
			R.handle[i] = 0;
		}
}

TEST(z3fold_shrink_frees_pages_in_lru_order_middle_first_last_last)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(&r_ops);
	unsigned int got = 0;
	int ret;

	REQUIRE(zp, "z3fold: create");
	r_reset(zp);
	r_alloc(0, 3000);	/* page 1: 47 chunks, 15 free */
	r_alloc(1, 4000);	/* page 2: headless */
	r_alloc(2, 3000);	/* page 3 */
	r_alloc(3, 1000);	/* page 4: FIRST (15 free elsewhere is too little) */
	r_alloc(4, 1000);	/* page 4: LAST */
	r_alloc(5, 1000);	/* page 4: MIDDLE */
	CHECK_EQ_UL(zpool_pages(zp), 4, "z3fold: pages before shrinking");
	ret = zpool_shrink(zp, 1, &got);
	CHECK(ret == 0 && got == 1, "z3fold: shrink(1): expected 0 and 1 page, got %d and %u", ret, got);
	CHECK(R.norder == 1 && R.order[0] == 0, "z3fold: shrink(1) evicted the oldest page's object (0), got %d objects, first %d",
	      R.norder, R.order[0]);
	ret = zpool_shrink(zp, 2, &got);
	CHECK(ret == 0 && got == 2, "z3fold: shrink(2): expected 0 and 2 pages, got %d and %u", ret, got);
	CHECK(R.norder == 3 && R.order[1] == 1 && R.order[2] == 2,
	      "z3fold: then the headless page (1), then page 3 (2): got %d objects: %d %d", R.norder,
	      R.order[1], R.order[2]);
	CHECK_EQ_UL(zpool_pages(zp), 1, "z3fold: pages after reclaiming three");
	ret = zpool_shrink(zp, 1, &got);
	CHECK(ret == 0 && got == 1, "z3fold: shrink(1) of the three-buddy page: got %d and %u", ret, got);
	/* Within a page: the middle buddy first, then first, then last. */
	CHECK(R.norder == 6 && R.order[3] == 5 && R.order[4] == 3 && R.order[5] == 4,
	      "z3fold: evict order middle (5), first (3), last (4): got %d objects: %d %d %d",
	      R.norder, R.order[3], R.order[4], R.order[5]);
	CHECK_EQ_UL(zpool_pages(zp), 0, "z3fold: pages after reclaiming all");
	ret = zpool_shrink(zp, 1, &got);
	CHECK(ret == -EINVAL && got == 0, "z3fold: shrink of an empty pool: expected -EINVAL, got %d (%u)", ret, got);
	done(zp, w);
}

TEST(z3fold_failed_evict_puts_the_page_back_and_retries_eight_times)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(&r_ops);
	unsigned int got = 0;
	int ret;

	REQUIRE(zp, "z3fold: create");
	r_reset(zp);
	r_alloc(0, 3000);
	r_alloc(1, 3000);
	r_alloc(2, 3000);
	CHECK_EQ_UL(zpool_pages(zp), 3, "z3fold: three 47-chunk objects take three pages");
	R.fail_first = 100;
	ret = zpool_shrink(zp, 1, &got);
	CHECK(ret == -EAGAIN && got == 0, "z3fold: shrink with every evict failing: expected -EAGAIN, 0; got %d, %u",
	      ret, got);
	CHECK_EQ_UL(R.calls, 8, "z3fold: evict calls with retries = 8");
	CHECK_EQ_UL(zpool_pages(zp), 3, "z3fold: pages after failed shrink");
	/*
	 * Each failure puts the page back at the LRU head: 8 tries went round
	 * 0,1,2,0,1,2,0,1 so the LRU tail is now object 2's page. Fail once more:
	 * 2 goes back, then 0 is evicted.
	 */
	R.fail_first = 1;
	R.calls = 0;
	ret = zpool_shrink(zp, 1, &got);
	CHECK(ret == 0 && got == 1, "z3fold: shrink after one failure: expected 0, 1; got %d, %u", ret, got);
	CHECK_EQ_UL(R.calls, 2, "z3fold: evict calls: one failure, one success");
	CHECK(R.norder == 1 && R.order[0] == 0, "z3fold: the page tried second (object 0) was reclaimed, got %d (%d)",
	      R.norder, R.order[0]);
	CHECK_EQ_UL(zpool_pages(zp), 2, "z3fold: pages after one reclaim");
	r_free_rest();
	done(zp, w);
}

/*
 * A page whose evict fails goes back to the LRU's head (v5.4's list_add in
 * z3fold_reclaim_page), so the retry takes the next page from the tail:
 * with the oldest page's evict failing once, the second oldest is reclaimed.
 * (Back at the tail, the same page would be retried and reclaimed.) For
 * buddy pages and for headless ones, which take their own branch.
 */
static void failed_evict_goes_to_lru_head(size_t size)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(&r_ops);
	unsigned int got = 0;
	int ret;

	REQUIRE(zp, "z3fold: create");
	r_reset(zp);
	r_alloc(0, size);
	r_alloc(1, size);
	r_alloc(2, size);
	CHECK_EQ_UL(zpool_pages(zp), 3, "z3fold: three objects take three pages");
	R.fail_first = 1;
	ret = zpool_shrink(zp, 1, &got);
	CHECK(ret == 0 && got == 1, "z3fold: shrink(1) of %zu-byte objects, first evict failing: got %d, %u",
	      size, ret, got);
	CHECK_EQ_UL(R.calls, 2, "z3fold: evict calls (one failure, one success)");
	CHECK(R.norder == 1 && R.order[0] == 1,
	      "z3fold: %zu-byte objects: after the oldest page's evict failed, the second oldest (1) is reclaimed: got %d objects, first %d",
	      size, R.norder, R.norder ? R.order[0] : -1);
	r_free_rest();
	done(zp, w);
}

TEST(z3fold_failed_evict_puts_a_buddy_page_at_the_lru_head_so_the_next_page_is_tried)
{
	failed_evict_goes_to_lru_head(3000);
}

TEST(z3fold_failed_evict_puts_a_headless_page_at_the_lru_head_so_the_next_page_is_tried)
{
	failed_evict_goes_to_lru_head(4000);
}

/*
 * A user may free an object while reclaim is evicting its page (zswap's
 * invalidate racing writeback). Simulated in order: evicting the middle,
 * the callback also frees FIRST as the racing user would; reclaim then
 * offers FIRST's handle, which must still resolve, and the callback, which
 * no longer knows it, answers 0 as zswap does for an invalidated entry.
 */
static int raced_first = -1;
static unsigned long raced_page;	/* the page under reclaim, as mapped before the shrink */

static int r_evict_racing(struct zpool *zp, unsigned long handle)
{
	int i;

	R.calls++;
	for (i = 0; i < NOBJ; i++)
		if (R.handle[i] == handle)
			break;
	if (i == NOBJ) {
		/* Already freed by its owner: still a handle of this page. */
		void *p = zpool_map_handle(zp, handle, ZPOOL_MM_RO);

		CHECK(p && ((unsigned long)p & PAGE_MASK) == raced_page,
		      "z3fold: a handle freed during reclaim maps to %p, expected its page %#lx",
		      p, raced_page);
		CHECK(((unsigned long)p & ~PAGE_MASK) == HDR,
		      "z3fold: the freed FIRST handle maps at offset %#lx, expected FIRST's %#lx",
		      (unsigned long)p & ~PAGE_MASK, HDR);
		zpool_unmap_handle(zp, handle);
		return 0;
	}
	intact(zp, handle, R.size[i], i);
	zpool_free(zp, handle);
	R.handle[i] = 0;
	R.order[R.norder++] = i;
	if (raced_first >= 0 && R.handle[raced_first]) {
		zpool_free(zp, R.handle[raced_first]);
		R.handle[raced_first] = 0;
	}
	return 0;
}

static const struct zpool_ops r_racing_ops = { .evict = r_evict_racing };

TEST(z3fold_handle_freed_by_its_owner_during_reclaim_still_resolves)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(&r_racing_ops);
	unsigned int got = 0;
	int ret;

	REQUIRE(zp, "z3fold: create");
	r_reset(zp);
	r_alloc(0, 1000);	/* FIRST */
	r_alloc(1, 1000);	/* LAST */
	r_alloc(2, 1000);	/* MIDDLE: evicted first */
	raced_first = 0;
	raced_page = page_of(zp, R.handle[0]);
	ret = zpool_shrink(zp, 1, &got);
	raced_first = -1;
	CHECK(ret == 0 && got == 1, "z3fold: shrink: expected 0 and 1 page, got %d and %u", ret, got);
	CHECK_EQ_UL(R.calls, 3, "z3fold: evict calls (middle, freed first, last)");
	CHECK(R.norder == 2 && R.order[0] == 2 && R.order[1] == 1,
	      "z3fold: evicted middle (2) then last (1): got %d objects: %d %d", R.norder, R.order[0],
	      R.order[1]);
	CHECK_EQ_UL(zpool_pages(zp), 0, "z3fold: pages after reclaim");
	done(zp, w);	/* the slots went back too: kmem_cache_destroy would WARN */
}

/* A headless object freed while its evict fails: v5.4 leaks the page. */
static int r_evict_fail_but_free(struct zpool *zp, unsigned long handle)
{
	R.calls++;
	zpool_free(zp, handle);	/* the owner's free, racing the write-back */
	R.handle[0] = 0;
	return -EAGAIN;		/* the write-back itself failed */
}

static const struct zpool_ops r_fail_free_ops = { .evict = r_evict_fail_but_free };

TEST(z3fold_headless_page_freed_while_its_evict_fails_is_not_leaked)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(&r_fail_free_ops);
	unsigned int got = 0;
	int ret;

	REQUIRE(zp, "z3fold: create");
	r_reset(zp);
	r_alloc(0, 4000);	/* headless */
	CHECK_EQ_UL(zpool_pages(zp), 1, "z3fold: one headless page");
	ret = zpool_shrink(zp, 1, &got);
	CHECK(ret == 0 && got == 1, "z3fold: shrink: the emptied page counts as reclaimed: got %d and %u",
	      ret, got);
	CHECK_EQ_UL(R.calls, 1, "z3fold: evict calls");
	CHECK_EQ_UL(zpool_pages(zp), 0, "z3fold: pages after the failed evict of a freed object");
	CHECK_EQ_UL(zpool_get_total_size(zp), 0, "z3fold: total_size");
	done(zp, w);
}

TEST(z3fold_migration_preserves_every_handle_and_its_contents)
{
	unsigned long w = zpb_diag_warnings();
	struct zpool *zp = mk(NULL);
	enum { N = 60 };
	unsigned long h[N], before[N], moved, pages;
	size_t size[N];
	uint64_t rng = 42;
	int i, same = 0, stay = 0;
	void *pinned;

	REQUIRE(zp, "z3fold: create");
	for (i = 0; i < N; i++) {
		size[i] = 1 + zpbt_below(&rng, i % 10 == 0 ? PAGE_SIZE : 2000);
		h[i] = h_alloc(zp, size[i], 1000 + i);
		before[i] = page_of(zp, h[i]);
	}
	/* Free some so pages hold one or two buddies and compaction has work. */
	for (i = 0; i < N; i += 4) {
		zpool_free(zp, h[i]);
		h[i] = 0;
	}
	for (i = 0; i < N; i++)
		if (h[i])
			before[i] = page_of(zp, h[i]);
	pages = zpool_pages(zp);
	pinned = zpool_map_handle(zp, h[1], ZPOOL_MM_RO);	/* a mapped page must not move */
	moved = zpool_migrate_pages(zp, 1000);
	zpool_unmap_handle(zp, h[1]);
	CHECK(moved > 0, "z3fold: migrate: no page moved");
	CHECK_EQ_UL(zpool_pages(zp), pages, "z3fold: pages after migration");
	for (i = 0; i < N; i++) {
		if (!h[i])
			continue;
		intact(zp, h[i], size[i], 1000 + i);
		if (page_of(zp, h[i]) == before[i])
			same++;
		if (size[i] > 3904 || before[i] == ((unsigned long)pinned & PAGE_MASK))
			stay++;
	}
	CHECK(page_of(zp, h[1]) == ((unsigned long)pinned & PAGE_MASK),
	      "z3fold: the page mapped during migration did not move");
	/* Headless pages (over 3904 bytes) and the mapped page stay; the rest moved. */
	for (i = 0; i < N; i++)
		if (h[i] && size[i] <= 3904 && page_of(zp, h[i]) != page_of(zp, h[1]))
			CHECK(page_of(zp, h[i]) != before[i], "z3fold: object %d (%zu bytes) did not move", i,
			      size[i]);
	CHECK(same == stay, "z3fold: migrate: %d objects kept their page, expected %d (headless or beside the mapped one)",
	      same, stay);
	/* The handles keep working for free, and everything goes back. */
	for (i = 0; i < N; i++)
		if (h[i])
			zpool_free(zp, h[i]);
	CHECK_EQ_UL(zpool_pages(zp), 0, "z3fold: pages after freeing migrated objects");
	done(zp, w);
}

/* Reclaim racing with free and map: threads own objects; evict takes only idle ones. */
enum { T_THREADS = 3, T_OBJS = 48 };
enum { ST_FREE, ST_LIVE, ST_BUSY };
static struct {
	struct zpool *zp;
	pthread_mutex_t lock;
	int state[T_THREADS * T_OBJS];
	unsigned long handle[T_THREADS * T_OBJS];
	size_t size[T_THREADS * T_OBJS];
	uint64_t tag[T_THREADS * T_OBJS];
	unsigned long evicted, refused, bad;
	int stop;
} X = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int x_evict(struct zpool *zp, unsigned long handle)
{
	int i, n = T_THREADS * T_OBJS;

	pthread_mutex_lock(&X.lock);
	for (i = 0; i < n; i++)
		if (X.state[i] == ST_LIVE && X.handle[i] == handle)
			break;
	if (i == n) {
		/* Freed or being used by its owner meanwhile: as zswap, refuse. */
		X.refused++;
		pthread_mutex_unlock(&X.lock);
		return -EAGAIN;
	}
	X.state[i] = ST_BUSY;
	pthread_mutex_unlock(&X.lock);
	{
		const void *p = zpool_map_handle(zp, handle, ZPOOL_MM_RO);

		if (zpbt_verify(p, X.size[i], X.tag[i]) != X.size[i])
			__atomic_fetch_add(&X.bad, 1, __ATOMIC_RELAXED);
		zpool_unmap_handle(zp, handle);
	}
	zpool_free(zp, handle);
	pthread_mutex_lock(&X.lock);
	X.handle[i] = 0;
	X.state[i] = ST_FREE;
	X.evicted++;
	pthread_mutex_unlock(&X.lock);
	return 0;
}

static const struct zpool_ops x_ops = { .evict = x_evict };

/* Take object i from @from to BUSY; false if it is not in that state. */
static bool x_take(int i, int from)
{
	bool ok;

	pthread_mutex_lock(&X.lock);
	ok = X.state[i] == from;
	if (ok)
		X.state[i] = ST_BUSY;
	pthread_mutex_unlock(&X.lock);
	return ok;
}

static void x_put(int i, int to)
{
	pthread_mutex_lock(&X.lock);
	X.state[i] = to;
	pthread_mutex_unlock(&X.lock);
}

static void *x_owner(void *arg)
{
	long t = (long)arg;
	uint64_t rng = 7 + t;
	unsigned long iters = (unsigned long)(30000 * zpbt_scale()), k;

	for (k = 0; k < iters; k++) {
		int i = t * T_OBJS + (int)zpbt_below(&rng, T_OBJS);
		unsigned long h;
		void *p;

		if (x_take(i, ST_FREE)) {
			size_t size = 1 + zpbt_below(&rng, k % 16 == 0 ? PAGE_SIZE : 1500);

			if (zpool_malloc(X.zp, size, GFP_KERNEL, &h)) {
				x_put(i, ST_FREE);
				continue;
			}
			X.size[i] = size;
			X.tag[i] = ((uint64_t)t << 40) | k;
			p = zpool_map_handle(X.zp, h, ZPOOL_MM_WO);
			zpbt_fill(p, size, X.tag[i]);
			zpool_unmap_handle(X.zp, h);
			X.handle[i] = h;
			x_put(i, ST_LIVE);
		} else if (x_take(i, ST_LIVE)) {
			h = X.handle[i];
			p = zpool_map_handle(X.zp, h, ZPOOL_MM_RO);
			if (k % 8 == 0)
				sched_yield();	/* stay mapped while reclaim works on the page */
			if (zpbt_verify(p, X.size[i], X.tag[i]) != X.size[i])
				__atomic_fetch_add(&X.bad, 1, __ATOMIC_RELAXED);
			zpool_unmap_handle(X.zp, h);
			if (k & 1) {
				zpool_free(X.zp, h);
				X.handle[i] = 0;
				x_put(i, ST_FREE);
			} else {
				x_put(i, ST_LIVE);
			}
		}
	}
	return NULL;
}

static void *x_shrinker(void *arg)
{
	(void)arg;
	unsigned int got = 0;

	while (!__atomic_load_n(&X.stop, __ATOMIC_ACQUIRE)) {

		zpool_shrink(X.zp, 1 + (got & 1), &got);
		sched_yield();
	}
	return NULL;
}

TEST(z3fold_reclaim_races_with_free_and_map_from_other_threads)
{
	unsigned long w = zpb_diag_warnings();
	pthread_t owners[T_THREADS], shrinker;
	long t;
	int i;
	long left;

	zpb_wq_set_deterministic(false);
	/* Owners stay mapped while others free: strict_first, or v5.4's FIRST-over-middle bites. */
	X.zp = zpbt_create_with_fixes(zpb_driver_find("z3fold"), &x_ops, 0);
	REQUIRE(X.zp, "z3fold: create");
	pthread_create(&shrinker, NULL, x_shrinker, NULL);
	for (t = 0; t < T_THREADS; t++)
		pthread_create(&owners[t], NULL, x_owner, (void *)t);
	for (t = 0; t < T_THREADS; t++)
		pthread_join(owners[t], NULL);
	__atomic_store_n(&X.stop, 1, __ATOMIC_RELEASE);
	pthread_join(shrinker, NULL);
	CHECK_EQ_UL(X.bad, 0, "z3fold: objects whose contents differed (owner or evict)");
	CHECK(X.evicted > 0, "z3fold: reclaim evicted nothing (refused %lu)", X.refused);
	for (i = 0; i < T_THREADS * T_OBJS; i++)
		if (X.state[i] == ST_LIVE) {
			CHECK(intact(X.zp, X.handle[i], X.size[i], X.tag[i]), "z3fold: object %d after the race", i);
			zpool_free(X.zp, X.handle[i]);
		}
	left = zpool_destroy_pool(X.zp);
	CHECK(left == 0, "z3fold: destroy after the race: %ld pages left", left);
	CHECK_EQ_UL(zpb_diag_warnings(), w, "z3fold: WARN count");
	printf("  %lu evicted, %lu evictions refused\n", X.evicted, X.refused);
}
