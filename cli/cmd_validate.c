// SPDX-License-Identifier: GPL-2.0-only
/* zpoolbench validate: the zsmalloc port against the kernel's own zsmalloc. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fidelity/validate.h"
#include "cli.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: zpoolbench validate TRACE TRUTH [OPTION]...\n"
		"\n"
		"Replay TRACE (from 'zpoolbench capture zram') against the zsmalloc port in\n"
		"deterministic mode with the kernel's parameters, and compare the port's pool\n"
		"pages at every mark with the kernel's mem_used_total from TRUTH; also stored\n"
		"bytes with compr_data_size, same-filled pages and huge pages.\n"
		"Exit status: 0 if every mark is within tolerance, 1 if not, 2 on bad input.\n"
		"\n"
		"      --tolerance PCT        allowed deviation at every mark (default 1)\n"
		"      --store-tolerance PCT  at marks reached by stores alone (default 0.3)\n"
		"      --chain N              zsmalloc chain size (default: the truth file's)\n"
		"      --userspace-verdict    judge the replay with the trace's userspace compressed\n"
		"                             lengths (default: the kernel's lengths, recorded in\n"
		"                             TRUTH, so the verdict is on the allocator alone; the\n"
		"                             userspace-length deviation is shown beside it)\n"
		"  -o, --output FILE          also write the comparison as JSON (- for stdout,\n"
		"                             the table then goes to stderr)\n"
		"  -h, --help                 this help\n");
}

static int parse_pct(const char *opt, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (!*s || *end || v < 0 || v > 100) {
		zpb_cli_error("validate: %s needs a percentage from 0 to 100, not '%s'", opt, s);
		return -1;
	}
	*out = v / 100.0;
	return 0;
}

static int validate_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tolerance", required_argument, NULL, 't' },
		{ "store-tolerance", required_argument, NULL, 's' },
		{ "chain", required_argument, NULL, 'c' },
		{ "userspace-verdict", no_argument, NULL, 'u' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct zpb_validate_opts o = { .tolerance = 0.01, .store_tolerance = 0.003 };
	struct zpb_validate_result res;
	const char *json = NULL;
	char err[512], *end;
	FILE *tab;
	size_t i;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_pct("--tolerance", optarg, &o.tolerance))
				return ZPB_EXIT_USAGE;
			break;
		case 's':
			if (parse_pct("--store-tolerance", optarg, &o.store_tolerance))
				return ZPB_EXIT_USAGE;
			break;
		case 'c':
			o.chain = strtoul(optarg, &end, 0);
			if (!*optarg || *end || o.chain < 1 || o.chain > 16) {
				zpb_cli_error("validate: --chain needs a number from 1 to 16, not '%s'", optarg);
				return ZPB_EXIT_USAGE;
			}
			break;
		case 'u': o.userspace_verdict = true; break;
		case 'o': json = optarg; break;
		case 'h': usage(stdout); return ZPB_EXIT_OK;
		default: return zpb_cli_bad_option("validate", c, argv);
		}
	}
	if (argc - optind != 2) {
		zpb_cli_error("validate: needs TRACE and TRUTH (see zpoolbench validate --help)");
		return ZPB_EXIT_USAGE;
	}
	if (json && zpb_cli_check_output("validate", "-o", json))
		return ZPB_EXIT_USAGE;
	o.trace = argv[optind];
	o.truth = argv[optind + 1];
	if (zpb_validate(&o, &res, err, sizeof(err))) {
		zpb_cli_error("validate: %s", err);
		return ZPB_EXIT_USAGE;
	}
	/* With the JSON on standard output (-o -), the table goes to standard error. */
	tab = json && !strcmp(json, "-") ? stderr : stdout;
	fprintf(tab, "Kernel fidelity: %s against Linux %s (%s); verdict on %s compressed lengths\n\n",
	       res.allocator, res.kernel, res.compressor, res.userspace_verdict ? "userspace" : "the kernel's");
	fprintf(tab, "| mark | record | kernel pages | port pages | deviation | limit | port pages, userspace lengths "
	       "| deviation | kernel compr bytes | userspace compr bytes | same (k/p) | huge (k/p) | |\n");
	fprintf(tab, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
	for (i = 0; i < res.nmarks; i++) {
		const struct zpb_validate_mark *m = &res.marks[i];

		fprintf(tab, "| %s | %llu | %llu | %llu | %+.3f%% | %.1f%% | %llu | %+.3f%% | %llu | %llu | %llu/%llu | %llu/%llu | %s |\n",
		       m->label, (unsigned long long)m->record, (unsigned long long)m->kernel_pages,
		       (unsigned long long)m->port_pages, m->deviation * 100,
		       (m->stores_only ? res.store_tolerance : res.tolerance) * 100,
		       (unsigned long long)m->port_pages_user, m->deviation_user * 100,
		       (unsigned long long)m->kernel_compr, (unsigned long long)m->port_stored_bytes,
		       (unsigned long long)m->kernel_same, (unsigned long long)m->port_same,
		       (unsigned long long)m->kernel_huge, (unsigned long long)m->port_huge,
		       m->ok ? "ok" : "**DEVIATES**");
	}
	fprintf(tab, "\nCompressor difference: %llu pages compressed to a different stored length in userspace "
	       "than in the kernel (%llu bytes in all); with the trace's userspace lengths the worst "
	       "deviation is %.3f%%.\n", (unsigned long long)res.length_mismatch_pages,
	       (unsigned long long)res.length_mismatch_bytes, res.worst_user * 100);
	fprintf(tab, "Verdict: worst deviation %.3f%%; %d mark%s outside tolerance.\n", res.worst * 100, res.failed,
	       res.failed == 1 ? "" : "s");
	if (json && zpb_validate_write_json(&res, json, err, sizeof(err))) {
		zpb_cli_error("validate: %s", err);
		zpb_validate_free(&res);
		return ZPB_EXIT_USAGE;
	}
	c = res.failed ? ZPB_EXIT_FAIL : ZPB_EXIT_OK;
	zpb_validate_free(&res);
	return c;
}

const struct zpb_command zpb_cmd_validate = {
	.name = "validate",
	.summary = "check the zsmalloc port against a kernel zram capture",
	.run = validate_run,
};
