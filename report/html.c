// SPDX-License-Identifier: GPL-2.0-only
/* The HTML report. */
#include <math.h>
#include <string.h>

#include "colors.h"
#include "html.h"
#include "locks.h"
#include "verdict.h"

void zpb_html_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char style[] =
	"body{font-family:system-ui,'DejaVu Sans',sans-serif;margin:2em auto;max-width:1400px;color:#222;"
	"padding:0 1em;line-height:1.4}"
	"h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}"
	"table{border-collapse:collapse;margin:1em 0;font-size:.9em}"
	"th,td{border:1px solid #ddd;padding:.3em .6em;text-align:right;vertical-align:top}"
	"th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}"
	".swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.4em;vertical-align:-.1em}"
	".chg{display:block;font-size:.85em;color:#666}.worse{color:#b00;font-weight:bold}"
	".better{color:#070;font-weight:bold}.note{background:#fff6dd;border:1px solid #e6c96b;padding:.6em 1em}"
	"figure{margin:1.5em 0}figcaption{color:#555;font-size:.9em;max-width:800px}"
	"figure svg{max-width:100%;height:auto;display:block}"
	".missing{color:#777;font-style:italic}details{margin:1em 0}dl{display:grid;"
	"grid-template-columns:max-content auto;gap:.1em 1em;font-size:.9em}dt{font-weight:bold}dd{margin:0}"
	"code{background:#f4f4f4;padding:0 .2em}.wide{overflow-x:auto}td:first-child{white-space:nowrap}"
	".headline{font-weight:500}.pm{color:#666;white-space:nowrap}tr.left-out td{color:#777}"
	"tr.bound td{font-style:italic}td.why{text-align:left;max-width:28em;font-size:.85em}"
	".rule{font-size:.9em;color:#444}ul.notes{font-size:.9em;color:#444;margin-top:0}";

static void cell_value(FILE *f, const struct zpb_report *rep, const struct zpb_subject *s,
		       const struct zpb_report_column *c)
{
	struct zpb_gate_row row;
	char buf[64];
	double v;

	if (!zpb_report_value(s, c->metric, &v)) {
		fputs("<td>–</td>", f);
		return;
	}
	zpb_report_format(buf, sizeof(buf), v, c->decimals);
	fprintf(f, "<td>%s", buf);
	zpb_report_spread_text(buf, sizeof(buf), s, c->metric, c->decimals);
	if (buf[0])
		fprintf(f, " <small class=\"pm\">%s</small>", buf);
	if (zpb_report_change(rep, s, c->metric, &row)) {
		const char *cls = row.verdict == ZPB_VERDICT_REGRESSED ? "chg worse" :
				  row.verdict == ZPB_VERDICT_IMPROVED ? "chg better" : "chg";

		if (isinf(row.change))
			fprintf(f, "<span class=\"%s\">from 0</span>", cls);
		else
			fprintf(f, "<span class=\"%s\" title=\"baseline %g\">%+.1f%%%s</span>", cls, row.base,
				row.change * 100, row.verdict == ZPB_VERDICT_REGRESSED ? " ▲ significant" :
				row.verdict == ZPB_VERDICT_IMPROVED ? " ▼ significant" : "");
	}
	fputs("</td>", f);
}

static void column_heads(FILE *f, const struct zpb_report_input *in, const struct zpb_report_column *cols)
{
	const struct zpb_report_column *c;

	for (c = cols; c->metric; c++) {
		if (!zpb_report_column_present(in, c))
			continue;
		fputs("<th>", f);
		zpb_html_escape(f, c->header);
		if (strcmp(c->unit, c->header)) {
			fputs("<br><small>", f);
			zpb_html_escape(f, c->unit);
			fputs("</small>", f);
		}
		fputs("</th>", f);
	}
}

static void name_cell(FILE *f, const struct zpb_subject *s)
{
	fprintf(f, "<td><span class=\"swatch\" style=\"background:%s\"></span>", zpb_report_color(s->name));
	zpb_html_escape(f, s->name);
	fputs("</td>", f);
}

/* Density and work, with the verdict's rank, ratio to the bound and note beside each allocator's figures. */
static void density_table(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in)
{
	const struct zpb_verdict_input *v = zpb_verdict_for(rep->verdict, in);
	const struct zpb_report_column *c;
	size_t i, notes = 0;

	fputs("<div class=\"wide\"><table class=\"summary density\">\n<tr><th>rank</th><th>allocator</th><th>runs</th>", f);
	column_heads(f, in, zpb_report_density_columns);
	fputs("<th>ratio to bound<br><small>mean pool pages</small></th></tr>\n", f);
	for (i = 0; i < in->nalloc; i++) {
		const struct zpb_subject *s = in->alloc[i].m;
		const struct zpb_verdict_entry *e = v ? &v->e[i] : NULL;

		if (!e)
			fputs("<tr><td>–</td>", f);
		else if (e->bound)
			fputs("<tr class=\"bound\"><td>bound</td>", f);
		else if (e->ranked)
			fprintf(f, "<tr><td>%d</td>", e->rank);
		else
			fputs("<tr class=\"left-out\"><td>not ranked</td>", f);
		name_cell(f, s);
		fprintf(f, "<td>%zu</td>", s->n ? s->m[0].n : 0);
		for (c = zpb_report_density_columns; c->metric; c++)
			if (zpb_report_column_present(in, c))
				cell_value(f, rep, s, c);
		if (e && !isnan(e->ratio))
			fprintf(f, "<td%s>%.3f</td>", e->below_bound ? " class=\"worse\"" : "", e->ratio);
		else
			fputs("<td>–</td>", f);
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n", f);
	/* The notes under the table, one per allocator: a column of them made it wider than a window. */
	for (i = 0; v && i < in->nalloc; i++)
		if (v->e[i].note[0]) {
			if (!notes++)
				fputs("<ul class=\"notes\">\n", f);
			fputs("<li><strong>", f);
			zpb_html_escape(f, in->alloc[i].m->name);
			fputs("</strong>: ", f);
			zpb_html_escape(f, v->e[i].note);
			fputs("</li>\n", f);
		}
	if (notes)
		fputs("</ul>\n", f);
}

static void latency_table(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in)
{
	const struct zpb_report_column *c;
	size_t i;

	fputs("<div class=\"wide\"><table class=\"summary latency\">\n<tr><th>allocator</th>", f);
	column_heads(f, in, zpb_report_latency_columns);
	fputs("</tr>\n", f);
	for (i = 0; i < in->nalloc; i++) {
		fputs("<tr>", f);
		name_cell(f, in->alloc[i].m);
		for (c = zpb_report_latency_columns; c->metric; c++)
			if (zpb_report_column_present(in, c))
				cell_value(f, rep, in->alloc[i].m, c);
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

/* Counters, instructions per op, --timed lateness and emulation time: a perf-stat-like table. */
static void stats_table(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in)
{
	const char *names[128];
	size_t n = zpb_report_stat_names(in, names, 128), i, k;
	char label[160];

	if (!n)
		return;
	fputs("<h3>Counters, instructions, lateness and emulation</h3>\n<div class=\"wide\"><table class=\"stats\">"
	      "\n<tr><th>figure</th>", f);
	for (i = 0; i < in->nalloc; i++) {
		fputs("<th>", f);
		zpb_html_escape(f, in->alloc[i].m->name);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (k = 0; k < n; k++) {
		struct zpb_report_column c = { names[k], names[k], "", strstr(names[k], "share") ? 3 : 1 };

		zpb_report_stat_label(label, sizeof(label), names[k]);
		fputs("<tr><td>", f);
		zpb_html_escape(f, label);
		fputs("</td>", f);
		for (i = 0; i < in->nalloc; i++)
			cell_value(f, rep, in->alloc[i].m, &c);
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

/* Pool pages at every MARK of the trace, per allocator. */
static void marks_table(FILE *f, const struct zpb_report_input *in)
{
	const struct zpb_json *marks = in->nalloc && in->alloc[0].run ? zpb_json_get(in->alloc[0].run, "marks") : NULL;
	size_t i, k;

	if (!marks || marks->type != ZPB_JSON_ARRAY || !marks->len)
		return;
	fprintf(f, "<details><summary>Pool pages at each of the trace's %zu marks</summary>\n<div class=\"wide\">"
		"<table class=\"marks\">\n<tr><th>mark</th><th>record</th>", marks->len);
	for (i = 0; i < in->nalloc; i++) {
		fputs("<th>", f);
		zpb_html_escape(f, in->alloc[i].m->name);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (k = 0; k < marks->len; k++) {
		const char *label = zpb_json_get_str(marks->items[k], "label", "");
		char metric[200], buf[64];
		double v;

		fputs("<tr><td>", f);
		zpb_html_escape(f, label);
		fprintf(f, "</td><td>%.0f</td>", zpb_json_get_number(marks->items[k], "record", 0));
		snprintf(metric, sizeof(metric), "marks.%s.pool_pages", label);
		for (i = 0; i < in->nalloc; i++) {
			if (zpb_report_value(in->alloc[i].m, metric, &v)) {
				zpb_report_format(buf, sizeof(buf), v, 0);
				fprintf(f, "<td>%s</td>", buf);
			} else {
				fputs("<td>–</td>", f);
			}
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></div></details>\n", f);
}

/* With several inputs: one ranking across them by the geometric mean of the ratios to the bound. */
static void across_table(FILE *f, const struct zpb_report *rep)
{
	const struct zpb_report_verdict *vd = rep->verdict;
	size_t i;

	if (!vd || vd->nbound_inputs < 2)
		return;
	fprintf(f, "<h2 id=\"verdict\">Across the %zu inputs</h2>\n<p>Each allocator's mean pool pages over the run as a "
		"ratio to the bound's; ranked by the geometric mean of those ratios over the %zu input%s on which every "
		"allocator below was ranked (", vd->nbound_inputs, vd->ncommon, vd->ncommon == 1 ? "" : "s");
	zpb_html_escape(f, vd->common_text);
	fputs(")", f);
	fputs(". On the other inputs some did less work (see each input); their mean over the inputs where each was "
	      "ranked is shown beside, not ranked.</p>\n<table class=\"summary across\">\n<tr><th>rank</th>"
	      "<th>allocator</th><th>geometric mean<br><small>ratio to bound, common inputs</small></th>"
	      "<th>geometric mean<br><small>where ranked</small></th><th>ranked in</th><th>note</th></tr>\n", f);
	for (i = 0; i < vd->nrows; i++) {
		const struct zpb_verdict_summary_row *r = &vd->rows[i];
		char a[32], b[32];

		zpb_report_format(a, sizeof(a), r->geomean_common, 3);
		zpb_report_format(b, sizeof(b), r->geomean, 3);
		if (r->rank)
			fprintf(f, "<tr><td>%d</td>", r->rank);
		else
			fputs("<tr class=\"left-out\"><td>not ranked</td>", f);
		fprintf(f, "<td><span class=\"swatch\" style=\"background:%s\"></span>", zpb_report_color(r->name));
		zpb_html_escape(f, r->name);
		fprintf(f, "</td><td>%s</td><td>%s</td><td>%zu of %zu</td><td class=\"why\">", a, b, r->ranked_in,
			vd->nbound_inputs);
		zpb_html_escape(f, r->why);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* Generic table of every metric: Google Benchmark results. */
static void gbench_table(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in)
{
	const char *cols[12];
	size_t nc = zpb_report_metric_names(in, cols, 12), i, k;

	fputs("<div class=\"wide\"><table class=\"summary\">\n<tr><th>benchmark</th><th>repetitions</th>", f);
	for (k = 0; k < nc; k++) {
		fputs("<th>", f);
		zpb_html_escape(f, cols[k]);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (i = 0; i < in->nalloc; i++) {
		const struct zpb_subject *s = in->alloc[i].m;

		fputs("<tr><td>", f);
		zpb_html_escape(f, s->name);
		fprintf(f, "</td><td>%zu</td>", s->n ? s->m[0].n : 0);
		for (k = 0; k < nc; k++) {
			struct zpb_report_column c = { cols[k], cols[k], "", 1 };

			cell_value(f, rep, s, &c);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

static void figure(FILE *f, const struct zpb_report *rep, const struct zpb_picture *p)
{
	fprintf(f, "<figure id=\"%s\">\n", p->id);
	if (p->svg) {
		fputs(p->svg, f);
		fputs("\n<figcaption>", f);
		zpb_html_escape(f, p->caption);
		fprintf(f, " (<a href=\"%s\">PNG</a>)</figcaption>\n", p->png);
	} else {
		fputs("<p class=\"missing\">", f);
		zpb_html_escape(f, p->title);
		fputs(": not drawn: ", f);
		zpb_html_escape(f, p->why[0] ? p->why : !rep->have_gnuplot ? "gnuplot is not available" : "no data");
		fputs("</p>\n", f);
	}
	fputs("</figure>\n", f);
}

/* Every scalar member of a JSON object as a definition list. */
static void dl(FILE *f, const char *heading, const struct zpb_json *o)
{
	char buf[64];
	size_t i;

	if (!o || o->type != ZPB_JSON_OBJECT)
		return;
	fputs("<h4>", f);
	zpb_html_escape(f, heading);
	fputs("</h4>\n<dl>", f);
	for (i = 0; i < o->len; i++) {
		const struct zpb_json *v = o->items[i];

		fputs("<dt>", f);
		zpb_html_escape(f, o->keys[i]);
		fputs("</dt><dd>", f);
		switch (v->type) {
		case ZPB_JSON_STRING: zpb_html_escape(f, v->string); break;
		case ZPB_JSON_NUMBER: snprintf(buf, sizeof(buf), "%.15g", v->number); fputs(buf, f); break;
		case ZPB_JSON_BOOL: fputs(v->boolean ? "true" : "false", f); break;
		case ZPB_JSON_NULL: fputs("null", f); break;
		default: fputs("(…)", f);
		}
		fputs("</dd>", f);
	}
	fputs("</dl>\n", f);
}

static void input_section(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in, size_t idx)
{
	const struct zpb_json *root = in->res.root;
	const struct zpb_verdict_input *v;
	char headline[512];
	size_t k;

	if (in->res.kind == ZPB_RESULTS_GBENCH) {
		fprintf(f, "<h2 id=\"in%zu\">Microbenchmarks: ", idx);
		zpb_html_escape(f, in->res.path);
		fputs("</h2>\n<p>Google Benchmark results; figures are medians over repetitions.</p>\n", f);
		gbench_table(f, rep, in);
		for (k = 0; k < in->npics; k++)
			figure(f, rep, &in->pics[k]);
		fputs("<details><summary>Machine and run</summary>\n", f);
		dl(f, "context", zpb_json_get(root, "context"));
		fputs("</details>\n", f);
		return;
	}
	zpb_report_input_title(in, headline, sizeof(headline));
	fprintf(f, "<h2 id=\"in%zu\">Trace ", idx);
	zpb_html_escape(f, headline);
	fputs("</h2>\n<p>From <code>", f);
	zpb_html_escape(f, in->res.path);
	fputs("</code>", f);
	if (!zpb_json_bool(zpb_json_get(root, "complete"), true))
		fputs(" — <strong>incomplete run</strong> (interrupted): figures cover only what was replayed", f);
	fputs(". Figures are medians over repetitions; latencies in nanoseconds.</p>\n", f);
	for (k = 0; k < in->nalloc; k++) {
		double bad;

		if (zpb_report_value(in->alloc[k].m, "verify_failures", &bad) && bad > 0) {
			fputs("<p class=\"note\"><strong>Verification failures:</strong> ", f);
			zpb_html_escape(f, in->alloc[k].m->name);
			fprintf(f, " returned wrong bytes on %.0f load%s; its figures describe a broken allocator.</p>\n",
				bad, bad == 1 ? "" : "s");
		}
	}
	v = zpb_verdict_for(rep->verdict, in);
	if (v && v->headline[0]) {
		fputs("<p class=\"headline\">", f);
		zpb_html_escape(f, v->headline);
		fputs("</p>\n", f);
	}
	if (v) {
		fputs("<p class=\"rule\">Ranked by ", f);
		zpb_html_escape(f, v->metric_text);
		fprintf(f, ", among the allocators that sent the fewest pages to swap (rejected or written back; "
			"%s); the others did less work and are not ranked. ", v->tolerance_text);
		if (v->limit_pages > 0)
			fprintf(f, "Pool limit: %.0f pages%s%s. ", v->limit_pages,
				v->limit_default ? " (20% of RAM, zswap's default)" : "",
				v->limit_reached ? "" : ", not reached");
		fputs("<a href=\"report.json\">report.json</a> holds this verdict.</p>\n", f);
	}
	fputs("<h3>Density and work</h3>\n", f);
	density_table(f, rep, in);
	fputs("<h3>Latency and throughput</h3>\n", f);
	latency_table(f, rep, in);
	stats_table(f, rep, in);
	zpb_report_locks_html(f, in);
	marks_table(f, in);
	for (k = 0; k < in->npics; k++)
		figure(f, rep, &in->pics[k]);
	fputs("<details><summary>Machine, trace and options of this run</summary>\n", f);
	dl(f, "machine", zpb_json_get(root, "machine"));
	dl(f, "trace", zpb_json_get(root, "trace"));
	dl(f, "options", zpb_json_get(root, "options"));
	dl(f, "clock", zpb_json_get(root, "clock"));
	dl(f, "tool", zpb_json_get(root, "tool"));
	fputs("</details>\n", f);
}

int zpb_report_write_html(FILE *f, const struct zpb_report *rep)
{
	size_t i, k;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>zpoolbench report</title>\n<style>", f);
	fputs(style, f);
	fputs("</style>\n</head>\n<body>\n<h1>zpoolbench report</h1>\n", f);
	fprintf(f, "<p>Written %s from %zu results file%s", rep->created, rep->n, rep->n == 1 ? "" : "s");
	if (rep->base) {
		fputs("; changes are against the baseline <code>", f);
		zpb_html_escape(f, rep->base->res.path);
		fputs("</code>, marked <span class=\"worse\">▲ significant</span> or "
		      "<span class=\"better\">▼ significant</span> where the gate's rule for the figure (", f);
		zpb_html_escape(f, rep->rules.source);
		fputs(") judges the change a regression or an improvement", f);
	}
	fputs(".</p>\n", f);
	if (!rep->have_gnuplot) {
		fputs("<p class=\"note\" id=\"no-pictures\">Pictures were not drawn: ", f);
		zpb_html_escape(f, rep->gnuplot_why[0] ? rep->gnuplot_why : "gnuplot is not available");
		fputs(".</p>\n", f);
	}
	fputs("<p>zsmalloc is mainline zswap's allocator (z3fold and zbud were deprecated in Linux 6.13 and removed in "
	      "6.15); the others are measured against it and against <em>ideal</em>, the lower bound on memory. "
	      "Density is compressed bytes stored per byte of pool; compression ratio is pages stored per page of "
	      "pool. A comparison of pool pages holds only between runs that did the same work: a run that "
	      "rejected stores or wrote back more pages is not ranked, and says so. Figures are medians over "
	      "repetitions; ± is the distance to the far end of a 95% interval for the median (min–max with 5 "
	      "or fewer repetitions). <em>null</em> (the harness) is not shown. "
	      "<a href=\"report.json\">report.json</a> holds the verdicts.</p>\n", f);
	if (rep->n > 1) {
		fputs("<ul>", f);
		for (i = 0; i < rep->n; i++) {
			char title[256];

			zpb_report_input_title(&rep->in[i], title, sizeof(title));
			fprintf(f, "<li><a href=\"#in%zu\">", i);
			zpb_html_escape(f, rep->in[i].res.kind == ZPB_RESULTS_GBENCH ? rep->in[i].res.path : title);
			fputs("</a></li>", f);
		}
		fputs("</ul>\n", f);
	}
	across_table(f, rep);
	for (i = 0; i < rep->n; i++)
		input_section(f, rep, &rep->in[i], i);
	if (rep->nglobal) {
		fputs("<h2 id=\"across\">Across runs</h2>\n", f);
		for (k = 0; k < rep->nglobal; k++)
			figure(f, rep, &rep->global[k]);
	}
	zpb_fidelity_html(f, &rep->fidelity);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}
