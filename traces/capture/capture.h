/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Capturing traces from real memory: page images (any file, a core, a
 * memory dump) and live processes. The CLI (cli/cmd_capture.c) parses options
 * into these structs; nothing here prints.
 */
#ifndef ZPB_CAPTURE_H
#define ZPB_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "../pages.h"
#include "../trace.h"
#include "compress.h"
#include "order.h"

/* How pages are compressed and judged, shared by every capture path. */
struct zpb_page_policy {
	const char *compressor;			/* "lz4", "lzo", "zstd[:LEVEL]" */
	enum zpb_incompressible incompressible;
	unsigned int huge_class_size;		/* ZPB_INCOMP_HUGE: the caller's threshold (the CLI
						 * passes zsmalloc's); required with that policy */
	uint32_t page_size;			/* the pages files and memory are cut into:
						 * 4096 (0), 16384 or 65536 */
};

struct zpb_page_counts {
	uint64_t pages, same_filled, incompressible, rejected;
	uint64_t comp_bytes;	/* the sum of STORE lengths, one per page */
};

/*
 * Classify every @pol->page_size page of @files (concatenated in order; a file's last
 * partial page is padded with zeros) into a new array in *@pages_out, freed
 * by the caller. Page i of the concatenation is the PAGEREF index i, and,
 * if @contents is not NULL, page i written to it. 0, or -1 with @err naming
 * the file.
 */
int zpb_classify_files(const char *const *files, int nfiles, const struct zpb_page_policy *pol,
		       struct zpb_pages_writer *contents,
		       struct zpb_order_page **pages_out, uint64_t *npages_out,
		       struct zpb_page_counts *counts, char *err, size_t errlen);

struct zpb_capture_pages_opts {
	const char *const *files;
	int nfiles;
	const char *out;
	/* The page-content file (OUT.pages by convention), or NULL for none. */
	const char *pages_out;
	enum zpb_trace_form form;
	struct zpb_page_policy policy;
	struct zpb_order_opts order;
};

struct zpb_capture_pages_stats {
	struct zpb_page_counts counts;
	struct zpb_order_stats order;
	uint64_t records;
};

/*
 * capture pages: classify, run the order model, write @o->out atomically
 * (and the content file @o->pages_out, before it). An LRU budget of 0 means
 * a quarter of the pages.
 */
int zpb_capture_pages(const struct zpb_capture_pages_opts *o, struct zpb_capture_pages_stats *st,
		      char *err, size_t errlen);

struct zpb_capture_process_opts {
	int pid;
	const char *out;
	/*
	 * The page-content file, or NULL for none: each STORE then carries
	 * page=N, N counting the pages stored so far (a page stored twice,
	 * written in between, is two contents).
	 */
	const char *pages_out;
	enum zpb_trace_form form;
	struct zpb_page_policy policy;
	unsigned int interval_ms;	/* between snapshots; 0 = 100 */
	double duration_s;		/* 0 = 5 */
	uint64_t budget;		/* pages of RAM; 0 = a quarter of the pages seen at the first snapshot */
	uint64_t max_pages;		/* stop following new pages past this many (0 = 1 Mi) */
	/* Called after each snapshot; may be NULL. */
	void (*progress)(void *ctx, unsigned int snapshot, uint64_t pages, uint64_t records);
	void *progress_ctx;
	/* Stop early when this becomes non-zero (a signal handler's flag); may be NULL. */
	volatile int *stop;
};

struct zpb_capture_process_stats {
	unsigned int snapshots;
	uint64_t pages_seen;		/* distinct anonymous pages ever seen */
	uint64_t writes;		/* page content changes seen between snapshots */
	uint64_t stores, loads, invalidates, unmapped;
	uint64_t same_filled, incompressible, rejected;
	uint64_t unreadable_bytes;	/* in mappings /proc/PID/mem would not give */
	uint64_t skipped_bytes;		/* mappings larger than max_pages, per snapshot */
	uint64_t records;
	int exited;			/* the process ended during the capture */
};

/*
 * capture process: snapshot @o->pid's anonymous memory until the duration
 * passes or the process ends, and write the trace atomically. -1 with @err
 * set: "no such process", "permission denied ... (ptrace_scope...)", ...
 */
int zpb_capture_process(const struct zpb_capture_process_opts *o,
			struct zpb_capture_process_stats *st, char *err, size_t errlen);

struct zpb_import_stats {
	uint64_t lines, records;
	uint64_t stores, loads, invalidates, writebacks, replaced;
	uint64_t misses;	/* loads of written-back entries (LOAD records too) */
	uint64_t dropped;	/* events on keys stored before the capture began */
	uint64_t stale;		/* frees of entries already replaced by a newer store */
};

/*
 * Convert a text capture of traces/capture/zswap.bt (its format is
 * documented in the script) into a trace at @out, atomically. Events on keys
 * stored before the capture began are dropped and counted. 0, or -1 with
 * @err naming the file and line.
 */
int zpb_import_bpftrace(const char *in, const char *out, enum zpb_trace_form form,
			char *err, size_t errlen);
/* The same, with counts (@st may be NULL). */
int zpb_import_bpftrace_stats(const char *in, const char *out, enum zpb_trace_form form,
			      struct zpb_import_stats *st, char *err, size_t errlen);

#endif
