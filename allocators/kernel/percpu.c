// SPDX-License-Identifier: GPL-2.0-only
/* Per-CPU allocations and the calling thread's CPU number. See percpu.h. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bug.h"
#include "fault.h"
#include "percpu.h"

unsigned int nr_cpu_ids;
unsigned long zpb_online_mask[ZPB_MAX_CPUS / BITS_PER_LONG];

static __thread int pinned_cpu = -1;
static __thread int latched_cpu = -1;
static __thread int preempt_count;

/* Runs before main(), as the kernel knows its CPUs before any allocator runs. */
__attribute__((constructor)) static void percpu_init(void)
{
	cpu_set_t set;
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	int cpu;

	nr_cpu_ids = conf > 0 ? (unsigned int)conf : 1;
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (cpu = 0; cpu < ZPB_MAX_CPUS && cpu < CPU_SETSIZE; cpu++) {
			if (CPU_ISSET(cpu, &set)) {
				zpb_online_mask[cpu / BITS_PER_LONG] |= 1UL << (cpu % BITS_PER_LONG);
				if ((unsigned int)cpu >= nr_cpu_ids)
					nr_cpu_ids = cpu + 1;
			}
		}
	} else {
		zpb_online_mask[0] = 1;
	}
	if (nr_cpu_ids > ZPB_MAX_CPUS)
		nr_cpu_ids = ZPB_MAX_CPUS;
}

int zpb_next_online_cpu(int cpu)
{
	for (cpu++; cpu < (int)nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			return cpu;
	return -1;
}

int zpb_nr_pinned_threads;

void zpb_set_thread_cpu(int cpu)
{
	BUG_ON(cpu >= (int)nr_cpu_ids);
	if ((cpu >= 0) != (pinned_cpu >= 0))
		__atomic_fetch_add(&zpb_nr_pinned_threads, cpu >= 0 ? 1 : -1, __ATOMIC_RELAXED);
	pinned_cpu = cpu;
}

int zpb_nr_online_cpus(void)
{
	static int n;
	int cpu, c = __atomic_load_n(&n, __ATOMIC_RELAXED);

	if (c)
		return c;
	for_each_online_cpu(cpu)
		c++;
	__atomic_store_n(&n, c, __ATOMIC_RELAXED);
	return c;
}

int smp_processor_id(void)
{
	int cpu;

	if (latched_cpu >= 0)
		return latched_cpu;
	if (pinned_cpu >= 0)
		return pinned_cpu;
	cpu = sched_getcpu();
	return cpu >= 0 && cpu < (int)nr_cpu_ids ? cpu : 0;
}

void preempt_disable(void)
{
	if (preempt_count++ == 0)
		latched_cpu = smp_processor_id();
}

void preempt_enable(void)
{
	BUG_ON(preempt_count <= 0);
	if (--preempt_count == 0)
		latched_cpu = -1;
}

void *zpb_percpu_alloc(size_t size, size_t align)
{
	size_t hdr, stride;
	char *base;

	if (zpb_should_fail(ZPB_FAULT_SETUP))
		return NULL;
	if (align < sizeof(size_t))
		align = sizeof(size_t);
	/* Keep copies on separate cache lines, as the kernel's per-CPU areas are. */
	if (align < 64)
		align = 64;
	hdr = align;
	stride = ALIGN(size, align);
	if (posix_memalign((void **)&base, align, hdr + stride * nr_cpu_ids))
		return NULL;
	memset(base, 0, hdr + stride * nr_cpu_ids);
	((size_t *)(base + hdr))[-1] = stride;
	((size_t *)(base + hdr))[-2] = hdr;
	return base + hdr;
}

void free_percpu(void *ptr)
{
	if (ptr)
		free((char *)ptr - ((size_t *)ptr)[-2]);
}
