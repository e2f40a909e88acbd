/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workqueues: queue_work() and friends, on worker threads placed where the
 * kernel's run the work (v5.4 kernel/workqueue.c):
 *   - an unbound queue (WQ_UNBOUND; alloc_ordered_workqueue() and
 *     create_singlethread_workqueue(), so v5.4 z3fold's compact_wq and
 *     release_wq) has one worker, free to run on any CPU; it is ordered
 *     (max_active 1), so the CPU given to queue_work_on() changes nothing;
 *   - a bound (per-CPU) queue (system_wq, zsmalloc's free_work) has a
 *     worker pinned to each online CPU, and queue_work() runs the work on
 *     the queuing CPU's, queue_work_on() on the CPU named. As the kernel's,
 *     a work still running on one CPU's worker is queued behind itself
 *     there rather than run twice at once.
 *
 * Costs, as the kernel's where the kernel's are cheap: queue_work() on a
 * pending work is one atomic bit operation; otherwise it takes the
 * worker's spinlock and adds the work, and makes a system call only when
 * the worker is asleep, once for all the work queued until it wakes. An
 * idle unbound worker polls its list for up to ZPB_WQ_IDLE_POLL_NS before
 * sleeping, when a CPU is free for it to do so (docs/measurement.md).
 *
 * Deterministic mode: when on, queued work does not go to a worker. It waits
 * on a process-wide FIFO and runs on the calling thread when
 * zpb_wq_run_deferred() is called; the zpool layer calls it at the end of
 * every pool operation. A single-threaded run is then bit-for-bit
 * reproducible: the same operations give the same pages at every point.
 * Set the mode before creating any pool.
 */
#ifndef ZPB_KERNEL_WORKQUEUE_H
#define ZPB_KERNEL_WORKQUEUE_H

#include "list.h"
#include "types.h"

struct work_struct;
struct workqueue_struct;
typedef void (*work_func_t)(struct work_struct *work);

#define WORK_STRUCT_PENDING_BIT 0

struct worker;

/*
 * Whoever sets the pending bit owns the work until it is on a list: the
 * queuer (test_and_set_bit, as the kernel's), or a canceller. @entry and
 * @worker change only under the lock of the worker it goes to.
 */
struct work_struct {
	unsigned long data;		/* WORK_STRUCT_PENDING_BIT */
	struct list_head entry;
	work_func_t func;
	struct workqueue_struct *wq;	/* where it was last queued */
	struct worker *worker;		/* whose list it was last put on */
};

#define INIT_WORK(_work, _func) do {			\
	(_work)->data = 0;				\
	INIT_LIST_HEAD(&(_work)->entry);		\
	(_work)->func = (_func);			\
	(_work)->wq = NULL;				\
	(_work)->worker = NULL;				\
} while (0)

bool work_pending(const struct work_struct *work);

#define WQ_UNBOUND 0x2u
#define WQ_FREEZABLE 0x4u
#define WQ_MEM_RECLAIM 0x8u
#define __WQ_ORDERED 0x20000u

/* How long an idle unbound worker polls for work before it sleeps. */
#define ZPB_WQ_IDLE_POLL_NS 200000

struct workqueue_struct *alloc_workqueue(const char *name, unsigned int flags, int max_active);
/* As v5.4 include/linux/workqueue.h: ordered queues are unbound, one work at a time. */
#define alloc_ordered_workqueue(name, flags) alloc_workqueue((name), WQ_UNBOUND | __WQ_ORDERED | (flags), 1)
#define create_singlethread_workqueue(name) alloc_ordered_workqueue((name), WQ_MEM_RECLAIM)
/* Runs what is queued, then stops; works that ran on @wq may still be cancelled or flushed. */
void destroy_workqueue(struct workqueue_struct *wq);

/**
 * queue_work - queue work on a workqueue
 * Return: false if @work was already pending, true otherwise.
 */
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
/* Bound queue: run @work on @cpu's worker. Unbound: @cpu changes nothing. */
bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work);
/**
 * cancel_work_sync - cancel pending work and wait for a running instance
 * Return: true if @work was pending (and is now not).
 */
bool cancel_work_sync(struct work_struct *work);
bool flush_work(struct work_struct *work);
void flush_workqueue(struct workqueue_struct *wq);

/* The kernel's system_wq, created on first use. */
extern struct workqueue_struct *system_wq;
bool schedule_work(struct work_struct *work);

void zpb_wq_set_deterministic(bool on);
bool zpb_wq_is_deterministic(void);
/* The flag itself, for zpool.h's check after every op: a call there cost more than the check. */
extern bool zpb_wq_deterministic;
static inline bool zpb_wq_deterministic_now(void)
{
	return __atomic_load_n(&zpb_wq_deterministic, __ATOMIC_RELAXED);
}
/* Run deferred work (deterministic mode) until none is left. */
void zpb_wq_run_deferred(void);
/*
 * zpb_wq_flush_all - wait until the work queued on every workqueue (when
 * called) has run; in deterministic mode, run the deferred work. For the
 * harness, at checkpoints where a pool should be measured at rest. Must not
 * be called from a work item (it would wait for itself).
 */
void zpb_wq_flush_all(void);
/**
 * zpb_wq_help() - run, on the calling thread, the work queued for every
 * unbound worker and for @cpu's bound workers, as those workers would and
 * one work at a time per worker (a worker running one is left to it)
 *
 * The kernel runs a kworker it woke within microseconds (wake-up
 * preemption, or an idle CPU). A worker thread here waits for a time slice
 * on a CPU that the replay threads keep busy, milliseconds, while the replay
 * goes on at a million ops a second: z3fold's freed pages then wait on its
 * stale list, and its pool held 4-35 times the pages it holds when the work
 * runs promptly. So the replay calls this between ops (sched.h,
 * zpb_preempt_point()). Not in deterministic mode (no workers).
 * Return: the works run.
 */
unsigned int zpb_wq_help(int cpu);
/*
 * zpb_wq_set_helpers() - helper mode, on or off (calls nest): while on,
 * workers run no work (but a destroyed queue's); the queuers run it, at
 * zpb_wq_help() and in flush_work()/flush_workqueue(). A replay thread's
 * worker would otherwise take a work, be preempted in it for a time slice,
 * and hold up every work behind it. Off again, workers with work waiting
 * are woken.
 */
void zpb_wq_set_helpers(bool on);
/* Work queued for the calling thread's worker if it is @cpu's bound one (cond_resched). */
int zpb_wq_current_bound_queued(int cpu);

#endif
