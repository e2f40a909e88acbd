// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replay engine tests on one thread: histogram accuracy and merging, the
 * reclaim policies against hand-worked traces, verification catching a
 * corrupted byte, deterministic-mode reproducibility, and bad options.
 */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "../allocators/kernel/bug.h"
#include "../replay/histogram.h"
#include "../replay/replay.h"
#include "harness.h"
#include "replay_util.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

TEST(histogram_percentiles_within_one_percent_of_exact)
{
	enum { N = 200000 };
	static uint64_t v[N];
	static struct zpb_hist h;
	static const double qs[] = { 0.5, 0.9, 0.99, 0.999, 0.9999 };
	unsigned int i;

	zpb_hist_reset(&h);
	for (i = 0; i < N; i++) {
		/* Log-uniform over 1 ns .. 10 ms: every octave of the layout gets data. */
		v[i] = (uint64_t)exp((double)(rng() % 1000000) / 1000000.0 * log(1e7)) + 1;
		zpb_hist_record(&h, v[i]);
	}
	qsort(v, N, sizeof(v[0]), cmp_u64);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		uint64_t exact = v[(size_t)ceil(qs[i] * N) - 1], got = zpb_hist_percentile(&h, qs[i]);
		double rel = fabs((double)got - (double)exact) / (double)exact;

		CHECK(rel <= 0.01, "p%g: exact %llu, histogram %llu (%.3f%% off)", qs[i] * 100,
		      (unsigned long long)exact, (unsigned long long)got, rel * 100);
	}
	CHECK_EQ_UL(zpb_hist_percentile(&h, 1.0), v[N - 1], "max");
	CHECK_EQ_UL(h.min, v[0], "min");
	CHECK_EQ_UL(h.count, N, "count");
}

TEST(histogram_bucket_width_is_at_most_1_in_128_of_its_values)
{
	unsigned int i;

	for (i = ZPB_HIST_LINEAR; i < ZPB_HIST_BUCKETS - 1; i++) {
		uint64_t lo, hi;

		zpb_hist_bucket_range(i, &lo, &hi);
		REQUIRE(zpb_hist_index(lo) == i && zpb_hist_index(hi) == i,
			"bucket %u [%llu, %llu] does not index back to itself", i,
			(unsigned long long)lo, (unsigned long long)hi);
		REQUIRE((double)(hi - lo + 1) / (double)lo <= 1.0 / 128 + 1e-12,
			"bucket %u [%llu, %llu] wider than 1/128", i, (unsigned long long)lo, (unsigned long long)hi);
	}
}

TEST(histogram_merge_equals_recording_everything_in_one)
{
	static struct zpb_hist a, b, all;
	unsigned int i;

	zpb_hist_reset(&a);
	zpb_hist_reset(&b);
	zpb_hist_reset(&all);
	for (i = 0; i < 50000; i++) {
		uint64_t x = rng() % 5000000;

		zpb_hist_record(i & 1 ? &a : &b, x);
		zpb_hist_record(&all, x);
	}
	zpb_hist_merge(&a, &b);
	CHECK(memcmp(&a, &all, sizeof(a)) == 0, "merged histogram differs from the single one");
	CHECK_EQ_UL(zpb_hist_percentile(&a, 0.99), zpb_hist_percentile(&all, 0.99), "merged p99");
}

#define run replay_memory

/*
 * The hand-worked trace: five 2000-byte stores fill the ideal pool to 3
 * pages (ceil(10000/4096)); the limit is 2 pages and the accept threshold
 * 50% (1 page). The sixth store finds the pool full.
 */
static size_t limit_trace(struct zpb_record *r)
{
	size_t n = 0;
	int k;

	for (k = 1; k <= 5; k++)
		r[n++] = rec_op(ZPB_OP_STORE, 0, k, 2000);
	r[n++] = rec_op(ZPB_OP_STORE, 0, 6, 2000);
	r[n++] = rec_op(ZPB_OP_LOAD, 0, 1, 0);
	r[n++] = rec_op(ZPB_OP_LOAD, 0, 6, 0);
	return n;
}

TEST(zswap_lru_writes_back_coldest_after_second_chance_and_counts_misses)
{
	static const char *const kv[] = { "pool-limit", "2", "accept-threshold", "50", "reclaim", "zswap-lru", NULL };
	struct zpb_record recs[16];
	size_t n = limit_trace(recs);
	struct zpb_run_result *r = run("ideal", kv, recs, n);

	REQUIRE(r, "no result");
	/* Store 6: pool 3 pages > 2: every entry is referenced, so each is rotated once
	 * (5 second chances), then k1..k5 are written back until the pool is below 1 page:
	 * pages go 3->2 (k1), 2 (k2), 1 (k3), 1 (k4), 0 (k5). */
	CHECK_EQ_UL(r->rc.limit_hits, 1, "ideal zswap-lru limit hits");
	CHECK_EQ_UL(r->rc.second_chances, 5, "ideal zswap-lru second chances");
	CHECK_EQ_UL(r->rc.writebacks, 5, "ideal zswap-lru writebacks");
	CHECK_EQ_UL(r->rc.pages_reclaimed, 3, "ideal zswap-lru pages reclaimed");
	CHECK_EQ_UL(r->rc.rejects, 0, "ideal zswap-lru rejects");
	CHECK_EQ_UL(r->rc.misses, 1, "ideal zswap-lru misses (load of k1)");
	CHECK_EQ_UL(r->ops.load_hits, 1, "ideal zswap-lru load hits (k6)");
	CHECK_EQ_UL(r->lat[ZPB_LAT_RECLAIM].count, 5, "reclaim latency samples");
	CHECK_EQ_UL(r->final.pool_pages, 0, "final pool pages (k6 loaded exclusively)");
	CHECK_EQ_UL(r->verify_failures, 0, "verify failures");
	zpb_run_result_free(r);
}

TEST(reclaim_none_rejects_until_pool_falls_below_accept_threshold)
{
	static const char *const kv[] = { "pool-limit", "2", "accept-threshold", "50", "reclaim", "none", NULL };
	struct zpb_record recs[32];
	size_t n = 0;
	struct zpb_run_result *r;
	int k;

	for (k = 1; k <= 5; k++)
		recs[n++] = rec_op(ZPB_OP_STORE, 0, k, 2000);
	recs[n++] = rec_op(ZPB_OP_STORE, 0, 6, 2000);	/* 3 pages > 2: full, rejected */
	recs[n++] = rec_op(ZPB_OP_INVALIDATE, 0, 1, 0);	/* 8000 bytes: 2 pages */
	recs[n++] = rec_op(ZPB_OP_STORE, 0, 7, 2000);	/* still full (2 >= 1): rejected */
	for (k = 2; k <= 4; k++)
		recs[n++] = rec_op(ZPB_OP_INVALIDATE, 0, k, 0);	/* 2000 bytes: 1 page */
	recs[n++] = rec_op(ZPB_OP_STORE, 0, 8, 2000);	/* 1 is not below 1: rejected */
	recs[n++] = rec_op(ZPB_OP_INVALIDATE, 0, 5, 0);	/* empty */
	recs[n++] = rec_op(ZPB_OP_STORE, 0, 9, 2000);	/* accepted; reached_full clears */
	recs[n++] = rec_op(ZPB_OP_LOAD, 0, 6, 0);	/* its store was rejected: from swap */
	recs[n++] = rec_op(ZPB_OP_LOAD, 0, 9, 0);
	r = run("ideal", kv, recs, n);
	REQUIRE(r, "no result");
	CHECK_EQ_UL(r->rc.rejects, 3, "ideal reclaim=none rejects");
	CHECK_EQ_UL(r->ops.rejected_limit, 3, "ideal reclaim=none rejected_limit");
	CHECK_EQ_UL(r->rc.limit_hits, 1, "ideal reclaim=none limit hits");
	CHECK_EQ_UL(r->rc.writebacks, 0, "ideal reclaim=none writebacks");
	CHECK_EQ_UL(r->ops.load_rejected, 1, "loads of a rejected store");
	CHECK_EQ_UL(r->ops.load_hits, 1, "load hits");
	CHECK_EQ_UL(r->verify_failures, 0, "verify failures");
	zpb_run_result_free(r);
}

TEST(pool_lru_evicts_through_allocator_shrink_and_counts_misses)
{
	static const char *const kv[] = { "pool-limit", "2", "accept-threshold", "50", "reclaim", "pool-lru",
					  "zswap-model", "seed", "deterministic", "1", NULL };
	const struct zpool_driver *const *d;
	struct zpb_record recs[32];
	int tested = 0;

	for (d = zpb_drivers(); *d; d++) {
		struct zpb_run_result *r;
		size_t n = 0;
		int k;

		if (!((*d)->caps & ZPB_CAP_EVICT) || ((*d)->caps & ZPB_CAP_NO_DATA))
			continue;
		/* Six 1500-byte objects (1508 with the header): at most 2 a page in zbud/z3fold. */
		for (k = 1; k <= 6; k++)
			recs[n++] = rec_op(ZPB_OP_STORE, 0, k, 1500);
		recs[n++] = rec_op(ZPB_OP_STORE, 0, 7, 1500);	/* pool > 2 pages: shrink to < 1 */
		for (k = 1; k <= 7; k++)
			recs[n++] = rec_op(ZPB_OP_LOAD, 0, k, 0);
		r = run((*d)->type, kv, recs, n);
		REQUIRE(r, "no result for %s", (*d)->type);
		CHECK(r->header, "%s: seed model did not prepend the zswap header", (*d)->type);
		CHECK_EQ_UL(r->rc.limit_hits, 1, (*d)->type);
		CHECK(r->rc.shrink_calls >= 1, "%s: shrink was not called", (*d)->type);
		CHECK_EQ_UL(r->rc.writebacks + r->ops.load_hits, 7, "writebacks + hits (every key accounted once)");
		CHECK_EQ_UL(r->rc.misses, r->rc.writebacks, "each written-back key is a miss on load");
		CHECK(r->rc.writebacks >= 4, "%s: only %llu writebacks bringing 3+ pages below 1", (*d)->type,
		      (unsigned long long)r->rc.writebacks);
		CHECK_EQ_UL(r->verify_failures, 0, "verify failures (writeback and load)");
		CHECK_EQ_UL(r->leaked_pages, 0, "leaked pages");
		zpb_run_result_free(r);
		tested++;
	}
	if (!tested)
		printf("  (no evictable allocator registered: pool-lru checked only for its error)\n");
}

/*
 * Hand-worked for any evictable allocator: 2500-byte objects (2508 with the
 * header) cannot share a 4096-byte page, so each store takes a page. Three
 * stores fill 3 pages; the 4th finds the pool above its 2-page limit and
 * shrinks until below 50% of it (1 page): the allocator's LRU gives back
 * k1, k2, k3's pages, one shrink call each. Seed model: loads keep entries.
 */
TEST(pool_lru_hand_worked_one_object_per_page)
{
	static const char *const kv[] = { "pool-limit", "2", "accept-threshold", "50", "reclaim", "pool-lru",
					  "zswap-model", "seed", "deterministic", "1", NULL };
	const struct zpool_driver *const *d;
	struct zpb_record recs[16];
	size_t n = 0;
	int k;

	for (k = 1; k <= 4; k++)
		recs[n++] = rec_op(ZPB_OP_STORE, 0, k, 2500);
	for (k = 1; k <= 4; k++)
		recs[n++] = rec_op(ZPB_OP_LOAD, 0, k, 0);
	for (d = zpb_drivers(); *d; d++) {
		struct zpb_run_result *r;

		if (!((*d)->caps & ZPB_CAP_EVICT) || ((*d)->caps & ZPB_CAP_NO_DATA))
			continue;
		r = run((*d)->type, kv, recs, n);
		REQUIRE(r, "no result for %s", (*d)->type);
		CHECK(r->rc.limit_hits == 1 && r->rc.shrink_calls == 3 && r->rc.writebacks == 3 &&
		      r->rc.pages_reclaimed == 3 && r->rc.evict_failures == 0,
		      "%s pool-lru: limit hits %llu (1), shrink calls %llu (3), writebacks %llu (3), pages reclaimed %llu (3), evict failures %llu (0)",
		      (*d)->type, (unsigned long long)r->rc.limit_hits, (unsigned long long)r->rc.shrink_calls,
		      (unsigned long long)r->rc.writebacks, (unsigned long long)r->rc.pages_reclaimed,
		      (unsigned long long)r->rc.evict_failures);
		CHECK(r->rc.misses == 3 && r->ops.load_hits == 1, "%s pool-lru: misses %llu (3), hits %llu (1)",
		      (*d)->type, (unsigned long long)r->rc.misses, (unsigned long long)r->ops.load_hits);
		CHECK(r->final.pool_pages == 1 && r->final.stored_bytes == 2500,
		      "%s pool-lru: final pool pages %llu (1), stored bytes %lld (2500)", (*d)->type,
		      (unsigned long long)r->final.pool_pages, (long long)r->final.stored_bytes);
		CHECK_EQ_UL(r->verify_failures, 0, "verify failures");
		zpb_run_result_free(r);
	}
}

TEST(pool_lru_on_allocator_without_evict_is_an_error_naming_it)
{
	static struct zpb_replay_options o;
	char err[512];

	CHECK(opts_make(&o, "ideal", (const char *const[]){ "reclaim", "pool-lru", NULL }, err, sizeof(err)) == -1,
	      "pool-lru on ideal accepted");
	CHECK(strstr(err, "ideal") && strstr(err, "evict") && !strchr(err, '\n'), "message: %s", err);
}

TEST(trace_writeback_record_frees_and_later_load_is_a_miss)
{
	struct zpb_record recs[4];
	struct zpb_run_result *r;

	recs[0] = rec_op(ZPB_OP_STORE, 0, 42, 700);
	recs[1] = rec_op(ZPB_OP_WRITEBACK, 0, 42, 0);
	recs[2] = rec_op(ZPB_OP_LOAD, 0, 42, 0);
	r = run("ideal", NULL, recs, 3);
	REQUIRE(r, "no result");
	CHECK_EQ_UL(r->ops.writeback, 1, "writeback ops");
	CHECK_EQ_UL(r->rc.misses, 1, "miss after WRITEBACK");
	CHECK_EQ_UL(r->final.stored_bytes, 0, "stored bytes");
	zpb_run_result_free(r);
}

/* A test-only allocator: ideal, but a read-only map of the 3rd object flips a byte. */
extern const struct zpool_driver ideal_zpool_driver;
static unsigned long corrupt_handle;
static int corrupt_allocs;

static int corrupt_malloc(void *p, size_t size, gfp_t gfp, unsigned long *handle)
{
	int ret = ideal_zpool_driver.malloc(p, size, gfp, handle);

	if (!ret && ++corrupt_allocs == 3)
		corrupt_handle = *handle;
	return ret;
}

static void *corrupt_map(void *p, unsigned long handle, enum zpool_mapmode mm)
{
	unsigned char *a = ideal_zpool_driver.map(p, handle, mm);

	if (mm == ZPOOL_MM_RO && handle == corrupt_handle)
		a[100] ^= 0x40;
	return a;
}

static struct zpool_driver corrupt_driver;

TEST(verification_catches_a_corrupted_byte_naming_key_op_and_allocator)
{
	static struct zpb_replay_options o;
	struct zpb_replay_source src;
	struct zpb_record recs[8];
	struct zpb_spec spec;
	struct zpb_run_result *r;
	char err[512];
	int k;

	corrupt_driver = ideal_zpool_driver;
	corrupt_driver.type = "corrupt";
	corrupt_driver.malloc = corrupt_malloc;
	corrupt_driver.map = corrupt_map;
	corrupt_allocs = 0;
	memset(&spec, 0, sizeof(spec));
	spec.driver = &corrupt_driver;
	strcpy(spec.text, "corrupt");
	for (k = 0; k < 4; k++)
		recs[k] = rec_op(ZPB_OP_STORE, 0, ZPB_KEY(1, 10 + k), 1000);
	for (k = 0; k < 4; k++)
		recs[4 + k] = rec_op(ZPB_OP_LOAD, 0, ZPB_KEY(1, 10 + k), 0);
	REQUIRE(opts_make(&o, "ideal", NULL, err, sizeof(err)) == 0, "%s", err);
	zpb_replay_source_memory(&src, recs, 8);
	r = zpb_replay_run(&o, &src, &spec, 0, NULL, err, sizeof(err));
	REQUIRE(r, "%s", err);
	CHECK_EQ_UL(r->verify_failures, 1, "verify failures");
	REQUIRE(r->nverify_messages == 1, "messages: %d", r->nverify_messages);
	CHECK(strstr(r->verify_messages[0], "corrupt") && strstr(r->verify_messages[0], "LOAD") &&
	      strstr(r->verify_messages[0], "offset 12") && strstr(r->verify_messages[0], "byte 100"),
	      "message does not name allocator, op, key and byte: %s", r->verify_messages[0]);
	zpb_run_result_free(r);

	/* --fatal-verify stops there and marks the run incomplete. */
	o.fatal_verify = true;
	corrupt_allocs = 0;
	{
		struct zpb_record many[3000];

		for (k = 0; k < 1500; k++) {
			many[k] = rec_op(ZPB_OP_STORE, 0, k, 300);
			many[1500 + k] = rec_op(ZPB_OP_LOAD, 0, k, 0);
		}
		zpb_replay_source_memory(&src, many, 3000);
		r = zpb_replay_run(&o, &src, &spec, 0, NULL, err, sizeof(err));
		REQUIRE(r, "%s", err);
		CHECK(!r->complete, "fatal verify did not stop the run");
		CHECK(r->records < 3000, "replayed all %llu records", (unsigned long long)r->records);
		zpb_run_result_free(r);
	}
}

static size_t gen_trace(struct zpb_record *recs, size_t n, uint64_t seed)
{
	size_t i, m = 0;
	uint64_t live[512] = { 0 };

	rng_state = seed;
	for (i = 0; i < n; i++) {
		uint64_t k = rng() % 512, x = rng();

		if (i % 2000 == 1999) {
			char l[16];

			snprintf(l, sizeof(l), "m%zu", i);
			recs[m++] = rec_mark(l);
		} else if (i % 5000 == 4999) {
			recs[m] = rec_op(ZPB_OP_COMPACT, 0, 0, 0);
			m++;
		} else if (live[k] && x % 3 == 0) {
			recs[m++] = rec_op(ZPB_OP_LOAD, 0, k, 0);
			live[k] = 0;
		} else if (live[k] && x % 3 == 1) {
			recs[m++] = rec_op(ZPB_OP_INVALIDATE, 0, k, 0);
			live[k] = 0;
		} else {
			recs[m++] = rec_op(ZPB_OP_STORE, 0, k, 64 + (uint32_t)(x >> 20) % 3000);
			live[k] = 1;
		}
	}
	return m;
}

static volatile sig_atomic_t timed_stop;

static void on_alarm(int sig)
{
	(void)sig;
	timed_stop = 1;
}

TEST(timed_replay_of_a_centuries_long_gap_ends_on_the_stop_flag)
{
	/*
	 * A gap of 2^64-2 ns at --speed 0.000001 once overflowed the double-to-u64
	 * conversion (undefined; on x86 no wait at all) and a merely long gap could
	 * not be interrupted: now the wait saturates and the stop flag (Ctrl-C)
	 * ends it, the run marked incomplete.
	 */
	struct zpb_record recs[3];
	static struct zpb_replay_options o;
	static const char *const kv[] = { "timed", NULL, "speed", "0.000001", "reclaim", "none", NULL };
	struct zpb_replay_source src;
	struct itimerval it = { .it_value = { 0, 50000 } };
	struct sigaction sa, old;
	struct zpb_run_result *r;
	char err[512];

	recs[0] = rec_op(ZPB_OP_STORE, 0, ZPB_KEY(0, 1), 100);
	recs[0].time_ns = 1;
	recs[1] = rec_op(ZPB_OP_LOAD, 0, ZPB_KEY(0, 1), 0);
	recs[1].time_ns = UINT64_MAX;
	recs[2] = rec_mark("end");
	recs[2].time_ns = UINT64_MAX;
	REQUIRE(!opts_make(&o, "zbud", kv, err, sizeof(err)), "%s", err);
	zpb_replay_source_memory(&src, recs, 3);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, &old);
	timed_stop = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	r = zpb_replay_run(&o, &src, &o.specs[0], 0, &timed_stop, err, sizeof(err));
	sigaction(SIGALRM, &old, NULL);
	REQUIRE(r, "replay: %s", err);
	CHECK(timed_stop, "the run returned before the stop flag was set: the gap was not waited for");
	CHECK(!r->complete, "a run stopped in a timed wait is marked incomplete");
	zpb_run_result_free(r);
}

TEST(deterministic_mode_gives_identical_pages_at_every_mark)
{
	static const char *const kv[] = { "deterministic", "1", "pool-limit", "40", NULL };
	static struct zpb_record recs[20000];
	const struct zpool_driver *const *d;
	size_t n = gen_trace(recs, 20000, 12345);

	for (d = zpb_drivers(); *d; d++) {
		struct zpb_run_result *a, *b;
		size_t i;

		if ((*d)->caps & ZPB_CAP_HARNESS)
			continue;
		a = run((*d)->type, kv, recs, n);
		b = run((*d)->type, kv, recs, n);
		REQUIRE(a && b, "no result for %s", (*d)->type);
		REQUIRE(a->nmarks == b->nmarks && a->nmarks >= 9, "%s: %zu vs %zu marks", (*d)->type, a->nmarks, b->nmarks);
		for (i = 0; i < a->nmarks; i++) {
			CHECK(a->marks[i].s.pool_pages == b->marks[i].s.pool_pages &&
			      a->marks[i].s.arena_pages == b->marks[i].s.arena_pages &&
			      a->marks[i].s.stored_bytes == b->marks[i].s.stored_bytes,
			      "%s: mark %s: pool pages %llu vs %llu, arena %llu vs %llu", (*d)->type, a->marks[i].label,
			      (unsigned long long)a->marks[i].s.pool_pages, (unsigned long long)b->marks[i].s.pool_pages,
			      (unsigned long long)a->marks[i].s.arena_pages, (unsigned long long)b->marks[i].s.arena_pages);
		}
		CHECK(a->rc.writebacks == b->rc.writebacks, "%s: writebacks %llu vs %llu", (*d)->type,
		      (unsigned long long)a->rc.writebacks, (unsigned long long)b->rc.writebacks);
		CHECK(a->rc.writebacks > 0, "%s: the 40-page limit never caused reclaim", (*d)->type);
		CHECK_EQ_UL(a->verify_failures + b->verify_failures, 0, "verify failures");
		CHECK_EQ_UL(a->leaked_pages, 0, "leaked pages");
		zpb_run_result_free(a);
		zpb_run_result_free(b);
	}
}

TEST(bad_options_give_one_line_errors)
{
	static struct zpb_replay_options o;
	static const struct { const char *name, *value, *expect; } bad[] = {
		{ "alloc", "nosuchalloc", "--alloc" },
		{ "threads", "0", "--threads" },
		{ "threads", "two", "--threads" },
		{ "threads", "99999", "--threads" },
		{ "sample-ops", "-5", "--sample-ops" },
		{ "speed", "fast", "--speed" },
		{ "pool-limit", "5x", "--pool-limit" },
		{ "pool-limit", "200%", "--pool-limit" },
		{ "accept-threshold", "0", "--accept-threshold" },
		{ "reclaim", "lru", "--reclaim" },
		{ "partition", "node", "--partition" },
		{ "cpus", "1-", "--cpus" },
		{ "repeat", "", "--repeat" },
		{ "frobnicate", "1", "frobnicate" },
	};
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		zpb_replay_options_init(&o);
		err[0] = '\0';
		CHECK(zpb_replay_set_option(&o, bad[i].name, bad[i].value, err, sizeof(err)) == -1,
		      "--%s %s accepted", bad[i].name, bad[i].value);
		CHECK(strstr(err, bad[i].expect) && !strchr(err, '\n'), "--%s %s: message '%s'", bad[i].name,
		      bad[i].value, err);
	}
	CHECK(opts_make(&o, "ideal", (const char *const[]){ "cpus", "4000", NULL }, err, sizeof(err)) == -1,
	      "nonexistent CPU accepted");
	CHECK(strstr(err, "CPU 4000 does not exist") != NULL, "message: %s", err);
	CHECK(opts_make(&o, "ideal", (const char *const[]){ "numa-nodes", "63", NULL }, err, sizeof(err)) == -1,
	      "nonexistent node accepted");
	CHECK(strstr(err, "node 63 does not exist") != NULL, "message: %s", err);
	CHECK(opts_make(&o, "ideal", (const char *const[]){ "deterministic", "1", "threads", "2", NULL }, err,
			sizeof(err)) == -1, "--deterministic with 2 threads accepted");
}

TEST(store_flags_same_filled_and_incompressible_are_accounted)
{
	struct zpb_record recs[6];
	struct zpb_run_result *r;

	recs[0] = rec_op(ZPB_OP_STORE, 0, 1, 0);
	recs[0].flags = ZPB_STORE_SAME_FILLED;
	recs[1] = rec_op(ZPB_OP_STORE, 0, 2, 4096);
	recs[1].flags = ZPB_STORE_INCOMPRESSIBLE;
	recs[2] = rec_op(ZPB_OP_STORE, 0, 3, 500);
	recs[2].flags = ZPB_STORE_SEED;
	recs[2].content = 77;
	recs[3] = rec_op(ZPB_OP_LOAD, 0, 1, 0);
	recs[4] = rec_op(ZPB_OP_LOAD, 0, 3, 0);
	r = run("ideal", NULL, recs, 5);
	REQUIRE(r, "no result");
	CHECK_EQ_UL(r->ops.same_filled, 1, "same-filled stores");
	CHECK_EQ_UL(r->final.stored_bytes, 4096, "stored bytes (incompressible at PAGE_SIZE)");
	CHECK_EQ_UL(r->final.live_objects, 1, "live objects after exclusive loads");
	CHECK_EQ_UL(r->ops.load_hits, 2, "load hits (same-filled and seeded)");
	CHECK_EQ_UL(r->verify_failures, 0, "verify failures");
	zpb_run_result_free(r);
}

TEST(replay_refuses_a_trace_of_pages_larger_than_4096_instead_of_clamping)
{
	/* It used to replay with each 16384-byte STORE clamped to one 4096-byte page, without a word. */
	static struct zpb_replay_options o;
	struct zpb_replay_source src;
	struct zpb_record recs[1];
	struct zpb_run_result *r;
	char err[512] = "";

	recs[0] = rec_op(ZPB_OP_STORE, 0, ZPB_KEY(0, 1), 2000);
	REQUIRE(opts_make(&o, "zsmalloc", NULL, err, sizeof(err)) == 0, "%s", err);
	zpb_replay_source_memory(&src, recs, 1);
	src.page_size = 16384;
	src.name = "big-pages.zpt";
	r = zpb_replay_run(&o, &src, &o.specs[0], 0, NULL, err, sizeof(err));
	CHECK(!r, "zsmalloc replayed a trace of 16384-byte pages");
	CHECK(strstr(err, "big-pages.zpt: page size 16384") && strstr(err, "4096") && !strchr(err, '\n'),
	      "error does not name the trace and both sizes in one line: '%s'", err);
	zpb_run_result_free(r);
	src.page_size = 4096;
	r = zpb_replay_run(&o, &src, &o.specs[0], 0, NULL, err, sizeof(err));
	CHECK(r && r->complete, "a 4096-byte-page trace replays: %s", r ? "incomplete" : err);
	zpb_run_result_free(r);
	src.page_size = 2048;	/* smaller pages fit in one: left as they are */
	r = zpb_replay_run(&o, &src, &o.specs[0], 0, NULL, err, sizeof(err));
	CHECK(r != NULL, "a 2048-byte-page trace replays: %s", err);
	zpb_run_result_free(r);
}
