// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lock statistics in the report (locks.h): one table per allocator, a row
 * per lock class, in the order the results list them (most acquired
 * first, as replay/lockstat.c writes them). Figures are the first
 * repetition's, as the pictures are: lock statistics are for reading
 * contention, not for ranking.
 */
#include <math.h>
#include <string.h>

#include "../util/json_reader.h"
#include "html.h"
#include "locks.h"
#include "markdown.h"

/* The model's CPU counts shown (replay/lockstat.c models 1..64). */
static const double model_cpus[] = { 8, 16, 64 };
#define NMODEL (sizeof(model_cpus) / sizeof(model_cpus[0]))

/* One row's figures, read once for both writers. */
struct lock_row {
	const char *name, *file, *kind, *owner;
	double acq, cont, wait_total, wait_max, hold_mean, hold_p99;
	double model[NMODEL];	/* contention ratio; NAN when absent */
};

static void read_row(const struct zpb_json *c, struct lock_row *r)
{
	const struct zpb_json *wait = zpb_json_get(c, "wait_ns"), *hold = zpb_json_get(c, "hold_ns");
	const struct zpb_json *pts = zpb_json_get(zpb_json_get(c, "model"), "points"), *p;
	size_t i, k;

	r->name = zpb_json_get_str(c, "name", "?");
	r->file = zpb_json_get_str(c, "file", "");
	r->kind = zpb_json_get_str(c, "kind", "");
	r->owner = zpb_json_get_str(c, "owner", "");
	r->acq = zpb_json_get_number(c, "acquisitions", 0);
	r->cont = zpb_json_get_number(c, "contentions", 0);
	r->wait_total = zpb_json_get_number(wait, "total", 0);
	r->wait_max = zpb_json_get_number(wait, "max", 0);
	r->hold_mean = zpb_json_get_number(hold, "mean", 0);
	r->hold_p99 = zpb_json_get_number(hold, "p99_below", 0);
	for (k = 0; k < NMODEL; k++) {
		r->model[k] = NAN;
		for (i = 0; (p = zpb_json_at(pts, i)); i++)
			if (zpb_json_get_number(p, "cpus", 0) == model_cpus[k])
				r->model[k] = zpb_json_get_number(p, "contention", NAN);
	}
}

static const struct zpb_json *classes_of(const struct zpb_report_alloc *a)
{
	return zpb_json_get(zpb_json_get(a->run, "lockstat"), "classes");
}

bool zpb_report_has_locks(const struct zpb_report_input *in)
{
	size_t i;

	for (i = 0; i < in->nalloc; i++)
		if (zpb_json_at(classes_of(&in->alloc[i]), 0))
			return true;
	return false;
}

static const char intro[] =
	"From replay --lockstat (a ./configure --lockstat build), the first repetition: each lock class "
	"(the lock expression at its call site, its file and kind), whose it is (the allocator's, the "
	"compatibility layer's or the harness's), acquisitions, contended acquisitions, total and longest "
	"wait, and mean and 99th-percentile hold (the log2 bucket's upper bound), as /proc/lock_stat lists "
	"them. The last columns are a model, not a measurement: the contention an M/M/1 queue predicts "
	"at 8, 16 and 64 CPUs from this run's arrival rate and mean hold (docs/measurement.md, \"Lock "
	"statistics\"); 1 means the lock would be saturated.";

static void fmt_model(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "–");
	else
		snprintf(buf, len, "%.3f", v);
}

void zpb_report_locks_html(FILE *f, const struct zpb_report_input *in)
{
	size_t i, j, k;

	if (!zpb_report_has_locks(in))
		return;
	fputs("<h3>Lock statistics</h3>\n<p class=\"rule\">", f);
	zpb_html_escape(f, intro);
	fputs("</p>\n", f);
	for (i = 0; i < in->nalloc; i++) {
		const struct zpb_json *cl = classes_of(&in->alloc[i]), *c;

		if (!zpb_json_at(cl, 0))
			continue;
		fputs("<details><summary>", f);
		zpb_html_escape(f, in->alloc[i].m->name);
		fputs("</summary>\n<div class=\"wide\"><table class=\"locks\">\n<tr><th>class</th><th>kind</th><th>owner</th>"
		      "<th>acquisitions</th><th>contentions</th><th>wait total<br><small>ns</small></th>"
		      "<th>wait max<br><small>ns</small></th><th>hold mean<br><small>ns</small></th>"
		      "<th>hold p99<br><small>ns, below</small></th><th>model: contention<br><small>8 CPUs</small></th>"
		      "<th>model<br><small>16 CPUs</small></th><th>model<br><small>64 CPUs</small></th></tr>\n", f);
		for (j = 0; (c = zpb_json_at(cl, j)); j++) {
			struct lock_row r;
			char m[NMODEL][32];

			read_row(c, &r);
			for (k = 0; k < NMODEL; k++)
				fmt_model(m[k], sizeof(m[k]), r.model[k]);
			fputs("<tr><td><code>", f);
			zpb_html_escape(f, r.name);
			fputs("</code> <small>", f);
			zpb_html_escape(f, r.file);
			fputs("</small></td><td>", f);
			zpb_html_escape(f, r.kind);
			fputs("</td><td>", f);
			zpb_html_escape(f, r.owner);
			fprintf(f, "</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.1f</td><td>%.0f</td>"
				"<td>%s</td><td>%s</td><td>%s</td></tr>\n", r.acq, r.cont, r.wait_total, r.wait_max,
				r.hold_mean, r.hold_p99, m[0], m[1], m[2]);
		}
		fputs("</table></div></details>\n", f);
	}
}

void zpb_report_locks_markdown(FILE *f, const struct zpb_report_input *in)
{
	size_t i, j, k;

	if (!zpb_report_has_locks(in))
		return;
	fprintf(f, "\n#### Lock statistics\n\n%s\n", intro);
	for (i = 0; i < in->nalloc; i++) {
		const struct zpb_json *cl = classes_of(&in->alloc[i]), *c;

		if (!zpb_json_at(cl, 0))
			continue;
		fputs("\n**", f);
		zpb_md_escape(f, in->alloc[i].m->name);
		fputs("**\n\n| class | kind | owner | acquisitions | contentions | wait total ns | wait max ns | hold mean ns "
		      "| hold p99 ns (below) | model: 8 CPUs | 16 CPUs | 64 CPUs |\n"
		      "|---|---|---|---|---|---|---|---|---|---|---|---|\n", f);
		for (j = 0; (c = zpb_json_at(cl, j)); j++) {
			struct lock_row r;
			char m[NMODEL][32];

			read_row(c, &r);
			for (k = 0; k < NMODEL; k++)
				fmt_model(m[k], sizeof(m[k]), r.model[k]);
			fputs("| ", f);
			zpb_md_escape(f, r.name);
			fputs(" (", f);
			zpb_md_escape(f, r.file);
			fputs(") | ", f);
			zpb_md_escape(f, r.kind);
			fputs(" | ", f);
			zpb_md_escape(f, r.owner);
			fprintf(f, " | %.0f | %.0f | %.0f | %.0f | %.1f | %.0f | %s | %s | %s |\n", r.acq, r.cont, r.wait_total,
				r.wait_max, r.hold_mean, r.hold_p99, m[0], m[1], m[2]);
		}
	}
}
