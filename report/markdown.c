// SPDX-License-Identifier: GPL-2.0-only
/* The Markdown report: the HTML report's tables without the pictures. */
#include <math.h>
#include <string.h>

#include "markdown.h"

static void md(FILE *f, const char *s)
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

static void replay_table(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in)
{
	const struct zpb_report_column *c;
	size_t i;

	fputs("| allocator | runs |", f);
	for (c = zpb_report_columns; c->metric; c++)
		fprintf(f, strcmp(c->header, c->unit) ? " %s (%s) |" : " %s |", c->header, c->unit);
	fputs("\n|---|---:|", f);
	for (c = zpb_report_columns; c->metric; c++)
		fputs("---:|", f);
	fputc('\n', f);
	for (i = 0; i < in->nalloc; i++) {
		const struct zpb_subject *s = in->alloc[i].m;

		fputs("| ", f);
		md(f, s->name);
		fprintf(f, " | %zu |", s->n ? s->m[0].n : 0);
		for (c = zpb_report_columns; c->metric; c++)
			cell(f, rep, s, c->metric, c->decimals);
		fputc('\n', f);
	}
}

static void gbench_table(FILE *f, const struct zpb_report *rep, const struct zpb_report_input *in)
{
	const char *cols[12];
	size_t nc = zpb_report_metric_names(in, cols, 12), i, k;

	fputs("| benchmark | repetitions |", f);
	for (k = 0; k < nc; k++) {
		fputc(' ', f);
		md(f, cols[k]);
		fputs(" |", f);
	}
	fputs("\n|---|---:|", f);
	for (k = 0; k < nc; k++)
		fputs("---:|", f);
	fputc('\n', f);
	for (i = 0; i < in->nalloc; i++) {
		const struct zpb_subject *s = in->alloc[i].m;

		fputs("| ", f);
		md(f, s->name);
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
	fputs("\nDensity: compressed bytes stored per byte of pool. Compression ratio: pages stored per page "
	      "of pool. Latencies in ns; figures are medians over repetitions.\n", f);
	if (!rep->have_gnuplot)
		fprintf(f, "\n> Pictures were not drawn: %s.\n", rep->gnuplot_why[0] ? rep->gnuplot_why :
			"gnuplot is not available");
	for (i = 0; i < rep->n; i++) {
		const struct zpb_report_input *in = &rep->in[i];
		const struct zpb_json *m = zpb_json_get(in->res.root, "machine");
		char headline[512];

		if (in->res.kind == ZPB_RESULTS_GBENCH) {
			fputs("\n## Microbenchmarks: ", f);
			md(f, in->res.path);
			fputs("\n\n", f);
			gbench_table(f, rep, in);
			continue;
		}
		zpb_report_input_title(in, headline, sizeof(headline));
		fputs("\n## Trace ", f);
		md(f, headline);
		fprintf(f, "\n\nFrom `%s`", in->res.path);
		if (m) {
			fputs("; machine ", f);
			md(f, zpb_json_get_str(m, "cpu_model", "?"));
			fprintf(f, ", %g cores, kernel ", zpb_json_get_number(m, "cores", 0));
			md(f, zpb_json_get_str(m, "kernel", "?"));
		}
		if (!zpb_json_bool(zpb_json_get(in->res.root, "complete"), true))
			fputs(". **Incomplete run** (interrupted)", f);
		fputs(".\n\n", f);
		for (k = 0; k < in->nalloc; k++) {
			double bad;

			if (zpb_report_value(in->alloc[k].m, "verify_failures", &bad) && bad > 0) {
				fputs("> **Verification failures:** ", f);
				md(f, in->alloc[k].m->name);
				fprintf(f, " returned wrong bytes on %.0f load%s.\n\n", bad, bad == 1 ? "" : "s");
			}
		}
		zpb_report_headline(in, headline, sizeof(headline));
		if (headline[0]) {
			md(f, headline);
			fputs("\n\n", f);
		}
		replay_table(f, rep, in);
		for (k = 0; k < in->npics; k++)
			if (!in->pics[k].svg && rep->have_gnuplot)
				fprintf(f, "\n- %s: not drawn (%s)", in->pics[k].title, in->pics[k].why);
		fputc('\n', f);
	}
	zpb_fidelity_markdown(f, &rep->fidelity);
	return ferror(f) ? -1 : 0;
}
