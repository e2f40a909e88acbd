// SPDX-License-Identifier: GPL-2.0-only
/*
 * zpoolbench selftest: the conformance and shadow-model checks
 * (selftest/selftest.h, the same code the test suite runs) on allocator
 * specs, plugins included.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../allocators/zpool.h"
#include "../selftest/selftest.h"
#include "cli.h"

#define MAX_SPECS 16
#define MAX_CHECKS 32
#define SHOWN_FAILURES 10	/* per check; a broken allocator can fail millions of times */

static void usage(FILE *out)
{
	const struct zpb_selftest *t;

	fprintf(out,
		"Usage: zpoolbench selftest --alloc SPEC[,SPEC...] [OPTION]...\n"
		"\n"
		"Run the conformance and shadow-model checks that the test suite runs on\n"
		"every in-tree allocator on the allocators SPEC names: NAME[:KEY=VALUE]...,\n"
		"'all', or a plugin, ./libmine.so[:KEY=VALUE]... (docs/plugins.md). Prints a\n"
		"line per check and allocator (ok, FAIL with the first failures, or skip and\n"
		"why the check does not apply), then 'N passed, N failed'.\n"
		"\n"
		"Options:\n"
		"  --alloc LIST     the allocator specs to check (required)\n"
		"  --check NAME     run only this check (repeatable; see the list below)\n"
		"  --seed N         the seed of the randomized (shadow) checks, instead of\n"
		"                   each check's own; the seed used is printed\n"
		"  --page-size B    run at pages of B bytes: 4096 (the default), 16384 or\n"
		"                   65536, as replay --page-size\n"
		"  --scale X        multiply the shadow checks' operation counts by X\n"
		"                   (default 1: 10^6 operations; 0.1 for a quick look)\n"
		"  --quiet          print no notes (seeds, operation counts), only results\n"
		"  --help           show this help\n"
		"\n"
		"Checks:\n");
	for (t = zpb_selftests; t->name; t++)
		fprintf(out, "  %s\n", t->name);
	fprintf(out,
		"\n"
		"Exit status: 0 if every check passed or was skipped, 1 if one failed,\n"
		"2 for bad options or an allocator that cannot be loaded.\n");
}

struct sink {
	const char *check, *spec;
	unsigned long shown;
	bool quiet;
};

static void on_fail(void *arg, const char *file, int line, const char *msg)
{
	struct sink *s = arg;

	if (s->shown++ < SHOWN_FAILURES)
		printf("  %s:%d: %s: %s\n", file, line, s->check, msg);
	fflush(stdout);
}

static void on_note(void *arg, const char *msg)
{
	struct sink *s = arg;

	if (!s->quiet)
		printf("  %s\n", msg);
}

static int parse_scale(const char *v, double *out)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end || !(x > 0) || x > 1000)
		return -1;
	*out = x;
	return 0;
}

static int parse_seed(const char *v, uint64_t *out)
{
	char *end;

	if (!*v || *v == '-' || *v == '+')
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno || *end ? -1 : 0;
}

static int selftest_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "alloc", required_argument, NULL, 'a' },
		{ "check", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "scale", required_argument, NULL, 'x' },
		{ "page-size", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct zpb_spec specs[MAX_SPECS];
	const struct zpb_selftest *checks[MAX_CHECKS], *t;
	const char *alloc = NULL;
	unsigned long page_size = 4096;
	int nchecks = 0, nspecs, c, i, k;
	char *end;
	unsigned long passed = 0, failed = 0, skipped = 0;
	struct zpb_check base = { .scale = 1, .seed_hint = "give --seed" };
	bool quiet = false;
	char err[512];

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			alloc = optarg;
			break;
		case 'c':
			t = zpb_selftest_find(optarg);
			if (!t) {
				zpb_cli_error("selftest: --check: no check called '%s' (see zpoolbench selftest --help)",
					      optarg);
				return ZPB_EXIT_USAGE;
			}
			if (nchecks == MAX_CHECKS) {
				zpb_cli_error("selftest: --check: at most %d", MAX_CHECKS);
				return ZPB_EXIT_USAGE;
			}
			checks[nchecks++] = t;
			break;
		case 's':
			if (parse_seed(optarg, &base.seed)) {
				zpb_cli_error("selftest: --seed needs a decimal whole number, not '%s'", optarg);
				return ZPB_EXIT_USAGE;
			}
			base.seed_given = true;
			break;
		case 'x':
			if (parse_scale(optarg, &base.scale)) {
				zpb_cli_error("selftest: --scale needs a number above 0 and at most 1000, not '%s'", optarg);
				return ZPB_EXIT_USAGE;
			}
			break;
		case 'P':
			errno = 0;
			page_size = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || !zpb_page_size_valid(page_size)) {
				zpb_cli_error("selftest: --page-size: '%s': expected 4096, 16384 or 65536", optarg);
				return ZPB_EXIT_USAGE;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return ZPB_EXIT_OK;
		default:
			return zpb_cli_bad_option("selftest", c, argv);
		}
	}
	if (optind < argc) {
		zpb_cli_error("selftest: unexpected argument '%s' (see zpoolbench selftest --help)", argv[optind]);
		return ZPB_EXIT_USAGE;
	}
	if (!alloc) {
		zpb_cli_error("selftest: --alloc SPEC is required (see zpoolbench selftest --help)");
		return ZPB_EXIT_USAGE;
	}
	/* Before the specs: their defaults may depend on it (zsmalloc's delta). */
	if (zpb_set_page_size(page_size)) {
		zpb_cli_error("selftest: --page-size: cannot switch to %lu-byte pages", page_size);
		return ZPB_EXIT_USAGE;
	}
	nspecs = zpb_spec_parse_list(alloc, specs, MAX_SPECS, err, sizeof(err));
	if (nspecs < 0) {
		zpb_cli_error("selftest: --alloc: %s", err);
		return ZPB_EXIT_USAGE;
	}
	if (!nchecks)
		for (t = zpb_selftests; t->name && nchecks < MAX_CHECKS; t++)
			checks[nchecks++] = t;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < nspecs; i++)
		for (k = 0; k < nchecks; k++) {
			struct sink sink = { .check = checks[k]->name, .spec = specs[i].text, .quiet = quiet };
			struct zpb_check chk = base;
			struct timespec a, b;

			chk.spec = &specs[i];
			chk.fail = on_fail;
			chk.note = on_note;
			chk.arg = &sink;
			clock_gettime(CLOCK_MONOTONIC, &a);
			zpb_selftest_run(checks[k], &chk);
			clock_gettime(CLOCK_MONOTONIC, &b);
			if (chk.failures) {
				failed++;
				printf("FAIL %s %s (%lu failed checks)\n", checks[k]->name, specs[i].text, chk.failures);
			} else if (chk.skip[0]) {
				skipped++;
				printf("skip %s %s: %s\n", checks[k]->name, specs[i].text, chk.skip);
			} else {
				passed++;
				printf("ok   %s %s (%.2fs)\n", checks[k]->name, specs[i].text,
				       (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
			}
		}
	if (skipped)
		printf("%lu skipped\n", skipped);
	printf("%lu passed, %lu failed\n", passed, failed);
	return failed ? ZPB_EXIT_FAIL : ZPB_EXIT_OK;
}

const struct zpb_command zpb_cmd_selftest = {
	.name = "selftest",
	.summary = "run the conformance and shadow-model checks on allocators, plugins included",
	.run = selftest_run,
};
