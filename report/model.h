/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The report's model: the input results files, each flattened into the
 * gate's metrics (so the report's figures and the gate's are one and the
 * same), the allocators in the order they ran, and the pictures drawn.
 */
#ifndef ZPB_REPORT_MODEL_H
#define ZPB_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "../gate/compare.h"
#include "../gate/metrics.h"
#include "../gate/rules.h"
#include "fidelity.h"
#include "../util/results_file.h"

struct zpb_report_verdict;

struct zpb_report_alloc {
	const struct zpb_subject *m;	/* metrics, one sample per repetition */
	const struct zpb_json *run;	/* the first run: series for the pictures */
};

struct zpb_picture {
	char id[96];		/* file stem: "r0-density" */
	char title[160];
	char caption[640];
	const char *script;	/* plots/NAME.gp; NULL when there is nothing to draw */
	char vars[2048];	/* gnuplot -e assignments: stem, n, names, colors, ... */
	char *svg;		/* the drawn SVG (from "<svg"), or NULL */
	char png[128];		/* the PNG's path inside the report directory */
	char why[320];		/* why it was not drawn */
};

struct zpb_report_input {
	struct zpb_results res;
	struct zpb_metricset ms;
	struct zpb_report_alloc *alloc;
	size_t nalloc;
	char label[128];	/* the trace (or file) name, for headings */
	unsigned threads;
	double page_size;
	struct zpb_picture *pics;
	size_t npics;
};

struct zpb_report {
	struct zpb_report_input *in;
	size_t n;
	struct zpb_report_input *base;	/* --baseline, or NULL */
	struct zpb_rules rules;		/* judge baseline changes */
	bool deterministic;		/* every input came from replay --deterministic */
	struct zpb_picture *global;	/* pictures across inputs (scaling) */
	size_t nglobal;
	bool have_gnuplot;
	char gnuplot_why[256];		/* why no pictures, when !have_gnuplot */
	char created[32];
	struct zpb_fidelity_set fidelity;	/* --fidelity validation files */
	const struct zpb_report_verdict *verdict;	/* set by the writer before the pages are written */
};

/* A figure of the summary table: a metric and how to show it. */
struct zpb_report_column {
	const char *metric;
	const char *header;
	const char *unit;
	int decimals;
};

/* The two tables of a replay input: density and work, latency and throughput (each fits 1400 px). */
extern const struct zpb_report_column zpb_report_density_columns[];
extern const struct zpb_report_column zpb_report_latency_columns[];

/* Whether any allocator of @in has @c's metric (columns no allocator has are left out). */
bool zpb_report_column_present(const struct zpb_report_input *in, const struct zpb_report_column *c);

/*
 * "±H" for @metric over @s's repetitions: H is the larger distance from
 * the median to an end of util/spread's interval; empty with one repetition.
 */
void zpb_report_spread_text(char *buf, size_t len, const struct zpb_subject *s, const char *metric, int decimals);

/* The perf-stat-like figures of @in (counters, instructions, lateness, emulation), at most @max. */
size_t zpb_report_stat_names(const struct zpb_report_input *in, const char **names, size_t max);
/* A stat figure in words: "instructions per store (callgrind)". */
void zpb_report_stat_label(char *buf, size_t len, const char *name);

/**
 * zpb_report_load() - load @n results files (and an optional baseline).
 * @rules: a gate rules file judging the changes against @baseline, or NULL
 *	for the built-in gate/default-rules.txt
 *
 * Return: 0, or -1 with a one-line message naming the bad file in @err.
 * Free with zpb_report_free() either way.
 */
int zpb_report_load(struct zpb_report *rep, const char *const *paths, size_t n, const char *baseline,
		    const char *rules, char *err, size_t errlen);
void zpb_report_free(struct zpb_report *rep);

/* The median of @metric over @a's repetitions; false when it is absent. */
bool zpb_report_value(const struct zpb_subject *s, const char *metric, double *out);

/**
 * zpb_report_change() - judge @metric of subject @s against the baseline.
 *
 * Return: true with @row filled (verdict by the first matching gate rule,
 * or a plain comparison with no rule: verdict ok), false when there is no
 * baseline figure to compare with.
 */
bool zpb_report_change(const struct zpb_report *rep, const struct zpb_subject *s, const char *metric,
		       struct zpb_gate_row *row);

/* The distinct metric names of @in's subjects, in order of appearance, at most @max. */
size_t zpb_report_metric_names(const struct zpb_report_input *in, const char **names, size_t max);

/*
 * A replay input's heading: "TRACE on N threads", and ", pool limit L pages"
 * when the limit was reached (reclaim wrote back or the limit was hit).
 */
void zpb_report_input_title(const struct zpb_report_input *in, char *buf, size_t len);

/* Format @v for a table cell. */
void zpb_report_format(char *buf, size_t len, double v, int decimals);

#endif
