/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The checks, in the order they run. ZPB_CONFORMANCE(name) is the check
 * "conformance_NAME", the function zpb_selftest_conformance_NAME() in
 * conformance.c; ZPB_SHADOW(name) is "shadow_NAME" in shadow.c. The
 * includer defines both (selftest.c: the table; tests/test_conformance.c
 * and tests/test_shadow.c: one test each).
 */
ZPB_CONFORMANCE(every_size_round_trips_and_past_max_is_enospc)
ZPB_CONFORMANCE(data_survives_thousands_of_other_operations)
ZPB_CONFORMANCE(map_modes_wo_writes_ro_reads_rw_round_trips)
ZPB_CONFORMANCE(total_size_returns_to_zero_when_everything_is_freed)
ZPB_CONFORMANCE(destroying_an_emptied_pool_leaks_nothing)
ZPB_CONFORMANCE(malloc_is_enomem_at_the_page_limit_and_keeps_what_it_has)
ZPB_CONFORMANCE(shrink_without_evict_reclaims_nothing)
ZPB_SHADOW(model_agrees_with_every_allocator_over_a_million_ops)
ZPB_SHADOW(model_under_a_page_limit_fails_only_with_enomem)
ZPB_SHADOW(run_is_repeatable_for_a_seed)
ZPB_SHADOW(model_holding_mappings_across_frees_reclaim_compaction_and_migration)
