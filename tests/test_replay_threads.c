// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: threaded
/*
 * Threaded replay: partitioning by key and by CPU, with per-key order kept
 * across threads (a LOAD seeing the wrong version, or none, would fail
 * verification or count as not found), and async reclaim.
 */
#include <stdlib.h>
#include <string.h>

#include "../replay/replay.h"
#include "harness.h"
#include "replay_util.h"

/* Each key: STORE on one CPU, LOAD on the other, again and again. */
static size_t ping_pong(struct zpb_record *recs, size_t rounds, unsigned int keys)
{
	size_t n = 0, i;
	unsigned int k;

	for (i = 0; i < rounds; i++)
		for (k = 0; k < keys; k++) {
			recs[n++] = rec_op(ZPB_OP_STORE, (uint32_t)(i + k) & 1, k, 100 + (uint32_t)((i * 7 + k) % 2000));
			recs[n++] = rec_op(ZPB_OP_LOAD, (uint32_t)(i + k + 1) & 1, k, 0);
		}
	return n;
}

static struct zpb_run_result *run2(const char *const *kv, const struct zpb_record *recs, size_t n)
{
	return replay_memory("ideal", kv, recs, n);
}

TEST(partition_cpu_keeps_per_key_order_across_threads)
{
	static const char *const kv[] = { "threads", "2", "partition", "cpu", NULL };
	size_t n, rounds = (size_t)(40 * zpbt_scale());
	struct zpb_record *recs = malloc(rounds * 500 * 2 * sizeof(*recs));
	struct zpb_run_result *r;

	REQUIRE(recs, "out of memory");
	n = ping_pong(recs, rounds, 500);
	r = run2(kv, recs, n);
	REQUIRE(r, "no result");
	CHECK_EQ_UL(r->ops.load_hits, n / 2, "ideal partition=cpu load hits");
	CHECK_EQ_UL(r->ops.load_not_found, 0, "ideal partition=cpu loads before their store");
	CHECK_EQ_UL(r->verify_failures, 0, "ideal partition=cpu verify failures (wrong version)");
	CHECK_EQ_UL(r->nthreads, 2, "threads");
	CHECK_EQ_UL(r->threads[0].ops, n / 2, "thread 0 ops (traced CPU 0)");
	CHECK_EQ_UL(r->threads[1].ops, n / 2, "thread 1 ops (traced CPU 1)");
	CHECK_EQ_UL(r->final.stored_bytes, 0, "stored bytes at the end");
	zpb_run_result_free(r);
	free(recs);
}

TEST(partition_key_keeps_each_key_on_one_thread)
{
	static const char *const kv[] = { "threads", "2", "partition", "key", NULL };
	size_t n, rounds = (size_t)(40 * zpbt_scale());
	struct zpb_record *recs = malloc(rounds * 500 * 2 * sizeof(*recs));
	struct zpb_run_result *r;

	REQUIRE(recs, "out of memory");
	n = ping_pong(recs, rounds, 500);
	r = run2(kv, recs, n);
	REQUIRE(r, "no result");
	CHECK_EQ_UL(r->ops.load_hits, n / 2, "ideal partition=key load hits");
	CHECK_EQ_UL(r->verify_failures, 0, "verify failures");
	CHECK(r->threads[0].ops > 0 && r->threads[1].ops > 0, "a thread got nothing: %llu / %llu",
	      (unsigned long long)r->threads[0].ops, (unsigned long long)r->threads[1].ops);
	CHECK_EQ_UL(r->threads[0].ops + r->threads[1].ops, n, "ops over threads");
	zpb_run_result_free(r);
	free(recs);
}

TEST(marks_see_every_record_before_them_under_threads)
{
	static const char *const kv[] = { "threads", "2", "partition", "cpu", NULL };
	struct zpb_record recs[2100];
	struct zpb_run_result *r;
	size_t n = 0;
	int k;

	for (k = 0; k < 1000; k++)
		recs[n++] = rec_op(ZPB_OP_STORE, (uint32_t)k & 1, k, 1000);
	recs[n++] = rec_mark("full");
	for (k = 0; k < 1000; k++)
		recs[n++] = rec_op(ZPB_OP_INVALIDATE, (uint32_t)k & 1, k, 0);
	recs[n++] = rec_mark("empty");
	r = run2(kv, recs, n);
	REQUIRE(r, "no result");
	REQUIRE(r->nmarks == 2, "marks: %zu", r->nmarks);
	CHECK_EQ_UL(r->marks[0].s.stored_bytes, 1000000, "stored bytes at mark 'full'");
	CHECK_EQ_UL(r->marks[0].s.pool_pages, (1000000 + 4095) / 4096, "ideal pool pages at 'full'");
	CHECK_EQ_UL(r->marks[1].s.live_objects, 0, "live objects at 'empty'");
	zpb_run_result_free(r);
}

TEST(async_zswap_lru_reclaim_under_threads_keeps_data_intact)
{
	static const char *const kv[] = { "threads", "2", "pool-limit", "30", "reclaim", "zswap-lru",
					  "reclaim-mode", "async", "exclusive-loads", "off", NULL };
	size_t n = 0, i;
	struct zpb_record *recs = malloc(60000 * sizeof(*recs));
	struct zpb_run_result *r;

	REQUIRE(recs, "out of memory");
	for (i = 0; i < 20000; i++) {
		recs[n++] = rec_op(ZPB_OP_STORE, (uint32_t)i & 1, i % 3000, 500 + (uint32_t)(i % 1500));
		recs[n++] = rec_op(ZPB_OP_LOAD, (uint32_t)(i + 1) & 1, (i * 7) % 3000, 0);
		if (i % 4 == 0)
			recs[n++] = rec_op(ZPB_OP_INVALIDATE, 0, (i * 13) % 3000, 0);
	}
	r = run2(kv, recs, n);
	REQUIRE(r, "no result");
	CHECK_EQ_UL(r->verify_failures, 0, "verify failures with reclaim racing loads");
	CHECK(r->rc.writebacks > 0, "async reclaim never wrote back (limit 30 pages)");
	CHECK_EQ_UL(r->leaked_pages, 0, "leaked pages");
	zpb_run_result_free(r);
	free(recs);
}

/* A store/load/invalidate mix over 3000 keys from two traced CPUs. */
static size_t churn(struct zpb_record *recs, size_t rounds)
{
	size_t n = 0, i;

	for (i = 0; i < rounds; i++) {
		recs[n++] = rec_op(ZPB_OP_STORE, (uint32_t)i & 1, i % 3000, 200 + (uint32_t)(i * 37 % 3000));
		recs[n++] = rec_op(ZPB_OP_LOAD, (uint32_t)(i + 1) & 1, (i * 7) % 3000, 0);
		if (i % 4 == 0)
			recs[n++] = rec_op(ZPB_OP_INVALIDATE, 0, (i * 13) % 3000, 0);
		if (i % 5000 == 4999)
			recs[n++] = rec_op(ZPB_OP_COMPACT, 0, 0, 0);
	}
	return n;
}

TEST(every_allocator_under_threads_and_reclaim_keeps_data_intact)
{
	static const char *const lru[] = { "threads", "2", "partition", "cpu", "pool-limit", "40",
					   "reclaim", "zswap-lru", "reclaim-mode", "async", NULL };
	static const char *const pool[] = { "threads", "2", "pool-limit", "40", "reclaim", "pool-lru",
					    "zswap-model", "seed", NULL };
	size_t n, rounds = (size_t)(15000 * zpbt_scale());
	struct zpb_record *recs = malloc(rounds * 3 * sizeof(*recs));
	const struct zpool_driver *const *d;

	REQUIRE(recs, "out of memory");
	n = churn(recs, rounds);
	for (d = zpb_drivers(); *d; d++) {
		int pass;

		if ((*d)->caps & ZPB_CAP_NO_DATA)
			continue;
		for (pass = 0; pass < 2; pass++) {
			struct zpb_run_result *r;

			if (pass == 1 && !((*d)->caps & ZPB_CAP_EVICT))
				continue;
			r = replay_memory((*d)->type, pass ? pool : lru, recs, n);
			REQUIRE(r, "no result for %s", (*d)->type);
			CHECK(r->verify_failures == 0, "%s %s: %llu verify failures, first: %s", (*d)->type,
			      pass ? "pool-lru" : "zswap-lru async", (unsigned long long)r->verify_failures,
			      r->nverify_messages ? r->verify_messages[0] : "");
			CHECK(r->rc.writebacks > 0, "%s %s: the 40-page limit never caused a writeback", (*d)->type,
			      pass ? "pool-lru" : "zswap-lru");
			CHECK(r->leaked_pages == 0, "%s: %ld pages leaked", (*d)->type, r->leaked_pages);
			CHECK(r->warnings == 0, "%s: %lu WARNs", (*d)->type, r->warnings);
			zpb_run_result_free(r);
		}
	}
	free(recs);
}

TEST(counters_under_threads_count_every_replayed_op)
{
	static const char *const kv[] = { "threads", "2", "counters", "perf::page-faults", NULL };
	size_t n, rounds = 5;
	struct zpb_record *recs = malloc(rounds * 500 * 2 * sizeof(*recs));
	struct zpb_run_result *r;
	const struct zpb_counter_event *ev;

	REQUIRE(recs, "out of memory");
	n = ping_pong(recs, rounds, 500);
	r = run2(kv, recs, n);
	REQUIRE(r, "no result");
	REQUIRE(r->counters && r->counters->n == 1, "no counter figures in the result");
	ev = &r->counters->ev[0];
	if (ev->status == ZPB_COUNTER_OK)
		CHECK_EQ_UL(ev->ops, n, "ops the page-fault counter was counted over (every store and load)");
	else
		CHECK(ev->reason[0], "unsupported without a reason");
	zpb_run_result_free(r);
	free(recs);
}
