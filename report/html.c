// SPDX-License-Identifier: GPL-2.0-only
/* The HTML report. */
#include <math.h>
#include <string.h>

#include "colors.h"
#include "html.h"

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
	"body{font-family:system-ui,'DejaVu Sans',sans-serif;margin:2em auto;max-width:1100px;color:#222;"
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
	".headline{font-weight:500}";

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

static void summary_table(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in)
{
	const struct zpb_report_column *c;
	size_t i;

	fputs("<div class=\"wide\"><table class=\"summary\">\n<tr><th>allocator</th><th>runs</th>", f);
	for (c = zpb_report_columns; c->metric; c++) {
		fputs("<th>", f);
		zpb_html_escape(f, c->header);
		if (strcmp(c->unit, c->header)) {
			fputs("<br><small>", f);
			zpb_html_escape(f, c->unit);
			fputs("</small>", f);
		}
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (i = 0; i < in->nalloc; i++) {
		const struct zpb_subject *s = in->alloc[i].m;
		const struct zpb_metric *any = s->n ? &s->m[0] : NULL;

		fprintf(f, "<tr><td><span class=\"swatch\" style=\"background:%s\"></span>", zpb_report_color(s->name));
		zpb_html_escape(f, s->name);
		fprintf(f, "</td><td>%zu</td>", any ? any->n : 0);
		for (c = zpb_report_columns; c->metric; c++)
			cell_value(f, rep, s, c);
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n", f);
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
	zpb_report_headline(in, headline, sizeof(headline));
	if (headline[0]) {
		fputs("<p class=\"headline\">", f);
		zpb_html_escape(f, headline);
		fputs("</p>\n", f);
	}
	summary_table(f, rep, in);
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
	fputs("<p>Density is compressed bytes stored per byte of pool; compression ratio is pages stored per "
	      "page of pool. <em>ideal</em> is the lower bound on memory; <em>null</em> (the harness) is not "
	      "shown.</p>\n", f);
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
