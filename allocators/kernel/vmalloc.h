/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmalloc: virtually contiguous multi-page areas, and kvfree().
 *
 * The kernel maps scattered pages at contiguous virtual addresses. Here an
 * area is a run of contiguous pages of the page arena (page.h's
 * zpb_alloc_contig_pages), so virt_to_page()/vmalloc_to_page() of any byte
 * in it is the arena's page, and every page is charged to the current pool
 * as alloc_page() charges one. Areas are at most ZPB_CONTIG_MAX pages and
 * page aligned; a freed area is reused only for an area of the same length.
 */
#ifndef ZPB_KERNEL_VMALLOC_H
#define ZPB_KERNEL_VMALLOC_H

#include "page.h"
#include "types.h"

#define NUMA_NO_NODE (-1)

/* @align may be at most PAGE_SIZE; @node and @caller are accepted and ignored. */
void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp, int node,
		     const void *caller);
void *vmalloc(unsigned long size);
void vfree(const void *addr);
bool is_vmalloc_addr(const void *addr);
struct page *vmalloc_to_page(const void *addr);

/*
 * kvfree - free memory from kmalloc() or vmalloc(), as the kernel's does.
 * A single page from the page allocator is freed too. The kernel's kfree()
 * sends such a non-slab page to free_large_kmalloc(), which frees it after a
 * WARN_ON_ONCE(order == 0) (and, from 2025, refuses a page that kmalloc did
 * not allocate). That once-per-boot warning is not reproduced: once per
 * process would make a run's warning count depend on what ran before it.
 */
void kvfree(const void *addr);

#endif
