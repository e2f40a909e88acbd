// SPDX-License-Identifier: GPL-2.0-only
/*
 * The verdict (verdict.h): equal work first, then density over the run.
 * The rules are docs/report.md's "The verdict"; keep the two in step.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../util/json_writer.h"
#include "verdict.h"

/* Work counts as the same within 1% of the stores (threaded reclaim varies run to run); exact when deterministic. */
#define ZPB_VERDICT_WORK_TOLERANCE 0.01

static double value_or(const struct zpb_subject *s, const char *metric, double def)
{
	double v;

	return zpb_report_value(s, metric, &v) ? v : def;
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

/* The metric every allocator of @in has: the mean over the run, else the final, else the peak. */
static void pick_metric(struct zpb_verdict_input *v)
{
	static const char *const names[] = { "over_run.mean_pool_pages", "final.pool_pages", "final.peak_pool_pages" };
	static const char *const shorts[] = { "mean over the run", "at the end", "at the peak" };
	static const char *const texts[] = {
		"mean pool pages over the run (weighted by trace records)",
		"pool pages at the end of the run (this results file has no over-run figures)",
		"peak pool pages (this results file has no over-run figures and the pool ends empty)",
	};
	size_t k, i;

	for (k = 0; k < 3; k++) {
		bool all = v->n > 0, any = false;

		for (i = 0; i < v->n; i++) {
			double x;

			if (!zpb_report_value(v->e[i].a->m, names[k], &x))
				all = false;
			else if (x > 0)
				any = true;
		}
		if (all && (any || k == 2)) {
			v->metric = names[k];
			v->metric_text = texts[k];
			v->metric_short = shorts[k];
			return;
		}
	}
	v->metric = names[0];
	v->metric_text = texts[0];
	v->metric_short = shorts[0];
}

static void fill_entry(struct zpb_verdict_entry *e, const struct zpb_verdict_input *v)
{
	const struct zpb_subject *s = e->a->m;
	const struct zpb_metric *m = zpb_subject_metric(s, v->metric);

	e->value = value_or(s, v->metric, NAN);
	if (m && m->n)
		zpb_spread_compute(m->v, m->n, &e->spread);
	e->final_pages = value_or(s, "final.pool_pages", NAN);
	e->peak_pages = value_or(s, "final.peak_pool_pages", NAN);
	e->mean_density = value_or(s, "over_run.mean_density", value_or(s, "final.density", NAN));
	e->mean_stored_bytes = value_or(s, "over_run.mean_stored_bytes", value_or(s, "final.stored_bytes", NAN));
	/* Files before the "work" block: the same counts from ops and reclaim. */
	e->stores = value_or(s, "work.stores", value_or(s, "ops.store", 0));
	e->stored_objects = value_or(s, "work.stored_objects", NAN);
	e->stored_bytes = value_or(s, "work.stored_bytes", NAN);
	e->rejected = value_or(s, "work.rejected_pages", value_or(s, "ops.rejected", 0));
	e->rejected_alloc = value_or(s, "work.rejected_alloc_pages", value_or(s, "ops.rejected_alloc", 0));
	e->rejected_alloc_bytes = value_or(s, "work.rejected_alloc_object_bytes", NAN);
	e->written_back = value_or(s, "work.written_back_pages", value_or(s, "reclaim.writebacks", 0));
	e->max_object_size = value_or(s, "work.max_object_size", NAN);
	e->lost = e->rejected + e->written_back;
	e->ratio = e->ratio_per_byte = NAN;
}

static void add(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* "rejected 404 stores of 4096 B: above zbud's 3968 B maximum", or why else it stored less. */
static void rejected_reason(struct zpb_verdict_entry *e, char *buf, size_t len, double page)
{
	double mean = e->rejected_alloc > 0 && !isnan(e->rejected_alloc_bytes) ?
		      e->rejected_alloc_bytes / e->rejected_alloc : NAN;

	if (e->rejected_alloc <= 0)
		return;
	if (!isnan(mean) && mean >= page - 0.5)
		add(buf, len, "rejected %.0f stores of %.0f B", e->rejected_alloc, page);
	else if (!isnan(mean))
		add(buf, len, "rejected %.0f stores averaging %.0f B", e->rejected_alloc, mean);
	else
		add(buf, len, "rejected %.0f stores", e->rejected_alloc);
	if (!isnan(e->max_object_size) && !isnan(mean) && mean > e->max_object_size)
		add(buf, len, ": above %s's %.0f B maximum", e->name, e->max_object_size);
	else
		add(buf, len, " (the allocator refused them)");
}

static void less_work_reason(struct zpb_verdict_entry *e, const struct zpb_verdict_input *v, const char *best,
			     double page)
{
	double limit_rej = e->rejected - e->rejected_alloc;

	snprintf(e->reason, sizeof(e->reason), "did less work: ");
	rejected_reason(e, e->reason, sizeof(e->reason), page);
	if (e->written_back > 0 || limit_rej > 0) {
		if (e->rejected_alloc > 0)
			add(e->reason, sizeof(e->reason), "; ");
		if (e->written_back > 0)
			add(e->reason, sizeof(e->reason), "wrote back %.0f pages", e->written_back);
		if (limit_rej > 0)
			add(e->reason, sizeof(e->reason), "%srejected %.0f stores at the pool limit",
			    e->written_back > 0 ? " and " : "", limit_rej);
	}
	if (e->lost != e->rejected_alloc && e->lost != e->written_back)
		add(e->reason, sizeof(e->reason), " (%.0f pages sent to swap in all)", e->lost);
	if (v->best_lost > 0 || e->lost != e->rejected_alloc)
		add(e->reason, sizeof(e->reason), ", against %.0f pages sent to swap by %s", v->best_lost, best);
}

/* Exclusions that are not about work: the run is not a measurement of this allocator. */
static bool broken(struct zpb_verdict_entry *e)
{
	double bad = value_or(e->a->m, "verify_failures", 0);

	if (bad > 0) {
		snprintf(e->reason, sizeof(e->reason), "returned wrong bytes on %.0f load%s", bad, bad == 1 ? "" : "s");
		return true;
	}
	if (e->a->run && !zpb_json_bool(zpb_json_get(e->a->run, "complete"), true)) {
		snprintf(e->reason, sizeof(e->reason), "incomplete run (interrupted)");
		return true;
	}
	if (isnan(e->value)) {
		snprintf(e->reason, sizeof(e->reason), "no %s in the results", e->a->m->name);
		return true;
	}
	return false;
}

static int by_value(const void *a, const void *b)
{
	const struct zpb_verdict_entry *x = *(const struct zpb_verdict_entry *const *)a;
	const struct zpb_verdict_entry *y = *(const struct zpb_verdict_entry *const *)b;

	return x->value < y->value ? -1 : x->value > y->value;
}

static void judge_bound(struct zpb_verdict_input *v)
{
	const struct zpb_verdict_entry *b = v->bound >= 0 ? &v->e[v->bound] : NULL;
	size_t i;

	if (!b || isnan(b->value) || b->value <= 0)
		return;
	for (i = 0; i < v->n; i++) {
		struct zpb_verdict_entry *e = &v->e[i];

		if (e->bound || isnan(e->value))
			continue;
		e->ratio = e->value / b->value;
		if (e->mean_stored_bytes > 0 && b->mean_stored_bytes > 0)
			e->ratio_per_byte = (e->value / e->mean_stored_bytes) / (b->value / b->mean_stored_bytes);
		if (e->ratio >= 1)
			continue;
		/* A bound cannot be beaten on the same work: say what differs, and keep it out of the ranking. */
		e->below_bound = true;
		snprintf(e->note, sizeof(e->note), "below the %s bound (%.3f of it): counts different work", b->name,
			 e->ratio);
		if (e->lost > b->lost)
			add(e->note, sizeof(e->note), ": %.0f more pages sent to swap than the bound", e->lost - b->lost);
		else if (e->mean_stored_bytes < b->mean_stored_bytes)
			add(e->note, sizeof(e->note), ": %.1f%% fewer bytes stored over the run",
			    100 * (1 - e->mean_stored_bytes / b->mean_stored_bytes));
		else
			add(e->note, sizeof(e->note), ": the same work by these counts, so the figure is a sampling "
			    "artefact (threaded samples between marks are approximate)");
	}
}

/* "27%", or "0.4%" below 1%: a headline that says "0% more" of a figure that differs misleads. */
static void pct_more(char *buf, size_t len, double a, double b)
{
	double p = 100 * (a / b - 1);

	snprintf(buf, len, p < 0.95 ? "%.1f%%" : "%.0f%%", p);
}

static void headline(struct zpb_verdict_input *v)
{
	const struct zpb_verdict_entry *best = NULL, *worst = NULL, *zs = NULL, *fast = NULL;
	const struct zpb_verdict_entry *b = v->bound >= 0 ? &v->e[v->bound] : NULL;
	char *h = v->headline, pct[32];
	size_t len = sizeof(v->headline), i, nleft = 0;
	double fp = 0, x;

	h[0] = 0;
	for (i = 0; i < v->n; i++) {
		const struct zpb_verdict_entry *e = &v->e[i];

		if (!strncmp(e->name, "zsmalloc", 8) && !zs)
			zs = e;
		if (!e->ranked)
			continue;
		if (e->rank == 1)
			best = e;
		if (!worst || e->rank > worst->rank)
			worst = e;
		if (zpb_report_value(e->a->m, "latency_ns.store.p50", &x) && (!fast || x < fp))
			fast = e, fp = x;
	}
	if (!best) {
		if (v->n && !v->nranked)
			add(h, len, "No allocator can be ranked on this input: every run was left out (below).");
		return;
	}
	/* zsmalloc first: mainline zswap's allocator since Linux 6.15. */
	if (zs && zs->ranked && zs != best && zs->value < best->value * 1.0005) {
		/* Ranked second by a hair: "needs 0.0% more" reads as a loss that is not there. */
		add(h, len, "zsmalloc (mainline zswap's allocator) ties with %s over the run "
		    "(mean %.1f against %.1f pool pages, within 0.05%%). ", best->name, zs->value, best->value);
	} else if (zs && zs->ranked && zs != best) {
		pct_more(pct, sizeof(pct), zs->value, best->value);
		add(h, len, "zsmalloc (mainline zswap's allocator) needs %s more pool pages than %s over the run "
		    "(mean %.0f against %.0f). ", pct, best->name, zs->value, best->value);
	} else if (zs && !zs->ranked && !zs->bound) {
		add(h, len, "zsmalloc (mainline zswap's allocator) is not ranked: %s. ", zs->reason);
	} else if (zs == best) {
		add(h, len, "zsmalloc (mainline zswap's allocator) ");
	}
	if (zs != best)
		add(h, len, "%s ", best->name);
	add(h, len, "keeps the pages in the fewest pool pages (%.0f %s", best->value, v->metric_short);
	if (b && !isnan(best->ratio))
		add(h, len, ", %.2f× the %s bound", best->ratio, b->name);
	if (!isnan(best->peak_pages) && strcmp(v->metric, "final.peak_pool_pages"))
		add(h, len, "; peak %.0f", best->peak_pages);
	if (!isnan(best->final_pages) && strcmp(v->metric, "final.pool_pages"))
		add(h, len, ", %.0f at the end", best->final_pages);
	add(h, len, ")");
	if (worst && worst != best && worst != zs) {
		pct_more(pct, sizeof(pct), worst->value, best->value);
		add(h, len, "; %s needs %s more", worst->name, pct);
	}
	add(h, len, ".");
	for (i = 0; i < v->n; i++) {
		const struct zpb_verdict_entry *e = &v->e[i];

		if (e->ranked || e->bound || e == zs)
			continue;
		add(h, len, "%s%s: %s", nleft++ ? "; " : " Not ranked: ", e->name, e->reason);
	}
	if (nleft)
		add(h, len, ".");
	if (fast && v->nranked > 1)
		add(h, len, " Fastest median store among the ranked: %s (%.0f ns).", fast->name, fp);
}

static int judge_input(struct zpb_verdict_input *v, const struct zpb_report_input *in, const struct zpb_report *rep)
{
	const struct zpb_json *opt = zpb_json_get(in->res.root, "options");
	const struct zpb_verdict_entry *best = NULL;
	struct zpb_verdict_entry **order;
	double page = in->page_size, maxstores = 0;
	size_t i, k;

	v->in = in;
	v->bound = -1;
	zpb_report_input_title(in, v->title, sizeof(v->title));
	v->limit_pages = zpb_json_get_number(opt, "pool_limit_pages", 0);
	v->limit_default = zpb_json_get(opt, "pool_limit_percent") != NULL &&
			   zpb_json_get_number(opt, "pool_limit_percent", 0) == 20;
	v->e = calloc(in->nalloc ? in->nalloc : 1, sizeof(*v->e));
	order = calloc(in->nalloc ? in->nalloc : 1, sizeof(*order));
	if (!v->e || !order) {
		free(order);
		return -1;
	}
	for (i = 0; i < in->nalloc; i++) {
		struct zpb_verdict_entry *e = &v->e[v->n];

		e->a = &in->alloc[i];
		e->name = e->a->m->name;
		e->bound = has_cap(e->a->run, "bound");
		if (e->bound && v->bound < 0)
			v->bound = (int)v->n;
		v->n++;
	}
	pick_metric(v);
	for (i = 0; i < v->n; i++) {
		fill_entry(&v->e[i], v);
		if (v->e[i].written_back > 0 || v->e[i].rejected > v->e[i].rejected_alloc)
			v->limit_reached = true;
		if (v->e[i].stores > maxstores)
			maxstores = v->e[i].stores;
	}
	v->tolerance = in->ms.deterministic ? 0 : floor(ZPB_VERDICT_WORK_TOLERANCE * maxstores);
	if (in->ms.deterministic)
		snprintf(v->tolerance_text, sizeof(v->tolerance_text), "exactly: the runs are deterministic");
	else
		snprintf(v->tolerance_text, sizeof(v->tolerance_text),
			 "within %.0f pages, 1%% of the stores, as threaded reclaim varies from run to run", v->tolerance);
	/* The most work an allocator did: the fewest pages sent to swap among the sound, non-bound runs. */
	for (i = 0; i < v->n; i++) {
		struct zpb_verdict_entry *e = &v->e[i];

		if (e->bound || broken(e))
			continue;
		if (!best || e->lost < best->lost)
			best = e;
	}
	v->best_lost = best ? best->lost : 0;
	judge_bound(v);
	for (i = 0, k = 0; i < v->n; i++) {
		struct zpb_verdict_entry *e = &v->e[i];

		if (e->bound || e->reason[0])
			continue;
		if (e->lost > v->best_lost + v->tolerance) {
			less_work_reason(e, v, best->name, page);
			continue;
		}
		if (e->below_bound) {
			add(e->reason, sizeof(e->reason), "%s", e->note);
			continue;
		}
		if (e->value <= 0 && e->mean_stored_bytes <= 0) {
			snprintf(e->reason, sizeof(e->reason), "stored nothing");
			continue;
		}
		order[k++] = e;
	}
	qsort(order, k, sizeof(*order), by_value);
	for (i = 0; i < k; i++) {
		order[i]->ranked = true;
		order[i]->rank = (int)i + 1;
	}
	v->nranked = k;
	/* Beside the figures of a run that did less work: say so (the reason holds the counts). */
	for (i = 0; i < v->n; i++) {
		struct zpb_verdict_entry *e = &v->e[i];

		char bound_note[sizeof(e->note)];

		if (e->ranked || e->bound)
			continue;
		snprintf(bound_note, sizeof(bound_note), "%s", e->note);
		e->note[0] = 0;
		add(e->note, sizeof(e->note), "not ranked: %s", e->reason);
		if (bound_note[0] && strcmp(bound_note, e->reason))
			add(e->note, sizeof(e->note), "; %s", bound_note);
	}
	free(order);
	headline(v);
	return 0;
}

static const struct zpb_verdict_entry *entry_of(const struct zpb_verdict_input *v, const char *name)
{
	size_t j;

	for (j = 0; j < v->n; j++)
		if (!strcmp(v->e[j].name, name))
			return &v->e[j];
	return NULL;
}

/* An input the summary can use: it has a bound and a ranking. */
static bool judged(const struct zpb_verdict_input *v)
{
	return v->bound >= 0 && v->nranked > 0;
}

static int by_rank(const void *a, const void *b)
{
	const struct zpb_verdict_summary_row *x = a, *y = b;
	int kx = x->rank ? x->rank : INT_MAX, ky = y->rank ? y->rank : INT_MAX;

	return (kx > ky) - (kx < ky);
}

static void summarise(struct zpb_report_verdict *vd)
{
	size_t i, j, k;

	for (i = 0; i < vd->n; i++) {
		const struct zpb_verdict_input *v = &vd->v[i];

		if (!judged(v))
			continue;
		vd->nbound_inputs++;
		for (j = 0; j < v->n; j++) {
			const struct zpb_verdict_entry *e = &v->e[j];
			struct zpb_verdict_summary_row *r = NULL;

			if (e->bound)
				continue;
			for (k = 0; k < vd->nrows; k++)
				if (!strcmp(vd->rows[k].name, e->name))
					r = &vd->rows[k];
			if (!r) {
				r = &vd->rows[vd->nrows++];
				r->name = e->name;
			}
			if (e->ranked && !isnan(e->ratio)) {
				r->geomean += log(e->ratio);
				r->ranked_in++;
			} else {
				r->left_out_in++;
			}
		}
	}
	/* The common inputs: every allocator of the summary was ranked there, so the means compare like with like. */
	for (i = 0; i < vd->n; i++) {
		const struct zpb_verdict_input *v = &vd->v[i];
		bool all = judged(v);

		for (k = 0; all && k < vd->nrows; k++) {
			const struct zpb_verdict_entry *e = entry_of(v, vd->rows[k].name);

			all = e && e->ranked && !isnan(e->ratio);
		}
		if (!all)
			continue;
		add(vd->common_text, sizeof(vd->common_text), "%s%s", vd->ncommon ? "; " : "", v->title);
		vd->common[vd->ncommon++] = i;
		for (k = 0; k < vd->nrows; k++)
			vd->rows[k].geomean_common += log(entry_of(v, vd->rows[k].name)->ratio);
	}
	for (k = 0; k < vd->nrows; k++) {
		struct zpb_verdict_summary_row *r = &vd->rows[k];

		r->absent_in = vd->nbound_inputs - r->ranked_in - r->left_out_in;
		r->geomean = r->ranked_in ? exp(r->geomean / (double)r->ranked_in) : NAN;
		r->geomean_common = vd->ncommon ? exp(r->geomean_common / (double)vd->ncommon) : NAN;
		if (r->left_out_in)
			snprintf(r->why, sizeof(r->why), "left out of the ranking on %zu of %zu inputs (did less work "
				 "or was unsound there)", r->left_out_in, vd->nbound_inputs);
		else if (r->absent_in)
			snprintf(r->why, sizeof(r->why), "not run on %zu of %zu inputs", r->absent_in, vd->nbound_inputs);
	}
	if (!vd->ncommon)
		snprintf(vd->common_text, sizeof(vd->common_text), "none: no ranking");
	for (k = 0; k < vd->nrows && vd->ncommon; k++) {
		struct zpb_verdict_summary_row *r = &vd->rows[k];

		r->rank = 1;
		for (j = 0; j < vd->nrows; j++)
			if (j != k && vd->rows[j].geomean_common < r->geomean_common)
				r->rank++;
	}
	/* Read in rank order (the unranked last, as they came). */
	qsort(vd->rows, vd->nrows, sizeof(vd->rows[0]), by_rank);
}

int zpb_verdict_build(struct zpb_report_verdict *vd, const struct zpb_report *rep, char *err, size_t errlen)
{
	size_t i, maxrows = 0;

	memset(vd, 0, sizeof(*vd));
	vd->v = calloc(rep->n ? rep->n : 1, sizeof(*vd->v));
	if (!vd->v)
		goto oom;
	for (i = 0; i < rep->n; i++) {
		if (rep->in[i].res.kind != ZPB_RESULTS_REPLAY)
			continue;
		maxrows += rep->in[i].nalloc;
		if (judge_input(&vd->v[vd->n++], &rep->in[i], rep))
			goto oom;
	}
	vd->rows = calloc(maxrows ? maxrows : 1, sizeof(*vd->rows));
	vd->common = calloc(vd->n ? vd->n : 1, sizeof(*vd->common));
	if (!vd->rows || !vd->common)
		goto oom;
	summarise(vd);
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

void zpb_verdict_free(struct zpb_report_verdict *vd)
{
	size_t i;

	for (i = 0; i < vd->n; i++)
		free(vd->v[i].e);
	free(vd->v);
	free(vd->rows);
	free(vd->common);
	memset(vd, 0, sizeof(*vd));
}

const struct zpb_verdict_input *zpb_verdict_for(const struct zpb_report_verdict *vd, const struct zpb_report_input *in)
{
	size_t i;

	for (i = 0; vd && i < vd->n; i++)
		if (vd->v[i].in == in)
			return &vd->v[i];
	return NULL;
}

/* A number, or null when it is not one (JSON has no NaN). */
static void num(struct zpb_jw *w, const char *key, double x)
{
	zpb_jw_key(w, key);
	if (isnan(x) || isinf(x))
		zpb_jw_null(w);
	else
		zpb_jw_double(w, x);
}

static void write_entry(struct zpb_jw *w, const struct zpb_verdict_entry *e)
{
	zpb_jw_object_begin(w);
	zpb_jw_kstring(w, "allocator", e->name);
	zpb_jw_kbool(w, "bound", e->bound);
	zpb_jw_kbool(w, "ranked", e->ranked);
	if (e->ranked)
		zpb_jw_ki64(w, "rank", e->rank);
	num(w, "value", e->value);
	zpb_jw_key(w, "spread");
	zpb_jw_object_begin(w);
	zpb_jw_ku64(w, "repetitions", e->spread.n);
	num(w, "min", e->spread.n ? e->spread.min : NAN);
	num(w, "max", e->spread.n ? e->spread.max : NAN);
	num(w, "ci_lo", e->spread.n ? e->spread.lo : NAN);
	num(w, "ci_hi", e->spread.n ? e->spread.hi : NAN);
	num(w, "ci_level", e->spread.n ? e->spread.level : NAN);
	zpb_jw_object_end(w);
	num(w, "ratio_to_bound", e->ratio);
	num(w, "ratio_to_bound_per_stored_byte", e->ratio_per_byte);
	zpb_jw_kbool(w, "below_bound", e->below_bound);
	num(w, "final_pool_pages", e->final_pages);
	num(w, "peak_pool_pages", e->peak_pages);
	num(w, "mean_density", e->mean_density);
	zpb_jw_key(w, "work");
	zpb_jw_object_begin(w);
	num(w, "stores", e->stores);
	num(w, "stored_objects", e->stored_objects);
	num(w, "stored_bytes", e->stored_bytes);
	num(w, "rejected_pages", e->rejected);
	num(w, "written_back_pages", e->written_back);
	num(w, "pages_sent_to_swap", e->lost);
	zpb_jw_object_end(w);
	if (e->reason[0] && !e->bound)
		zpb_jw_kstring(w, "left_out", e->reason);
	if (e->note[0])
		zpb_jw_kstring(w, "note", e->note);
	zpb_jw_object_end(w);
}

static void write_input(struct zpb_jw *w, const struct zpb_verdict_input *v)
{
	const struct zpb_json *trace = zpb_json_get(v->in->res.root, "trace");
	size_t i;
	int r;

	zpb_jw_object_begin(w);
	zpb_jw_kstring(w, "results", v->in->res.path);
	zpb_jw_kstring(w, "title", v->title);
	zpb_jw_kstring(w, "trace", zpb_json_get_str(trace, "path", ""));
	zpb_jw_kstring(w, "trace_sha256", zpb_json_get_str(trace, "sha256", ""));
	zpb_jw_ki64(w, "threads", v->in->threads);
	zpb_jw_kdouble(w, "pool_limit_pages", v->limit_pages);
	zpb_jw_kbool(w, "pool_limit_reached", v->limit_reached);
	zpb_jw_kstring(w, "metric", v->metric);
	zpb_jw_kstring(w, "metric_description", v->metric_text);
	zpb_jw_kstring(w, "better", "lower");
	zpb_jw_kstring(w, "bound", v->bound >= 0 ? v->e[v->bound].name : "");
	zpb_jw_kdouble(w, "same_work_tolerance_pages", v->tolerance);
	zpb_jw_key(w, "ranking");
	zpb_jw_array_begin(w);
	for (r = 1; r <= (int)v->nranked; r++)
		for (i = 0; i < v->n; i++)
			if (v->e[i].rank == r)
				zpb_jw_string(w, v->e[i].name);
	zpb_jw_array_end(w);
	zpb_jw_key(w, "left_out");
	zpb_jw_array_begin(w);
	for (i = 0; i < v->n; i++) {
		if (v->e[i].ranked || v->e[i].bound)
			continue;
		zpb_jw_object_begin(w);
		zpb_jw_kstring(w, "allocator", v->e[i].name);
		zpb_jw_kstring(w, "reason", v->e[i].reason);
		zpb_jw_object_end(w);
	}
	zpb_jw_array_end(w);
	zpb_jw_key(w, "allocators");
	zpb_jw_array_begin(w);
	for (i = 0; i < v->n; i++)
		write_entry(w, &v->e[i]);
	zpb_jw_array_end(w);
	zpb_jw_kstring(w, "headline", v->headline);
	zpb_jw_object_end(w);
}

int zpb_verdict_write_json(FILE *f, const struct zpb_report_verdict *vd, const struct zpb_report *rep)
{
	struct zpb_jw w;
	size_t i;
	int r;

	zpb_jw_init(&w, f, true);
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "format", "zpoolbench-report");
	zpb_jw_ki64(&w, "format_version", ZPB_VERDICT_FORMAT_VERSION);
	zpb_jw_kstring(&w, "created", rep->created);
	zpb_jw_key(&w, "inputs");
	zpb_jw_array_begin(&w);
	for (i = 0; i < vd->n; i++)
		write_input(&w, &vd->v[i]);
	zpb_jw_array_end(&w);
	zpb_jw_key(&w, "summary");
	zpb_jw_object_begin(&w);
	zpb_jw_ku64(&w, "inputs", vd->nbound_inputs);
	zpb_jw_kstring(&w, "metric", "geometric mean of ratio_to_bound over the common inputs");
	zpb_jw_key(&w, "common_inputs");
	zpb_jw_array_begin(&w);
	for (i = 0; i < vd->ncommon; i++)
		zpb_jw_string(&w, vd->v[vd->common[i]].title);
	zpb_jw_array_end(&w);
	zpb_jw_key(&w, "ranking");
	zpb_jw_array_begin(&w);
	for (r = 1; r <= (int)vd->nrows; r++)
		for (i = 0; i < vd->nrows; i++)
			if (vd->rows[i].rank == r)
				zpb_jw_string(&w, vd->rows[i].name);
	zpb_jw_array_end(&w);
	zpb_jw_key(&w, "allocators");
	zpb_jw_array_begin(&w);
	for (i = 0; i < vd->nrows; i++) {
		const struct zpb_verdict_summary_row *row = &vd->rows[i];

		zpb_jw_object_begin(&w);
		zpb_jw_kstring(&w, "allocator", row->name);
		if (row->rank)
			zpb_jw_ki64(&w, "rank", row->rank);
		num(&w, "geomean_ratio_to_bound", row->geomean_common);
		num(&w, "geomean_ratio_to_bound_where_ranked", row->geomean);
		zpb_jw_ku64(&w, "ranked_in", row->ranked_in);
		zpb_jw_ku64(&w, "left_out_in", row->left_out_in);
		zpb_jw_ku64(&w, "absent_in", row->absent_in);
		if (row->why[0])
			zpb_jw_kstring(&w, "note", row->why);
		zpb_jw_object_end(&w);
	}
	zpb_jw_array_end(&w);
	zpb_jw_object_end(&w);
	zpb_jw_object_end(&w);
	return zpb_jw_finish(&w);
}
