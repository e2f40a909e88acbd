/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The verdict: per replay input, which allocators did the same work, which
 * of those keeps the pages in the fewest pool pages over the run, each
 * one's ratio to the density bound, and which runs were left out and why;
 * across inputs, a ranking by the geometric mean of the ratios. The HTML
 * and Markdown headlines are written from it, and report.json holds it
 * (docs/report.md states the rules; a reviewer checks them there).
 */
#ifndef ZPB_REPORT_VERDICT_H
#define ZPB_REPORT_VERDICT_H

#include <stdbool.h>
#include <stdio.h>

#include "../util/spread.h"
#include "model.h"

/* report.json's format_version: bump when its shape changes. */
#define ZPB_VERDICT_FORMAT_VERSION 1

struct zpb_verdict_entry {
	const struct zpb_report_alloc *a;
	const char *name;
	bool bound;		/* the density bound (capability "bound"): not ranked */
	bool ranked;
	int rank;		/* 1-based among the ranked, 0 otherwise */
	double value;		/* the metric, median over repetitions */
	struct zpb_spread spread;	/* of the metric over repetitions */
	double ratio;		/* value / the bound's value; NAN without a bound */
	double ratio_per_byte;	/* the same per stored byte over the run; NAN without */
	bool below_bound;	/* ratio < 1: a figure that counts different work */
	double final_pages, peak_pages, mean_density, mean_stored_bytes;
	/* work (docs/results-format.md "work"); medians */
	double stores, stored_objects, stored_bytes, rejected, rejected_alloc, rejected_alloc_bytes;
	double written_back, lost, max_object_size;
	char reason[512];	/* why it is not ranked ("" when ranked or the bound) */
	char note[640];		/* a remark beside its figures ("" for none) */
};

struct zpb_verdict_input {
	const struct zpb_report_input *in;
	char title[256];
	const char *metric;		/* the metric name in the results ("over_run.mean_pool_pages") */
	const char *metric_text;	/* in words, for the page */
	const char *metric_short;	/* "mean over the run", for the headline */
	bool limit_reached;
	double limit_pages;		/* options.pool_limit_pages (0: none) */
	bool limit_default;		/* the limit is the default 20% of RAM */
	double tolerance;		/* pages sent to swap within which work counts as the same */
	char tolerance_text[128];	/* the same in words */
	double best_lost;		/* the fewest pages sent to swap among the allocators */
	struct zpb_verdict_entry *e;
	size_t n;
	int bound;			/* index of the bound in @e, or -1 */
	size_t nranked;
	char headline[1024];		/* empty when there is nothing to compare */
};

struct zpb_verdict_summary_row {
	const char *name;
	double geomean_common;	/* of ratios to the bound over the common inputs: the ranking's figure */
	double geomean;		/* of ratios to the bound over the inputs it was ranked in */
	size_t ranked_in, left_out_in, absent_in;
	int rank;		/* 1-based by geomean_common; 0 without common inputs */
	char why[256];		/* why not ranked across inputs */
};

struct zpb_report_verdict {
	struct zpb_verdict_input *v;	/* one per replay input, in report order */
	size_t n;
	size_t nbound_inputs;		/* inputs with a bound and a ranking: the summary's columns */
	struct zpb_verdict_summary_row *rows;
	size_t nrows;
	size_t *common;			/* indices into @v of the inputs every row was ranked in */
	size_t ncommon;
	char common_text[1024];		/* their titles, "; "-separated, or "none: no ranking" */
};

/* Judge every replay input of @rep. 0, or -1 (out of memory) with @err. */
int zpb_verdict_build(struct zpb_report_verdict *vd, const struct zpb_report *rep, char *err, size_t errlen);
void zpb_verdict_free(struct zpb_report_verdict *vd);

/* The verdict of input @in, or NULL (a Google Benchmark input). */
const struct zpb_verdict_input *zpb_verdict_for(const struct zpb_report_verdict *vd, const struct zpb_report_input *in);

/* report.json. 0, or -1 on a write error. */
int zpb_verdict_write_json(FILE *f, const struct zpb_report_verdict *vd, const struct zpb_report *rep);

#endif
