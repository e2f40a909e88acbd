// SPDX-License-Identifier: GPL-2.0-only
/* The machine a run was made on, for the results file. */
#include <numa.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../util/json_writer.h"
#include "internal.h"

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

/* "0-3,8": the CPUs of @mask as a list. */
static void cpu_ranges(struct bitmask *mask, char *buf, size_t len)
{
	unsigned i, n = numa_num_possible_cpus(), first;
	size_t l = 0;

	buf[0] = 0;
	for (i = 0; i < n && l + 24 < len; i++) {
		if (!numa_bitmask_isbitset(mask, i))
			continue;
		for (first = i; i + 1 < n && numa_bitmask_isbitset(mask, i + 1); i++)
			;
		l += (size_t)snprintf(buf + l, len - l, first == i ? "%s%u" : "%s%u-%u", l ? "," : "", first, i);
	}
}

/* The NUMA layout: per configured node its CPUs and memory (one node 0 without NUMA support). */
static void numa_layout(struct zpb_jw *w)
{
	struct bitmask *mask = numa_available() < 0 ? NULL : numa_allocate_cpumask();
	int node, max = mask ? numa_max_node() : 0;
	char cpus[1024];

	zpb_jw_array_begin(w);
	for (node = 0; node <= max; node++) {
		long long size = 0;

		if (mask && (!numa_bitmask_isbitset(numa_nodes_ptr, (unsigned)node) || numa_node_to_cpus(node, mask)))
			continue;
		if (mask) {
			cpu_ranges(mask, cpus, sizeof(cpus));
			size = numa_node_size64(node, NULL);
		} else {
			snprintf(cpus, sizeof(cpus), "0-%ld", sysconf(_SC_NPROCESSORS_ONLN) - 1);
			size = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
		}
		zpb_jw_object_begin(w);
		zpb_jw_ki64(w, "node", node);
		zpb_jw_kstring(w, "cpus", cpus);
		zpb_jw_ki64(w, "memory_bytes", size > 0 ? size : 0);
		zpb_jw_object_end(w);
	}
	zpb_jw_array_end(w);
	if (mask)
		numa_free_cpumask(mask);
}

void zpb_machine_write(struct zpb_jw *w)
{
	char model[256], host[256] = "unknown";
	struct utsname u;
	long phys = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	cpu_model(model, sizeof(model));
	gethostname(host, sizeof(host) - 1);
	zpb_jw_object_begin(w);
	zpb_jw_kstring(w, "cpu_model", model);
	zpb_jw_ki64(w, "cores", sysconf(_SC_NPROCESSORS_ONLN));
	zpb_jw_ki64(w, "numa_nodes", numa_available() < 0 ? 1 : numa_num_configured_nodes());
	zpb_jw_kstring(w, "kernel", uname(&u) == 0 ? u.release : "unknown");
	zpb_jw_kstring(w, "hostname", host);
	zpb_jw_ki64(w, "page_size", psz);
	zpb_jw_ku64(w, "memory_bytes", (uint64_t)(phys > 0 ? phys : 0) * (uint64_t)psz);
	zpb_jw_key(w, "numa");
	numa_layout(w);
	zpb_jw_object_end(w);
}
