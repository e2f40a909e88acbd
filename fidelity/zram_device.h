/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Driving a kernel zram device for `zpoolbench capture zram`: find or
 * hot-add a free device, configure it, do 4 KiB O_DIRECT writes and
 * discards one at a time, compact, read mm_stat, and always reset it.
 *
 * Every zram page lives in the kernel's own zsmalloc, so mm_stat is the
 * kernel's truth about zsmalloc's page use (see docs/fidelity.md).
 */
#ifndef ZPB_ZRAM_DEVICE_H
#define ZPB_ZRAM_DEVICE_H

#include <stddef.h>
#include <stdint.h>

/* The fields of /sys/block/zramN/mm_stat, in its order (zram.rst). */
struct zpb_mm_stat {
	uint64_t orig_data_size;	/* bytes of pages stored, uncompressed */
	uint64_t compr_data_size;	/* bytes of compressed data stored */
	uint64_t mem_used_total;	/* bytes of pages zsmalloc holds */
	uint64_t mem_limit;
	uint64_t mem_used_max;
	uint64_t same_pages;		/* same-filled pages: no allocation */
	uint64_t pages_compacted;	/* freed by compaction, cumulative */
	uint64_t huge_pages;		/* stored uncompressed */
	uint64_t huge_pages_since;
};

struct zpb_zram {
	int id;			/* N of /dev/zramN */
	int fd;			/* the block device, O_DIRECT */
	int mm_stat_fd;		/* /sys/block/zramN/mm_stat, kept open for cheap reads */
	int hot_added;		/* we added it: remove it at the end */
	uint64_t pages;		/* device size in pages */
	void *buf;		/* one page, aligned for O_DIRECT */
};

/**
 * zpb_zram_setup - claim a free zram device and configure it
 * @z: filled in
 * @device: "/dev/zramN" to use, or NULL to find or hot-add a free one
 * @compressor: a name from comp_algorithm ("lz4", "lzo", "lzo-rle")
 * @pages: disk size in pages
 *
 * Refuses (returning -1 with @err set) without root, without zram, or when
 * the device is in use (already initialised). On success the device is
 * ours until zpb_zram_release(), which also runs from the signal handlers
 * zpb_zram_setup() installs, so the device is reset even on Ctrl-C.
 */
int zpb_zram_setup(struct zpb_zram *z, const char *device, const char *compressor,
		   uint64_t pages, char *err, size_t errlen);
int zpb_zram_write(struct zpb_zram *z, uint64_t index, const void *page, char *err, size_t errlen);
int zpb_zram_discard(struct zpb_zram *z, uint64_t index, char *err, size_t errlen);
int zpb_zram_compact(struct zpb_zram *z, char *err, size_t errlen);
int zpb_zram_mm_stat(struct zpb_zram *z, struct zpb_mm_stat *st, char *err, size_t errlen);
/* Reset the device (and hot-remove it if we added it). Safe to call twice. */
void zpb_zram_release(struct zpb_zram *z);
/* Non-zero once SIGINT/SIGTERM arrived during a capture. */
int zpb_zram_interrupted(void);

#endif
