// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: threaded
/*
 * Counters (measure/counters.h): name resolution, the unsupported path a
 * machine without a PMU takes, software events counting real work, the
 * merge across threads and the JSON they end up as.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "../measure/counters.h"
#include "../util/json_writer.h"
#include "config.h"
#include "harness.h"

#define FAULT_PAGES 256

/* Touch @pages fresh anonymous pages, one op each; return the pages touched. */
static long fault_pages(struct zpb_counter_thread *t, long pages)
{
	long psz = sysconf(_SC_PAGESIZE), i;
	volatile char *p = mmap(NULL, (size_t)(pages * psz), PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	/* one fault per 4 KiB page: no transparent huge page may cover it */
	madvise((void *)p, (size_t)(pages * psz), MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i++) {
		zpb_counters_op_begin(t);
		p[i * psz] = 1;
		zpb_counters_op_end(t, ZPB_OP_STORE);
	}
	munmap((void *)p, (size_t)(pages * psz));
	return pages;
}

static const struct zpb_counter_event *find(const struct zpb_counter_set *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->ev[i].name, name))
			return &s->ev[i];
	return NULL;
}

/* The set as JSON, in a malloc'd string. */
static char *as_json(const struct zpb_counter_set *set)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct zpb_jw w;

	if (!f)
		return NULL;
	zpb_jw_init(&w, f, false);
	zpb_counters_write_json(&w, set);
	if (zpb_jw_finish(&w)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

TEST(counters_unknown_event_is_an_error_naming_it)
{
	struct zpb_counter_set set;
	char err[256] = "";
	int ret = zpb_counters_resolve(&set, "perf::page-faults,no-such-event-zpb", err, sizeof(err));

#ifdef HAVE_PFM
	CHECK(ret == -1, "resolve of a bogus event: expected -1, got %d", ret);
	CHECK(strstr(err, "no-such-event-zpb") != NULL, "error does not name the event: '%s'", err);
	CHECK(strstr(err, "unknown event") != NULL, "error does not say it is unknown: '%s'", err);
#else
	/* Without libpfm4 nothing can be resolved: every event degrades, the run goes on. */
	CHECK(ret == 0, "resolve without libpfm4: expected 0, got %d (%s)", ret, err);
	CHECK(set.ev[1].status == ZPB_COUNTER_UNSUPPORTED && strstr(set.ev[1].reason, "libpfm4"),
	      "without libpfm4 the event should be unsupported naming libpfm4, reason '%s'", set.ev[1].reason);
#endif
	zpb_counters_destroy(&set);
}

TEST(counters_resolve_rejects_empty_names_and_too_many_events)
{
	struct zpb_counter_set set;
	char err[256], many[2048] = "";
	int i;

	CHECK(zpb_counters_resolve(&set, "", err, sizeof(err)) == -1, "empty list accepted");
	zpb_counters_destroy(&set);
	CHECK(zpb_counters_resolve(&set, "task-clock,,perf::page-faults", err, sizeof(err)) == -1,
	      "empty name between commas accepted");
	CHECK(strstr(err, "empty event name"), "error: '%s'", err);
	zpb_counters_destroy(&set);
	CHECK(zpb_counters_resolve(&set, "task-clock,", err, sizeof(err)) == -1, "trailing comma accepted");
	zpb_counters_destroy(&set);
	for (i = 0; i <= ZPB_COUNTERS_MAX; i++)
		strcat(many, i ? ",task-clock" : "task-clock");
	CHECK(zpb_counters_resolve(&set, many, err, sizeof(err)) == -1, "%d events accepted", ZPB_COUNTERS_MAX + 1);
	CHECK(strstr(err, "more than"), "error: '%s'", err);
	zpb_counters_destroy(&set);
}

TEST(counters_perf_spelling_llc_misses_resolves)
{
	struct zpb_counter_set set;
	char err[256] = "";
	int ret = zpb_counters_resolve(&set, "LLC-misses,dTLB-load-misses", err, sizeof(err));

	CHECK(ret == 0, "LLC-misses,dTLB-load-misses: expected 0, got %d: %s", ret, err);
#ifdef HAVE_PFM
	CHECK(strstr(set.ev[0].canonical, "CACHE_LL"), "LLC-misses resolved to '%s', expected the LL cache event",
	      set.ev[0].canonical);
#endif
	zpb_counters_destroy(&set);
}

/*
 * The brief's main path: a hardware event next to a software one. On a
 * machine without a PMU (this project's CI VM) the hardware event is
 * reported unsupported, once, with a reason naming it; the software event
 * still counts the faults of real work. On a machine with a PMU both count.
 */
TEST(counters_unsupported_hardware_event_reported_and_software_event_counts_faults)
{
	struct zpb_counter_set set;
	struct zpb_counter_thread t;
	const struct zpb_counter_event *hw, *sw;
	char err[256] = "", probe[256];
	long touched;
	int hw_ok, open;
	char *json;

	REQUIRE(zpb_counters_resolve(&set, "instructions,perf::page-faults", err, sizeof(err)) == 0,
		"resolve: %s", err);
	hw_ok = zpb_counters_probe("instructions", probe, sizeof(probe)) == 1;
	zpb_counters_reset(&set);
	open = zpb_counters_thread_open(&t, &set);
	zpb_counters_thread_start(&t);
	touched = fault_pages(&t, FAULT_PAGES);
	zpb_counters_thread_stop(&t);
	REQUIRE(touched == FAULT_PAGES, "mmap of %d pages failed", FAULT_PAGES);

	hw = find(&set, "instructions");
	sw = find(&set, "perf::page-faults");
	REQUIRE(hw && sw, "events missing from the set");
#ifdef HAVE_PFM
	CHECK(open == 1 + hw_ok, "events open: expected %d, got %d", 1 + hw_ok, open);
	CHECK(sw->status == ZPB_COUNTER_OK, "perf::page-faults unsupported: %s", sw->reason);
	CHECK(sw->total >= FAULT_PAGES, "perf::page-faults: expected >= %d faults, got %lu",
	      FAULT_PAGES, (unsigned long)sw->total);
	CHECK_EQ_UL(sw->ops, FAULT_PAGES, "perf::page-faults ops");
	if (hw_ok) {
		CHECK(hw->status == ZPB_COUNTER_OK && hw->total > 0, "instructions on a PMU machine: status %d total %lu",
		      hw->status, (unsigned long)hw->total);
	} else {
		CHECK(hw->status == ZPB_COUNTER_UNSUPPORTED, "instructions without a PMU: expected unsupported");
		CHECK(strstr(hw->reason, "instructions") && strstr(hw->reason, "perf_event_open"),
		      "reason should name the event and the failing call: '%s'", hw->reason);
	}
#else
	(void)hw_ok;
	CHECK(open == 0, "without libpfm4 nothing opens, got %d", open);
	CHECK(sw->status == ZPB_COUNTER_UNSUPPORTED, "without libpfm4 every event is unsupported");
#endif
	json = as_json(&set);
	REQUIRE(json, "JSON writer failed");
	if (sw->status == ZPB_COUNTER_OK)
		CHECK(strstr(json, "\"perf::page-faults\":{\"status\":\"ok\""),
		      "JSON lacks the ok page-faults entry: %s", json);
	if (hw->status == ZPB_COUNTER_UNSUPPORTED)
		CHECK(strstr(json, "\"instructions\":{\"status\":\"unsupported\",\"reason\":\"instructions: "),
		      "JSON lacks the unsupported entry with its reason: %s", json);
	if (sw->status == ZPB_COUNTER_OK)
		CHECK(strstr(json, "\"scope\":\"per-run\"") && strstr(json, "\"all\":"),
		      "software events are per-run totals divided by ops: %s", json);
	free(json);
	zpb_counters_destroy(&set);
}

TEST(counters_unsupported_is_reported_once_across_runs_and_threads)
{
	struct zpb_counter_set set;
	struct zpb_counter_thread a, b;
	char err[256], first[ZPB_COUNTER_REASON_LEN];
	const struct zpb_counter_event *hw;

	if (zpb_counters_probe("cycles", err, sizeof(err)) == 1) {
		zpbt_skip("this machine has a PMU, cycles opens");
		return;
	}
	REQUIRE(zpb_counters_resolve(&set, "cycles,task-clock", err, sizeof(err)) == 0, "resolve: %s", err);
	hw = find(&set, "cycles");
	zpb_counters_thread_open(&a, &set);
	snprintf(first, sizeof(first), "%s", hw->reason);
	zpb_counters_thread_open(&b, &set);
	zpb_counters_thread_stop(&b);
	zpb_counters_thread_stop(&a);
	zpb_counters_reset(&set);
	CHECK(hw->status == ZPB_COUNTER_UNSUPPORTED, "cycles should stay unsupported after reset");
	CHECK(!strcmp(hw->reason, first), "reason changed: '%s' then '%s'", first, hw->reason);
	CHECK(first[0] != 0, "no reason given");
	zpb_counters_destroy(&set);
}

TEST(counters_task_clock_counts_time_spent_working)
{
	struct zpb_counter_set set;
	struct zpb_counter_thread t;
	const struct zpb_counter_event *ev;
	char err[256];
	volatile unsigned long x = 0;
	long i;

	REQUIRE(zpb_counters_resolve(&set, "task-clock", err, sizeof(err)) == 0, "resolve: %s", err);
	zpb_counters_thread_open(&t, &set);
	zpb_counters_thread_start(&t);
	for (i = 0; i < 2000000; i++) {
		zpb_counters_op_begin(&t);
		x += (unsigned long)i;
		zpb_counters_op_end(&t, ZPB_OP_LOAD);
	}
	zpb_counters_thread_stop(&t);
	ev = &set.ev[0];
#ifdef HAVE_PFM
	CHECK(ev->status == ZPB_COUNTER_OK, "task-clock unsupported: %s", ev->reason);
	CHECK(ev->total > 0, "task-clock counted nothing over 2M ops");
	CHECK_EQ_UL(ev->op_count[ZPB_OP_LOAD], 2000000, "task-clock load ops");
#else
	CHECK(ev->status == ZPB_COUNTER_UNSUPPORTED, "without libpfm4, task-clock should be unsupported");
#endif
	zpb_counters_destroy(&set);
}

struct thread_arg {
	struct zpb_counter_set *set;
	long touched;
};

static void *fault_thread(void *p)
{
	struct thread_arg *a = p;
	struct zpb_counter_thread t;

	zpb_counters_thread_open(&t, a->set);
	zpb_counters_thread_start(&t);
	a->touched = fault_pages(&t, FAULT_PAGES);
	zpb_counters_thread_stop(&t);
	return NULL;
}

TEST(counters_threads_each_open_a_group_and_merge_into_the_set)
{
	struct zpb_counter_set set;
	struct thread_arg args[3];
	pthread_t th[3];
	char err[256];
	int i;

	REQUIRE(zpb_counters_resolve(&set, "perf::page-faults,instructions", err, sizeof(err)) == 0,
		"resolve: %s", err);
	zpb_counters_reset(&set);
	for (i = 0; i < 3; i++) {
		args[i].set = &set;
		pthread_create(&th[i], NULL, fault_thread, &args[i]);
	}
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 3; i++)
		REQUIRE(args[i].touched == FAULT_PAGES, "thread %d could not map its pages", i);
#ifdef HAVE_PFM
	CHECK(set.ev[0].threads_open == 3, "page-faults opened by %d threads, expected 3", set.ev[0].threads_open);
	CHECK_EQ_UL(set.ev[0].ops, 3 * FAULT_PAGES, "merged ops");
	CHECK(set.ev[0].total >= 3 * FAULT_PAGES, "merged page faults: expected >= %d, got %lu",
	      3 * FAULT_PAGES, (unsigned long)set.ev[0].total);
#endif
	zpb_counters_destroy(&set);
}

TEST(counters_probe_tells_known_from_unknown_names)
{
	char reason[256];
	int r = zpb_counters_probe("no-such-event-zpb", reason, sizeof(reason));

#ifdef HAVE_PFM
	CHECK(r == -1, "probe of a bogus name: expected -1, got %d (%s)", r, reason);
	r = zpb_counters_probe("task-clock", reason, sizeof(reason));
	CHECK(r == 1, "probe of task-clock: expected 1, got %d (%s)", r, reason);
#else
	CHECK(r == 0 && strstr(reason, "libpfm4"), "probe without libpfm4: %d '%s'", r, reason);
#endif
}

/*
 * The per-op path without a PMU: a self-monitoring page stands in for a
 * hardware counter's (index 0: the count is the page's offset, as when the
 * kernel has the event scheduled out), its count stepped by hand inside
 * each op. Checks the bookkeeping rdpmc feeds: per op type, merged into
 * the set, "per-op" scope in the JSON.
 */
#ifdef HAVE_PFM
struct fake_mmap_page {
	uint32_t version, compat_version, lock, index;
	int64_t offset;
	unsigned char rest[4096 - 24];
};

TEST(counters_per_op_scope_splits_counts_by_op_type)
{
	static struct fake_mmap_page page __attribute__((aligned(4096)));
	struct zpb_counter_set set;
	struct zpb_counter_thread t;
	char err[256], *json;
	int i;

	REQUIRE(zpb_counters_resolve(&set, "task-clock", err, sizeof(err)) == 0, "resolve: %s", err);
	REQUIRE(zpb_counters_thread_open(&t, &set) == 1, "task-clock did not open");
	/* pretend task-clock were an rdpmc-readable counter on this page */
	t.page[0] = &page;
	t.rdpmc_ev[0] = 0;
	t.rdpmc_n = 1;
	t.any_rdpmc = true;
	set.ev[0].threads_rdpmc = 1;
	zpb_counters_thread_start(&t);
	for (i = 0; i < 100; i++) {
		zpb_counters_op_begin(&t);
		page.offset += i % 4 ? 10 : 3;	/* 75 stores of 10, 25 loads of 3 */
		zpb_counters_op_end(&t, i % 4 ? ZPB_OP_STORE : ZPB_OP_LOAD);
		page.offset += 1000;		/* between ops: not counted per op */
	}
	t.page[0] = NULL;	/* not ours to munmap */
	zpb_counters_thread_stop(&t);
	CHECK_EQ_UL(set.ev[0].op_total[ZPB_OP_STORE], 750, "store count (75 x 10)");
	CHECK_EQ_UL(set.ev[0].op_count[ZPB_OP_STORE], 75, "stores");
	CHECK_EQ_UL(set.ev[0].op_total[ZPB_OP_LOAD], 75, "load count (25 x 3)");
	CHECK_EQ_UL(set.ev[0].op_count[ZPB_OP_LOAD], 25, "loads");
	json = as_json(&set);
	REQUIRE(json, "JSON writer failed");
	CHECK(strstr(json, "\"scope\":\"per-op\"") && strstr(json, "\"per_op\":{\"store\":10,\"load\":3}"),
	      "per-op JSON: %s", json);
	free(json);
	zpb_counters_destroy(&set);
}
#endif
