// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pool limit and reclaim, as zswap does them.
 *
 * Limit (zswap since v5.7, mm/zswap.c zswap_frontswap_store/zswap_store):
 * a store that finds the pool above max_pool_percent sets reached_full;
 * while it is set, stores are refused until the pool falls below
 * accept_threshold_percent of the limit, then it clears. A refused store
 * kicks reclaim: in the store path (sync; v5.4 shrank there too) or in a
 * background thread (async; zswap's shrink_work since v5.7).
 *
 * pool-lru: the allocator's shrink(), which calls our evict() with a
 * handle; the 8-byte header we prepend names the entry (v5.4's
 * zswap_header names the swap slot). zswap-lru: the harness keeps an LRU
 * of entries as zswap has since v6.5, with v6.8's second chance: an entry
 * referenced since it was last looked at is rotated, not written back.
 * Either way reclaim runs until the pool can accept again, giving up
 * after 16 failures (MAX_RECLAIM_RETRIES in v6.x's shrink_worker).
 */
#include <errno.h>
#include <stdio.h>

#include "internal.h"

#define MAX_RECLAIM_RETRIES 16

static __thread struct zpb_worker *cur_worker;

static bool can_accept(struct zpb_engine *e)
{
	return zpb_pool_pages(e) < e->accept_pages;
}

/* Write back an entry reclaim took (EVICTING, off the LRU) and mark it on swap. */
static void write_back(struct zpb_worker *w, uint32_t idx, struct zpb_entry *ent)
{
	struct zpb_engine *e = w->eng;

	spinlock_t *lock = zpb_tree_lock(e, ent->key);

	zpb_writeback_entry(w, idx, ent, 0);
	spin_lock(lock);
	ent->state = ES_SWAP_WB;
	spin_unlock(lock);
	w->rc.writebacks++;
	CNT_ADD(&w->cnt, writebacks, 1);
}

/* evict callback for pool-lru: called by the allocator's shrink on this thread. */
static int evict(struct zpool *pool, unsigned long handle)
{
	struct zpb_worker *w = cur_worker;
	struct zpb_engine *e = w->eng;
	struct zpb_entry *ent = NULL;
	spinlock_t *lock;
	uint64_t idx;
	unsigned char *p;

	p = zpool_map_handle(pool, handle, ZPOOL_MM_RO);
	idx = zpb_header_load(p);
	zpool_unmap_handle(pool, handle);
	if (idx && idx < ((uint64_t)KT_MAX_CHUNKS << KT_CHUNK_BITS) && e->kt.chunks[idx >> KT_CHUNK_BITS])
		ent = zpb_kt_entry(&e->kt, (uint32_t)idx);
	/* The key never changes once its entry is made: it names the tree whose lock to take. */
	lock = ent ? zpb_tree_lock(e, ent->key) : NULL;
	if (lock)
		spin_lock(lock);
	if (!ent || ent->state != ES_POOL || ent->handle != handle) {
		/* Being loaded or freed by its owner: the allocator will try another. */
		if (lock)
			spin_unlock(lock);
		w->rc.evict_failures++;
		return -EAGAIN;
	}
	ent->state = ES_EVICTING;
	spin_unlock(lock);
	write_back(w, (uint32_t)idx, ent);
	return 0;
}

/*
 * zswap-lru: write back the coldest entry (lru.c). 0; -ENOENT if the LRU is
 * empty; -EAGAIN if its owner took it between the isolation and the check
 * under its tree's lock (zswap_writeback_entry() fails the same way when
 * the entry was loaded or invalidated meanwhile).
 */
static int writeback_one(struct zpb_worker *w)
{
	struct zpb_engine *e = w->eng;
	uint32_t idx = zpb_lru_isolate(e, &w->rc.second_chances);
	struct zpb_entry *ent;
	spinlock_t *lock;

	if (!idx)
		return -ENOENT;
	ent = zpb_kt_entry(&e->kt, idx);
	lock = zpb_tree_lock(e, ent->key);
	spin_lock(lock);
	if (ent->state != ES_POOL) {
		spin_unlock(lock);
		w->rc.evict_failures++;
		return -EAGAIN;
	}
	/* Its owner may have stored it again, and put it back on a list, since it was isolated. */
	zpb_lru_del(e, ent);
	ent->state = ES_EVICTING;
	spin_unlock(lock);
	write_back(w, idx, ent);
	return 0;
}

static void reclaim_until_accept(struct zpb_worker *w)
{
	struct zpb_engine *e = w->eng;
	int failures = 0, ret;

	while (!can_accept(e)) {
		uint64_t before = zpb_pool_pages(e), after;
		struct zpb_op_timer t;

		zpb_clock_break(w);	/* nested in a store: its own start */
		zpb_op_begin(w, &t);

		if (e->reclaim == ZPB_RECLAIM_POOL_LRU) {
			unsigned int got = 0;

			ret = zpool_shrink(e->pool, 1, &got);
			w->rc.shrink_calls++;
			w->rc.pages_reclaimed += got;
		} else {
			ret = writeback_one(w);
			after = zpb_pool_pages(e);
			if (after < before)
				w->rc.pages_reclaimed += before - after;
		}
		zpb_op_end(w, ZPB_LAT_RECLAIM, &t);
		zpb_clock_break(w);
		if (ret == -ENOENT || ret == -EINVAL)
			break;
		if (ret) {
			w->rc.retries++;
			if (++failures >= MAX_RECLAIM_RETRIES)
				break;
		}
	}
}

static void kick(struct zpb_engine *e)
{
	pthread_mutex_lock(&e->rmutex);
	if (!e->rkick) {
		e->rkick = true;
		pthread_cond_signal(&e->rcond);
	}
	pthread_mutex_unlock(&e->rmutex);
}

bool zpb_reclaim_admit(struct zpb_worker *w)
{
	struct zpb_engine *e = w->eng;
	uint64_t pages;

	/*
	 * port: zswap counts what the allocator reports (z3fold's pages_nr),
	 * which drops when a page is released, before z3fold's release work
	 * gives it back. In the kernel that work runs at once; here its worker
	 * can lag behind a store path that frees in bursts (reclaim writing
	 * back), and the pages really held grew to 4.7 times the limit. So a
	 * store that finds more pages held than the limit plus
	 * ZPB_DEFERRED_SLACK_PAGES first waits for the queued work, a wait
	 * counted as emulation (docs/replay.md, "Pool limit").
	 */
	if (zpool_pages(e->pool) > e->limit_pages + ZPB_DEFERRED_SLACK_PAGES) {
		w->rc.deferred_waits++;
		zpool_quiesce();
	}
	pages = zpb_pool_pages(e);
	if (pages > __atomic_load_n(&e->peak_pool_pages, __ATOMIC_RELAXED))
		__atomic_store_n(&e->peak_pool_pages, pages, __ATOMIC_RELAXED);	/* approximate under threads */
	if (pages > e->limit_pages) {	/* zswap_is_full() */
		w->rc.limit_hits++;
		__atomic_store_n(&e->reached_full, 1, __ATOMIC_RELAXED);
	}
	if (!__atomic_load_n(&e->reached_full, __ATOMIC_RELAXED))
		return true;
	if (e->reclaim != ZPB_RECLAIM_NONE) {
		if (e->rmode == ZPB_RECLAIM_SYNC)
			reclaim_until_accept(w);
		else
			kick(e);
	}
	if (!can_accept(e)) {
		w->rc.rejects++;
		CNT_ADD(&w->cnt, rejects, 1);
		return false;
	}
	__atomic_store_n(&e->reached_full, 0, __ATOMIC_RELAXED);
	return true;
}

static void *reclaim_main(void *arg)
{
	struct zpb_engine *e = arg;

	cur_worker = e->rworker;
	pthread_mutex_lock(&e->rmutex);
	for (;;) {
		while (!e->rkick && !e->rstop)
			pthread_cond_wait(&e->rcond, &e->rmutex);
		if (e->rstop)
			break;
		e->rkick = false;
		pthread_mutex_unlock(&e->rmutex);
		reclaim_until_accept(e->rworker);
		pthread_mutex_lock(&e->rmutex);
	}
	pthread_mutex_unlock(&e->rmutex);
	return NULL;
}

/* Set the calling thread's worker, for evict() (called from inside shrink). */
void zpb_reclaim_set_worker(struct zpb_worker *w)
{
	cur_worker = w;
}

int zpb_reclaim_setup(struct zpb_engine *e, char *err, size_t errlen)
{
	if (zpb_locks_init(e)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	e->zops.evict = evict;
	e->limit_pages = e->o->pool_limit_pages;
	e->accept_pages = (unsigned long)((unsigned long long)e->limit_pages * e->o->accept_threshold / 100);
	pthread_mutex_init(&e->rmutex, NULL);
	pthread_cond_init(&e->rcond, NULL);
	if (e->reclaim != ZPB_RECLAIM_NONE && e->rmode == ZPB_RECLAIM_ASYNC) {
		if (pthread_create(&e->reclaim_tid, NULL, reclaim_main, e) != 0) {
			snprintf(err, errlen, "cannot start the reclaim thread");
			return -1;
		}
		e->rthread = true;
	}
	return 0;
}

void zpb_reclaim_teardown(struct zpb_engine *e)
{
	if (e->rthread) {
		pthread_mutex_lock(&e->rmutex);
		e->rstop = true;
		pthread_cond_signal(&e->rcond);
		pthread_mutex_unlock(&e->rmutex);
		pthread_join(e->reclaim_tid, NULL);
		e->rthread = false;
	}
	pthread_mutex_destroy(&e->rmutex);
	pthread_cond_destroy(&e->rcond);
}
