/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `zpoolbench capture zram`: perform an op script on a real zram device,
 * and write (1) a zpoolbench trace of the same operations in the order the
 * kernel performs them and (2) a truth file with the kernel's mm_stat at
 * every mark, for `zpoolbench validate`.
 */
#ifndef ZPB_CAPTURE_ZRAM_H
#define ZPB_CAPTURE_ZRAM_H

#include <stddef.h>
#include <stdint.h>

#include "../traces/trace.h"

/* A userspace compressor: compressed length of one page, or 0 on failure. */
typedef size_t (*zpb_page_compress_fn)(const void *page, void *ctx);

struct zpb_capture_zram_opts {
	const char *const *images;	/* page image files, concatenated */
	int nimages;
	const char *script;		/* an op script file, or NULL */
	const char *pattern;		/* or a pattern (opscript.h) */
	const char *compressor;		/* zram's name: lz4, lzo, lzo-rle */
	zpb_page_compress_fn compress;	/* userspace twin of @compressor, or NULL */
	void *compress_ctx;
	const char *device;		/* /dev/zramN, or NULL for any free one */
	uint64_t pages;			/* device size; 0: what the script needs */
	uint64_t max_image_pages;	/* 0: all of the images */
	unsigned int huge_class_size;	/* zram's threshold for storing a page whole */
	int chain_size;			/* the kernel's CONFIG_ZSMALLOC_CHAIN_SIZE */
	const char *chain_source;	/* where @chain_size came from */
	const char *trace_out;
	enum zpb_trace_form trace_form;
	const char *truth_out;
	int verbose;			/* progress on stderr */
};

/* Returns 0, or -1 with @err set (one line, naming the file or step). */
int zpb_capture_zram(const struct zpb_capture_zram_opts *o, char *err, size_t errlen);

#endif
