// SPDX-License-Identifier: GPL-2.0-only
/*
 * The C interface of bench/gbench.h over Google Benchmark. This is the
 * project's only C++: each function forwards to one benchmark:: call, so
 * the C side sees opaque pointers and plain types and nothing throws
 * across the boundary.
 */
#include <benchmark/benchmark.h>

#include "gbench.h"

using benchmark::State;
using benchmark::internal::Benchmark;

static inline State *S(zpb_bench_state *st) { return reinterpret_cast<State *>(st); }
static inline const State *S(const zpb_bench_state *st) { return reinterpret_cast<const State *>(st); }
static inline Benchmark *B(zpb_bench *b) { return reinterpret_cast<Benchmark *>(b); }

extern "C" {

zpb_bench *zpb_bench_register(const char *name, zpb_bench_fn fn, void *arg)
{
	Benchmark *b = benchmark::RegisterBenchmark(name, [fn, arg](State &st) {
		fn(reinterpret_cast<zpb_bench_state *>(&st), arg);
	});
	return reinterpret_cast<zpb_bench *>(b);
}

void zpb_bench_arg(zpb_bench *b, int64_t a) { B(b)->Arg(a); }

void zpb_bench_range_mult(zpb_bench *b, int64_t lo, int64_t hi, int mult)
{
	B(b)->RangeMultiplier(mult)->Range(lo, hi);
}

void zpb_bench_threads(zpb_bench *b, int n) { B(b)->Threads(n); }
void zpb_bench_use_real_time(zpb_bench *b) { B(b)->UseRealTime(); }
void zpb_bench_arg_name(zpb_bench *b, const char *name) { B(b)->ArgName(name); }

bool zpb_bench_keep_running(zpb_bench_state *st) { return S(st)->KeepRunning(); }
void zpb_bench_pause(zpb_bench_state *st) { S(st)->PauseTiming(); }
void zpb_bench_resume(zpb_bench_state *st) { S(st)->ResumeTiming(); }
int64_t zpb_bench_range(const zpb_bench_state *st, int i) { return S(st)->range((size_t)i); }
int64_t zpb_bench_iterations(const zpb_bench_state *st) { return (int64_t)S(st)->iterations(); }
int zpb_bench_thread_index(const zpb_bench_state *st) { return S(st)->thread_index(); }
int zpb_bench_thread_count(const zpb_bench_state *st) { return S(st)->threads(); }

void zpb_bench_counter(zpb_bench_state *st, const char *name, double v, enum zpb_bench_counter_kind kind)
{
	benchmark::Counter::Flags flags = benchmark::Counter::kDefaults;

	switch (kind) {
	case ZPB_BENCH_VALUE: break;
	case ZPB_BENCH_AVG_THREADS: flags = benchmark::Counter::kAvgThreads; break;
	case ZPB_BENCH_RATE: flags = benchmark::Counter::kIsRate; break;
	case ZPB_BENCH_AVG_ITERATIONS: flags = benchmark::Counter::kAvgIterations; break;
	}
	S(st)->counters[name] = benchmark::Counter(v, flags);
}

void zpb_bench_set_bytes_processed(zpb_bench_state *st, int64_t bytes) { S(st)->SetBytesProcessed(bytes); }
void zpb_bench_set_items_processed(zpb_bench_state *st, int64_t items) { S(st)->SetItemsProcessed(items); }
void zpb_bench_set_label(zpb_bench_state *st, const char *label) { S(st)->SetLabel(label); }
void zpb_bench_skip_with_error(zpb_bench_state *st, const char *msg) { S(st)->SkipWithError(msg); }

int zpb_bench_main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 2;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}

}
