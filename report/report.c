// SPDX-License-Identifier: GPL-2.0-only
/* The report writer: load, extract the pictures' data, draw, write, move into place. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gnuplot.h"
#include "html.h"
#include "markdown.h"
#include "model.h"
#include "plotdata.h"
#include "report.h"
#include "verdict.h"
#include "../util/atomic_file.h"
#include "../util/dirs.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Remove @path and everything under it; a missing path is fine. */
int zpb_report_rm_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int write_with(const char *path, int (*fn)(FILE *, const struct zpb_report *), const struct zpb_report *rep,
		      char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = fn(f, rep);
	if (fflush(f) || fsync(fileno(f)))
		rc = -1;
	if (fclose(f))
		rc = -1;
	if (rc)
		snprintf(err, errlen, "%s: write error: %s", path, strerror(errno));
	return rc;
}

/* Move the staged report into @outdir: the directories first, index.html (always there) last. */
int zpb_report_publish(const char *stage, const char *outdir, char *err, size_t errlen)
{
	static const char *const dirs[] = { "data", "plots", "img" };
	static const char *const files[] = { "report.json", "report.md", "index.html" };
	char from[4200], to[4200];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s/%s", stage, dirs[i]);
		snprintf(to, sizeof(to), "%s/%s", outdir, dirs[i]);
		if (access(from, F_OK))
			continue;
		if (zpb_report_rm_tree(to) || rename(from, to)) {
			snprintf(err, errlen, "%s: %s", to, strerror(errno));
			return -1;
		}
	}
	for (i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s/%s", stage, files[i]);
		snprintf(to, sizeof(to), "%s/%s", outdir, files[i]);
		/* A kind of report without this file (a sweep's has no report.json) leaves no stale one. */
		if (i < 2 && access(from, F_OK)) {
			if (unlink(to) && errno != ENOENT) {
				snprintf(err, errlen, "%s: %s", to, strerror(errno));
				return -1;
			}
			continue;
		}
		if (rename(from, to)) {
			snprintf(err, errlen, "%s: %s", to, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* DIR/report.json, the verdict the headlines are written from (atomically, as every output). */
static int write_verdict(const char *path, const struct zpb_report_verdict *vd, const struct zpb_report *rep, char *err,
			 size_t errlen)
{
	struct zpb_atomic_file af;

	if (zpb_atomic_open(&af, path, err, errlen))
		return -1;
	if (zpb_verdict_write_json(af.f, vd, rep)) {
		snprintf(err, errlen, "%s: write error", path);
		zpb_atomic_abort(&af);
		return -1;
	}
	return zpb_atomic_commit(&af, err, errlen);
}

static void count(const struct zpb_picture *p, size_t n, struct zpb_report_outcome *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out->pictures++;
		out->drawn += p[i].svg != NULL;
	}
}

int zpb_report_write(const struct zpb_report_options *o, struct zpb_report_outcome *out, char *err, size_t errlen)
{
	struct zpb_report rep;
	struct zpb_report_verdict vd = { 0 };
	char stage[4096], path[4200];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = 0;
	if (!o->ninputs) {
		snprintf(err, errlen, "no results files given");
		return -1;
	}
	if (zpb_report_load(&rep, o->inputs, o->ninputs, o->baseline, o->rules, err, errlen) ||
	    zpb_fidelity_load(&rep.fidelity, o->fidelity, o->nfidelity, err, errlen))
		goto out;
	if (zpb_verdict_build(&vd, &rep, err, errlen))
		goto out;
	rep.verdict = &vd;
	gmtime_r(&now, &tm);
	strftime(rep.created, sizeof(rep.created), "%Y-%m-%d %H:%M UTC", &tm);
	if (zpb_make_dirs(o->outdir, err, errlen))
		goto out;
	snprintf(stage, sizeof(stage), "%s/.staging-%ld", o->outdir, (long)getpid());
	snprintf(path, sizeof(path), "%s/data", stage);
	if (zpb_report_rm_tree(stage) || zpb_make_dirs(path, err, errlen)) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", stage, strerror(errno));
		goto out;
	}
	if (zpb_plotdata_write(&rep, path, "../data", err, errlen) || zpb_gnuplot_draw(&rep, stage, err, errlen))
		goto out_stage;
	snprintf(path, sizeof(path), "%s/report.json", stage);
	if (write_verdict(path, &vd, &rep, err, errlen))
		goto out_stage;
	snprintf(path, sizeof(path), "%s/index.html", stage);
	if (write_with(path, zpb_report_write_html, &rep, err, errlen))
		goto out_stage;
	snprintf(path, sizeof(path), "%s/report.md", stage);
	if (write_with(path, zpb_report_write_markdown, &rep, err, errlen))
		goto out_stage;
	if (zpb_report_publish(stage, o->outdir, err, errlen))
		goto out_stage;
	for (i = 0; i < rep.n; i++)
		count(rep.in[i].pics, rep.in[i].npics, out);
	count(rep.global, rep.nglobal, out);
	out->gnuplot = rep.have_gnuplot;
	snprintf(out->note, sizeof(out->note), "%s", rep.gnuplot_why);
	rc = 0;
out_stage:
	zpb_report_rm_tree(stage);
out:
	zpb_verdict_free(&vd);
	zpb_fidelity_free(&rep.fidelity);
	zpb_report_free(&rep);
	return rc;
}
