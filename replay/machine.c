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
	zpb_jw_object_end(w);
}
