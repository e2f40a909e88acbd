/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The spread of repeated runs (replay --repeat R): per allocator, for
 * throughput, each latency percentile and the page counts, the median of
 * the repetitions, their minimum and maximum, and a 95% confidence
 * interval for the median (util/spread.h: order statistics, no normality
 * assumed; with 5 or fewer repetitions the interval is [min, max] and says
 * its true coverage). Written as the results file's "summary" and printed
 * by the CLI as one line per allocator. docs/measurement.md says why.
 */
#ifndef ZPB_REPLAY_SUMMARY_H
#define ZPB_REPLAY_SUMMARY_H

#include <stdbool.h>

#include "../util/json_writer.h"
#include "../util/spread.h"
#include "replay.h"

/* The latency percentiles summarised, as the run's latency_ns names them. */
enum { ZPB_SUM_P50, ZPB_SUM_P90, ZPB_SUM_P99, ZPB_SUM_P99_9, ZPB_SUM_PCTS };
extern const char *const zpb_summary_pct_names[ZPB_SUM_PCTS];

struct zpb_alloc_summary {
	char allocator[ZPB_SPEC_LEN];
	bool harness;
	int runs;			/* complete runs summarised */
	uint64_t verify_failures;	/* over all of them */
	struct zpb_spread ops_per_sec, ns_per_record;
	bool lat_ran[ZPB_LAT_MAX];	/* the op type ran in every run */
	struct zpb_spread lat[ZPB_LAT_MAX][ZPB_SUM_PCTS];
	struct zpb_spread pool_pages, peak_pool_pages, density;
	/*
	 * The null harness's median ns per record over its repetitions divided
	 * by this allocator's median: the share of its time that is the
	 * harness's. NAN without null runs. A ratio above 1 cannot be (the
	 * allocator does the harness's work and more): it is noise, and
	 * @overhead_noise says so instead of a figure.
	 */
	double overhead_ratio;
	bool overhead_noise;
};

/*
 * The median wall and CPU ns per record of the complete harness (null)
 * runs among @runs, or NAN each when there are none.
 */
void zpb_harness_cost(struct zpb_run_result *const *runs, int nruns, double *wall_ns, double *cpu_ns);

/**
 * zpb_summarise_runs() - summarise the complete runs of each allocator
 * @out: an array of up to ZPB_REPLAY_MAX_ALLOCS entries, in the order the
 *	allocators first ran
 *
 * Return: the number of allocators summarised, or -1 when out of memory.
 */
int zpb_summarise_runs(struct zpb_run_result *const *runs, int nruns, struct zpb_alloc_summary *out);

/* The "summary" value of the results file (docs/results-format.md). */
void zpb_summary_write_json(struct zpb_jw *w, const struct zpb_alloc_summary *s, int n);

#endif
