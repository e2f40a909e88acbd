// SPDX-License-Identifier: GPL-2.0-only
/*
 * A replay run: one allocator, a fresh pool, the whole trace.
 *
 * One thread (the default, and --deterministic) replays inline on the
 * calling thread, pinned: play.c's loop decodes, executes and times. With
 * --threads N, N pinned threads play per-thread streams of the trace,
 * decoded in chunks ahead (streams.c, partition.c), and the calling thread
 * waits for them. MARK and COMPACT are global: they end a chunk and run
 * once every thread has played its part of it, so a mark sees exactly the
 * records before it. At marks and at the end the allocators' queued work
 * (z3fold's deferred frees) is also let finish first: a pool is measured
 * at rest, as deterministic mode always does, rather than at whatever
 * point an as-fast-as-possible replay caught its workers.
 */
#include <numa.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

void zpb_timed_wait(struct zpb_worker *w, uint64_t time_ns)
{
	struct zpb_engine *e = w->eng;
	uint64_t rel = time_ns > e->trace_t0 ? time_ns - e->trace_t0 : 0, target, now;
	double ahead = (double)rel / e->o->speed;

	/* Saturate: past 2^64 ns the conversion is undefined (on x86 it came out 0: no wait at all). */
	target = ahead >= (double)(UINT64_MAX - e->start_ns) ? UINT64_MAX : e->start_ns + (uint64_t)ahead;
	while ((now = zpb_clock_ns()) < target) {
		uint64_t left = target - now;

		/* A gap in the trace may be hours: Ctrl-C (or --fatal-verify) must not wait it out. */
		if ((e->stop && __atomic_load_n(e->stop, __ATOMIC_RELAXED)) ||
		    __atomic_load_n(&e->stop_internal, __ATOMIC_RELAXED)) {
			/* The timing is no longer honoured: end the run, marked incomplete. */
			__atomic_store_n(&e->stop_internal, 1, __ATOMIC_RELAXED);
			return;
		}
		if (left > 2000000) {
			/*
			 * Far ahead: sleep all but the last millisecond (wake-up latency), spin the
			 * rest; at most 100 ms at a time, as a worker thread's sleep is not
			 * interrupted by the signal that sets the stop flag.
			 */
			uint64_t nap = left - 1000000 < 100000000 ? left - 1000000 : 100000000;
			struct timespec ts = { (time_t)(nap / 1000000000ull), (long)(nap % 1000000000ull) };

			nanosleep(&ts, NULL);
		} else {
			zpb_cpu_relax();
		}
	}
	zpb_hist_record(&w->lateness, now - target);
}

static void merge(struct zpb_engine *e, struct zpb_run_result *r)
{
	int i, k;

	for (k = 0; k < ZPB_LAT_MAX; k++) {
		zpb_hist_reset(&r->lat[k]);
		zpb_hist_reset(&r->emu[k].hist);
	}
	zpb_hist_reset(&r->lateness);
	if (e->compress)
		r->phase = malloc(ZPB_PH_MAX * sizeof(*r->phase));
	for (k = 0; r->phase && k < ZPB_PH_MAX; k++)
		zpb_hist_reset(&r->phase[k]);
	for (i = 0; i < e->nworkers + 2; i++) {
		struct zpb_worker *w = &e->workers[i];
		const uint64_t *src;
		uint64_t *dst;
		size_t j;

		for (k = 0; k < ZPB_LAT_MAX; k++) {
			zpb_hist_merge(&r->lat[k], &w->lat[k]);
			r->emu[k].ops_with_emulation += w->emu[k].ops_with_emulation;
			r->emu[k].total_ns += w->emu[k].total_ns;
			zpb_hist_merge(&r->emu[k].hist, &w->emu[k].hist);
		}
		r->syscalls.futex_wake += w->syscalls.futex_wake;
		r->syscalls.futex_wait += w->syscalls.futex_wait;
		r->syscalls.sched_yield += w->syscalls.sched_yield;
		r->works_between_ops += w->works_between_ops;
		r->clock_reads += w->clock_reads;
		zpb_hist_merge(&r->lateness, &w->lateness);
		src = (const uint64_t *)&w->ops;
		dst = (uint64_t *)&r->ops;
		for (j = 0; j < sizeof(r->ops) / sizeof(uint64_t); j++)
			dst[j] += src[j];
		src = (const uint64_t *)&w->rc;
		dst = (uint64_t *)&r->rc;
		for (j = 0; j < sizeof(r->rc) / sizeof(uint64_t); j++)
			dst[j] += src[j];
		r->verify_failures += w->verify_failures;
		for (k = 0; r->phase && w->phase && k < ZPB_PH_MAX; k++)
			zpb_hist_merge(&r->phase[k], &w->phase[k]);
	}
	r->nthreads = e->nworkers;
	for (i = 0; i < e->nworkers; i++) {
		struct zpb_worker *w = &e->workers[i];

		r->threads[i].index = i;
		r->threads[i].cpu = w->cpu;
		r->threads[i].node = w->node;
		r->threads[i].ops = w->ops.store + w->ops.load + w->ops.invalidate + w->ops.writeback;
		for (k = 0; k < ZPB_LAT_MAX; k++)
			zpb_lat_summarise(&w->lat[k], &r->threads[i].lat[k]);
	}
}

/* Free every object still stored, so the pool can be destroyed and leaks seen. */
static void drain(struct zpb_engine *e)
{
	uint32_t i;

	for (i = zpb_kt_next(&e->kt, 0); i; i = zpb_kt_next(&e->kt, i)) {
		struct zpb_entry *ent = zpb_kt_entry(&e->kt, i);

		if (ent->state == ES_POOL)
			zpool_free(e->pool, ent->handle);
		ent->state = ES_EMPTY;
	}
}

void zpb_lat_summarise(const struct zpb_hist *h, struct zpb_lat_summary *l)
{
	l->count = h->count;
	l->mean = zpb_hist_mean(h);
	l->p50 = zpb_hist_percentile(h, 0.50);
	l->p90 = zpb_hist_percentile(h, 0.90);
	l->p99 = zpb_hist_percentile(h, 0.99);
	l->p99_9 = zpb_hist_percentile(h, 0.999);
	l->max = h->max;
}

void zpb_run_result_free(struct zpb_run_result *r)
{
	if (!r)
		return;
	free(r->marks);
	free(r->phase);
	free(r->timeline);
	free(r->opp);
	free(r->counters);
	free(r->instructions);
	free(r->locks);
	free(r);
}

static void engine_free(struct zpb_engine *e);

/*
 * --compress: one codec context per CPU in use, as zswap's per-CPU
 * acomp_ctx (thread i runs on the (i mod ncpus)-th CPU, so it takes that
 * CPU's context; the global ops between chunks and the reclaim thread share
 * the first, under its mutex), and each worker's phase histograms. 0, or -1 (out of memory).
 */
static int engine_compress_init(struct zpb_engine *e)
{
	const struct zpb_replay_options *o = e->o;
	int i, k, nw = e->nworkers + 2;
	char err[256];

	e->compress = true;
	e->pages = o->pages;
	e->nctx = o->ncpus > 0 ? (o->ncpus < e->nworkers ? o->ncpus : e->nworkers) : 1;
	e->ctx = calloc((size_t)e->nctx, sizeof(*e->ctx));
	e->phase_mem = malloc((size_t)nw * ZPB_PH_MAX * sizeof(struct zpb_hist));
	if (!e->ctx || !e->phase_mem || !e->pages)
		return -1;
	for (i = 0; i < e->nctx; i++)
		if (zpb_codec_ctx_init(&e->ctx[i], &o->codec, err, sizeof(err)))
			return -1;
	for (i = 0; i < nw; i++) {
		struct zpb_worker *w = &e->workers[i];

		w->cctx = &e->ctx[i < e->nworkers ? i % e->nctx : 0];
		w->phase = &e->phase_mem[(size_t)i * ZPB_PH_MAX];
		for (k = 0; k < ZPB_PH_MAX; k++)
			zpb_hist_reset(&w->phase[k]);
	}
	return 0;
}

static struct zpb_engine *engine_new(const struct zpb_replay_options *o, const struct zpb_spec *spec,
				     struct zpb_run_result *r)
{
	struct zpb_engine *e = calloc(1, sizeof(*e));
	int i, k;

	if (!e)
		return NULL;
	e->o = o;
	e->res = r;
	e->alloc = r->allocator;
	e->caps = spec->driver->caps;
	e->verify = !(e->caps & ZPB_CAP_NO_DATA);
	e->reclaim = zpb_replay_reclaim_for(o, spec->driver);
	if (e->reclaim == ZPB_RECLAIM_POOL_LRU && !(e->caps & ZPB_CAP_EVICT))
		e->reclaim = ZPB_RECLAIM_NONE;	/* the harness allocator: nothing to evict */
	/* v5.4 prepends zswap_header in evictable pools; pool-lru needs it to find the entry. */
	e->header = e->reclaim == ZPB_RECLAIM_POOL_LRU ||
		    (o->model == ZPB_MODEL_SEED && (e->caps & ZPB_CAP_EVICT));
	e->exclusive = o->exclusive_loads > 0;
	e->same_value = o->model != ZPB_MODEL_6_18;
	e->zero_bypass = o->model == ZPB_MODEL_6_11 || o->model == ZPB_MODEL_6_18;
	/* 6.18 stores it as-is only where it could be written back (memcg zswap.writeback). */
	e->store_as_is = o->model == ZPB_MODEL_6_18 && e->reclaim != ZPB_RECLAIM_NONE;
	e->rmode = o->reclaim_mode;
	e->threaded = o->threads > 1;
	e->nworkers = o->threads;
	e->lru = e->reclaim == ZPB_RECLAIM_ZSWAP_LRU && o->pool_limit_pages > 0;
	e->locked = e->reclaim != ZPB_RECLAIM_NONE && o->pool_limit_pages > 0 &&
		    (e->threaded || e->rmode == ZPB_RECLAIM_ASYNC);
	pthread_mutex_init(&e->vlock, NULL);
	if (posix_memalign((void **)&e->workers, 64, (size_t)(e->nworkers + 2) * sizeof(*e->workers))) {
		free(e);
		return NULL;
	}
	memset(e->workers, 0, (size_t)(e->nworkers + 2) * sizeof(*e->workers));
	for (i = 0; i < e->nworkers + 2; i++) {
		e->workers[i].eng = e;
		e->workers[i].index = i;
		e->workers[i].cpu = -1;
		for (k = 0; k < ZPB_LAT_MAX; k++) {
			zpb_hist_reset(&e->workers[i].lat[k]);
			zpb_hist_reset(&e->workers[i].emu[k].hist);
		}
		zpb_hist_reset(&e->workers[i].lateness);
	}
	e->rworker = &e->workers[e->nworkers + 1];
	if (o->codec.algo != ZPB_CODEC_NONE && engine_compress_init(e)) {
		engine_free(e);
		return NULL;
	}
	r->reclaim = e->reclaim;
	r->reclaim_mode = e->rmode;
	r->header = e->header;
	r->exclusive_loads = e->exclusive;
	return e;
}

static void engine_free(struct zpb_engine *e)
{
	int i;

	for (i = 0; e->ctx && i < e->nctx; i++)
		zpb_codec_ctx_destroy(&e->ctx[i]);
	free(e->ctx);
	free(e->phase_mem);
	zpb_kt_destroy(&e->kt);
	zpb_locks_destroy(e);
	pthread_mutex_destroy(&e->vlock);
	free(e->workers);
	free(e);
}

/*
 * CPU time, beside wall time: on a loaded machine records per CPU-second
 * still measure the code. One thread: that thread's; threads: the process's.
 */
static uint64_t cpu_time(bool process)
{
	struct timespec ts;

	if (clock_gettime(process ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Memory figures for the results: RSS now (from /proc) and the peak (getrusage). */
static void memory_usage(struct zpb_run_result *r)
{
	unsigned long long size = 0, resident = 0;
	struct rusage ru;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%llu %llu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	r->rss_bytes = resident * (unsigned long long)sysconf(_SC_PAGESIZE);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		r->peak_rss_bytes = (uint64_t)ru.ru_maxrss * 1024;
}

void zpb_engine_sample(struct zpb_engine *e, uint64_t rec, uint64_t *every)
{
	struct zpb_sample s;

	zpb_sample(e, rec, &s);
	zpb_timeline_add(e->res, &s, every);
}

void zpb_engine_compact(struct zpb_engine *e, struct zpb_worker *w)
{
	struct zpb_op_timer t;

	zpb_clock_break(w);
	zpb_op_begin(w, &t);
	zpool_compact(e->pool);
	zpb_op_end(w, ZPB_LAT_COMPACT, &t);
	zpb_clock_break(w);
	w->ops.compact++;
}

void zpb_engine_mark(struct zpb_engine *e, struct zpb_worker *w, const char *label, uint64_t rec,
		     uint64_t *every)
{
	struct zpb_sample s;

	zpool_quiesce();
	zpb_clock_break(w);
	zpb_sample(e, rec, &s);
	if (zpb_mark_add(e->res, label, &s) == 0)
		zpb_timeline_add(e->res, &s, every);
	w->ops.mark++;
}

bool zpb_engine_stopping(struct zpb_engine *e)
{
	return (e->stop && __atomic_load_n(e->stop, __ATOMIC_RELAXED)) ||
	       __atomic_load_n(&e->stop_internal, __ATOMIC_RELAXED);
}

/*
 * Reserve the page arena for what the run can hold: the pool limit (zswap
 * stops admitting stores above it) or, with no limit, one page per record
 * at most (no port takes more than a page per object, and the arena adds a
 * slack); nothing when neither is known. A limit that cannot be had is an
 * error naming what was needed, before any record is replayed.
 */
static int reserve_pages(const struct zpb_replay_options *o, const struct zpb_replay_source *src,
			 char *err, size_t errlen)
{
	unsigned long pages = o->pool_limit_pages;
	unsigned long long needed = 0;

	/* A --warmup prefix reserves for the whole trace: the run after it needs that much. */
	while (src->inner)
		src = src->inner;
	if (src->records && (!pages || src->records < pages))
		pages = src->records;
	if (!pages || zpool_reserve_pages(pages, &needed) == 0)
		return 0;
	snprintf(err, errlen,
		 "cannot reserve %llu MiB of address space for the page arena (%lu pages: %s); "
		 "raise ulimit -v or set a lower --pool-limit",
		 (needed + (1 << 20) - 1) >> 20, pages,
		 pages == o->pool_limit_pages ? "the pool limit" : "one per trace record");
	return -1;
}

struct zpb_run_result *zpb_replay_run(const struct zpb_replay_options *o, struct zpb_replay_source *src,
				      const struct zpb_spec *spec, int repetition,
				      volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct zpb_run_result *r = calloc(1, sizeof(*r));
	struct zpb_engine *e;
	struct zpb_worker *main_w;
	uint64_t cpu0, n = 0, every = o->sample_ops;
	struct zpool_diagnostics diag0, diag1;
	cpu_set_t old_set;
	bool pinned = false, failed = false;
	int ret = 1, cpu;

	if (src->page_size > PAGE_SIZE) {
		/* The one check for page sizes: refuse rather than clamp. */
		snprintf(err, errlen, "%s%spage size %u: larger than the replay's %lu-byte pages (--page-size); "
			 "its STOREs would be clamped to one page", src->name ? src->name : "",
			 src->name ? ": " : "", src->page_size, PAGE_SIZE);
		free(r);
		return NULL;
	}
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(r->allocator, sizeof(r->allocator), "%s", spec->text);
	r->caps = spec->driver->caps;
	r->max_object_size = zpb_spec_max_size(spec);
	r->repetition = repetition;
	r->complete = true;
	e = engine_new(o, spec, r);
	if (!e || zpb_kt_init(&e->kt, e->threaded && o->partition == ZPB_PARTITION_CPU,
				 e->threaded && o->partition == ZPB_PARTITION_KEY ? e->nworkers : 1)) {
		snprintf(err, errlen, "out of memory");
		if (e)
			engine_free(e);
		free(r);
		return NULL;
	}
	if (o->counters)
		zpb_counters_reset(o->counters);
	zpb_content_init();
	zpb_clock_init(false);
	zpb_place_init();
	zpool_get_diagnostics(&diag0);
	zpool_set_deterministic(o->deterministic);
	/* The replay threads run queued work between ops, as a prompt kworker would (kernel/sched.h). */
	if (!o->deterministic)
		zpool_set_work_helpers(true);
	if (o->lockstat) {
		zpool_lockstat_reset();
		zpool_lockstat_enable(true);
	}
	if (zpb_reclaim_setup(e, err, errlen))
		goto fail_early;
	if (reserve_pages(o, src, err, errlen)) {
		zpb_reclaim_teardown(e);
		goto fail_early;
	}
	e->pool = zpool_create_pool(spec, "zswap", &e->zops, 0);
	if (!e->pool) {
		snprintf(err, errlen, "allocator %s: cannot create a pool", spec->text);
		zpb_reclaim_teardown(e);
		goto fail_early;
	}
	if (src->rewind(src->ctx, err, errlen)) {
		zpb_reclaim_teardown(e);
		zpool_destroy_pool(e->pool);
		goto fail_early;
	}
	if (e->threaded) {
		main_w = &e->workers[e->nworkers];
	} else {
		main_w = &e->workers[0];
		pthread_getaffinity_np(pthread_self(), sizeof(old_set), &old_set);
		if (zpb_place_thread(o, 0, &cpu, err, errlen)) {
			zpb_reclaim_teardown(e);
			zpool_destroy_pool(e->pool);
			goto fail_early;
		}
		pinned = true;
		main_w->cpu = cpu;
	}
	zpb_reclaim_set_worker(main_w);
	if (o->counters && !e->threaded)
		zpb_counting_start(main_w);
	cpu0 = cpu_time(e->threaded);
	e->start_ns = zpb_clock_ns();
	e->stop = stop;
	zpb_engine_sample(e, 0, &every);
	if (e->threaded) {
		/* Threads: per-thread streams (streams.c). */
		failed = zpb_streams_run(e, src, r, &n, &every, err, errlen) != 0;
	} else {
		/* One thread: play.c's loop. */
		ret = zpb_play_inline(e, main_w, src, &every, &n, err, errlen);
		failed = ret < 0;
		r->complete = ret != 1;
	}

	r->wall_ns = zpb_clock_ns() - e->start_ns;
	r->cpu_ns = cpu_time(e->threaded) - cpu0;
	r->records = n;
	if (__atomic_load_n(&e->stop_internal, __ATOMIC_RELAXED))
		r->complete = false;
	if (!e->threaded) {
		zpb_counting_stop(main_w);
		zpb_place_where(&main_w->cpu, &main_w->node);
	}
	if (o->counters) {
		r->counters = malloc(sizeof(*r->counters));
		if (r->counters)
			memcpy(r->counters, o->counters, sizeof(*r->counters));
	}
	zpb_reclaim_teardown(e);
	zpool_quiesce();
	if (o->lockstat)
		zpb_lockstat_collect(r);
	zpb_sample(e, n, &r->final);
	if (r->ntimeline == 0 || r->timeline[r->ntimeline - 1].record != n)
		zpb_timeline_add(r, &r->final, &every);
	r->sample_every = every;
	/* The arena's own peak is exact for allocators whose pages it charges; samples catch the rest. */
	r->peak_pool_pages = max_t(uint64_t, e->peak_pool_pages, zpool_peak_pages(e->pool));
	r->distinct_keys = zpb_kt_count(&e->kt);
	zpb_objects_per_page(e);
	memory_usage(r);
	merge(e, r);
	drain(e);
	r->leaked_pages = zpool_destroy_pool(e->pool);
	if (pinned) {
		pthread_setaffinity_np(pthread_self(), sizeof(old_set), &old_set);
		zpool_bind_cpu(-1);
		if (numa_available() >= 0 && o->nnodes)
			numa_set_localalloc();
	}
	zpb_reclaim_set_worker(NULL);
	if (!o->deterministic)
		zpool_set_work_helpers(false);
	zpool_set_deterministic(false);
	zpool_get_diagnostics(&diag1);
	r->warnings = diag1.warnings - diag0.warnings;
	r->guards = diag1.guards - diag0.guards;
	r->errors = diag1.errors - diag0.errors;
	engine_free(e);
	if (failed) {
		zpb_run_result_free(r);
		return NULL;
	}
	return r;

fail_early:
	if (!o->deterministic)
		zpool_set_work_helpers(false);
	zpool_set_deterministic(false);
	zpool_lockstat_enable(false);
	engine_free(e);
	free(r);
	return NULL;
}
