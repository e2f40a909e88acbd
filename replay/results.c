// SPDX-License-Identifier: GPL-2.0-only
/*
 * The results file (docs/results-format.md, format_version 1) and the CSV
 * timelines. Everything the report and gate know of a run comes from here.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/atomic_file.h"
#include "../util/json_writer.h"
#include "clock.h"
#include "config.h"
#include "replay/gitrev.h"
#include "internal.h"
#include "results.h"
#include "summary.h"

void zpb_machine_write(struct zpb_jw *w);

static const char *const partition_names[] = { "key", "cpu" };

static void int_list(struct zpb_jw *w, const char *key, const int *v, int n)
{
	int i;

	zpb_jw_key(w, key);
	zpb_jw_array_begin(w);
	for (i = 0; i < n; i++)
		zpb_jw_i64(w, v[i]);
	zpb_jw_array_end(w);
}

static void write_options(struct zpb_jw *w, const struct zpb_replay_options *o)
{
	zpb_jw_object_begin(w);
	zpb_jw_kstring(w, "alloc", o->alloc_text);
	zpb_jw_ku64(w, "page_size", PAGE_SIZE);	/* --page-size, or the trace's */
	zpb_jw_ki64(w, "threads", o->threads);
	int_list(w, "cpus", o->cpus, o->ncpus);
	int_list(w, "numa_nodes", o->nodes, o->nnodes);
	zpb_jw_kstring(w, "mem_policy", zpb_mem_policy_name(o->mem_policy));
	zpb_jw_kstring(w, "partition", partition_names[o->partition]);
	zpb_jw_kbool(w, "timed", o->timed);
	zpb_jw_kdouble(w, "speed", o->speed);
	zpb_jw_ku64(w, "pool_limit_pages", o->pool_limit_pages);
	if (o->limit_percent)
		zpb_jw_kdouble(w, "pool_limit_percent", o->limit_value);
	zpb_jw_ku64(w, "accept_threshold_percent", o->accept_threshold);
	zpb_jw_kstring(w, "reclaim", zpb_reclaim_name(o->reclaim));
	zpb_jw_kstring(w, "reclaim_mode", zpb_reclaim_mode_name(o->reclaim_mode));
	zpb_jw_kstring(w, "zswap_model", zpb_zswap_model_name(o->model));
	if (o->codec.algo != ZPB_CODEC_NONE)
		zpb_jw_kstring(w, "compress", o->codec.name);
	zpb_jw_kbool(w, "deterministic", o->deterministic);
	zpb_jw_kbool(w, "lockstat", o->lockstat);
	zpb_jw_ku64(w, "sample_ops", o->sample_ops);
	zpb_jw_ki64(w, "repeat", o->repeat);
	zpb_jw_ku64(w, "warmup", o->warmup);
	zpb_jw_kbool(w, "exclusive_loads", o->exclusive_loads > 0);
	zpb_jw_kbool(w, "fatal_verify", o->fatal_verify);
	if (o->counters_text[0])
		zpb_jw_kstring(w, "counters", o->counters_text);
	if (o->instructions)
		zpb_jw_kstring(w, "instructions", "callgrind");
	zpb_jw_object_end(w);
}

static void write_summary(struct zpb_jw *w, const struct zpb_lat_summary *l)
{
	zpb_jw_ku64(w, "count", l->count);
	zpb_jw_kdouble(w, "mean", l->mean);
	zpb_jw_ku64(w, "p50", l->p50);
	zpb_jw_ku64(w, "p90", l->p90);
	zpb_jw_ku64(w, "p99", l->p99);
	zpb_jw_ku64(w, "p99_9", l->p99_9);
	zpb_jw_ku64(w, "max", l->max);
}

static void write_hist(struct zpb_jw *w, const struct zpb_hist *h)
{
	struct zpb_lat_summary l;
	unsigned int i;

	zpb_lat_summarise(h, &l);
	zpb_jw_object_begin(w);
	write_summary(w, &l);
	zpb_jw_ku64(w, "min", h->count ? h->min : 0);
	zpb_jw_ku64(w, "p99_99", zpb_hist_percentile(h, 0.9999));
	zpb_jw_key(w, "buckets");
	zpb_jw_array_begin(w);
	for (i = 0; i < ZPB_HIST_BUCKETS; i++) {
		uint64_t lo, hi;

		if (!h->buckets[i])
			continue;
		zpb_hist_bucket_range(i, &lo, &hi);
		zpb_jw_array_begin(w);
		zpb_jw_u64(w, hi == UINT64_MAX ? h->max : hi);
		zpb_jw_u64(w, h->buckets[i]);
		zpb_jw_array_end(w);
	}
	zpb_jw_array_end(w);
	zpb_jw_object_end(w);
}

/* Quantile @q of an op type's emulation time, the ops without any counting as 0. */
uint64_t zpb_emulation_percentile(const struct zpb_emulation_counts *c, uint64_t ops, double q)
{
	uint64_t rank = (uint64_t)(q * (double)ops + 0.999999), zeros = ops - c->ops_with_emulation;

	if (!c->ops_with_emulation || rank <= zeros)
		return 0;
	return zpb_hist_percentile(&c->hist, (double)(rank - zeros) / (double)c->ops_with_emulation);
}

/* "emulation" and "timing": the compat layer's cost in the ops, and the clock's. */
static void write_emulation(struct zpb_jw *w, const struct zpb_run_result *r)
{
	uint64_t timed = 0;
	int k;

	zpb_jw_key(w, "emulation");
	zpb_jw_object_begin(w);
	for (k = 0; k < ZPB_LAT_MAX; k++) {
		const struct zpb_emulation_counts *c = &r->emu[k];
		uint64_t ops = r->lat[k].count;

		timed += ops;
		zpb_jw_key(w, zpb_lat_names[k]);
		zpb_jw_object_begin(w);
		zpb_jw_ku64(w, "count", ops);
		zpb_jw_ku64(w, "ops_with_emulation", c->ops_with_emulation);
		zpb_jw_ku64(w, "total_ns", c->total_ns);
		zpb_jw_kdouble(w, "share", r->lat[k].sum ? (double)c->total_ns / (double)r->lat[k].sum : 0);
		zpb_jw_ku64(w, "p50", zpb_emulation_percentile(c, ops, 0.50));
		zpb_jw_ku64(w, "p99", zpb_emulation_percentile(c, ops, 0.99));
		zpb_jw_object_end(w);
	}
	zpb_jw_key(w, "syscalls");
	zpb_jw_object_begin(w);
	zpb_jw_ku64(w, "futex_wake", r->syscalls.futex_wake);
	zpb_jw_ku64(w, "futex_wait", r->syscalls.futex_wait);
	zpb_jw_ku64(w, "sched_yield", r->syscalls.sched_yield);
	zpb_jw_object_end(w);
	zpb_jw_ku64(w, "works_between_ops", r->works_between_ops);
	zpb_jw_object_end(w);
	zpb_jw_key(w, "timing");
	zpb_jw_object_begin(w);
	zpb_jw_ku64(w, "clock_reads", r->clock_reads);
	zpb_jw_kdouble(w, "reads_per_op", timed ? (double)r->clock_reads / (double)timed : 0);
	zpb_jw_kdouble(w, "overhead_ns_per_op",
		       timed ? (double)r->clock_reads * zpb_clock.overhead_ns / (double)timed : 0);
	zpb_jw_object_end(w);
}

/* --compress: the codec's lengths beside the trace's, and one histogram per phase of a store and a load. */
static void write_compression(struct zpb_jw *w, const struct zpb_run_result *r)
{
	const struct zpb_op_counts *c = &r->ops;
	int k;

	zpb_jw_key(w, "compression");
	zpb_jw_object_begin(w);
	zpb_jw_ku64(w, "pages", c->compressed_stores);
	zpb_jw_ku64(w, "compressed_bytes", c->compressed_bytes);
	zpb_jw_ku64(w, "trace_bytes", c->trace_bytes);
	zpb_jw_ku64(w, "codec_failures", c->codec_failures);
	zpb_jw_object_end(w);
	zpb_jw_key(w, "phases_ns");
	zpb_jw_object_begin(w);
	for (k = 0; k < ZPB_PH_MAX; k++) {
		if (k == 0 || k == ZPB_PH_LOAD_MAP) {
			if (k)
				zpb_jw_object_end(w);
			zpb_jw_key(w, zpb_phase_ops[k]);
			zpb_jw_object_begin(w);
		}
		zpb_jw_key(w, zpb_phase_names[k]);
		write_hist(w, &r->phase[k]);
	}
	zpb_jw_object_end(w);
	zpb_jw_object_end(w);
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void write_final(struct zpb_jw *w, const struct zpb_run_result *r)
{
	const struct zpb_sample *s = &r->final;

	zpb_jw_object_begin(w);
	zpb_jw_ku64(w, "pool_pages", s->pool_pages);
	zpb_jw_ku64(w, "pool_bytes", s->pool_bytes);
	zpb_jw_ku64(w, "arena_pages", s->arena_pages);
	zpb_jw_ki64(w, "stored_bytes", s->stored_bytes);
	zpb_jw_ki64(w, "stored_pages", s->stored_pages);
	zpb_jw_ki64(w, "live_objects", s->live_objects);
	zpb_jw_ki64(w, "same_filled", s->same_filled);
	zpb_jw_kdouble(w, "objects_per_page", ratio((double)s->stored_pages, (double)s->pool_pages));
	zpb_jw_kdouble(w, "compression_ratio", ratio((double)s->stored_pages * (double)PAGE_SIZE, (double)s->pool_bytes));
	zpb_jw_kdouble(w, "density", ratio((double)s->stored_bytes, (double)s->pool_bytes));
	zpb_jw_ku64(w, "peak_pool_pages", r->peak_pool_pages);
	zpb_jw_object_end(w);
}

/*
 * What the run stored, and what it left uncompressed in RAM or sent to swap
 * (rejected stores, reclaim's writebacks) at the page each costs the user:
 * density compares only between runs that did the same work (docs/report.md).
 */
static void write_work(struct zpb_jw *w, const struct zpb_run_result *r)
{
	const struct zpb_op_counts *op = &r->ops;

	zpb_jw_object_begin(w);
	zpb_jw_ku64(w, "stores", op->store);
	zpb_jw_ku64(w, "stored_objects", op->stored_objects);
	zpb_jw_ku64(w, "stored_bytes", op->stored_bytes);
	zpb_jw_ku64(w, "same_filled", op->same_filled);
	zpb_jw_ku64(w, "rejected_pages", op->rejected);
	zpb_jw_ku64(w, "rejected_bytes", op->rejected * PAGE_SIZE);
	zpb_jw_ku64(w, "rejected_limit_pages", op->rejected_limit);
	zpb_jw_ku64(w, "rejected_alloc_pages", op->rejected_alloc);
	zpb_jw_ku64(w, "rejected_alloc_object_bytes", op->rejected_alloc_bytes);
	zpb_jw_ku64(w, "written_back_pages", r->rc.writebacks);
	zpb_jw_ku64(w, "written_back_bytes", r->rc.writebacks * PAGE_SIZE);
	zpb_jw_ku64(w, "trace_writeback_records", op->writeback);
	zpb_jw_ku64(w, "max_object_size", r->max_object_size);
	zpb_jw_ku64(w, "page_size", PAGE_SIZE);
	zpb_jw_object_end(w);
}

/* Density over the whole run, weighted by trace records (replay/timeline.c integrates). */
static void write_over_run(struct zpb_jw *w, const struct zpb_run_result *r)
{
	double recs = (double)r->records;
	double pages = recs > 0 ? r->pool_page_records / recs : 0;
	double bytes = recs > 0 ? r->stored_byte_records / recs : 0;

	zpb_jw_object_begin(w);
	zpb_jw_kstring(w, "weight", "records");
	zpb_jw_kdouble(w, "mean_pool_pages", pages);
	zpb_jw_kdouble(w, "mean_stored_bytes", bytes);
	zpb_jw_kdouble(w, "mean_density", ratio(bytes, pages * (double)PAGE_SIZE));
	zpb_jw_kdouble(w, "pool_bytes_per_stored_byte", ratio(pages * (double)PAGE_SIZE, bytes));
	zpb_jw_ku64(w, "peak_pool_pages", r->peak_pool_pages);
	zpb_jw_ku64(w, "samples", r->ntimeline);
	zpb_jw_object_end(w);
}

static void write_sample(struct zpb_jw *w, const struct zpb_sample *s)
{
	zpb_jw_ku64(w, "record", s->record);
	zpb_jw_ku64(w, "time_ns", s->time_ns);
	zpb_jw_ku64(w, "pool_pages", s->pool_pages);
	zpb_jw_ki64(w, "stored_bytes", s->stored_bytes);
	zpb_jw_ki64(w, "stored_pages", s->stored_pages);
	zpb_jw_ki64(w, "live_objects", s->live_objects);
	zpb_jw_ki64(w, "same_filled", s->same_filled);
}

/*
 * The harness's share of a run's time per record, from the median of the
 * null runs over the repetitions (@harness_ns; NAN: none). Above 1 it
 * cannot be a share: it is noise, and @noise_key says so instead.
 */
static void write_overhead(struct zpb_jw *w, const char *key, const char *noise_key, double harness_ns,
			   uint64_t ns, uint64_t records)
{
	double ratio;

	if (isnan(harness_ns) || !ns || !records)
		return;
	ratio = harness_ns / ((double)ns / (double)records);
	if (ratio > 1)
		zpb_jw_kbool(w, noise_key, true);
	else
		zpb_jw_kdouble(w, key, ratio);
}

static void write_run(struct zpb_jw *w, const struct zpb_run_result *r, double harness_wall, double harness_cpu)
{
	static const char *const capnames[] = { "evict", "compact", "movable", "spanning",
						"sleep_mapped", "bound", "harness", "no_data" };
	const struct zpb_op_counts *op = &r->ops;
	const struct zpb_reclaim_counts *rc = &r->rc;
	size_t i;
	int k, j;

	zpb_jw_object_begin(w);
	zpb_jw_kstring(w, "allocator", r->allocator);
	zpb_jw_key(w, "capabilities");
	zpb_jw_array_begin(w);
	for (k = 0; k < 8; k++)
		if (r->caps & (1u << k))
			zpb_jw_string(w, capnames[k]);
	zpb_jw_array_end(w);
	if (r->caps & ZPB_CAP_HARNESS)
		zpb_jw_kbool(w, "harness", true);
	zpb_jw_ki64(w, "repetition", r->repetition);
	zpb_jw_kbool(w, "complete", r->complete);
	zpb_jw_key(w, "threads");
	zpb_jw_array_begin(w);
	for (k = 0; k < r->nthreads; k++) {
		zpb_jw_object_begin(w);
		zpb_jw_ki64(w, "index", r->threads[k].index);
		zpb_jw_ki64(w, "cpu", r->threads[k].cpu);
		zpb_jw_ki64(w, "node", r->threads[k].node);
		zpb_jw_ku64(w, "ops", r->threads[k].ops);
		zpb_jw_key(w, "latency_ns");
		zpb_jw_object_begin(w);
		for (j = 0; j < ZPB_LAT_MAX; j++) {
			const struct zpb_lat_summary *l = &r->threads[k].lat[j];

			if (!l->count)
				continue;
			zpb_jw_key(w, zpb_lat_names[j]);
			zpb_jw_object_begin(w);
			write_summary(w, l);
			zpb_jw_object_end(w);
		}
		zpb_jw_object_end(w);
		zpb_jw_object_end(w);
	}
	zpb_jw_array_end(w);
	zpb_jw_key(w, "ops");
	zpb_jw_object_begin(w);
	zpb_jw_ku64(w, "store", op->store);
	zpb_jw_ku64(w, "load", op->load);
	zpb_jw_ku64(w, "invalidate", op->invalidate);
	zpb_jw_ku64(w, "writeback", op->writeback);
	zpb_jw_ku64(w, "compact", op->compact);
	zpb_jw_ku64(w, "mark", op->mark);
	zpb_jw_ku64(w, "same_filled", op->same_filled);
	zpb_jw_ku64(w, "rejected", op->rejected);
	zpb_jw_ku64(w, "rejected_limit", op->rejected_limit);
	zpb_jw_ku64(w, "rejected_alloc", op->rejected_alloc);
	zpb_jw_ku64(w, "load_hits", op->load_hits);
	zpb_jw_ku64(w, "load_not_found", op->load_not_found);
	zpb_jw_ku64(w, "load_rejected", op->load_rejected);
	zpb_jw_ku64(w, "duplicate_stores", op->duplicate_stores);
	zpb_jw_ku64(w, "rejected_compress", op->rejected_compress);
	zpb_jw_ku64(w, "stored_as_is", op->stored_as_is);
	zpb_jw_ku64(w, "zero_filled", op->zero_filled);
	zpb_jw_ku64(w, "load_zero", op->load_zero);
	zpb_jw_object_end(w);
	zpb_jw_ku64(w, "records", r->records);
	if (r->warmup_records)
		zpb_jw_ku64(w, "warmup_records", r->warmup_records);
	zpb_jw_ku64(w, "distinct_keys", r->distinct_keys);
	zpb_jw_ku64(w, "wall_ns", r->wall_ns);
	zpb_jw_kdouble(w, "ops_per_sec", r->wall_ns ? (double)r->records * 1e9 / (double)r->wall_ns : 0);
	zpb_jw_kdouble(w, "ns_per_record", r->records ? (double)r->wall_ns / (double)r->records : 0);
	zpb_jw_ku64(w, "cpu_ns", r->cpu_ns);
	zpb_jw_kdouble(w, "records_per_cpu_sec", r->cpu_ns ? (double)r->records * 1e9 / (double)r->cpu_ns : 0);
	if (!(r->caps & ZPB_CAP_HARNESS)) {
		write_overhead(w, "harness_overhead_ratio", "harness_overhead_noise", harness_wall, r->wall_ns,
			       r->records);
		write_overhead(w, "harness_overhead_ratio_cpu", "harness_overhead_noise_cpu", harness_cpu, r->cpu_ns,
			       r->records);
	}
	zpb_jw_key(w, "latency_ns");
	zpb_jw_object_begin(w);
	for (k = 0; k < ZPB_LAT_MAX; k++) {
		zpb_jw_key(w, zpb_lat_names[k]);
		write_hist(w, &r->lat[k]);
	}
	zpb_jw_object_end(w);
	write_emulation(w, r);
	if (r->nthreads > 1) {
		/* The threads' own synchronisation (streams.c): the harness's, not the allocator's. */
		zpb_jw_key(w, "streams");
		zpb_jw_object_begin(w);
		zpb_jw_ku64(w, "chunks", r->stream_chunks);
		zpb_jw_ku64(w, "sync_waits", r->stream_sync_waits);
		zpb_jw_ku64(w, "yields", r->stream_yields);
		zpb_jw_ku64(w, "wait_ns", r->stream_wait_ns);
		zpb_jw_object_end(w);
	}
	if (r->phase)
		write_compression(w, r);
	if (r->lateness.count) {
		zpb_jw_key(w, "lateness_ns");
		write_hist(w, &r->lateness);
	}
	zpb_jw_key(w, "final");
	write_final(w, r);
	zpb_jw_key(w, "work");
	write_work(w, r);
	zpb_jw_key(w, "over_run");
	write_over_run(w, r);
	zpb_jw_key(w, "marks");
	zpb_jw_array_begin(w);
	for (i = 0; i < r->nmarks; i++) {
		zpb_jw_object_begin(w);
		zpb_jw_kstring(w, "label", r->marks[i].label);
		write_sample(w, &r->marks[i].s);
		zpb_jw_object_end(w);
	}
	zpb_jw_array_end(w);
	if (r->marks_dropped)
		zpb_jw_ku64(w, "marks_dropped", r->marks_dropped);
	zpb_jw_ku64(w, "timeline_every", r->sample_every);
	zpb_jw_key(w, "timeline");
	zpb_jw_array_begin(w);
	for (i = 0; i < r->ntimeline; i++) {
		const struct zpb_sample *s = &r->timeline[i];

		zpb_jw_object_begin(w);
		write_sample(w, s);
		zpb_jw_ku64(w, "writebacks", s->writebacks);
		zpb_jw_ku64(w, "misses", s->misses);
		zpb_jw_ku64(w, "rejects", s->rejects);
		zpb_jw_object_end(w);
	}
	zpb_jw_array_end(w);
	zpb_jw_key(w, "reclaim");
	zpb_jw_object_begin(w);
	zpb_jw_kstring(w, "policy", zpb_reclaim_name(r->reclaim));
	zpb_jw_kstring(w, "mode", zpb_reclaim_mode_name(r->reclaim_mode));
	zpb_jw_kbool(w, "zswap_header", r->header);
	zpb_jw_kbool(w, "exclusive_loads", r->exclusive_loads);
	zpb_jw_ku64(w, "shrink_calls", rc->shrink_calls);
	zpb_jw_ku64(w, "pages_reclaimed", rc->pages_reclaimed);
	zpb_jw_ku64(w, "evict_failures", rc->evict_failures);
	zpb_jw_ku64(w, "retries", rc->retries);
	zpb_jw_ku64(w, "writebacks", rc->writebacks);
	zpb_jw_ku64(w, "misses", rc->misses);
	zpb_jw_ku64(w, "rejects", rc->rejects);
	zpb_jw_ku64(w, "limit_hits", rc->limit_hits);
	zpb_jw_ku64(w, "second_chances", rc->second_chances);
	zpb_jw_ku64(w, "deferred_waits", rc->deferred_waits);
	zpb_jw_object_end(w);
	zpb_jw_key(w, "objects_per_page");
	zpb_jw_array_begin(w);
	for (i = 0; r->opp_available && i < r->nopp; i++) {
		if (!r->opp[i])
			continue;
		zpb_jw_array_begin(w);
		zpb_jw_u64(w, i);
		zpb_jw_u64(w, r->opp[i]);
		zpb_jw_array_end(w);
	}
	zpb_jw_array_end(w);
	zpb_jw_ku64(w, "objects_per_page_unresolved", r->opp_unresolved);
	zpb_jw_ku64(w, "verify_failures", r->verify_failures);
	zpb_jw_key(w, "verify_errors");
	zpb_jw_array_begin(w);
	for (k = 0; k < r->nverify_messages; k++)
		zpb_jw_string(w, r->verify_messages[k]);
	zpb_jw_array_end(w);
	zpb_jw_key(w, "diagnostics");
	zpb_jw_object_begin(w);
	zpb_jw_ku64(w, "warnings", r->warnings);
	zpb_jw_ku64(w, "guards", r->guards);
	zpb_jw_ku64(w, "errors", r->errors);
	zpb_jw_ki64(w, "leaked_pages", r->leaked_pages);
	zpb_jw_object_end(w);
	if (r->locks)
		zpb_lockstat_write_json(w, r);
	if (r->counters) {
		zpb_jw_key(w, "counters");
		zpb_counters_write_json(w, r->counters);
	}
	if (r->instructions) {
		zpb_jw_key(w, "instructions");
		zpb_callgrind_write_json(w, r->instructions);
	}
	zpb_jw_key(w, "memory");
	zpb_jw_object_begin(w);
	zpb_jw_ku64(w, "rss_bytes", r->rss_bytes);
	zpb_jw_ku64(w, "peak_rss_bytes", r->peak_rss_bytes);
	zpb_jw_ku64(w, "pool_bytes", r->final.pool_bytes);
	zpb_jw_object_end(w);
	zpb_jw_object_end(w);
}

int zpb_results_write(const char *path, const struct zpb_results_meta *m,
		      struct zpb_run_result *const *runs, int nruns, char *err, size_t errlen)
{
	struct zpb_alloc_summary sum[ZPB_REPLAY_MAX_ALLOCS];
	struct zpb_atomic_file af;
	struct zpb_jw w;
	double hwall, hcpu;
	char created[32];
	int nsum;
	time_t now = time(NULL);
	struct tm tm;
	int i;

	if ((m->trace_path && zpb_output_is_input(path, m->trace_path, err, errlen)) ||
	    zpb_atomic_open(&af, path, err, errlen))
		return -1;
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	zpb_harness_cost(runs, nruns, &hwall, &hcpu);
	nsum = zpb_summarise_runs(runs, nruns, sum);
	if (nsum < 0) {
		snprintf(err, errlen, "%s: out of memory summarising the runs", path);
		zpb_atomic_abort(&af);
		return -1;
	}
	zpb_jw_init(&w, af.f, true);
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "format", "zpoolbench-results");
	zpb_jw_ki64(&w, "format_version", 1);
	zpb_jw_kbool(&w, "complete", m->complete);
	zpb_jw_key(&w, "tool");
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "version", ZPB_VERSION);
	zpb_jw_kstring(&w, "git", ZPB_GIT_REVISION);
	zpb_jw_kstring(&w, "sanitize", ZPB_SANITIZE);
	zpb_jw_object_end(&w);
	zpb_jw_kstring(&w, "created", created);
	zpb_jw_key(&w, "machine");
	zpb_machine_write(&w);
	zpb_jw_key(&w, "trace");
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "path", m->trace_path);
	zpb_jw_kstring(&w, "sha256", m->trace_sha256);
	zpb_jw_ku64(&w, "records", m->trace_records);
	zpb_jw_kstring(&w, "format", m->trace_format);
	zpb_jw_kstring(&w, "compressor", m->compressor);
	zpb_jw_kstring(&w, "source", m->source);
	zpb_jw_ku64(&w, "page_size", m->trace_page_size);
	zpb_jw_object_end(&w);
	zpb_jw_key(&w, "options");
	write_options(&w, m->o);
	zpb_jw_key(&w, "clock");
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "source", zpb_clock.source);
	zpb_jw_kdouble(&w, "overhead_ns", zpb_clock.overhead_ns);
	zpb_jw_object_end(&w);
	zpb_jw_key(&w, "summary");
	zpb_summary_write_json(&w, sum, nsum);
	zpb_jw_key(&w, "runs");
	zpb_jw_array_begin(&w);
	for (i = 0; i < nruns; i++)
		write_run(&w, runs[i], hwall, hcpu);
	zpb_jw_array_end(&w);
	zpb_jw_object_end(&w);
	if (zpb_jw_finish(&w)) {
		snprintf(err, errlen, "%s: could not write the results", path);
		zpb_atomic_abort(&af);
		return -1;
	}
	return zpb_atomic_commit(&af, err, errlen);
}

int zpb_results_csv_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "--csv %s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--csv %s: not a directory", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "--csv %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int zpb_results_write_csv(const char *dir, struct zpb_run_result *const *runs, int nruns,
			  char *err, size_t errlen)
{
	int i;

	if (zpb_results_csv_dir(dir, err, errlen))
		return -1;
	for (i = 0; i < nruns; i++) {
		const struct zpb_run_result *r = runs[i];
		struct zpb_atomic_file af;
		char path[4096], name[ZPB_SPEC_LEN];
		size_t j;

		/* File names from specs: "zsmalloc:chain=4" -> "zsmalloc_chain-4". */
		for (j = 0; r->allocator[j] && j < sizeof(name) - 1; j++) {
			char c = r->allocator[j];

			name[j] = c == ':' ? '_' : c == '=' ? '-' : c == '/' ? '_' : c;
		}
		name[j] = '\0';
		snprintf(path, sizeof(path), "%s/%s-%d.csv", dir, name, r->repetition);
		if (zpb_atomic_open(&af, path, err, errlen))
			return -1;
		fprintf(af.f, "record,time_ns,pool_pages,stored_bytes,stored_pages,live_objects,same_filled,writebacks,misses,rejects\n");
		for (j = 0; j < r->ntimeline; j++) {
			const struct zpb_sample *s = &r->timeline[j];

			fprintf(af.f, "%llu,%llu,%llu,%lld,%lld,%lld,%lld,%llu,%llu,%llu\n",
				(unsigned long long)s->record, (unsigned long long)s->time_ns,
				(unsigned long long)s->pool_pages, (long long)s->stored_bytes,
				(long long)s->stored_pages, (long long)s->live_objects,
				(long long)s->same_filled, (unsigned long long)s->writebacks,
				(unsigned long long)s->misses, (unsigned long long)s->rejects);
		}
		if (zpb_atomic_commit(&af, err, errlen))
			return -1;
	}
	return 0;
}
