// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmalloc areas and kvfree(). See vmalloc.h.
 */
#include "vmalloc.h"
#include "bug.h"
#include "slab.h"

void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp, int node,
		     const void *caller)
{
	struct page *page;

	(void)node, (void)caller;
	if (!size || WARN_ON(align > PAGE_SIZE))
		return NULL;
	page = zpb_alloc_contig_pages(DIV_ROUND_UP(size, PAGE_SIZE), gfp);
	return page ? page_address(page) : NULL;
}

void *vmalloc(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_KERNEL, NUMA_NO_NODE, NULL);
}

bool is_vmalloc_addr(const void *addr)
{
	return zpb_arena_contains(addr) && test_bit(PG_zpb_vmalloc, &virt_to_page(addr)->flags);
}

struct page *vmalloc_to_page(const void *addr)
{
	return virt_to_page(addr);
}

void vfree(const void *addr)
{
	struct page *page;

	if (!addr)
		return;
	page = virt_to_page(addr);
	/* Only an area's start may be freed, as vfree() finds the area by its address. */
	BUG_ON(!is_vmalloc_addr(addr) || !page->zpb_vm_pages || page_address(page) != addr);
	zpb_free_contig_pages(page);
}

void kvfree(const void *addr)
{
	if (!addr)
		return;
	if (is_vmalloc_addr(addr))
		vfree(addr);
	else if (zpb_arena_contains(addr))
		__free_page(virt_to_page(addr));	/* see vmalloc.h: no WARN here */
	else
		kfree(addr);
}
