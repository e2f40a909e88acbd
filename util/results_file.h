/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Results files as report and gate read them: zpoolbench's own results JSON
 * (docs/results-format.md) or Google Benchmark's --benchmark_format=json
 * output. Loading checks the outline (format, version, the runs array) so
 * that later code can rely on it, and names the file in every error.
 */
#ifndef ZPB_UTIL_RESULTS_FILE_H
#define ZPB_UTIL_RESULTS_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "json_reader.h"

enum zpb_results_kind {
	ZPB_RESULTS_REPLAY,	/* zpoolbench replay -o */
	ZPB_RESULTS_GBENCH,	/* Google Benchmark JSON */
};

/* The newest results format_version this code reads. */
#define ZPB_RESULTS_FORMAT_VERSION 1

struct zpb_results {
	char *path;
	struct zpb_json *root;
	enum zpb_results_kind kind;
	bool deterministic;	/* options.deterministic of a replay run */
	bool complete;		/* false: an interrupted replay holding only what was done */
	const struct zpb_json *runs;	/* replay: "runs"; gbench: "benchmarks" */
};

/**
 * zpb_results_load() - read and check a results file.
 *
 * Return: 0, or -1 with a one-line message naming @path (and line:column
 * for JSON errors) in @err. On success free with zpb_results_free().
 */
int zpb_results_load(const char *path, struct zpb_results *r, char *err, size_t errlen);
void zpb_results_free(struct zpb_results *r);

/* A run's allocator spec, or NULL for the harness (null allocator) runs. */
const char *zpb_run_allocator(const struct zpb_json *run);

/* Convert a Google Benchmark time in @unit ("ns", "us", "ms", "s") to ns; -1 if unknown. */
double zpb_gbench_to_ns(double t, const char *unit);

#endif
