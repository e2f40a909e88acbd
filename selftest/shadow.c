// SPDX-License-Identifier: GPL-2.0-only
/*
 * The randomized shadow-model suite (selftest.h: run over every registered
 * allocator by tests/test_shadow.c, on any spec by `zpoolbench selftest`).
 * On an allocator it runs
 * at least 10^6 operations (times the check's scale: ZPB_TEST_SCALE, selftest --scale) from a seeded
 * PRNG (ZPB_TEST_SEED or selftest --seed overrides the seed, which is noted), keeping a model of
 * every live object: its handle, size and the tag of its contents. It checks
 *  - every object's contents whenever it is mapped or freed, and all live
 *    objects in periodic sweeps;
 *  - that no two live objects overlap, from the addresses map returns
 *    (only where they are addresses in the pool's pages: an object that
 *    spans pages is mapped through a bounce buffer and is left out);
 *  - the pool's accounting after every operation: total_size equals the
 *    pages charged to the pool and is at least the live bytes (real
 *    allocators), equals ceil(live bytes / PAGE_SIZE) pages (the bound),
 *    and is zero whenever the pool is empty.
 * Evictable pools are shrunk now and then, compactable ones compacted and
 * movable ones migrated, all through the model. A second run holds each
 * pool to a page limit, where -ENOMEM is the only failure allowed. A third
 * holds up to 8 mappings at a time across every other operation (frees,
 * rewrites, reclaim, compaction and migration, each far more often), as a
 * kernel user that sleeps while mapped may: every held object is checked
 * through its mapping after every operation, the others in sweeps, and held
 * objects take part in the overlap check; evict refuses a held object, as
 * a user still reading it would. Only drivers whose mappings may be held
 * (the sleep-mapped capability) take part; their options that fix a data
 * bug of the ported version (ZPB_OPT_FIXES_SEED) are set, and each such
 * bug is pinned down in the driver's own tests (ZPB_SHADOW_NO_FIXES=1 leaves
 * them unset: with ZPB_TEST_SEED=3, v5.4 z3fold's FIRST-over-middle bug
 * shows as a held object overwritten). Work runs in deterministic mode, so
 * a seed replays exactly.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#include "checks.h"

#define NSLOTS		4096
/* Holding mappings: fewer objects, so held ones are a good part of each page. */
#define HELD_NSLOTS	256
#define BASE_OPS	1000000UL
#define SWEEP_EVERY	100000UL
#define DRAIN_EVERY	300000UL
#define SHRINK_EVERY	20011UL
#define COMPACT_EVERY	50021UL
#define MIGRATE_EVERY	70001UL
#define MAX_HELD	8
/* With held mappings: maintenance far more often, so it meets them. */
#define HELD_SHRINK_EVERY	997UL
#define HELD_COMPACT_EVERY	1499UL
#define HELD_MIGRATE_EVERY	101UL

struct slot {
	unsigned long handle;
	uint32_t size;
	bool live;
	bool held;	/* mapped (read-write) by the model, at @map, until released */
	uint64_t tag;
	void *map;
};

struct model {
	const struct zpool_driver *d;
	struct zpool *zp;
	struct slot *slots;
	uint64_t rng, next_tag;
	unsigned long live, ops, evicted;
	unsigned long overlap_checked;	/* objects whose address ranges were compared */
	unsigned long limit;		/* the pool's page limit, 0 for none */
	unsigned long enomem;		/* mallocs refused at the limit */
	unsigned long long live_bytes;
	bool broken;		/* stop this allocator at its first divergence */
	unsigned long nslots;	/* slots in use: NSLOTS, or HELD_NSLOTS when holding */
	bool hold;		/* hold mappings across other operations */
	unsigned long held[MAX_HELD];	/* slots held mapped */
	int nheld;
	unsigned long holds, refused;	/* mappings held; evictions refused for one */
};

static struct model *current;	/* for the evict callback */

static void diverged(struct model *m, const char *what, unsigned long i, size_t at)
{
	const struct slot *s = &m->slots[i];

	CHECK(0, "%s: op %lu: %s: slot %lu (%u bytes, tag %" PRIu64 ") differs at byte %zu",
	      m->d->type, m->ops, what, i, s->size, s->tag, at);
	m->broken = true;
}

static bool verify_slot(struct model *m, unsigned long i, const char *what)
{
	struct slot *s = &m->slots[i];
	const void *p;
	size_t at;

	if (!zpb_has_data(m->d))
		return true;
	if (s->held) {
		at = zpb_pattern_verify(s->map, s->size, s->tag);
	} else {
		p = zpool_map_handle(m->zp, s->handle, ZPOOL_MM_RO);
		at = zpb_pattern_verify(p, s->size, s->tag);
		zpool_unmap_handle(m->zp, s->handle);
	}
	if (at != s->size)
		diverged(m, what, i, at);
	return at == s->size;
}

/* Map slot @i and keep it mapped (read-write) across what follows. */
static void op_hold(struct model *m, unsigned long i)
{
	struct slot *s = &m->slots[i];

	verify_slot(m, i, "before holding");
	s->map = zpool_map_handle(m->zp, s->handle, ZPOOL_MM_RW);
	s->held = true;
	m->held[m->nheld++] = i;
	m->holds++;
	m->ops++;
	verify_slot(m, i, "held mapping");
}

/* Release held mapping @k, sometimes writing new contents through it first. */
static void op_release(struct model *m, int k)
{
	unsigned long i = m->held[k];
	struct slot *s = &m->slots[i];

	verify_slot(m, i, "held mapping at release");
	if (zpb_below(&m->rng, 2)) {
		s->tag = m->next_tag++;
		zpb_pattern_fill(s->map, s->size, s->tag);
	}
	s->held = false;
	s->map = NULL;
	zpool_unmap_handle(m->zp, s->handle);
	m->held[k] = m->held[--m->nheld];
	m->ops++;
	verify_slot(m, i, "after release");
}

/* Every held object, through its mapping: after every operation. */
static void check_held(struct model *m, const char *after)
{
	int k;

	for (k = 0; k < m->nheld && !m->broken; k++)
		verify_slot(m, m->held[k], after);
}

static void forget(struct model *m, unsigned long i)
{
	m->slots[i].live = false;
	m->live--;
	m->live_bytes -= m->slots[i].size;
}

static void check_accounting(struct model *m, const char *after)
{
	const struct zpool_driver *d = m->d;
	unsigned long long total = zpool_get_total_size(m->zp);
	unsigned long pages = zpool_pages(m->zp);

	if (d->caps & ZPB_CAP_NO_DATA)
		return;
	if (d->caps & ZPB_CAP_BOUND) {
		if (total != DIV_ROUND_UP(m->live_bytes, PAGE_SIZE) * PAGE_SIZE) {
			CHECK(0, "%s: op %lu (after %s): total_size %llu for %llu live bytes, expected %llu",
			      d->type, m->ops, after, total, m->live_bytes,
			      DIV_ROUND_UP(m->live_bytes, PAGE_SIZE) * PAGE_SIZE);
			m->broken = true;
		}
		return;
	}
	if (total != (unsigned long long)pages * PAGE_SIZE || total < m->live_bytes ||
	    (m->limit && pages > m->limit) ||
	    (m->live == 0 && total != 0)) {
		CHECK(0, "%s: op %lu (after %s): total_size %llu, %lu charged pages (limit %lu), %lu objects of %llu bytes live",
		      d->type, m->ops, after, total, pages, m->limit, m->live, m->live_bytes);
		m->broken = true;
	}
}

/* Sizes shaped like compressed pages: mostly mid-sized, with both extremes and chunk edges. */
static size_t pick_size(struct model *m)
{
	size_t max = zpb_spec_max_size(&m->zp->spec);
	uint64_t r = zpb_below(&m->rng, 100);

	/*
	 * Holding mappings: half the objects small (1 to 8 units of 64 bytes,
	 * z3fold's and zbud's chunk), so that small buddies meet a held middle
	 * and its neighbours' frees again and again.
	 */
	if (m->hold && r < 50)
		return min(max, (1 + zpb_below(&m->rng, 8)) * 64 - zpb_below(&m->rng, 64));
	if (r < 35)
		return 1 + zpb_below(&m->rng, max);
	if (r < 65)
		return min(max, 700 + zpb_below(&m->rng, 1500));
	if (r < 80)
		return 1 + zpb_below(&m->rng, 256);
	if (r < 92)
		return max - zpb_below(&m->rng, min(max, 256));
	/* A multiple of 16 or 64, or one past it: where chunk and class rounding turn. */
	r = (1 + zpb_below(&m->rng, max / 16)) * 16 + zpb_below(&m->rng, 2);
	return min(max, r);
}

static void op_alloc(struct model *m, unsigned long i)
{
	struct slot *s = &m->slots[i];
	size_t size = pick_size(m);
	int ret;

	ret = zpool_malloc(m->zp, size, GFP_KERNEL, &s->handle);
	m->ops++;
	if (ret == -ENOMEM && m->limit) {
		/* Legitimate only at the limit: a page was wanted and none could be had. */
		m->enomem++;
		return;
	}
	if (ret) {
		CHECK(0, "%s: op %lu: malloc(%zu) with %lu objects live: got %d",
		      m->d->type, m->ops, size, m->live, ret);
		m->broken = true;
		return;
	}
	s->size = size;
	s->tag = m->next_tag++;
	s->live = true;
	m->live++;
	m->live_bytes += size;
	zpb_pattern_fill(zpool_map_handle(m->zp, s->handle, ZPOOL_MM_WO), size, s->tag);
	zpool_unmap_handle(m->zp, s->handle);
	m->ops++;
}

static void op_free(struct model *m, unsigned long i)
{
	verify_slot(m, i, "before free");
	zpool_free(m->zp, m->slots[i].handle);
	forget(m, i);
	m->ops++;
}

static void op_rewrite(struct model *m, unsigned long i, enum zpool_mapmode mm)
{
	struct slot *s = &m->slots[i];
	void *p;
	size_t at;

	if (s->held) {
		/* Through the held mapping, which is read-write. */
		verify_slot(m, i, "held rewrite");
		s->tag = m->next_tag++;
		zpb_pattern_fill(s->map, s->size, s->tag);
		m->ops++;
		return;
	}
	p = zpool_map_handle(m->zp, s->handle, mm);

	if (mm == ZPOOL_MM_RW && zpb_has_data(m->d)) {
		at = zpb_pattern_verify(p, s->size, s->tag);
		if (at != s->size)
			diverged(m, "RW map", i, at);
	}
	s->tag = m->next_tag++;
	zpb_pattern_fill(p, s->size, s->tag);
	zpool_unmap_handle(m->zp, s->handle);
	m->ops++;
}

/*
 * The evict callback, as zswap's writeback: find the object, check it, free
 * the handle it was stored under. The handle reclaim passes need not be the
 * one malloc returned (v5.4 z3fold encodes it in on-stack slots), so an
 * object is found by handle or else by the address its handle maps to.
 */
static int shadow_evict(struct zpool *zp, unsigned long handle)
{
	struct model *m = current;
	unsigned long i;
	void *addr;

	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].live && m->slots[i].handle == handle)
			goto found;
	CHECK(!m->hold, "%s: op %lu: evict of handle %#lx, not one malloc returned, while mappings are held",
	      m->d->type, m->ops, handle);
	addr = zpool_map_handle(zp, handle, ZPOOL_MM_RO);
	zpool_unmap_handle(zp, handle);
	for (i = 0; i < m->nslots; i++) {
		void *p;

		if (!m->slots[i].live)
			continue;
		p = zpool_map_handle(zp, m->slots[i].handle, ZPOOL_MM_RO);
		zpool_unmap_handle(zp, m->slots[i].handle);
		if (p == addr)
			goto found;
	}
	CHECK(0, "%s: op %lu: evict of handle %#lx (mapped at %p): no live object there",
	      m->d->type, m->ops, handle, addr);
	m->broken = true;
	return -ENOENT;
found:
	if (m->slots[i].held) {
		/* The user is still reading it: as zswap's writeback of a busy entry, refuse. */
		m->refused++;
		return -EBUSY;
	}
	verify_slot(m, i, "evict");
	zpool_free(zp, m->slots[i].handle);
	forget(m, i);
	m->evicted++;
	return 0;
}

static const struct zpool_ops shadow_ops = { .evict = shadow_evict };

struct range {
	uintptr_t start, end;
	unsigned long slot;
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool in_arena(uintptr_t p)
{
	uintptr_t base = (uintptr_t)zpb_arena_base;

	return p >= base && p - base < (zpb_arena_npages << PAGE_SHIFT);
}

/* Check every live object, and that no two overlap where map shows them in place. */
static void sweep(struct model *m, struct range *ranges)
{
	unsigned long i, n = 0;

	if (!zpb_has_data(m->d))
		return;
	for (i = 0; i < m->nslots && !m->broken; i++) {
		struct slot *s = &m->slots[i];
		uintptr_t p;
		size_t at;

		if (!s->live)
			continue;
		if (s->held) {
			p = (uintptr_t)s->map;
			at = zpb_pattern_verify((void *)p, s->size, s->tag);
		} else {
			p = (uintptr_t)zpool_map_handle(m->zp, s->handle, ZPOOL_MM_RO);
			at = zpb_pattern_verify((void *)p, s->size, s->tag);
			zpool_unmap_handle(m->zp, s->handle);
		}
		if (at != s->size)
			diverged(m, "sweep", i, at);
		if (!in_arena(p))
			continue;	/* a bounce buffer, or the heap (ideal) */
		if ((p & ~PAGE_MASK) + s->size > PAGE_SIZE) {
			/* In the pool's pages, yet across a page end: only a spanning allocator may. */
			if (!(m->d->caps & ZPB_CAP_SPANNING)) {
				CHECK(0, "%s: op %lu: slot %lu (%u bytes) mapped across a page boundary at %#lx",
				      m->d->type, m->ops, i, s->size, (unsigned long)p);
				m->broken = true;
			}
			continue;
		}
		ranges[n].start = p;
		ranges[n].end = p + s->size;
		ranges[n].slot = i;
		n++;
	}
	m->overlap_checked += n;
	qsort(ranges, n, sizeof(*ranges), range_cmp);
	for (i = 1; i < n; i++)
		if (ranges[i - 1].end > ranges[i].start) {
			CHECK(0, "%s: op %lu: slots %lu [%#lx,%#lx) and %lu [%#lx,%#lx) overlap",
			      m->d->type, m->ops, ranges[i - 1].slot, (unsigned long)ranges[i - 1].start,
			      (unsigned long)ranges[i - 1].end, ranges[i].slot,
			      (unsigned long)ranges[i].start, (unsigned long)ranges[i].end);
			m->broken = true;
			break;
		}
}

/* Free every live object (checking each unless the run already diverged). */
static void drain(struct model *m)
{
	unsigned long i, start = zpb_below(&m->rng, m->nslots);

	while (m->nheld)
		op_release(m, m->nheld - 1);
	/* An odd stride is coprime with nslots (a power of two): every slot is visited once. */
	for (i = 0; i < m->nslots; i++) {
		unsigned long j = (start + i * 2654435761UL) % m->nslots;

		if (!m->slots[j].live)
			continue;
		if (m->broken) {
			zpool_free(m->zp, m->slots[j].handle);
			forget(m, j);
		} else {
			op_free(m, j);
		}
	}
	if (!m->broken)
		check_accounting(m, "draining the pool");
}

static void maintenance(struct model *m, unsigned long step)
{
	const struct zpool_driver *d = m->d;
	unsigned long shrink_every = m->hold ? HELD_SHRINK_EVERY : SHRINK_EVERY;
	unsigned long compact_every = m->hold ? HELD_COMPACT_EVERY : COMPACT_EVERY;
	unsigned long migrate_every = m->hold ? HELD_MIGRATE_EVERY : MIGRATE_EVERY;

	if ((d->caps & ZPB_CAP_EVICT) && step % shrink_every == 0 && m->live) {
		unsigned long long before = zpool_get_total_size(m->zp), after;
		unsigned int want = 1 + zpb_below(&m->rng, 4), got = 0;
		int ret = zpool_shrink(m->zp, want, &got);

		m->ops++;
		after = zpool_get_total_size(m->zp);
		/*
		 * The kernel's zpool shrink loops page by page and returns the
		 * last page's result. With held mappings, a page can fail to be
		 * reclaimed (its evict refused) and still lose the objects that
		 * were evicted before the refusal.
		 */
		if (got > want || (ret == 0) != (got == want) ||
		    after > before - (unsigned long long)got * PAGE_SIZE) {
			CHECK(0, "%s: op %lu: shrink(%u) returned %d with %u reclaimed; size %llu -> %llu",
			      d->type, m->ops, want, ret, got, before, after);
			m->broken = true;
		}
		check_accounting(m, "shrink");
		check_held(m, "shrink");
	}
	if ((d->caps & ZPB_CAP_COMPACT) && step % compact_every == 0) {
		zpool_compact(m->zp);
		m->ops++;
		check_accounting(m, "compact");
		check_held(m, "compact");
	}
	if ((d->caps & ZPB_CAP_MOVABLE) && step % migrate_every == 0) {
		zpool_migrate_pages(m->zp, 64);
		m->ops++;
		check_accounting(m, "migrate");
		check_held(m, "migrate");
	}
}

static void run_shadow(const struct zpool_driver *d, uint64_t seed, unsigned long target,
		       unsigned long limit, bool hold)
{
	struct model m = { .d = d, .rng = seed, .next_tag = 1, .limit = limit, .hold = hold,
			   .nslots = hold ? HELD_NSLOTS : NSLOTS };
	unsigned long sweep_every = hold ? SWEEP_EVERY / 10 : SWEEP_EVERY;
	struct range *ranges = calloc(NSLOTS, sizeof(*ranges));
	struct timespec a, b;
	unsigned long step = 0, i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	m.slots = calloc(NSLOTS, sizeof(*m.slots));
	REQUIRE(m.slots && ranges, "calloc");
	current = &m;
	m.zp = zpb_check_pool(&shadow_ops, limit, hold);
	if (!m.zp)
		goto out;
	check_accounting(&m, "create");
	while (m.ops < target && !m.broken) {
		/* Occupancy drifts: fill up for a while, then empty down, and again. */
		unsigned long phase = (step / 40000) % 3;
		unsigned int alloc_pct = phase == 0 ? 70 : phase == 1 ? 50 : 30;
		unsigned long r = zpb_below(&m.rng, 100);

		step++;
		i = zpb_below(&m.rng, m.nslots);
		if (hold && r < 12) {
			/* Hold one more mapping, or let one go. */
			if (m.slots[i].live && !m.slots[i].held && m.nheld < MAX_HELD && r < 8)
				op_hold(&m, i);
			else if (m.nheld)
				op_release(&m, (int)zpb_below(&m.rng, m.nheld));
		} else if (!m.slots[i].live) {
			if (r < alloc_pct)
				op_alloc(&m, i);
		} else if (r < 100 - alloc_pct) {
			/* A user does not free what it has mapped: it releases it first. */
			if (m.slots[i].held)
				continue;
			op_free(&m, i);
		} else {
			r = zpb_below(&m.rng, 4);
			if (r < 2)
				verify_slot(&m, i, "RO map"), m.ops++;
			else
				op_rewrite(&m, i, r == 2 ? ZPOOL_MM_RW : ZPOOL_MM_WO);
		}
		check_accounting(&m, "an operation");
		check_held(&m, "an operation");
		maintenance(&m, step);
		if (step % sweep_every == 0)
			sweep(&m, ranges);
		if (step % DRAIN_EVERY == 0)
			drain(&m);
	}
	sweep(&m, ranges);
	drain(&m);
	CHECK(zpool_destroy_pool(m.zp) == 0, "%s: destroy after the shadow run left pages", d->type);
out:
	clock_gettime(CLOCK_MONOTONIC, &b);
	zpb_check_note(zpb_check_current, "%s: %lu ops, %lu evicted, %lu -ENOMEM, %lu overlap-checked, %lu mappings held (%lu evictions refused for one), %.2fs%s",
	       d->type, m.ops, m.evicted, m.enomem, m.overlap_checked, m.holds, m.refused,
	       (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9, m.broken ? " (stopped at a divergence)" : "");
	current = NULL;
	free(m.slots);
	free(ranges);
}

/*
 * A reproducible run: work runs at the end of the op that queued it (set
 * before any pool exists), and the thread keeps one CPU number, since
 * per-CPU lists (z3fold's unbuddied) would otherwise follow the scheduler.
 */
static void deterministic(bool on)
{
	zpb_wq_set_deterministic(on);
	zpb_set_thread_cpu(on ? zpb_next_online_cpu(-1) : -1);
}

void zpb_selftest_shadow_model_agrees_with_every_allocator_over_a_million_ops(struct zpb_check *c)
{
	unsigned long target = zpb_check_scaled(BASE_OPS);
	uint64_t seed = zpb_check_seed(c, 0x5eed2026);

	deterministic(true);
	run_shadow(c->spec->driver, seed, target, 0, false);
	deterministic(false);
}

/*
 * A pool held to 500 pages, about half of what the load wants: malloc must fail
 * with -ENOMEM and nothing else, never go past the limit, give back every
 * page of a half-built allocation (zsmalloc's multi-page zspages), and keep
 * every stored object intact. Drivers whose memory is not arena pages
 * (ideal, null) have no limit to hit.
 */
void zpb_selftest_shadow_model_under_a_page_limit_fails_only_with_enomem(struct zpb_check *c)
{
	const struct zpool_driver *d = c->spec->driver;
	unsigned long target = zpb_check_scaled(BASE_OPS / 5);
	uint64_t seed;

	if (d->caps & (ZPB_CAP_BOUND | ZPB_CAP_NO_DATA)) {
		zpb_check_skip(c, "its memory is not pool pages (bound or no-data capability): no page limit to hit");
		return;
	}
	seed = zpb_check_seed(c, 0x1f17);
	deterministic(true);
	run_shadow(d, seed, target, 500, false);
	deterministic(false);
}

/* The same seed gives the same pages at every step: compare two runs' page counts. */
void zpb_selftest_shadow_run_is_repeatable_for_a_seed(struct zpb_check *c)
{
	const struct zpool_driver *d = c->spec->driver;
	unsigned long long trace[2][64];
	int run, k;

	if (!zpb_has_data(d)) {
		zpb_check_skip(c, "it keeps no data (no-data capability): its pages say nothing");
		return;
	}
	deterministic(true);
	for (run = 0; run < 2; run++) {
		struct model m = { .d = d, .rng = 99, .next_tag = 1, .nslots = NSLOTS };

		m.slots = calloc(NSLOTS, sizeof(*m.slots));
		if (!m.slots) {
			CHECK(0, "%s: calloc of the model failed", d->type);
			break;
		}
		current = &m;
		m.zp = zpb_check_pool(&shadow_ops, 0, false);
		if (!m.zp) {
			free(m.slots);
			break;
		}
		for (k = 0; k < 64 * 500; k++) {
			unsigned long s = zpb_below(&m.rng, NSLOTS);

			if (m.slots[s].live)
				op_free(&m, s);
			else
				op_alloc(&m, s);
			if (k % 500 == 499)
				trace[run][k / 500] = zpool_get_total_size(m.zp);
		}
		drain(&m);
		zpool_destroy_pool(m.zp);
		free(m.slots);
		current = NULL;
	}
	if (run == 2) {
		for (k = 0; k < 64 && trace[0][k] == trace[1][k]; k++)
			;
		CHECK(k == 64, "%s: two runs of the same seed differ in total_size after %d ops: %llu vs %llu",
		      d->type, (k + 1) * 500, k < 64 ? trace[0][k] : 0, k < 64 ? trace[1][k] : 0);
	}
	deterministic(false);
}

/*
 * Mappings held across frees, rewrites, reclaim, compaction and migration
 * of the other objects (see the top of the file), on every allocator whose
 * mappings may be held. This is how v5.4 z3fold's FIRST-over-middle bug was
 * found (docs/allocators.md); its fix, z3fold:strict_first=1, is set here.
 */
void zpb_selftest_shadow_model_holding_mappings_across_frees_reclaim_compaction_and_migration(struct zpb_check *c)
{
	const struct zpool_driver *d = c->spec->driver;
	unsigned long target = zpb_check_scaled(BASE_OPS / 2);
	uint64_t seed;

	if (!(d->caps & ZPB_CAP_SLEEP_MAPPED)) {
		zpb_check_skip(c, "its map is atomic (no sleep-mapped capability): a mapping cannot be held across other calls");
		return;
	}
	seed = zpb_check_seed(c, 0x401d);
	deterministic(true);
	run_shadow(d, seed, target, 0, true);
	deterministic(false);
}
