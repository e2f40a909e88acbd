/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Synthetic traces from named profiles. A profile is a compressed-size
 * distribution measured on real pages (traces/synth/profile_data.c, made by
 * traces/synth/gen_profiles.py; docs/synth-profiles.md says from what), a
 * working set, an access skew, phases and a thread count. The same profile,
 * op count and seed give the same trace, byte for byte.
 */
#ifndef ZPB_SYNTH_H
#define ZPB_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "../capture/sink.h"

#define ZPB_HIST_BUCKETS 64	/* of ZPB_HIST_BUCKET_BYTES each, covering 1..4096 */
#define ZPB_HIST_BUCKET_BYTES 64

/* Compressed sizes of real pages: how many pages fell in each bucket. */
struct zpb_size_hist {
	const char *name;		/* "python-heap" */
	const char *compressor;		/* what made the sizes: "lz4" */
	uint64_t pages;			/* all pages measured */
	uint64_t same_filled;		/* of which same-filled (not compressed) */
	uint64_t incompressible;	/* of which compressed to >= 4096 bytes */
	/* Bucket i: lengths in (64 i, 64 (i + 1)]; the last holds 4033..4095. */
	uint32_t buckets[ZPB_HIST_BUCKETS];
};

/* One phase: a share of the ops and how they behave. */
struct zpb_synth_phase {
	const char *label;	/* the MARK before it */
	double share;		/* of the trace's ops; a profile's shares add up to 1 */
	double store;		/* probability an op stores a page not in the pool */
	double swapin;		/* of the rest: a swap-in (LOAD + INVALIDATE) */
				/* ... and otherwise a plain INVALIDATE (the page was freed) */
};

#define ZPB_SYNTH_MAX_PHASES 4

struct zpb_synth_profile {
	const char *name;
	const char *description;
	const struct zpb_size_hist *const *hists;	/* NULL-terminated, mixed in equal parts */
	uint64_t working_set;	/* pages (keys) that can be in the pool */
	double zipf;		/* access skew over the working set (0 = uniform) */
	unsigned int threads;	/* records spread over this many CPUs */
	double mean_gap_ns;	/* mean time between records */
	struct zpb_synth_phase phases[ZPB_SYNTH_MAX_PHASES];	/* ends at share 0 */
};

/* Every profile, NULL-terminated; the first is the default. */
const struct zpb_synth_profile *const *zpb_synth_profiles(void);
const struct zpb_synth_profile *zpb_synth_profile_find(const char *name);
#define ZPB_SYNTH_DEFAULT_PROFILE "mixed"

/* The measured histograms (traces/synth/profile_data.c). */
extern const struct zpb_size_hist zpb_hist_python_heap;
extern const struct zpb_size_hist zpb_hist_binaries;
extern const struct zpb_size_hist zpb_hist_text;

struct zpb_synth_stats {
	uint64_t stores, loads, invalidates, marks, same_filled, incompressible;
};

/*
 * Generate @ops records (not counting MARKs) from @p with @seed into @sink,
 * for pages of @page_size bytes (0: 4096; 16384 and 65536 scale the 4 KiB
 * histograms' sizes by the page's size; 4096 is the same trace as ever).
 * 0, or -1 with @err set.
 */
int zpb_synth_run(const struct zpb_synth_profile *p, uint64_t ops, uint64_t seed, uint32_t page_size,
		  struct zpb_sink *sink, struct zpb_synth_stats *st, char *err, size_t errlen);

/* zpb_synth_run into a trace file at @path, written atomically. */
int zpb_synth_write(const struct zpb_synth_profile *p, uint64_t ops, uint64_t seed, uint32_t page_size,
		    const char *path, enum zpb_trace_form form, struct zpb_synth_stats *st,
		    char *err, size_t errlen);

#endif
