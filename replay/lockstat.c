// SPDX-License-Identifier: GPL-2.0-only
/*
 * --lockstat: the lock classes a run took (allocators/kernel/lockstat.h
 * records them), their JSON, the terminal's /proc/lock_stat table, and the
 * model of what more CPUs would see (docs/measurement.md).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "../util/json_writer.h"

#define MAX_CLASSES 128

void zpb_lockstat_collect(struct zpb_run_result *r)
{
	struct zpool_lock_class *c = calloc(MAX_CLASSES, sizeof(*c));
	int n;

	zpool_lockstat_enable(false);
	r->locks_dropped = zpool_lockstat_dropped();
	if (!c)
		return;
	n = zpool_lockstat_read(c, MAX_CLASSES);
	if (n > MAX_CLASSES) {
		r->locks_dropped += (uint64_t)(n - MAX_CLASSES);
		n = MAX_CLASSES;
	}
	r->locks = c;
	r->nlocks = n < 0 ? 0 : n;
}

/* Whose lock it is, from where it is taken: the port's, the compat layer's or the harness's. */
static const char *owner(const char *file)
{
	if (strstr(file, "allocators/kernel/"))
		return "compat";
	if (!strncmp(file, "replay/", 7) || strstr(file, "/replay/"))
		return "harness";
	return "allocator";
}

static double mean(uint64_t total, uint64_t n)
{
	return n ? (double)total / (double)n : 0.0;
}

/* The log2 bucket holding quantile @q, reported as the bucket's upper bound. */
static uint64_t hist_quantile(const uint64_t *h, uint64_t n, double q)
{
	uint64_t seen = 0, rank = (uint64_t)((double)n * q + 0.999999);
	int i;

	if (!n)
		return 0;
	for (i = 0; i < ZPOOL_LOCKSTAT_BUCKETS; i++) {
		seen += h[i];
		if (seen >= rank)
			return (UINT64_C(2) << i) - 1;
	}
	return UINT64_MAX;
}

void zpb_lockstat_model(const struct zpb_run_result *r, const struct zpool_lock_class *c,
			struct zpb_lock_model out[ZPB_LOCK_MODEL_POINTS])
{
	/* Arrivals per ns of one replay thread, and the mean hold. */
	double threads = r->nthreads > 0 ? r->nthreads : 1;
	double lambda = r->wall_ns ? (double)c->acquisitions / threads / (double)r->wall_ns : 0.0;
	double hold = mean(c->hold_total, c->holds);
	int i, n;

	for (i = 0, n = 1; i < ZPB_LOCK_MODEL_POINTS; i++, n *= 2) {
		double others = (double)(n - 1) * lambda * hold;

		out[i].cpus = n;
		out[i].utilization = (double)n * lambda * hold;
		out[i].contention = others < 1.0 ? others : 1.0;
		out[i].wait_ns = others < 1.0 ? hold * others / (1.0 - others) : -1.0;
	}
}

static void times(struct zpb_jw *w, const char *key, uint64_t n, uint64_t total, uint64_t min, uint64_t max,
		  const uint64_t *hist)
{
	int i;

	zpb_jw_key(w, key);
	zpb_jw_object_begin(w);
	zpb_jw_ku64(w, "count", n);
	zpb_jw_ku64(w, "total", total);
	zpb_jw_ku64(w, "min", n ? min : 0);
	zpb_jw_ku64(w, "max", max);
	zpb_jw_kdouble(w, "mean", mean(total, n));
	zpb_jw_ku64(w, "p50_below", hist_quantile(hist, n, 0.50));
	zpb_jw_ku64(w, "p99_below", hist_quantile(hist, n, 0.99));
	zpb_jw_key(w, "log2_buckets");
	zpb_jw_array_begin(w);
	for (i = 0; i < ZPOOL_LOCKSTAT_BUCKETS; i++)
		zpb_jw_u64(w, hist[i]);
	zpb_jw_array_end(w);
	zpb_jw_object_end(w);
}

void zpb_lockstat_write_json(struct zpb_jw *w, const struct zpb_run_result *r)
{
	struct zpb_lock_model m[ZPB_LOCK_MODEL_POINTS];
	int k, i;

	zpb_jw_key(w, "lockstat");
	zpb_jw_object_begin(w);
	zpb_jw_kstring(w, "clock", "clock_gettime(CLOCK_MONOTONIC)");
	zpb_jw_ku64(w, "dropped", r->locks_dropped);
	zpb_jw_key(w, "classes");
	zpb_jw_array_begin(w);
	for (k = 0; k < r->nlocks; k++) {
		const struct zpool_lock_class *c = &r->locks[k];

		zpb_jw_object_begin(w);
		zpb_jw_kstring(w, "name", c->name);
		zpb_jw_kstring(w, "file", c->file);
		zpb_jw_kstring(w, "kind", c->kind);
		zpb_jw_kstring(w, "owner", owner(c->file));
		zpb_jw_ku64(w, "acquisitions", c->acquisitions);
		zpb_jw_ku64(w, "contentions", c->contentions);
		zpb_jw_kdouble(w, "contention_ratio", mean(c->contentions, c->acquisitions));
		times(w, "wait_ns", c->contentions, c->wait_total, c->wait_min, c->wait_max, c->wait_hist);
		times(w, "hold_ns", c->holds, c->hold_total, c->hold_min, c->hold_max, c->hold_hist);
		zpb_lockstat_model(r, c, m);
		zpb_jw_key(w, "model");
		zpb_jw_object_begin(w);
		zpb_jw_kstring(w, "kind", "model: M/M/1 from this run's arrival rate and mean hold, not a measurement");
		zpb_jw_key(w, "points");
		zpb_jw_array_begin(w);
		for (i = 0; i < ZPB_LOCK_MODEL_POINTS; i++) {
			zpb_jw_object_begin(w);
			zpb_jw_ki64(w, "cpus", m[i].cpus);
			zpb_jw_kdouble(w, "utilization", m[i].utilization);
			zpb_jw_kdouble(w, "contention", m[i].contention);
			if (m[i].wait_ns < 0) {
				zpb_jw_key(w, "wait_ns");
				zpb_jw_null(w);
			} else {
				zpb_jw_kdouble(w, "wait_ns", m[i].wait_ns);
			}
			zpb_jw_object_end(w);
		}
		zpb_jw_array_end(w);
		zpb_jw_object_end(w);
		zpb_jw_object_end(w);
	}
	zpb_jw_array_end(w);
	zpb_jw_object_end(w);
}

void zpb_lockstat_print(FILE *f, const struct zpb_run_result *r)
{
	struct zpb_lock_model m[ZPB_LOCK_MODEL_POINTS];
	int k;

	fprintf(f, "lock_stat: %s, %d thread%s (times in ns; con-bounces and acq-bounces are not recorded)\n",
		r->allocator, r->nthreads, r->nthreads == 1 ? "" : "s");
	fprintf(f, "%40s %12s %12s %12s %14s %12s %14s %12s %12s %14s %12s  %s\n", "class name", "contentions",
		"waittime-min", "waittime-max", "waittime-total", "waittime-avg", "acquisitions", "holdtime-min",
		"holdtime-max", "holdtime-total", "holdtime-avg", "model: contention at 2/8/64 CPUs");
	for (k = 0; k < r->nlocks; k++) {
		const struct zpool_lock_class *c = &r->locks[k];
		char name[160];

		snprintf(name, sizeof(name), "%s%s%s (%s)", c->name, strcmp(c->kind, "spin") ? "-" : "",
			 strcmp(c->kind, "spin") ? (c->kind[0] == 'r' ? "R" : "W") : "", owner(c->file));
		zpb_lockstat_model(r, c, m);
		fprintf(f, "%40s %12llu %12llu %12llu %14llu %12.2f %14llu %12llu %12llu %14llu %12.2f  %.3f/%.3f/%.3f\n",
			name, (unsigned long long)c->contentions,
			(unsigned long long)(c->contentions ? c->wait_min : 0), (unsigned long long)c->wait_max,
			(unsigned long long)c->wait_total, mean(c->wait_total, c->contentions),
			(unsigned long long)c->acquisitions, (unsigned long long)(c->holds ? c->hold_min : 0),
			(unsigned long long)c->hold_max, (unsigned long long)c->hold_total,
			mean(c->hold_total, c->holds), m[1].contention, m[3].contention, m[6].contention);
	}
	if (!r->nlocks)
		fprintf(f, "%40s\n", "(no lock taken)");
	if (r->locks_dropped)
		fprintf(f, "lock_stat: %llu acquisitions or releases not recorded (see docs/measurement.md)\n",
			(unsigned long long)r->locks_dropped);
}
