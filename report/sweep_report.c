// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sweep report: a sweep file (sweep/merge.c, docs/sweep.md) grouped
 * into cells, one per trace and combination of axis values, each holding
 * every allocator's runs (repetitions, and the same job on several
 * machines). A row's verdict follows the report's rules for a fair ranking:
 *   - the ideal bound (capability "bound") is a reference, never a winner;
 *   - no winner that did less work: an allocator whose median of pages sent
 *     to swap instead (stores rejected, pages written back) is above the
 *     least any allocator sent is not ranked;
 *   - pool pages are the mean over the run (over_run), as the verdict's;
 *   - no winner within the spread: when the fewest-pages allocator's
 *     interval for the median overlaps the runner-up's, the row says so;
 *   - a figure below the ideal bound is flagged, not shown as a win.
 * Every figure is a median with its interval (util/spread.h) and count.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/dirs.h"
#include "../util/json_reader.h"
#include "../util/results_file.h"
#include "../util/spread.h"
#include "gnuplot.h"
#include "html.h"
#include "sweep_report.h"

struct srun {
	size_t cell, alloc, machine;
	double pool_pages, lost, store_p50;	/* pool pages: the mean over the run when the file has it */
};

struct salloc {
	const char *name;
	bool bound;
};

struct scell {
	const char *trace;
	char combo[512];	/* "threads=2, zswap_model=seed", or "" */
};

struct sweep {
	struct zpb_json *root;
	const char *path;
	const struct zpb_json *machines;
	struct srun *runs;
	size_t nruns;
	struct salloc allocs[64];
	size_t nallocs;
	struct scell *cells;
	size_t ncells;
	size_t nfiles;
	bool complete;
	char created[32];
};

struct verdict {
	int winner;		/* alloc index, or -1 */
	char text[512];
};

bool zpb_sweep_report_is_sweep(const char *path)
{
	char head[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[n] = 0;
	return strstr(head, "\"format\": \"zpoolbench-sweep\"") || strstr(head, "\"format\":\"zpoolbench-sweep\"");
}

static bool has_cap(const struct zpb_json *run, const char *cap)
{
	const struct zpb_json *caps = zpb_json_get(run, "capabilities");
	size_t i;

	for (i = 0; caps && caps->type == ZPB_JSON_ARRAY && i < caps->len; i++)
		if (!strcmp(zpb_json_str(caps->items[i], ""), cap))
			return true;
	return false;
}

static void free_sweep(struct sweep *s)
{
	zpb_json_free(s->root);
	free(s->runs);
	free(s->cells);
}

/* Pages a run sent to swap instead of the pool: rejected stores and writebacks (files before "work": ops, reclaim). */
static double work_lost(const struct zpb_json *run)
{
	const struct zpb_json *w = zpb_json_get(run, "work");

	if (w)
		return zpb_json_get_number(w, "rejected_pages", 0) + zpb_json_get_number(w, "written_back_pages", 0);
	return zpb_json_get_number(zpb_json_get(run, "ops"), "rejected", 0) +
	       zpb_json_get_number(zpb_json_get(run, "reclaim"), "writebacks", 0);
}

static int load(struct sweep *s, const char *path, char *err, size_t errlen)
{
	const struct zpb_json *res, *axes;
	size_t i, k, r;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->complete = true;
	s->root = zpb_json_load(path, NULL, err, errlen);
	if (!s->root)
		return -1;
	if (strcmp(zpb_json_get_str(s->root, "format", ""), "zpoolbench-sweep") ||
	    zpb_json_get_number(s->root, "format_version", 0) != 1) {
		snprintf(err, errlen, "%s: not a version 1 zpoolbench sweep file (zpoolbench merge -o writes one)", path);
		return -1;
	}
	res = zpb_json_get(s->root, "results");
	axes = zpb_json_get(s->root, "axes");
	s->machines = zpb_json_get(s->root, "machines");
	if (!res || res->type != ZPB_JSON_ARRAY || !axes || axes->type != ZPB_JSON_ARRAY || !s->machines ||
	    s->machines->type != ZPB_JSON_ARRAY) {
		snprintf(err, errlen, "%s: a sweep file needs the arrays 'results', 'axes' and 'machines'", path);
		return -1;
	}
	s->nfiles = res->len;
	for (i = 0; i < res->len; i++) {
		const struct zpb_json *e = res->items[i], *doc = zpb_json_get(e, "doc"), *runs = zpb_json_get(doc, "runs");
		const struct zpb_json *ax = zpb_json_get(e, "axes");
		struct scell cell = { .trace = zpb_json_get_str(e, "trace", "?") };
		size_t m = (size_t)zpb_json_get_number(e, "machine", 0), c, n = 0;

		if (!runs || runs->type != ZPB_JSON_ARRAY || m >= s->machines->len) {
			snprintf(err, errlen, "%s:%u:%u: a result without its runs or with a machine index past 'machines'",
				 path, e->line, e->col);
			return -1;
		}
		s->complete &= zpb_json_bool(zpb_json_get(doc, "complete"), true);
		for (k = 0; k < axes->len; k++) {
			const char *name = zpb_json_str(axes->items[k], "?");

			n += (size_t)snprintf(cell.combo + n, sizeof(cell.combo) - n, "%s%s=%s", k ? ", " : "", name,
					      zpb_json_get_str(ax, name, "?"));
			if (n >= sizeof(cell.combo))
				n = sizeof(cell.combo) - 1;
		}
		for (c = 0; c < s->ncells; c++)
			if (!strcmp(s->cells[c].trace, cell.trace) && !strcmp(s->cells[c].combo, cell.combo))
				break;
		if (c == s->ncells) {
			struct scell *nc = realloc(s->cells, (s->ncells + 1) * sizeof(*nc));

			if (!nc)
				goto oom;
			s->cells = nc;
			s->cells[s->ncells++] = cell;
		}
		for (r = 0; r < runs->len; r++) {
			const struct zpb_json *run = runs->items[r], *fin = zpb_json_get(run, "final");
			const char *alloc = zpb_run_allocator(run);
			struct srun *nr;
			size_t a;

			if (!alloc)
				continue;	/* the harness (null) */
			for (a = 0; a < s->nallocs && strcmp(s->allocs[a].name, alloc); a++)
				;
			if (a == s->nallocs) {
				if (a == sizeof(s->allocs) / sizeof(s->allocs[0])) {
					snprintf(err, errlen, "%s: more than %zu allocator specs", path, a);
					return -1;
				}
				s->allocs[a].name = alloc;
				s->allocs[a].bound = has_cap(run, "bound");
				s->nallocs++;
			}
			nr = realloc(s->runs, (s->nruns + 1) * sizeof(*nr));
			if (!nr)
				goto oom;
			s->runs = nr;
			nr[s->nruns].cell = c;
			nr[s->nruns].alloc = a;
			nr[s->nruns].machine = m;
			/*
			 * The verdict's figures (report/verdict.c): pool pages over the
			 * run, so a trace that ends empty still ranks, and the pages the
			 * run sent to swap instead (rejected or written back), its work.
			 */
			nr[s->nruns].pool_pages =
				zpb_json_get_number(zpb_json_get(run, "over_run"), "mean_pool_pages",
						    zpb_json_get_number(fin, "pool_pages", NAN));
			nr[s->nruns].lost = work_lost(run);
			nr[s->nruns].store_p50 =
				zpb_json_get_number(zpb_json_get(zpb_json_get(run, "latency_ns"), "store"), "p50", NAN);
			s->nruns++;
		}
	}
	snprintf(s->created, sizeof(s->created), "%s", zpb_json_get_str(s->root, "created", ""));
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
	return -1;
}

enum figure { FIG_PAGES, FIG_LOST, FIG_P50 };

/* The spread of @fig over the runs matching cell @c (SIZE_MAX: any), alloc @a, machine @m (SIZE_MAX: any). */
static bool spread_of(const struct sweep *s, size_t c, size_t a, size_t m, enum figure fig, struct zpb_spread *out)
{
	double *v = malloc((s->nruns + 1) * sizeof(*v));
	size_t i, n = 0;
	bool ok;

	if (!v)
		return false;
	for (i = 0; i < s->nruns; i++) {
		const struct srun *r = &s->runs[i];
		double x = fig == FIG_PAGES ? r->pool_pages : fig == FIG_LOST ? r->lost : r->store_p50;

		if (r->alloc == a && (c == SIZE_MAX || r->cell == c) && (m == SIZE_MAX || r->machine == m) && !isnan(x))
			v[n++] = x;
	}
	ok = n && !zpb_spread_compute(v, n, out);
	free(v);
	return ok;
}

static void verdict_of(const struct sweep *s, size_t c, struct verdict *v)
{
	struct zpb_spread sp[64], st[64], bound = { 0 };
	bool have[64], have_bound = false, eligible[64];
	double minlost = INFINITY;
	int best = -1, second = -1;
	size_t a, n = 0, len = 0, ncand = 0;

	v->winner = -1;
	v->text[0] = 0;
	for (a = 0; a < s->nallocs; a++) {
		have[a] = spread_of(s, c, a, SIZE_MAX, FIG_PAGES, &sp[a]) && spread_of(s, c, a, SIZE_MAX, FIG_LOST, &st[a]);
		if (have[a] && s->allocs[a].bound) {
			bound = sp[a];
			have_bound = true;
			have[a] = false;
		}
		if (have[a]) {
			ncand++;
			if (st[a].median < minlost)
				minlost = st[a].median;
		}
	}
	if (!ncand) {
		snprintf(v->text, sizeof(v->text), "no allocator but the bound ran");
		return;
	}
	for (a = 0; a < s->nallocs; a++) {
		eligible[a] = have[a] && st[a].median <= minlost;
		if (!eligible[a])
			continue;
		n++;
		if (best < 0 || sp[a].median < sp[best].median) {
			second = best;
			best = (int)a;
		} else if (second < 0 || sp[a].median < sp[second].median) {
			second = (int)a;
		}
	}
	if (n == 1 && ncand == 1)
		len = (size_t)snprintf(v->text, sizeof(v->text), "only %s ran", s->allocs[best].name);
	else if (second >= 0 && sp[best].hi >= sp[second].lo)
		len = (size_t)snprintf(v->text, sizeof(v->text), "no clear winner: %s and %s overlap within their spread",
				       s->allocs[best].name, s->allocs[second].name);
	else {
		v->winner = best;
		if (second >= 0)
			len = (size_t)snprintf(v->text, sizeof(v->text), "%s: %.0f%% fewer pool pages than %s",
					       s->allocs[best].name, 100 * (1 - sp[best].median / sp[second].median),
					       s->allocs[second].name);
		else
			len = (size_t)snprintf(v->text, sizeof(v->text), "%s: the only one that stored everything",
					       s->allocs[best].name);
	}
	for (a = 0; a < s->nallocs && len < sizeof(v->text); a++)
		if (have[a] && !eligible[a])
			len += (size_t)snprintf(v->text + len, sizeof(v->text) - len,
						"; %s did less work (not ranked: %.0f pages rejected or written back, against %.0f)",
						s->allocs[a].name, st[a].median, minlost);
	for (a = 0; have_bound && a < s->nallocs && len < sizeof(v->text); a++)
		if (have[a] && sp[a].median < bound.median)
			len += (size_t)snprintf(v->text + len, sizeof(v->text) - len,
						"; %s is below the ideal bound: check its stored bytes", s->allocs[a].name);
}

static void cell_text(char *buf, size_t len, const struct zpb_spread *sp)
{
	if (sp->n == 1 || sp->lo == sp->hi)
		snprintf(buf, len, "%.0f (n=%zu)", sp->median, sp->n);
	else
		snprintf(buf, len, "%.0f [%.0f–%.0f] (n=%zu)", sp->median, sp->lo, sp->hi, sp->n);
}

static void machine_text(const struct zpb_json *m, char *buf, size_t len)
{
	const struct zpb_json *numa = zpb_json_get(m, "numa");
	size_t i, n;

	n = (size_t)snprintf(buf, len, "%s: %s, %g CPUs, kernel %s, ", zpb_json_get_str(m, "hostname", "?"),
			     zpb_json_get_str(m, "cpu_model", "?"), zpb_json_get_number(m, "cores", 0),
			     zpb_json_get_str(m, "kernel", "?"));
	if (numa && numa->type == ZPB_JSON_ARRAY && numa->len) {
		for (i = 0; i < numa->len && n < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%snode %g: CPUs %s, %.1f GiB", i ? "; " : "NUMA ",
					      zpb_json_get_number(numa->items[i], "node", 0),
					      zpb_json_get_str(numa->items[i], "cpus", "?"),
					      zpb_json_get_number(numa->items[i], "memory_bytes", 0) / (1 << 30));
	} else if (n < len) {
		snprintf(buf + n, len - n, "%g NUMA node(s)", zpb_json_get_number(m, "numa_nodes", 1));
	}
}

/* One writer for both pages: the HTML and the Markdown differ only in markup. */
struct markup {
	bool html;
	FILE *f;
};

static void text(const struct markup *mk, const char *s)
{
	if (mk->html)
		zpb_html_escape(mk->f, s);
	else
		fputs(s, mk->f);
}

static void heading(const struct markup *mk, int level, const char *s)
{
	if (mk->html) {
		fprintf(mk->f, "<h%d>", level);
		text(mk, s);
		fprintf(mk->f, "</h%d>\n", level);
	} else {
		fprintf(mk->f, "\n%.*s %s\n\n", level, "####", s);
	}
}

static void para(const struct markup *mk, const char *s)
{
	fputs(mk->html ? "<p>" : "", mk->f);
	text(mk, s);
	fputs(mk->html ? "</p>\n" : "\n\n", mk->f);
}

static void row(const struct markup *mk, const char *const *cells, size_t n, bool head)
{
	size_t i;

	fputs(mk->html ? "<tr>" : "|", mk->f);
	for (i = 0; i < n; i++) {
		if (mk->html) {
			fputs(head ? "<th>" : "<td>", mk->f);
			text(mk, cells[i]);
			fputs(head ? "</th>" : "</td>", mk->f);
		} else {
			fprintf(mk->f, " %s |", cells[i]);
		}
	}
	fputs("\n", mk->f);
	if (head && !mk->html) {
		fputs("|", mk->f);
		for (i = 0; i < n; i++)
			fputs("---|", mk->f);
		fputs("\n", mk->f);
	}
}

static void table_begin(const struct markup *mk)
{
	if (mk->html)
		fputs("<table>\n", mk->f);
}

static void table_end(const struct markup *mk)
{
	fputs(mk->html ? "</table>\n" : "\n", mk->f);
}

static int write_page(const struct sweep *s, const struct markup *mk, const struct zpb_picture *heat)
{
	char buf[1024], cellbuf[64][96];
	const char *cells[66];
	const struct zpb_json *traces = zpb_json_get(s->root, "traces");
	size_t i, a, c, m, nt = traces && traces->type == ZPB_JSON_ARRAY ? traces->len : 0;

	if (mk->html)
		fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		      "<title>zpoolbench sweep report</title><style>body{font-family:sans-serif;max-width:72em;"
		      "margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid "
		      "#ccc;padding:.3em .6em;text-align:right}td:first-child,th:first-child,td:last-child{text-align:"
		      "left}.why{color:#a00}</style></head><body>\n",
		      mk->f);
	heading(mk, 1, "zpoolbench sweep report");
	snprintf(buf, sizeof(buf), "%s: %zu results files, %zu traces, %zu allocator specs, %zu machine%s%s. Merged %s.",
		 s->path, s->nfiles, nt, s->nallocs, s->machines->len, s->machines->len == 1 ? "" : "s",
		 s->complete ? "" : "; SOME RUNS ARE INCOMPLETE (interrupted): their figures cover part of the trace",
		 s->created);
	para(mk, buf);
	para(mk, "Each cell: the median over the repetitions (and machines) of the mean pool pages over the run, "
		 "[its interval] and the count n. The verdict ranks by those pages, as the report's verdict does: "
		 "the ideal bound is a reference, an allocator that did less work (rejected stores or wrote pages "
		 "back) is not ranked, and overlapping intervals are no clear winner.");
	for (i = 0; i < nt; i++) {
		const char *tname = zpb_json_get_str(traces->items[i], "name", "?");

		snprintf(buf, sizeof(buf), "%s (sha256 %.12s…, %.0f records)", tname,
			 zpb_json_get_str(traces->items[i], "sha256", ""),
			 zpb_json_get_number(traces->items[i], "records", 0));
		heading(mk, 2, buf);
		table_begin(mk);
		cells[0] = "axis values";
		for (a = 0; a < s->nallocs; a++) {
			snprintf(cellbuf[a], sizeof(cellbuf[a]), "%s%s", s->allocs[a].name,
				 s->allocs[a].bound ? " (bound)" : "");
			cells[a + 1] = cellbuf[a];
		}
		cells[s->nallocs + 1] = "verdict";
		row(mk, cells, s->nallocs + 2, true);
		for (c = 0; c < s->ncells; c++) {
			struct verdict v;

			if (strcmp(s->cells[c].trace, tname))
				continue;
			verdict_of(s, c, &v);
			cells[0] = s->cells[c].combo[0] ? s->cells[c].combo : "(one combination)";
			for (a = 0; a < s->nallocs; a++) {
				struct zpb_spread sp;

				if (spread_of(s, c, a, SIZE_MAX, FIG_PAGES, &sp))
					cell_text(cellbuf[a], sizeof(cellbuf[a]), &sp);
				else
					snprintf(cellbuf[a], sizeof(cellbuf[a]), "–");
				if ((int)a == v.winner)
					strncat(cellbuf[a], " ★", sizeof(cellbuf[a]) - strlen(cellbuf[a]) - 1);
				cells[a + 1] = cellbuf[a];
			}
			cells[s->nallocs + 1] = v.text;
			row(mk, cells, s->nallocs + 2, false);
		}
		table_end(mk);
	}
	heading(mk, 2, "Heatmap: pool pages over the row's fewest");
	if (heat->svg && mk->html)
		fprintf(mk->f, "<figure>%s<figcaption>", heat->svg);
	else if (heat->svg)
		fprintf(mk->f, "![heatmap](%s)\n\n", heat->png);
	else
		para(mk, heat->why[0] ? heat->why : "not drawn");
	if (heat->svg) {
		text(mk, heat->caption);
		fputs(mk->html ? "</figcaption></figure>\n" : "\n\n", mk->f);
	}
	heading(mk, 2, "Per machine");
	para(mk, "Pool pages do not depend on the machine; latency does. Median store latency (p50 of each run, "
		 "ns) per allocator over every run on the machine, [min–max], n runs.");
	table_begin(mk);
	cells[0] = "machine";
	for (a = 0; a < s->nallocs; a++)
		cells[a + 1] = s->allocs[a].name;
	row(mk, cells, s->nallocs + 1, true);
	for (m = 0; m < s->machines->len; m++) {
		machine_text(s->machines->items[m], buf, sizeof(buf));
		cells[0] = buf;
		for (a = 0; a < s->nallocs; a++) {
			struct zpb_spread sp;

			if (spread_of(s, SIZE_MAX, a, m, FIG_P50, &sp))
				snprintf(cellbuf[a], sizeof(cellbuf[a]), "%.0f [%.0f–%.0f] (n=%zu)", sp.median, sp.min,
					 sp.max, sp.n);
			else
				snprintf(cellbuf[a], sizeof(cellbuf[a]), "–");
			cells[a + 1] = cellbuf[a];
		}
		row(mk, cells, s->nallocs + 1, false);
	}
	table_end(mk);
	if (mk->html)
		fputs("</body></html>\n", mk->f);
	return ferror(mk->f) ? -1 : 0;
}

/* The heatmap's data: column, row, ratio, column name, row name (tab-separated). */
static int heat_data(const struct sweep *s, const char *path, struct zpb_picture *p, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	size_t c, a, col, rows = 0, cols = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (a = 0; a < s->nallocs; a++)
		cols += !s->allocs[a].bound;
	for (c = 0; c < s->ncells; c++) {
		struct zpb_spread sp;
		double best = INFINITY;

		for (a = 0; a < s->nallocs; a++)
			if (!s->allocs[a].bound && spread_of(s, c, a, SIZE_MAX, FIG_PAGES, &sp) && sp.median > 0 &&
			    sp.median < best)
				best = sp.median;
		if (isinf(best))
			continue;
		for (a = 0, col = 0; a < s->nallocs; a++) {
			if (s->allocs[a].bound)
				continue;
			if (spread_of(s, c, a, SIZE_MAX, FIG_PAGES, &sp))
				fprintf(f, "%zu\t%zu\t%.4f\t%s\t%s%s%s\n", col, rows, sp.median / best, s->allocs[a].name,
					s->cells[c].trace, s->cells[c].combo[0] ? " " : "", s->cells[c].combo);
			col++;
		}
		rows++;
	}
	if (fclose(f)) {
		snprintf(err, errlen, "%s: write error", path);
		return -1;
	}
	snprintf(p->id, sizeof(p->id), "sweep-heatmap");
	snprintf(p->title, sizeof(p->title), "Pool pages over the fewest, per trace and axis values");
	snprintf(p->caption, sizeof(p->caption),
		 "Each cell: an allocator's median pool pages over the row's fewest (1.00 is the fewest; the "
		 "ideal bound is not a column). Rows are traces and axis values; empty cells did not run.");
	if (!rows || !cols) {
		snprintf(p->why, sizeof(p->why), "nothing to draw: no allocator but the bound has pool pages");
		return 0;
	}
	p->script = "heatmap.gp";
	snprintf(p->vars, sizeof(p->vars), "stem='../data/heatmap'; ncols=%zu; nrows=%zu; height=%zu; n=0; "
		 "names=''; colors=''; title_text='%s'", cols, rows, 160 + 28 * rows, p->title);
	return 0;
}

int zpb_sweep_report_write(const char *path, const char *outdir, struct zpb_report_outcome *out, char *err,
			   size_t errlen)
{
	struct zpb_report rep;
	struct zpb_picture heat;
	struct sweep s;
	struct markup mk;
	char stage[4096], file[4200];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&rep, 0, sizeof(rep));
	memset(&heat, 0, sizeof(heat));
	if (load(&s, path, err, errlen))
		goto out;
	if (zpb_make_dirs(outdir, err, errlen))
		goto out;
	snprintf(stage, sizeof(stage), "%s/.staging-%ld", outdir, (long)getpid());
	snprintf(file, sizeof(file), "%s/data", stage);
	if (zpb_report_rm_tree(stage) || zpb_make_dirs(file, err, errlen))
		goto out;
	snprintf(file, sizeof(file), "%s/data/heatmap.tsv", stage);
	if (heat_data(&s, file, &heat, err, errlen))
		goto out_stage;
	rep.global = &heat;
	rep.nglobal = 1;
	if (zpb_gnuplot_draw(&rep, stage, err, errlen))
		goto out_stage;
	if (!rep.have_gnuplot && !heat.why[0])
		snprintf(heat.why, sizeof(heat.why), "%s", rep.gnuplot_why);
	for (mk.html = false;; mk.html = true) {
		snprintf(file, sizeof(file), "%s/%s", stage, mk.html ? "index.html" : "report.md");
		mk.f = fopen(file, "w");
		if (!mk.f || write_page(&s, &mk, &heat) | fclose(mk.f)) {
			snprintf(err, errlen, "%s: %s", file, strerror(errno));
			goto out_stage;
		}
		if (mk.html)
			break;
	}
	if (zpb_report_publish(stage, outdir, err, errlen))
		goto out_stage;
	out->pictures = 1;
	out->drawn = heat.svg != NULL;
	out->gnuplot = rep.have_gnuplot;
	snprintf(out->note, sizeof(out->note), "%s", rep.gnuplot_why);
	rc = 0;
out_stage:
	zpb_report_rm_tree(stage);
out:
	free(heat.svg);
	free_sweep(&s);
	return rc;
}
