// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: threaded
// zpb-test: soak
/*
 * Migration under concurrency, on every movable allocator: two threads
 * malloc, write, map, verify and free their own objects while a third
 * migrates the pool's pages in a loop, with the pools' workqueues running
 * on their own threads (not deterministic mode), as kernel compaction runs
 * beside zswap. Then the same with the users paused around each migration,
 * so that only the pools' deferred work (z3fold's compaction and page
 * release) runs beside it. Every load is verified, every page goes back,
 * no WARN fires; the threaded build runs it under ThreadSanitizer.
 * ZPB_TEST_SCALE scales the iterations; 'ninja soak' runs it 20 times as long.
 */
#include <pthread.h>
#include <stdlib.h>

#include "../allocators/kernel/compat.h"
#include "harness.h"
#include "pool_util.h"

#define USERS 2
#define OBJS 64
#define BASE_ITERS 40000UL

struct user {
	struct zpool *zp;
	unsigned long handle[OBJS];
	size_t size[OBJS];
	uint64_t tag[OBJS];
	unsigned long bad, enomem;
	long id;
};

static struct {
	pthread_rwlock_t pause;	/* users hold it for reading per operation when pausing */
	bool pausing;
	int stop;
	unsigned long moved, rounds;
} G;

static void user_op_begin(void)
{
	if (G.pausing)
		pthread_rwlock_rdlock(&G.pause);
}

static void user_op_end(void)
{
	if (G.pausing)
		pthread_rwlock_unlock(&G.pause);
}

static void *user_fn(void *arg)
{
	struct user *u = arg;
	unsigned long iters = (unsigned long)(BASE_ITERS * zpbt_scale()), k;
	uint64_t rng = 0x6d16 + (uint64_t)u->id;

	for (k = 0; k < iters; k++) {
		int i = (int)zpbt_below(&rng, OBJS);
		void *p;

		user_op_begin();
		if (!u->handle[i]) {
			size_t size = 1 + zpbt_below(&rng, k % 16 == 0 ? PAGE_SIZE : 2000);
			unsigned long h;

			if (zpool_malloc(u->zp, size, GFP_KERNEL, &h)) {
				u->enomem++;
			} else {
				u->size[i] = size;
				u->tag[i] = ((uint64_t)u->id << 48) | k;
				p = zpool_map_handle(u->zp, h, ZPOOL_MM_WO);
				zpbt_fill(p, size, u->tag[i]);
				zpool_unmap_handle(u->zp, h);
				u->handle[i] = h;
			}
		} else {
			p = zpool_map_handle(u->zp, u->handle[i], ZPOOL_MM_RO);
			if (zpbt_verify(p, u->size[i], u->tag[i]) != u->size[i])
				u->bad++;
			zpool_unmap_handle(u->zp, u->handle[i]);
			if (zpbt_below(&rng, 3) == 0) {
				zpool_free(u->zp, u->handle[i]);
				u->handle[i] = 0;
			}
		}
		user_op_end();
	}
	return NULL;
}

static void *migrator_fn(void *arg)
{
	struct zpool *zp = arg;

	while (!__atomic_load_n(&G.stop, __ATOMIC_ACQUIRE)) {
		unsigned long n;

		if (G.pausing)
			pthread_rwlock_wrlock(&G.pause);
		n = zpool_migrate_pages(zp, 16);
		if (G.pausing)
			pthread_rwlock_unlock(&G.pause);
		G.moved += n;
		G.rounds++;
		sched_yield();
	}
	return NULL;
}

static void run(const struct zpool_driver *d, bool pausing)
{
	unsigned long w = zpb_diag_warnings();
	static struct user users[USERS];
	pthread_t ut[USERS], mt;
	unsigned long bad = 0;
	long left;
	int t, i;

	memset(users, 0, sizeof(users));
	memset(&G, 0, sizeof(G));
	pthread_rwlock_init(&G.pause, NULL);
	G.pausing = pausing;
	zpb_wq_set_deterministic(false);
	/* Users hold mappings while others free: where v5.4 z3fold's FIRST-over-middle bug bites. */
	users[0].zp = zpbt_create_with_fixes(d, NULL, 0);
	if (!users[0].zp)
		return;
	for (t = 0; t < USERS; t++) {
		users[t].zp = users[0].zp;
		users[t].id = t + 1;
	}
	pthread_create(&mt, NULL, migrator_fn, users[0].zp);
	for (t = 0; t < USERS; t++)
		pthread_create(&ut[t], NULL, user_fn, &users[t]);
	for (t = 0; t < USERS; t++)
		pthread_join(ut[t], NULL);
	__atomic_store_n(&G.stop, 1, __ATOMIC_RELEASE);
	pthread_join(mt, NULL);
	zpool_quiesce();
	for (t = 0; t < USERS; t++) {
		struct user *u = &users[t];

		bad += u->bad;
		for (i = 0; i < OBJS; i++) {
			const void *p;

			if (!u->handle[i])
				continue;
			p = zpool_map_handle(u->zp, u->handle[i], ZPOOL_MM_RO);
			if (zpbt_verify(p, u->size[i], u->tag[i]) != u->size[i])
				bad++;
			zpool_unmap_handle(u->zp, u->handle[i]);
			zpool_free(u->zp, u->handle[i]);
		}
	}
	CHECK(bad == 0, "%s%s: %lu loads differed from what was stored while pages migrated",
	      d->type, pausing ? " (users paused around migration)" : "", bad);
	CHECK(G.moved > 0, "%s: no page migrated in %lu rounds", d->type, G.rounds);
	CHECK(zpbt_settles_to_zero(users[0].zp), "%s: pool does not settle to zero pages after the race", d->type);
	left = zpool_destroy_pool(users[0].zp);
	CHECK(left == 0, "%s: destroy after the migration race: %ld pages left", d->type, left);
	CHECK_EQ_UL(zpb_diag_warnings(), w, "WARNs during the migration race");
	pthread_rwlock_destroy(&G.pause);
	printf("  %s%s: %lu pages migrated in %lu rounds, %lu -ENOMEM\n", d->type,
	       pausing ? " (paused users)" : "", G.moved, G.rounds, users[0].enomem + users[1].enomem);
}

TEST(migration_beside_concurrent_map_free_and_workqueues_keeps_every_object)
{
	const struct zpool_driver *d;
	int i;

	zpbt_for_each_driver(d, i)
		if (d->caps & ZPB_CAP_MOVABLE)
			run(d, false);
}

TEST(migration_with_users_paused_beside_the_pools_own_deferred_work_keeps_every_object)
{
	const struct zpool_driver *d;
	int i;

	zpbt_for_each_driver(d, i)
		if (d->caps & ZPB_CAP_MOVABLE)
			run(d, true);
}
