// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: custom
/*
 * The Google Benchmark shim (bench/gbench.h): a tiny C benchmark run
 * through it with a short min time, its JSON output read back with the
 * project's JSON reader: the benchmark is there, with its argument, its
 * threads, its counters and iterations that really ran.
 */
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "harness.h"

#ifdef HAVE_BENCHMARK
#include "../allocators/zpool.h"
#include "../bench/gbench.h"
#include "../util/json_reader.h"

static long body_runs;	/* iterations the C body saw, all runs */

static void bm_sum(struct zpb_bench_state *st, void *arg)
{
	long *seen = arg;
	int64_t n = zpb_bench_range(st, 0), i, iters = 0;
	volatile int64_t acc = 0;

	while (zpb_bench_keep_running(st)) {
		for (i = 0; i < n; i++)
			acc += i;
		zpb_bench_pause(st);
		iters++;
		zpb_bench_resume(st);
	}
	__atomic_add_fetch(seen, iters, __ATOMIC_RELAXED);
	zpb_bench_counter(st, "widgets", (double)iters * 3, ZPB_BENCH_RATE);
	zpb_bench_counter(st, "pool_pages_per_1k_objects", 42.0, ZPB_BENCH_AVG_THREADS);
	zpb_bench_set_bytes_processed(st, zpb_bench_iterations(st) * n);
}

static const struct zpb_json *find_bench(const struct zpb_json *arr, const char *name)
{
	size_t i;

	for (i = 0; arr && i < arr->len; i++)
		if (!strcmp(zpb_json_get_str(zpb_json_at(arr, i), "name", ""), name))
			return zpb_json_at(arr, i);
	return NULL;
}

TEST(gbench_shim_runs_a_c_benchmark_and_writes_its_counters_to_json)
{
	char out[] = "/tmp/zpb-gbench-XXXXXX", outopt[64], err[256];
	char *argv[] = { "test_gbench_shim", "--benchmark_min_time=0.01", outopt,
			 "--benchmark_out_format=json", "--benchmark_filter=^shim_selftest/", NULL };
	const struct zpb_json *benches, *one, *two;
	struct zpb_json *root;
	struct zpb_bench *b;
	int fd = mkstemp(out), ret;

	REQUIRE(fd >= 0, "mkstemp failed");
	close(fd);
	snprintf(outopt, sizeof(outopt), "--benchmark_out=%s", out);
	b = zpb_bench_register("shim_selftest/sum", bm_sum, &body_runs);
	zpb_bench_arg(b, 64);
	zpb_bench_arg_name(b, "n");
	zpb_bench_threads(b, 1);
	zpb_bench_threads(b, 2);
	zpb_bench_use_real_time(b);

	ret = zpb_bench_main(5, argv);
	CHECK(ret == 0, "zpb_bench_main returned %d", ret);
	CHECK(body_runs > 0, "the C body never ran an iteration");

	root = zpb_json_load(out, NULL, err, sizeof(err));
	unlink(out);
	REQUIRE(root, "output is not JSON: %s", err);
	benches = zpb_json_get(root, "benchmarks");
	REQUIRE(benches && benches->type == ZPB_JSON_ARRAY, "no benchmarks array in the output");
	one = find_bench(benches, "shim_selftest/sum/n:64/real_time/threads:1");
	two = find_bench(benches, "shim_selftest/sum/n:64/real_time/threads:2");
	REQUIRE(one && two, "benchmark entries missing (got %zu entries, first '%s')", benches->len,
		zpb_json_get_str(zpb_json_at(benches, 0), "name", "?"));
	CHECK(zpb_json_get_number(one, "iterations", 0) > 0, "no iterations recorded");
	CHECK(zpb_json_get_number(one, "widgets", 0) > 0, "rate counter 'widgets' missing or zero");
	CHECK(zpb_json_get_number(one, "bytes_per_second", 0) > 0, "bytes_per_second missing or zero");
	CHECK(zpb_json_get_number(two, "threads", 0) == 2, "threads:2 entry reports %g threads",
	      zpb_json_get_number(two, "threads", 0));
	/* averaged over threads: each thread set 42, so the figure is 42, not 84 */
	CHECK(zpb_json_get_number(two, "pool_pages_per_1k_objects", 0) == 42.0,
	      "thread-averaged counter: expected 42, got %g", zpb_json_get_number(two, "pool_pages_per_1k_objects", 0));
	zpb_json_free(root);
}

/*
 * The real benchmarks (bench/zpb_bench, built beside tests/), every one run
 * for a moment: each allocator has each kind, none reported an error, and
 * each has its density counter.
 */
TEST(bench_every_allocator_runs_every_benchmark_without_error)
{
	static const char *const kinds[] = {
		"malloc_free/size:64", "map_unmap/size:64", "store/size:64", "load/size:64",
		"free_compact_pending", "store_load_mt/real_time/threads:2", NULL,
	};
	char self[PATH_MAX], cmd[2 * PATH_MAX + 256], out[] = "/tmp/zpb-bench-XXXXXX", err[256];
	const struct zpool_driver *const *d;
	const struct zpb_json *benches;
	struct zpb_json *root;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int fd = mkstemp(out), rc, k, checked = 0;
	size_t i;

	REQUIRE(n > 0 && fd >= 0, "cannot find myself or make a temporary file");
	close(fd);
	self[n] = 0;
	/* sizes 64 only and one thread count: a second, not the full run */
	snprintf(cmd, sizeof(cmd),
		 "%s/../bench/zpb_bench --benchmark_min_time=0.001 --benchmark_out=%s --benchmark_out_format=json "
		 "--benchmark_filter='size:64$|free_compact|threads:2' > /dev/null",
		 dirname(self), out);
	rc = system(cmd);
	CHECK(rc == 0, "'%s' exited with %d", cmd, rc);
	root = zpb_json_load(out, NULL, err, sizeof(err));
	unlink(out);
	REQUIRE(root, "bench output is not JSON: %s", err);
	benches = zpb_json_get(root, "benchmarks");
	REQUIRE(benches && benches->type == ZPB_JSON_ARRAY, "no benchmarks array");
	for (i = 0; i < benches->len; i++) {
		const struct zpb_json *b = zpb_json_at(benches, i);

		CHECK(!zpb_json_get(b, "error_occurred") || !zpb_json_bool(zpb_json_get(b, "error_occurred"), false),
		      "%s: %s", zpb_json_get_str(b, "name", "?"), zpb_json_get_str(b, "error_message", "error"));
	}
	for (d = zpb_drivers(); *d; d++) {
		if ((*d)->caps & ZPB_CAP_HARNESS)
			continue;
		for (k = 0; kinds[k]; k++) {
			char name[128];
			const struct zpb_json *b;

			snprintf(name, sizeof(name), "%s/%s", (*d)->type, kinds[k]);
			b = find_bench(benches, name);
			CHECK(b != NULL, "allocator %s: benchmark %s missing from the output", (*d)->type, name);
			if (b)
				CHECK(zpb_json_get_number(b, "pool_pages_per_1k_objects", -1) > 0,
				      "%s: pool_pages_per_1k_objects missing or zero", name);
			checked++;
		}
	}
	CHECK(checked >= 6, "only %d benchmarks checked: no allocator registered?", checked);
	zpb_json_free(root);
}

#else

TEST(gbench_shim_skipped_without_libbenchmark)
{
	zpbt_skip("built without libbenchmark (apt-get install libbenchmark-dev g++, then ./configure)");
}

#endif
