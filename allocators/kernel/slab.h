/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmem_cache and kmalloc.
 *
 * Objects come from the C heap (aligned as the cache asks), so that
 * LeakSanitizer sees a leaked object and ASan sees a use after free; each
 * cache counts its live objects and kmem_cache_destroy() WARNs if any
 * remain, as the kernel reports "objects remaining".
 */
#ifndef ZPB_KERNEL_SLAB_H
#define ZPB_KERNEL_SLAB_H

#include "atomic.h"
#include "types.h"

#define SLAB_HWCACHE_ALIGN 0x2000UL
#define SLAB_RECLAIM_ACCOUNT 0x20000UL
#define SLAB_ACCOUNT 0x4000000UL
#define SLAB_PANIC 0x40000UL

struct kmem_cache {
	char name[48];
	unsigned int size;
	unsigned int align;
	void (*ctor)(void *obj);
	atomic_long_t live;
};

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *obj));
void kmem_cache_destroy(struct kmem_cache *cache);
void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);
void *kmem_cache_zalloc(struct kmem_cache *cache, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *cache, void *obj);
long zpb_kmem_cache_live(const struct kmem_cache *cache);

void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void *kcalloc(size_t n, size_t size, gfp_t gfp);
void *kmalloc_array(size_t n, size_t size, gfp_t gfp);
void kfree(const void *p);
#define kvmalloc(size, gfp) kmalloc((size), (gfp))
#define kvzalloc(size, gfp) kzalloc((size), (gfp))
/* kvfree() and vfree(): vmalloc.h. */
char *kstrdup(const char *s, gfp_t gfp);

#endif
