// SPDX-License-Identifier: GPL-2.0-only
/* The spread of repeated runs, per allocator (summary.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"

const char *const zpb_summary_pct_names[ZPB_SUM_PCTS] = { "p50", "p90", "p99", "p99_9" };

static double per_record(uint64_t ns, uint64_t records)
{
	return records ? (double)ns / (double)records : NAN;
}

void zpb_harness_cost(struct zpb_run_result *const *runs, int nruns, double *wall_ns, double *cpu_ns)
{
	double *w = malloc(((size_t)nruns + 1) * sizeof(*w)), *c = malloc(((size_t)nruns + 1) * sizeof(*c));
	struct zpb_spread s;
	size_t n = 0, nc = 0;
	int i;

	*wall_ns = *cpu_ns = NAN;
	if (!w || !c)
		goto out;
	for (i = 0; i < nruns; i++) {
		if (!(runs[i]->caps & ZPB_CAP_HARNESS) || !runs[i]->complete || !runs[i]->records)
			continue;
		w[n++] = per_record(runs[i]->wall_ns, runs[i]->records);
		if (runs[i]->cpu_ns)
			c[nc++] = per_record(runs[i]->cpu_ns, runs[i]->records);
	}
	if (n && !zpb_spread_compute(w, n, &s))
		*wall_ns = s.median;
	if (nc && !zpb_spread_compute(c, nc, &s))
		*cpu_ns = s.median;
out:
	free(w);
	free(c);
}

static struct zpb_alloc_summary *entry(struct zpb_alloc_summary *out, int *n, const struct zpb_run_result *r)
{
	int i;

	for (i = 0; i < *n; i++)
		if (!strcmp(out[i].allocator, r->allocator))
			return &out[i];
	if (*n == ZPB_REPLAY_MAX_ALLOCS)
		return NULL;
	memset(&out[*n], 0, sizeof(out[*n]));
	snprintf(out[*n].allocator, sizeof(out[*n].allocator), "%s", r->allocator);
	out[*n].harness = r->caps & ZPB_CAP_HARNESS;
	return &out[(*n)++];
}

/* One figure of every summarised run of @s into @v, then its spread. */
static int spread_of(struct zpb_run_result *const *runs, int nruns, const struct zpb_alloc_summary *s,
		     double *v, double (*get)(const struct zpb_run_result *, int), int arg, struct zpb_spread *out)
{
	size_t n = 0;
	int i;

	for (i = 0; i < nruns; i++)
		if (runs[i]->complete && !strcmp(runs[i]->allocator, s->allocator))
			v[n++] = get(runs[i], arg);
	return zpb_spread_compute(v, n, out);
}

static double get_ops_per_sec(const struct zpb_run_result *r, int arg)
{
	(void)arg;
	return r->wall_ns ? (double)r->records * 1e9 / (double)r->wall_ns : 0;
}

static double get_ns_per_record(const struct zpb_run_result *r, int arg)
{
	(void)arg;
	return r->records ? (double)r->wall_ns / (double)r->records : 0;
}

static double get_pool_pages(const struct zpb_run_result *r, int arg)
{
	(void)arg;
	return (double)r->final.pool_pages;
}

static double get_peak(const struct zpb_run_result *r, int arg)
{
	(void)arg;
	return (double)r->peak_pool_pages;
}

static double get_density(const struct zpb_run_result *r, int arg)
{
	(void)arg;
	return r->final.pool_bytes ? (double)r->final.stored_bytes / (double)r->final.pool_bytes : 0;
}

/* arg: op type * ZPB_SUM_PCTS + percentile */
static double get_latency(const struct zpb_run_result *r, int arg)
{
	struct zpb_lat_summary l;
	uint64_t v[ZPB_SUM_PCTS];

	zpb_lat_summarise(&r->lat[arg / ZPB_SUM_PCTS], &l);
	v[ZPB_SUM_P50] = l.p50;
	v[ZPB_SUM_P90] = l.p90;
	v[ZPB_SUM_P99] = l.p99;
	v[ZPB_SUM_P99_9] = l.p99_9;
	return (double)v[arg % ZPB_SUM_PCTS];
}

int zpb_summarise_runs(struct zpb_run_result *const *runs, int nruns, struct zpb_alloc_summary *out)
{
	double *v = malloc(((size_t)nruns + 1) * sizeof(*v)), hw, hc;
	int i, n = 0, k, p;

	if (!v)
		return -1;
	for (i = 0; i < nruns; i++) {
		struct zpb_alloc_summary *s;

		if (!runs[i]->complete || !(s = entry(out, &n, runs[i])))
			continue;
		if (!s->runs)
			for (k = 0; k < ZPB_LAT_MAX; k++)
				s->lat_ran[k] = true;
		s->runs++;
		s->verify_failures += runs[i]->verify_failures;
		for (k = 0; k < ZPB_LAT_MAX; k++)
			s->lat_ran[k] &= runs[i]->lat[k].count > 0;
	}
	zpb_harness_cost(runs, nruns, &hw, &hc);
	for (i = 0; i < n; i++) {
		struct zpb_alloc_summary *s = &out[i];
		int rc = 0;

		rc |= spread_of(runs, nruns, s, v, get_ops_per_sec, 0, &s->ops_per_sec);
		rc |= spread_of(runs, nruns, s, v, get_ns_per_record, 0, &s->ns_per_record);
		rc |= spread_of(runs, nruns, s, v, get_pool_pages, 0, &s->pool_pages);
		rc |= spread_of(runs, nruns, s, v, get_peak, 0, &s->peak_pool_pages);
		rc |= spread_of(runs, nruns, s, v, get_density, 0, &s->density);
		for (k = 0; k < ZPB_LAT_MAX; k++)
			for (p = 0; p < ZPB_SUM_PCTS && s->lat_ran[k]; p++)
				rc |= spread_of(runs, nruns, s, v, get_latency, k * ZPB_SUM_PCTS + p, &s->lat[k][p]);
		if (rc) {
			free(v);
			return -1;
		}
		s->overhead_ratio = NAN;
		if (!s->harness && !isnan(hw) && s->ns_per_record.median > 0) {
			s->overhead_ratio = hw / s->ns_per_record.median;
			s->overhead_noise = s->overhead_ratio > 1;
		}
	}
	free(v);
	return n;
}

static void write_spread(struct zpb_jw *w, const char *key, const struct zpb_spread *s)
{
	zpb_jw_key(w, key);
	zpb_jw_object_begin(w);
	zpb_jw_kdouble(w, "median", s->median);
	zpb_jw_kdouble(w, "min", s->min);
	zpb_jw_kdouble(w, "max", s->max);
	zpb_jw_kdouble(w, "ci_low", s->lo);
	zpb_jw_kdouble(w, "ci_high", s->hi);
	zpb_jw_kdouble(w, "ci_level", s->level);
	zpb_jw_object_end(w);
}

void zpb_summary_write_json(struct zpb_jw *w, const struct zpb_alloc_summary *s, int n)
{
	int i, k, p;

	zpb_jw_object_begin(w);
	zpb_jw_kstring(w, "method", "median of the repetitions, their min and max, and a distribution-free "
		       "confidence interval for the median: [x(r), x(n-r+1)] for the largest r whose coverage is "
		       "at least 95%; with 5 or fewer runs [min, max], ci_level its true coverage");
	zpb_jw_key(w, "allocators");
	zpb_jw_array_begin(w);
	for (i = 0; i < n; i++) {
		zpb_jw_object_begin(w);
		zpb_jw_kstring(w, "allocator", s[i].allocator);
		if (s[i].harness)
			zpb_jw_kbool(w, "harness", true);
		zpb_jw_ki64(w, "runs", s[i].runs);
		zpb_jw_ku64(w, "verify_failures", s[i].verify_failures);
		write_spread(w, "ops_per_sec", &s[i].ops_per_sec);
		write_spread(w, "ns_per_record", &s[i].ns_per_record);
		zpb_jw_key(w, "latency_ns");
		zpb_jw_object_begin(w);
		for (k = 0; k < ZPB_LAT_MAX; k++) {
			if (!s[i].lat_ran[k])
				continue;
			zpb_jw_key(w, zpb_lat_names[k]);
			zpb_jw_object_begin(w);
			for (p = 0; p < ZPB_SUM_PCTS; p++)
				write_spread(w, zpb_summary_pct_names[p], &s[i].lat[k][p]);
			zpb_jw_object_end(w);
		}
		zpb_jw_object_end(w);
		zpb_jw_key(w, "final");
		zpb_jw_object_begin(w);
		write_spread(w, "pool_pages", &s[i].pool_pages);
		write_spread(w, "peak_pool_pages", &s[i].peak_pool_pages);
		write_spread(w, "density", &s[i].density);
		zpb_jw_object_end(w);
		if (s[i].overhead_noise)
			zpb_jw_kbool(w, "harness_overhead_noise", true);
		else if (!isnan(s[i].overhead_ratio))
			zpb_jw_kdouble(w, "harness_overhead_ratio", s[i].overhead_ratio);
		zpb_jw_object_end(w);
	}
	zpb_jw_array_end(w);
	zpb_jw_object_end(w);
}
