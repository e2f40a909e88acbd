/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU data and the CPU a thread runs on.
 *
 * smp_processor_id() is the CPU the replay pinned the calling thread to
 * (zpb_set_thread_cpu()), else sched_getcpu(). In the kernel, get_cpu_ptr()
 * disables preemption so the CPU cannot change until put_cpu_ptr(); here a
 * thread may migrate, so preempt_disable() latches the CPU number for the
 * calling thread until the matching preempt_enable(). Per-CPU data the ports
 * use exclusively is guarded by local_lock(), which is a real lock, since two
 * threads may share a CPU number.
 *
 * for_each_online_cpu() walks the CPUs of the process's affinity mask taken
 * at start-up; nr_cpu_ids covers every CPU number the system may report.
 */
#ifndef ZPB_KERNEL_PERCPU_H
#define ZPB_KERNEL_PERCPU_H

#include "spinlock.h"
#include "types.h"

#define ZPB_MAX_CPUS 1024

extern unsigned int nr_cpu_ids;
extern unsigned long zpb_online_mask[ZPB_MAX_CPUS / BITS_PER_LONG];

int smp_processor_id(void);
#define raw_smp_processor_id() smp_processor_id()
/* Tell the compat layer which CPU this thread is pinned to (-1: ask the OS). */
void zpb_set_thread_cpu(int cpu);
/* Threads that told the layer their CPU (the replay's pinned threads), now. */
extern int zpb_nr_pinned_threads;
int zpb_nr_online_cpus(void);

void preempt_disable(void);
void preempt_enable(void);
static inline int get_cpu(void) { preempt_disable(); return smp_processor_id(); }
static inline void put_cpu(void) { preempt_enable(); }

static inline bool cpu_online(unsigned int cpu)
{
	return cpu < ZPB_MAX_CPUS && ((zpb_online_mask[cpu / BITS_PER_LONG] >> (cpu % BITS_PER_LONG)) & 1);
}
int zpb_next_online_cpu(int cpu);
#define for_each_online_cpu(cpu) \
	for ((cpu) = zpb_next_online_cpu(-1); (cpu) >= 0; (cpu) = zpb_next_online_cpu(cpu))
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < (int)nr_cpu_ids; (cpu)++)

/*
 * Dynamic per-CPU allocations: nr_cpu_ids copies at a fixed stride, the
 * stride stored just before the first copy so per_cpu_ptr() needs only the
 * pointer. Copies are zeroed, as the kernel's are.
 */
void *zpb_percpu_alloc(size_t size, size_t align);
void free_percpu(void *ptr);
static inline void *zpb_percpu_ptr(void *ptr, int cpu)
{
	return (char *)ptr + (size_t)cpu * ((size_t *)ptr)[-1];
}
#define __alloc_percpu(size, align) zpb_percpu_alloc((size), (align))
#define alloc_percpu(type) ((type *)zpb_percpu_alloc(sizeof(type), __alignof__(type)))
#define per_cpu_ptr(ptr, cpu) ((__typeof__(ptr))zpb_percpu_ptr((void *)(ptr), (cpu)))
#define this_cpu_ptr(ptr) per_cpu_ptr(ptr, smp_processor_id())
#define get_cpu_ptr(ptr) ({ preempt_disable(); this_cpu_ptr(ptr); })
#define put_cpu_ptr(ptr) do { (void)(ptr); preempt_enable(); } while (0)

/* local_lock on a per-CPU local_lock_t: latch the CPU, then take its lock. */
#define local_lock(l) do { preempt_disable(); ZPB_LOCAL_LOCK(&this_cpu_ptr(l)->lock, #l); } while (0)
#define local_unlock(l) do { spin_unlock(&this_cpu_ptr(l)->lock); preempt_enable(); } while (0)

#endif
