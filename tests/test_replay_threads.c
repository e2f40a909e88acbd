// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: threaded
/*
 * Threaded replay: partitioning by key and by CPU, with per-key order kept
 * across threads (a LOAD seeing the wrong version, or none, would fail
 * verification or count as not found), and async reclaim.
 */
#include <stdlib.h>
#include <string.h>

#include "../replay/internal.h"	/* zpb_kt_hash(), KT_LEAF_BITS: --partition key's thread of a key */
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

/*
 * Per-thread streams (replay/streams.c): a random mix over 2000 keys from 4
 * traced CPUs, 120000 records with a MARK every 7919 (each ending a chunk
 * before its 8192 records), so 16 chunks: each of the 8 chunk slots is
 * used twice. A serial model of the trace gives the exact figures every
 * partitioning must reproduce: each record played exactly once, each key's
 * records in trace order (a LOAD played before its STORE, or after an
 * INVALIDATE that follows it, changes the hit count or fails
 * verification), and the marks' live objects exactly.
 */
#define MIX_KEYS 2000
#define MIX_MARK_EVERY 7919

struct mix {
	struct zpb_record *recs;
	size_t n;
	uint64_t store, load, invalidate, hits, not_found, marks;
	int64_t live_at_mark[16];
	uint64_t per_key_ops[MIX_KEYS];
};

static uint64_t mix_rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void mix_make(struct mix *m, size_t records)
{
	static unsigned char live[MIX_KEYS];
	uint64_t s = 0x2545f4914f6cdd1dull;
	int64_t nlive = 0;
	size_t i;

	memset(live, 0, sizeof(live));
	memset(m, 0, sizeof(*m));
	m->recs = malloc(records * sizeof(*m->recs));
	if (!m->recs)
		return;
	for (i = 0; i < records; i++) {
		uint64_t r = mix_rnd(&s), k = (r >> 8) % MIX_KEYS;
		uint32_t cpu = (uint32_t)(r >> 40) & 3;

		if (i % MIX_MARK_EVERY == MIX_MARK_EVERY - 1 && m->marks < 16) {
			m->live_at_mark[m->marks++] = nlive;
			m->recs[m->n++] = rec_mark("m");
			continue;
		}
		switch (r % 20) {
		case 0 ... 9:
			m->recs[m->n++] = rec_op(ZPB_OP_STORE, cpu, k, 100 + (uint32_t)(r >> 24) % 3000);
			m->store++;
			nlive += !live[k];
			live[k] = 1;
			break;
		case 10 ... 16:
			m->recs[m->n++] = rec_op(ZPB_OP_LOAD, cpu, k, 0);
			m->load++;
			if (live[k])
				m->hits++;
			else
				m->not_found++;
			break;
		default:
			m->recs[m->n++] = rec_op(ZPB_OP_INVALIDATE, cpu, k, 0);
			m->invalidate++;
			nlive -= live[k];
			live[k] = 0;
			break;
		}
		m->per_key_ops[k]++;
	}
}

static void mix_check(const struct mix *m, const char *threads, const char *partition)
{
	const char *kv[] = { "threads", threads, "partition", partition, "exclusive-loads", "off", NULL };
	struct zpb_run_result *r = replay_memory("ideal", kv, m->recs, m->n);
	uint64_t sum = 0;
	size_t k;
	int t;

	REQUIRE(r, "no result (threads %s, partition %s)", threads, partition);
	CHECK(r->records == m->n, "threads %s partition %s: %llu records replayed, the trace has %zu", threads,
	      partition, (unsigned long long)r->records, m->n);
	CHECK(r->ops.store == m->store && r->ops.load == m->load && r->ops.invalidate == m->invalidate &&
	      r->ops.mark == m->marks,
	      "threads %s partition %s: played store/load/invalidate/mark %llu/%llu/%llu/%llu, the trace has %llu/%llu/%llu/%llu",
	      threads, partition, (unsigned long long)r->ops.store, (unsigned long long)r->ops.load,
	      (unsigned long long)r->ops.invalidate, (unsigned long long)r->ops.mark, (unsigned long long)m->store,
	      (unsigned long long)m->load, (unsigned long long)m->invalidate, (unsigned long long)m->marks);
	for (t = 0; t < r->nthreads; t++)
		sum += r->threads[t].ops;
	CHECK(sum == m->store + m->load + m->invalidate, "threads %s partition %s: the threads played %llu keyed records, the trace has %llu",
	      threads, partition, (unsigned long long)sum, (unsigned long long)(m->store + m->load + m->invalidate));
	CHECK(r->ops.load_hits == m->hits && r->ops.load_not_found == m->not_found,
	      "threads %s partition %s: load hits/not found %llu/%llu, trace order gives %llu/%llu", threads, partition,
	      (unsigned long long)r->ops.load_hits, (unsigned long long)r->ops.load_not_found,
	      (unsigned long long)m->hits, (unsigned long long)m->not_found);
	CHECK(r->verify_failures == 0, "threads %s partition %s: %llu verify failures (a key's records out of order), first: %s",
	      threads, partition, (unsigned long long)r->verify_failures, r->nverify_messages ? r->verify_messages[0] : "");
	CHECK(r->nmarks == m->marks, "threads %s partition %s: %zu marks, the trace has %llu", threads, partition,
	      r->nmarks, (unsigned long long)m->marks);
	for (k = 0; k < r->nmarks && k < m->marks; k++)
		CHECK(r->marks[k].s.live_objects == m->live_at_mark[k],
		      "threads %s partition %s: mark %zu sees %lld live objects, the records before it leave %lld", threads,
		      partition, k, (long long)r->marks[k].s.live_objects, (long long)m->live_at_mark[k]);
	CHECK(r->stream_chunks > 8, "threads %s partition %s: %llu chunks for %zu records", threads, partition,
	      (unsigned long long)r->stream_chunks, m->n);
	if (!strcmp(partition, "key")) {
		CHECK_EQ_UL(r->stream_sync_waits, 0, "sync waits with --partition key (no key crosses threads)");
		/* A key always goes to one thread (its leaf's): the threads' counts are sums of whole keys' counts. */
		for (t = 0; t < r->nthreads; t++) {
			uint64_t want = 0;

			for (k = 0; k < MIX_KEYS; k++)
				if ((zpb_kt_hash(k >> KT_LEAF_BITS) >> 32) % (uint64_t)r->nthreads == (uint64_t)t)
					want += m->per_key_ops[k];
			CHECK(r->threads[t].ops == want, "threads %s partition key: thread %d played %llu records, its keys have %llu",
			      threads, t, (unsigned long long)r->threads[t].ops, (unsigned long long)want);
		}
	}
	zpb_run_result_free(r);
}

TEST(streams_play_every_record_once_in_per_key_order)
{
	static const char *const threads[] = { "2", "3", "4" };
	struct mix *m = malloc(sizeof(*m));
	size_t i;

	REQUIRE(m, "out of memory");
	mix_make(m, (size_t)(120000 * (zpbt_scale() < 1 ? 1 : zpbt_scale())));
	REQUIRE(m->recs, "out of memory");
	for (i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		mix_check(m, threads[i], "key");
		mix_check(m, threads[i], "cpu");
	}
	free(m->recs);
	free(m);
}

/*
 * Sync points: every key hops between the traced CPUs on each record, so
 * under --partition cpu every record but a key's first waits on another
 * thread's. Exclusive loads: a LOAD played before the STORE it follows
 * misses (not found), one played twice or after the next STORE fails.
 */
TEST(streams_sync_points_order_a_key_across_threads)
{
	static const char *const kv[] = { "threads", "3", "partition", "cpu", NULL };
	size_t n = 0, i, rounds = 60000;	/* 15 chunks: each of the 8 slots reused */
	struct zpb_record *recs = malloc(rounds * 2 * sizeof(*recs));
	struct zpb_run_result *r;

	REQUIRE(recs, "out of memory");
	for (i = 0; i < rounds; i++) {
		uint64_t k = i % 700;

		recs[n++] = rec_op(ZPB_OP_STORE, (uint32_t)(i % 3), k, 100 + (uint32_t)(i % 3500));
		recs[n++] = rec_op(ZPB_OP_LOAD, (uint32_t)(i + 1) % 3, k, 0);
	}
	r = run2(kv, recs, n);
	REQUIRE(r, "no result");
	CHECK_EQ_UL(r->ops.load_hits, rounds, "loads that found their store (each right after it, on another thread)");
	CHECK_EQ_UL(r->ops.load_not_found, 0, "loads played before their store");
	CHECK_EQ_UL(r->verify_failures, 0, "verify failures");
	CHECK_EQ_UL(r->final.live_objects, 0, "live objects at the end (every load exclusive)");
	CHECK(r->stream_chunks >= 14, "%llu chunks for %zu records", (unsigned long long)r->stream_chunks, n);
	zpb_run_result_free(r);
	free(recs);
}

/* Last: replay_memory()'s options keep the counter set until the next test would drop it. */
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
