/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the allocator suites (conformance, shadow, stress, reclaim) share:
 * a seeded PRNG, fill/verify patterns that make any misplaced byte show
 * (both from selftest/, where the conformance and shadow checks live), making
 * a pool of a driver with its default spec, and running a selftest/ check
 * over every allocator.
 */
#ifndef ZPB_TESTS_POOL_UTIL_H
#define ZPB_TESTS_POOL_UTIL_H

#include <stdint.h>

#include "../allocators/zpool.h"
#include "../selftest/selftest.h"

/* selftest.h's PRNG and patterns, under the tests' names. */
static inline uint64_t zpbt_rand(uint64_t *state)
{
	return zpb_rand(state);
}

static inline uint64_t zpbt_below(uint64_t *state, uint64_t n)
{
	return zpb_below(state, n);
}

static inline void zpbt_fill(void *dst, size_t len, uint64_t tag)
{
	zpb_pattern_fill(dst, len, tag);
}

static inline size_t zpbt_verify(const void *src, size_t len, uint64_t tag)
{
	return zpb_pattern_verify(src, len, tag);
}

/*
 * The seed of a randomized test: ZPB_TEST_SEED if set, else @def. Printed
 * (with the test's name) so that a failure can be replayed.
 */
uint64_t zpbt_seed(uint64_t def);

/*
 * Switch the page size (zpb_set_page_size()) for what follows; false, and
 * a test failure, if it cannot (pages still allocated). A test that
 * switches switches back to 4096 before it returns.
 */
bool zpbt_page_size(unsigned long size);

/* CHECK_EQ_UL whose message names the page size in force, for checks repeated at several. */
#define CHECK_EQ_PG(actual, expected, what) do {				\
	unsigned long __a = (unsigned long)(actual), __e = (unsigned long)(expected); \
	CHECK(__a == __e, "%s (%lu-byte pages): expected %lu, got %lu", (what), PAGE_SIZE, __e, __a); \
} while (0)

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
 * version set (zpb_spec_with_fixes(), e.g. z3fold:strict_first=1), or its
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

/*
 * Run the selftest/ check @name on every selected driver (its default
 * spec, or the one ZPB_TEST_ALLOCATORS gives it, said as "  NAME: as SPEC"),
 * with ZPB_TEST_SEED and ZPB_TEST_SCALE: its failures are the test's,
 * its notes and its reasons for not applying to a driver are printed.
 */
void zpbt_run_selftest(const char *name);

#endif
