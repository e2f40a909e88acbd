/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Order models: turn a set of classified pages into STORE, LOAD and
 * INVALIDATE streams, as swap would see them.
 *
 * Every page keeps one swap slot, key ZPB_KEY(0, page index), and each STORE
 * carries ZPB_STORE_PAGEREF with the page index, so a replay can rebuild the
 * real content. A swap-in is a LOAD followed by an INVALIDATE (the slot is
 * freed once the page is back in RAM, as zswap_invalidate does); with
 * exclusive loads the replay frees at the LOAD and the INVALIDATE finds
 * nothing, as in the kernel. Timestamps are synthetic: @time_step_ns per
 * record. CPU is 0.
 */
#ifndef ZPB_CAPTURE_ORDER_H
#define ZPB_CAPTURE_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "sink.h"

enum zpb_order {
	ZPB_ORDER_SEQUENTIAL,	/* store every page in order, then load+invalidate in order */
	ZPB_ORDER_RANDOM,	/* the same, each phase in its own random order */
	ZPB_ORDER_LRU,		/* RAM of @budget pages under LRU, Zipf accesses */
};

struct zpb_order_opts {
	enum zpb_order order;
	uint64_t budget;	/* LRU: pages of RAM (>= 1) */
	uint64_t working_set;	/* LRU: pages the access phase touches (0 = all) */
	double zipf;		/* LRU: skew of the accesses (0 = uniform) */
	uint64_t ops;		/* LRU: accesses in the access phase (0 = 4 x pages) */
	uint64_t seed;
	uint64_t time_step_ns;	/* 0 = 1000 */
	/* Called now and then with pages or accesses done; may be NULL. */
	void (*progress)(void *ctx, const char *phase, uint64_t done, uint64_t total);
	void *progress_ctx;
};

/* One page as the chosen kernel would store it (see zpb_page_classify). */
struct zpb_order_page {
	uint32_t len;
	uint8_t flags;
	uint8_t rejected;	/* not stored: swap-outs of it go to the swap device */
};

struct zpb_order_stats {
	uint64_t stores, loads, invalidates, marks;
	uint64_t rejected_stores;	/* evictions of rejected pages (no record) */
	uint64_t disk_swapins;		/* accesses to rejected, evicted pages (no record) */
	uint64_t first_touches;		/* faults on pages never seen (no record) */
	uint64_t max_resident;		/* the most pages in RAM at once (LRU) */
};

int zpb_order_parse(const char *s);	/* enum zpb_order, or -1 */
const char *zpb_order_name(enum zpb_order o);

/*
 * Run the model over @pages and send the records to @sink, with MARK records
 * at phase boundaries ("store"/"load" for sequential and random; "fill",
 * "access" and "end" for LRU). 0, or -1 with @err set (a sink error, out of
 * memory, a bad option).
 */
int zpb_order_run(const struct zpb_order_opts *o, const struct zpb_order_page *pages,
		  uint64_t npages, struct zpb_sink *sink, struct zpb_order_stats *st,
		  char *err, size_t errlen);

#endif
