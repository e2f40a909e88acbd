// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: threaded
/*
 * What the compat layer's workqueue and cond_resched() cost the caller, as
 * the emulation counters (kernel/sched.h) see it: queueing pending work
 * makes no system call, a sleeping worker is woken once for a batch,
 * cond_resched() yields only to bound work queued on this CPU, and every
 * counted call adds to the calling thread's emulation time.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "../allocators/kernel/compat.h"
#include "harness.h"

struct gate_work {
	struct work_struct work;
	int open;		/* the work returns once this is set */
	int runs;
};

static void gate_fn(struct work_struct *w)
{
	struct gate_work *g = container_of(w, struct gate_work, work);

	while (!__atomic_load_n(&g->open, __ATOMIC_ACQUIRE))
		usleep(100);
	__atomic_fetch_add(&g->runs, 1, __ATOMIC_SEQ_CST);
}

static uint64_t syscalls_now(void)
{
	const struct zpb_emulation *e = &zpb_emul;

	return e->futex_wake + e->futex_wait + e->sched_yield;
}

TEST(queue_work_on_a_pending_work_makes_no_system_call)
{
	struct workqueue_struct *wq = create_singlethread_workqueue("pending");
	struct gate_work blocker = { .open = 0 }, b = { .open = 1 };
	uint64_t before;
	int i, queued = 0;

	REQUIRE(wq, "create workqueue");
	INIT_WORK(&blocker.work, gate_fn);
	INIT_WORK(&b.work, gate_fn);
	queue_work(wq, &blocker.work);
	queue_work(wq, &b.work);	/* behind the blocker: pending until it is opened */
	before = syscalls_now();
	for (i = 0; i < 10000; i++)
		queued += queue_work(wq, &b.work);
	CHECK(queued == 0, "workqueue: queue_work on pending work returned true %d times, expected 0", queued);
	CHECK(syscalls_now() == before, "workqueue: queue_work on pending work made %llu system calls, expected 0",
	      (unsigned long long)(syscalls_now() - before));
	__atomic_store_n(&blocker.open, 1, __ATOMIC_RELEASE);
	flush_workqueue(wq);
	CHECK(b.runs == 1, "workqueue: the pending work ran %d times, expected 1", b.runs);
	destroy_workqueue(wq);
}

#define BATCH 64

TEST(a_sleeping_worker_is_woken_once_for_a_batch)
{
	struct workqueue_struct *wq = create_singlethread_workqueue("batch");
	struct gate_work *w = calloc(BATCH, sizeof(*w));
	uint64_t before;
	int i, ran = 0;

	REQUIRE(wq && w, "create workqueue");
	/* Past the idle poll: the worker is asleep on its futex. */
	usleep(3 * ZPB_WQ_IDLE_POLL_NS / 1000 + 100000);
	before = zpb_emul.futex_wake;
	for (i = 0; i < BATCH; i++) {
		w[i].open = 1;
		INIT_WORK(&w[i].work, gate_fn);
		queue_work(wq, &w[i].work);
	}
	CHECK(zpb_emul.futex_wake - before <= 1,
	      "workqueue: %d works queued to a sleeping worker made %llu futex wakes, expected at most 1",
	      BATCH, (unsigned long long)(zpb_emul.futex_wake - before));
	flush_workqueue(wq);
	for (i = 0; i < BATCH; i++)
		ran += w[i].runs;
	CHECK(ran == BATCH, "workqueue: %d of %d works ran after the one wake", ran, BATCH);
	destroy_workqueue(wq);
	free(w);
}

TEST(cond_resched_yields_only_to_bound_work_queued_on_this_cpu)
{
	int cpu = zpb_next_online_cpu(-1);
	uint64_t before;
	int i;

	zpb_set_thread_cpu(cpu);
	before = zpb_emul.sched_yield;
	for (i = 0; i < 1000; i++)
		cond_resched();
	CHECK(zpb_emul.sched_yield == before,
	      "cond_resched with nothing queued on CPU %d: %llu yields, expected 0", cpu,
	      (unsigned long long)(zpb_emul.sched_yield - before));
	zpb_cpu_bound_queued_add(cpu, 1);	/* as a per-CPU queue's pending work on this CPU */
	cond_resched();
	zpb_cpu_bound_queued_add(cpu, -1);
	CHECK(zpb_emul.sched_yield == before + 1,
	      "cond_resched with bound work queued on CPU %d: %llu yields, expected 1", cpu,
	      (unsigned long long)(zpb_emul.sched_yield - before));
	zpb_set_thread_cpu(-1);
}

static void count_fn(struct work_struct *w)
{
	struct gate_work *g = container_of(w, struct gate_work, work);

	__atomic_fetch_add(&g->runs, 1, __ATOMIC_SEQ_CST);
}

TEST(bound_work_runs_on_the_queuing_cpu_worker)
{
	struct workqueue_struct *wq = alloc_workqueue("bound", 0, 0);
	struct gate_work g = { .open = 1 };
	int cpu = zpb_next_online_cpu(-1);

	REQUIRE(wq, "create a bound workqueue");
	INIT_WORK(&g.work, count_fn);
	zpb_set_thread_cpu(cpu);
	CHECK(queue_work(wq, &g.work), "bound queue_work queues");
	flush_work(&g.work);
	CHECK(__atomic_load_n(&g.runs, __ATOMIC_SEQ_CST) == 1, "bound work ran %d times, expected 1", g.runs);
	zpb_set_thread_cpu(-1);
	destroy_workqueue(wq);
}

TEST(counted_system_calls_add_to_the_threads_emulation_time)
{
	uint32_t word = 0;
	struct zpb_emulation e0 = zpb_emul;

	zpb_futex_wake(&word, 1);	/* nobody waits: returns at once, still a system call */
	zpb_futex_wait(&word, 1);	/* the word is 0, not 1: returns at once */
	zpb_sched_yield();
	CHECK(zpb_emul.futex_wake == e0.futex_wake + 1 && zpb_emul.futex_wait == e0.futex_wait + 1 &&
	      zpb_emul.sched_yield == e0.sched_yield + 1,
	      "emulation counters: wake +%llu wait +%llu yield +%llu, expected +1 each",
	      (unsigned long long)(zpb_emul.futex_wake - e0.futex_wake),
	      (unsigned long long)(zpb_emul.futex_wait - e0.futex_wait),
	      (unsigned long long)(zpb_emul.sched_yield - e0.sched_yield));
	CHECK(zpb_emul.ns > e0.ns, "emulation time did not grow over three system calls");
}

