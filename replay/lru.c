// SPDX-License-Identifier: GPL-2.0-only
/*
 * The zswap model's locks and LRU, in zswap's own structure, so that under
 * threads a replay's contention is zswap's and the allocator's, not one
 * harness lock's.
 *
 * Trees: since v6.8 ("mm/zswap: split zswap rb-tree") zswap has a tree,
 * with its own lock, per SWAP_ADDRESS_SPACE_PAGES (2^14) slots of a swap
 * device; an entry's state changes under its tree's lock. Here the trees
 * are ZPB_TREES locks, a key's chosen by (swap type, offset >> 14) as
 * zswap's swap_zswap_tree() chooses; distinct trees of the kernel can share
 * one of them only past 64 of them (a swap space over 4 GiB).
 *
 * LRU: since v6.8 zswap's LRU is a list_lru, one list per NUMA node (and
 * memcg; the replay has none), each with its own lock; an entry goes on its
 * node's list (entry_to_nid(): where the entry was allocated, the storing
 * CPU's node here). The shrinker walks the nodes in turn (shrink_memcg()
 * calls list_lru_walk_one() for each node), rotating a referenced entry
 * once (v6.8's second chance) and isolating the first unreferenced one,
 * then (under the entry's tree lock) checks that the entry is still stored
 * before writing it back, as zswap_writeback_entry() re-checks the tree.
 *
 * Locks nest tree then LRU (the owner's grab and release; reclaim's
 * re-check), and reclaim takes an LRU lock alone: no cycle.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

int zpb_locks_init(struct zpb_engine *e)
{
	int i;

	e->nlrus = zpb_place_nnodes();
	if (posix_memalign((void **)&e->trees, 64, ZPB_TREES * sizeof(*e->trees)) ||
	    posix_memalign((void **)&e->lrus, 64, (size_t)e->nlrus * sizeof(*e->lrus)))
		return -1;
	memset(e->lrus, 0, (size_t)e->nlrus * sizeof(*e->lrus));
	for (i = 0; i < ZPB_TREES; i++)
		spin_lock_init(&e->trees[i].lock);
	for (i = 0; i < e->nlrus; i++)
		spin_lock_init(&e->lrus[i].lock);
	return 0;
}

void zpb_locks_destroy(struct zpb_engine *e)
{
	free(e->trees);
	free(e->lrus);
	e->trees = NULL;
	e->lrus = NULL;
}

spinlock_t *zpb_tree_lock(struct zpb_engine *e, uint64_t key)
{
	uint64_t tree = ZPB_KEY_TYPE(key) * 4099u + (ZPB_KEY_OFFSET(key) >> 14);

	return &e->trees[tree % ZPB_TREES].lock;
}

/*
 * ent->lru is read for its node before the list's lock is taken (the node
 * never changes while the entry is on a list, but reclaim may clear its
 * flags meanwhile): relaxed atomics, so the read is not a data race.
 */
static inline uint8_t lru_get(const struct zpb_entry *ent)
{
	return __atomic_load_n(&ent->lru, __ATOMIC_RELAXED);
}

static inline void lru_set(struct zpb_entry *ent, uint8_t v)
{
	__atomic_store_n(&ent->lru, v, __ATOMIC_RELAXED);
}

static uint32_t *next_of(struct zpb_engine *e, struct zpb_lru *l, uint32_t idx)
{
	return idx ? &zpb_kt_entry(&e->kt, idx)->lru_next : &l->first;
}

static uint32_t *prev_of(struct zpb_engine *e, struct zpb_lru *l, uint32_t idx)
{
	return idx ? &zpb_kt_entry(&e->kt, idx)->lru_prev : &l->last;
}

/* The list's lock held: @ent at the head (the most recent end). */
static void add_locked(struct zpb_engine *e, struct zpb_lru *l, uint32_t idx, struct zpb_entry *ent)
{
	ent->lru_next = l->first;
	ent->lru_prev = 0;
	*prev_of(e, l, l->first) = idx;
	l->first = idx;
	lru_set(ent, lru_get(ent) | ZPB_LRU_ON);
}

static void del_locked(struct zpb_engine *e, struct zpb_lru *l, struct zpb_entry *ent)
{
	*next_of(e, l, ent->lru_prev) = ent->lru_next;
	*prev_of(e, l, ent->lru_next) = ent->lru_prev;
	ent->lru_next = ent->lru_prev = 0;
	lru_set(ent, lru_get(ent) & (uint8_t)~ZPB_LRU_ON);
}

void zpb_lru_add(struct zpb_engine *e, uint32_t idx, struct zpb_entry *ent)
{
	int node = zpb_place_node() % e->nlrus;
	struct zpb_lru *l = &e->lrus[node];

	if (e->locked)
		spin_lock(&l->lock);
	/* Stored or loaded just now: referenced (zswap sets it at store and at load). */
	lru_set(ent, (uint8_t)(node << ZPB_LRU_NODE_SHIFT | ZPB_LRU_REFERENCED));
	add_locked(e, l, idx, ent);
	if (e->locked)
		spin_unlock(&l->lock);
}

void zpb_lru_del(struct zpb_engine *e, struct zpb_entry *ent)
{
	struct zpb_lru *l = &e->lrus[lru_get(ent) >> ZPB_LRU_NODE_SHIFT];

	if (e->locked)
		spin_lock(&l->lock);
	if (lru_get(ent) & ZPB_LRU_ON)	/* reclaim may have isolated it already */
		del_locked(e, l, ent);
	if (e->locked)
		spin_unlock(&l->lock);
}

/*
 * The coldest entry of the next node's list that is not referenced (a
 * referenced one is rotated, its reference cleared), taken off the list;
 * 0 if every list is empty. The caller re-checks it under its tree lock.
 */
uint32_t zpb_lru_isolate(struct zpb_engine *e, uint64_t *second_chances)
{
	unsigned int start = __atomic_fetch_add(&e->lru_cursor, 1, __ATOMIC_RELAXED);
	int i;

	for (i = 0; i < e->nlrus; i++) {
		struct zpb_lru *l = &e->lrus[(start + (unsigned int)i) % (unsigned int)e->nlrus];
		uint32_t idx;

		if (e->locked)
			spin_lock(&l->lock);
		while ((idx = l->last)) {
			struct zpb_entry *ent = zpb_kt_entry(&e->kt, idx);

			del_locked(e, l, ent);
			if (!(lru_get(ent) & ZPB_LRU_REFERENCED))
				break;
			lru_set(ent, lru_get(ent) & (uint8_t)~ZPB_LRU_REFERENCED);
			add_locked(e, l, idx, ent);
			(*second_chances)++;
		}
		if (e->locked)
			spin_unlock(&l->lock);
		if (idx)
			return idx;
	}
	return 0;
}
