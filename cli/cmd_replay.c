// SPDX-License-Identifier: GPL-2.0-only
/*
 * zpoolbench replay TRACE --alloc SPEC[,SPEC...] [options] -o results.json
 *
 * Replays the trace against each allocator in turn, each on a fresh pool,
 * --repeat times, and writes the results (docs/results-format.md). Ctrl-C
 * stops the current run and writes what was done, marked incomplete.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../replay/replay.h"
#include "../replay/results.h"
#include "../util/sha256.h"
#include "../util/atomic_file.h"
#include "cli.h"

static volatile sig_atomic_t stop_flag;

/* The first Ctrl-C stops the run and writes what was done; a second one quits at once. */
static void on_sigint(int sig)
{
	(void)sig;
	if (stop_flag)
		_exit(130);
	/* Atomic (lock-free, so signal-safe): replay's worker threads read it in a --timed wait. */
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: zpoolbench replay TRACE [--alloc SPEC[,SPEC...]] [OPTION]... -o RESULTS.json\n"
		"\n"
		"Replay a zswap trace against each allocator on a fresh pool, verifying every\n"
		"byte loaded, and write latency, density and reclaim results as JSON.\n"
		"\n"
		"  --alloc SPEC[,SPEC...]  allocators (see 'zpoolbench list'); 'all' is every\n"
		"                          one but the harness's null [all,null]\n"
		"  -o, --output FILE       results file (written atomically)\n"
		"  --threads N             replay threads [1, or the number of --cpus]\n"
		"  --cpus LIST             CPUs to pin threads to, e.g. 0-3,6 [all available]\n"
		"  --numa-nodes LIST       NUMA nodes (CPUs on them, and the memory policy's nodes)\n"
		"  --mem-policy P          local|bind|interleave|preferred [local]\n"
		"  --partition key|cpu     key: a key stays on one thread [key]; cpu: the traced\n"
		"                          CPU picks the thread, per-key order kept\n"
		"  --timed                 honour the trace's timestamps, and report lateness\n"
		"  --speed X               with --timed: replay X times faster than traced [1]\n"
		"  --pool-limit N|P%%|none  pool limit in pages or percent of RAM [20%%]\n"
		"  --accept-threshold P    accept stores again below P%% of the limit [90]\n"
		"  --reclaim R             pool-lru|zswap-lru|none [modern: zswap-lru;\n"
		"                          seed: pool-lru if the allocator can evict, else none]\n"
		"  --reclaim-mode M        sync (in the store path) | async (a thread) [sync]\n"
		"  --zswap-model M         5.4 | 6.8 | 6.11 | 6.18: what zswap of that kernel\n"
		"                          does before the allocator (docs/replay.md) [6.18];\n"
		"                          seed and modern are aliases of 5.4 and 6.18\n"
		"  --exclusive-loads on|off  free entries on load [6.11, 6.18: on; 5.4, 6.8: off]\n"
		"  --compress CODEC        compress each page's real contents (TRACE.pages) at\n"
		"                          replay: lz4, lzo, zstd[:LEVEL], deflate; times each\n"
		"                          phase of a store and a load (lzo-rle is refused)\n"
		"  --deterministic         one thread, deterministic workqueues: reproducible pages\n"
		"  --sample-ops N          a density sample every N records [10000]\n"
		"  --repeat R              run each allocator R times [1]\n"
		"  --fatal-verify          stop at the first verification failure\n"
		"  --csv DIR               also write each run's timeline as DIR/ALLOC-REP.csv\n"
		"  --counters LIST         count perf events per op type (libpfm4 names,\n"
		"                          e.g. instructions,cycles; see 'zpoolbench list')\n"
		"  --instructions callgrind  instructions per op type: each allocator once\n"
		"                          more under valgrind, one thread, deterministic\n"
		"  -q, --quiet             no progress or per-allocator lines on stderr\n"
		"\n"
		"Exit status: 0 all verified, 1 verification failures or interrupted,\n"
		"2 bad input or an output that cannot be written.\n");
}

struct progress_state {
	const char *alloc;
	int index, total;
	struct timespec start;
};

static void progress(void *arg, uint64_t done, uint64_t total)
{
	struct progress_state *p = arg;
	struct timespec now;
	double secs, rate;

	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - p->start.tv_sec) + (double)(now.tv_nsec - p->start.tv_nsec) * 1e-9;
	rate = secs > 0 ? (double)done / secs : 0;
	if (total && done <= total)
		fprintf(stderr, "\r  %s [%d/%d]: %5.1f%%  %.2f M records/s  %.0f s left   ", p->alloc, p->index,
			p->total, 100.0 * (double)done / (double)total, rate / 1e6,
			rate > 0 ? (double)(total - done) / rate : 0.0);
	else
		fprintf(stderr, "\r  %s [%d/%d]: %llu records  %.2f M records/s   ", p->alloc, p->index,
			p->total, (unsigned long long)done, rate / 1e6);
}

/*
 * --instructions: run this same command once more under callgrind for one
 * allocator (--zpb-internal-callgrind-child SPEC makes the child replay only it, on one
 * deterministic thread, writing nothing), and read back its counts.
 */
static int count_instructions(int argc, char **argv, const char *spec, struct zpb_cg_result *res,
			      char *err, size_t errlen)
{
	static char exe[PATH_MAX];
	char **child = calloc((size_t)argc + 4, sizeof(*child));
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int i, ret;

	if (!child || n <= 0) {
		free(child);
		snprintf(err, errlen, "cannot find this program's path to run it under callgrind");
		return -1;
	}
	exe[n] = '\0';
	child[0] = exe;
	for (i = 0; i < argc; i++)	/* argv[0] is "replay" */
		child[i + 1] = argv[i];
	child[argc + 1] = "--zpb-internal-callgrind-child";
	child[argc + 2] = (char *)spec;
	child[argc + 3] = NULL;
	ret = zpb_callgrind_run(child, res, err, errlen);
	free(child);
	return ret;
}

/* --compress: the codec's lengths beside the trace's, and the mean of each phase. */
static void print_phases(const struct zpb_run_result *r)
{
	const struct zpb_op_counts *c = &r->ops;
	int k;

	fprintf(stderr, "  %-20s %llu pages compressed to %.1f bytes on average (the trace: %.1f); %llu rejected as incompressible, %llu stored as-is, %llu zero pages to the swap map\n",
		"", (unsigned long long)c->compressed_stores,
		c->compressed_stores ? (double)c->compressed_bytes / (double)c->compressed_stores : 0.0,
		c->compressed_stores ? (double)c->trace_bytes / (double)c->compressed_stores : 0.0,
		(unsigned long long)c->rejected_compress, (unsigned long long)c->stored_as_is,
		(unsigned long long)c->zero_filled);
	for (k = 0; k < ZPB_PH_MAX; k++) {
		if (k == 0 || k == ZPB_PH_LOAD_MAP)
			fprintf(stderr, "  %-20s %-5s mean ns:", "", zpb_phase_ops[k]);
		fprintf(stderr, " %s %.0f", zpb_phase_names[k], zpb_hist_mean(&r->phase[k]));
		if (k == ZPB_PH_STORE_COPY_IN || k == ZPB_PH_MAX - 1)
			fputc('\n', stderr);
	}
}

static const struct option longopts[] = {
	{ "alloc", required_argument, NULL, 0 },
	{ "threads", required_argument, NULL, 0 },
	{ "cpus", required_argument, NULL, 0 },
	{ "numa-nodes", required_argument, NULL, 0 },
	{ "mem-policy", required_argument, NULL, 0 },
	{ "partition", required_argument, NULL, 0 },
	{ "timed", no_argument, NULL, 0 },
	{ "speed", required_argument, NULL, 0 },
	{ "pool-limit", required_argument, NULL, 0 },
	{ "accept-threshold", required_argument, NULL, 0 },
	{ "reclaim", required_argument, NULL, 0 },
	{ "reclaim-mode", required_argument, NULL, 0 },
	{ "zswap-model", required_argument, NULL, 0 },
	{ "compress", required_argument, NULL, 0 },
	{ "exclusive-loads", required_argument, NULL, 0 },
	{ "deterministic", no_argument, NULL, 0 },
	{ "sample-ops", required_argument, NULL, 0 },
	{ "repeat", required_argument, NULL, 0 },
	{ "fatal-verify", no_argument, NULL, 0 },
	{ "counters", required_argument, NULL, 0 },
	{ "instructions", required_argument, NULL, 0 },
	{ "zpb-internal-callgrind-child", required_argument, NULL, 0 },
	{ "csv", required_argument, NULL, 'c' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int replay_run(int argc, char **argv)
{
	static struct zpb_replay_options o;
	static struct zpb_page_set pages;
	struct zpb_run_result **runs;
	struct zpb_results_meta meta;
	struct zpb_replay_source src;
	struct zpb_trace_reader *reader;
	struct progress_state ps;
	struct zpb_cg_result cg;
	const char *out = NULL, *csv = NULL, *trace;
	char err[512];
	int c, idx, i, rep, nruns = 0, status = ZPB_EXIT_OK;
	bool quiet = false, show;
	uint64_t failures = 0;

	zpb_replay_options_init(&o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qh", longopts, &idx)) != -1) {
		switch (c) {
		case 0:
			if (zpb_replay_set_option(&o, longopts[idx].name, optarg, err, sizeof(err))) {
				zpb_cli_error("replay: %s", err);
				return ZPB_EXIT_USAGE;
			}
			break;
		case 'o': out = optarg; break;
		case 'c': csv = optarg; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return ZPB_EXIT_OK;
		default:
			return zpb_cli_bad_option("replay", c, argv);
		}
	}
	if (optind != argc - 1) {
		zpb_cli_error("replay: %s (see zpoolbench replay --help)",
			      optind >= argc ? "needs one TRACE file" : "takes one TRACE file");
		return ZPB_EXIT_USAGE;
	}
	trace = argv[optind];
	if (!out) {
		zpb_cli_error("replay: needs -o RESULTS.json");
		return ZPB_EXIT_USAGE;
	}
	/* By default every allocator, and null so that the harness's own cost is known. */
	if (!o.nspecs && zpb_replay_set_option(&o, "alloc", "all,null", err, sizeof(err)) == 0)
		strcpy(o.alloc_text, "all,null");
	if (zpb_replay_options_finish(&o, err, sizeof(err))) {
		zpb_cli_error("replay: %s", err);
		return ZPB_EXIT_USAGE;
	}
	if (!o.callgrind_child) {
		/* Find an unwritable -o now, not after the runs. */
		struct zpb_atomic_file af;

		if (zpb_output_is_input(out, argv[optind], err, sizeof(err)) ||
		    zpb_atomic_open(&af, out, err, sizeof(err))) {
			zpb_cli_error("replay: -o: %s", err);
			return ZPB_EXIT_USAGE;
		}
		zpb_atomic_abort(&af);
		if (csv && zpb_results_csv_dir(csv, err, sizeof(err))) {
			zpb_cli_error("replay: %s", err);
			return ZPB_EXIT_USAGE;
		}
	}
	reader = zpb_trace_open(trace, err, sizeof(err));
	if (!reader) {
		zpb_cli_error("replay: %s", err);
		return ZPB_EXIT_USAGE;
	}
	memset(&meta, 0, sizeof(meta));
	if (zpb_sha256_file(trace, meta.trace_sha256, err, sizeof(err))) {
		zpb_cli_error("replay: %s", err);
		zpb_trace_close(reader);
		return ZPB_EXIT_USAGE;
	}
	if (o.codec.algo != ZPB_CODEC_NONE) {
		char pp[4096];

		if (zpb_pages_path(trace, pp, sizeof(pp)) || access(pp, F_OK) != 0) {
			zpb_cli_error("replay: --compress: %s has no page contents (%s.pages); capture them with 'zpoolbench capture pages FILE... -o TRACE' or 'capture process PID -o TRACE'",
				      trace, trace);
			zpb_trace_close(reader);
			return ZPB_EXIT_USAGE;
		}
		if (zpb_page_set_load(&pages, pp, err, sizeof(err))) {
			zpb_cli_error("replay: --compress: %s", err);
			zpb_trace_close(reader);
			return ZPB_EXIT_USAGE;
		}
		if (pages.info.page_size != 4096 || zpb_trace_header(reader)->page_size != 4096) {
			zpb_cli_error("replay: --compress: %s: replay compresses 4096-byte pages, not %u", pp,
				      pages.info.page_size);
			zpb_page_set_free(&pages);
			zpb_trace_close(reader);
			return ZPB_EXIT_USAGE;
		}
		o.pages = &pages;
	}
	zpb_replay_source_trace(&src, reader);
	if (o.callgrind_child) {
		/* Under valgrind for the parent's --instructions: replay, write nothing. */
		struct zpb_run_result *r = zpb_replay_run(&o, &src, &o.specs[0], 0, NULL, err, sizeof(err));

		zpb_trace_close(reader);
		if (!r) {
			zpb_cli_error("replay: %s", err);
			return ZPB_EXIT_USAGE;
		}
		status = r->verify_failures ? ZPB_EXIT_FAIL : ZPB_EXIT_OK;
		zpb_run_result_free(r);
		return status;
	}
	show = !quiet && isatty(2);
	if (show) {
		o.progress = progress;
		o.progress_arg = &ps;
	}
	runs = calloc((size_t)o.nspecs * (size_t)o.repeat, sizeof(*runs));
	if (!runs) {
		zpb_cli_error("replay: out of memory");
		zpb_trace_close(reader);
		return ZPB_EXIT_FAIL;
	}
	signal(SIGINT, on_sigint);
	for (i = 0; i < o.nspecs && !stop_flag; i++) {
		for (rep = 0; rep < o.repeat && !stop_flag; rep++) {
			struct zpb_run_result *r;
			int k;

			ps.alloc = o.specs[i].text;
			ps.index = i * o.repeat + rep + 1;
			ps.total = o.nspecs * o.repeat;
			clock_gettime(CLOCK_MONOTONIC, &ps.start);
			r = zpb_replay_run(&o, &src, &o.specs[i], rep, &stop_flag, err, sizeof(err));
			if (show)
				fputs("\r\033[K", stderr);
			if (!r) {
				zpb_cli_error("replay: %s", err);
				status = ZPB_EXIT_USAGE;
				goto done;
			}
			runs[nruns++] = r;
			if (o.instructions && !stop_flag) {
				if (rep == 0 && count_instructions(argc, argv, o.specs[i].text, &cg, err, sizeof(err))) {
					zpb_cli_error("replay: --instructions: %s", err);
					status = ZPB_EXIT_FAIL;
					goto done;
				}
				r->instructions = malloc(sizeof(cg));
				if (r->instructions)
					*r->instructions = cg;
			}
			for (k = 0; k < r->nverify_messages; k++)
				zpb_cli_error("replay: verify: %s", r->verify_messages[k]);
			failures += r->verify_failures;
			if (!quiet)
				fprintf(stderr, "  %-20s %10.2f M records/s  %8llu pool pages  %6.3f density  %llu verify failures%s%s\n",
					r->allocator, r->wall_ns ? (double)r->records * 1e3 / (double)r->wall_ns : 0.0,
					(unsigned long long)r->final.pool_pages,
					r->final.pool_bytes ? (double)r->final.stored_bytes / (double)r->final.pool_bytes : 0.0,
					(unsigned long long)r->verify_failures,
					(r->caps & ZPB_CAP_HARNESS) ? "  (harness)" : "",
					r->complete ? "" : "  (incomplete)");
			if (!quiet && r->phase)
				print_phases(r);
			if (!r->complete)
				goto write;
		}
	}
write:
	meta.complete = !stop_flag && nruns == o.nspecs * o.repeat;
	for (i = 0; i < nruns; i++)
		meta.complete &= runs[i]->complete;
	meta.trace_path = trace;
	meta.trace_records = zpb_trace_header(reader)->record_count;
	if (nruns && (!meta.trace_records || runs[0]->complete))
		meta.trace_records = runs[0]->records;
	meta.trace_format = zpb_trace_form(reader) == ZPB_TRACE_BINARY ? "binary" : "text";
	meta.compressor = zpb_trace_header(reader)->compressor;
	meta.source = zpb_trace_header(reader)->source;
	meta.trace_page_size = zpb_trace_header(reader)->page_size;
	meta.o = &o;
	if (zpb_results_write(out, &meta, runs, nruns, err, sizeof(err))) {
		zpb_cli_error("replay: %s", err);
		status = ZPB_EXIT_USAGE;
		goto done;
	}
	if (csv && zpb_results_write_csv(csv, runs, nruns, err, sizeof(err))) {
		zpb_cli_error("replay: %s", err);
		status = ZPB_EXIT_USAGE;
		goto done;
	}
	if (!meta.complete) {
		zpb_cli_error("replay: %s; wrote the runs so far to %s, marked incomplete",
			      stop_flag ? "interrupted" : "stopped at the first verification failure", out);
		status = ZPB_EXIT_FAIL;
	} else if (failures) {
		zpb_cli_error("replay: %llu verification failure%s (see %s)", (unsigned long long)failures,
			      failures == 1 ? "" : "s", out);
		status = ZPB_EXIT_FAIL;
	}
done:
	signal(SIGINT, SIG_DFL);
	for (i = 0; i < nruns; i++)
		zpb_run_result_free(runs[i]);
	free(runs);
	zpb_trace_close(reader);
	zpb_replay_options_release(&o);
	zpb_page_set_free(&pages);
	return status;
}

const struct zpb_command zpb_cmd_replay = {
	.name = "replay",
	.summary = "replay a trace against allocators, verified, and write results JSON",
	.run = replay_run,
};
