// SPDX-License-Identifier: GPL-2.0-only
/*
 * The registry of allocators, and the generic pool calls that are not on
 * the hot path. Each driver lives in its own folder (one folder per
 * allocator, as fio keeps one file per engine) and exports one struct
 * zpool_driver, NAME_zpool_driver; allocators/ports.list registers it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/bug.h"
#include "kernel/migrate.h"
#include "kernel/percpu.h"
#include "kernel/slab.h"
#include "zpool.h"

/* Every port in allocators/ports.list, in its order (mk/gen.sh writes ports.h). */
#define ZPB_PORT(name) extern const struct zpool_driver name##_zpool_driver;
#include "ports.h"
#undef ZPB_PORT

static const struct zpool_driver *const drivers[] = {
#define ZPB_PORT(name) &name##_zpool_driver,
#include "ports.h"
#undef ZPB_PORT
	NULL,
};

const struct zpool_driver *const *zpb_drivers(void)
{
	return drivers;
}

const struct zpool_driver *zpb_driver_find(const char *type)
{
	int i;

	for (i = 0; drivers[i]; i++)
		if (!strcmp(drivers[i]->type, type))
			return drivers[i];
	return NULL;
}

struct zpool *zpool_create_pool(const struct zpb_spec *spec, const char *name,
				const struct zpool_ops *ops, unsigned long page_limit)
{
	struct zpool *zpool = kzalloc(sizeof(*zpool), GFP_KERNEL);
	struct zpb_page_budget *prev;

	if (!zpool) {
		errno = ENOMEM;
		return NULL;
	}
	zpool->driver = spec->driver;
	zpool->ops = ops;
	zpool->spec = *spec;
	zpb_budget_init(&zpool->budget, page_limit);
	prev = zpb_budget_enter(&zpool->budget);
	zpool->pool = spec->driver->create(name, GFP_KERNEL, ops, zpool, &zpool->spec);
	zpb_budget_leave(prev);
	if (!zpool->pool) {
		kfree(zpool);
		errno = ENOMEM;
		return NULL;
	}
	return zpool;
}

long zpool_destroy_pool(struct zpool *zpool)
{
	long left;

	zpool->driver->destroy(zpool->pool);
	zpool_end_op();
	left = atomic_long_read(&zpool->budget.pages);
	kfree(zpool);
	return left;
}

int zpool_shrink(struct zpool *zpool, unsigned int pages, unsigned int *reclaimed)
{
	int ret;

	if (!zpool->driver->shrink) {
		if (reclaimed)
			*reclaimed = 0;
		return -EINVAL;
	}
	ret = zpool->driver->shrink(zpool->pool, pages, reclaimed);
	zpool_end_op();
	return ret;
}

unsigned long zpool_compact(struct zpool *zpool)
{
	unsigned long freed;

	if (!zpool->driver->compact)
		return 0;
	freed = zpool->driver->compact(zpool->pool);
	zpool_end_op();
	return freed;
}

struct migrate_walk {
	struct page **pages;
	unsigned long n, max;
};

static int collect_movable(struct page *page, void *arg)
{
	struct migrate_walk *w = arg;

	if (!PageMovable(page))
		return 0;
	w->pages[w->n++] = page;
	return w->n == w->max;
}

unsigned long zpool_migrate_pages(struct zpool *zpool, unsigned long max)
{
	struct migrate_walk w = { .max = max };
	unsigned long i, moved = 0;

	if (!(zpool->driver->caps & ZPB_CAP_MOVABLE) || !max)
		return 0;
	w.pages = calloc(max, sizeof(*w.pages));
	if (!w.pages)
		return 0;
	/* Collect first: migration allocates pages, which the walk would then visit. */
	zpb_arena_for_each_page(&zpool->budget, collect_movable, &w);
	for (i = 0; i < w.n; i++) {
		if (zpb_migrate_page(w.pages[i]) == 0)
			moved++;
		zpool_end_op();
	}
	free(w.pages);
	return moved;
}

int zpool_reserve_pages(unsigned long pages, unsigned long long *needed)
{
	return zpb_arena_reserve(pages, needed);
}

unsigned long zpool_peak_pages(struct zpool *zpool)
{
	return atomic_long_read(&zpool->budget.peak);
}

size_t zpool_max_size_page(const struct zpb_spec *spec)
{
	(void)spec;
	return PAGE_SIZE;
}

long zpool_page_index(const void *addr)
{
	const char *p = addr;
	unsigned long off = (unsigned long)(p - zpb_arena_base);

	if (!zpb_arena_base || p < zpb_arena_base || off >= (zpb_arena_npages << PAGE_SHIFT))
		return -1;
	return (long)(off >> PAGE_SHIFT);
}

void zpool_set_deterministic(bool on)
{
	zpb_wq_set_deterministic(on);
}

void zpool_quiesce(void)
{
	zpb_wq_flush_all();
}

void zpool_set_work_helpers(bool on)
{
	zpb_wq_set_helpers(on);
}

void zpool_bind_cpu(int cpu)
{
	zpb_set_thread_cpu(cpu);
}

bool zpool_cpu_usable(int cpu)
{
	return cpu >= 0 && cpu_online((unsigned int)cpu);
}

void zpool_get_diagnostics(struct zpool_diagnostics *d)
{
	d->warnings = zpb_diag_warnings();
	d->errors = zpb_diag_errors();
	d->guards = zpb_diag_guards();
}
