/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Scheduling for the compat layer: cond_resched(), the system calls the
 * layer makes to sleep, wake and yield, and what they cost.
 *
 * The kernel's own versions of these are cheap: a wake-up is a function
 * call and an IPI, cond_resched() a flag test. Here a wake-up is a futex
 * system call (5-12 us on a VM) and a yield a sched_yield(). They are the
 * emulation's cost, not the allocator's, so each one the layer makes goes
 * through the functions below, which count it and time it (two vDSO clock
 * reads around a system call) in per-thread counters: no lock, no system
 * call of their own. The replay engine reads the calling thread's
 * counters before and after each op (zpool_emulation()) and reports the
 * difference as that op's emulation time (docs/results-format.md).
 *
 * cond_resched() policy. In the kernel it yields only when the scheduler
 * has flagged that something else is waiting for this CPU; under full
 * preemption (CONFIG_PREEMPT) it compiles to nothing, because the
 * scheduler can take the CPU at any point anyway. A userspace thread is
 * always preemptible, so the OS already does that for every other process.
 * What the OS does not know is the one case the kernel's flag is about in
 * these ports: a worker bound to this CPU (a per-CPU workqueue's, which
 * runs only here) has work waiting. cond_resched() yields then and only
 * then; every other call is a load and a compare. An unconditional
 * sched_yield(), what it did before, gave the CPU away to unrelated
 * processes thousands of times a run on a shared machine.
 */
#ifndef ZPB_KERNEL_SCHED_H
#define ZPB_KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "types.h"

/* One thread's emulation cost so far. Written only by that thread. */
struct zpb_emulation {
	uint64_t ns;		/* inside the layer's system calls, waits included */
	uint64_t futex_wake;	/* calls made */
	uint64_t futex_wait;
	uint64_t sched_yield;
};

extern __thread struct zpb_emulation zpb_emul;

/* Sleep while *@word == @val (or until woken); counted and timed. */
void zpb_futex_wait(uint32_t *word, uint32_t val);
/* Wake up to @n threads sleeping on @word; counted and timed. */
void zpb_futex_wake(uint32_t *word, int n);
/* Give up the CPU (the spinlocks' slow path after a while); counted and timed. */
void zpb_sched_yield(void);

/*
 * Work queued for a worker bound to @cpu and not yet started, per CPU:
 * what cond_resched() looks at. The workqueue keeps it (workqueue.c).
 */
extern int zpb_cpu_bound_queued[];
/* The same for the unbound workers (an ordered queue's: z3fold's release_wq and compact_wq). */
extern int zpb_unbound_queued;
static inline void zpb_cpu_bound_queued_add(int cpu, int d)
{
	__atomic_fetch_add(&zpb_cpu_bound_queued[cpu], d, __ATOMIC_RELAXED);
}

/* Scheduling points: see the policy above. */
void cond_resched(void);

/*
 * zpb_preempt_point() - a caller's point between two operations where the
 * kernel would already have run a worker it woke.
 *
 * queue_work() wakes a kworker, and the kernel runs it within
 * microseconds: on an idle CPU, or by wake-up preemption. A userspace
 * worker waits for a time slice on CPUs the replay threads keep busy
 * (milliseconds, a thousand ops and more), and meanwhile z3fold's freed
 * pages wait on its stale list. So the replay calls this between ops,
 * never inside a timed one, and when an unbound worker or one bound to
 * @cpu has work waiting, the calling thread runs it (workqueue.h,
 * zpb_wq_help()): outside any op's time, counted in the results.
 * @cpu: the one the caller is pinned to (-1: none). Return: the works run.
 */
unsigned int zpb_wq_help(int cpu);
static inline unsigned int zpb_preempt_point(int cpu)
{
	if (!__atomic_load_n(&zpb_unbound_queued, __ATOMIC_RELAXED) &&
	    (cpu < 0 || !__atomic_load_n(&zpb_cpu_bound_queued[cpu], __ATOMIC_RELAXED)))
		return 0;
	return zpb_wq_help(cpu);
}
#define might_sleep() do { } while (0)

#endif
