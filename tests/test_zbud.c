// SPDX-License-Identifier: GPL-2.0-only
/*
 * zbud's placement and reclaim rules, with page counts worked out by hand
 * from the kernel's chunk arithmetic: 64-byte chunks (at 4K pages; 256 at
 * 16K, 1024 at 64K), a one-chunk header, 63 chunks for data, at most two
 * buddies per page, an object of n bytes takes ceil(n / chunk) chunks.
 */
#include <stdlib.h>

#include "../allocators/kernel/compat.h"
#include "../zbud/zbud.h"
#include "harness.h"
#include "pool_util.h"

#define CHUNK 64

static const struct zpool_driver *zbud(void)
{
	return zpb_driver_find("zbud");
}

static unsigned long page_of(unsigned long handle)
{
	return handle & PAGE_MASK;
}

static unsigned long offset_of(unsigned long handle)
{
	return handle & ~PAGE_MASK;
}

static unsigned long pages(struct zpool *zp)
{
	u64 total = zpool_get_total_size(zp);

	CHECK(total == zpool_pages(zp) * PAGE_SIZE,
	      "zbud total_size %lu != %lu charged pages", (unsigned long)total, zpool_pages(zp));
	return total / PAGE_SIZE;
}

static unsigned long alloc(struct zpool *zp, size_t size)
{
	unsigned long h = 0;
	int ret = zpool_malloc(zp, size, GFP_KERNEL, &h);

	CHECK(ret == 0, "zbud malloc(%zu): expected 0, got %d", size, ret);
	return h;
}

/* --- evict callbacks recording what they were asked --- */
static unsigned long evicted[64];
static int nevicted, evict_calls;
static unsigned long refuse[4];		/* handles whose eviction fails */

static void evict_reset(void)
{
	nevicted = evict_calls = 0;
	memset(refuse, 0, sizeof(refuse));
}

static int record_evict(struct zpool *zp, unsigned long handle)
{
	unsigned int i;

	evict_calls++;
	for (i = 0; i < ARRAY_SIZE(refuse); i++)
		if (refuse[i] == handle)
			return -EBUSY;
	if (nevicted < (int)ARRAY_SIZE(evicted))
		evicted[nevicted++] = handle;
	zpool_free(zp, handle);
	return 0;
}

static const struct zpool_ops record_ops = { .evict = record_evict };

TEST(zbud_max_size_is_3968_and_larger_is_enospc)
{
	struct zpool *zp = zpbt_create(zbud(), NULL, 0);
	unsigned long h;

	REQUIRE(zp, "no zbud pool");
	CHECK_EQ_UL(zbud()->max_size(NULL), 3968, "zbud max_size");
	CHECK(zpool_malloc(zp, 3969, GFP_KERNEL, &h) == -ENOSPC, "zbud malloc(3969) is -ENOSPC");
	CHECK(zpool_malloc(zp, 0, GFP_KERNEL, &h) == -EINVAL, "zbud malloc(0) is -EINVAL");
	CHECK(zpool_malloc(zp, 64, GFP_KERNEL | __GFP_HIGHMEM, &h) == -EINVAL,
	      "zbud malloc with __GFP_HIGHMEM is -EINVAL");
	h = alloc(zp, 3968);
	CHECK_EQ_UL(offset_of(h), CHUNK, "zbud 3968-byte object starts after the header");
	CHECK_EQ_UL(pages(zp), 1, "zbud pages after one 3968-byte object");
	zpool_free(zp, h);
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}

/*
 * The chunk arithmetic at 16K and 64K, by hand: NCHUNKS_ORDER 6 makes
 * chunks of 16384 / 64 = 256 and 65536 / 64 = 1024 bytes; the header takes
 * one, so a page has 63 for data and the largest object is 62 chunks
 * (page - header - one chunk): 15872 and 63488 bytes.
 */
static const struct {
	unsigned long page, chunk, max, c31, c32;	/* c31: 31 chunks' bytes, c32: 32's */
} zbud_big_pages[] = {
	{ 16384, 256, 15872, 7936, 8192 },
	{ 65536, 1024, 63488, 31744, 32768 },
};

TEST(zbud_16k_and_64k_pages_have_the_kernels_chunks_by_hand)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(zbud_big_pages); i++) {
		unsigned long ps = zbud_big_pages[i].page, ch = zbud_big_pages[i].chunk, h[7];
		struct zpool *zp;
		int k;

		if (!zpbt_page_size(ps))
			break;
		zp = zpbt_create(zbud(), NULL, 0);
		REQUIRE(zp, "no zbud pool at %lu-byte pages", ps);
		CHECK_EQ_PG(zbud()->max_size(NULL), zbud_big_pages[i].max, "zbud max_size");
		CHECK_EQ_PG(zpool_malloc(zp, zbud_big_pages[i].max + 1, GFP_KERNEL, &h[0]), -ENOSPC,
			    "zbud malloc(max_size + 1)");
		h[0] = alloc(zp, zbud_big_pages[i].c31);	/* 31 chunks */
		h[1] = alloc(zp, zbud_big_pages[i].c32);	/* 32: 63 in all, one page */
		CHECK_EQ_PG(pages(zp), 1, "zbud pages for 31+32 chunks");
		CHECK_EQ_PG(offset_of(h[0]), ch, "zbud first buddy after the one-chunk header");
		CHECK_EQ_PG(offset_of(h[1]), ps - zbud_big_pages[i].c32, "zbud last buddy ends the page");
		h[2] = alloc(zp, zbud_big_pages[i].c31 + 1);	/* 32 chunks */
		h[3] = alloc(zp, zbud_big_pages[i].c32);	/* 32 + 32 > 63: a page each */
		CHECK_EQ_PG(pages(zp), 3, "zbud pages after 32 and 32 chunks");
		/*
		 * 100 bytes are one chunk whatever its size: the first two are
		 * the second buddies of the two 32-chunk pages (both on the
		 * 31-free list, the newer first), which are then full; the
		 * third takes a page.
		 */
		h[4] = alloc(zp, 100);
		h[5] = alloc(zp, 100);
		CHECK_EQ_PG(pages(zp), 3, "zbud pages after two 100-byte objects");
		CHECK(page_of(h[4]) == page_of(h[3]) && page_of(h[5]) == page_of(h[2]),
		      "zbud at %lu: the 100-byte objects join the 32-chunk pages", ps);
		h[6] = alloc(zp, 100);
		CHECK_EQ_PG(pages(zp), 4, "zbud pages after three 100-byte objects");
		for (k = 0; k < 7; k++)
			zpool_free(zp, h[k]);
		CHECK_EQ_PG(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
	}
	zpbt_page_size(4096);
}

TEST(zbud_first_buddy_follows_header_last_buddy_ends_at_page_end)
{
	struct zpool *zp = zpbt_create(zbud(), NULL, 0);
	unsigned long a, b;

	REQUIRE(zp, "no zbud pool");
	a = alloc(zp, 1000);	/* 16 chunks */
	b = alloc(zp, 2000);	/* 32 chunks: 16 + 32 <= 63, same page */
	CHECK_EQ_UL(page_of(a), page_of(b), "zbud 1000+2000 bytes share a page");
	CHECK_EQ_UL(offset_of(a), 64, "zbud first buddy offset");
	CHECK_EQ_UL(offset_of(b), PAGE_SIZE - 32 * CHUNK, "zbud last buddy offset (right justified)");
	CHECK_EQ_UL(pages(zp), 1, "zbud pages for two objects that fit");
	zpool_free(zp, a);
	zpool_free(zp, b);
	CHECK_EQ_UL(pages(zp), 0, "zbud pages after freeing both");
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}

TEST(zbud_third_object_needs_another_page_even_with_free_chunks)
{
	struct zpool *zp = zpbt_create(zbud(), NULL, 0);
	unsigned long h[3];

	REQUIRE(zp, "no zbud pool");
	h[0] = alloc(zp, 100);	/* 2 chunks */
	h[1] = alloc(zp, 100);	/* 2 chunks: 59 free, but the page is buddied */
	h[2] = alloc(zp, 100);
	CHECK_EQ_UL(pages(zp), 2, "zbud pages for three 100-byte objects (z3fold needs one)");
	CHECK(page_of(h[0]) == page_of(h[1]) && page_of(h[2]) != page_of(h[0]),
	      "zbud: objects 1 and 2 share a page, object 3 has its own");
	zpool_free(zp, h[0]);
	zpool_free(zp, h[1]);
	zpool_free(zp, h[2]);
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}

TEST(zbud_pair_fits_exactly_at_63_chunks_and_not_at_64)
{
	struct zpool *zp = zpbt_create(zbud(), NULL, 0);
	unsigned long h[6];

	REQUIRE(zp, "no zbud pool");
	h[0] = alloc(zp, 1984);	/* 31 chunks */
	h[1] = alloc(zp, 2048);	/* 32 chunks: 63 in all, fits */
	CHECK_EQ_UL(pages(zp), 1, "zbud pages for 31+32 chunks");
	CHECK_EQ_UL(offset_of(h[1]), PAGE_SIZE - 32 * CHUNK, "zbud last buddy of a full page");
	CHECK_EQ_UL(offset_of(h[0]) + 31 * CHUNK, offset_of(h[1]), "zbud full page: first buddy ends where last begins");
	h[2] = alloc(zp, 1985);	/* 32 chunks */
	h[3] = alloc(zp, 2048);	/* 32 chunks: 64 > 63, new page */
	CHECK_EQ_UL(pages(zp), 3, "zbud pages after adding 32+32 chunks");
	CHECK(page_of(h[2]) != page_of(h[3]), "zbud: 32+32 chunks cannot share a page");
	h[4] = alloc(zp, 3968);	/* 62 chunks, one chunk left */
	h[5] = alloc(zp, 64);	/* one chunk: fits beside it */
	CHECK_EQ_UL(page_of(h[4]), page_of(h[5]), "zbud: 62+1 chunks share a page");
	CHECK_EQ_UL(offset_of(h[5]), PAGE_SIZE - CHUNK, "zbud one-chunk last buddy is the page's last chunk");
	CHECK_EQ_UL(pages(zp), 4, "zbud pages after 62+1 chunks");
	for (int i = 0; i < 6; i++)
		zpool_free(zp, h[i]);
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}

TEST(zbud_alloc_takes_the_page_with_fewest_free_chunks_that_fit)
{
	struct zpool *zp = zpbt_create(zbud(), NULL, 0);
	unsigned long big, small, mid, h;

	REQUIRE(zp, "no zbud pool");
	small = alloc(zp, 30 * CHUNK);	/* page S: 33 free */
	big = alloc(zp, 48 * CHUNK);	/* 48 > 33: page B, 15 free */
	mid = alloc(zp, 40 * CHUNK);	/* 40 > 33: page M, 23 free */
	CHECK_EQ_UL(pages(zp), 3, "zbud pages for 30, 48 and 40 chunks");
	h = alloc(zp, 10 * CHUNK);	/* fits all three: fewest free is B */
	CHECK_EQ_UL(page_of(h), page_of(big), "zbud 10 chunks go to the page with 15 free");
	CHECK_EQ_UL(offset_of(h), PAGE_SIZE - 10 * CHUNK, "zbud second object is the last buddy");
	zpool_free(zp, h);
	h = alloc(zp, 20 * CHUNK);	/* B has 15 free: too few; M (23) fits more tightly than S (33) */
	CHECK_EQ_UL(page_of(h), page_of(mid), "zbud 20 chunks go to the page with 23 free");
	zpool_free(zp, h);
	zpool_free(zp, small);
	zpool_free(zp, big);
	zpool_free(zp, mid);
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}

TEST(zbud_freed_first_buddy_is_refilled_in_place_and_empty_page_freed)
{
	struct zpool *zp = zpbt_create(zbud(), NULL, 0);
	unsigned long a, b, c;
	void *p;

	REQUIRE(zp, "no zbud pool");
	a = alloc(zp, 500);
	b = alloc(zp, 700);
	p = zpool_map_handle(zp, b, ZPOOL_MM_WO);
	zpbt_fill(p, 700, 7);
	zpool_unmap_handle(zp, b);
	zpool_free(zp, a);
	CHECK_EQ_UL(pages(zp), 1, "zbud keeps the page while its last buddy lives");
	c = alloc(zp, 1500);
	CHECK_EQ_UL(c, a, "zbud refills the freed first buddy (same handle)");
	p = zpool_map_handle(zp, b, ZPOOL_MM_RO);
	CHECK_EQ_UL(zpbt_verify(p, 700, 7), 700, "zbud last buddy intact after first refilled");
	zpool_unmap_handle(zp, b);
	zpool_free(zp, b);
	zpool_free(zp, c);
	CHECK_EQ_UL(pages(zp), 0, "zbud frees the page when both buddies are free");
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}

TEST(zbud_reclaim_evicts_pages_in_lru_order)
{
	struct zpool *zp = zpbt_create(zbud(), &record_ops, 0);
	unsigned long p1, p2, p3, p1b;
	unsigned int got;

	REQUIRE(zp, "no zbud pool");
	evict_reset();
	p1 = alloc(zp, 47 * CHUNK);	/* 16 free */
	p2 = alloc(zp, 46 * CHUNK);	/* 17 free */
	p3 = alloc(zp, 44 * CHUNK);	/* 19 free */
	p1b = alloc(zp, 16 * CHUNK);	/* best fit is p1's page, which becomes the LRU head */
	CHECK_EQ_UL(page_of(p1b), page_of(p1), "zbud 16 chunks into the page with 16 free");
	CHECK_EQ_UL(pages(zp), 3, "zbud pages before reclaim");

	CHECK(zpool_shrink(zp, 1, &got) == 0 && got == 1, "zbud shrink(1) reclaims one page");
	CHECK(nevicted == 1 && evicted[0] == p2, "zbud evicts the LRU tail (p2) first");
	CHECK(zpool_shrink(zp, 1, &got) == 0 && got == 1, "zbud second shrink(1)");
	CHECK(nevicted == 2 && evicted[1] == p3, "zbud evicts p3 second");
	CHECK(zpool_shrink(zp, 5, &got) == -EINVAL && got == 1,
	      "zbud shrink(5) reclaims the last page then stops with -EINVAL on an empty LRU (got %u)", got);
	CHECK(nevicted == 4 && evicted[2] == p1 && evicted[3] == p1b,
	      "zbud evicts the last page's first buddy, then its last buddy");
	CHECK_EQ_UL(pages(zp), 0, "zbud pages after reclaiming everything");
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}

TEST(zbud_failed_evict_puts_page_back_and_retries_count)
{
	struct zpool *zp = zpbt_create(zbud(), &record_ops, 0);
	unsigned long a, b, c;
	unsigned int got = 99;
	void *p;

	REQUIRE(zp, "no zbud pool");
	evict_reset();
	a = alloc(zp, 3000);
	p = zpool_map_handle(zp, a, ZPOOL_MM_WO);
	zpbt_fill(p, 3000, 1);
	zpool_unmap_handle(zp, a);
	refuse[0] = a;

	/* One page whose evict fails: each retry takes it again from the tail. */
	CHECK(zbud_reclaim_page(zp->pool, 3) == -EAGAIN, "zbud reclaim of a refusing page is -EAGAIN");
	CHECK_EQ_UL(evict_calls, 3, "zbud evict calls for 3 retries of one page");
	CHECK(zpool_shrink(zp, 1, &got) == -EAGAIN && got == 0, "zbud shrink when evict fails");
	CHECK_EQ_UL(evict_calls, 3 + 8, "zbud evict calls after shrink (8 retries per page)");
	CHECK_EQ_UL(pages(zp), 1, "zbud page kept when its evict fails");
	p = zpool_map_handle(zp, a, ZPOOL_MM_RO);
	CHECK_EQ_UL(zpbt_verify(p, 3000, 1), 3000, "zbud object intact after failed evictions");
	zpool_unmap_handle(zp, a);
	/* The page went back on its unbuddied list: it still takes a buddy. */
	b = alloc(zp, 1000);
	CHECK_EQ_UL(page_of(b), page_of(a), "zbud page relisted after failed reclaim takes a buddy");

	/* Page A (buddied now, LRU head) refuses; page C (tail) evicts: one success. */
	c = alloc(zp, 3000);
	refuse[0] = a;
	evict_calls = 0;
	CHECK(zbud_reclaim_page(zp->pool, 8) == 0, "zbud reclaim succeeds on a second page");
	/* LRU: C (new page, head), A. A is tried first: its first buddy refuses. */
	CHECK_EQ_UL(evict_calls, 2, "zbud evict calls: A's refusal, then C");
	CHECK(nevicted == 1 && evicted[0] == c, "zbud evicted C");
	CHECK_EQ_UL(pages(zp), 1, "zbud pages after reclaiming C");

	/* A's first buddy evicts, its last (b) refuses: the page stays, half empty. */
	refuse[0] = b;
	CHECK(zbud_reclaim_page(zp->pool, 1) == -EAGAIN, "zbud reclaim with a refusing last buddy");
	CHECK(nevicted == 2 && evicted[1] == a, "zbud evicted the first buddy before the refusal");
	CHECK_EQ_UL(pages(zp), 1, "zbud page kept with its refusing buddy");
	zpool_free(zp, b);
	CHECK_EQ_UL(pages(zp), 0, "zbud pages after freeing the survivor");
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}

/* An evict that also frees the page's other buddy, as a racing zswap invalidate would. */
static unsigned long other_buddy;
static int free_other_evict(struct zpool *zp, unsigned long handle)
{
	evict_calls++;
	if (handle == other_buddy)
		return 0;	/* already freed by the "racing" free: nothing to write back */
	zpool_free(zp, handle);
	if (other_buddy)
		zpool_free(zp, other_buddy);
	return 0;
}

static const struct zpool_ops free_other_ops = { .evict = free_other_evict };

TEST(zbud_free_during_reclaim_leaves_the_page_to_reclaim)
{
	struct zpool *zp = zpbt_create(zbud(), &free_other_ops, 0);
	unsigned long a;

	REQUIRE(zp, "no zbud pool");
	evict_reset();
	a = alloc(zp, 1000);
	other_buddy = alloc(zp, 1000);
	CHECK_EQ_UL(page_of(a), page_of(other_buddy), "zbud two 1000-byte objects share a page");
	CHECK(zbud_reclaim_page(zp->pool, 1) == 0, "zbud reclaim frees a page emptied by a racing free");
	CHECK_EQ_UL(evict_calls, 2, "zbud evicts both buddies encoded before the race");
	CHECK_EQ_UL(pages(zp), 0, "zbud page freed once, by reclaim");
	other_buddy = 0;
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}

TEST(zbud_shrink_without_evict_or_pages_is_einval)
{
	struct zpool *zp = zpbt_create(zbud(), NULL, 0);
	unsigned long h;
	unsigned int got = 99;

	REQUIRE(zp, "no zbud pool");
	h = alloc(zp, 100);
	CHECK(zpool_shrink(zp, 1, &got) == -EINVAL && got == 0, "zbud shrink without ops->evict");
	zpool_free(zp, h);
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");

	zp = zpbt_create(zbud(), &record_ops, 0);
	REQUIRE(zp, "no zbud pool");
	CHECK(zpool_shrink(zp, 1, &got) == -EINVAL && got == 0, "zbud shrink of an empty pool");
	CHECK(zbud_reclaim_page(zp->pool, 0) == -EINVAL, "zbud reclaim with 0 retries");
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}

TEST(zbud_malloc_is_enomem_at_the_page_limit)
{
	struct zpool *zp = zpbt_create(zbud(), NULL, 2);
	unsigned long h[3];

	REQUIRE(zp, "no zbud pool");
	h[0] = alloc(zp, 3000);
	h[1] = alloc(zp, 3000);
	CHECK(zpool_malloc(zp, 3000, GFP_KERNEL, &h[2]) == -ENOMEM, "zbud third page past a 2-page limit");
	h[2] = alloc(zp, 900);	/* 15 chunks: fits beside a 3000-byte object (47 chunks) */
	CHECK_EQ_UL(pages(zp), 2, "zbud pages at the limit");
	for (int i = 0; i < 3; i++)
		zpool_free(zp, h[i]);
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}

/* Whatever the workload, a zbud page holds one or two objects. */
TEST(zbud_pages_hold_one_or_two_objects_under_random_load)
{
	struct zpool *zp = zpbt_create(zbud(), NULL, 0);
	unsigned long h[512] = { 0 };
	uint64_t rng = zpbt_seed(42);
	unsigned long live = 0, np;
	int i, n;

	REQUIRE(zp, "no zbud pool");
	for (n = 0; n < 20000; n++) {
		i = zpbt_below(&rng, ARRAY_SIZE(h));
		if (h[i]) {
			zpool_free(zp, h[i]);
			h[i] = 0;
			live--;
		} else {
			h[i] = alloc(zp, 1 + zpbt_below(&rng, 3968));
			live++;
		}
		np = pages(zp);
		if (np > live || live > 2 * np) {
			CHECK(0, "zbud after op %d: %lu pages for %lu objects", n, np, live);
			break;
		}
	}
	for (i = 0; i < (int)ARRAY_SIZE(h); i++)
		if (h[i])
			zpool_free(zp, h[i]);
	CHECK_EQ_UL(zpool_destroy_pool(zp), 0, "zbud pages left at destroy");
}
