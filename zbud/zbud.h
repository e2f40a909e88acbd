/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zbud's own API, as the kernel's include/linux/zbud.h (v5.4) exports it.
 * The replay and the shared suites use zbud through the zpool vtable
 * (zbud_zpool_driver); tests/test_zbud.c calls these directly to pin down
 * what the vtable hides, such as the retry count of one reclaim.
 */
#ifndef ZPB_ZBUD_H
#define ZPB_ZBUD_H

#include "../allocators/kernel/types.h"

struct zbud_pool;

/**
 * struct zbud_ops - the pool user's callbacks
 * @evict: write back and free @handle (by calling zbud_free()); return 0,
 *	or non-zero to leave the handle and make reclaim try another page.
 *	Called without the pool lock held.
 */
struct zbud_ops {
	int (*evict)(struct zbud_pool *pool, unsigned long handle);
};

struct zbud_pool *zbud_create_pool(gfp_t gfp, const struct zbud_ops *ops);
void zbud_destroy_pool(struct zbud_pool *pool);
int zbud_alloc(struct zbud_pool *pool, size_t size, gfp_t gfp, unsigned long *handle);
void zbud_free(struct zbud_pool *pool, unsigned long handle);
int zbud_reclaim_page(struct zbud_pool *pool, unsigned int retries);
void *zbud_map(struct zbud_pool *pool, unsigned long handle);
void zbud_unmap(struct zbud_pool *pool, unsigned long handle);
u64 zbud_get_pool_size(struct zbud_pool *pool);

#endif
