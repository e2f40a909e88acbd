// SPDX-License-Identifier: GPL-2.0-only
/*
 * zpoolbench capture pages|process|zram: traces from real memory. Each kind
 * is one entry of the table at the end; `capture zram` lives in its own file
 * (cli/cmd_capture_zram.c), with the fidelity work it belongs to.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../allocators/kernel/page.h"
#include "../allocators/zsmalloc.h"
#include "../traces/capture/capture.h"
#include "cli.h"

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || v < min)	/* errno: ERANGE, which would clamp to 2^64-1 */
		goto bad;
	*out = v;
	return 0;
bad:
	zpb_cli_error("capture: %s wants a whole number >= %llu, not '%s'", opt,
		      (unsigned long long)min, s ? s : "");
	return -1;
}

static int parse_double(const char *opt, const char *s, double min, double max, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !isfinite(v) || v < min || v > max) {
		zpb_cli_error("capture: %s wants a number in %g..%g, not '%s'", opt, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* --incompressible reject|store|huge[:BYTES] */
static int parse_incomp(const char *s, struct zpb_page_policy *pol)
{
	char word[16];
	const char *colon = strchr(s, ':');
	uint64_t bytes;
	int p;

	snprintf(word, sizeof(word), "%.*s", colon ? (int)(colon - s) : (int)strlen(s), s);
	p = zpb_incompressible_parse(word);
	if (p < 0 || (colon && p != ZPB_INCOMP_HUGE)) {
		zpb_cli_error("capture: --incompressible wants reject, store or huge[:BYTES], not '%s'", s);
		return -1;
	}
	pol->incompressible = (enum zpb_incompressible)p;
	if (colon) {
		if (parse_u64("--incompressible huge:BYTES", colon + 1, 1, &bytes))
			return -1;
		if (bytes > ZPB_PAGE_SIZE_MAX) {
			zpb_cli_error("capture: huge:%llu is above the page size", (unsigned long long)bytes);
			return -1;
		}
		pol->huge_class_size = (unsigned int)bytes;	/* checked against --page-size later */
	}
	return 0;
}

/* zsmalloc's huge_class_size with zram's default chain (8) for pages of @ps bytes. */
static size_t zpb_capture_huge_class_size(uint32_t ps)
{
	unsigned long was = PAGE_SIZE;
	size_t huge;

	/* zsmalloc's class table follows the page size in force; capture holds no pages. */
	if (zpb_set_page_size(ps))
		return 0;
	huge = zpb_zs_huge_class_size(8);
	zpb_set_page_size(was);
	return huge;
}

/*
 * The policy once every option is in: --page-size is checked against what
 * huge:BYTES said, and huge without BYTES takes zsmalloc's threshold for
 * that page size. 0, or -1 after a one-line error.
 */
static int finish_policy(const char *cmd, struct zpb_page_policy *pol)
{
	uint32_t ps = pol->page_size ? pol->page_size : ZPB_PAGE_SIZE;

	if (pol->huge_class_size > ps) {
		zpb_cli_error("%s: --incompressible huge:%u is above the page size (%u)", cmd,
			      pol->huge_class_size, ps);
		return -1;
	}
	if (!pol->huge_class_size)	/* huge without :BYTES: zram's default chain */
		pol->huge_class_size = (unsigned int)zpb_capture_huge_class_size(ps);
	return 0;
}

/* --page-size 4096|16384|65536 */
static int parse_page_size(const char *s, struct zpb_page_policy *pol)
{
	uint64_t v;

	if (parse_u64("--page-size", s, 1, &v))
		return -1;
	if (!zpb_capture_page_size_ok(v)) {
		zpb_cli_error("capture: --page-size wants 4096, 16384 or 65536, not '%s'", s);
		return -1;
	}
	pol->page_size = (uint32_t)v;
	return 0;
}

static const char policy_help[] =
	"      --page-size BYTES     the page size to cut into: 4096 (default), 16384\n"
	"                            (arm64 16K kernels) or 65536; the trace's header\n"
	"                            carries it and replay defaults to it\n"
	"      --compressor NAME     lz4 (default), lzo (lzo1x-1) or zstd[:LEVEL] (1..19,\n"
	"                            default 3)\n"
	"      --incompressible P    what a page that does not compress becomes:\n"
	"                            store   stored as is at the page size (zswap v6.18+,\n"
	"                                    the default)\n"
	"                            reject  refused when the output exceeds the page size\n"
	"                                    (zswap v5.4..v6.17 with zsmalloc)\n"
	"                            huge[:BYTES] stored whole when the output is at least\n"
	"                                    zsmalloc's huge_class_size (zram; default at 4K\n"
	"                                    3625, chain size 8, v6.3+; 3257 before)\n"
	"                            Same-filled pages (one repeated word) are always\n"
	"                            flagged and not compressed, as zswap and zram do.\n"
	"      --no-contents         do not keep the pages' contents; by default they go\n"
	"                            to TRACE.pages (zstd-compressed, checksummed), which\n"
	"                            a compressing replay needs\n";

/* Progress on stderr, only when it is a terminal. */
static void pages_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
	(void)ctx;
	fprintf(stderr, "\rcapture pages: %-6s %llu/%llu (%3.0f%%)", phase, (unsigned long long)done,
		(unsigned long long)total, total ? 100.0 * (double)done / (double)total : 100.0);
	if (done == total)
		fputc('\n', stderr);
}

static void pages_usage(FILE *out)
{
	fprintf(out,
		"Usage: zpoolbench capture pages FILE... -o TRACE [OPTION]...\n"
		"\n"
		"Turn page images (any file: a memory dump, a core, a binary) into a trace.\n"
		"Each page (4 KiB, or --page-size) is compressed with a real compressor; an\n"
		"order model turns the pages into STORE, LOAD and INVALIDATE records. Page i\n"
		"of the files, in the order given, is swap slot 0:i and each STORE carries\n"
		"page=i.\n"
		"\n"
		"  -o, --output TRACE        the trace to write (binary unless --text; - for stdout)\n"
		"%s"
		"      --order MODEL         sequential (default): store every page, then load\n"
		"                            and invalidate each; random: the same in random\n"
		"                            orders; lru: RAM of --budget pages under an LRU,\n"
		"                            all pages touched once (fill), then --ops accesses\n"
		"                            over --working-set pages with --zipf skew (access)\n"
		"      --budget PAGES        lru: pages of RAM (default: a quarter of the pages)\n"
		"      --working-set N       lru: pages the access phase touches (default: all)\n"
		"      --zipf S              lru: access skew, 0 = uniform (default 0.99)\n"
		"      --ops N               lru: accesses (default: 4 x pages)\n"
		"      --seed S              for random and lru (default 1)\n"
		"      --text                write a text trace\n"
		"  -h, --help                this help\n", policy_help);
}

enum { OPT_COMPRESSOR = 256, OPT_INCOMP, OPT_ORDER, OPT_BUDGET, OPT_WS, OPT_ZIPF, OPT_OPS,
       OPT_SEED, OPT_TEXT, OPT_INTERVAL, OPT_DURATION, OPT_MAX_PAGES, OPT_NO_CONTENTS, OPT_PAGE_SIZE };

/* The content file beside @out (TRACE.pages), unless --no-contents. NULL and an error if too long. */
static const char *contents_path(const char *out, int keep, char *buf, size_t len, int *bad)
{
	*bad = 0;
	if (!keep)
		return NULL;
	if (!strcmp(out, "-")) {
		/* Not an error: the trace streams; only its contents are left behind, and said so. */
		fprintf(stderr, "zpoolbench: capture: -o -: page contents not kept (they need a file beside the trace: give -o TRACE to keep them)\n");
		return NULL;
	}
	if (zpb_pages_path(out, buf, len)) {
		zpb_cli_error("capture: %s: path too long for its content file", out);
		*bad = 1;
		return NULL;
	}
	if (zpb_cli_check_output("capture", "the content file", buf)) {
		*bad = 1;
		return NULL;
	}
	return buf;
}

/* The options every capture kind shares. 1 handled, 0 not one of them, -1 bad. */
static int common_opt(int c, const char **out, enum zpb_trace_form *form, struct zpb_page_policy *pol,
		      int *keep)
{
	switch (c) {
	case OPT_NO_CONTENTS:
		*keep = 0;
		return 1;
	case 'o':
		*out = optarg;
		return 1;
	case OPT_COMPRESSOR:
		pol->compressor = optarg;
		return 1;
	case OPT_INCOMP:
		return parse_incomp(optarg, pol) ? -1 : 1;
	case OPT_PAGE_SIZE:
		return parse_page_size(optarg, pol) ? -1 : 1;
	case OPT_TEXT:
		*form = ZPB_TRACE_TEXT;
		return 1;
	}
	return 0;
}

static int capture_pages(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "compressor", required_argument, NULL, OPT_COMPRESSOR },
		{ "incompressible", required_argument, NULL, OPT_INCOMP },
		{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
		{ "order", required_argument, NULL, OPT_ORDER },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "working-set", required_argument, NULL, OPT_WS },
		{ "zipf", required_argument, NULL, OPT_ZIPF },
		{ "ops", required_argument, NULL, OPT_OPS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "text", no_argument, NULL, OPT_TEXT },
		{ "no-contents", no_argument, NULL, OPT_NO_CONTENTS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct zpb_capture_pages_opts o;
	struct zpb_capture_pages_stats st;
	char err[512], pages_path[4096];
	int c, budget_set = 0, keep = 1, bad;

	memset(&o, 0, sizeof(o));
	o.form = ZPB_TRACE_BINARY;
	o.policy.compressor = "lz4";
	o.policy.incompressible = ZPB_INCOMP_STORE;
	o.order.order = ZPB_ORDER_SEQUENTIAL;
	o.order.zipf = 0.99;
	o.order.seed = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		int r = common_opt(c, &o.out, &o.form, &o.policy, &keep);

		if (r < 0)
			return ZPB_EXIT_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_ORDER:
			if ((c = zpb_order_parse(optarg)) < 0) {
				zpb_cli_error("capture pages: --order wants sequential, random or lru, not '%s'",
					      optarg);
				return ZPB_EXIT_USAGE;
			}
			o.order.order = (enum zpb_order)c;
			break;
		case OPT_BUDGET:
			if (parse_u64("--budget", optarg, 1, &o.order.budget))
				return ZPB_EXIT_USAGE;
			budget_set = 1;
			break;
		case OPT_WS:
			if (parse_u64("--working-set", optarg, 1, &o.order.working_set))
				return ZPB_EXIT_USAGE;
			break;
		case OPT_ZIPF:
			if (parse_double("--zipf", optarg, 0, 10, &o.order.zipf))
				return ZPB_EXIT_USAGE;
			break;
		case OPT_OPS:
			if (parse_u64("--ops", optarg, 1, &o.order.ops))
				return ZPB_EXIT_USAGE;
			break;
		case OPT_SEED:
			if (parse_u64("--seed", optarg, 0, &o.order.seed))
				return ZPB_EXIT_USAGE;
			break;
		case 'h':
			pages_usage(stdout);
			return ZPB_EXIT_OK;
		default:
			return zpb_cli_bad_option("capture pages", c, argv);
		}
	}
	if (!o.out) {
		zpb_cli_error("capture pages: no output (-o TRACE; see zpoolbench capture pages --help)");
		return ZPB_EXIT_USAGE;
	}
	if (zpb_cli_check_output("capture pages", "-o", o.out))
		return ZPB_EXIT_USAGE;
	if (optind >= argc) {
		zpb_cli_error("capture pages: no input files (see zpoolbench capture pages --help)");
		return ZPB_EXIT_USAGE;
	}
	if (finish_policy("capture pages", &o.policy))
		return ZPB_EXIT_USAGE;
	if (o.order.order != ZPB_ORDER_LRU && (budget_set || o.order.working_set || o.order.ops)) {
		zpb_cli_error("capture pages: --budget, --working-set and --ops need --order lru");
		return ZPB_EXIT_USAGE;
	}
	o.pages_out = contents_path(o.out, keep, pages_path, sizeof(pages_path), &bad);
	if (bad)
		return ZPB_EXIT_USAGE;
	o.files = (const char *const *)argv + optind;
	o.nfiles = argc - optind;
	if (isatty(STDERR_FILENO))
		o.order.progress = pages_progress;
	if (zpb_capture_pages(&o, &st, err, sizeof(err))) {
		zpb_cli_error("capture pages: %s", err);
		return ZPB_EXIT_USAGE;
	}
	fprintf(stderr,
		"capture pages: %s: %llu pages (%llu same-filled, %llu incompressible, %llu rejected), "
		"%.2f MiB compressed; %llu records (%llu stores, %llu loads, %llu invalidates)\n",
		o.out, (unsigned long long)st.counts.pages, (unsigned long long)st.counts.same_filled,
		(unsigned long long)st.counts.incompressible, (unsigned long long)st.counts.rejected,
		(double)st.counts.comp_bytes / 1048576.0, (unsigned long long)st.records,
		(unsigned long long)st.order.stores, (unsigned long long)st.order.loads,
		(unsigned long long)st.order.invalidates);
	if (o.pages_out)
		fprintf(stderr, "capture pages: contents in %s\n", o.pages_out);
	return ZPB_EXIT_OK;
}

/* The first Ctrl-C (SIGTERM, SIGHUP) ends the capture, which writes what it saw. */
static volatile sig_atomic_t stop_flag;

static void process_progress(void *ctx, unsigned int snap, uint64_t pages, uint64_t records)
{
	(void)ctx;
	fprintf(stderr, "\rcapture process: snapshot %u, %llu pages followed, %llu records", snap,
		(unsigned long long)pages, (unsigned long long)records);
}

static void process_usage(FILE *out)
{
	fprintf(out,
		"Usage: zpoolbench capture process PID -o TRACE [OPTION]...\n"
		"\n"
		"Snapshot a live process's anonymous memory (/proc/PID/maps, /proc/PID/mem)\n"
		"every --interval, find the pages it writes by a content hash per page, and\n"
		"simulate swap under a RAM budget with an LRU: cold pages are stored\n"
		"(compressed from their real contents), stored pages written again are\n"
		"loaded and invalidated, unmapped ones invalidated. Reads are not visible.\n"
		"The process must be yours and ptrace-able (kernel.yama.ptrace_scope), e.g.\n"
		"a child of your shell. Ctrl-C stops early and still writes the trace.\n"
		"With --page-size 16384 or 65536 each mapping is cut into pages of that size\n"
		"from its start, as a 16K or 64K kernel would hold it: a page is in memory\n"
		"if any of its 4 KiB pieces is, and a mapping's last page is padded with\n"
		"zeros.\n"
		"\n"
		"  -o, --output TRACE        the trace to write (binary unless --text; - for stdout)\n"
		"      --interval MS         between snapshots (default 100)\n"
		"      --duration S          how long to watch (default 5; ends early if the\n"
		"                            process exits)\n"
		"      --budget PAGES        pages of RAM (default: a quarter of the first\n"
		"                            snapshot's pages)\n"
		"      --max-pages N         follow at most N pages (default 1048576)\n"
		"%s"
		"      --text                write a text trace\n"
		"  -h, --help                this help\n", policy_help);
}

static int capture_process(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "max-pages", required_argument, NULL, OPT_MAX_PAGES },
		{ "compressor", required_argument, NULL, OPT_COMPRESSOR },
		{ "incompressible", required_argument, NULL, OPT_INCOMP },
		{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
		{ "text", no_argument, NULL, OPT_TEXT },
		{ "no-contents", no_argument, NULL, OPT_NO_CONTENTS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct zpb_capture_process_opts o;
	struct zpb_capture_process_stats st;
	uint64_t v, pid;
	char err[512], pages_path[4096];
	int c, r, keep = 1, bad;

	memset(&o, 0, sizeof(o));
	o.form = ZPB_TRACE_BINARY;
	o.policy.compressor = "lz4";
	o.policy.incompressible = ZPB_INCOMP_STORE;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		int cr = common_opt(c, &o.out, &o.form, &o.policy, &keep);

		if (cr < 0)
			return ZPB_EXIT_USAGE;
		if (cr > 0)
			continue;
		switch (c) {
		case OPT_INTERVAL:
			if (parse_u64("--interval", optarg, 1, &v))
				return ZPB_EXIT_USAGE;
			if (v > 3600000) {
				zpb_cli_error("capture process: --interval %llu ms is over an hour",
					      (unsigned long long)v);
				return ZPB_EXIT_USAGE;
			}
			o.interval_ms = (unsigned int)v;
			break;
		case OPT_DURATION:
			if (parse_double("--duration", optarg, 0.001, 86400, &o.duration_s))
				return ZPB_EXIT_USAGE;
			break;
		case OPT_BUDGET:
			if (parse_u64("--budget", optarg, 1, &o.budget))
				return ZPB_EXIT_USAGE;
			break;
		case OPT_MAX_PAGES:
			if (parse_u64("--max-pages", optarg, 1, &o.max_pages))
				return ZPB_EXIT_USAGE;
			break;
		case 'h':
			process_usage(stdout);
			return ZPB_EXIT_OK;
		default:
			return zpb_cli_bad_option("capture process", c, argv);
		}
	}
	if (optind != argc - 1) {
		zpb_cli_error("capture process: give exactly one PID (see zpoolbench capture process --help)");
		return ZPB_EXIT_USAGE;
	}
	if (parse_u64("PID", argv[optind], 1, &pid) || pid > 0x7fffffff)
		return ZPB_EXIT_USAGE;
	if (finish_policy("capture process", &o.policy))
		return ZPB_EXIT_USAGE;
	if (!o.out) {
		zpb_cli_error("capture process: no output (-o TRACE; see zpoolbench capture process --help)");
		return ZPB_EXIT_USAGE;
	}
	if (zpb_cli_check_output("capture process", "-o", o.out))
		return ZPB_EXIT_USAGE;
	o.pages_out = contents_path(o.out, keep, pages_path, sizeof(pages_path), &bad);
	if (bad)
		return ZPB_EXIT_USAGE;
	o.pid = (int)pid;
	o.stop = &stop_flag;
	if (isatty(STDERR_FILENO))
		o.progress = process_progress;
	zpb_cli_stop_on_signal(&stop_flag, "writing the trace captured so far");
	r = zpb_capture_process(&o, &st, err, sizeof(err));
	zpb_cli_stop_on_signal(NULL, NULL);
	if (o.progress)
		fputc('\n', stderr);
	if (r) {
		zpb_cli_error("%s", err);
		return ZPB_EXIT_USAGE;
	}
	fprintf(stderr,
		"capture process: %s: %u snapshots%s, %llu pages seen, %llu writes; %llu records "
		"(%llu stores, %llu loads, %llu invalidates; %llu same-filled, %llu incompressible, "
		"%llu rejected)\n",
		o.out, st.snapshots, st.exited ? " (the process exited)" : "",
		(unsigned long long)st.pages_seen, (unsigned long long)st.writes,
		(unsigned long long)st.records, (unsigned long long)st.stores,
		(unsigned long long)st.loads, (unsigned long long)st.invalidates,
		(unsigned long long)st.same_filled, (unsigned long long)st.incompressible,
		(unsigned long long)st.rejected);
	if (o.pages_out)
		fprintf(stderr, "capture process: contents in %s\n", o.pages_out);
	return ZPB_EXIT_OK;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} kinds[] = {
	{ "pages", capture_pages, "page images (any file) -> compressed sizes -> an order model" },
	{ "process", capture_process, "a live process's anonymous memory and write pattern" },
	{ "zram", zpb_cli_capture_zram, "the kernel's own zsmalloc through a zram device (root)" },
};

static void capture_usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: zpoolbench capture KIND ... -o TRACE [OPTION]...\n\nKinds:\n");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		fprintf(out, "  %-8s %s\n", kinds[i].name, kinds[i].summary);
	fprintf(out, "\nRun 'zpoolbench capture KIND --help' for a kind's options.\n"
		     "From a live kernel: traces/capture/zswap-capture.sh (runs zswap.bt), then\n"
		     "'zpoolbench trace import bpftrace'.\n");
}

static int capture_run(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		capture_usage(stderr);
		return ZPB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		capture_usage(stdout);
		return ZPB_EXIT_OK;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(argv[1], kinds[i].name))
			return kinds[i].run(argc - 1, argv + 1);
	zpb_cli_error("capture: unknown kind '%s' (see zpoolbench capture --help)", argv[1]);
	return ZPB_EXIT_USAGE;
}

const struct zpb_command zpb_cmd_capture = {
	.name = "capture",
	.summary = "capture traces from page images, live processes or zram",
	.run = capture_run,
};
