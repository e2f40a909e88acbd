// SPDX-License-Identifier: GPL-2.0-only
/* kmem_cache and kmalloc on the C heap. See slab.h. */
#include <stdio.h>
#include <stdlib.h>

#include "bug.h"
#include "bitops.h"
#include "fault.h"
#include "slab.h"

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *obj))
{
	struct kmem_cache *c;

	if (zpb_should_fail(ZPB_FAULT_SETUP))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (flags & SLAB_HWCACHE_ALIGN && align < 64)
		align = 64;
	if (align < sizeof(void *))
		align = sizeof(void *);
	BUG_ON(!is_power_of_2(align));
	c->size = ALIGN(size, align);
	c->align = align;
	c->ctor = ctor;
	return c;
}

void kmem_cache_destroy(struct kmem_cache *c)
{
	if (!c)
		return;
	if (WARN_ON(atomic_long_read(&c->live) != 0))
		pr_err("kmem_cache_destroy %s: %ld objects remaining\n", c->name,
		       atomic_long_read(&c->live));
	free(c);
}

void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	void *obj;

	if (should_failslab(c, gfp) || posix_memalign(&obj, c->align, c->size))
		return NULL;
	atomic_long_inc(&c->live);
	if (c->ctor)
		c->ctor(obj);
	else if (gfp & __GFP_ZERO)
		memset(obj, 0, c->size);
	return obj;
}

void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp)
{
	return kmem_cache_alloc(c, gfp | __GFP_ZERO);
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	if (!obj)
		return;
	atomic_long_dec(&c->live);
	free(obj);
}

long zpb_kmem_cache_live(const struct kmem_cache *c)
{
	return atomic_long_read(&c->live);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	if (zpb_should_fail(ZPB_FAULT_KMALLOC))
		return NULL;
	return gfp & __GFP_ZERO ? calloc(1, size) : malloc(size);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kmalloc(n * size, gfp | __GFP_ZERO);
}

void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kmalloc(n * size, gfp);
}

void kfree(const void *p)
{
	free((void *)p);
}

char *kstrdup(const char *s, gfp_t gfp)
{
	size_t n = strlen(s) + 1;
	char *d = kmalloc(n, gfp);

	if (d)
		memcpy(d, s, n);
	return d;
}
