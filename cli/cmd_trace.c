// SPDX-License-Identifier: GPL-2.0-only
/*
 * zpoolbench trace info|dump|convert|validate: look at, print, convert and
 * check zswap traces (docs/trace-format.md); `trace import` lives in
 * cmd_trace_import.c. Exit 0 when fine, 1 when validate finds problems, 2 on
 * bad options or an unreadable trace.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../traces/pages.h"
#include "../traces/trace.h"
#include "../util/atomic_file.h"
#include "cli.h"
#include "cmd_trace_import.h"

#define HIST_BUCKETS 16

static bool is_help(const char *a)
{
	return !strcmp(a, "--help") || !strcmp(a, "-h");
}

/* --help anywhere among a subcommand's arguments, as getopt would find it. */
static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (is_help(argv[i]))
			return true;
	return false;
}

static const char *form_name(enum zpb_trace_form f)
{
	return f == ZPB_TRACE_BINARY ? "binary" : "text";
}

/* Positional files and the options a subcommand takes. */
struct args {
	const char *in, *out;
	bool exclusive_loads, text, binary, quiet;
	unsigned long max_problems, head;
};

/* @allowed lists the subcommand's options, each followed by a space. */
static int parse_args(int argc, char **argv, int npos, struct args *a, const char *sub, const char *allowed)
{
	int i, pos = 0;

	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		char word[64];

		snprintf(word, sizeof(word), "%s ", s);
		if (s[0] == '-' && s[1] && !strstr(allowed, word)) {
			zpb_cli_error("trace %s: unknown option '%s' (see zpoolbench trace %s --help)", sub, s, sub);
			return -1;
		}
		if (!strcmp(s, "--exclusive-loads"))
			a->exclusive_loads = true;
		else if (!strcmp(s, "--text"))
			a->text = true;
		else if (!strcmp(s, "--binary"))
			a->binary = true;
		else if (!strcmp(s, "--quiet") || !strcmp(s, "-q"))
			a->quiet = true;
		else if (!strcmp(s, "--max-problems") || !strcmp(s, "--head")) {
			char *end;
			unsigned long v;

			errno = 0;
			v = i + 1 < argc ? strtoul(argv[i + 1], &end, 10) : 0;
			if (i + 1 >= argc || !*argv[i + 1] || *end || errno || argv[i + 1][0] == '-') {
				zpb_cli_error("trace %s: %s takes a number", sub, s);
				return -1;
			}
			if (!strcmp(s, "--head"))
				a->head = v;
			else
				a->max_problems = v;
			i++;
		} else if (s[0] == '-' && s[1]) {
			zpb_cli_error("trace %s: unknown option '%s' (see zpoolbench trace %s --help)", sub, s, sub);
			return -1;
		} else if (pos == 0) {
			a->in = s;
			pos++;
		} else if (pos == 1 && npos == 2) {
			a->out = s;
			pos++;
		} else {
			zpb_cli_error("trace %s: unexpected argument '%s'", sub, s);
			return -1;
		}
	}
	if (pos < npos) {
		zpb_cli_error("trace %s: needs %s (see zpoolbench trace %s --help)", sub,
			      npos == 2 ? "an input and an output file" : "a trace file", sub);
		return -1;
	}
	return 0;
}

static struct zpb_trace_reader *open_or_complain(const char *sub, const char *path)
{
	char err[512];
	struct zpb_trace_reader *r = zpb_trace_open(path, err, sizeof(err));

	if (!r)
		zpb_cli_error("trace %s: %s", sub, err);
	return r;
}

/* Called for each record of a walk, with the checker's verdict on it. */
typedef void (*each_fn)(void *arg, const struct zpb_trace_reader *r, const struct zpb_record *rec,
			int bad, const char *msg);

/*
 * Read @a->in to its end through the semantic checker, calling @each for
 * every record. Returns the reader (positioned at the end, for its header
 * and count; the caller closes it) with *@st filled in, or NULL after
 * printing why.
 */
static struct zpb_trace_reader *walk(const struct args *a, const char *sub, each_fn each, void *arg,
				     struct zpb_check_stats *st)
{
	struct zpb_check_opts co = { .exclusive_loads = a->exclusive_loads };
	struct zpb_trace_reader *r = open_or_complain(sub, a->in);
	struct zpb_checker *c;
	struct zpb_record rec;
	char err[512], msg[256];
	int rc, bad;

	if (!r)
		return NULL;
	c = zpb_checker_new(&co);
	if (!c) {
		zpb_cli_error("trace %s: out of memory", sub);
		zpb_trace_close(r);
		return NULL;
	}
	while ((rc = zpb_trace_next(r, &rec, err, sizeof(err))) == 1) {
		bad = zpb_checker_feed(c, &rec, zpb_trace_position(r), msg, sizeof(msg));
		if (bad < 0) {
			snprintf(err, sizeof(err), "%s: %s", a->in, msg);
			rc = -1;
			break;
		}
		each(arg, r, &rec, bad, msg);
	}
	zpb_checker_stats(c, st);
	zpb_checker_free(c);
	if (rc < 0) {
		fflush(stdout);
		zpb_cli_error("trace %s: %s", sub, err);
		zpb_trace_close(r);
		return NULL;
	}
	return r;
}

/* ---- info ---- */

struct info {
	uint64_t ops[ZPB_OP_MAX + 1];
	uint64_t same, incompressible, seeded, pageref, pageref_max;
	uint64_t hist[HIST_BUCKETS];
	uint64_t len_sum, len_n, len_min, len_max;
	uint64_t first_time, last_time, max_time;
	uint32_t max_cpu;
	uint64_t backwards;
};

/* The page-content file beside the trace, from its header (replay verifies it whole). */
static void print_contents(const char *path, const struct info *in)
{
	char pp[4096], err[512];
	struct zpb_pages_reader *pr;
	const struct zpb_pages_info *pi;

	if (zpb_pages_path(path, pp, sizeof(pp)))
		return;
	if (access(pp, F_OK) != 0) {
		printf("  contents: none (%s absent: replay --compress needs it; capture pages and\n"
		       "  capture process write it)\n", pp);
		return;
	}
	pr = zpb_pages_open(pp, err, sizeof(err));
	if (!pr) {
		printf("  contents: unreadable: %s\n", err);
		return;
	}
	pi = zpb_pages_reader_info(pr);
	printf("  contents: %s (version %u): %llu pages of %u bytes in %llu bytes (%.2fx), sha256 %.16s...\n",
	       pp, pi->version, (unsigned long long)pi->page_count, pi->page_size,
	       (unsigned long long)pi->file_bytes,
	       pi->file_bytes ? (double)pi->page_count * pi->page_size / (double)pi->file_bytes : 0.0,
	       pi->sha256);
	if (in->pageref && in->pageref_max >= pi->page_count)
		printf("  contents: page references go up to %llu, past the file's %llu pages\n",
		       (unsigned long long)in->pageref_max, (unsigned long long)pi->page_count);
	zpb_pages_close(pr);
}

static void print_info(const char *path, const struct zpb_trace_reader *r, const struct info *in,
		       const struct zpb_check_stats *st, uint64_t n)
{
	const struct zpb_trace_header *h = zpb_trace_header(r);
	uint64_t bucket = h->page_size / HIST_BUCKETS, peak = 0;
	struct stat sb;
	int op, i;

	printf("trace       %s (%s, version %u)\n", path, form_name(zpb_trace_form(r)), h->version);
	printf("page size   %u\n", h->page_size);
	printf("compressor  %s\n", h->compressor);
	if (h->source[0])
		printf("source      %s\n", h->source);
	printf("records     %llu\n", (unsigned long long)n);
	if (n && !stat(path, &sb))
		printf("file size   %lld bytes, %.2f bytes a record\n", (long long)sb.st_size,
		       (double)sb.st_size / (double)n);
	if (n) {
		double d = (double)(in->max_time - in->first_time);

		printf("duration    %llu ns (%.6f s), from %llu to %llu ns%s\n",
		       (unsigned long long)(in->max_time - in->first_time), d / 1e9,
		       (unsigned long long)in->first_time, (unsigned long long)in->max_time,
		       in->backwards ? " (time goes back in places: see trace validate)" : "");
		printf("cpus        0..%u\n", in->max_cpu);
	}
	printf("\nops\n");
	for (op = ZPB_OP_STORE; op <= ZPB_OP_MAX; op++)
		printf("  %-11s %12llu  %5.1f%%\n", zpb_op_name(op), (unsigned long long)in->ops[op],
		       n ? 100.0 * (double)in->ops[op] / (double)n : 0.0);
	printf("  stores: %llu same-filled, %llu incompressible, %llu with a content seed, %llu with a page reference\n",
	       (unsigned long long)in->same, (unsigned long long)in->incompressible,
	       (unsigned long long)in->seeded, (unsigned long long)in->pageref);
	print_contents(path, in);

	printf("\ncompressed sizes (stores that allocate: not same-filled)\n");
	if (in->len_n) {
		printf("  mean %.1f bytes, min %llu, max %llu; %.2fx compression\n",
		       (double)in->len_sum / (double)in->len_n, (unsigned long long)in->len_min,
		       (unsigned long long)in->len_max,
		       (double)h->page_size * (double)in->len_n / (double)in->len_sum);
		for (i = 0; i < HIST_BUCKETS; i++)
			if (in->hist[i] > peak)
				peak = in->hist[i];
		for (i = 0; i < HIST_BUCKETS; i++) {
			int bar = (int)(40 * in->hist[i] / peak);

			printf("  %6llu..%-6llu %12llu  %5.1f%%  %.*s\n",
			       (unsigned long long)(i * bucket + 1), (unsigned long long)((i + 1) * bucket),
			       (unsigned long long)in->hist[i], 100.0 * (double)in->hist[i] / (double)in->len_n,
			       bar, "########################################");
		}
	} else {
		printf("  (none)\n");
	}
	printf("\nworking set\n");
	printf("  distinct keys     %llu (%.1f MiB of pages)\n", (unsigned long long)st->distinct_keys,
	       (double)st->distinct_keys * h->page_size / (1 << 20));
	printf("  peak live keys    %llu (%.1f MiB of pages)\n", (unsigned long long)st->peak_live_keys,
	       (double)st->peak_live_keys * h->page_size / (1 << 20));
	printf("  peak live bytes   %llu (%.1f MiB compressed)\n", (unsigned long long)st->peak_live_bytes,
	       (double)st->peak_live_bytes / (1 << 20));
	printf("  live at the end   %llu keys, %llu bytes\n", (unsigned long long)st->live_keys,
	       (unsigned long long)st->live_bytes);
	printf("  semantic problems %llu%s\n", (unsigned long long)st->problems,
	       st->problems ? " (see zpoolbench trace validate)" : "");
}

static void info_record(void *arg, const struct zpb_trace_reader *r, const struct zpb_record *rec,
			int bad, const char *msg)
{
	struct info *in = arg;
	uint64_t n = zpb_trace_position(r);

	if (n == 1)
		in->first_time = in->max_time = rec->time_ns;
	else if (rec->time_ns < in->last_time)
		in->backwards++;
	in->last_time = rec->time_ns;
	if (rec->time_ns > in->max_time)
		in->max_time = rec->time_ns;
	if (rec->cpu > in->max_cpu)
		in->max_cpu = rec->cpu;
	in->ops[rec->op]++;
	if (rec->op != ZPB_OP_STORE)
		return;
	in->same += !!(rec->flags & ZPB_STORE_SAME_FILLED);
	in->incompressible += !!(rec->flags & ZPB_STORE_INCOMPRESSIBLE);
	in->seeded += !!(rec->flags & ZPB_STORE_SEED);
	in->pageref += !!(rec->flags & ZPB_STORE_PAGEREF);
	if ((rec->flags & ZPB_STORE_PAGEREF) && rec->content > in->pageref_max)
		in->pageref_max = rec->content;
	if (!(rec->flags & ZPB_STORE_SAME_FILLED) && rec->len) {
		unsigned int b = (rec->len - 1) / (zpb_trace_header(r)->page_size / HIST_BUCKETS);

		in->hist[b < HIST_BUCKETS ? b : HIST_BUCKETS - 1]++;
		in->len_sum += rec->len;
		in->len_n++;
		if (rec->len < in->len_min)
			in->len_min = rec->len;
		if (rec->len > in->len_max)
			in->len_max = rec->len;
	}
}

static int cmd_info(int argc, char **argv)
{
	struct args a = { 0 };
	struct zpb_check_stats st;
	struct zpb_trace_reader *r;
	struct info in = { .len_min = UINT64_MAX };

	if (wants_help(argc, argv)) {
		printf("Usage: zpoolbench trace info TRACE [--exclusive-loads]\n\n"
		       "Summarize a trace (binary or text): the header, counts per op, the\n"
		       "store flags, a histogram of compressed sizes in sixteenths of a page,\n"
		       "the duration, and the working set: distinct keys, and the peak number\n"
		       "of live keys and live compressed bytes in the pool.\n\n"
		       "  --exclusive-loads  a LOAD frees its entry, as zswap's loads do since\n"
		       "                     Linux 6.x (otherwise entries live until INVALIDATE\n"
		       "                     or WRITEBACK); this changes the live figures\n\n"
		       "Exit status: 0, or 2 if the trace cannot be read.\n");
		return ZPB_EXIT_OK;
	}
	if (parse_args(argc, argv, 1, &a, "info", "--exclusive-loads "))
		return ZPB_EXIT_USAGE;
	r = walk(&a, "info", info_record, &in, &st);
	if (!r)
		return ZPB_EXIT_USAGE;
	print_info(a.in, r, &in, &st, zpb_trace_position(r));
	zpb_trace_close(r);
	return ZPB_EXIT_OK;
}

/* ---- dump ---- */

static int cmd_dump(int argc, char **argv)
{
	struct args a = { 0 };
	struct zpb_trace_reader *r;
	struct zpb_record rec;
	char err[512], line[4096];
	int rc, n;

	if (wants_help(argc, argv)) {
		printf("Usage: zpoolbench trace dump TRACE [--head N]\n\n"
		       "Print a trace (binary or text) in the text form on standard output: the\n"
		       "'#' header, then one record a line (docs/trace-format.md). The output is\n"
		       "what 'trace convert --text' writes to a file.\n\n"
		       "  --head N  stop after N records\n\n"
		       "Exit status: 0, or 2 if the trace cannot be read (the output so far is\n"
		       "then incomplete, and the error says at which record).\n");
		return ZPB_EXIT_OK;
	}
	if (parse_args(argc, argv, 1, &a, "dump", "--head "))
		return ZPB_EXIT_USAGE;
	r = open_or_complain("dump", a.in);
	if (!r)
		return ZPB_EXIT_USAGE;
	n = zpb_trace_format_header(zpb_trace_header(r), false, line, sizeof(line));
	if (n > 0)
		fwrite(line, 1, (size_t)n, stdout);
	while ((!a.head || zpb_trace_position(r) < a.head) &&
	       (rc = zpb_trace_next(r, &rec, err, sizeof(err))) == 1) {
		n = zpb_trace_format_record(&rec, line, sizeof(line));
		fwrite(line, 1, (size_t)n, stdout);
	}
	if (a.head && zpb_trace_position(r) >= a.head)
		rc = 0;
	zpb_trace_close(r);
	if (fflush(stdout) || ferror(stdout)) {
		zpb_cli_error("trace dump: error writing standard output");
		return ZPB_EXIT_USAGE;
	}
	if (rc < 0) {
		zpb_cli_error("trace dump: %s", err);
		return ZPB_EXIT_USAGE;
	}
	return ZPB_EXIT_OK;
}

/* ---- convert ---- */

/* IN.pages, if there is one, to OUT.pages (before the trace, so it never lacks its contents). */
static int convert_contents(const char *in, const char *out, char *err, size_t errlen)
{
	char ip[4096], op[4096];

	if (zpb_pages_path(in, ip, sizeof(ip)) || zpb_pages_path(out, op, sizeof(op))) {
		snprintf(err, errlen, "%s: path too long for its content file", out);
		return -1;
	}
	if (access(ip, F_OK) != 0)
		return 0;
	return zpb_pages_copy(ip, op, err, errlen);
}

static int cmd_convert(int argc, char **argv)
{
	struct args a = { 0 };
	struct zpb_trace_reader *r;
	struct zpb_trace_writer *w;
	struct zpb_record rec;
	enum zpb_trace_form form;
	char err[512];
	int rc;

	if (wants_help(argc, argv)) {
		printf("Usage: zpoolbench trace convert IN OUT [--text|--binary]\n\n"
		       "Convert a trace between the binary and the text form, losslessly: every\n"
		       "record and header field survives, and converting back gives the same\n"
		       "bytes (comments in a text trace are not kept). OUT is written atomically:\n"
		       "on any error it is left as it was. IN's page-content file (IN.pages),\n"
		       "if there is one, is verified and copied to OUT.pages.\n\n"
		       "  --text    write the text form\n"
		       "  --binary  write the binary form\n"
		       "            (default: the form IN is not in)\n\n"
		       "Exit status: 0, or 2 if IN cannot be read or OUT cannot be written.\n");
		return ZPB_EXIT_OK;
	}
	if (parse_args(argc, argv, 2, &a, "convert", "--text --binary "))
		return ZPB_EXIT_USAGE;
	if (a.text && a.binary) {
		zpb_cli_error("trace convert: --text and --binary are exclusive");
		return ZPB_EXIT_USAGE;
	}
	if (zpb_output_is_input(a.out, a.in, err, sizeof(err))) {
		zpb_cli_error("trace convert: %s", err);
		return ZPB_EXIT_USAGE;
	}
	if (zpb_cli_check_output("trace convert", "OUT", a.out))
		return ZPB_EXIT_USAGE;
	r = open_or_complain("convert", a.in);
	if (!r)
		return ZPB_EXIT_USAGE;
	form = a.text ? ZPB_TRACE_TEXT : a.binary ? ZPB_TRACE_BINARY :
	       zpb_trace_form(r) == ZPB_TRACE_BINARY ? ZPB_TRACE_TEXT : ZPB_TRACE_BINARY;
	w = zpb_trace_writer_open(a.out, form, zpb_trace_header(r), err, sizeof(err));
	if (!w) {
		zpb_cli_error("trace convert: %s", err);
		zpb_trace_close(r);
		return ZPB_EXIT_USAGE;
	}
	while ((rc = zpb_trace_next(r, &rec, err, sizeof(err))) == 1)
		if (zpb_trace_write(w, &rec, err, sizeof(err))) {
			rc = -1;
			break;
		}
	if (rc < 0) {
		zpb_trace_writer_abort(w);
		zpb_trace_close(r);
		zpb_cli_error("trace convert: %s (%s left untouched)", err, a.out);
		return ZPB_EXIT_USAGE;
	}
	zpb_trace_close(r);
	if (convert_contents(a.in, a.out, err, sizeof(err))) {
		zpb_trace_writer_abort(w);
		zpb_cli_error("trace convert: %s (%s left untouched)", err, a.out);
		return ZPB_EXIT_USAGE;
	}
	if (zpb_trace_writer_finish(w, err, sizeof(err))) {
		zpb_cli_error("trace convert: %s", err);
		return ZPB_EXIT_USAGE;
	}
	return ZPB_EXIT_OK;
}

/* ---- validate ---- */

struct shown {
	const struct args *a;
	uint64_t shown;		/* records with problems printed */
};

static void validate_record(void *arg, const struct zpb_trace_reader *r, const struct zpb_record *rec,
			    int bad, const char *msg)
{
	struct shown *sh = arg;

	if (bad && !sh->a->quiet && (!sh->a->max_problems || sh->shown < sh->a->max_problems)) {
		printf("%s: %s\n", sh->a->in, msg);
		sh->shown++;
	}
}

static int cmd_validate(int argc, char **argv)
{
	struct args a = { .max_problems = 100 };
	struct zpb_check_stats st;
	struct zpb_trace_reader *r;
	struct shown sh = { .a = &a };

	if (wants_help(argc, argv)) {
		printf("Usage: zpoolbench trace validate TRACE [--exclusive-loads] [--max-problems N] [--quiet]\n\n"
		       "Check that a trace is something a zswap could have done, and report each\n"
		       "problem with its record number (1 = the first record):\n"
		       "  - time going backwards;\n"
		       "  - a LOAD, INVALIDATE or WRITEBACK of a key never stored;\n"
		       "  - a LOAD of a key already invalidated (or, with --exclusive-loads,\n"
		       "    already loaded);\n"
		       "  - an INVALIDATE of a key already invalidated;\n"
		       "  - a WRITEBACK of a key not in the pool (invalidated, written back or\n"
		       "    loaded exclusively);\n"
		       "  - a STORE of a key already stored, without an INVALIDATE, WRITEBACK or\n"
		       "    exclusive LOAD in between.\n"
		       "A LOAD after a WRITEBACK (a miss served from the swap device) and an\n"
		       "INVALIDATE after a WRITEBACK or an exclusive LOAD (the slot freed later)\n"
		       "are legal. The rules are in docs/trace-format.md, \"Semantics\".\n\n"
		       "  --exclusive-loads  a LOAD frees its entry (zswap since Linux 6.x);\n"
		       "                     without it a LOAD leaves the entry in the pool\n"
		       "  --max-problems N   print at most N records with problems (default\n"
		       "                     100, 0 = all); all problems are counted\n"
		       "  --quiet            print only the summary line\n\n"
		       "Exit status: 0 if the trace is consistent, 1 if problems were found,\n"
		       "2 if the trace cannot be read (a format error names the record).\n");
		return ZPB_EXIT_OK;
	}
	if (parse_args(argc, argv, 1, &a, "validate", "--exclusive-loads --max-problems --quiet -q "))
		return ZPB_EXIT_USAGE;
	r = walk(&a, "validate", validate_record, &sh, &st);
	if (!r)
		return ZPB_EXIT_USAGE;
	zpb_trace_close(r);
	if (!a.quiet && a.max_problems && sh.shown == a.max_problems)
		printf("%s: (printed the first %llu records with problems)\n", a.in,
		       (unsigned long long)sh.shown);
	printf("%s: %llu records, %llu problem%s (%s loads)\n", a.in, (unsigned long long)st.records,
	       (unsigned long long)st.problems, st.problems == 1 ? "" : "s",
	       a.exclusive_loads ? "exclusive" : "non-exclusive");
	return st.problems ? ZPB_EXIT_FAIL : ZPB_EXIT_OK;
}

/* ---- dispatch ---- */

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} subs[] = {
	{ "info", cmd_info, "counts per op, size histogram, working set, duration" },
	{ "dump", cmd_dump, "print a trace in the text form" },
	{ "convert", cmd_convert, "convert between the binary and the text form, losslessly" },
	{ "validate", cmd_validate, "check a trace's semantics, naming each bad record" },
	{ "import", zpb_cli_trace_import, "import a capture: bpftrace FILE (traces/capture/zswap.bt)" },
};

static void trace_usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: zpoolbench trace COMMAND TRACE [OPTION]...\n\n"
		"Look at, convert and check zswap traces, binary or text (the form is told\n"
		"from the file's first bytes; docs/trace-format.md describes both).\n\n"
		"Commands:\n");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		fprintf(out, "  %-9s %s\n", subs[i].name, subs[i].summary);
	fprintf(out, "\nRun 'zpoolbench trace COMMAND --help' for a command's options.\n");
}

static int trace_run(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		trace_usage(stderr);
		return ZPB_EXIT_USAGE;
	}
	if (is_help(argv[1]) || !strcmp(argv[1], "help")) {
		trace_usage(stdout);
		return ZPB_EXIT_OK;
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	zpb_cli_error("trace: unknown command '%s' (see zpoolbench trace --help)", argv[1]);
	return ZPB_EXIT_USAGE;
}

const struct zpb_command zpb_cmd_trace = {
	.name = "trace",
	.summary = "inspect, dump, convert and validate traces",
	.run = trace_run,
};
