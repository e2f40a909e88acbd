/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The zpool interface: one vtable that every allocator fills, mirroring the
 * kernel's include/linux/zpool.h (v5.4), plus what a workbench needs on top:
 * a capability mask, typed options selected by an allocator spec string, a
 * page budget per pool, and migration of a pool's pages.
 *
 * Layering: allocators see only this header and the kernel-compat layer;
 * the replay engine and tests see only the zpool_* calls below and never
 * compare allocator names (capabilities come from the mask).
 *
 * Locking: every zpool_* call may be made concurrently from many threads on
 * the same pool, as zswap makes them; each driver documents its own locks.
 */
#ifndef ZPB_ZPOOL_H
#define ZPB_ZPOOL_H

#include "kernel/page.h"
#include "kernel/types.h"
#include "kernel/workqueue.h"

struct zpool;

enum zpool_mapmode {
	ZPOOL_MM_RW,	/* normal read-write mapping */
	ZPOOL_MM_RO,	/* read-only (no copy-out at unmap time) */
	ZPOOL_MM_WO,	/* write-only (no copy-in at map time) */
	ZPOOL_MM_DEFAULT = ZPOOL_MM_RW
};

/**
 * struct zpool_ops - what the pool's user provides
 * @evict: write back and free @handle so that shrink can free its page.
 *	It must call zpool_free(pool, handle) on success and return 0, or
 *	return a negative errno and leave the handle alone.
 */
struct zpool_ops {
	int (*evict)(struct zpool *pool, unsigned long handle);
};

/* Capabilities: what the harness may ask of a driver. */
enum zpb_caps {
	ZPB_CAP_EVICT = 1u << 0,	/* shrink() reclaims pages through ops->evict */
	ZPB_CAP_COMPACT = 1u << 1,	/* compact() can free pages */
	ZPB_CAP_MOVABLE = 1u << 2,	/* pages can be migrated (zpool_migrate_pages) */
	ZPB_CAP_SPANNING = 1u << 3,	/* objects may span two pages */
	ZPB_CAP_SLEEP_MAPPED = 1u << 4,	/* the user may sleep while a handle is mapped */
	ZPB_CAP_BOUND = 1u << 5,	/* a theoretical bound, not an allocator (ideal) */
	ZPB_CAP_HARNESS = 1u << 6,	/* measures the harness, never reported (null) */
	ZPB_CAP_NO_DATA = 1u << 7,	/* keeps no data: loads cannot be verified (null) */
};

enum zpb_opt_type {
	ZPB_OPT_UINT,
	ZPB_OPT_BOOL,
	ZPB_OPT_ENUM,	/* one of @names; the value is its index */
};

/* zpb_option.flags */
enum zpb_opt_flags {
	/*
	 * A boolean whose 1 is a later kernel's fix of a bug of the ported
	 * version that corrupts stored data (the default reproduces the bug):
	 * the shadow-model suite sets it, and documents the bug in a test.
	 */
	ZPB_OPT_FIXES_SEED = 1u << 0,
};

/**
 * struct zpb_option - one key an allocator spec may set
 * @key: the name in the spec ("chain")
 * @type: how the value is parsed
 * @def: the value when the spec does not set it
 * @min: smallest accepted value (ZPB_OPT_UINT)
 * @max: largest accepted value (ZPB_OPT_UINT)
 * @help: one line for `zpoolbench list`
 * @flags: enum zpb_opt_flags
 * @names: ZPB_OPT_ENUM: the accepted values, ended by NULL; the spec's
 *	value is the index of the name it gives (@def is an index too)
 * @page_def: NULL, or the default at the page size in force, which then
 *	replaces @def (zsmalloc's delta is PAGE_SIZE >> CLASS_BITS); read
 *	when a spec is parsed, so parse specs after zpb_set_page_size()
 */
struct zpb_option {
	const char *key;
	enum zpb_opt_type type;
	unsigned long def, min, max;
	const char *help;
	unsigned int flags;
	const char *const *names;
	unsigned long (*page_def)(void);
};

/* @o's default at the page size in force: @page_def's if it has one, else @def. */
static inline unsigned long zpb_option_default(const struct zpb_option *o)
{
	return o->page_def ? o->page_def() : o->def;
}

#define ZPB_MAX_OPTIONS 8
#define ZPB_SPEC_LEN 128

/**
 * struct zpb_spec - a parsed allocator spec ("zsmalloc:chain=4")
 * @driver: the allocator it names
 * @values: one value per entry of @driver->options, defaults filled in
 * @text: the spec in canonical form: name, then ":key=value" for each key
 *	set to other than its default, in the driver's option order
 */
struct zpb_spec {
	const struct zpool_driver *driver;
	unsigned long values[ZPB_MAX_OPTIONS];
	char text[ZPB_SPEC_LEN];
};

/**
 * struct zpool_driver - an allocator behind the zpool interface
 *
 * The members mirror the kernel's struct zpool_driver; @caps, @options,
 * @max_size, @compact and @description are the workbench's additions.
 * @pool below is whatever @create returned.
 *
 * @create: make a pool. @ops may be NULL (then shrink cannot evict).
 *	Read options with zpb_spec_get(). Returns NULL on failure.
 * @malloc: allocate @size bytes; store the handle in *@handle. Returns 0,
 *	-EINVAL (size 0 or unsupported gfp), -ENOSPC (larger than the driver
 *	stores) or -ENOMEM (no page could be had), as the kernel's drivers do.
 * @free: free a handle from @malloc.
 * @shrink: reclaim up to @pages pages through ops->evict; *@reclaimed (may be
 *	NULL) gets how many were freed. As the kernel's v5.4 drivers, it stops
 *	at the first page it cannot reclaim and returns that attempt's result:
 *	0 when all @pages were reclaimed, else a negative errno (-EINVAL when
 *	there is nothing to evict or no evict callback, -EAGAIN when every
 *	retry failed) even if some pages were. NULL if the driver cannot evict.
 * @map: return the address of the handle's object; until @unmap the caller
 *	owns it in @mm's direction.
 * @total_size: bytes of pages the pool holds.
 * @compact: free what pages it can by moving objects; returns pages freed.
 *	NULL if the driver cannot compact.
 * @max_size: the largest size @malloc of a pool of @spec (NULL: the
 *	driver's defaults) accepts at the page size in force
 *	(zpb_set_page_size()); a function because it depends on both (zblock's
 *	tables differ at 16K). zpool_max_size_page returns one page.
 */
struct zpool_driver {
	const char *type;
	const char *description;
	unsigned int caps;
	const struct zpb_option *options;	/* NULL or ended by a NULL key */
	size_t (*max_size)(const struct zpb_spec *spec);

	void *(*create)(const char *name, gfp_t gfp, const struct zpool_ops *ops,
			struct zpool *zpool, const struct zpb_spec *spec);
	void (*destroy)(void *pool);
	int (*malloc)(void *pool, size_t size, gfp_t gfp, unsigned long *handle);
	void (*free)(void *pool, unsigned long handle);
	int (*shrink)(void *pool, unsigned int pages, unsigned int *reclaimed);
	void *(*map)(void *pool, unsigned long handle, enum zpool_mapmode mm);
	void (*unmap)(void *pool, unsigned long handle);
	u64 (*total_size)(void *pool);
	unsigned long (*compact)(void *pool);
};

/* The generic pool: what zpool_create_pool() returns. */
struct zpool {
	const struct zpool_driver *driver;
	void *pool;
	const struct zpool_ops *ops;
	struct zpb_spec spec;
	struct zpb_page_budget budget;	/* pages charged to this pool */
};

/* A driver's max_size that is one page (PAGE_SIZE at the page size in force). */
size_t zpool_max_size_page(const struct zpb_spec *spec);

/* The largest object a pool of @spec stores. */
static inline size_t zpb_spec_max_size(const struct zpb_spec *spec)
{
	return spec->driver->max_size(spec);
}

/* Registry (registry.c). */
const struct zpool_driver *zpb_driver_find(const char *type);
/* All drivers, NULL-terminated, in the order `zpoolbench list` shows them. */
const struct zpool_driver *const *zpb_drivers(void);

/* Specs (spec.c). Errors name the spec and the offending part. */
int zpb_spec_parse(const char *text, struct zpb_spec *spec, char *err, size_t errlen);
/* The value of @key, which must be one of the driver's options (else BUG). */
unsigned long zpb_spec_get(const struct zpb_spec *spec, const char *key);
/*
 * Split "a,b:k=v,c" into specs; "all" stands for every registered allocator
 * without the harness capability. Returns the count, or -1 with @err set.
 */
int zpb_spec_parse_list(const char *text, struct zpb_spec *specs, int max,
			char *err, size_t errlen);
/* "evict,compact,movable" for @caps, into @buf. */
const char *zpb_caps_string(unsigned int caps, char *buf, size_t len);

/**
 * zpool_create_pool - create a pool of the allocator @spec names
 * @spec: a parsed spec
 * @name: a name for diagnostics
 * @ops: the user's callbacks (evict), or NULL
 * @page_limit: 0, or the most pages the pool may hold (alloc_page fails beyond)
 *
 * Return: the pool, or NULL with errno set.
 */
struct zpool *zpool_create_pool(const struct zpb_spec *spec, const char *name,
				const struct zpool_ops *ops, unsigned long page_limit);
/**
 * zpool_destroy_pool - destroy a pool; every handle must have been freed
 *
 * Return: 0, or the number of pages still charged to the pool afterwards
 * (a leak: the driver did not give back every page).
 */
long zpool_destroy_pool(struct zpool *zpool);

/*
 * The per-operation calls are inline: they are the replay's hot path. Each
 * runs the driver's operation with the pool's budget current, then, in
 * deterministic mode, the work it queued (see workqueue.h).
 */
static inline void zpool_end_op(void)
{
	if (unlikely(zpb_wq_deterministic_now()))
		zpb_wq_run_deferred();
}

static inline int zpool_malloc(struct zpool *zpool, size_t size, gfp_t gfp, unsigned long *handle)
{
	struct zpb_page_budget *prev = zpb_budget_swap(&zpool->budget);
	int ret = zpool->driver->malloc(zpool->pool, size, gfp, handle);

	zpb_budget_swap(prev);
	zpool_end_op();
	return ret;
}

static inline void zpool_free(struct zpool *zpool, unsigned long handle)
{
	zpool->driver->free(zpool->pool, handle);
	zpool_end_op();
}

static inline void *zpool_map_handle(struct zpool *zpool, unsigned long handle,
				     enum zpool_mapmode mm)
{
	return zpool->driver->map(zpool->pool, handle, mm);
}

static inline void zpool_unmap_handle(struct zpool *zpool, unsigned long handle)
{
	zpool->driver->unmap(zpool->pool, handle);
	zpool_end_op();
}

static inline u64 zpool_get_total_size(struct zpool *zpool)
{
	return zpool->driver->total_size(zpool->pool);
}

static inline unsigned int zpool_caps(const struct zpool *zpool)
{
	return zpool->driver->caps;
}

static inline bool zpool_evictable(const struct zpool *zpool)
{
	return zpool->driver->caps & ZPB_CAP_EVICT;
}

static inline const char *zpool_get_type(const struct zpool *zpool)
{
	return zpool->driver->type;
}

/*
 * The calling thread's emulation cost so far: time inside the compat
 * layer's system calls and waits, and their counts (kernel/sched.h). The
 * replay reads it around each op; a per-thread read, no call.
 */
static inline const struct zpb_emulation *zpool_emulation(void)
{
	return &zpb_emul;
}

/* Pages charged to the pool now, as the page arena counts them. */
static inline unsigned long zpool_pages(struct zpool *zpool)
{
	return atomic_long_read(&zpool->budget.pages);
}

/*
 * What a pool's user needs of the machinery under the pools, so that the
 * replay engine sees allocators only through this header (registry.c).
 */

/* Pages charged to the pool at its most, as the page arena counts them. */
unsigned long zpool_peak_pages(struct zpool *zpool);
/**
 * zpool_reserve_pages - make room for pools that will hold at most @pages
 * pages (at a time, over all pools), before the first pool allocates
 * @needed: if not NULL, gets the bytes of address space that takes
 *
 * Without it, the page arena reserves as much address space as fits on
 * first use; under an address-space limit (ulimit -v) that may be less
 * than the pools need, or leave too little for the rest of the process.
 *
 * Return: 0, or -ENOMEM if no reservation that large could be made.
 */
int zpool_reserve_pages(unsigned long pages, unsigned long long *needed);
/**
 * zpool_page_index - which pool page an object's mapping lies in
 * @addr: an address zpool_map_handle() returned
 * Return: the page's index in the page arena, or -1 when @addr is not in a
 * pool page (an object mapped through a copy, or kept off the arena).
 */
long zpool_page_index(const void *addr);
/*
 * Deterministic mode: work the drivers queue (z3fold's deferred frees, its
 * compaction) runs at the end of the pool operation that queued it, on the
 * caller's thread, instead of on worker threads. Set before creating pools.
 */
void zpool_set_deterministic(bool on);
/* Run every pool's queued work now, and wait until it is done. */
void zpool_quiesce(void);
/*
 * Between two pool operations: run the work the drivers queued that a
 * promptly scheduled kworker would have run by now (kernel/sched.h,
 * zpb_preempt_point()). Never call it inside a timed operation. @cpu: the
 * one the calling thread is pinned to (-1: none). Return: the works run.
 */
static inline unsigned int zpool_preempt_point(int cpu)
{
	return zpb_preempt_point(cpu);
}
/*
 * While on: the drivers' queued work runs on the pool's users, at
 * zpool_preempt_point() and when flushed, not on worker threads
 * (kernel/workqueue.h, zpb_wq_set_helpers()). Calls nest.
 */
void zpool_set_work_helpers(bool on);
/* The calling thread runs on @cpu (-1: unpinned), for the drivers' per-CPU data. */
void zpool_bind_cpu(int cpu);
/* Whether @cpu is one the drivers' per-CPU data covers (this process may run there). */
bool zpool_cpu_usable(int cpu);
/* The kernel-style warnings (WARN) and errors (pr_err) the drivers reported so far. */
struct zpool_diagnostics {
	unsigned long warnings, errors;
	unsigned long guards;	/* PORT_GUARD() hits: the ported source's defects, caught (kernel/bug.h) */
};
void zpool_get_diagnostics(struct zpool_diagnostics *d);

/*
 * Lock statistics (kernel/lockstat.h): one class per lock expression, file
 * and kind, as /proc/lock_stat has them. Times in ns; the histograms are
 * log2: bucket i counts times in [2^i, 2^(i+1)) (bucket 0 also holds 0).
 */
#define ZPOOL_LOCKSTAT_BUCKETS 40
struct zpool_lock_class {
	const char *name;	/* "&pool->lock" */
	const char *file;	/* "z3fold/z3fold.c" */
	const char *kind;	/* "spin", "read" or "write" */
	uint64_t acquisitions, contentions;
	uint64_t wait_total, wait_min, wait_max;	/* contended acquisitions only */
	uint64_t hold_total, hold_min, hold_max;	/* acquisitions whose release was seen */
	uint64_t holds;
	uint64_t wait_hist[ZPOOL_LOCKSTAT_BUCKETS], hold_hist[ZPOOL_LOCKSTAT_BUCKETS];
};
/* Whether this build records lock statistics (./configure --lockstat). */
bool zpool_lockstat_supported(void);
/* Record lock statistics from now on (@on), or stop. Set it while no lock is held. */
void zpool_lockstat_enable(bool on);
/* Forget what was recorded. Only while no other thread takes locks. */
void zpool_lockstat_reset(void);
/*
 * The classes recorded since the last reset, busiest first (by
 * contentions, then acquisitions), at most @max into @out.
 * Return: the number of classes there are (more than @max: some left out).
 * Read it while no other thread takes locks (after zpool_quiesce()).
 */
int zpool_lockstat_read(struct zpool_lock_class *out, int max);
/* Records lost: sites past the table's size, locks nested too deep, releases without an acquisition. */
uint64_t zpool_lockstat_dropped(void);

/**
 * zpool_shrink - reclaim pages through the pool's evict callback
 * Return: as &zpool_driver.shrink; -EINVAL if the driver cannot evict.
 */
int zpool_shrink(struct zpool *zpool, unsigned int pages, unsigned int *reclaimed);
/* Compact the pool. Return: pages freed; 0 if the driver cannot compact. */
unsigned long zpool_compact(struct zpool *zpool);
/**
 * zpool_migrate_pages - migrate up to @max of the pool's pages, as kernel
 * compaction would, each to a freshly allocated page
 * Return: how many pages moved (pages that are not movable are skipped).
 */
unsigned long zpool_migrate_pages(struct zpool *zpool, unsigned long max);

#endif
