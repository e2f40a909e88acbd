// SPDX-License-Identifier: GPL-2.0-only
/* The running kernel's zsmalloc parameters. See kparams.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "kparams.h"

static int chain_from(FILE *f)
{
	char line[256];
	int chain = 0;

	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CONFIG_ZSMALLOC_CHAIN_SIZE=%d", &chain) == 1)
			break;
	return chain;
}

void zpb_kparams_read(struct zpb_kparams *kp)
{
	struct utsname u;
	char path[256];
	FILE *f;

	memset(kp, 0, sizeof(*kp));
	if (uname(&u) == 0)
		snprintf(kp->release, sizeof(kp->release), "%s", u.release);
	/* gzip is on every Debian system; this avoids a zlib dependency. */
	f = popen("gzip -dc /proc/config.gz 2>/dev/null", "r");
	if (f) {
		kp->chain_size = chain_from(f);
		pclose(f);
		if (kp->chain_size)
			snprintf(kp->config_source, sizeof(kp->config_source), "/proc/config.gz");
	}
	if (!kp->chain_size) {
		snprintf(path, sizeof(path), "/boot/config-%s", kp->release);
		f = fopen(path, "r");
		if (f) {
			kp->chain_size = chain_from(f);
			fclose(f);
			if (kp->chain_size)
				snprintf(kp->config_source, sizeof(kp->config_source), "%.63s", path);
		}
	}
}
