// SPDX-License-Identifier: GPL-2.0-only
/*
 * The conformance suite over every registered allocator (ZPB_TEST_ALLOCATORS
 * selects some): one test per conformance check of selftest/list.h. The
 * checks are in selftest/conformance.c, where `zpoolbench selftest --alloc
 * SPEC` runs them on any spec, plugins included.
 */
#include "harness.h"
#include "pool_util.h"

#define ZPB_CONFORMANCE(name) TEST(conformance_##name) { zpbt_run_selftest("conformance_" #name); }
#define ZPB_SHADOW(name)
#include "../selftest/list.h"
