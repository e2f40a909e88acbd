// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: threaded
/*
 * Measurement inside replay: --counters through the engine (each thread's
 * group, unsupported events reported, the run going on, figures in the
 * results), and --instructions callgrind through the zpoolbench command,
 * twice, giving identical instruction counts. Without valgrind the
 * callgrind test reports itself skipped (zpbt_skip), saying why.
 */
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../measure/callgrind.h"
#include "../measure/counters.h"
#include "../replay/replay.h"
#include "../util/json_reader.h"
#include "config.h"
#include "harness.h"

#define KEYS 3000

/* KEYS stores of 2000 bytes to distinct keys, then a load of each. */
static struct zpb_record *workload(size_t *n)
{
	struct zpb_record *r = calloc(2 * KEYS, sizeof(*r));
	size_t i;

	if (!r)
		return NULL;
	for (i = 0; i < KEYS; i++) {
		r[i].op = ZPB_OP_STORE;
		r[i].key = ZPB_KEY(0, i + 1);
		r[i].len = 2000;
		r[i].time_ns = i;
		r[KEYS + i].op = ZPB_OP_LOAD;
		r[KEYS + i].key = ZPB_KEY(0, i + 1);
		r[KEYS + i].time_ns = KEYS + i;
	}
	*n = 2 * KEYS;
	return r;
}

static const struct zpb_counter_event *find(const struct zpb_counter_set *s, const char *name)
{
	int i;

	for (i = 0; s && i < s->n; i++)
		if (!strcmp(s->ev[i].name, name))
			return &s->ev[i];
	return NULL;
}

static void counters_run(const char *threads)
{
	static struct zpb_replay_options o;
	const struct zpb_counter_event *sw, *hw;
	struct zpb_replay_source src;
	struct zpb_run_result *r;
	struct zpb_record *recs;
	char err[512], probe[256];
	size_t n;
	int hw_ok = zpb_counters_probe("instructions", probe, sizeof(probe)) == 1;

	zpb_replay_options_init(&o);
	REQUIRE(zpb_replay_set_option(&o, "alloc", "zsmalloc", err, sizeof(err)) == 0, "%s", err);
	REQUIRE(zpb_replay_set_option(&o, "threads", threads, err, sizeof(err)) == 0, "%s", err);
	REQUIRE(zpb_replay_set_option(&o, "pool-limit", "none", err, sizeof(err)) == 0, "%s", err);
	REQUIRE(zpb_replay_set_option(&o, "counters", "instructions,perf::page-faults", err, sizeof(err)) == 0,
		"%s", err);
	REQUIRE(zpb_replay_options_finish(&o, err, sizeof(err)) == 0, "%s", err);
	recs = workload(&n);
	REQUIRE(recs, "out of memory");
	zpb_replay_source_memory(&src, recs, n);
	r = zpb_replay_run(&o, &src, &o.specs[0], 0, NULL, err, sizeof(err));
	REQUIRE(r, "replay with --counters failed: %s", err);
	CHECK(r->complete && r->verify_failures == 0, "zsmalloc, %s threads: the run did not go on cleanly", threads);
	REQUIRE(r->counters, "zsmalloc, %s threads: no counters in the result", threads);
	sw = find(r->counters, "perf::page-faults");
	hw = find(r->counters, "instructions");
	REQUIRE(sw && hw, "events missing from the result");
#ifdef HAVE_PFM
	CHECK(sw->status == ZPB_COUNTER_OK, "perf::page-faults: %s", sw->reason);
	CHECK(sw->total > 0, "zsmalloc, %s threads: %d stores of 2000 bytes took no page fault", threads, KEYS);
	CHECK_EQ_UL(sw->ops, n, "ops counted");
	CHECK_EQ_UL(sw->threads_open, atoi(threads), "threads that opened the group");
	if (!hw_ok)
		CHECK(hw->status == ZPB_COUNTER_UNSUPPORTED && strstr(hw->reason, "instructions"),
		      "instructions without a PMU: status %d reason '%s'", hw->status, hw->reason);
#else
	(void)hw_ok;
	CHECK(sw->status == ZPB_COUNTER_UNSUPPORTED, "without libpfm4, unsupported");
#endif
	zpb_run_result_free(r);
	zpb_replay_options_release(&o);
	free(recs);
}

TEST(replay_counters_unsupported_event_reported_and_the_run_goes_on)
{
	counters_run("1");
}

TEST(replay_counters_each_thread_opens_its_group)
{
	counters_run("2");
}

/* zpoolbench beside tests/ */
static bool zpoolbench_path(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = 0;
	snprintf(out, len, "%s/../zpoolbench", dirname(self));
	return access(out, X_OK) == 0;
}

static bool write_trace(const char *path)
{
	struct zpb_trace_header h;
	struct zpb_trace_writer *w;
	struct zpb_record *recs;
	char err[256];
	size_t n, i;

	memset(&h, 0, sizeof(h));
	h.version = ZPB_TRACE_VERSION;
	h.page_size = 4096;
	snprintf(h.compressor, sizeof(h.compressor), "unknown");
	snprintf(h.source, sizeof(h.source), "test_replay_measure");
	recs = workload(&n);
	w = recs ? zpb_trace_writer_open(path, ZPB_TRACE_BINARY, &h, err, sizeof(err)) : NULL;
	if (!w) {
		free(recs);
		return false;
	}
	for (i = 0; i < n; i++)	/* every 7th key: a smaller trace, valgrind is slow */
		if (ZPB_KEY_OFFSET(recs[i].key) % 7 == 0 && zpb_trace_write(w, &recs[i], err, sizeof(err))) {
			zpb_trace_writer_abort(w);
			free(recs);
			return false;
		}
	free(recs);
	return zpb_trace_writer_finish(w, err, sizeof(err)) == 0;
}

/* The runs' "instructions" of @path as one string per run, joined. */
static bool instructions_of(const char *path, char *out, size_t len)
{
	char err[256];
	struct zpb_json *root = zpb_json_load(path, NULL, err, sizeof(err));
	const struct zpb_json *runs = zpb_json_get(root, "runs");
	size_t i, k, used = 0;

	out[0] = 0;
	if (!runs || !runs->len) {
		zpb_json_free(root);
		return false;
	}
	for (i = 0; i < runs->len; i++) {
		const struct zpb_json *ins = zpb_json_get(zpb_json_at(runs, i), "instructions");

		if (!ins || ins->type != ZPB_JSON_OBJECT || !ins->len) {
			zpb_json_free(root);
			return false;
		}
		for (k = 0; k < ins->len && used < len; k++)
			used += (size_t)snprintf(out + used, len - used, "%s:%s=%.17g ",
						 zpb_json_get_str(zpb_json_at(runs, i), "allocator", "?"),
						 ins->keys[k], zpb_json_number(ins->items[k], -1));
	}
	zpb_json_free(root);
	return true;
}

TEST(replay_instructions_callgrind_twice_gives_identical_counts)
{
	char zpb[PATH_MAX + 16], why[256], cmd[3 * PATH_MAX], a[4096], b[4096];
	char trace[] = "/tmp/zpb-cgtrace-XXXXXX", res[] = "/tmp/zpb-cgres-XXXXXX";
	int fd1, fd2, rc, pass;

	if (!zpb_callgrind_available(why, sizeof(why))) {
		zpbt_skip("%s", why);
		return;
	}
	if (!zpoolbench_path(zpb, sizeof(zpb))) {
		zpbt_skip("no zpoolbench beside the tests");
		return;
	}
	fd1 = mkstemp(trace);
	fd2 = mkstemp(res);
	REQUIRE(fd1 >= 0 && fd2 >= 0, "mkstemp failed");
	close(fd1);
	close(fd2);
	REQUIRE(write_trace(trace), "cannot write the test trace");
	for (pass = 0; pass < 2; pass++) {
		snprintf(cmd, sizeof(cmd), "%s replay %s --alloc zbud,zsmalloc --instructions callgrind --quiet -o %s",
			 zpb, trace, res);
		rc = system(cmd);
		CHECK(rc == 0, "'%s' exited with %d", cmd, rc);
		CHECK(instructions_of(res, pass ? b : a, sizeof(a)), "pass %d: no instructions in %s", pass, res);
	}
	CHECK(!strcmp(a, b), "instruction counts differ between two runs:\n    %s\n    %s", a, b);
	CHECK(strstr(a, "zbud:store=") && strstr(a, "zsmalloc:load="), "expected figures missing: %s", a);
	printf("  %s\n", a);
	unlink(trace);
	unlink(res);
}
