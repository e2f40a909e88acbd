/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Failure injection, as the kernel's fault-injection framework
 * (CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAILSLAB) makes alloc_page() and the slab
 * fail on purpose: every allocation the compat layer serves asks
 * should_fail_alloc_page() or should_failslab() first, and returns NULL
 * when told to, so that each port's error paths run.
 *
 * Sites, told apart so a test can aim at one kind or all:
 *  - ZPB_FAULT_PAGE: alloc_page(), including migration's destination pages;
 *  - ZPB_FAULT_SLAB: kmem_cache_alloc() (z3fold's slots, zsmalloc's handle
 *    and zspage caches);
 *  - ZPB_FAULT_KMALLOC: kmalloc() and its kin (pool structures, ideal's objects);
 *  - ZPB_FAULT_SETUP: what pool creation alone allocates: kmem_cache_create(),
 *    per-CPU areas and workqueues.
 *
 * Modes: the Nth call counted over the armed sites fails (once), or each
 * fails with a probability drawn from a seeded hash of its call number (the
 * same seed fails the same calls). Off by default: a relaxed load per
 * allocation. One configuration per process; the counters are atomic, so
 * any thread's allocations count.
 */
#ifndef ZPB_KERNEL_FAULT_H
#define ZPB_KERNEL_FAULT_H

#include "types.h"

enum zpb_fault_site {
	ZPB_FAULT_PAGE = 1u << 0,
	ZPB_FAULT_SLAB = 1u << 1,
	ZPB_FAULT_KMALLOC = 1u << 2,
	ZPB_FAULT_SETUP = 1u << 3,
	ZPB_FAULT_ALL = 0xfu,
};

/**
 * struct zpb_fault_config - what to fail
 * @sites: the sites counted and failed (enum zpb_fault_site bits)
 * @nth: fail the @nth call (1-based) over @sites; 0 for none
 * @permille: otherwise fail each call with this probability (0..1000)
 * @seed: for @permille
 */
struct zpb_fault_config {
	unsigned int sites;
	unsigned long nth;
	unsigned int permille;
	uint64_t seed;
};

/* Arm (counters reset) and disarm. Calls are counted only while armed. */
void zpb_fault_start(const struct zpb_fault_config *c);
void zpb_fault_stop(void);
/* Calls over the armed sites since zpb_fault_start(), and how many failed. */
unsigned long zpb_fault_calls(void);
unsigned long zpb_fault_injected(void);

extern int zpb_fault_armed;
bool zpb_fault_hit(unsigned int site);

static inline bool zpb_should_fail(unsigned int site)
{
	return unlikely(__atomic_load_n(&zpb_fault_armed, __ATOMIC_RELAXED)) && zpb_fault_hit(site);
}

/* The kernel's names for the two hooks; the gfp is not consulted (no __GFP_NOFAIL user here). */
#define should_fail_alloc_page(gfp, order) ((void)(gfp), (void)(order), zpb_should_fail(ZPB_FAULT_PAGE))
#define should_failslab(cache, gfp) ((void)(cache), (void)(gfp), zpb_should_fail(ZPB_FAULT_SLAB))

#endif
