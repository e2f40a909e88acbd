// SPDX-License-Identifier: GPL-2.0-only
/* The Markdown report: the HTML report's tables without the pictures. */
#include <math.h>
#include <string.h>

#include "locks.h"
#include "markdown.h"
#include "verdict.h"

void zpb_md_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|' || *s == '*' || *s == '_' || *s == '`')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

static void cell(FILE *f, const struct zpb_report *rep, const struct zpb_subject *s, const char *metric,
		 int decimals)
{
	struct zpb_gate_row row;
	char buf[64];
	double v;

	if (!zpb_report_value(s, metric, &v)) {
		fputs(" – |", f);
		return;
	}
	zpb_report_format(buf, sizeof(buf), v, decimals);
	fprintf(f, " %s", buf);
	zpb_report_spread_text(buf, sizeof(buf), s, metric, decimals);
	if (buf[0])
		fprintf(f, " %s", buf);
	if (zpb_report_change(rep, s, metric, &row)) {
		bool sig = row.verdict == ZPB_VERDICT_REGRESSED || row.verdict == ZPB_VERDICT_IMPROVED;

		if (isinf(row.change))
			fprintf(f, sig ? " (**from 0 %s**)" : " (from 0)", row.verdict == ZPB_VERDICT_REGRESSED ? "▲" : "▼");
		else
			fprintf(f, " (%s%+.1f%%%s%s)", sig ? "**" : "", row.change * 100,
				row.verdict == ZPB_VERDICT_REGRESSED ? " ▲" : row.verdict == ZPB_VERDICT_IMPROVED ? " ▼" : "",
				sig ? "**" : "");
	}
	fputs(" |", f);
}

static void heads(FILE *f, const struct zpb_report_input *in, const struct zpb_report_column *cols, size_t *n)
{
	const struct zpb_report_column *c;

	for (c = cols; c->metric; c++)
		if (zpb_report_column_present(in, c)) {
			fprintf(f, strcmp(c->header, c->unit) ? " %s (%s) |" : " %s |", c->header, c->unit);
			++*n;
		}
}

/* The alignment row: @left left-aligned columns, @right right-aligned, then @tail left-aligned. */
static void rule(FILE *f, size_t left, size_t right, size_t tail)
{
	size_t k;

	fputc('|', f);
	for (k = 0; k < left; k++)
		fputs("---|", f);
	for (k = 0; k < right; k++)
		fputs("---:|", f);
	for (k = 0; k < tail; k++)
		fputs("---|", f);
	fputc('\n', f);
}

static void density_table(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in)
{
	const struct zpb_verdict_input *v = zpb_verdict_for(rep->verdict, in);
	const struct zpb_report_column *c;
	size_t i, n = 0;

	fputs("| rank | allocator | runs |", f);
	heads(f, in, zpb_report_density_columns, &n);
	fputs(" ratio to bound | note |\n", f);
	rule(f, 2, n + 2, 1);
	for (i = 0; i < in->nalloc; i++) {
		const struct zpb_subject *s = in->alloc[i].m;
		const struct zpb_verdict_entry *e = v ? &v->e[i] : NULL;

		if (!e)
			fputs("| – | ", f);
		else if (e->bound)
			fputs("| bound | ", f);
		else if (e->ranked)
			fprintf(f, "| %d | ", e->rank);
		else
			fputs("| not ranked | ", f);
		zpb_md_escape(f, s->name);
		fprintf(f, " | %zu |", s->n ? s->m[0].n : 0);
		for (c = zpb_report_density_columns; c->metric; c++)
			if (zpb_report_column_present(in, c))
				cell(f, rep, s, c->metric, c->decimals);
		if (e && !isnan(e->ratio))
			fprintf(f, e->below_bound ? " **%.3f** |" : " %.3f |", e->ratio);
		else
			fputs(" – |", f);
		fputc(' ', f);
		zpb_md_escape(f, e ? e->note : "");
		fputs(" |\n", f);
	}
}

static void latency_table(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in)
{
	const struct zpb_report_column *c;
	size_t i, n = 0;

	fputs("| allocator |", f);
	heads(f, in, zpb_report_latency_columns, &n);
	fputc('\n', f);
	rule(f, 1, n, 0);
	for (i = 0; i < in->nalloc; i++) {
		fputs("| ", f);
		zpb_md_escape(f, in->alloc[i].m->name);
		fputs(" |", f);
		for (c = zpb_report_latency_columns; c->metric; c++)
			if (zpb_report_column_present(in, c))
				cell(f, rep, in->alloc[i].m, c->metric, c->decimals);
		fputc('\n', f);
	}
}

static void stats_table(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in)
{
	const char *names[128];
	size_t n = zpb_report_stat_names(in, names, 128), i, k;
	char label[160];

	if (!n)
		return;
	fputs("\nCounters, instructions, lateness and emulation:\n\n| figure |", f);
	for (i = 0; i < in->nalloc; i++) {
		fputc(' ', f);
		zpb_md_escape(f, in->alloc[i].m->name);
		fputs(" |", f);
	}
	fputc('\n', f);
	rule(f, 1, in->nalloc, 0);
	for (k = 0; k < n; k++) {
		zpb_report_stat_label(label, sizeof(label), names[k]);
		fputs("| ", f);
		zpb_md_escape(f, label);
		fputs(" |", f);
		for (i = 0; i < in->nalloc; i++)
			cell(f, rep, in->alloc[i].m, names[k], strstr(names[k], "share") ? 3 : 1);
		fputc('\n', f);
	}
}

static void across_table(FILE *f, const struct zpb_report *rep)
{
	const struct zpb_report_verdict *vd = rep->verdict;
	size_t i;

	if (!vd || vd->nbound_inputs < 2)
		return;
	fprintf(f, "\n## Across the %zu inputs\n\nRanked by the geometric mean of each allocator's ratio to the bound (mean "
		"pool pages over the run) over the %zu input%s on which every allocator was ranked (", vd->nbound_inputs,
		vd->ncommon, vd->ncommon == 1 ? "" : "s");
	zpb_md_escape(f, vd->common_text);
	fputs(")", f);
	fputs("; on the others some did less work. The mean where each was ranked is shown beside.\n\n"
	      "| rank | allocator | geometric mean ratio to bound (common inputs) | where ranked | ranked in | note |\n"
	      "|---|---|---:|---:|---:|---|\n", f);
	for (i = 0; i < vd->nrows; i++) {
		const struct zpb_verdict_summary_row *r = &vd->rows[i];
		char a[32], b[32];

		zpb_report_format(a, sizeof(a), r->geomean_common, 3);
		zpb_report_format(b, sizeof(b), r->geomean, 3);
		if (r->rank)
			fprintf(f, "| %d | ", r->rank);
		else
			fputs("| not ranked | ", f);
		zpb_md_escape(f, r->name);
		fprintf(f, " | %s | %s | %zu of %zu | ", a, b, r->ranked_in, vd->nbound_inputs);
		zpb_md_escape(f, r->why);
		fputs(" |\n", f);
	}
}

static void gbench_table(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in)
{
	const char *cols[12];
	size_t nc = zpb_report_metric_names(in, cols, 12), i, k;

	fputs("| benchmark | repetitions |", f);
	for (k = 0; k < nc; k++) {
		fputc(' ', f);
		zpb_md_escape(f, cols[k]);
		fputs(" |", f);
	}
	fputs("\n|---|---:|", f);
	for (k = 0; k < nc; k++)
		fputs("---:|", f);
	fputc('\n', f);
	for (i = 0; i < in->nalloc; i++) {
		const struct zpb_subject *s = in->alloc[i].m;

		fputs("| ", f);
		zpb_md_escape(f, s->name);
		fprintf(f, " | %zu |", s->n ? s->m[0].n : 0);
		for (k = 0; k < nc; k++)
			cell(f, rep, s, cols[k], 1);
		fputc('\n', f);
	}
}

int zpb_report_write_markdown(FILE *f, const struct zpb_report *rep)
{
	size_t i, k;

	fprintf(f, "# zpoolbench report\n\nWritten %s from %zu results file%s.", rep->created, rep->n,
		rep->n == 1 ? "" : "s");
	if (rep->base) {
		fputs(" Changes are against the baseline `", f);
		fputs(rep->base->res.path, f);
		fputs("`; **bold** with ▲ (worse) or ▼ (better) where the gate's rule judges them significant.", f);
	}
	fputs("\nzsmalloc is mainline zswap's allocator (z3fold and zbud were deprecated in Linux 6.13 and removed in "
	      "6.15); the others are measured against it and against ideal, the lower bound on memory. "
	      "Density: compressed bytes stored per byte of pool. Compression ratio: pages stored per page "
	      "of pool. Pool pages compare only between runs that did the same work: a run that rejected stores "
	      "or wrote back more pages is not ranked. Latencies in ns; figures are medians over repetitions, "
	      "± the distance to the far end of a 95% interval for the median (min–max with 5 or fewer). "
	      "report.json holds the verdicts.\n", f);
	across_table(f, rep);
	if (!rep->have_gnuplot)
		fprintf(f, "\n> Pictures were not drawn: %s.\n", rep->gnuplot_why[0] ? rep->gnuplot_why :
			"gnuplot is not available");
	for (i = 0; i < rep->n; i++) {
		const struct zpb_report_input *in = &rep->in[i];
		const struct zpb_json *m = zpb_json_get(in->res.root, "machine");
		const struct zpb_verdict_input *v;
		char headline[512];

		if (in->res.kind == ZPB_RESULTS_GBENCH) {
			fputs("\n## Microbenchmarks: ", f);
			zpb_md_escape(f, in->res.path);
			fputs("\n\n", f);
			gbench_table(f, rep, in);
			continue;
		}
		zpb_report_input_title(in, headline, sizeof(headline));
		fputs("\n## Trace ", f);
		zpb_md_escape(f, headline);
		fprintf(f, "\n\nFrom `%s`", in->res.path);
		if (m) {
			fputs("; machine ", f);
			zpb_md_escape(f, zpb_json_get_str(m, "cpu_model", "?"));
			fprintf(f, ", %g cores, kernel ", zpb_json_get_number(m, "cores", 0));
			zpb_md_escape(f, zpb_json_get_str(m, "kernel", "?"));
		}
		if (!zpb_json_bool(zpb_json_get(in->res.root, "complete"), true))
			fputs(". **Incomplete run** (interrupted)", f);
		fputs(".\n\n", f);
		for (k = 0; k < in->nalloc; k++) {
			double bad;

			if (zpb_report_value(in->alloc[k].m, "verify_failures", &bad) && bad > 0) {
				fputs("> **Verification failures:** ", f);
				zpb_md_escape(f, in->alloc[k].m->name);
				fprintf(f, " returned wrong bytes on %.0f load%s.\n\n", bad, bad == 1 ? "" : "s");
			}
		}
		v = zpb_verdict_for(rep->verdict, in);
		if (v && v->headline[0]) {
			fputs("**", f);
			zpb_md_escape(f, v->headline);
			fputs("**\n\n", f);
		}
		if (v) {
			fputs("Ranked by ", f);
			zpb_md_escape(f, v->metric_text);
			fprintf(f, ", among the allocators that sent the fewest pages to swap (%s).", v->tolerance_text);
			if (v->limit_pages > 0)
				fprintf(f, " Pool limit: %.0f pages%s%s.", v->limit_pages,
					v->limit_default ? " (20% of RAM, zswap's default)" : "",
					v->limit_reached ? "" : ", not reached");
			fputs("\n\n", f);
		}
		density_table(f, rep, in);
		fputc('\n', f);
		latency_table(f, rep, in);
		stats_table(f, rep, in);
		zpb_report_locks_markdown(f, in);
		for (k = 0; k < in->npics; k++)
			if (!in->pics[k].svg && rep->have_gnuplot)
				fprintf(f, "\n- %s: not drawn (%s)", in->pics[k].title, in->pics[k].why);
		fputc('\n', f);
	}
	zpb_fidelity_markdown(f, &rep->fidelity);
	return ferror(f) ? -1 : 0;
}
