// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: threaded
/* The kernel-compat layer: each facility the ports lean on, pinned down. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "../allocators/kernel/compat.h"
#include "../allocators/zpool.h"
#include "harness.h"

TEST(list_add_tail_keeps_order_and_del_init_empties)
{
	struct item { int v; struct list_head node; } a = { 1 }, b = { 2 }, c = { 3 }, *it;
	LIST_HEAD(head);
	int seen[3] = { 0 }, n = 0;

	list_add_tail(&a.node, &head);
	list_add_tail(&b.node, &head);
	list_add(&c.node, &head);
	list_for_each_entry(it, &head, node)
		seen[n++] = it->v;
	CHECK(n == 3 && seen[0] == 3 && seen[1] == 1 && seen[2] == 2,
	      "order after add/add_tail: got %d items, %d %d %d", n, seen[0], seen[1], seen[2]);
	list_del_init(&a.node);
	CHECK(list_empty(&a.node), "list_del_init leaves the entry empty");
	list_move_tail(&c.node, &head);
	CHECK(list_first_entry(&head, struct item, node)->v == 2, "list_move_tail moved c behind b");
	list_del(&b.node);
	list_del(&c.node);
	CHECK(list_empty(&head), "head empty after deleting all");
}

TEST(list_for_each_prev_walks_tail_first_and_first_entry_or_null_sees_empty)
{
	struct item { int v; struct list_head node; } a = { 1 }, b = { 2 };
	struct list_head *pos;
	LIST_HEAD(head);
	int seen[2] = { 0 }, n = 0;

	CHECK(list_first_entry_or_null(&head, struct item, node) == NULL, "empty list: NULL");
	list_add_tail(&a.node, &head);
	list_add_tail(&b.node, &head);
	list_for_each_prev(pos, &head)
		seen[n++] = list_entry(pos, struct item, node)->v;
	CHECK(n == 2 && seen[0] == 2 && seen[1] == 1, "tail first: got %d items, %d %d", n, seen[0], seen[1]);
	CHECK(list_first_entry_or_null(&head, struct item, node) == &a, "first entry is a");
	CHECK(gfpflags_allow_blocking(GFP_KERNEL) && !gfpflags_allow_blocking(GFP_ATOMIC),
	      "GFP_KERNEL may block, GFP_ATOMIC may not");
}

static spinlock_t counter_lock;
static long counter;

static void *spin_worker(void *arg)
{
	long i, n = (long)arg;

	for (i = 0; i < n; i++) {
		spin_lock(&counter_lock);
		counter++;
		spin_unlock(&counter_lock);
	}
	return NULL;
}

TEST(spinlock_serializes_four_threads)
{
	pthread_t t[4];
	long n = 200000;
	int i;

	spin_lock_init(&counter_lock);
	counter = 0;
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, spin_worker, (void *)n);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ_UL(counter, 4 * n, "increments under the lock");
	CHECK(spin_trylock(&counter_lock), "trylock of a free lock succeeds");
	CHECK(!spin_trylock(&counter_lock), "trylock of a held lock fails");
	spin_unlock(&counter_lock);
}

TEST(rwlock_excludes_writer_from_readers)
{
	rwlock_t l;

	rwlock_init(&l);
	read_lock(&l);
	read_lock(&l);
	CHECK(!write_trylock(&l), "writer excluded while readers hold");
	read_unlock(&l);
	read_unlock(&l);
	CHECK(write_trylock(&l), "writer gets a free lock");
	CHECK(!read_trylock(&l), "reader excluded while a writer holds");
	write_unlock(&l);
	CHECK(read_trylock(&l), "reader gets the lock back");
	read_unlock(&l);
}

static int released;
static void note_release(struct kref *k) { (void)k; released++; }

TEST(kref_put_releases_on_last_reference)
{
	struct kref k;

	released = 0;
	kref_init(&k);
	kref_get(&k);
	CHECK(kref_put(&k, note_release) == 0 && released == 0, "first put keeps the object");
	CHECK(kref_put(&k, note_release) == 1 && released == 1, "last put releases it");
	CHECK(!kref_get_unless_zero(&k), "no reference can be taken on a dead object");
}

TEST(bitops_test_and_set_reports_old_value)
{
	unsigned long w[2] = { 0, 0 };

	CHECK(!test_and_set_bit(3, w), "bit 3 was clear");
	CHECK(test_and_set_bit(3, w), "bit 3 is now set");
	set_bit(64 + 5, w);
	CHECK(w[1] == (1UL << 5), "bit 69 lands in the second word");
	CHECK(test_and_clear_bit(3, w) && !test_bit(3, w), "test_and_clear clears");
	CHECK(fls(1) == 1 && fls(0x80000000u) == 32 && fls(0) == 0, "fls");
}

TEST(page_address_and_virt_to_page_round_trip)
{
	struct page *p = alloc_page(GFP_KERNEL), *q = alloc_page(GFP_KERNEL);
	char *a;

	REQUIRE(p && q, "alloc_page returned NULL");
	a = page_address(p);
	CHECK(((unsigned long)a & ~PAGE_MASK) == 0, "page_address is page aligned");
	CHECK(virt_to_page(a) == p && virt_to_page(a + PAGE_SIZE - 1) == p, "virt_to_page of any byte");
	CHECK(page_address(q) != a, "two pages, two addresses");
	memset(a, 0x5a, PAGE_SIZE);
	CHECK(page_count(p) == 1, "a new page has one reference");
	__free_page(p);
	__free_page(q);
}

/*
 * The page size is chosen at run time: only 4K, 16K and 64K, only while no
 * page is out, and then the arena's pages are that size (remapped).
 */
TEST(page_size_is_set_at_run_time_only_between_pages)
{
	static const unsigned long sizes[] = { 16384, 65536, 4096 };
	struct page *p = alloc_page(GFP_KERNEL), *q;
	unsigned int i;
	char *a;

	REQUIRE(p, "alloc_page returned NULL");
	CHECK(PAGE_SIZE == 4096 && PAGE_SHIFT == 12, "the default page is 4K: %lu", PAGE_SIZE);
	CHECK(zpb_set_page_size(8192) == -EINVAL && zpb_set_page_size(4095) == -EINVAL &&
	      zpb_set_page_size(131072) == -EINVAL, "page sizes other than 4K, 16K and 64K are refused");
	CHECK(zpb_set_page_size(16384) == -EBUSY && PAGE_SIZE == 4096,
	      "the page size cannot change with a page out (got %lu)", PAGE_SIZE);
	__free_page(p);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		REQUIRE(zpb_set_page_size(sizes[i]) == 0, "zpb_set_page_size(%lu) with no page out", sizes[i]);
		CHECK(PAGE_SIZE == sizes[i] && (1UL << PAGE_SHIFT) == sizes[i] && PAGE_MASK == ~(sizes[i] - 1),
		      "PAGE_SIZE %lu, PAGE_SHIFT %u after setting %lu", PAGE_SIZE, PAGE_SHIFT, sizes[i]);
		p = alloc_page(GFP_KERNEL);
		q = alloc_page(GFP_KERNEL);
		REQUIRE(p && q, "alloc_page at %lu-byte pages", sizes[i]);
		a = page_address(p);
		CHECK(((unsigned long)a & (sizes[i] - 1)) == 0, "page_address is %lu-aligned", sizes[i]);
		CHECK(virt_to_page(a + sizes[i] - 1) == p && virt_to_page(a + sizes[i]) != p,
		      "virt_to_page covers exactly %lu bytes", sizes[i]);
		CHECK(labs((char *)page_address(q) - a) >= (long)sizes[i], "two %lu-byte pages do not overlap",
		      sizes[i]);
		memset(a, 0x5a, sizes[i]);
		CHECK(zpool_page_index(a + sizes[i] - 1) == zpool_page_index(a), "one page index per %lu bytes",
		      sizes[i]);
		__free_page(p);
		__free_page(q);
	}
	CHECK(zpb_set_page_size(4096) == 0, "setting the page size in force again is a no-op");
}

TEST(page_budget_limit_fails_allocation_and_counts)
{
	struct zpb_page_budget b, *prev;
	struct page *pages[4];
	int i;

	zpb_budget_init(&b, 3);
	prev = zpb_budget_enter(&b);
	for (i = 0; i < 3; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	pages[3] = alloc_page(GFP_KERNEL);
	zpb_budget_leave(prev);
	CHECK(pages[0] && pages[1] && pages[2], "three pages within the limit");
	CHECK(pages[3] == NULL, "the fourth page is refused");
	CHECK_EQ_UL(atomic_long_read(&b.pages), 3, "pages charged");
	CHECK_EQ_UL(atomic_long_read(&b.limit_failures), 1, "limit failures");
	for (i = 0; i < 3; i++)
		__free_page(pages[i]);
	CHECK_EQ_UL(atomic_long_read(&b.pages), 0, "pages charged after freeing");
	CHECK_EQ_UL(atomic_long_read(&b.peak), 3, "peak");
}

static int count_page(struct page *page, void *arg)
{
	(void)page;
	(*(int *)arg)++;
	return 0;
}

TEST(arena_walk_visits_only_the_budgets_pages)
{
	struct zpb_page_budget b, *prev;
	struct page *p[5], *other = alloc_page(GFP_KERNEL);
	int i, n = 0;

	zpb_budget_init(&b, 0);
	prev = zpb_budget_enter(&b);
	for (i = 0; i < 5; i++)
		p[i] = alloc_page(GFP_KERNEL);
	zpb_budget_leave(prev);
	zpb_arena_for_each_page(&b, count_page, &n);
	CHECK(n == 5, "walk found %d pages, expected 5", n);
	for (i = 0; i < 5; i++)
		__free_page(p[i]);
	__free_page(other);
}

/*
 * zpool_migrate_pages() walks the arena while other threads allocate, mark
 * movable and free pages, as kernel compaction scans struct pages it does
 * not own: the walk's reads and those writers' stores must be atomic (a
 * data race under TSan otherwise), and the walk must still see a settled
 * budget exactly.
 */
static const struct movable_operations walk_mops;
static volatile int walk_stop;

static int count_movable(struct page *page, void *arg)
{
	if (PageMovable(page) && page_mapping(page) == NULL)
		(*(long *)arg)++;
	return 0;
}

static void *churn_pages(void *arg)
{
	struct zpb_page_budget *prev = zpb_budget_enter(arg);
	struct page *page[8];
	int i;

	while (!__atomic_load_n(&walk_stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < 8; i++) {
			page[i] = alloc_page(GFP_KERNEL);
			if (page[i])
				__SetPageMovable(page[i], &walk_mops);
		}
		for (i = 0; i < 8; i++) {
			if (!page[i])
				continue;
			__ClearPageMovable(page[i]);
			__free_page(page[i]);
		}
	}
	zpb_budget_leave(prev);
	return NULL;
}

TEST(arena_walk_races_with_alloc_free_and_movable_marking)
{
	struct zpb_page_budget b, *prev;
	struct page *kept[3];
	pthread_t t;
	long seen;
	int i, n = 0;

	zpb_budget_init(&b, 0);
	prev = zpb_budget_enter(&b);
	for (i = 0; i < 3; i++) {
		kept[i] = alloc_page(GFP_KERNEL);
		__SetPageMovable(kept[i], &walk_mops);
	}
	zpb_budget_leave(prev);
	walk_stop = 0;
	pthread_create(&t, NULL, churn_pages, &b);
	for (i = 0; i < 300; i++) {
		seen = 0;
		zpb_arena_for_each_page(&b, count_movable, &seen);
		CHECK(seen >= 3, "racing walk missed settled movable pages: saw %ld of at least 3", seen);
	}
	__atomic_store_n(&walk_stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	zpb_arena_for_each_page(&b, count_page, &n);
	CHECK(n == 3, "walk after the churn found %d pages, expected 3", n);
	for (i = 0; i < 3; i++)
		__free_page(kept[i]);
	CHECK_EQ_UL(atomic_long_read(&b.pages), 0, "pages charged after freeing");
}

TEST(percpu_copies_are_distinct_and_zeroed)
{
	long *pc = alloc_percpu(long);
	int cpu, bad = 0, ncpu = 0;

	REQUIRE(pc, "alloc_percpu");
	for_each_possible_cpu(cpu)
		bad += *per_cpu_ptr(pc, cpu) != 0;
	CHECK(bad == 0, "copies start zeroed");
	for_each_online_cpu(cpu) {
		*per_cpu_ptr(pc, cpu) = cpu + 100;
		ncpu++;
	}
	for_each_online_cpu(cpu)
		bad += *per_cpu_ptr(pc, cpu) != cpu + 100;
	CHECK(bad == 0 && ncpu > 0, "each CPU has its own copy (%d online)", ncpu);
	zpb_set_thread_cpu(0);
	CHECK(smp_processor_id() == 0, "a pinned thread reports its CPU");
	zpb_set_thread_cpu(-1);
	free_percpu(pc);
}

TEST(preempt_disable_latches_the_cpu)
{
	int a, b;

	zpb_set_thread_cpu(0);
	a = get_cpu();
	zpb_set_thread_cpu(nr_cpu_ids > 1 ? 1 : 0);
	b = smp_processor_id();
	put_cpu();
	zpb_set_thread_cpu(-1);
	CHECK(a == b, "CPU changed inside get_cpu/put_cpu: %d then %d", a, b);
}

struct counted_work {
	struct work_struct work;
	int runs;
	int sleep_us;
};

static void count_work(struct work_struct *w)
{
	struct counted_work *cw = container_of(w, struct counted_work, work);

	if (cw->sleep_us)
		usleep(cw->sleep_us);
	__atomic_fetch_add(&cw->runs, 1, __ATOMIC_SEQ_CST);
}

TEST(workqueue_runs_queued_work_once)
{
	struct workqueue_struct *wq = create_singlethread_workqueue("test");
	struct counted_work cw = { .sleep_us = 20000 };

	REQUIRE(wq, "create workqueue");
	INIT_WORK(&cw.work, count_work);
	CHECK(queue_work(wq, &cw.work), "first queue_work queues");
	flush_workqueue(wq);
	CHECK(__atomic_load_n(&cw.runs, __ATOMIC_SEQ_CST) == 1, "ran once, ran %d", cw.runs);
	CHECK(!work_pending(&cw.work), "not pending after running");
	destroy_workqueue(wq);
}

TEST(wq_flush_all_waits_for_work_on_every_live_workqueue)
{
	struct workqueue_struct *w1 = create_singlethread_workqueue("flush1");
	struct workqueue_struct *w2 = create_singlethread_workqueue("flush2");
	struct counted_work a = { .sleep_us = 30000 }, b = { .sleep_us = 30000 };

	REQUIRE(w1 && w2, "create workqueues");
	INIT_WORK(&a.work, count_work);
	INIT_WORK(&b.work, count_work);
	queue_work(w1, &a.work);
	queue_work(w2, &b.work);
	zpb_wq_flush_all();
	CHECK(__atomic_load_n(&a.runs, __ATOMIC_SEQ_CST) == 1 && __atomic_load_n(&b.runs, __ATOMIC_SEQ_CST) == 1,
	      "zpb_wq_flush_all returned before the queued work ran: %d, %d", a.runs, b.runs);
	destroy_workqueue(w1);
	zpb_wq_flush_all();	/* a destroyed queue is no longer visited */
	destroy_workqueue(w2);
}

TEST(cancel_work_sync_waits_for_running_work)
{
	struct workqueue_struct *wq = create_singlethread_workqueue("test");
	struct counted_work a = { .sleep_us = 50000 }, b = { 0 };

	REQUIRE(wq, "create workqueue");
	INIT_WORK(&a.work, count_work);
	INIT_WORK(&b.work, count_work);
	queue_work(wq, &a.work);
	queue_work(wq, &b.work);
	CHECK(!queue_work(wq, &b.work), "queueing pending work again returns false");
	usleep(10000);	/* let the worker start a */
	cancel_work_sync(&a.work);
	CHECK(__atomic_load_n(&a.runs, __ATOMIC_SEQ_CST) == 1, "cancel waited for running work");
	/* b may or may not have started; cancel must leave it not pending either way. */
	cancel_work_sync(&b.work);
	CHECK(!work_pending(&b.work), "cancelled work is not pending");
	destroy_workqueue(wq);
}

TEST(deterministic_mode_defers_work_to_the_caller)
{
	struct workqueue_struct *wq;
	struct counted_work a = { 0 }, b = { 0 };

	zpb_wq_set_deterministic(true);
	wq = create_singlethread_workqueue("det");
	zpb_wq_set_deterministic(false);
	REQUIRE(wq, "create workqueue");
	INIT_WORK(&a.work, count_work);
	INIT_WORK(&b.work, count_work);
	queue_work(wq, &a.work);
	queue_work(wq, &b.work);
	usleep(5000);
	CHECK(a.runs == 0 && b.runs == 0, "nothing runs before the deferred point");
	CHECK(cancel_work_sync(&b.work), "cancel of deferred work reports it pending");
	zpb_wq_set_deterministic(true);
	zpb_wq_run_deferred();
	zpb_wq_set_deterministic(false);
	CHECK(a.runs == 1 && b.runs == 0, "a ran once (%d), cancelled b did not (%d)", a.runs, b.runs);
	destroy_workqueue(wq);
}

/* z3fold's release work cancels page works that ran on the already destroyed compact_wq. */
TEST(cancel_and_flush_of_a_work_whose_queue_was_destroyed_return_false)
{
	struct workqueue_struct *wq = create_singlethread_workqueue("gone");
	struct counted_work a = { 0 };

	REQUIRE(wq, "create workqueue");
	INIT_WORK(&a.work, count_work);
	queue_work(wq, &a.work);
	destroy_workqueue(wq);		/* drains: a runs */
	CHECK(a.runs == 1, "destroy_workqueue ran the queued work (%d runs)", a.runs);
	CHECK(!cancel_work_sync(&a.work), "cancel after destroy: nothing pending");
	CHECK(!flush_work(&a.work), "flush after destroy: nothing to wait for");
}

TEST(kmem_cache_aligns_and_counts_live_objects)
{
	struct kmem_cache *c = kmem_cache_create("test", 40, 64, 0, NULL);
	void *o[8];
	int i, misaligned = 0;

	REQUIRE(c, "kmem_cache_create");
	for (i = 0; i < 8; i++) {
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
		misaligned += ((unsigned long)o[i] & 63) != 0;
	}
	CHECK(misaligned == 0, "%d objects not 64-byte aligned", misaligned);
	CHECK(zpb_kmem_cache_live(c) == 8, "live objects");
	for (i = 0; i < 8; i++)
		kmem_cache_free(c, o[i]);
	CHECK(zpb_kmem_cache_live(c) == 0, "no live objects after freeing");
	kmem_cache_destroy(c);
}

TEST(warn_on_counts_and_returns_condition)
{
	unsigned long before = zpb_diag_warnings();
	int r;

	zpb_diag_set_quiet(true);
	r = WARN_ON(1 + 1 == 2);
	zpb_diag_set_quiet(false);
	CHECK(r, "WARN_ON returns its condition");
	CHECK(zpb_diag_warnings() == before + 1, "WARN_ON counted");
	CHECK(!WARN_ON(0) && zpb_diag_warnings() == before + 1, "a false WARN_ON is not counted");
}

/* A toy movable owner: each page holds one value at offset 0. */
static int isolations, putbacks;
static bool toy_isolate(struct page *page, isolate_mode_t mode) { (void)page; (void)mode; isolations++; return true; }
static void toy_putback(struct page *page) { (void)page; putbacks++; }
static int toy_fail;
static int toy_migrate(struct page *dst, struct page *src, enum migrate_mode mode)
{
	(void)mode;
	if (toy_fail)
		return -EAGAIN;
	memcpy(page_address(dst), page_address(src), PAGE_SIZE);
	get_page(dst);
	__SetPageMovable(dst, src->mops);
	__ClearPageMovable(src);
	put_page(src);	/* the owner's reference */
	return MIGRATEPAGE_SUCCESS;
}
static const struct movable_operations toy_mops = {
	.isolate_page = toy_isolate, .migrate_page = toy_migrate, .putback_page = toy_putback,
};

static struct page *found;
static int find_page(struct page *page, void *arg) { (void)arg; found = page; return 1; }

TEST(migrate_page_moves_contents_and_frees_the_old_page)
{
	struct zpb_page_budget b, *prev;
	struct page *p;

	zpb_budget_init(&b, 0);
	prev = zpb_budget_enter(&b);
	p = alloc_page(GFP_KERNEL);
	zpb_budget_leave(prev);
	REQUIRE(p, "alloc_page");
	*(long *)page_address(p) = 0x1234;
	__SetPageMovable(p, &toy_mops);
	isolations = putbacks = 0;
	toy_fail = 1;
	CHECK(zpb_migrate_page(p) == -EAGAIN, "a failed migration reports the owner's error");
	CHECK(putbacks == 1 && !PageIsolated(p) && page_count(p) == 1, "failed migration put the page back");
	toy_fail = 0;
	CHECK(zpb_migrate_page(p) == 0, "migration succeeds");
	CHECK_EQ_UL(atomic_long_read(&b.pages), 1, "pages charged after migration");
	found = NULL;
	zpb_arena_for_each_page(&b, find_page, NULL);
	REQUIRE(found && found != p, "the pool's page is a new one");
	CHECK(*(long *)page_address(found) == 0x1234, "contents moved");
	CHECK(isolations == 2, "isolated once per attempt");
	__free_page(found);
	CHECK_EQ_UL(atomic_long_read(&b.pages), 0, "pages charged after freeing");
}
