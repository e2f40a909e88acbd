// SPDX-License-Identifier: GPL-2.0-only
// zpb-test: threaded
/*
 * replay --compress and the zswap models: every page a sample stores is
 * stored at exactly liblz4's length; a compressed replay verifies on every
 * allocator on 2 threads; each --zswap-model does to a hand-made set of
 * pages (zero, same-filled, random, text) what that kernel's zswap does,
 * outcomes worked out by hand in the comments.
 */
#include <lz4.h>
#include <stdlib.h>
#include <string.h>

#include "../traces/pages.h"
#include "config.h"
#include "harness.h"
#include "replay_util.h"
#include "trace_util.h"

static struct zpb_run_result *run_with_pages(const char *alloc, const char *const *kv,
					     const struct zpb_page_set *pages,
					     const struct zpb_record *recs, size_t n)
{
	static struct zpb_replay_options o;
	struct zpb_replay_source src;
	struct zpb_run_result *r;
	char err[512];

	if (opts_make(&o, alloc, kv, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "options for %s: %s", alloc, err);
		return NULL;
	}
	o.pages = pages;
	zpb_replay_source_memory(&src, recs, n);
	r = zpb_replay_run(&o, &src, &o.specs[0], 0, NULL, err, sizeof(err));
	if (!r)
		zpbt_fail(__FILE__, __LINE__, "replay %s: %s", alloc, err);
	zpb_replay_options_release(&o);
	return r;
}

static struct zpb_record rec_store_page(uint64_t key, uint64_t page)
{
	struct zpb_record r = rec_op(ZPB_OP_STORE, 0, key, 100);

	r.flags = ZPB_STORE_PAGEREF;
	r.content = page;
	return r;
}

TEST(compressed_store_lengths_equal_liblz4_for_every_page_of_a_sample)
{
	struct zpb_page_set set;
	struct zpb_record *recs;
	struct zpb_run_result *r;
	const char *kv[] = { "compress", "lz4", "pool-limit", "none", NULL };
	char err[512], out[8192];
	uint64_t i, n, bad = 0;

	REQUIRE(!zpb_page_set_load(&set, "traces/samples/binaries-lru.zpt.pages", err, sizeof(err)), "%s", err);
	n = set.info.page_count;
	recs = calloc(2 * n, sizeof(*recs));
	REQUIRE(recs, "out of memory");
	for (i = 0; i < n; i++) {
		recs[2 * i] = rec_store_page(ZPB_KEY(0, i), i);
		recs[2 * i + 1] = rec_mark("p");
	}
	r = run_with_pages("zsmalloc", kv, &set, recs, 2 * n);
	REQUIRE(r, "no result");
	REQUIRE(r->nmarks == n, "zsmalloc: %zu marks, expected %llu", r->nmarks, (unsigned long long)n);
	for (i = 0; i < n; i++) {
		const unsigned char *pg = zpb_page_set_page(&set, i);
		int64_t before = i ? r->marks[i - 1].s.stored_bytes : 0, got = r->marks[i].s.stored_bytes - before;
		int want = LZ4_compress_default((const char *)pg, out, 4096, sizeof(out));
		int zero = 1;

		for (int k = 0; k < 4096 && zero; k++)
			zero = !pg[k];
		if (zero)
			want = 0;		/* 6.18: a zero page goes to the swap map */
		else if (want >= 4096)
			want = 4096;		/* 6.18 stores it as-is */
		if (got != want && bad++ < 5)
			CHECK(0, "zsmalloc: STORE of page %llu: stored %lld bytes, liblz4 gives %d", (unsigned long long)i,
			      (long long)got, want);
	}
	CHECK(bad == 0, "zsmalloc: %llu of %llu pages stored at another length than liblz4's", (unsigned long long)bad,
	      (unsigned long long)n);
	CHECK_EQ_UL(r->verify_failures, 0, "verify failures");
	zpb_run_result_free(r);
	free(recs);
	zpb_page_set_free(&set);
}

TEST(compressed_replay_of_a_sample_verifies_on_every_allocator_on_two_threads)
{
	static const char *const allocs[] = { "z3fold", "zbud", "zsmalloc", "ideal" };
	static const char *const codecs[] = { "lz4", "lzo", "zstd", "deflate" };
	struct zpb_trace_reader *tr;
	struct zpb_page_set set;
	struct zpb_record *recs;
	size_t n = 0, cap = 1 << 15;
	char err[512];
	int rc;

	REQUIRE(!zpb_page_set_load(&set, "traces/samples/licenses-lru.zpt.pages", err, sizeof(err)), "%s", err);
	tr = zpb_trace_open("traces/samples/licenses-lru.zpt", err, sizeof(err));
	REQUIRE(tr, "%s", err);
	recs = malloc(cap * sizeof(*recs));
	REQUIRE(recs, "out of memory");
	while (n < cap && (rc = zpb_trace_next(tr, &recs[n], err, sizeof(err))) == 1)
		n++;
	zpb_trace_close(tr);
	for (int c = 0; c < 4; c++)
		for (int a = 0; a < 4; a++) {
			/* lz4 on every allocator; the other codecs on zsmalloc. */
			if (c && strcmp(allocs[a], "zsmalloc"))
				continue;
			if (!HAVE_ZLIB && !strcmp(codecs[c], "deflate")) {
				zpbt_skip("--compress deflate: this build has no zlib (apt-get install zlib1g-dev, then ./configure)");
				continue;
			}
			const char *kv[] = { "compress", codecs[c], "threads", "2", NULL };
			struct zpb_run_result *r = run_with_pages(allocs[a], kv, &set, recs, n);

			if (!r)
				continue;
			CHECK(r->complete && r->verify_failures == 0 && r->ops.codec_failures == 0,
			      "%s --compress %s, 2 threads: %llu verify failures (%s), %llu codec failures, complete %d",
			      allocs[a], codecs[c], (unsigned long long)r->verify_failures,
			      r->nverify_messages ? r->verify_messages[0] : "-",
			      (unsigned long long)r->ops.codec_failures, r->complete);
			CHECK(r->ops.load_hits > 1000 && r->ops.compressed_stores > 1000,
			      "%s --compress %s: only %llu loads hit, %llu pages compressed", allocs[a], codecs[c],
			      (unsigned long long)r->ops.load_hits, (unsigned long long)r->ops.compressed_stores);
			CHECK(r->phase && r->phase[ZPB_PH_STORE_COMPRESS].count == r->ops.compressed_stores &&
			      r->phase[ZPB_PH_LOAD_VERIFY].count == r->ops.load_hits,
			      "%s --compress %s: phase histograms count %llu compressions and %llu verifies, expected %llu and %llu",
			      allocs[a], codecs[c], r->phase ? (unsigned long long)r->phase[ZPB_PH_STORE_COMPRESS].count : 0ull,
			      r->phase ? (unsigned long long)r->phase[ZPB_PH_LOAD_VERIFY].count : 0ull,
			      (unsigned long long)r->ops.compressed_stores, (unsigned long long)r->ops.load_hits);
			zpb_run_result_free(r);
		}
	free(recs);
	zpb_page_set_free(&set);
}

/*
 * Four hand-made pages: 0 zero, 1 every word 0x4141..41 (same-filled, not
 * zero), 2 random bytes (lz4 makes it longer than 4096), 3 text. Each is
 * stored once (keys 0..3) and loaded once.
 */
static void model_pages(struct zpb_page_set *set)
{
	const char *path = tu_path("model.pages");
	struct zpb_pages_writer *w;
	unsigned char pg[4096];
	uint64_t st = 99;
	char err[512];

	w = zpb_pages_writer_open(path, 4096, err, sizeof(err));
	REQUIRE(w, "%s", err);
	memset(pg, 0, sizeof(pg));
	zpb_pages_write(w, pg, err, sizeof(err));
	memset(pg, 0x41, sizeof(pg));
	zpb_pages_write(w, pg, err, sizeof(err));
	for (int i = 0; i < 4096; i++)
		pg[i] = (unsigned char)tu_rand(&st);
	zpb_pages_write(w, pg, err, sizeof(err));
	for (int i = 0; i < 4096; i++)
		pg[i] = (unsigned char)("the quick brown fox jumps over the lazy dog "[i % 44] + (i / 512));
	zpb_pages_write(w, pg, err, sizeof(err));
	REQUIRE(!zpb_pages_writer_finish(w, err, sizeof(err)), "%s", err);
	REQUIRE(!zpb_page_set_load(set, path, err, sizeof(err)), "%s", err);
}

struct model_case {
	const char *model, *reclaim;
	/* worked out by hand from the model's rules (docs/replay.md) */
	uint64_t same_filled, zero_filled, rejected_compress, stored_as_is, stored_pages, load_hits, load_zero;
};

TEST(each_zswap_model_does_to_zero_same_random_and_text_pages_what_its_kernel_does)
{
	static const struct model_case cases[] = {
		/* 5.4: zero and 0x41 pages kept as values; random > PAGE_SIZE rejected; text stored. */
		{ "5.4", NULL, 2, 0, 1, 0, 1, 3, 0 },
		{ "seed", NULL, 2, 0, 1, 0, 1, 3, 0 },
		/* 6.8: the same before the allocator (the shrinker changes reclaim, not what is stored). */
		{ "6.8", NULL, 2, 0, 1, 0, 1, 3, 0 },
		/* 6.11: the zero page goes to the swap map; 0x41 a value; random rejected; text stored. */
		{ "6.11", NULL, 1, 1, 1, 0, 1, 2, 1 },
		/* 6.18: zero to the swap map; 0x41 compressed; random stored as-is; text stored. */
		{ "6.18", NULL, 0, 1, 0, 1, 3, 3, 1 },
		{ "modern", NULL, 0, 1, 0, 1, 3, 3, 1 },
		/* 6.18 without writeback: random rejected instead. */
		{ "6.18", "none", 0, 1, 1, 0, 2, 2, 1 },
	};
	struct zpb_page_set set;
	struct zpb_record recs[8];

	model_pages(&set);
	if (zpbt_failed())
		return;
	for (int i = 0; i < 4; i++) {
		recs[i] = rec_store_page(ZPB_KEY(0, i), (uint64_t)i);
		recs[4 + i] = rec_op(ZPB_OP_LOAD, 0, ZPB_KEY(0, i), 0);
	}
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct model_case *m = &cases[c];
		const char *kv[] = { "compress", "lz4", "zswap-model", m->model, "pool-limit", "none",
				     m->reclaim ? "reclaim" : NULL, m->reclaim, NULL };
		struct zpb_run_result *r = run_with_pages("zsmalloc", kv, &set, recs, 8);

		if (!r)
			continue;
#define EXPECT(field, val) CHECK(r->ops.field == (val), "zsmalloc --zswap-model %s%s: " #field " %llu, expected %llu", \
				 m->model, m->reclaim ? " --reclaim none" : "", (unsigned long long)r->ops.field, (unsigned long long)(val))
		EXPECT(same_filled, m->same_filled);
		EXPECT(zero_filled, m->zero_filled);
		EXPECT(rejected_compress, m->rejected_compress);
		EXPECT(stored_as_is, m->stored_as_is);
		EXPECT(load_hits, m->load_hits);
		EXPECT(load_zero, m->load_zero);
#undef EXPECT
		CHECK(r->phase[ZPB_PH_STORE_ALLOCATE].count == m->stored_pages,
		      "zsmalloc --zswap-model %s: %llu allocations, expected %llu", m->model,
		      (unsigned long long)r->phase[ZPB_PH_STORE_ALLOCATE].count, (unsigned long long)m->stored_pages);
		CHECK(r->verify_failures == 0, "zsmalloc --zswap-model %s: %llu verify failures", m->model,
		      (unsigned long long)r->verify_failures);
		zpb_run_result_free(r);
	}
	zpb_page_set_free(&set);
}

TEST(without_contents_the_models_reject_or_store_incompressible_pages_by_era)
{
	struct zpb_record recs[2];
	static const struct { const char *model, *reclaim; uint64_t rejected, as_is; } cases[] = {
		{ "5.4", NULL, 1, 0 }, { "6.8", NULL, 1, 0 }, { "6.11", NULL, 1, 0 },
		{ "6.18", NULL, 0, 1 }, { "6.18", "none", 1, 0 },
	};

	recs[0] = rec_op(ZPB_OP_STORE, 0, ZPB_KEY(0, 1), 4096);
	recs[0].flags = ZPB_STORE_INCOMPRESSIBLE;
	recs[1] = rec_op(ZPB_OP_STORE, 0, ZPB_KEY(0, 2), 900);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const char *kv[] = { "zswap-model", cases[c].model, "pool-limit", "none",
				     cases[c].reclaim ? "reclaim" : NULL, cases[c].reclaim, NULL };
		struct zpb_run_result *r = replay_memory("zsmalloc", kv, recs, 2);

		if (!r)
			continue;
		CHECK(r->ops.rejected_compress == cases[c].rejected && r->ops.stored_as_is == cases[c].as_is &&
		      r->final.stored_pages == (int64_t)(1 + cases[c].as_is),
		      "zsmalloc --zswap-model %s%s, an incompressible STORE: rejected %llu (expected %llu), as-is %llu (expected %llu), %lld stored",
		      cases[c].model, cases[c].reclaim ? " --reclaim none" : "",
		      (unsigned long long)r->ops.rejected_compress, (unsigned long long)cases[c].rejected,
		      (unsigned long long)r->ops.stored_as_is, (unsigned long long)cases[c].as_is,
		      (long long)r->final.stored_pages);
		zpb_run_result_free(r);
	}
}

TEST(compress_refuses_lzo_rle_and_unknown_codecs_in_one_line)
{
	struct zpb_codec c;
	char err[512];

	CHECK(zpb_codec_parse("lzo-rle", &c, err, sizeof(err)) == -1 && strstr(err, "lzo-rle") && !strchr(err, '\n'),
	      "lzo-rle: %s", err);
	CHECK(zpb_codec_parse("lz5", &c, err, sizeof(err)) == -1 && strstr(err, "lz5"), "lz5: %s", err);
	CHECK(zpb_codec_parse("zstd:22", &c, err, sizeof(err)) == -1 && strstr(err, "1..19"), "zstd:22: %s", err);
	CHECK(zpb_codec_parse("zstd", &c, err, sizeof(err)) == 0 && !strcmp(c.name, "zstd:3"), "zstd: %s", c.name);
}
