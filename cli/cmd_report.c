// SPDX-License-Identifier: GPL-2.0-only
/* zpoolbench report: results files to an HTML page and a Markdown summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../report/report.h"
#include "../report/sweep_report.h"
#include "cli.h"

static void report_usage(FILE *f)
{
	fprintf(f,
		"Usage: zpoolbench report RESULTS.json... [--baseline BASE.json [--rules FILE]]\n"
		"                         [--fidelity VALIDATION.json]... -o DIR\n"
		"\n"
		"Write DIR/index.html (self-contained: tables and inline SVG pictures) and\n"
		"DIR/report.md (the tables, for a CI job summary or a mailing-list post)\n"
		"from zpoolbench results files or Google Benchmark JSON. The pictures'\n"
		"data, gnuplot scripts and PNG/SVG images go to DIR/data, DIR/plots, DIR/img.\n"
		"DIR/report.json holds the verdict the headlines are written from: per input\n"
		"the ranking by mean pool pages over the run among the allocators that did\n"
		"the same work, ratios to the ideal bound, and the runs left out and why.\n"
		"\n"
		"  -o, --output DIR   the report directory (created if missing)\n"
		"  --baseline FILE    show the change of every figure against FILE, marking\n"
		"                     the ones the gate's default rules call significant\n"
		"  --rules FILE       judge the changes by FILE's gate rules instead (docs/gate.md)\n"
		"  --fidelity FILE    add a kernel fidelity table from FILE, written by\n"
		"                     'zpoolbench validate -o FILE' (repeatable; docs/fidelity.md)\n"
		"\n"
		"A sweep file (written by 'zpoolbench merge', docs/sweep.md), given alone, gets\n"
		"the sweep report: per trace a table of allocator x axis values with a verdict\n"
		"per row, a heatmap, and a per-machine breakdown.\n"
		"\n"
		"Without gnuplot the report is written without pictures and says so.\n"
		"Exit status: 0 written, 2 bad input or output. See docs/report.md.\n");
}

static int report_run(int argc, char **argv)
{
	struct zpb_report_options o = { 0 };
	struct zpb_report_outcome out;
	const char **inputs, **fidelity;
	char err[1024];
	int a, rc;

	inputs = calloc((size_t)argc, sizeof(*inputs));
	fidelity = calloc((size_t)argc, sizeof(*fidelity));
	if (!inputs || !fidelity) {
		zpb_cli_error("report: out of memory");
		free(inputs);
		free(fidelity);
		return ZPB_EXIT_USAGE;
	}
	o.fidelity = fidelity;
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			report_usage(stdout);
			free(inputs);
			free(fidelity);
			return ZPB_EXIT_OK;
		} else if ((!strcmp(argv[a], "-o") || !strcmp(argv[a], "--output")) && a + 1 < argc) {
			o.outdir = argv[++a];
		} else if (!strcmp(argv[a], "--baseline") && a + 1 < argc) {
			o.baseline = argv[++a];
		} else if (!strcmp(argv[a], "--rules") && a + 1 < argc) {
			o.rules = argv[++a];
		} else if (!strcmp(argv[a], "--fidelity") && a + 1 < argc) {
			fidelity[o.nfidelity++] = argv[++a];
		} else if (argv[a][0] == '-' && argv[a][1]) {
			zpb_cli_error("report: unknown option or missing value: '%s' (see zpoolbench report --help)",
				      argv[a]);
			free(inputs);
			free(fidelity);
			return ZPB_EXIT_USAGE;
		} else {
			inputs[o.ninputs++] = argv[a];
		}
	}
	if (!o.outdir || !o.ninputs) {
		zpb_cli_error("report: needs RESULTS.json... and -o DIR (see zpoolbench report --help)");
		free(inputs);
		free(fidelity);
		return ZPB_EXIT_USAGE;
	}
	if (!strcmp(o.outdir, "-")) {
		zpb_cli_error("report: -o -: a report is a directory of files (index.html, report.md, plots), not one stream; give a directory");
		free(inputs);
		free(fidelity);
		return ZPB_EXIT_USAGE;
	}
	o.inputs = inputs;
	/* A sweep file (zpoolbench merge) gets the sweep report: alone, as it holds its own results. */
	if (o.ninputs == 1 && !o.baseline && !o.nfidelity && zpb_sweep_report_is_sweep(inputs[0]))
		rc = zpb_sweep_report_write(inputs[0], o.outdir, &out, err, sizeof(err));
	else
		rc = zpb_report_write(&o, &out, err, sizeof(err));
	free(inputs);
	free(fidelity);
	if (rc) {
		zpb_cli_error("report: %s", err);
		return ZPB_EXIT_USAGE;
	}
	if (!out.gnuplot)
		fprintf(stderr, "zpoolbench: report: written without pictures: %s\n", out.note);
	else if (out.drawn < out.pictures)
		fprintf(stderr, "zpoolbench: report: %zu of %zu pictures drawn (index.html says why)\n", out.drawn,
			out.pictures);
	printf("%s/index.html\n%s/report.md\n%s/report.json\n", o.outdir, o.outdir, o.outdir);
	return ZPB_EXIT_OK;
}

const struct zpb_command zpb_cmd_report = {
	.name = "report",
	.summary = "write an HTML and Markdown report (with pictures) from results files",
	.run = report_run,
};
