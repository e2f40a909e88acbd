// SPDX-License-Identifier: GPL-2.0-only
/* zpoolbench synth: deterministic synthetic traces from named profiles. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../traces/synth/synth.h"
#include "cli.h"

static void usage(FILE *out)
{
	const struct zpb_synth_profile *const *p;

	fprintf(out,
		"Usage: zpoolbench synth [--profile NAME] --ops N --seed S -o TRACE [--page-size B] [--text]\n"
		"\n"
		"Write a synthetic trace: N records (STORE, LOAD, INVALIDATE; MARKs between\n"
		"phases come on top) from a profile whose compressed sizes were measured on\n"
		"real pages (docs/synth-profiles.md). The same profile, N and seed give the\n"
		"same file, byte for byte.\n"
		"\n"
		"  -p, --profile NAME   the profile (default %s)\n"
		"  -n, --ops N          records to write (not counting MARKs)\n"
		"  -s, --seed S         the PRNG seed\n"
		"  -o, --output TRACE   the trace to write (binary unless --text; - for stdout)\n"
		"      --page-size B    4096 (default), 16384 or 65536: the profiles' 4 KiB\n"
		"                       sizes scale with the page (a model; 4096 gives the\n"
		"                       same trace as ever)\n"
		"      --text           write a text trace\n"
		"  -l, --list           list the profiles\n"
		"  -h, --help           this help\n"
		"\nProfiles:\n", ZPB_SYNTH_DEFAULT_PROFILE);
	for (p = zpb_synth_profiles(); *p; p++)
		fprintf(out, "  %-12s %s\n", (*p)->name, (*p)->description);
}

static int parse_u64(const char *opt, const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-') {
		zpb_cli_error("synth: %s wants a whole number, not '%s'", opt, s);
		return -1;
	}
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (*end || errno) {	/* errno: ERANGE, which would clamp to 2^64-1 */
		zpb_cli_error("synth: %s wants a whole number, not '%s'", opt, s);
		return -1;
	}
	return 0;
}

static int synth_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "ops", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "text", no_argument, NULL, 't' },
		{ "page-size", required_argument, NULL, 'P' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *profile = ZPB_SYNTH_DEFAULT_PROFILE, *out = NULL;
	enum zpb_trace_form form = ZPB_TRACE_BINARY;
	const struct zpb_synth_profile *p;
	struct zpb_synth_stats st;
	uint64_t ops = 0, seed = 0, page_size = 4096;
	int c, have_ops = 0, have_seed = 0;
	char err[512];

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:n:s:o:lh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			profile = optarg;
			break;
		case 'n':
			if (parse_u64("--ops", optarg, &ops))
				return ZPB_EXIT_USAGE;
			have_ops = 1;
			break;
		case 's':
			if (parse_u64("--seed", optarg, &seed))
				return ZPB_EXIT_USAGE;
			have_seed = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 't':
			form = ZPB_TRACE_TEXT;
			break;
		case 'P':
			if (parse_u64("--page-size", optarg, &page_size))
				return ZPB_EXIT_USAGE;
			if (page_size != 4096 && page_size != 16384 && page_size != 65536) {
				zpb_cli_error("synth: --page-size wants 4096, 16384 or 65536, not '%s'", optarg);
				return ZPB_EXIT_USAGE;
			}
			break;
		case 'l':
		case 'h':
			usage(stdout);
			return ZPB_EXIT_OK;
		default:
			return zpb_cli_bad_option("synth", c, argv);
		}
	}
	if (optind < argc) {
		zpb_cli_error("synth: unexpected argument '%s'", argv[optind]);
		return ZPB_EXIT_USAGE;
	}
	if (!have_ops || !have_seed || !out) {
		zpb_cli_error("synth: --ops, --seed and -o are required (see zpoolbench synth --help)");
		return ZPB_EXIT_USAGE;
	}
	if (zpb_cli_check_output("synth", "-o", out))
		return ZPB_EXIT_USAGE;
	if (ops < 1 || ops > UINT64_C(10000000000)) {
		zpb_cli_error("synth: --ops %llu is not in 1..10^10", (unsigned long long)ops);
		return ZPB_EXIT_USAGE;
	}
	p = zpb_synth_profile_find(profile);
	if (!p) {
		zpb_cli_error("synth: unknown profile '%s' (see zpoolbench synth --list)", profile);
		return ZPB_EXIT_USAGE;
	}
	if (zpb_synth_write(p, ops, seed, (uint32_t)page_size, out, form, &st, err, sizeof(err))) {
		zpb_cli_error("synth: %s", err);
		return ZPB_EXIT_USAGE;
	}
	fprintf(stderr, "synth: %s: profile %s, seed %llu: %llu stores (%llu same-filled, %llu "
		"incompressible), %llu loads, %llu invalidates, %llu marks\n", out, p->name,
		(unsigned long long)seed, (unsigned long long)st.stores,
		(unsigned long long)st.same_filled, (unsigned long long)st.incompressible,
		(unsigned long long)st.loads, (unsigned long long)st.invalidates,
		(unsigned long long)st.marks);
	return ZPB_EXIT_OK;
}

const struct zpb_command zpb_cmd_synth = {
	.name = "synth",
	.summary = "write a deterministic synthetic trace from a named profile",
	.run = synth_run,
};
