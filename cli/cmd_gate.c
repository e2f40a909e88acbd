// SPDX-License-Identifier: GPL-2.0-only
/* zpoolbench gate: judge a candidate results file against a baseline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gate/compare.h"
#include "../gate/output.h"
#include "../util/atomic_file.h"
#include "cli.h"

#define MAX_PAIRS 32

static void gate_usage(FILE *f)
{
	fprintf(f,
		"Usage: zpoolbench gate BASELINE CANDIDATE [OPTION]...\n"
		"\n"
		"Compare two results files (zpoolbench replay -o, or Google Benchmark JSON)\n"
		"metric by metric and print a Markdown table. Each metric is judged by the\n"
		"first matching rule: exact (any change fails), threshold (a relative limit)\n"
		"or statistical (Mann-Whitney U over repetitions plus a minimum effect).\n"
		"Verify failures, diagnostics errors and leaked pages must be 0 in both.\n"
		"\n"
		"  --rules FILE      rules to use instead of the built-in gate/default-rules.txt\n"
		"  --pair BASE=CAND  compare baseline allocator BASE with candidate CAND\n"
		"                    (files holding one allocator each pair automatically)\n"
		"  --allow-different-traces  compare results of traces with different sha256\n"
		"                    (refused by default: exit 2)\n"
		"  --changes-only    list only rows whose figure moved or whose verdict is not ok\n"
		"  --json FILE       also write the verdict as JSON (docs/gate.md)\n"
		"  --junit FILE      also write it as JUnit XML, one test case per figure\n"
		"\n"
		"Exit status: 0 nothing regressed, 1 a regression, 2 bad input.\n"
		"See docs/gate.md.\n");
}

/* Write @rep through @write into the opened @af and rename it into place; 0, or -1 having said why. */
static int write_output(struct zpb_atomic_file *af, const char *path, const char *option,
			int (*write)(FILE *, const struct zpb_gate_report *), const struct zpb_gate_report *rep)
{
	char err[1024];

	if (write(af->f, rep)) {
		zpb_atomic_abort(af);
		zpb_cli_error("gate: %s %s: could not write", option, path);
		return -1;
	}
	if (zpb_atomic_commit(af, err, sizeof(err))) {
		zpb_cli_error("gate: %s %s", option, err);
		return -1;
	}
	return 0;
}

static int gate_run(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL }, *rules_path = NULL, *json_path = NULL, *junit_path = NULL;
	struct zpb_atomic_file json_af = { 0 }, junit_af = { 0 };
	struct zpb_gate_options opt = { 0 };
	struct zpb_gate_report rep = { 0 };
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
		} else if (!strcmp(argv[a], "--json") && a + 1 < argc) {
			json_path = argv[++a];
		} else if (!strcmp(argv[a], "--junit") && a + 1 < argc) {
			junit_path = argv[++a];
		} else if (!strcmp(argv[a], "--changes-only")) {
			rep.changes_only = true;
		} else if (!strcmp(argv[a], "--allow-different-traces")) {
			opt.allow_different_traces = true;
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
	/* An output that cannot be written is found before the comparison, and never replaces an input. */
	for (i = 0; i < 2; i++) {
		const char *path = i ? junit_path : json_path;

		if (path && (zpb_output_is_input(path, files[0], err, sizeof(err)) ||
			     zpb_output_is_input(path, files[1], err, sizeof(err)) ||
			     zpb_atomic_open(i ? &junit_af : &json_af, path, err, sizeof(err)))) {
			zpb_cli_error("gate: %s %s", i ? "--junit" : "--json", err);
			goto out;
		}
	}
	opt.pairs = pairs;
	opt.npairs = npairs;
	if (zpb_gate_compare(&ms[0], &ms[1], &rules, &opt, &out, err, sizeof(err))) {
		zpb_cli_error("gate: %s", err);
		goto out;
	}
	rep.res = &out;
	rep.base_path = files[0];
	rep.cand_path = files[1];
	rep.rules_source = rules.source;
	rep.base_sha256 = ms[0].trace_sha256;
	rep.cand_sha256 = ms[1].trace_sha256;
	zpb_gate_write_markdown(stdout, &rep);
	if ((json_path && write_output(&json_af, json_path, "--json", zpb_gate_write_json, &rep)) ||
	    (junit_path && write_output(&junit_af, junit_path, "--junit", zpb_gate_write_junit, &rep)))
		goto out;
	rc = out.regressed ? ZPB_EXIT_FAIL : ZPB_EXIT_OK;
out:
	if (json_af.f)
		zpb_atomic_abort(&json_af);
	if (junit_af.f)
		zpb_atomic_abort(&junit_af);
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
