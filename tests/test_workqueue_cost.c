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
	return zpb_emul.futex_wake + zpb_emul.futex_wait + zpb_emul.sched_yield;
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
		/*
		 * The first holds the woken worker until the batch is queued: else
		 * a fast worker (or a slow queuer, as under TSan) may drain the
		 * list, sleep again and rightly be woken a second time.
		 */
		w[i].open = i > 0;
		INIT_WORK(&w[i].work, gate_fn);
		queue_work(wq, &w[i].work);
	}
	__atomic_store_n(&w[0].open, 1, __ATOMIC_RELEASE);
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


/* One work at a time per worker, whoever runs it: counts how many run at once. */
struct help_work {
	struct work_struct work;
	int runs;
	pthread_t ran_on;
};

static int help_running, help_most;

static void help_fn(struct work_struct *w)
{
	struct help_work *h = container_of(w, struct help_work, work);
	int now = __atomic_add_fetch(&help_running, 1, __ATOMIC_SEQ_CST), most;

	while ((most = __atomic_load_n(&help_most, __ATOMIC_RELAXED)) < now &&
	       !__atomic_compare_exchange_n(&help_most, &most, now, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
	h->ran_on = pthread_self();
	__atomic_fetch_add(&h->runs, 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&help_running, 1, __ATOMIC_SEQ_CST);
}

/*
 * zpb_wq_help(), the replay's preemption point: it leaves a worker's work
 * alone while the worker runs one (an ordered queue runs one at a time),
 * runs what is queued otherwise, on the calling thread, each work once.
 */
TEST(help_runs_queued_work_on_the_caller_one_at_a_time_and_never_twice)
{
	struct workqueue_struct *wq = create_singlethread_workqueue("help");
	struct gate_work blocker = { .open = 0 }, b = { .open = 1 };
	struct help_work *h = calloc(1000, sizeof(*h));
	unsigned int helped = 0;
	int i, once = 0, here = 0;

	REQUIRE(wq && h, "create workqueue");
	INIT_WORK(&blocker.work, gate_fn);
	INIT_WORK(&b.work, gate_fn);
	queue_work(wq, &blocker.work);
	while (work_pending(&blocker.work))	/* the worker took it and is held in it */
		usleep(100);
	queue_work(wq, &b.work);
	CHECK(zpb_wq_help(-1) == 0 && b.runs == 0,
	      "help ran %d works while the worker was running one of the same ordered queue", b.runs);
	__atomic_store_n(&blocker.open, 1, __ATOMIC_RELEASE);
	flush_workqueue(wq);
	CHECK(b.runs == 1, "the work queued behind the blocker ran %d times, expected once", b.runs);
	for (i = 0; i < 1000; i++) {
		INIT_WORK(&h[i].work, help_fn);
		queue_work(wq, &h[i].work);
		if (i % 4 == 3)
			helped += zpb_wq_help(-1);
	}
	flush_workqueue(wq);
	for (i = 0; i < 1000; i++) {
		once += h[i].runs == 1;
		here += h[i].runs && pthread_equal(h[i].ran_on, pthread_self());
	}
	CHECK(once == 1000, "%d of 1000 works ran exactly once", once);
	CHECK(help_most == 1, "%d works of one ordered queue ran at once", help_most);
	CHECK((int)helped == here, "help said it ran %u works; %d ran on this thread", helped, here);
	destroy_workqueue(wq);
	free(h);
}
