// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workqueues on worker threads, with a deterministic mode. See workqueue.h.
 *
 * A worker (struct worker: the kernel's worker and worker_pool in one) has
 * a spinlock, as the kernel's pool->lock, over its list of pending work,
 * the work it is running and its sleep state. A work's pending bit is
 * taken with test_and_set_bit() before the lock, as the kernel's
 * queue_work_on() does, so queueing a pending work is one atomic operation;
 * the worker clears it, with a full barrier, when it takes the work off
 * the list (set_work_pool_and_clear_pending()). A canceller takes the
 * pending bit too (try_to_grab_pending()): it either finds the work idle,
 * or on a list, which it removes it from, or between the two (a queuer
 * holds the bit and has not added it yet), and then tries again.
 *
 * Sleeping and waking go through futexes (sched.h), so that every system
 * call the layer makes is counted as emulation. A worker with nothing to
 * do marks itself sleeping under its lock and waits on @wake_seq; the
 * first queuer to find it so clears the mark, bumps @wake_seq and wakes it:
 * one wake for everything queued until the worker looks again. Flushers and
 * cancellers wait on @done_seq, which the worker bumps (and wakes) only
 * when one of them said, under the lock, that it is waiting.
 *
 * In deterministic mode no worker is started: queued work goes on one
 * process-wide FIFO and runs, in queue order, on the thread that calls
 * zpb_wq_run_deferred().
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bitops.h"
#include "bug.h"
#include "fault.h"
#include "percpu.h"
#include "sched.h"
#include "spinlock.h"
#include "workqueue.h"

struct worker {
	spinlock_t lock;
	struct list_head worklist;	/* pending work, in queue order */
	struct work_struct *current_work;
	unsigned long nr_started;	/* works taken off the list (run or cancelled) */
	unsigned long nr_finished;	/* of those, done */
	int nr_waiters;			/* flushers/cancellers asleep on @done_seq */
	int nr_queued;			/* atomic: length of @worklist, for the idle poll */
	bool sleeping;			/* asleep (or about to be) on @wake_seq */
	bool stop;
	uint32_t wake_seq, done_seq;	/* futex words */
	int cpu;			/* bound: the CPU it is pinned to; unbound: -1 */
	bool started;
	pthread_t thread;
	struct workqueue_struct *wq;
} __attribute__((aligned(64)));

struct workqueue_struct {
	char name[32];
	unsigned int flags;
	bool deterministic;
	bool dead;			/* destroyed: kept for works that still point here */
	int nr_workers;
	struct worker *workers;		/* unbound: one; bound: one per CPU number */
	struct list_head grave;		/* on the graveyard once destroyed */
	struct list_head live;		/* on live_wqs until destroyed */
};

/* Every workqueue not yet destroyed, for zpb_wq_flush_all(). */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(live_wqs);
/*
 * Helper mode (zpb_wq_set_helpers): the queuers run the work themselves,
 * at their preemption points and when they flush; workers run none but
 * the work of a queue being destroyed.
 */
static int helpers;

static bool helpers_on(void)
{
	return __atomic_load_n(&helpers, __ATOMIC_ACQUIRE) > 0;
}

/*
 * A destroyed workqueue is parked here rather than freed: as in the kernel,
 * a work that last ran on it may still be cancelled or flushed afterwards
 * (z3fold destroys compact_wq while its release work cancels page works
 * that ran there). Its workers' locks stay valid for that; nothing runs there again.
 */
static pthread_mutex_t graveyard_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(graveyard);

bool zpb_wq_deterministic;
static DEFINE_SPINLOCK(deferred_lock);
static LIST_HEAD(deferred);		/* deterministic mode's FIFO */

struct workqueue_struct *system_wq;
static pthread_once_t system_wq_once = PTHREAD_ONCE_INIT;

/* The worker the calling thread is, if any. */
static __thread struct worker *current_worker;

void zpb_wq_set_deterministic(bool on)
{
	__atomic_store_n(&zpb_wq_deterministic, on, __ATOMIC_RELAXED);
}

bool zpb_wq_is_deterministic(void)
{
	return zpb_wq_deterministic_now();
}

bool work_pending(const struct work_struct *work)
{
	return test_bit(WORK_STRUCT_PENDING_BIT, &work->data);
}

static bool is_bound(const struct workqueue_struct *wq)
{
	return !(wq->flags & WQ_UNBOUND);
}

int zpb_wq_current_bound_queued(int cpu)
{
	struct worker *wk = current_worker;

	if (!wk || wk->cpu != cpu)
		return 0;
	return __atomic_load_n(&wk->nr_queued, __ATOMIC_RELAXED);
}

static void nr_queued_add(struct worker *wk, int d)
{
	__atomic_store_n(&wk->nr_queued, wk->nr_queued + d, __ATOMIC_RELAXED);
	if (wk->cpu >= 0)
		zpb_cpu_bound_queued_add(wk->cpu, d);
	else
		__atomic_fetch_add(&zpb_unbound_queued, d, __ATOMIC_RELAXED);
}

/* With @wk->lock held: wake flushers and cancellers, after the lock is dropped. */
static bool note_done(struct worker *wk)
{
	if (!wk->nr_waiters)
		return false;
	__atomic_store_n(&wk->done_seq, wk->done_seq + 1, __ATOMIC_RELAXED);
	return true;
}

/* With @wk->lock held: sleep on @done_seq once; returns with the lock held. */
static void wait_done(struct worker *wk)
{
	uint32_t seq = __atomic_load_n(&wk->done_seq, __ATOMIC_RELAXED);

	wk->nr_waiters++;
	spin_unlock(&wk->lock);
	zpb_futex_wait(&wk->done_seq, seq);
	spin_lock(&wk->lock);
	wk->nr_waiters--;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Polling is worth it only on a CPU nobody else needs: an unbound worker
 * (never a bound one, which shares its CPU with the queuer), and only while
 * the threads pinned by the replay leave a CPU free.
 */
static bool may_poll(const struct worker *wk)
{
	return wk->cpu < 0 &&
	       __atomic_load_n(&zpb_nr_pinned_threads, __ATOMIC_RELAXED) < zpb_nr_online_cpus();
}

/* Nothing to do: poll a while if that is cheap, then sleep until queued work or stop. */
static void worker_idle(struct worker *wk)
{
	uint32_t seq;

	if (may_poll(wk)) {
		uint64_t t0 = mono_ns();
		unsigned int spins = 0;

		while (!__atomic_load_n(&wk->nr_queued, __ATOMIC_RELAXED) &&
		       !__atomic_load_n(&wk->stop, __ATOMIC_RELAXED)) {
			cpu_relax();
			if (++spins % 64 == 0 && mono_ns() - t0 > ZPB_WQ_IDLE_POLL_NS)
				break;
		}
	}
	spin_lock(&wk->lock);
	/* Work a helper is running, or all work in helper mode, is the helpers': sleep. */
	if ((!list_empty(&wk->worklist) && !wk->current_work && !helpers_on()) || wk->stop) {
		spin_unlock(&wk->lock);
		return;
	}
	wk->sleeping = true;
	seq = __atomic_load_n(&wk->wake_seq, __ATOMIC_RELAXED);
	spin_unlock(&wk->lock);
	zpb_futex_wait(&wk->wake_seq, seq);
	spin_lock(&wk->lock);
	wk->sleeping = false;	/* a spurious wake-up leaves it set */
	spin_unlock(&wk->lock);
}

/*
 * With @wk->lock held and @wk->worklist not empty: run its first work, as
 * @wk, on the calling thread (the worker's, or a helper's); returns with the
 * lock held.
 */
static void run_one(struct worker *wk)
{
	struct work_struct *work = list_first_entry(&wk->worklist, struct work_struct, entry);
	bool wake;

	list_del_init(&work->entry);
	nr_queued_add(wk, -1);
	wk->current_work = work;
	wk->nr_started++;
	/* A full barrier, as set_work_pool_and_clear_pending(): a queuer that saw it set is seen. */
	test_and_clear_bit(WORK_STRUCT_PENDING_BIT, &work->data);
	spin_unlock(&wk->lock);
	/* The work may free itself (z3fold's page work lives in the page). */
	work->func(work);
	spin_lock(&wk->lock);
	wk->current_work = NULL;
	wk->nr_finished++;
	wake = note_done(wk);
	if (wake) {
		spin_unlock(&wk->lock);
		zpb_futex_wake(&wk->done_seq, INT_MAX);
		spin_lock(&wk->lock);
	}
}

static void *worker_thread(void *arg)
{
	struct worker *wk = arg;

	current_worker = wk;
	if (wk->cpu >= 0) {
		cpu_set_t set;

		/* Bound: run only there, as a per-CPU kworker (smp_processor_id() then agrees). */
		CPU_ZERO(&set);
		CPU_SET(wk->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	spin_lock(&wk->lock);
	for (;;) {
		/* One work at a time per worker, whoever runs it: a helper may be running one. */
		if (list_empty(&wk->worklist) || wk->current_work || (helpers_on() && !wk->stop)) {
			if (wk->stop && list_empty(&wk->worklist) && !wk->current_work)
				break;
			spin_unlock(&wk->lock);
			worker_idle(wk);
			spin_lock(&wk->lock);
			continue;
		}
		run_one(wk);
	}
	spin_unlock(&wk->lock);
	return NULL;
}

/* Run @wk's queued work on the calling thread while nobody else runs one of its works. */
static unsigned int help_worker(struct worker *wk)
{
	unsigned int n = 0;

	if (!wk->started || !__atomic_load_n(&wk->nr_queued, __ATOMIC_RELAXED))
		return 0;
	spin_lock(&wk->lock);
	while (!list_empty(&wk->worklist) && !wk->current_work && !wk->stop) {
		run_one(wk);
		n++;
	}
	spin_unlock(&wk->lock);
	return n;
}

static void unlock_and_wake(struct worker *wk);

void zpb_wq_set_helpers(bool on)
{
	struct workqueue_struct *wq;
	int i;

	if (on) {
		__atomic_fetch_add(&helpers, 1, __ATOMIC_ACQ_REL);
		return;
	}
	if (__atomic_sub_fetch(&helpers, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	/* The workers' turn again: wake each one that has work waiting. */
	pthread_mutex_lock(&live_lock);
	list_for_each_entry(wq, &live_wqs, live)
		for (i = 0; i < wq->nr_workers; i++) {
			struct worker *wk = &wq->workers[i];

			if (!wk->started)
				continue;
			spin_lock(&wk->lock);
			if (!list_empty(&wk->worklist))
				unlock_and_wake(wk);
			else
				spin_unlock(&wk->lock);
		}
	pthread_mutex_unlock(&live_lock);
}

unsigned int zpb_wq_help(int cpu)
{
	struct workqueue_struct *wq;
	unsigned int n = 0;

	/* Another replay thread is helping: its turn (no thread waits on another here). */
	if (zpb_wq_is_deterministic() || pthread_mutex_trylock(&live_lock))
		return 0;
	list_for_each_entry(wq, &live_wqs, live) {
		if (!is_bound(wq))
			n += help_worker(&wq->workers[0]);
		else if (cpu >= 0 && cpu < wq->nr_workers)
			n += help_worker(&wq->workers[cpu]);
	}
	pthread_mutex_unlock(&live_lock);
	return n;
}

/* Drop @wk->lock; if the worker was asleep, wake it (one system call). */
static void unlock_and_wake(struct worker *wk)
{
	bool wake = wk->sleeping;

	if (wake) {
		wk->sleeping = false;
		__atomic_store_n(&wk->wake_seq, wk->wake_seq + 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&wk->lock);
	if (wake)
		zpb_futex_wake(&wk->wake_seq, 1);
}

static void workers_stop(struct workqueue_struct *wq, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct worker *wk = &wq->workers[i];
		if (!wk->started)
			continue;
		spin_lock(&wk->lock);
		__atomic_store_n(&wk->stop, true, __ATOMIC_RELAXED);
		unlock_and_wake(wk);
		pthread_join(wk->thread, NULL);
		wk->started = false;
	}
}

struct workqueue_struct *alloc_workqueue(const char *name, unsigned int flags, int max_active)
{
	struct workqueue_struct *wq;
	int i;

	(void)max_active;	/* ordered queues have one worker; a bound one's runs one work at a time too */
	/* Failure injection (fault.h): a pool whose workqueue cannot be made. */
	if (zpb_should_fail(ZPB_FAULT_SETUP))
		return NULL;
	wq = calloc(1, sizeof(*wq));
	if (!wq)
		return NULL;
	snprintf(wq->name, sizeof(wq->name), "%s", name);
	wq->flags = flags;
	wq->deterministic = zpb_wq_is_deterministic();
	wq->nr_workers = is_bound(wq) ? (int)nr_cpu_ids : 1;
	if (posix_memalign((void **)&wq->workers, 64, (size_t)wq->nr_workers * sizeof(*wq->workers))) {
		free(wq);
		return NULL;
	}
	memset(wq->workers, 0, (size_t)wq->nr_workers * sizeof(*wq->workers));
	for (i = 0; i < wq->nr_workers; i++) {
		struct worker *wk = &wq->workers[i];

		spin_lock_init(&wk->lock);
		INIT_LIST_HEAD(&wk->worklist);
		wk->cpu = is_bound(wq) ? i : -1;
		wk->wq = wq;
		if (wq->deterministic || (is_bound(wq) && !cpu_online(i)))
			continue;
		if (pthread_create(&wk->thread, NULL, worker_thread, wk)) {
			workers_stop(wq, i);
			free(wq->workers);
			free(wq);
			return NULL;
		}
		wk->started = true;
	}
	pthread_mutex_lock(&live_lock);
	list_add_tail(&wq->live, &live_wqs);
	pthread_mutex_unlock(&live_lock);
	return wq;
}

void zpb_wq_flush_all(void)
{
	struct workqueue_struct *wq;

	if (zpb_wq_is_deterministic()) {
		zpb_wq_run_deferred();
		return;
	}
	pthread_mutex_lock(&live_lock);
	list_for_each_entry(wq, &live_wqs, live)
		flush_workqueue(wq);
	pthread_mutex_unlock(&live_lock);
}

/* The worker a work queued on @cpu goes to (WORK_CPU_UNBOUND: -1, the local CPU). */
static struct worker *select_worker(struct workqueue_struct *wq, int cpu)
{
	if (!is_bound(wq))
		return &wq->workers[0];
	if (cpu < 0 || cpu >= wq->nr_workers)
		cpu = smp_processor_id();
	if (!wq->workers[cpu].started)
		cpu = zpb_next_online_cpu(-1);	/* a CPU outside this process's mask */
	return &wq->workers[cpu];
}

/* The caller owns @work's pending bit: put it on a list. */
static void insert_work(struct workqueue_struct *wq, struct work_struct *work, int cpu)
{
	struct worker *wk = select_worker(wq, cpu);
	struct worker *last = __atomic_load_n(&work->worker, __ATOMIC_ACQUIRE);

	if (last && last != wk && last->wq == wq) {
		/* Non-reentrant, as the kernel's: still running on @last? Then it queues there. */
		spin_lock(&last->lock);
		if (last->current_work == work) {
			wk = last;
			goto locked;
		}
		spin_unlock(&last->lock);
	}
	spin_lock(&wk->lock);
locked:
	__atomic_store_n(&work->wq, wq, __ATOMIC_RELEASE);
	__atomic_store_n(&work->worker, wk, __ATOMIC_RELEASE);
	list_add_tail(&work->entry, &wk->worklist);
	nr_queued_add(wk, 1);
	/* The first work since it went to sleep wakes it; the rest of the batch do not. */
	if (helpers_on())
		spin_unlock(&wk->lock);	/* a helper runs it: no worker to wake */
	else
		unlock_and_wake(wk);
}

bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work)
{
	if (test_and_set_bit(WORK_STRUCT_PENDING_BIT, &work->data))
		return false;	/* already pending: the kernel's fast path, no lock, no call */
	BUG_ON(__atomic_load_n(&wq->dead, __ATOMIC_RELAXED));
	if (wq->deterministic) {
		spin_lock(&deferred_lock);
		__atomic_store_n(&work->wq, wq, __ATOMIC_RELEASE);
		list_add_tail(&work->entry, &deferred);
		spin_unlock(&deferred_lock);
		return true;
	}
	insert_work(wq, work, cpu);
	return true;
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	return queue_work_on(-1, wq, work);
}

/*
 * Take @work's pending bit away from whoever has it, as the kernel's
 * try_to_grab_pending(). Return: true if the work was queued (and is now
 * off its list), false if it was idle. Either way the caller owns the bit.
 */
static bool grab_pending(struct work_struct *work)
{
	for (;;) {
		struct workqueue_struct *wq;
		struct worker *wk;

		if (!test_and_set_bit(WORK_STRUCT_PENDING_BIT, &work->data))
			return false;
		wq = __atomic_load_n(&work->wq, __ATOMIC_ACQUIRE);
		if (wq && wq->deterministic) {
			spin_lock(&deferred_lock);
			if (!list_empty(&work->entry)) {
				list_del_init(&work->entry);
				spin_unlock(&deferred_lock);
				return true;
			}
			spin_unlock(&deferred_lock);
		} else if ((wk = __atomic_load_n(&work->worker, __ATOMIC_ACQUIRE))) {
			spin_lock(&wk->lock);
			if (__atomic_load_n(&work->worker, __ATOMIC_RELAXED) == wk && !list_empty(&work->entry)) {
				list_del_init(&work->entry);
				nr_queued_add(wk, -1);
				/* Counted as started and finished, so flushes waiting for it end. */
				wk->nr_started++;
				wk->nr_finished++;
				if (note_done(wk)) {
					spin_unlock(&wk->lock);
					zpb_futex_wake(&wk->done_seq, INT_MAX);
				} else {
					spin_unlock(&wk->lock);
				}
				return true;
			}
			spin_unlock(&wk->lock);
		}
		/* A queuer holds the bit and has not added the work yet, or another canceller has it. */
		cpu_relax();
	}
}

bool cancel_work_sync(struct work_struct *work)
{
	struct worker *wk;
	bool was_pending;

	if (!__atomic_load_n(&work->wq, __ATOMIC_ACQUIRE))
		return false;	/* never queued */
	was_pending = grab_pending(work);
	/* In deterministic mode work runs on the caller, so it is never running here. */
	wk = __atomic_load_n(&work->worker, __ATOMIC_ACQUIRE);
	if (wk) {
		spin_lock(&wk->lock);
		while (wk->current_work == work)
			wait_done(wk);
		spin_unlock(&wk->lock);
	}
	clear_bit_unlock(WORK_STRUCT_PENDING_BIT, &work->data);
	return was_pending;
}

void zpb_wq_run_deferred(void)
{
	for (;;) {
		struct work_struct *work;

		spin_lock(&deferred_lock);
		if (list_empty(&deferred)) {
			spin_unlock(&deferred_lock);
			return;
		}
		work = list_first_entry(&deferred, struct work_struct, entry);
		list_del_init(&work->entry);
		test_and_clear_bit(WORK_STRUCT_PENDING_BIT, &work->data);
		spin_unlock(&deferred_lock);
		work->func(work);
	}
}

void flush_workqueue(struct workqueue_struct *wq)
{
	int i;

	if (wq->deterministic) {
		zpb_wq_run_deferred();
		return;
	}
	for (i = 0; i < wq->nr_workers; i++) {
		struct worker *wk = &wq->workers[i];
		unsigned long target;

		if (!wk->started)
			continue;
		spin_lock(&wk->lock);
		/* Wait until everything running or queued now has finished. */
		target = wk->nr_started + (unsigned long)wk->nr_queued;
		while (wk->nr_finished < target) {
			if (helpers_on() && !wk->current_work && !list_empty(&wk->worklist))
				run_one(wk);	/* helper mode: the flusher runs it */
			else
				wait_done(wk);
		}
		spin_unlock(&wk->lock);
	}
}

bool flush_work(struct work_struct *work)
{
	struct workqueue_struct *wq = __atomic_load_n(&work->wq, __ATOMIC_ACQUIRE);
	struct worker *wk;
	bool waited = false;

	/* A destroyed queue ran everything and runs nothing more. */
	if (!wq || __atomic_load_n(&wq->dead, __ATOMIC_ACQUIRE))
		return false;
	if (wq->deterministic) {
		if (work_pending(work)) {
			zpb_wq_run_deferred();
			waited = true;
		}
		return waited;
	}
	wk = __atomic_load_n(&work->worker, __ATOMIC_ACQUIRE);
	if (!wk)
		return false;
	spin_lock(&wk->lock);
	while ((__atomic_load_n(&work->worker, __ATOMIC_RELAXED) == wk && !list_empty(&work->entry)) ||
	       wk->current_work == work) {
		waited = true;
		if (helpers_on() && !wk->current_work && !list_empty(&wk->worklist))
			run_one(wk);	/* helper mode: the flusher runs what is ahead of it, and it */
		else
			wait_done(wk);
	}
	spin_unlock(&wk->lock);
	return waited;
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	if (!wq)
		return;
	pthread_mutex_lock(&live_lock);
	list_del(&wq->live);
	pthread_mutex_unlock(&live_lock);
	/* As the kernel's drain_workqueue(): run what is queued, then stop. */
	flush_workqueue(wq);
	workers_stop(wq, wq->nr_workers);
	__atomic_store_n(&wq->dead, true, __ATOMIC_RELEASE);
	pthread_mutex_lock(&graveyard_lock);
	list_add(&wq->grave, &graveyard);
	pthread_mutex_unlock(&graveyard_lock);
}

static void system_wq_init(void)
{
	/* v5.4's system_wq: alloc_workqueue("events", 0, 0), bound per-CPU. */
	system_wq = alloc_workqueue("events", 0, 0);
	BUG_ON(!system_wq);
}

bool schedule_work(struct work_struct *work)
{
	pthread_once(&system_wq_once, system_wq_init);
	return queue_work(system_wq, work);
}
