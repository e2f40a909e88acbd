/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Zeroed allocations for large, randomly indexed tables (the replay's key
 * table, zpb-limit's), on transparent huge pages where the kernel grants
 * them. Under virtualisation a TLB miss is a two-level page walk, and on a
 * table of 2^18 keys it cost as much as the cache miss itself
 * (docs/PERFORMANCE.md, "The physical limit"). Free with free().
 */
#ifndef ZPB_UTIL_HUGE_ALLOC_H
#define ZPB_UTIL_HUGE_ALLOC_H

#include <stddef.h>

/* @n * @size zeroed bytes, or NULL (also on overflow). */
void *zpb_huge_calloc(size_t n, size_t size);

#endif
