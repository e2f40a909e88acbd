// SPDX-License-Identifier: GPL-2.0-only
/*
 * The executor: one trace record against the pool, as zswap does it.
 *
 * STORE: allocate (len, plus the 8-byte zswap_header in the seed model's
 *   evictable pools), map write-only, write the deterministic bytes of
 *   (key, version), unmap. A STORE over a live entry replaces it, as
 *   zswap's duplicate-entry path does (here the old object is freed first).
 * LOAD: map read-only, copy out, unmap, check every byte; exclusive loads
 *   (modern zswap) then free the entry. A load of a written-back key is a
 *   miss served by the simulated swap device.
 * INVALIDATE: free. WRITEBACK (the kernel evicted it): check, free, mark
 *   the key as on the swap device.
 * Each op's latency, including any reclaim it does in the store path, goes
 * into the thread's histogram. No allocation, syscall or formatting here,
 * except on a verification failure.
 */
#include <sched.h>
#include <stdio.h>

#include "../traces/capture/compress.h"
#include "internal.h"

#define ZSWAP_GFP (__GFP_NORETRY | __GFP_NOWARN | __GFP_KSWAPD_RECLAIM)

/*
 * The owner's side of the entry's tree lock (lru.c). Without concurrency
 * (one thread, reclaim in the store path) reclaim runs inside the owner's
 * own store, so the lock is skipped; the entry is still marked busy, so
 * reclaim never takes it.
 */
static inline uint8_t entry_grab(struct zpb_engine *e, struct zpb_entry *ent)
{
	spinlock_t *lock = e->locked ? zpb_tree_lock(e, ent->key) : NULL;
	uint8_t prev;

	if (lock) {
		spin_lock(lock);
		while (ent->state == ES_EVICTING) {
			/* Reclaim is writing it back; zswap's load would wait on the entry too. */
			spin_unlock(lock);
			sched_yield();	/* the harness's wait, not the compat layer's: not emulation */
			spin_lock(lock);
		}
	}
	prev = ent->state;
	if (prev == ES_POOL && e->lru)
		zpb_lru_del(e, ent);
	ent->state = ES_BUSY;
	if (lock)
		spin_unlock(lock);
	return prev;
}

static inline void entry_release(struct zpb_engine *e, uint32_t idx, struct zpb_entry *ent, uint8_t state)
{
	spinlock_t *lock = e->locked ? zpb_tree_lock(e, ent->key) : NULL;

	if (lock)
		spin_lock(lock);
	ent->state = state;
	if (state == ES_POOL && e->lru)
		zpb_lru_add(e, idx, ent);
	if (lock)
		spin_unlock(lock);
}

void zpb_verify_failed(struct zpb_worker *w, const char *op, uint64_t key, uint64_t record,
		       long offset, unsigned char got, unsigned char want)
{
	struct zpb_engine *e = w->eng;
	struct zpb_run_result *r = e->res;

	w->verify_failures++;
	pthread_mutex_lock(&e->vlock);
	if (r->nverify_messages < ZPB_MAX_VERIFY_MESSAGES && offset < 0)
		snprintf(r->verify_messages[r->nverify_messages++], sizeof(r->verify_messages[0]),
			 "allocator %s: %s of key %#llx (swap type %u, offset %llu) at record %llu: %s could not decompress the object",
			 e->alloc, op, (unsigned long long)key, ZPB_KEY_TYPE(key),
			 (unsigned long long)ZPB_KEY_OFFSET(key), (unsigned long long)record, e->o->codec.name);
	else if (r->nverify_messages < ZPB_MAX_VERIFY_MESSAGES)
		snprintf(r->verify_messages[r->nverify_messages++], sizeof(r->verify_messages[0]),
			 "allocator %s: %s of key %#llx (swap type %u, offset %llu) at record %llu: byte %ld is 0x%02x, expected 0x%02x",
			 e->alloc, op, (unsigned long long)key, ZPB_KEY_TYPE(key),
			 (unsigned long long)ZPB_KEY_OFFSET(key), (unsigned long long)record, offset, got, want);
	pthread_mutex_unlock(&e->vlock);
	if (e->o->fatal_verify)
		__atomic_store_n(&e->stop_internal, 1, __ATOMIC_RELAXED);
}

static inline void phase(struct zpb_worker *w, enum zpb_phase ph, uint64_t *t)
{
	uint64_t now = zpb_clock_ns();

	zpb_hist_record(&w->phase[ph], now - *t);
	*t = now;
}

/*
 * --compress: map, decompress from the mapping into the page buffer, unmap
 * (zswap_decompress(): under the CPU's acomp_ctx mutex; an object of
 * PAGE_SIZE stored as-is is copied), then check the whole page against its
 * contents. @timed: a LOAD's phases go into the histograms.
 */
static void read_check_compressed(struct zpb_worker *w, struct zpb_entry *ent, const char *op,
				  uint64_t record, bool timed)
{
	struct zpb_engine *e = w->eng;
	struct zpb_codec_ctx *x = w->cctx;
	const unsigned char *page = zpb_page_set_page(e->pages, ent->page), *p;
	uint64_t t = 0;
	int bad;

	if (!e->verify)
		return;
	pthread_mutex_lock(&x->mutex);
	if (timed)
		t = zpb_clock_ns();
	p = zpool_map_handle(e->pool, ent->handle, ZPOOL_MM_RO);
	if (timed)
		phase(w, ZPB_PH_LOAD_MAP, &t);
	p += e->header ? 8 : 0;
	if (ent->len == PAGE_SIZE && e->store_as_is) {
		memcpy(w->scratch, p, PAGE_SIZE);
		bad = 0;
	} else {
		bad = zpb_codec_decompress(x, p, ent->len, w->scratch, PAGE_SIZE);
	}
	zpool_unmap_handle(e->pool, ent->handle);
	pthread_mutex_unlock(&x->mutex);
	if (timed)
		phase(w, ZPB_PH_LOAD_DECOMPRESS, &t);
	if (unlikely(bad)) {
		w->ops.codec_failures++;
		zpb_verify_failed(w, op, ent->key, record, -1, 0, 0);
	} else if (unlikely(memcmp(w->scratch, page, PAGE_SIZE) != 0)) {
		long i = 0;

		while (w->scratch[i] == page[i])
			i++;
		zpb_verify_failed(w, op, ent->key, record, i, w->scratch[i], page[i]);
	}
	if (timed)
		phase(w, ZPB_PH_LOAD_VERIFY, &t);
}

/* Copy the object out and check it; the caller owns the entry. */
static void read_check(struct zpb_worker *w, struct zpb_entry *ent, const char *op, uint64_t record)
{
	struct zpb_engine *e = w->eng;
	unsigned char *p;
	unsigned char want;
	long bad;

	if (e->compress) {
		read_check_compressed(w, ent, op, record, false);
		return;
	}
	p = zpool_map_handle(e->pool, ent->handle, ZPOOL_MM_RO);
	/* An allocator that keeps no data (null) has nothing to copy out, as its stores write nothing. */
	if (e->verify)
		memcpy(w->scratch, p + (e->header ? 8 : 0), ent->len);
	zpool_unmap_handle(e->pool, ent->handle);
	if (!e->verify)
		return;
	bad = zpb_content_check(w->scratch, ent->len, ent->key, ent->cver, &want);
	if (unlikely(bad >= 0))
		zpb_verify_failed(w, op, ent->key, record, bad, w->scratch[bad], want);
}

/* Before a store allocates: without a pool limit there is nothing to ask reclaim.c. */
static inline bool admit(struct zpb_worker *w)
{
	return !w->eng->limit_pages || zpb_reclaim_admit(w);
}

static inline void drop_object(struct zpb_worker *w, struct zpb_entry *ent)
{
	zpool_free(w->eng->pool, ent->handle);
	CNT_ADD(&w->cnt, stored_bytes, -(int64_t)ent->len);
	CNT_ADD(&w->cnt, stored_pages, -1);
}

void zpb_writeback_entry(struct zpb_worker *w, uint32_t idx, struct zpb_entry *ent, uint64_t record)
{
	/* The simulated swap device needs no bytes: they are (key, version)'s. */
	read_check(w, ent, "WRITEBACK", record);
	drop_object(w, ent);
	(void)idx;
}

static bool page_is_zero(const unsigned char *page)
{
	const unsigned long *v = (const unsigned long *)page;

	return v[0] == 0 && zpb_page_same_filled(page, PAGE_SIZE);
}

/* A store refused before allocation: the page goes to the swap device. */
static void store_rejected(struct zpb_worker *w, uint32_t idx, struct zpb_entry *ent, uint64_t *counter)
{
	w->ops.rejected++;
	(*counter)++;
	entry_release(w->eng, idx, ent, ES_SWAP_REJ);
}

/*
 * --compress: zswap_store() on the page's real contents. The model decides
 * first (6.11+: a zero page goes to the swap map; 5.4..6.11: a same-filled
 * page is kept as a value), then the pool limit, then, under the CPU's
 * acomp_ctx mutex: compress into its buffer, allocate, map, copy in, unmap
 * (one clock read at each boundary). A page that does not compress is
 * rejected (5.4..6.11: longer than PAGE_SIZE, zswap_reject_compress_poor)
 * or, in 6.18 with writeback, stored as-is at PAGE_SIZE.
 */
static void do_store_compressed(struct zpb_worker *w, uint32_t idx, struct zpb_entry *ent,
				uint32_t len, uint64_t content)
{
	struct zpb_engine *e = w->eng;
	struct zpb_codec_ctx *x = w->cctx;
	const unsigned char *page = zpb_page_set_page(e->pages, content), *src;
	unsigned long handle;
	gfp_t gfp = ZSWAP_GFP;
	unsigned char *p;
	uint64_t t;
	long dlen;
	bool poor;

	ent->page = (uint32_t)content;
	if (e->zero_bypass && page_is_zero(page)) {
		w->ops.zero_filled++;
		entry_release(e, idx, ent, ES_ZERO);
		return;
	}
	if (e->same_value && zpb_page_same_filled(page, PAGE_SIZE)) {
		w->ops.same_filled++;
		CNT_ADD(&w->cnt, same_filled, 1);
		entry_release(e, idx, ent, ES_SAME);
		return;
	}
	if (!admit(w)) {
		store_rejected(w, idx, ent, &w->ops.rejected_limit);
		return;
	}
	pthread_mutex_lock(&x->mutex);
	t = zpb_clock_ns();
	dlen = zpb_codec_compress(x, page, PAGE_SIZE);
	phase(w, ZPB_PH_STORE_COMPRESS, &t);
	src = x->buffer;
	if (dlen < 0) {
		w->ops.codec_failures++;
	} else {
		w->ops.compressed_stores++;
		w->ops.compressed_bytes += (uint64_t)dlen;
		w->ops.trace_bytes += len;
	}
	/* 6.18 (zswap_compress): comp_ret || !dlen || dlen >= PAGE_SIZE; before: an allocation above PAGE_SIZE fails. */
	poor = dlen <= 0 || (e->o->model == ZPB_MODEL_6_18 ? dlen >= (long)PAGE_SIZE : dlen > (long)PAGE_SIZE);
	if (poor) {
		if (!e->store_as_is) {
			pthread_mutex_unlock(&x->mutex);
			store_rejected(w, idx, ent, &w->ops.rejected_compress);
			return;
		}
		w->ops.stored_as_is++;
		dlen = PAGE_SIZE;
		src = page;
	}
	if (e->caps & ZPB_CAP_MOVABLE)
		gfp |= __GFP_MOVABLE;
	if (zpool_malloc(e->pool, (size_t)dlen + (e->header ? 8 : 0), gfp, &handle) != 0) {
		pthread_mutex_unlock(&x->mutex);
		phase(w, ZPB_PH_STORE_ALLOCATE, &t);
		w->ops.rejected_alloc_bytes += (uint64_t)dlen;
		store_rejected(w, idx, ent, &w->ops.rejected_alloc);
		return;
	}
	phase(w, ZPB_PH_STORE_ALLOCATE, &t);
	if (e->verify) {
		p = zpool_map_handle(e->pool, handle, ZPOOL_MM_WO);
		phase(w, ZPB_PH_STORE_MAP, &t);
		if (e->header) {
			zpb_header_store(p, idx);
			p += 8;
		}
		memcpy(p, src, (size_t)dlen);
		zpool_unmap_handle(e->pool, handle);
		phase(w, ZPB_PH_STORE_COPY_IN, &t);
	}
	pthread_mutex_unlock(&x->mutex);
	ent->handle = handle;
	ent->len = (uint16_t)dlen;
	CNT_ADD(&w->cnt, stored_bytes, (int64_t)dlen);
	CNT_ADD(&w->cnt, stored_pages, 1);
	w->ops.stored_objects++;
	w->ops.stored_bytes += (uint64_t)dlen;
	entry_release(e, idx, ent, ES_POOL);
}

static inline __attribute__((always_inline)) void do_store(struct zpb_worker *w, uint32_t idx, struct zpb_entry *ent, uint8_t flags,
		     uint32_t len, uint64_t content)
{
	struct zpb_engine *e = w->eng;
	uint8_t prev = entry_grab(e, ent);
	unsigned long handle;
	size_t size;
	unsigned char *p;
	gfp_t gfp = ZSWAP_GFP;

	w->ops.store++;
	if (prev == ES_POOL || prev == ES_SAME) {
		w->ops.duplicate_stores++;
		if (prev == ES_POOL)
			drop_object(w, ent);
		else
			CNT_ADD(&w->cnt, same_filled, -1);
	}
	ent->version++;
	ent->cver = ent->version;
	if (flags & (ZPB_STORE_SEED | ZPB_STORE_PAGEREF))
		ent->cver ^= (uint32_t)(content * UINT64_C(0x9e3779b97f4a7c15) >> 32);
	if (e->compress) {
		do_store_compressed(w, idx, ent, len, content);
		return;
	}
	if (flags & ZPB_STORE_SAME_FILLED) {
		w->ops.same_filled++;
		CNT_ADD(&w->cnt, same_filled, 1);
		entry_release(e, idx, ent, ES_SAME);
		return;
	}
	size = len;
	if ((flags & ZPB_STORE_INCOMPRESSIBLE) || size > PAGE_SIZE || size == 0) {
		/* The trace says it did not compress: before 6.18, or without writeback, zswap refuses it. */
		if (!e->store_as_is) {
			store_rejected(w, idx, ent, &w->ops.rejected_compress);
			return;
		}
		w->ops.stored_as_is++;
		size = PAGE_SIZE;
	}
	if (!admit(w)) {
		store_rejected(w, idx, ent, &w->ops.rejected_limit);
		return;
	}
	if (e->caps & ZPB_CAP_MOVABLE)
		gfp |= __GFP_MOVABLE;	/* zswap adds __GFP_HIGHMEM too: v5.4 z3fold accepts it, but userspace has no highmem and the ports (zbud, z3fold) refuse it */
	if (zpool_malloc(e->pool, size + (e->header ? 8 : 0), gfp, &handle) != 0) {
		w->ops.rejected_alloc_bytes += size;
		store_rejected(w, idx, ent, &w->ops.rejected_alloc);
		return;
	}
	p = zpool_map_handle(e->pool, handle, ZPOOL_MM_WO);
	if (e->header) {
		/* v5.4's zswap_header holds the swap entry; ours holds the entry index evict needs. */
		zpb_header_store(p, idx);
		p += 8;
	}
	if (e->verify)
		zpb_content_fill(p, size, ent->key, ent->cver);
	zpool_unmap_handle(e->pool, handle);
	ent->handle = handle;
	ent->len = (uint16_t)size;
	CNT_ADD(&w->cnt, stored_bytes, (int64_t)size);
	CNT_ADD(&w->cnt, stored_pages, 1);
	w->ops.stored_objects++;
	w->ops.stored_bytes += size;
	entry_release(e, idx, ent, ES_POOL);
}

static inline __attribute__((always_inline)) void do_load(struct zpb_worker *w, uint32_t idx, struct zpb_entry *ent, uint64_t record)
{
	struct zpb_engine *e = w->eng;
	uint8_t prev = entry_grab(e, ent), next = prev;

	w->ops.load++;
	switch (prev) {
	case ES_POOL:
		w->ops.load_hits++;
		if (e->compress)
			read_check_compressed(w, ent, "LOAD", record, true);
		else
			read_check(w, ent, "LOAD", record);
		if (e->exclusive) {
			drop_object(w, ent);
			next = ES_EMPTY;
		}
		break;
	case ES_SAME:
		w->ops.load_hits++;
		if (e->exclusive) {
			CNT_ADD(&w->cnt, same_filled, -1);
			next = ES_EMPTY;
		}
		break;
	case ES_ZERO:
		/* swap_read_folio() fills it from the zeromap: not a zswap load. */
		w->ops.load_zero++;
		if (e->exclusive)
			next = ES_EMPTY;
		break;
	case ES_SWAP_WB:
		w->rc.misses++;
		CNT_ADD(&w->cnt, misses, 1);
		break;
	case ES_SWAP_REJ:
		w->ops.load_rejected++;
		break;
	default:
		w->ops.load_not_found++;
		break;
	}
	entry_release(e, idx, ent, next);
}

static inline __attribute__((always_inline)) void do_invalidate(struct zpb_worker *w, uint32_t idx, struct zpb_entry *ent)
{
	uint8_t prev = entry_grab(w->eng, ent);

	w->ops.invalidate++;
	if (prev == ES_POOL)
		drop_object(w, ent);
	else if (prev == ES_SAME)
		CNT_ADD(&w->cnt, same_filled, -1);
	entry_release(w->eng, idx, ent, ES_EMPTY);
}

static inline __attribute__((always_inline)) void do_writeback(struct zpb_worker *w, uint32_t idx, struct zpb_entry *ent, uint64_t record)
{
	uint8_t prev = entry_grab(w->eng, ent), next = prev;

	w->ops.writeback++;
	if (prev == ES_POOL) {
		zpb_writeback_entry(w, idx, ent, record);
		next = ES_SWAP_WB;
	} else if (prev == ES_SAME) {
		CNT_ADD(&w->cnt, same_filled, -1);
		next = ES_SWAP_WB;
	}
	entry_release(w->eng, idx, ent, next);
}

struct cg_op {
	struct zpb_worker *w;
	uint8_t op, flags;
	uint32_t len, eidx;
	uint64_t content, record;
};

static void exec_op(struct zpb_worker *w, uint8_t op, uint8_t flags, uint32_t len, uint32_t eidx,
		    uint64_t content, uint64_t record);

/*
 * The op alone, untimed: under callgrind the clock reads and the histogram
 * update would be counted too, and the histogram's path depends on the time
 * measured, so the counts would differ from run to run.
 */
static int cg_exec(void *arg)
{
	struct cg_op *c = arg;
	struct zpb_entry *ent = zpb_kt_entry(&c->w->eng->kt, c->eidx);

	switch (c->op) {
	case ZPB_OP_STORE:
		do_store(c->w, c->eidx, ent, c->flags, c->len, c->content);
		break;
	case ZPB_OP_LOAD:
		do_load(c->w, c->eidx, ent, c->record);
		break;
	case ZPB_OP_INVALIDATE:
		do_invalidate(c->w, c->eidx, ent);
		break;
	case ZPB_OP_WRITEBACK:
		do_writeback(c->w, c->eidx, ent, c->record);
		break;
	}
	return 0;
}

void zpb_exec(struct zpb_worker *w, uint8_t op, uint8_t flags, uint32_t len, uint32_t eidx,
	      uint64_t content, uint64_t record)
{
	if (unlikely(w->eng->o->callgrind_child)) {
		/* Under callgrind, only what runs inside zpb_callgrind_op() is counted. */
		struct cg_op c = { w, op, flags, len, eidx, content, record };

		zpb_callgrind_op(op, cg_exec, &c);
		return;
	}
	exec_op(w, op, flags, len, eidx, content, record);
}

static void exec_op(struct zpb_worker *w, uint8_t op, uint8_t flags, uint32_t len, uint32_t eidx,
		    uint64_t content, uint64_t record)
{
	struct zpb_entry *ent = zpb_kt_entry(&w->eng->kt, eidx);
	struct zpb_op_timer t;
	enum zpb_lat lat;

	if (unlikely(w->counting)) {
		zpb_counters_op_begin(&w->ct);
		zpb_clock_break(w);	/* the counters' own reads are not the op's */
	}
	zpb_op_begin(w, &t);
	switch (op) {
	case ZPB_OP_STORE:
		do_store(w, eidx, ent, flags, len, content);
		lat = ZPB_LAT_STORE;
		break;
	case ZPB_OP_LOAD:
		do_load(w, eidx, ent, record);
		lat = ZPB_LAT_LOAD;
		break;
	case ZPB_OP_INVALIDATE:
		do_invalidate(w, eidx, ent);
		lat = ZPB_LAT_INVALIDATE;
		break;
	case ZPB_OP_WRITEBACK:
		do_writeback(w, eidx, ent, record);
		lat = ZPB_LAT_MAX;
		break;
	default:
		return;
	}
	if (lat != ZPB_LAT_MAX)
		zpb_op_end(w, lat, &t);
	else
		zpb_clock_break(w);	/* untimed: the next op reads its own start */
	if (unlikely(w->counting))
		zpb_counters_op_end(&w->ct, op);
	/*
	 * The work a kworker would have run by now, between ops
	 * (kernel/sched.h), at most every ZPB_PREEMPT_EVERY ops: the kernel's
	 * wake-up latency is some microseconds, and so are that many ops.
	 */
	if (unlikely(++w->since_preempt >= ZPB_PREEMPT_EVERY)) {
		unsigned int ran = zpool_preempt_point(w->cpu);

		w->since_preempt = 0;
		if (ran) {
			w->works_between_ops += ran;
			zpb_clock_break(w);
		}
	}
}

/* An op that spent @d ns in the compat layer's system calls and waits. */
void zpb_op_emulation(struct zpb_worker *w, int lat, const struct zpb_op_timer *t, uint64_t d)
{
	const struct zpb_emulation *now = zpool_emulation();
	struct zpb_emulation_counts *c = &w->emu[lat];

	c->ops_with_emulation++;
	c->total_ns += d;
	zpb_hist_record(&c->hist, d);
	w->syscalls.futex_wake += now->futex_wake - t->emu.futex_wake;
	w->syscalls.futex_wait += now->futex_wait - t->emu.futex_wait;
	w->syscalls.sched_yield += now->sched_yield - t->emu.sched_yield;
}

void zpb_counting_start(struct zpb_worker *w)
{
	struct zpb_counter_set *set = w->eng->o->counters;

	if (!set)
		return;
	zpb_counters_thread_open(&w->ct, set);
	zpb_counters_thread_start(&w->ct);
	w->counting = true;
}

void zpb_counting_stop(struct zpb_worker *w)
{
	if (!w->counting)
		return;
	zpb_counters_thread_stop(&w->ct);
	w->counting = false;
}
