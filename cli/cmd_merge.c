// SPDX-License-Identifier: GPL-2.0-only
/* zpoolbench merge RESULTS.json|SWEEPDIR... -o SWEEP.json: results into one sweep file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sweep/sweep.h"
#include "cli.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: zpoolbench merge RESULTS.json|SWEEPDIR... -o SWEEP.json\n"
		"\n"
		"Combine replay results files (a sweep directory stands for its results/*.json)\n"
		"into one sweep file for 'zpoolbench report': each results document whole,\n"
		"with its trace's name, its machine and its values of the sweep's axes (the\n"
		"replay options that differ among the files). Two different traces (sha256)\n"
		"under one name are refused. See docs/sweep.md.\n"
		"\n"
		"  -o, --output FILE   the sweep file (written atomically)\n"
		"\n"
		"Exit status: 0 written, 2 bad input or output.\n");
}

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int merge_main(int argc, char **argv)
{
	const char *out = NULL;
	char err[1024];
	size_t n;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return ZPB_EXIT_OK;
		default: return zpb_cli_bad_option("merge", c, argv);
		}
	}
	if (optind >= argc || !out) {
		zpb_cli_error("merge: needs RESULTS.json|SWEEPDIR... and -o SWEEP.json (see zpoolbench merge --help)");
		return ZPB_EXIT_USAGE;
	}
	if (zpb_sweep_merge((const char *const *)argv + optind, (size_t)(argc - optind), out, &n, err, sizeof(err))) {
		zpb_cli_error("merge: %s", err);
		return ZPB_EXIT_USAGE;
	}
	fprintf(stderr, "zpoolbench: merge: %zu results files into %s\n", n, out);
	return ZPB_EXIT_OK;
}

const struct zpb_command zpb_cmd_merge = {
	.name = "merge",
	.summary = "combine results files (a sweep's) into one sweep file for report",
	.run = merge_main,
};
