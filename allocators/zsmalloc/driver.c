// SPDX-License-Identifier: GPL-2.0-only
/*
 * zsmalloc port: the zpool driver (as the kernel's zs_zpool_driver glue up
 * to 6.17) and the read-only views declared in allocators/zsmalloc.h.
 *
 * Modern zsmalloc has no evict/shrink: since 6.5 zswap writes back from its
 * own LRU, so .shrink is NULL and the driver does not claim ZPB_CAP_EVICT.
 */
#include "../zsmalloc.h"
#include "zs_internal.h"

/*
 * delta: an enum of its accepted values, so that the spec parser refuses
 * any other with its one-line error listing them; value i is 16 << i.
 */
static const char *const zs_delta_names[] = { "16", "32", "64", "128", "256", NULL };
static const char *const zs_chain_policy_names[] = { "kernel", "rfc", NULL };

BUILD_BUG_ON(ZPB_ZS_MIN_DELTA != 16 || ZPB_ZS_MAX_DELTA != 16 << (ARRAY_SIZE(zs_delta_names) - 2));
BUILD_BUG_ON(ZPB_ZS_CHAIN_KERNEL != 0 || ZPB_ZS_CHAIN_RFC != 1);

/* The delta's default: the kernel's at the page size in force (16 << this). */
static unsigned long zs_delta_default(void)
{
	return (unsigned long)__builtin_ctzl(ZS_SIZE_CLASS_DELTA / ZPB_ZS_MIN_DELTA);
}

static const struct zpb_option zs_options[] = {
	{ "chain", ZPB_OPT_UINT, ZS_DEFAULT_CHAIN_SIZE, ZS_MIN_CHAIN_SIZE, ZS_MAX_CHAIN_SIZE,
	  "pages per zspage at most (CONFIG_ZSMALLOC_CHAIN_SIZE; 4 before 6.3)" },
	{ "delta", ZPB_OPT_ENUM, 0, 0, 0,
	  "bytes between size classes (ZS_SIZE_CLASS_DELTA, PAGE_SIZE >> CLASS_BITS: 16 at 4K, 64 at 16K, "
	  "256 at 64K in 6.18; the 2026 RFC fixes it at 16 for every page size)",
	  .names = zs_delta_names, .page_def = zs_delta_default },
	{ "chain_policy", ZPB_OPT_ENUM, ZPB_ZS_CHAIN_KERNEL, 0, 0,
	  "chain length rule: kernel = 6.18's least waste over 1..chain pages; rfc = the 2026 RFC's "
	  "(grow only while it saves 25% of the waste, stop at 1/64)",
	  .names = zs_chain_policy_names },
	{ NULL, 0, 0, 0, 0, NULL },
};

static void *zs_zpool_create(const char *name, gfp_t gfp, const struct zpool_ops *ops,
			     struct zpool *zpool, const struct zpb_spec *spec)
{
	struct zpb_zs_tuning t = {
		.chain = zpb_spec_get(spec, "chain"),
		.delta = ZPB_ZS_MIN_DELTA << zpb_spec_get(spec, "delta"),
		.chain_policy = zpb_spec_get(spec, "chain_policy"),
	};

	/* zs_malloc() gets its gfp from each caller, so the pool's is ignored. */
	(void)gfp, (void)ops, (void)zpool;
	return zs_create_pool(name, &t);
}

static void zs_zpool_destroy(void *pool)
{
	zs_destroy_pool(pool);
}

static int zs_zpool_malloc(void *pool, size_t size, gfp_t gfp, unsigned long *handle)
{
	*handle = zs_malloc(pool, size, gfp);
	if (IS_ERR_VALUE(*handle))
		return PTR_ERR((void *)*handle);
	return 0;
}

static void zs_zpool_free(void *pool, unsigned long handle)
{
	zs_free(pool, handle);
}

static void *zs_zpool_map(void *pool, unsigned long handle, enum zpool_mapmode mm)
{
	enum zs_mapmode zs_mm;

	switch (mm) {
	case ZPOOL_MM_RO:
		zs_mm = ZS_MM_RO;
		break;
	case ZPOOL_MM_WO:
		zs_mm = ZS_MM_WO;
		break;
	case ZPOOL_MM_RW:
	default:
		zs_mm = ZS_MM_RW;
		break;
	}
	return zs_map_object(pool, handle, zs_mm);
}

static void zs_zpool_unmap(void *pool, unsigned long handle)
{
	zs_unmap_object(pool, handle);
}

static u64 zs_zpool_total_size(void *pool)
{
	return (u64)zs_get_total_pages(pool) << PAGE_SHIFT;
}

static unsigned long zs_zpool_compact(void *pool)
{
	return zs_compact(pool);
}

const struct zpool_driver zsmalloc_zpool_driver = {
	.type = "zsmalloc",
	.description = "size classes over chained zspages (Linux 6.18 mm/zsmalloc.c)",
	.caps = ZPB_CAP_COMPACT | ZPB_CAP_MOVABLE | ZPB_CAP_SPANNING,
	.options = zs_options,
	.max_size = zpool_max_size_page,	/* ZS_MAX_ALLOC_SIZE */
	.create = zs_zpool_create,
	.destroy = zs_zpool_destroy,
	.malloc = zs_zpool_malloc,
	.free = zs_zpool_free,
	.shrink = NULL,
	.map = zs_zpool_map,
	.unmap = zs_zpool_unmap,
	.total_size = zs_zpool_total_size,
	.compact = zs_zpool_compact,
};

/* The views: class table without a pool, counters of a live pool. */

static struct zpb_zs_tuning with_chain(unsigned int chain)
{
	struct zpb_zs_tuning t = ZPB_ZS_TUNING_DEFAULT;

	t.chain = chain;
	return t;
}

int zpb_zs_class_for_tuning(const struct zpb_zs_tuning *tuning, size_t size, struct zpb_zs_class *out)
{
	int idx, i, n, csize, ppz, opz;
	struct zpb_zs_tuning r = zs_tuning_resolve(tuning);
	const struct zpb_zs_tuning *t = &r;

	if (!zs_tuning_valid(t) || !size || size > ZS_MAX_ALLOC_SIZE)
		return -EINVAL;
	n = zs_nr_size_classes(t);
	idx = zs_get_size_class_index(t, size + ZS_HANDLE_SIZE);
	zs_class_geometry(t, idx, &csize, &ppz, &opz);
	/* Merging: the largest following index with the same geometry serves idx. */
	for (i = idx + 1; i < n; i++) {
		int s2, p2, o2;

		zs_class_geometry(t, i, &s2, &p2, &o2);
		if (p2 != ppz || o2 != opz)
			break;
		idx = i;
		csize = s2;
	}
	out->index = idx;
	out->size = csize;
	out->pages_per_zspage = ppz;
	out->objs_per_zspage = opz;
	out->huge = ppz == 1 && opz == 1;
	return 0;
}

int zpb_zs_class_for(unsigned int chain, size_t size, struct zpb_zs_class *out)
{
	struct zpb_zs_tuning t = with_chain(chain);

	return zpb_zs_class_for_tuning(&t, size, out);
}

size_t zpb_zs_huge_class_size_tuning(const struct zpb_zs_tuning *tuning)
{
	struct zpb_zs_tuning t = zs_tuning_resolve(tuning);

	return zs_tuning_valid(&t) ? zs_calc_huge_class_size(&t) : 0;
}

size_t zpb_zs_huge_class_size(unsigned int chain)
{
	struct zpb_zs_tuning t = with_chain(chain);

	return zpb_zs_huge_class_size_tuning(&t);
}

int zpb_zs_nr_size_classes(const struct zpb_zs_tuning *tuning)
{
	struct zpb_zs_tuning t = zs_tuning_resolve(tuning);

	return zs_tuning_valid(&t) ? zs_nr_size_classes(&t) : 0;
}

static struct zs_pool *zs_of(struct zpool *zpool)
{
	return zpool && zpool->driver == &zsmalloc_zpool_driver ? zpool->pool : NULL;
}

int zpb_zs_pool_stats(struct zpool *zpool, struct zpb_zs_class_stats *out, int max)
{
	struct zs_pool *pool = zs_of(zpool);
	int i, fg, n = 0;

	if (!pool)
		return -EINVAL;
	for (i = 0; i < pool->nr_size_classes && n < max; i++) {
		struct size_class *class = pool->size_class[i];
		struct zpb_zs_class_stats *s = &out[n];

		if (class->index != (unsigned int)i)
			continue;
		spin_lock(&class->lock);
		s->objs_allocated = class_stat_read(class, ZS_OBJS_ALLOCATED);
		s->objs_inuse = class_stat_read(class, ZS_OBJS_INUSE);
		for (fg = 0; fg < NR_FULLNESS_GROUPS; fg++)
			s->zspages[fg] = class_stat_read(class, fg);
		s->freeable = zs_can_compact(class);
		spin_unlock(&class->lock);
		if (!s->objs_allocated && !s->zspages[ZS_INUSE_RATIO_0])
			continue;
		s->class.index = class->index;
		s->class.size = class->size;
		s->class.pages_per_zspage = class->pages_per_zspage;
		s->class.objs_per_zspage = class->objs_per_zspage;
		s->class.huge = class->pages_per_zspage == 1 && class->objs_per_zspage == 1;
		n++;
	}
	return n;
}

unsigned int zpb_zs_pool_chain(struct zpool *zpool)
{
	struct zs_pool *pool = zs_of(zpool);

	return pool ? pool->tuning.chain : 0;
}

int zpb_zs_pool_tuning(struct zpool *zpool, struct zpb_zs_tuning *out)
{
	struct zs_pool *pool = zs_of(zpool);

	if (!pool)
		return -EINVAL;
	*out = pool->tuning;
	return 0;
}

size_t zpb_zs_pool_huge_class_size(struct zpool *zpool)
{
	struct zs_pool *pool = zs_of(zpool);

	return pool ? zs_huge_class_size(pool) : 0;
}

unsigned long zpb_zs_pool_pages_compacted(struct zpool *zpool)
{
	struct zs_pool *pool = zs_of(zpool);

	return pool ? atomic_long_read(&pool->stats.pages_compacted) : 0;
}

BUILD_BUG_ON(ZPB_ZS_FULLNESS_GROUPS != NR_FULLNESS_GROUPS);
