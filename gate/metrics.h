/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Metrics: a results file flattened into subjects (allocators, or Google
 * Benchmark benchmarks) each holding named metrics with one sample per
 * repetition. Names are dotted paths into a run: "final.density",
 * "latency_ns.store.p99", "marks.LABEL.pool_pages", "instructions.load";
 * for Google Benchmark "real_time_ns", "cpu_time_ns" and each counter.
 * Flattening is generic, so keys the replay engine adds later become
 * metrics without a change here.
 */
#ifndef ZPB_GATE_METRICS_H
#define ZPB_GATE_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/results_file.h"

struct zpb_metric {
	char *name;
	double *v;	/* one sample per repetition, in file order */
	size_t n, cap;
};

struct zpb_subject {
	char *name;
	struct zpb_metric *m;
	size_t n, cap;
};

struct zpb_metricset {
	const char *path;	/* the results file, for messages */
	enum zpb_results_kind kind;
	bool deterministic;
	bool complete;		/* see struct zpb_results */
	const char *trace_sha256;	/* replay: trace.sha256, or NULL */
	struct zpb_subject *s;
	size_t n, cap;
};

/**
 * zpb_metrics_extract() - flatten every run of @r into @ms.
 *
 * Harness (null allocator) runs and failed benchmarks are left out.
 * Return: 0, or -1 (out of memory) with a message in @err.
 */
int zpb_metrics_extract(const struct zpb_results *r, struct zpb_metricset *ms, char *err, size_t errlen);
void zpb_metrics_free(struct zpb_metricset *ms);

const struct zpb_subject *zpb_metrics_subject(const struct zpb_metricset *ms, const char *name);
const struct zpb_metric *zpb_subject_metric(const struct zpb_subject *s, const char *name);

#endif
