/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zpoolbench report: results files in, DIR/index.html and DIR/report.md
 * out, with the pictures' data (DIR/data), scripts (DIR/plots) and images
 * (DIR/img) beside them. Everything is built in a staging directory inside
 * DIR and moved into place at the end, index.html last, so a reader never
 * sees a half-written report and a failed run leaves the old one.
 */
#ifndef ZPB_REPORT_REPORT_H
#define ZPB_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>

struct zpb_report_options {
	const char *const *inputs;	/* results files: replay or Google Benchmark JSON */
	size_t ninputs;
	const char *baseline;		/* NULL, or a results file to compare against */
	const char *rules;		/* NULL, or a gate rules file judging the changes */
	const char *const *fidelity;	/* validation files (zpoolbench validate -o) */
	size_t nfidelity;
	const char *outdir;
};

struct zpb_report_outcome {
	size_t pictures, drawn;		/* pictures planned, pictures drawn */
	bool gnuplot;			/* gnuplot could be run */
	char note[256];			/* why pictures are missing, if they are */
};

/**
 * zpb_report_write() - write the report.
 *
 * Return: 0 with @out filled, or -1 with a one-line message in @err naming
 * the bad input file (line:column for JSON errors) or the output path.
 */
int zpb_report_write(const struct zpb_report_options *o, struct zpb_report_outcome *out, char *err, size_t errlen);

/* Remove @path and everything under it; a missing path is fine. 0, or -1. */
int zpb_report_rm_tree(const char *path);

/*
 * Move a staged report (@stage's data/, plots/, img/, report.md and
 * index.html, the last last) into @outdir. 0, or -1 with @err naming the path.
 */
int zpb_report_publish(const char *stage, const char *outdir, char *err, size_t errlen);

#endif
