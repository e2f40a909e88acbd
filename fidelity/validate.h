/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `zpoolbench validate TRACE TRUTH`: replay a zram capture against the
 * zsmalloc port in deterministic mode with the kernel's parameters and
 * compare it, mark by mark, with what the kernel's zsmalloc did.
 */
#ifndef ZPB_VALIDATE_H
#define ZPB_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zpb_validate_opts {
	const char *trace;
	const char *truth;
	double tolerance;		/* at every mark (fraction; default 0.01) */
	double store_tolerance;		/* at marks reached by stores alone (default 0.003) */
	unsigned int chain;		/* 0: the truth file's chain size */
	bool userspace_verdict;		/* judge the replay with userspace lengths instead */
};

struct zpb_validate_mark {
	char label[64];
	uint64_t record;
	bool stores_only;		/* no INVALIDATE or COMPACT before it */
	uint64_t kernel_pages;
	uint64_t port_pages;		/* replayed with the kernel's compressed lengths */
	uint64_t port_pages_user;	/* replayed with the trace's (userspace) lengths */
	double deviation;		/* (port - kernel) / kernel, kernel lengths */
	double deviation_user;		/* the same with userspace lengths: adds the compressor's effect */
	bool ok;			/* the verdict's deviation is within this mark's tolerance */
	uint64_t kernel_compr, port_stored_bytes, userspace_compr;
	uint64_t kernel_same, port_same;
	uint64_t kernel_huge;
	uint64_t port_huge;		/* incompressible objects live, kernel lengths */
	uint64_t trace_huge;		/* the same with the trace's lengths */
};

struct zpb_validate_result {
	char trace[512], truth[512];
	char kernel[128], compressor[64], allocator[128];
	unsigned int chain;
	bool userspace_verdict;
	bool userspace_lengths;		/* the trace has userspace lengths (else the kernel's) */
	double tolerance, store_tolerance;
	uint64_t length_mismatch_pages, length_mismatch_bytes, patched;
	struct zpb_validate_mark *marks;
	size_t nmarks;
	double worst;			/* largest |deviation| of the verdict */
	double worst_user;		/* largest |deviation_user| */
	int failed;			/* marks outside their tolerance */
};

/* 0 with @res filled (free with zpb_validate_free), or -1 with @err set. */
int zpb_validate(const struct zpb_validate_opts *o, struct zpb_validate_result *res,
		 char *err, size_t errlen);
void zpb_validate_free(struct zpb_validate_result *res);
/* Write @res as JSON to @path, atomically. */
int zpb_validate_write_json(const struct zpb_validate_result *res, const char *path,
			    char *err, size_t errlen);

#endif
