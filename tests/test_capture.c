// SPDX-License-Identifier: GPL-2.0-only
/*
 * Capture: page classification against direct library calls, the kernels'
 * same-filled and incompressible rules, order-model invariants, the Zipf
 * sampler, page-image capture end to end, and process capture on a child.
 */
#include <errno.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "../allocators/zsmalloc.h"
#include "../traces/capture/capture.h"
#include "../traces/capture/rng.h"
#include "harness.h"
#include "trace_util.h"

#define PG ZPB_PAGE_SIZE

/* A memory sink for the order models. */
struct mem_sink {
	struct zpb_sink base;
	struct zpb_record *recs;
	size_t n, cap;
};

static int mem_put(struct zpb_sink *s, const struct zpb_record *rec, char *err, size_t errlen)
{
	struct mem_sink *m = (struct mem_sink *)s;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		struct zpb_record *r = realloc(m->recs, cap * sizeof(*r));

		if (!r) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		m->recs = r;
		m->cap = cap;
	}
	m->recs[m->n++] = *rec;
	return 0;
}

static void mem_init(struct mem_sink *m)
{
	memset(m, 0, sizeof(*m));
	m->base.put = mem_put;
}

/*
 * A page image with one page of each kind: 0 text, 1 zeros, 2 a repeated
 * word, 3 the repeated word with the last word changed, 4 random bytes,
 * 5 half text half random, 6 a small-integer array.
 */
#define IMG_PAGES 7
static unsigned char *make_image(void)
{
	unsigned char *img = aligned_alloc(64, IMG_PAGES * PG);
	uint64_t st = 42, w = UINT64_C(0xdeadbeefcafef00d);
	size_t i;

	for (i = 0; i < PG; i++)
		img[i] = "the quick brown fox jumps over the lazy dog, page capture test. "[i % 64] ^
			 (unsigned char)(i / 512);
	memset(img + PG, 0, PG);
	for (i = 0; i < PG / 8; i++)
		memcpy(img + 2 * PG + 8 * i, &w, 8);
	memcpy(img + 3 * PG, img + 2 * PG, PG);
	img[4 * PG - 1] ^= 1;
	for (i = 0; i < PG; i += 8) {
		uint64_t r = tu_rand(&st);

		memcpy(img + 4 * PG + i, &r, 8);
	}
	memcpy(img + 5 * PG, img, PG / 2);
	memcpy(img + 5 * PG + PG / 2, img + 4 * PG, PG / 2);
	for (i = 0; i < PG / 4; i++) {
		uint32_t v = (uint32_t)(i * 7 % 300);

		memcpy(img + 6 * PG + 4 * i, &v, 4);
	}
	return img;
}

/* The compressed length straight from the library, as the kernel's crypto wrapper calls it. */
static long direct_len(const char *spec, const unsigned char *page)
{
	static unsigned char out[2 * PG + 1024];
	static unsigned char work[LZO1X_1_MEM_COMPRESS];

	if (!strcmp(spec, "lz4"))
		return LZ4_compress_default((const char *)page, (char *)out, PG, sizeof(out));
	if (!strcmp(spec, "lzo")) {
		lzo_uint n = sizeof(out);

		lzo_init();
		return lzo1x_1_compress(page, PG, out, &n, work) == LZO_E_OK ? (long)n : -1;
	}
	if (!strncmp(spec, "zstd:", 5))
		return (long)ZSTD_compress(out, sizeof(out), page, PG, atoi(spec + 5));
	return -1;
}

static const char *const specs[] = { "lz4", "lzo", "zstd:3", "zstd:9" };

TEST(capture_compressed_sizes_match_direct_library_calls_for_each_compressor)
{
	unsigned char *img = make_image();
	const char *path = tu_path("image.bin");
	const char *files[] = { path };
	struct zpb_page_policy pol = { .incompressible = ZPB_INCOMP_STORE };
	size_t s, i;

	tu_write_file(path, img, IMG_PAGES * PG);
	for (s = 0; s < sizeof(specs) / sizeof(specs[0]); s++) {
		struct zpb_order_page *pages;
		struct zpb_page_counts counts;
		uint64_t n;
		char err[256];

		pol.compressor = specs[s];
		REQUIRE(!zpb_classify_files(files, 1, &pol, NULL, &pages, &n, &counts, err, sizeof(err)),
			"%s: classify: %s", specs[s], err);
		CHECK_EQ_UL(n, IMG_PAGES, "pages classified");
		for (i = 0; i < n; i++) {
			long want = direct_len(specs[s], img + i * PG);

			if (i == 1 || i == 2)
				continue;	/* same-filled: not compressed */
			if (want >= PG)
				CHECK(pages[i].len == PG && pages[i].flags == ZPB_STORE_INCOMPRESSIBLE,
				      "%s page %zu: compressed to %ld, want 4096 incompressible, got %u flags %#x",
				      specs[s], i, want, pages[i].len, pages[i].flags);
			else
				CHECK(pages[i].len == (uint32_t)want && pages[i].flags == 0,
				      "%s page %zu: want len %ld flags 0, got %u flags %#x", specs[s], i, want,
				      pages[i].len, pages[i].flags);
		}
		CHECK(pages[0].len < pages[5].len && pages[5].len < PG,
		      "%s: text page %u should beat the half-random page %u", specs[s], pages[0].len,
		      pages[5].len);
		free(pages);
	}
	free(img);
}

TEST(capture_flags_same_filled_pages_as_the_kernel)
{
	unsigned char *img = make_image();
	struct zpb_compressor *c;
	struct zpb_page_class cl;
	unsigned char scratch[2 * PG + 1024];
	char err[256];
	int i;

	c = zpb_compressor_new("lz4", err, sizeof(err));
	REQUIRE(c, "lz4: %s", err);
	for (i = 0; i < IMG_PAGES; i++) {
		int same = i == 1 || i == 2;

		REQUIRE(!zpb_page_classify(c, img + i * PG, PG, ZPB_INCOMP_STORE, 3625, scratch, &cl,
					   err, sizeof(err)), "classify page %d: %s", i, err);
		CHECK(zpb_page_same_filled(img + i * PG, PG) == same, "page %d: same_filled should be %d",
		      i, same);
		CHECK(!!(cl.flags & ZPB_STORE_SAME_FILLED) == same,
		      "page %d: SAME_FILLED flag %#x, want %d", i, cl.flags, same);
		if (same)
			CHECK(cl.len == 0 && cl.comp_len == 0, "page %d: same-filled len %u, want 0", i, cl.len);
	}
	zpb_compressor_free(c);
	free(img);
}

TEST(capture_incompressible_policy_reject_store_huge)
{
	unsigned char *img = make_image();
	const unsigned char *rnd = img + 4 * PG, *text = img;
	unsigned char scratch[2 * PG + 1024];
	struct zpb_compressor *c;
	struct zpb_page_class cl;
	char err[256];
	long raw;

	c = zpb_compressor_new("lz4", err, sizeof(err));
	REQUIRE(c, "lz4: %s", err);
	raw = direct_len("lz4", rnd);
	REQUIRE(raw > PG, "random page should expand under lz4, got %ld", raw);

	REQUIRE(!zpb_page_classify(c, rnd, PG, ZPB_INCOMP_STORE, 0, scratch, &cl, err, sizeof(err)), "%s", err);
	CHECK(!cl.rejected && cl.len == PG && cl.flags == ZPB_STORE_INCOMPRESSIBLE,
	      "store: random page: rejected %d len %u flags %#x, want stored at 4096 incompressible",
	      cl.rejected, cl.len, cl.flags);

	REQUIRE(!zpb_page_classify(c, rnd, PG, ZPB_INCOMP_REJECT, 0, scratch, &cl, err, sizeof(err)), "%s", err);
	CHECK(cl.rejected, "reject: a page compressing to %ld > 4096 must be rejected", raw);
	REQUIRE(!zpb_page_classify(c, text, PG, ZPB_INCOMP_REJECT, 0, scratch, &cl, err, sizeof(err)), "%s", err);
	CHECK(!cl.rejected && cl.flags == 0, "reject: a text page must be stored compressed");

	/* huge: the threshold decides, not the page size. */
	raw = direct_len("lz4", img + 5 * PG);
	REQUIRE(!zpb_page_classify(c, img + 5 * PG, PG, ZPB_INCOMP_HUGE, (unsigned int)raw, scratch, &cl,
				   err, sizeof(err)), "%s", err);
	CHECK(cl.flags == ZPB_STORE_INCOMPRESSIBLE && cl.len == PG,
	      "huge: comp_len %ld >= huge_class_size %ld must be stored whole, got len %u", raw, raw, cl.len);
	REQUIRE(!zpb_page_classify(c, img + 5 * PG, PG, ZPB_INCOMP_HUGE, (unsigned int)raw + 1, scratch,
				   &cl, err, sizeof(err)), "%s", err);
	CHECK(cl.flags == 0 && cl.len == (uint32_t)raw,
	      "huge: comp_len %ld < threshold %ld must stay compressed, got len %u flags %#x", raw, raw + 1,
	      cl.len, cl.flags);
	zpb_compressor_free(c);
	free(img);
}

TEST(capture_compressor_spec_errors_name_the_spec)
{
	char err[256];

	CHECK(!zpb_compressor_new("brotli", err, sizeof(err)) && strstr(err, "brotli"),
	      "unknown compressor: got '%s'", err);
	CHECK(!zpb_compressor_new("zstd:99", err, sizeof(err)) && strstr(err, "zstd:99"),
	      "bad zstd level: got '%s'", err);
}

/* Follow keys through a record stream: every LOAD/INVALIDATE names a stored key. */
static void check_key_lives(const char *model, const struct mem_sink *m, uint64_t npages,
			    const struct zpb_order_page *pages)
{
	uint8_t *live = calloc(npages, 1);
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct zpb_record *r = &m->recs[i];
		uint64_t k = ZPB_KEY_OFFSET(r->key);

		if (r->op == ZPB_OP_MARK)
			continue;
		if (k >= npages) {
			CHECK(0, "%s: record %zu: key %llu out of range", model, i, (unsigned long long)k);
			break;
		}
		switch (r->op) {
		case ZPB_OP_STORE:
			CHECK(!live[k], "%s: record %zu: STORE of key %llu already stored", model, i,
			      (unsigned long long)k);
			CHECK(!pages[k].rejected, "%s: record %zu: rejected page %llu stored", model, i,
			      (unsigned long long)k);
			CHECK((r->flags & ZPB_STORE_PAGEREF) && r->content == k && r->len == pages[k].len,
			      "%s: record %zu: STORE %llu should carry page=%llu len %u, has content %llu len %u",
			      model, i, (unsigned long long)k, (unsigned long long)k, pages[k].len,
			      (unsigned long long)r->content, r->len);
			live[k] = 1;
			break;
		case ZPB_OP_LOAD:
			CHECK(live[k], "%s: record %zu: LOAD of key %llu not stored", model, i, (unsigned long long)k);
			CHECK(i + 1 < m->n && m->recs[i + 1].op == ZPB_OP_INVALIDATE && m->recs[i + 1].key == r->key,
			      "%s: record %zu: a LOAD is followed by its INVALIDATE", model, i);
			break;
		case ZPB_OP_INVALIDATE:
			CHECK(live[k], "%s: record %zu: INVALIDATE of key %llu not stored", model, i,
			      (unsigned long long)k);
			live[k] = 0;
			break;
		default:
			CHECK(0, "%s: record %zu: unexpected op %u", model, i, r->op);
		}
		if (i && r->time_ns < m->recs[i - 1].time_ns)
			CHECK(0, "%s: record %zu: time goes backwards", model, i);
	}
	free(live);
}

static struct zpb_order_page *fake_pages(uint64_t n, int with_rejects)
{
	struct zpb_order_page *p = calloc(n, sizeof(*p));
	uint64_t i;

	for (i = 0; i < n; i++) {
		p[i].len = 100 + (uint32_t)(i * 37 % 3900);
		p[i].rejected = with_rejects && i % 11 == 3;
	}
	return p;
}

TEST(order_sequential_and_random_store_every_page_then_load_each_once)
{
	const uint64_t n = 500;
	struct zpb_order_page *pages = fake_pages(n, 1);
	int o;

	for (o = ZPB_ORDER_SEQUENTIAL; o <= ZPB_ORDER_RANDOM; o++) {
		struct zpb_order_opts opts = { .order = (enum zpb_order)o, .seed = 7 };
		struct zpb_order_stats st;
		struct mem_sink m;
		char err[256];
		uint64_t rejected = 0, i;

		for (i = 0; i < n; i++)
			rejected += pages[i].rejected;
		mem_init(&m);
		REQUIRE(!zpb_order_run(&opts, pages, n, &m.base, &st, err, sizeof(err)), "%s: %s",
			zpb_order_name(opts.order), err);
		check_key_lives(zpb_order_name(opts.order), &m, n, pages);
		CHECK_EQ_UL(st.stores, n - rejected, "stores (all but the rejected)");
		CHECK_EQ_UL(st.loads, n - rejected, "loads");
		CHECK_EQ_UL(st.marks, 2, "marks (store, load)");
		CHECK(m.recs[0].op == ZPB_OP_MARK && !strcmp(m.recs[0].label, "store"),
		      "%s: first record is MARK store", zpb_order_name(opts.order));
		if (o == ZPB_ORDER_SEQUENTIAL)
			CHECK(m.recs[1].op == ZPB_OP_STORE && m.recs[1].key == ZPB_KEY(0, 0) &&
			      m.recs[2].key == ZPB_KEY(0, 1), "sequential: pages stored in order");
		else
			CHECK(m.recs[1].key != ZPB_KEY(0, 0) || m.recs[2].key != ZPB_KEY(0, 1),
			      "random: pages stored out of order");
		free(m.recs);
	}
	free(pages);
}

TEST(order_lru_respects_the_budget_and_only_touches_stored_keys)
{
	const uint64_t n = 2000, budget = 300;
	struct zpb_order_page *pages = fake_pages(n, 0);
	struct zpb_order_opts opts = { .order = ZPB_ORDER_LRU, .budget = budget, .working_set = 800,
				       .zipf = 0.9, .ops = 20000, .seed = 3 };
	struct zpb_order_stats st;
	struct mem_sink m;
	char err[256];
	uint64_t live = 0, worst = 0;
	size_t i;
	int access = 0;

	mem_init(&m);
	REQUIRE(!zpb_order_run(&opts, pages, n, &m.base, &st, err, sizeof(err)), "lru: %s", err);
	check_key_lives("lru", &m, n, pages);
	CHECK(st.max_resident <= budget, "lru: %llu pages resident at once, budget %llu",
	      (unsigned long long)st.max_resident, (unsigned long long)budget);
	/* After the fill every page has been touched: RAM holds n - (stored) pages. */
	for (i = 0; i < m.n; i++) {
		const struct zpb_record *r = &m.recs[i];

		if (r->op == ZPB_OP_MARK && !strcmp(r->label, "access"))
			access = 1;
		live += r->op == ZPB_OP_STORE;
		live -= r->op == ZPB_OP_INVALIDATE;
		if (access && n - live > worst)
			worst = n - live;
	}
	CHECK(access, "lru: an access MARK");
	CHECK(worst <= budget, "lru: %llu pages in RAM during the access phase, budget %llu",
	      (unsigned long long)worst, (unsigned long long)budget);
	CHECK_EQ_UL(n - live, budget, "lru: pages in RAM at the end (the budget, full)");
	CHECK(st.loads > 1000, "lru: a working set larger than RAM should swap in often, got %llu loads",
	      (unsigned long long)st.loads);
	CHECK(!strcmp(m.recs[m.n - 1].label, "end") && st.marks == 3, "lru: marks fill, access, end");
	free(m.recs);
	free(pages);
}

TEST(order_lru_same_seed_same_stream_different_seed_different)
{
	const uint64_t n = 400;
	struct zpb_order_page *pages = fake_pages(n, 0);
	struct zpb_order_opts o = { .order = ZPB_ORDER_LRU, .budget = 50, .zipf = 1.1, .ops = 3000, .seed = 11 };
	struct zpb_order_stats st;
	struct mem_sink a, b, c;
	char err[256];

	mem_init(&a);
	mem_init(&b);
	mem_init(&c);
	REQUIRE(!zpb_order_run(&o, pages, n, &a.base, &st, err, sizeof(err)), "%s", err);
	REQUIRE(!zpb_order_run(&o, pages, n, &b.base, &st, err, sizeof(err)), "%s", err);
	o.seed = 12;
	REQUIRE(!zpb_order_run(&o, pages, n, &c.base, &st, err, sizeof(err)), "%s", err);
	CHECK(a.n == b.n && !memcmp(a.recs, b.recs, a.n * sizeof(*a.recs)), "lru: seed 11 twice differs");
	CHECK(a.n != c.n || memcmp(a.recs, c.recs, a.n * sizeof(*a.recs)), "lru: seeds 11 and 12 agree");
	free(a.recs);
	free(b.recs);
	free(c.recs);
	free(pages);
}

TEST(zipf_sampler_is_skewed_and_uniform_at_zero)
{
	struct zpb_rng r;
	struct zpb_zipf z;
	unsigned long count[100] = { 0 };
	int i;

	zpb_rng_seed(&r, 5);
	zpb_zipf_init(&z, 100, 1.0);
	for (i = 0; i < 200000; i++) {
		uint64_t k = zpb_zipf_next(&z, &r);

		REQUIRE(k < 100, "zipf rank %llu out of 0..99", (unsigned long long)k);
		count[k]++;
	}
	/* s = 1, n = 100: P(0) = 1/H(100) ~ 0.193, P(1) ~ 0.096, P(99) ~ 0.0019. */
	CHECK(count[0] > 36000 && count[0] < 41000, "zipf: rank 0 drawn %lu times of 200000", count[0]);
	CHECK(count[1] > 17500 && count[1] < 21000, "zipf: rank 1 drawn %lu times", count[1]);
	CHECK(count[99] < 600, "zipf: rank 99 drawn %lu times", count[99]);
	memset(count, 0, sizeof(count));
	zpb_zipf_init(&z, 100, 0);
	for (i = 0; i < 100000; i++)
		count[zpb_zipf_next(&z, &r)]++;
	for (i = 0; i < 100; i++)
		CHECK(count[i] > 800 && count[i] < 1200, "uniform: rank %d drawn %lu times of 100000", i,
		      count[i]);
}

TEST(capture_pages_writes_a_valid_trace_with_page_references)
{
	unsigned char *img = make_image();
	const char *in = tu_path("img2.bin"), *out = tu_path("img2.trace");
	const char *files[] = { in, in };
	struct zpb_capture_pages_opts o = {
		.files = files, .nfiles = 2, .out = out, .form = ZPB_TRACE_BINARY,
		.policy = { .compressor = "zstd:3", .incompressible = ZPB_INCOMP_REJECT },
		.order = { .order = ZPB_ORDER_SEQUENTIAL },
	};
	struct zpb_capture_pages_stats st;
	struct zpb_record recs[64];
	struct zpb_trace_reader *r;
	char err[256];
	long n, i, stores = 0;

	tu_write_file(in, img, IMG_PAGES * PG);
	REQUIRE(!zpb_capture_pages(&o, &st, err, sizeof(err)), "capture pages: %s", err);
	CHECK_EQ_UL(st.counts.pages, 2 * IMG_PAGES, "pages (two copies of the image)");
	CHECK_EQ_UL(st.counts.same_filled, 4, "same-filled pages");
	CHECK_EQ_UL(st.counts.rejected, 2, "rejected (the random page, twice)");
	r = zpb_trace_open(out, err, sizeof(err));
	REQUIRE(r, "open %s: %s", out, err);
	CHECK(!strcmp(zpb_trace_header(r)->compressor, "zstd:3"), "header compressor '%s'",
	      zpb_trace_header(r)->compressor);
	zpb_trace_close(r);
	n = tu_read(out, recs, 64, err, sizeof(err));
	REQUIRE(n == (long)st.records, "read back %ld records, wrote %llu: %s", n,
		(unsigned long long)st.records, err);
	for (i = 0; i < n; i++) {
		if (recs[i].op != ZPB_OP_STORE)
			continue;
		stores++;
		CHECK(recs[i].flags & ZPB_STORE_PAGEREF, "record %ld: STORE without page=", i);
		if (recs[i].content % IMG_PAGES == 1 || recs[i].content % IMG_PAGES == 2)
			CHECK(recs[i].flags & ZPB_STORE_SAME_FILLED, "page %llu should be same-filled",
			      (unsigned long long)recs[i].content);
		else
			CHECK(recs[i].len == (uint32_t)direct_len("zstd:3", img + recs[i].content % IMG_PAGES * PG),
			      "page %llu: len %u differs from ZSTD_compress", (unsigned long long)recs[i].content,
			      recs[i].len);
	}
	CHECK_EQ_UL(stores, 2 * IMG_PAGES - 2, "stores read back");
	free(img);
}

/*
 * --page-size 16384: the image is cut into 16 KiB pages (the last one,
 * partial, padded with zeros), each compressed whole as the library does
 * it, the header and the content file carry 16384, and the contents are the
 * pages themselves.
 */
TEST(capture_pages_at_16k_cuts_and_compresses_16k_pages)
{
	enum { PS = 16384 };
	unsigned char *img = make_image(), *page = calloc(1, PS);
	const size_t len = IMG_PAGES * PG + 100;	/* 28772 bytes: one whole 16K page and a partial one */
	const char *in = tu_path("img16.bin"), *out = tu_path("img16.trace"), *pages = tu_path("img16.trace.pages");
	const char *files[] = { in };
	struct zpb_capture_pages_opts o = {
		.files = files, .nfiles = 1, .out = out, .pages_out = pages, .form = ZPB_TRACE_BINARY,
		.policy = { .compressor = "lz4", .incompressible = ZPB_INCOMP_STORE, .page_size = PS },
		.order = { .order = ZPB_ORDER_SEQUENTIAL },
	};
	static unsigned char big[IMG_PAGES * PG + 100], cbuf[2 * PS];
	struct zpb_capture_pages_stats st;
	struct zpb_record recs[16];
	struct zpb_trace_reader *r;
	struct zpb_page_set set;
	char err[256];
	uint32_t longest = 0;
	long n, i;

	REQUIRE(page, "calloc");
	memcpy(big, img, IMG_PAGES * PG);
	memset(big + IMG_PAGES * PG, 'x', 100);
	tu_write_file(in, big, len);
	REQUIRE(!zpb_capture_pages(&o, &st, err, sizeof(err)), "capture pages --page-size 16384: %s", err);
	CHECK_EQ_UL(st.counts.pages, 2, "16K pages of a 28772-byte file");
	r = zpb_trace_open(out, err, sizeof(err));
	REQUIRE(r, "open %s: %s", out, err);
	CHECK_EQ_UL(zpb_trace_header(r)->page_size, PS, "the header's page size");
	zpb_trace_close(r);
	REQUIRE(!zpb_page_set_load(&set, pages, err, sizeof(err)), "contents: %s", err);
	CHECK_EQ_UL(set.info.page_size, PS, "the content file's page size");
	CHECK_EQ_UL(set.info.page_count, 2, "pages kept");
	n = tu_read(out, recs, 16, err, sizeof(err));
	REQUIRE(n == (long)st.records, "read back %ld records: %s", n, err);
	for (i = 0; i < n; i++) {
		size_t off;
		int want;

		if (recs[i].op != ZPB_OP_STORE)
			continue;
		off = (size_t)recs[i].content * PS;
		memset(page, 0, PS);
		memcpy(page, big + off, len - off < PS ? len - off : PS);
		CHECK(!memcmp(zpb_page_set_page(&set, recs[i].content), page, PS),
		      "page %llu: the kept contents are not the file's 16K page (zero-padded)",
		      (unsigned long long)recs[i].content);
		want = LZ4_compress_default((const char *)page, (char *)cbuf, PS, sizeof(cbuf));
		CHECK(recs[i].len == (uint32_t)want, "page %llu: len %u, LZ4 of the whole 16K page gives %d",
		      (unsigned long long)recs[i].content, recs[i].len, want);
		longest = recs[i].len > longest ? recs[i].len : longest;
	}
	/* Page 1 holds the image's random 4K page: more than a 4K page could store. */
	CHECK(longest > PG, "the longest 16K page compressed to %u bytes", longest);
	zpb_page_set_free(&set);
	o.policy.page_size = 8192;
	o.out = tu_path("img8.trace");
	o.pages_out = NULL;
	CHECK(zpb_capture_pages(&o, &st, err, sizeof(err)) && strstr(err, "8192"),
	      "page size 8192 refused: got '%s'", err);
	CHECK(access(o.out, F_OK) != 0, "no output for a refused page size");
	free(page);
	free(img);
}

TEST(capture_pages_bad_input_names_the_file)
{
	const char *files[] = { "/nonexistent/zpb-image" };
	struct zpb_capture_pages_opts o = { .files = files, .nfiles = 1, .out = tu_path("never.trace"),
					    .policy = { .compressor = "lz4" } };
	struct zpb_capture_pages_stats st;
	char err[256] = "";

	CHECK(zpb_capture_pages(&o, &st, err, sizeof(err)) && strstr(err, "/nonexistent/zpb-image"),
	      "missing file: got '%s'", err);
	CHECK(access(o.out, F_OK) != 0, "no output file after a failed capture");
	tu_write_file(tu_path("empty.bin"), "", 0);
	files[0] = tu_path("empty.bin");
	CHECK(zpb_capture_pages(&o, &st, err, sizeof(err)) && strstr(err, "no pages"),
	      "empty file: got '%s'", err);
}

/*
 * The child: 1 MiB written once, then a sliding 96-page window rewritten
 * every 10 ms with new values, so that pages go cold, are swapped out and
 * are written again.
 */
static void __attribute__((noreturn)) child_workload(int ready_fd)
{
	const size_t npages = 256;
	unsigned char *mem = malloc(npages * PG);
	unsigned int round, i;
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	if (!mem)
		_exit(1);
	for (i = 0; i < npages * PG; i++)
		mem[i] = (unsigned char)(i * 31 / 4096);
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	close(ready_fd);
	for (round = 1; round < 300; round++) {
		unsigned int start = (round * 17) % npages;

		for (i = 0; i < 96; i++)
			mem[((start + i) % npages) * PG + round % PG] = (unsigned char)round;
		nanosleep(&ts, NULL);
	}
	_exit(0);
}

static pid_t spawn_child(void)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_workload(fds[1]);
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &c, 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(fds[0]);
	return pid;
}

/* Capture the child of spawn_child() with @o; it is killed and reaped after. 0, or -1 with @err. */
static int capture_child(struct zpb_capture_process_opts *o, struct zpb_capture_process_stats *st, char *err,
			 size_t errlen)
{
	pid_t pid = spawn_child();
	int rc;

	if (pid <= 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	o->pid = pid;
	rc = zpb_capture_process(o, st, err, errlen);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return rc;
}

TEST(capture_process_traces_a_child_writing_memory)
{
	const char *out = tu_path("proc.trace"), *pages = tu_path("proc.trace.pages");
	struct zpb_capture_process_opts o = {
		.out = out, .pages_out = pages, .form = ZPB_TRACE_BINARY,
		.policy = { .compressor = "lz4", .incompressible = ZPB_INCOMP_STORE },
		.interval_ms = 50, .duration_s = 1.5, .budget = 64,	/* room for 3 snapshots under ASan on a loaded machine */
	};
	struct zpb_capture_process_stats st;
	struct zpb_check_opts co = { .exclusive_loads = false };
	struct zpb_check_stats cs;
	struct zpb_checker *chk;
	struct zpb_trace_reader *r;
	struct zpb_record rec;
	char err[512], msg[256];
	int rc;

	REQUIRE(!capture_child(&o, &st, err, sizeof(err)), "capture process: %s", err);
	CHECK(st.snapshots >= 3, "snapshots: %u", st.snapshots);
	CHECK(st.pages_seen >= 256, "pages seen: %llu (the child wrote 256)", (unsigned long long)st.pages_seen);
	CHECK(st.writes > 0, "writes seen between snapshots: %llu", (unsigned long long)st.writes);
	CHECK(st.stores > 0 && st.loads > 0, "stores %llu, loads %llu: the window should swap pages in and out",
	      (unsigned long long)st.stores, (unsigned long long)st.loads);
	/* The trace reads back and is consistent, record by record. */
	r = zpb_trace_open(out, err, sizeof(err));
	REQUIRE(r, "open %s: %s", out, err);
	chk = zpb_checker_new(&co);
	REQUIRE(chk, "checker");
	{
		struct zpb_page_set set;
		uint64_t refs = 0, next = 0;

		REQUIRE(!zpb_page_set_load(&set, pages, err, sizeof(err)), "contents: %s", err);
		while ((rc = zpb_trace_next(r, &rec, err, sizeof(err))) == 1) {
			CHECK(zpb_checker_feed(chk, &rec, zpb_trace_position(r), msg, sizeof(msg)) == 0,
			      "capture process trace: %s", msg);
			if (rec.op != ZPB_OP_STORE)
				continue;
			/* Each STORE keeps its page: page=N counts the stores, in order. */
			CHECK((rec.flags & ZPB_STORE_PAGEREF) && rec.content == next,
			      "STORE %llu: page=%llu (flags %#x), expected page=%llu", (unsigned long long)refs,
			      (unsigned long long)rec.content, rec.flags, (unsigned long long)next);
			next++;
			refs++;
		}
		CHECK_EQ_UL(set.info.page_count, refs, "pages kept in the content file (one per STORE)");
		zpb_page_set_free(&set);
	}
	CHECK(rc == 0, "reading %s: %s", out, err);
	zpb_checker_stats(chk, &cs);
	CHECK_EQ_UL(cs.records, st.records, "records read back");
	zpb_checker_free(chk);
	zpb_trace_close(r);
}

/*
 * --page-size 16384 on the same child: 16K pages (the child's 1 MiB is 64 of
 * them), read whole, kept whole, and the trace says 16384.
 */
TEST(capture_process_at_16k_follows_16k_pages)
{
	const char *out = tu_path("proc16.trace"), *pages = tu_path("proc16.trace.pages");
	struct zpb_capture_process_opts o = {
		.out = out, .pages_out = pages, .form = ZPB_TRACE_BINARY,
		.policy = { .compressor = "lz4", .incompressible = ZPB_INCOMP_STORE, .page_size = 16384 },
		.interval_ms = 50, .duration_s = 3, .budget = 16,	/* 3 s: ASan's child maps far more memory to snapshot */
	};
	struct zpb_capture_process_stats st;
	struct zpb_trace_reader *r;
	struct zpb_record rec;
	struct zpb_page_set set;
	char err[512];
	uint64_t stores = 0;
	int rc;

	REQUIRE(!capture_child(&o, &st, err, sizeof(err)), "capture process: %s", err);
	CHECK(st.pages_seen >= 64, "16K pages seen: %llu (the child wrote 64)", (unsigned long long)st.pages_seen);
	CHECK(st.stores > 0 && st.loads > 0, "stores %llu, loads %llu in %u snapshots", (unsigned long long)st.stores,
	      (unsigned long long)st.loads, st.snapshots);
	r = zpb_trace_open(out, err, sizeof(err));
	REQUIRE(r, "open %s: %s", out, err);
	CHECK_EQ_UL(zpb_trace_header(r)->page_size, 16384, "the header's page size");
	while ((rc = zpb_trace_next(r, &rec, err, sizeof(err))) == 1)
		if (rec.op == ZPB_OP_STORE) {
			CHECK(rec.len <= 16384, "STORE of %u bytes in a 16K trace", rec.len);
			stores++;
		}
	CHECK(rc == 0, "reading %s: %s", out, err);
	zpb_trace_close(r);
	REQUIRE(!zpb_page_set_load(&set, pages, err, sizeof(err)), "contents: %s", err);
	CHECK_EQ_UL(set.info.page_size, 16384, "the content file's page size");
	CHECK_EQ_UL(set.info.page_count, stores, "one kept 16K page per STORE");
	zpb_page_set_free(&set);
}

TEST(capture_process_no_such_process_and_no_permission_are_clear)
{
	struct zpb_capture_process_opts o = { .out = tu_path("none.trace"), .policy = { .compressor = "lz4" },
					      .duration_s = 0.1 };
	struct zpb_capture_process_stats st;
	char err[512] = "";
	int status;
	pid_t pid;

	o.pid = 0x7ffffff0;
	CHECK(zpb_capture_process(&o, &st, err, sizeof(err)) && strstr(err, "no such process"),
	      "a missing PID: got '%s'", err);
	CHECK(access(o.out, F_OK) != 0, "no output after a failed capture");
	/* PID 1 belongs to root: as an unprivileged user it cannot be read. */
	pid = fork();
	REQUIRE(pid >= 0, "fork");
	if (pid == 0) {
		if (getuid() == 0 && setuid(65534))
			_exit(3);
		o.pid = 1;
		if (!zpb_capture_process(&o, &st, err, sizeof(err)))
			_exit(1);
		_exit(strstr(err, "permission denied") ? 0 : 2);
	}
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "capture of PID 1 as nobody: want 'permission denied' (child status %d)", status);
}

/* traces/ knows no allocator: the huge threshold must come from the caller. */
TEST(capture_pages_huge_policy_without_a_threshold_is_refused)
{
	unsigned char *img = make_image();
	const char *in = tu_path("img-huge.bin");
	const char *files[] = { in };
	struct zpb_capture_pages_opts o = { .files = files, .nfiles = 1, .out = tu_path("never-huge.trace"),
					    .policy = { .compressor = "lz4", .incompressible = ZPB_INCOMP_HUGE },
					    .order = { .order = ZPB_ORDER_SEQUENTIAL } };
	struct zpb_capture_pages_stats st;
	char err[256] = "";

	tu_write_file(in, img, IMG_PAGES * PG);
	CHECK(zpb_capture_pages(&o, &st, err, sizeof(err)) && strstr(err, "huge_class_size"),
	      "huge policy with no threshold: got '%s'", err);
	CHECK(access(o.out, F_OK) != 0, "no output file after a refused capture");
	o.policy.huge_class_size = 3625;
	CHECK(!zpb_capture_pages(&o, &st, err, sizeof(err)), "with zsmalloc's threshold: %s", err);
	free(img);
}
