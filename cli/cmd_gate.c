// SPDX-License-Identifier: GPL-2.0-only
/* zpoolbench gate: judge a candidate results file against a baseline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gate/compare.h"
#include "cli.h"

#define MAX_PAIRS 32

static void gate_usage(FILE *f)
{
	fprintf(f,
		"Usage: zpoolbench gate BASELINE CANDIDATE [--rules FILE] [--pair BASE=CAND]...\n"
		"\n"
		"Compare two results files (zpoolbench replay -o, or Google Benchmark JSON)\n"
		"metric by metric and print a Markdown table. Each metric is judged by the\n"
		"first matching rule: exact (any change fails), threshold (a relative limit)\n"
		"or statistical (Mann-Whitney U over repetitions plus a minimum effect).\n"
		"\n"
		"  --rules FILE      rules to use instead of the built-in gate/default-rules.txt\n"
		"  --pair BASE=CAND  compare baseline allocator BASE with candidate CAND\n"
		"                    (files holding one allocator each pair automatically)\n"
		"\n"
		"Exit status: 0 nothing regressed, 1 a regression, 2 bad input.\n"
		"See docs/gate.md.\n");
}

static int gate_run(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL }, *rules_path = NULL;
	struct zpb_gate_pair pairs[MAX_PAIRS];
	struct zpb_results res[2] = { 0 };
	struct zpb_metricset ms[2] = { 0 };
	struct zpb_gate_result out = { 0 };
	struct zpb_rules rules = { 0 };
	char err[1024], *pair_text[MAX_PAIRS];
	size_t npairs = 0, nfiles = 0, i;
	int rc = ZPB_EXIT_USAGE, a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			gate_usage(stdout);
			return ZPB_EXIT_OK;
		} else if (!strcmp(argv[a], "--rules") && a + 1 < argc) {
			rules_path = argv[++a];
		} else if (!strcmp(argv[a], "--pair") && a + 1 < argc) {
			char *eq = strchr(argv[++a], '=');

			if (!eq || eq == argv[a] || !eq[1] || npairs == MAX_PAIRS) {
				zpb_cli_error("gate: --pair takes BASE=CAND (at most %d), not '%s'", MAX_PAIRS, argv[a]);
				goto out;
			}
			pair_text[npairs] = strdup(argv[a]);
			if (!pair_text[npairs])
				goto out;
			pair_text[npairs][eq - argv[a]] = 0;
			pairs[npairs].base = pair_text[npairs];
			pairs[npairs].cand = pair_text[npairs] + (eq - argv[a]) + 1;
			npairs++;
		} else if (argv[a][0] == '-' && argv[a][1]) {
			zpb_cli_error("gate: unknown option or missing value: '%s' (see zpoolbench gate --help)", argv[a]);
			goto out;
		} else if (nfiles < 2) {
			files[nfiles++] = argv[a];
		} else {
			zpb_cli_error("gate: more than two results files ('%s')", argv[a]);
			goto out;
		}
	}
	if (nfiles != 2) {
		zpb_cli_error("gate: needs BASELINE and CANDIDATE results files (see zpoolbench gate --help)");
		goto out;
	}
	if (rules_path ? zpb_rules_load(rules_path, &rules, err, sizeof(err))
		       : zpb_rules_default(&rules, err, sizeof(err))) {
		zpb_cli_error("gate: %s", err);
		goto out;
	}
	for (i = 0; i < 2; i++) {
		if (zpb_results_load(files[i], &res[i], err, sizeof(err)) ||
		    zpb_metrics_extract(&res[i], &ms[i], err, sizeof(err))) {
			zpb_cli_error("gate: %s", err);
			goto out;
		}
	}
	if (zpb_gate_compare(&ms[0], &ms[1], &rules, pairs, npairs, &out, err, sizeof(err))) {
		zpb_cli_error("gate: %s", err);
		goto out;
	}
	zpb_gate_write_markdown(stdout, &out, files[0], files[1], rules.source);
	rc = out.regressed ? ZPB_EXIT_FAIL : ZPB_EXIT_OK;
out:
	zpb_gate_result_free(&out);
	for (i = 0; i < 2; i++) {
		zpb_metrics_free(&ms[i]);
		zpb_results_free(&res[i]);
	}
	zpb_rules_free(&rules);
	for (i = 0; i < npairs; i++)
		free(pair_text[i]);
	return rc;
}

const struct zpb_command zpb_cmd_gate = {
	.name = "gate",
	.summary = "compare two results files and fail on a regression (CI)",
	.run = gate_run,
};
