// SPDX-License-Identifier: GPL-2.0-only
/*
 * zpoolbench replay TRACE --alloc SPEC[,SPEC...] [options] -o results.json
 *
 * Replays the trace against each allocator in turn, each on a fresh pool,
 * --repeat times, and writes the results (docs/results-format.md). Ctrl-C
 * stops the current run and writes what was done, marked incomplete.
 */
#include <errno.h>
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
#include "../replay/summary.h"
#include "../report/terminal.h"
#include "../util/sha256.h"
#include "../util/atomic_file.h"
#include "cli.h"

/* The first Ctrl-C (SIGTERM, SIGHUP) stops the run and writes what was done; a second one quits at once. */
static volatile sig_atomic_t stop_flag;

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
		"  -o, --output FILE       results file (written atomically; - for stdout)\n"
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
		"  --page-size B           the allocators' page size: 4096, 16384 or 65536 (every\n"
		"                          allocator's geometry follows it) [the trace's]\n"
		"  --deterministic         one thread, deterministic workqueues: reproducible pages\n"
		"  --sample-ops N          a density sample every N records [1000]\n"
		"  --repeat R              run each allocator R times [1]; the results' summary\n"
		"                          and the terminal give each figure's median, min,\n"
		"                          max and a 95%% confidence interval of the median\n"
		"  --warmup N              before each run, replay the trace's first N records\n"
		"                          on a throwaway pool, untimed [0]\n"
		"  --fatal-verify          stop at the first verification failure\n"
		"  --csv DIR               also write each run's timeline as DIR/ALLOC-REP.csv\n"
		"  --counters LIST         count perf events per op type (libpfm4 names,\n"
		"                          e.g. instructions,cycles; see 'zpoolbench list')\n"
		"  --instructions callgrind  instructions per op type: each allocator once\n"
		"                          more under valgrind, one thread, deterministic\n"
		"  --lockstat              lock statistics of every lock class: acquisitions,\n"
		"                          contentions, wait and hold times (/proc/lock_stat's\n"
		"                          layout on stderr), and a model of N CPUs\n"
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

/* One run's line (with --repeat 1). */
static void print_run(const struct zpb_run_result *r)
{
	fprintf(stderr, "  %-20s %10.2f M records/s  %8llu pool pages  %6.3f density  %llu verify failures%s%s\n",
		r->allocator, r->wall_ns ? (double)r->records * 1e3 / (double)r->wall_ns : 0.0,
		(unsigned long long)r->final.pool_pages,
		r->final.pool_bytes ? (double)r->final.stored_bytes / (double)r->final.pool_bytes : 0.0,
		(unsigned long long)r->verify_failures, (r->caps & ZPB_CAP_HARNESS) ? "  (harness)" : "",
		r->complete ? "" : "  (incomplete)");
}

/* With --repeat R > 1: one line per allocator, each figure the median [min-max] of its complete runs. */
static void print_aggregate(struct zpb_run_result *const *runs, int nruns)
{
	struct zpb_alloc_summary s;
	const struct zpb_spread *t = &s.ops_per_sec, *pp = &s.pool_pages;

	if (zpb_summarise_runs(runs, nruns, &s) != 1)
		return;
	fprintf(stderr, "  %-20s %d runs: %.2f M records/s [%.2f-%.2f]  %.0f pool pages [%.0f-%.0f]  "
		"%.3f density [%.3f-%.3f]", s.allocator, s.runs, t->median / 1e6, t->min / 1e6, t->max / 1e6,
		pp->median, pp->min, pp->max, s.density.median, s.density.min, s.density.max);
	if (s.lat_ran[ZPB_LAT_STORE])
		fprintf(stderr, "  store p50 %.0f ns [%.0f-%.0f]", s.lat[ZPB_LAT_STORE][ZPB_SUM_P50].median,
			s.lat[ZPB_LAT_STORE][ZPB_SUM_P50].min, s.lat[ZPB_LAT_STORE][ZPB_SUM_P50].max);
	fprintf(stderr, "  %llu verify failures%s  (median [min-max])\n", (unsigned long long)s.verify_failures,
		s.harness ? "  (harness)" : "");
}

/*
 * --warmup N: the first N records on a throwaway pool of the same
 * allocator, untimed by construction (its result is dropped), so that the
 * measured run starts with warm caches, code and page arena but stores
 * exactly what it would without a warm-up. Return: the records replayed,
 * or -1 with @err; verify failures in it are errors too.
 */
static int64_t warm_up(const struct zpb_replay_options *o, struct zpb_replay_source *src, const struct zpb_spec *spec,
		       int rep, volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct zpb_replay_options w = *o;
	struct zpb_replay_source prefix;
	struct zpb_run_result *r;
	int64_t n;
	int k;

	w.progress = NULL;
	w.counters = NULL;
	zpb_replay_source_prefix(&prefix, src, o->warmup);
	r = zpb_replay_run(&w, &prefix, spec, rep, stop, err, errlen);
	if (!r)
		return -1;
	for (k = 0; k < r->nverify_messages; k++)
		zpb_cli_error("replay: warm-up: verify: %s", r->verify_messages[k]);
	n = r->verify_failures ? -1 : (int64_t)r->records;
	if (r->verify_failures)
		snprintf(err, errlen, "--warmup: %llu verification failure%s in the warm-up of %s",
			 (unsigned long long)r->verify_failures, r->verify_failures == 1 ? "" : "s", spec->text);
	zpb_run_result_free(r);
	return n;
}

/*
 * The compat layer's share of each timed op type (emulation in the results),
 * and the system calls it made inside them: how much of a figure is the port's.
 */
static void print_emulation(const struct zpb_run_result *r)
{
	const struct zpb_syscall_counts *sc = &r->syscalls;
	char line[512];
	size_t n = 0;
	int k;

	/* Only what is there: most runs of most allocators have no emulation at all. */
	for (k = 0; k < ZPB_LAT_MAX && n < sizeof(line); k++) {
		if (!r->lat[k].count || !r->emu[k].total_ns)
			continue;
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s %.2f%% (p99 %llu ns)", zpb_lat_names[k],
				      r->lat[k].sum ? 100.0 * (double)r->emu[k].total_ns / (double)r->lat[k].sum : 0.0,
				      (unsigned long long)zpb_emulation_percentile(&r->emu[k], r->lat[k].count, 0.99));
	}
	if (!n && !sc->futex_wake && !sc->futex_wait && !sc->sched_yield && !r->works_between_ops)
		return;
	fprintf(stderr, "  %-20s emulation:%s%s; %llu futex wakes, %llu futex waits, %llu yields; "
		"%llu queued works run between ops\n", "",
		n ? "" : " none timed", n < sizeof(line) ? line : "", (unsigned long long)sc->futex_wake,
		(unsigned long long)sc->futex_wait, (unsigned long long)sc->sched_yield,
		(unsigned long long)r->works_between_ops);
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
	{ "warmup", required_argument, NULL, 0 },
	{ "fatal-verify", no_argument, NULL, 0 },
	{ "counters", required_argument, NULL, 0 },
	{ "instructions", required_argument, NULL, 0 },
	{ "lockstat", no_argument, NULL, 0 },
	{ "zpb-internal-callgrind-child", required_argument, NULL, 0 },
	{ "page-size", required_argument, NULL, 'P' },
	{ "csv", required_argument, NULL, 'c' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * The page size of every pool of this replay: --page-size, else the
 * trace's (a trace of pages smaller than 4K replays on 4K pages, its
 * STOREs as they are). Set before the --alloc specs are parsed, since a
 * spec's defaults may depend on it (zsmalloc's delta).
 */
static int choose_page_size(const char *arg, const char *trace, uint32_t trace_page_size,
			    char *err, size_t errlen)
{
	unsigned long size = trace_page_size && trace_page_size < 4096 ? 4096 : trace_page_size;
	char *end;

	if (arg) {
		errno = 0;
		size = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || !zpb_page_size_valid(size)) {
			snprintf(err, errlen, "--page-size: '%s': expected 4096, 16384 or 65536", arg);
			return -1;
		}
	} else if (!zpb_page_size_valid(size)) {
		snprintf(err, errlen, "%s: page size %u: replay has 4096-, 16384- and 65536-byte pages "
			 "(--page-size)", trace, trace_page_size);
		return -1;
	}
	if (zpb_set_page_size(size)) {
		snprintf(err, errlen, "--page-size: cannot switch to %lu-byte pages with pages allocated", size);
		return -1;
	}
	return 0;
}

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
	const char *out = NULL, *csv = NULL, *trace, *page_size = NULL, *alloc = NULL;
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
			/* Parsed once the page size is known (choose_page_size()). */
			if (!strcmp(longopts[idx].name, "alloc")) {
				alloc = optarg;
				break;
			}
			if (zpb_replay_set_option(&o, longopts[idx].name, optarg, err, sizeof(err))) {
				zpb_cli_error("replay: %s", err);
				return ZPB_EXIT_USAGE;
			}
			break;
		case 'o': out = optarg; break;
		case 'P': page_size = optarg; break;
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
	reader = zpb_trace_open(trace, err, sizeof(err));
	if (!reader) {
		zpb_cli_error("replay: %s", err);
		return ZPB_EXIT_USAGE;
	}
	/* By default every allocator, and null so that the harness's own cost is known. */
	if (choose_page_size(page_size, trace, zpb_trace_header(reader)->page_size, err, sizeof(err)) ||
	    zpb_replay_set_option(&o, "alloc", alloc ? alloc : "all,null", err, sizeof(err)) ||
	    zpb_replay_options_finish(&o, err, sizeof(err))) {
		zpb_cli_error("replay: %s", err);
		zpb_trace_close(reader);
		return ZPB_EXIT_USAGE;
	}
	if (!o.callgrind_child) {
		/* Find an unwritable -o (a directory, a read-only place) now, not after the runs. */
		if (zpb_output_is_input(out, argv[optind], err, sizeof(err)) ||
		    zpb_output_check(out, err, sizeof(err))) {
			zpb_cli_error("replay: -o: %s", err);
			zpb_trace_close(reader);
			return ZPB_EXIT_USAGE;
		}
		if (csv && zpb_results_csv_dir(csv, err, sizeof(err))) {
			zpb_cli_error("replay: %s", err);
			zpb_trace_close(reader);
			return ZPB_EXIT_USAGE;
		}
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
		if (pages.info.page_size != PAGE_SIZE || zpb_trace_header(reader)->page_size != PAGE_SIZE) {
			zpb_cli_error("replay: --compress: %s: replay compresses %lu-byte pages (--page-size), not %u",
				      pp, PAGE_SIZE, pages.info.page_size != PAGE_SIZE ? pages.info.page_size
										: zpb_trace_header(reader)->page_size);
			zpb_page_set_free(&pages);
			zpb_trace_close(reader);
			return ZPB_EXIT_USAGE;
		}
		o.pages = &pages;
	}
	zpb_replay_source_trace(&src, reader);
	src.name = trace;
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
	zpb_cli_stop_on_signal(&stop_flag, "writing the runs so far, marked incomplete");
	for (i = 0; i < o.nspecs && !stop_flag; i++) {
		for (rep = 0; rep < o.repeat && !stop_flag; rep++) {
			struct zpb_run_result *r;
			int64_t warm = 0;
			int k;

			ps.alloc = o.specs[i].text;
			ps.index = i * o.repeat + rep + 1;
			ps.total = o.nspecs * o.repeat;
			if (o.warmup) {
				warm = warm_up(&o, &src, &o.specs[i], rep, &stop_flag, err, sizeof(err));
				if (warm < 0) {
					zpb_cli_error("replay: %s", err);
					status = ZPB_EXIT_FAIL;
					goto done;
				}
				if (stop_flag)
					break;
			}
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
			r->warmup_records = (uint64_t)warm;
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
			if (!quiet && (o.repeat == 1 || !r->complete)) {
				print_run(r);
				print_emulation(r);
				if (r->phase)
					print_phases(r);
			}
			if (!quiet && r->locks)
				zpb_lockstat_print(stderr, r);
			if (!r->complete)
				goto write;
		}
		if (!quiet && o.repeat > 1)
			print_aggregate(runs + nruns - o.repeat, o.repeat);
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
	/*
	 * The verdict and the perf-stat-like figures, read back from the file
	 * just written; standard output and a FIFO cannot be read back.
	 */
	if (!quiet && zpb_cli_output_rereadable(out) && zpb_report_print_summary(stderr, out, err, sizeof(err)))
		zpb_cli_error("replay: summary: %s", err);
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
	zpb_cli_stop_on_signal(NULL, NULL);
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
