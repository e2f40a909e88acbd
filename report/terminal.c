// SPDX-License-Identifier: GPL-2.0-only
/*
 * The terminal summary after a replay, from the results file just written
 * (the JSON is the contract here too): the verdict's headline, and a
 * perf-stat-like table of the figures that otherwise reach only the JSON —
 * counters, instructions per op, --timed lateness, emulation time.
 */
#include <string.h>

#include "terminal.h"
#include "verdict.h"

static void stat_table(FILE *f, const struct zpb_report_input *in)
{
	const char *names[128];
	size_t n = zpb_report_stat_names(in, names, 128), i, k;
	char label[160], buf[64];
	double v;

	if (!n)
		return;
	fprintf(f, "\n %-44s", "figure (median over repetitions)");
	for (i = 0; i < in->nalloc; i++)
		fprintf(f, " %14.14s", in->alloc[i].m->name);
	fputc('\n', f);
	for (k = 0; k < n; k++) {
		zpb_report_stat_label(label, sizeof(label), names[k]);
		fprintf(f, " %-44.44s", label);
		for (i = 0; i < in->nalloc; i++) {
			if (zpb_report_value(in->alloc[i].m, names[k], &v))
				zpb_report_format(buf, sizeof(buf), v, strstr(names[k], "share") ? 3 : 1);
			else
				snprintf(buf, sizeof(buf), "–");
			fprintf(f, " %14s", buf);
		}
		fputc('\n', f);
	}
}

int zpb_report_print_summary(FILE *f, const char *results, char *err, size_t errlen)
{
	const char *paths[1] = { results };
	struct zpb_report rep;
	struct zpb_report_verdict vd = { 0 };
	int rc = -1;

	if (zpb_report_load(&rep, paths, 1, NULL, NULL, err, errlen) || zpb_verdict_build(&vd, &rep, err, errlen))
		goto out;
	if (vd.n && vd.v[0].headline[0])
		fprintf(f, "\n %s\n", vd.v[0].headline);
	if (rep.n)
		stat_table(f, &rep.in[0]);
	rc = ferror(f) ? -1 : 0;
out:
	zpb_verdict_free(&vd);
	zpb_report_free(&rep);
	return rc;
}
