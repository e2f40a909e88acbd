/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The running kernel's zsmalloc parameters, as zram uses them: the zspage
 * chain size (CONFIG_ZSMALLOC_CHAIN_SIZE) read from /proc/config.gz or
 * /boot/config-RELEASE, and the kernel release.
 */
#ifndef ZPB_KPARAMS_H
#define ZPB_KPARAMS_H

#include <stddef.h>

struct zpb_kparams {
	char release[128];	/* uname -r */
	int chain_size;		/* 0 if the config could not be read */
	char config_source[64];	/* where chain_size came from */
};

/* Fill @kp. Never fails: what cannot be read stays 0/empty and says so. */
void zpb_kparams_read(struct zpb_kparams *kp);

#endif
