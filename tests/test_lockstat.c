// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: threaded
/*
 * Lock statistics (allocators/kernel/lockstat.h, --lockstat): classes by
 * expression, file and kind; counts, contention and hold times; nothing
 * recorded while off; the N-CPU model's arithmetic; and a replay that
 * reports the allocator's own lock classes.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "../allocators/kernel/spinlock.h"
#include "../allocators/zpool.h"
#include "../replay/replay.h"
#include "harness.h"
#include "replay_util.h"

static struct zpool_lock_class classes[64];

static const struct zpool_lock_class *find(int n, const char *name, const char *kind)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(classes[i].name, name) && !strcmp(classes[i].kind, kind))
			return &classes[i];
	return NULL;
}

/* The recording tests need a build with lock statistics (.ci/run's TSan build has them). */
static bool need_lockstat(void)
{
	if (zpool_lockstat_supported())
		return true;
	zpbt_skip("this build records no lock statistics (./configure --lockstat)");
	return false;
}

static void sleep_ns(long ns)
{
	struct timespec ts = { 0, ns };

	nanosleep(&ts, NULL);
}

TEST(lockstat_off_records_nothing)
{
	DEFINE_SPINLOCK(quiet_lock);
	int i, n;

	if (!need_lockstat())
		return;

	zpool_lockstat_enable(false);
	zpool_lockstat_reset();
	for (i = 0; i < 100; i++) {
		spin_lock(&quiet_lock);
		spin_unlock(&quiet_lock);
	}
	n = zpool_lockstat_read(classes, 64);
	CHECK(n == 0, "lockstat off: expected no classes, got %d (first '%s')", n, n > 0 ? classes[0].name : "");
}

TEST(lockstat_counts_acquisitions_and_holds_of_one_class)
{
	DEFINE_SPINLOCK(counted_lock);
	const struct zpool_lock_class *c;
	int i, n;

	if (!need_lockstat())
		return;

	zpool_lockstat_reset();
	zpool_lockstat_enable(true);
	for (i = 0; i < 100; i++) {
		spin_lock(&counted_lock);
		spin_unlock(&counted_lock);
	}
	/* A second call site with the same expression is the same class, as lockdep's name. */
	REQUIRE(spin_trylock(&counted_lock), "trylock of a free lock");
	sleep_ns(2000000);
	spin_unlock(&counted_lock);
	zpool_lockstat_enable(false);
	n = zpool_lockstat_read(classes, 64);
	c = find(n, "&counted_lock", "spin");
	REQUIRE(c, "a class named '&counted_lock' (of %d)", n);
	CHECK(c->acquisitions == 101, "acquisitions: expected 101, got %llu", (unsigned long long)c->acquisitions);
	CHECK(c->holds == 101, "holds seen released: expected 101, got %llu", (unsigned long long)c->holds);
	CHECK(c->contentions == 0, "one thread never contends: got %llu", (unsigned long long)c->contentions);
	CHECK(strstr(c->file, "tests/test_lockstat.c") != NULL, "file: got '%s'", c->file);
	CHECK(c->hold_max >= 2000000, "the 2 ms hold: hold_max %llu ns", (unsigned long long)c->hold_max);
	CHECK(c->hold_min <= c->hold_max && c->hold_total >= c->hold_max, "min %llu <= max %llu <= total %llu",
	      (unsigned long long)c->hold_min, (unsigned long long)c->hold_max, (unsigned long long)c->hold_total);
	CHECK(c->hold_hist[63 - __builtin_clzll(c->hold_max)] >= 1, "the longest hold (%llu ns) is in its log2 bucket",
	      (unsigned long long)c->hold_max);
	CHECK(c->hold_hist[20] + c->hold_hist[21] + c->hold_hist[22] >= 1, "the 2 ms hold is in the 1..8 ms buckets");
	CHECK(zpool_lockstat_dropped() == 0, "nothing dropped: got %llu", (unsigned long long)zpool_lockstat_dropped());
}

TEST(lockstat_reader_and_writer_sides_are_separate_classes)
{
	rwlock_t rw;
	const struct zpool_lock_class *r, *w;
	int n;

	if (!need_lockstat())
		return;

	rwlock_init(&rw);
	zpool_lockstat_reset();
	zpool_lockstat_enable(true);
	read_lock(&rw);
	read_lock(&rw);
	read_unlock(&rw);
	read_unlock(&rw);
	write_lock(&rw);
	write_unlock(&rw);
	zpool_lockstat_enable(false);
	n = zpool_lockstat_read(classes, 64);
	r = find(n, "&rw", "read");
	w = find(n, "&rw", "write");
	REQUIRE(r && w, "read and write classes of '&rw'");
	CHECK(r->acquisitions == 2 && r->holds == 2, "read: 2 acquisitions, 2 releases; got %llu, %llu",
	      (unsigned long long)r->acquisitions, (unsigned long long)r->holds);
	CHECK(w->acquisitions == 1 && w->holds == 1, "write: 1 and 1; got %llu, %llu",
	      (unsigned long long)w->acquisitions, (unsigned long long)w->holds);
}

static spinlock_t contended_lock;
static int shared_counter;

static void *hold_for_a_while(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 20; i++) {
		spin_lock(&contended_lock);
		shared_counter++;
		sleep_ns(200000);
		spin_unlock(&contended_lock);
		sleep_ns(50000);
	}
	return NULL;
}

TEST(lockstat_sees_contention_between_two_threads)
{
	const struct zpool_lock_class *c;
	pthread_t t[2];
	int i, n;

	if (!need_lockstat())
		return;

	spin_lock_init(&contended_lock);
	zpool_lockstat_reset();
	zpool_lockstat_enable(true);
	for (i = 0; i < 2; i++)
		REQUIRE(pthread_create(&t[i], NULL, hold_for_a_while, NULL) == 0, "thread %d", i);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	zpool_lockstat_enable(false);
	n = zpool_lockstat_read(classes, 64);
	c = find(n, "&contended_lock", "spin");
	REQUIRE(c, "a class for '&contended_lock'");
	CHECK(c->acquisitions == 40, "acquisitions from both threads: expected 40, got %llu",
	      (unsigned long long)c->acquisitions);
	/* Each holds 200 us and rests 50 us: the other thread must find it held at least once. */
	CHECK(c->contentions >= 1, "two threads holding 200 us of every 250: no contention recorded");
	CHECK(c->wait_total >= c->wait_max && c->wait_max > 0, "waits recorded: total %llu, max %llu",
	      (unsigned long long)c->wait_total, (unsigned long long)c->wait_max);
	CHECK(shared_counter == 40, "the lock excluded: counter %d", shared_counter);
}

/* 1000 acquisitions on one thread in 1 ms, each held 100 ns: rate 1/us, utilisation 0.1 a CPU. */
TEST(lockstat_model_is_the_documented_arithmetic)
{
	struct zpb_run_result r;
	struct zpool_lock_class c;
	struct zpb_lock_model m[ZPB_LOCK_MODEL_POINTS];

	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	r.nthreads = 1;
	r.wall_ns = 1000000;
	c.acquisitions = c.holds = 1000;
	c.hold_total = 100000;
	zpb_lockstat_model(&r, &c, m);
	CHECK(m[0].cpus == 1 && m[0].contention == 0 && m[0].wait_ns == 0, "1 CPU: nobody else to contend");
	CHECK(m[1].cpus == 2 && m[1].contention > 0.0999 && m[1].contention < 0.1001,
	      "2 CPUs: contention (N-1) rate hold = 0.1, got %g", m[1].contention);
	CHECK(m[1].wait_ns > 11.11 && m[1].wait_ns < 11.12, "2 CPUs: wait 100 * 0.1 / 0.9 = 11.1 ns, got %g",
	      m[1].wait_ns);
	CHECK(m[3].cpus == 8 && m[3].utilization > 0.7999 && m[3].utilization < 0.8001,
	      "8 CPUs: utilisation 0.8, got %g", m[3].utilization);
	CHECK(m[4].cpus == 16 && m[4].contention == 1.0 && m[4].wait_ns < 0,
	      "16 CPUs: saturated (1.5 > 1): contention 1, wait unbounded; got %g, %g", m[4].contention, m[4].wait_ns);
}

TEST(lockstat_replay_reports_zsmalloc_class_lock_as_the_allocators)
{
	static const char *const kv[] = { "lockstat", "", "pool-limit", "none", NULL };
	struct zpb_record recs[4];
	struct zpb_run_result *r;
	const struct zpool_lock_class *c = NULL;
	int i;

	if (!need_lockstat())
		return;

	recs[0] = rec_op(ZPB_OP_STORE, 0, 1, 100);
	recs[1] = rec_op(ZPB_OP_STORE, 0, 2, 200);
	recs[2] = rec_op(ZPB_OP_LOAD, 0, 1, 0);
	recs[3] = rec_op(ZPB_OP_INVALIDATE, 0, 2, 0);
	r = replay_memory("zsmalloc", kv, recs, 4);
	REQUIRE(r, "replay runs");
	for (i = 0; i < r->nlocks; i++)
		if (!strcmp(r->locks[i].name, "&class->lock"))
			c = &r->locks[i];
	REQUIRE(c, "zsmalloc's '&class->lock' among %d classes", r->nlocks);
	CHECK(strstr(c->file, "allocators/zsmalloc/") != NULL, "taken in zsmalloc: '%s'", c->file);
	CHECK(c->acquisitions >= 2, "two stores take the class lock: got %llu", (unsigned long long)c->acquisitions);
	zpb_run_result_free(r);
}

TEST(lockstat_option_is_refused_only_by_a_build_without_it)
{
	struct zpb_replay_options o;
	char err[512] = "";
	int rc;

	zpb_replay_options_init(&o);
	rc = zpb_replay_set_option(&o, "lockstat", "", err, sizeof(err));
	if (zpool_lockstat_supported()) {
		CHECK(rc == 0 && o.lockstat, "a --lockstat build takes --lockstat: %s", err);
	} else {
		CHECK(rc < 0, "a build without lock statistics refuses --lockstat");
		CHECK(strstr(err, "--lockstat") && strstr(err, "./configure --lockstat"),
		      "the refusal names the option and the way to build it: '%s'", err);
	}
	zpb_replay_options_release(&o);
}
