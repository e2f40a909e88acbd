/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A C interface to Google Benchmark (libbenchmark), implemented by
 * gbench_shim.cc, the project's only C++. Benchmarks are written in C:
 *
 *	static void bm_thing(struct zpb_bench_state *st, void *arg)
 *	{
 *		size_t size = zpb_bench_range(st, 0);
 *
 *		while (zpb_bench_keep_running(st))
 *			do_thing(arg, size);
 *		zpb_bench_set_bytes_processed(st, zpb_bench_iterations(st) * size);
 *	}
 *	...
 *	struct zpb_bench *b = zpb_bench_register("thing", bm_thing, arg);
 *	zpb_bench_arg(b, 64);
 *	zpb_bench_threads(b, 2);
 *	return zpb_bench_main(argc, argv);
 *
 * Threads: with zpb_bench_threads(b, N) the function runs in N threads at
 * once, each with its own state; the first zpb_bench_keep_running() call
 * of every thread waits for all of them, and so does the last, so thread 0
 * can set shared state up before its loop and tear it down after.
 *
 * Registration copies @name; @arg is the caller's and must outlive the run.
 */
#ifndef ZPB_BENCH_GBENCH_H
#define ZPB_BENCH_GBENCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct zpb_bench;		/* a registered benchmark (benchmark::internal::Benchmark) */
struct zpb_bench_state;		/* one running instance (benchmark::State) */

typedef void (*zpb_bench_fn)(struct zpb_bench_state *st, void *arg);

/* Register @fn as @name. Returns a handle to add arguments to. */
struct zpb_bench *zpb_bench_register(const char *name, zpb_bench_fn fn, void *arg);
/* One more run with argument @a (read back with zpb_bench_range(st, 0)). */
void zpb_bench_arg(struct zpb_bench *b, int64_t a);
/* Runs with @lo, @lo * @mult, ... up to and including @hi. */
void zpb_bench_range_mult(struct zpb_bench *b, int64_t lo, int64_t hi, int mult);
/* A run in @n threads (call once per thread count wanted). */
void zpb_bench_threads(struct zpb_bench *b, int n);
/* Measure wall-clock time, not the main thread's CPU time (threaded runs). */
void zpb_bench_use_real_time(struct zpb_bench *b);
/* Name the argument in the output ("size" gives "name/size:64"). */
void zpb_bench_arg_name(struct zpb_bench *b, const char *name);

/* The loop condition: true while the benchmark wants more iterations. */
bool zpb_bench_keep_running(struct zpb_bench_state *st);
/* Stop and restart the clock (for setup inside the loop; each costs a timer read). */
void zpb_bench_pause(struct zpb_bench_state *st);
void zpb_bench_resume(struct zpb_bench_state *st);
/* Argument @i of this run. */
int64_t zpb_bench_range(const struct zpb_bench_state *st, int i);
/* Iterations done so far (after the loop: all of them). */
int64_t zpb_bench_iterations(const struct zpb_bench_state *st);
int zpb_bench_thread_index(const struct zpb_bench_state *st);
int zpb_bench_thread_count(const struct zpb_bench_state *st);

/* How a counter is shown (benchmark::Counter flags). */
enum zpb_bench_counter_kind {
	ZPB_BENCH_VALUE,	/* as given (summed over threads) */
	ZPB_BENCH_AVG_THREADS,	/* averaged over the threads */
	ZPB_BENCH_RATE,		/* divided by the run's time: per second */
	ZPB_BENCH_AVG_ITERATIONS,	/* divided by the iterations: per iteration */
};

/* Set counter @name of this thread's run to @v. */
void zpb_bench_counter(struct zpb_bench_state *st, const char *name, double v,
		       enum zpb_bench_counter_kind kind);
/* Bytes processed in total: Google Benchmark reports bytes_per_second. */
void zpb_bench_set_bytes_processed(struct zpb_bench_state *st, int64_t bytes);
/* Items processed in total: items_per_second. */
void zpb_bench_set_items_processed(struct zpb_bench_state *st, int64_t items);
void zpb_bench_set_label(struct zpb_bench_state *st, const char *label);
/* Mark the run failed with @msg; the caller must then leave its loop. */
void zpb_bench_skip_with_error(struct zpb_bench_state *st, const char *msg);

/*
 * Parse Google Benchmark's options from @argv (--benchmark_filter,
 * --benchmark_min_time, --benchmark_out=FILE, --benchmark_out_format=json,
 * ...), run the registered benchmarks, and shut down.
 * Return: 0, or 2 if @argv holds an option it does not know (named on stderr).
 */
int zpb_bench_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
