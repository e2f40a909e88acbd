// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where replay threads run: pinned to one CPU each (thread i on the i-th
 * CPU of --cpus, wrapping), told to the compat layer so per-CPU structures
 * index by it, with the NUMA memory policy --mem-policy asks for.
 */
#include <numa.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int cpu_node[CPU_SETSIZE];
static int nnodes = 1;
static __thread int my_node;

int zpb_place_thread(const struct zpb_replay_options *o, int index, int *cpu, char *err, size_t errlen)
{
	int c = o->cpus[index % o->ncpus], rc, i;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(c, &set);
	rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (rc) {
		snprintf(err, errlen, "cannot pin replay thread %d to CPU %d: %s", index, c, strerror(rc));
		return -1;
	}
	zpool_bind_cpu(c);
	*cpu = c;
	my_node = c < CPU_SETSIZE ? cpu_node[c] : 0;
	if (numa_available() < 0 || o->nnodes == 0)
		return 0;
	if (o->mem_policy == ZPB_MEM_PREFERRED) {
		numa_set_preferred(o->nodes[0]);
	} else if (o->mem_policy != ZPB_MEM_LOCAL) {
		struct bitmask *bm = numa_allocate_nodemask();

		for (i = 0; i < o->nnodes; i++)
			numa_bitmask_setbit(bm, (unsigned int)o->nodes[i]);
		if (o->mem_policy == ZPB_MEM_BIND)
			numa_set_membind(bm);
		else
			numa_set_interleave_mask(bm);
		numa_free_nodemask(bm);
	} else {
		numa_set_localalloc();
	}
	return 0;
}

/*
 * CPU -> node, filled once on the calling thread: libnuma fills its own
 * tables lazily and not thread-safely, so threads only read this copy.
 */
void zpb_place_init(void)
{
	int c, ok = numa_available() >= 0;

	for (c = 0; c < CPU_SETSIZE; c++) {
		int n = ok && c < numa_num_configured_cpus() ? numa_node_of_cpu(c) : 0;

		cpu_node[c] = n < 0 || n >= ZPB_LRU_MAX_NODES ? 0 : n;
		if (cpu_node[c] >= nnodes)
			nnodes = cpu_node[c] + 1;
	}
}

void zpb_place_where(int *cpu, int *node)
{
	int c = sched_getcpu();

	*cpu = c;
	*node = c >= 0 && c < CPU_SETSIZE ? cpu_node[c] : 0;
}

int zpb_place_node(void)
{
	return my_node;
}

int zpb_place_nnodes(void)
{
	return nnodes;
}
