// SPDX-License-Identifier: GPL-2.0-only
/* zpoolbench trace import bpftrace FILE: a traces/capture/zswap.bt capture into a trace. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../traces/capture/capture.h"
#include "cli.h"
#include "cmd_trace_import.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: zpoolbench trace import bpftrace CAPTURE -o TRACE [--text]\n"
		"\n"
		"Convert the output of traces/capture/zswap.bt (run on a live kernel with\n"
		"bpftrace; the script's header gives the format and the kernels it fits)\n"
		"into a trace. Events are ordered by time; a load hit becomes LOAD then\n"
		"INVALIDATE (the kernel freed the entry), a free by writeback WRITEBACK,\n"
		"a load of a written-back page a LOAD (a miss); events on pages stored\n"
		"before the capture began are dropped and counted.\n"
		"\n"
		"  -o, --output TRACE   the trace to write (binary unless --text; - for stdout)\n"
		"      --text           write a text trace\n"
		"  -h, --help           this help\n");
}

int zpb_cli_trace_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "text", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum zpb_trace_form form = ZPB_TRACE_BINARY;
	struct zpb_import_stats st;
	const char *out = NULL;
	char err[512];
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 't':
			form = ZPB_TRACE_TEXT;
			break;
		case 'h':
			usage(stdout);
			return ZPB_EXIT_OK;
		default:
			return zpb_cli_bad_option("trace import", c, argv);
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "bpftrace")) {
		zpb_cli_error("trace import: want 'bpftrace CAPTURE' (the only source so far; see zpoolbench trace import --help)");
		return ZPB_EXIT_USAGE;
	}
	if (!out) {
		zpb_cli_error("trace import: no output (-o TRACE; see zpoolbench trace import --help)");
		return ZPB_EXIT_USAGE;
	}
	if (zpb_cli_check_output("trace import", "-o", out))
		return ZPB_EXIT_USAGE;
	if (zpb_import_bpftrace_stats(argv[optind + 1], out, form, &st, err, sizeof(err))) {
		zpb_cli_error("trace import: %s", err);
		return ZPB_EXIT_USAGE;
	}
	fprintf(stderr, "trace import: %s: %llu records (%llu stores, %llu loads, %llu invalidates, "
		"%llu writebacks, %llu misses, %llu replaced); %llu events on earlier entries dropped, %llu stale\n",
		out, (unsigned long long)st.records, (unsigned long long)st.stores,
		(unsigned long long)st.loads, (unsigned long long)st.invalidates,
		(unsigned long long)st.writebacks, (unsigned long long)st.misses,
		(unsigned long long)st.replaced,
		(unsigned long long)st.dropped, (unsigned long long)st.stale);
	return ZPB_EXIT_OK;
}
