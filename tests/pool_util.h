/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the allocator suites (conformance, shadow, stress, reclaim) share:
 * a seeded PRNG, fill/verify patterns that make any misplaced byte show,
 * and making a pool of a driver with its default spec.
 */
#ifndef ZPB_TESTS_POOL_UTIL_H
#define ZPB_TESTS_POOL_UTIL_H

#include <stdint.h>

#include "../allocators/zpool.h"

/* splitmix64: tiny, seedable, good enough for test workloads. */
static inline uint64_t zpbt_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n), n > 0. */
static inline uint64_t zpbt_below(uint64_t *state, uint64_t n)
{
	return zpbt_rand(state) % n;
}

/*
 * The seed of a randomized test: ZPB_TEST_SEED if set, else @def. Printed
 * (with the test's name) so that a failure can be replayed.
 */
uint64_t zpbt_seed(uint64_t def);

/*
 * Fill @len bytes with the pattern of @tag: every 8-byte word differs from
 * its neighbours and from other tags' words at the same offset, so a copy
 * to the wrong place, a short copy or a stray write all show.
 */
void zpbt_fill(void *dst, size_t len, uint64_t tag);
/* The offset of the first byte that differs from @tag's pattern, or @len. */
size_t zpbt_verify(const void *src, size_t len, uint64_t tag);

/* A pool of @d with its default spec (or ZPB_TEST_ALLOCATORS's); NULL (and a test failure) if it cannot be made. */
struct zpool *zpbt_create(const struct zpool_driver *d, const struct zpool_ops *ops,
			  unsigned long page_limit);

/*
 * Wait (up to 10 s) for an emptied pool's total_size to reach 0. Without
 * deterministic mode, work queued by frees (z3fold's compaction and page
 * release) runs on worker threads and may drop the last pages a moment
 * after the last free returns. Returns false if it never does.
 */
bool zpbt_settles_to_zero(struct zpool *zp);

/*
 * A pool of @d with every option that fixes a data bug of the ported
 * version set (ZPB_OPT_FIXES_SEED, e.g. z3fold:strict_first=1), or its
 * default spec if it has none: for suites whose users hold mappings while
 * other objects of the page come and go, where such a bug corrupts data
 * (each is pinned down in the driver's own tests). ZPB_SHADOW_NO_FIXES=1
 * leaves them unset, to see the bug.
 */
struct zpool *zpbt_create_with_fixes(const struct zpool_driver *d, const struct zpool_ops *ops,
				     unsigned long page_limit);

/* The same, for a test that expects create to fail: NULL with errno set, no test failure. */
struct zpool *zpbt_create_quiet(const struct zpool_driver *d, const struct zpool_ops *ops,
				unsigned long page_limit);

/* True if the driver stores data (so contents can be checked). */
static inline bool zpbt_has_data(const struct zpool_driver *d)
{
	return !(d->caps & ZPB_CAP_NO_DATA);
}

/*
 * Iterate over every registered driver, or over those named in
 * ZPB_TEST_ALLOCATORS (a comma-separated list such as "zbud,z3fold"),
 * to run a suite against one allocator. An entry may be a whole spec
 * ("zbud,zsmalloc:delta=32"): zpbt_create() and the others then make that
 * driver's pools with it (one spec per driver and run).
 */
#define zpbt_for_each_driver(d, i) \
	for ((i) = 0; ((d) = zpbt_driver_from(&(i))) != NULL; (i)++)
/* The first selected driver at index *@i or after (updating *@i), or NULL. */
const struct zpool_driver *zpbt_driver_from(int *i);

#endif
