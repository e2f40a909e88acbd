// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: soak
/*
 * The randomized shadow-model suite over every registered allocator
 * (ZPB_TEST_ALLOCATORS selects some); the checks are in selftest/shadow.c,
 * where `zpoolbench selftest --alloc SPEC` runs them on any spec; one test
 * per shadow check of selftest/list.h. It runs
 * at least 10^6 operations (times ZPB_TEST_SCALE) from a seeded PRNG
 * (ZPB_TEST_SEED overrides the seed, which is printed), keeping a model of
 * every live object: its handle, size and the tag of its contents. It checks
 *  - every object's contents whenever it is mapped or freed, and all live
 *    objects in periodic sweeps;
 *  - that no two live objects overlap, from the addresses map returns
 *    (only where they are addresses in the pool's pages: an object that
 *    spans pages is mapped through a bounce buffer and is left out);
 *  - the pool's accounting after every operation: total_size equals the
 *    pages charged to the pool and is at least the live bytes (real
 *    allocators), equals ceil(live bytes / PAGE_SIZE) pages (the bound),
 *    and is zero whenever the pool is empty.
 * Evictable pools are shrunk now and then, compactable ones compacted and
 * movable ones migrated, all through the model. A second run holds each
 * pool to a page limit, where -ENOMEM is the only failure allowed. A third
 * holds up to 8 mappings at a time across every other operation (frees,
 * rewrites, reclaim, compaction and migration, each far more often), as a
 * kernel user that sleeps while mapped may: every held object is checked
 * through its mapping after every operation, the others in sweeps, and held
 * objects take part in the overlap check; evict refuses a held object, as
 * a user still reading it would. Only drivers whose mappings may be held
 * (the sleep-mapped capability) take part; their options that fix a data
 * bug of the ported version (ZPB_OPT_FIXES_SEED) are set, and each such
 * bug is pinned down in the driver's own tests (ZPB_SHADOW_NO_FIXES=1 leaves
 * them unset: with ZPB_TEST_SEED=3, v5.4 z3fold's FIRST-over-middle bug
 * shows as a held object overwritten). Work runs in deterministic mode, so
 * a seed replays exactly.
 */
#include "harness.h"
#include "pool_util.h"

#define ZPB_CONFORMANCE(name)
#define ZPB_SHADOW(name) TEST(shadow_##name) { zpbt_run_selftest("shadow_" #name); }
#include "../selftest/list.h"
