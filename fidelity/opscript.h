/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Op scripts for `zpoolbench capture zram`: what to do to the device, one
 * step a line, or generated from a pattern. See docs/fidelity.md.
 *
 *   write FIRST COUNT [from PAGE]   device pages FIRST.. get image pages PAGE..
 *                                   (default PAGE = FIRST); over a stored page
 *                                   this is an overwrite
 *   discard FIRST COUNT [every N]   BLKDISCARD pages FIRST, FIRST+N, ...
 *   compact                         write 1 to /sys/block/zramN/compact
 *   mark LABEL                      record mm_stat under LABEL
 */
#ifndef ZPB_OPSCRIPT_H
#define ZPB_OPSCRIPT_H

#include <stddef.h>
#include <stdint.h>

enum zpb_step_kind {
	ZPB_STEP_WRITE,
	ZPB_STEP_DISCARD,
	ZPB_STEP_COMPACT,
	ZPB_STEP_MARK,
};

struct zpb_step {
	enum zpb_step_kind kind;
	uint64_t first, count, from, every;	/* WRITE: from; DISCARD: every (>= 1) */
	char label[64];
};

struct zpb_opscript {
	struct zpb_step *steps;
	size_t n, cap;
};

/* Parse a script file. Errors name the file and line. */
int zpb_opscript_load(struct zpb_opscript *s, const char *path, char *err, size_t errlen);
/**
 * zpb_opscript_pattern - generate a script for a device of @pages pages
 * @pattern: comma-separated steps, each followed by a mark of its name:
 *	fill                 write every page from the image
 *	invalidate-every=K   discard every K-th page (0, K, 2K, ...)
 *	overwrite-every=K    rewrite every K-th page (1, 1+K, ...) with other image pages
 *	refill               write the pages a discard emptied, with other image pages
 *	compact              compact the pool
 * @image_pages: pages in the image (content wraps around it)
 */
int zpb_opscript_pattern(struct zpb_opscript *s, const char *pattern, uint64_t pages,
			 uint64_t image_pages, char *err, size_t errlen);
/* The highest device page the script touches, plus one. */
uint64_t zpb_opscript_pages(const struct zpb_opscript *s);
void zpb_opscript_free(struct zpb_opscript *s);

#endif
