/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing replay results: the JSON file docs/results-format.md defines
 * (atomically), and the timelines as CSV for plotting.
 */
#ifndef ZPB_REPLAY_RESULTS_H
#define ZPB_REPLAY_RESULTS_H

#include "replay.h"

struct zpb_results_meta {
	bool complete;			/* false: interrupted, holds what was done */
	const char *trace_path;
	char trace_sha256[65];
	uint64_t trace_records;
	const char *trace_format;	/* "binary", "text" or "memory" */
	const char *compressor, *source;
	uint32_t trace_page_size;
	const struct zpb_replay_options *o;
};

/* 0, or -1 with @err naming the file. */
int zpb_results_write(const char *path, const struct zpb_results_meta *m,
		      struct zpb_run_result *const *runs, int nruns, char *err, size_t errlen);
/*
 * Make @dir for zpb_results_write_csv() if missing, and check that it is a
 * directory we can write in: replay calls it before the runs, so a bad
 * --csv is found in a second, not after them. 0, or -1 with @err naming it.
 */
int zpb_results_csv_dir(const char *dir, char *err, size_t errlen);
/* DIR/<allocator>-<repetition>.csv per run (zpb_results_csv_dir() first). 0, or -1 with @err. */
int zpb_results_write_csv(const char *dir, struct zpb_run_result *const *runs, int nruns,
			  char *err, size_t errlen);

#endif
