// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trace format: binary and text round trips, record for record and
 * byte for byte, the binary encoding's size on a typical trace, and a long
 * stream read with bounded memory.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../traces/trace.h"
#include "harness.h"
#include "trace_util.h"

static struct zpb_trace_header header(uint32_t page_size)
{
	struct zpb_trace_header h;

	zpb_trace_header_init(&h);
	h.page_size = page_size;
	strcpy(h.compressor, "zstd:3");
	strcpy(h.source, "tests/test_trace_format.c: random records");
	return h;
}

/* Random records of every op and flag, times sometimes equal, sometimes going back, sometimes huge. */
static struct zpb_record *random_trace(uint64_t seed, size_t n, uint32_t page_size)
{
	struct zpb_record *recs = calloc(n, sizeof(*recs));
	uint64_t s = seed, t = 0, last_store = 0;
	size_t i;

	for (i = 0; recs && i < n; i++) {
		uint64_t r = tu_rand(&s) % 10;

		if (r < 5)
			t += tu_rand(&s) % 5000;
		else if (r == 5 && t > 100)
			t -= tu_rand(&s) % 100;
		else if (r == 6)
			t = tu_rand(&s);	/* anywhere in 64 bits, wrapping deltas included */
		tu_random_record(&s, page_size, t, &recs[i]);
		/* A third of the STOREs continue the previous one's slots: the short STORE form. */
		if (recs[i].op == ZPB_OP_STORE && tu_rand(&s) % 3 == 0 &&
		    ZPB_KEY_OFFSET(last_store) != ZPB_KEY_OFFSET_MASK) {
			recs[i].key = last_store + 1;
			if (tu_rand(&s) % 2 && recs[i].len) {
				recs[i].flags = 0;
				recs[i].content = 0;
			}
		}
		if (recs[i].op == ZPB_OP_STORE)
			last_store = recs[i].key;
	}
	return recs;
}

/* zpb_trace_next_batch() gives @recs in batches of varied sizes, each ending at a MARK at the latest. */
static void batches_match(const char *path, const struct zpb_record *recs, size_t n)
{
	struct zpb_trace_reader *r;
	struct zpb_rec batch[61];
	struct zpb_record rec;
	char label[ZPB_LABEL_MAX + 1], err[256];
	size_t i = 0;
	int got, k, max = 1;

	r = zpb_trace_open(path, err, sizeof(err));
	REQUIRE(r, "open: %s", err);
	while ((got = zpb_trace_next_batch(r, batch, max, label, err, sizeof(err))) > 0) {
		CHECK(got <= max, "a batch of %d records when at most %d were asked", got, max);
		for (k = 0; k < got; k++, i++) {
			REQUIRE(i < n, "more records in batches than the %zu written", n);
			zpb_rec_expand(&batch[k], label, &rec);
			REQUIRE(tu_record_eq(&recs[i], &rec), "record %zu (op %s) differs when read in batches",
				i + 1, zpb_op_name(recs[i].op));
			CHECK(recs[i].op != ZPB_OP_MARK || k == got - 1, "record %zu: a batch goes on past a MARK", i + 1);
			CHECK(zpb_trace_position(r) >= i + 1, "position %llu after record %zu",
			      (unsigned long long)zpb_trace_position(r), i + 1);
		}
		max = max % 61 + 7;
	}
	CHECK(got == 0, "batches ended with %d: %s", got, err);
	CHECK_EQ_UL(i, n, "records read in batches");
	zpb_trace_close(r);
}

static void round_trip(enum zpb_trace_form form, uint32_t page_size, uint64_t seed)
{
	const size_t n = 20000;
	struct zpb_record *recs = random_trace(seed, n, page_size), *back = calloc(n, sizeof(*back));
	struct zpb_trace_header h = header(page_size);
	const char *path = tu_path(form == ZPB_TRACE_BINARY ? "rt.bin" : "rt.txt");
	struct zpb_trace_reader *r;
	char err[256];
	long got;
	size_t i;

	REQUIRE(recs && back, "out of memory");
	REQUIRE(tu_write(path, form, &h, recs, n, err, sizeof(err)) == 0, "write: %s", err);
	got = tu_read(path, back, n, err, sizeof(err));
	REQUIRE(got == (long)n, "read back %ld of %zu records: %s", got, n, got < 0 ? err : "");
	for (i = 0; i < n; i++)
		REQUIRE(tu_record_eq(&recs[i], &back[i]), "record %zu (op %s) differs after the round trip",
			i + 1, zpb_op_name(recs[i].op));
	batches_match(path, recs, n);
	r = zpb_trace_open(path, err, sizeof(err));
	REQUIRE(r, "open: %s", err);
	CHECK_EQ_UL(zpb_trace_form(r), form, "form");
	CHECK_EQ_UL(zpb_trace_header(r)->record_count, n, "header record_count");
	CHECK_EQ_UL(zpb_trace_header(r)->page_size, page_size, "header page_size");
	CHECK(!strcmp(zpb_trace_header(r)->compressor, "zstd:3"), "compressor '%s'", zpb_trace_header(r)->compressor);
	CHECK(!strcmp(zpb_trace_header(r)->source, h.source), "source '%s'", zpb_trace_header(r)->source);
	zpb_trace_close(r);
	free(recs);
	free(back);
}

TEST(binary_round_trip_keeps_every_record_of_every_op_and_flag)
{
	round_trip(ZPB_TRACE_BINARY, 4096, 1);
	round_trip(ZPB_TRACE_BINARY, 65536, 2);
}

TEST(text_round_trip_keeps_every_record_of_every_op_and_flag)
{
	round_trip(ZPB_TRACE_TEXT, 4096, 3);
	round_trip(ZPB_TRACE_TEXT, 512, 4);
}

/* text -> binary -> text and binary -> text -> binary give the same bytes. */
static void convert(const char *in, const char *out, enum zpb_trace_form form)
{
	char err[256];
	struct zpb_trace_reader *r = zpb_trace_open(in, err, sizeof(err));
	struct zpb_trace_writer *w;
	struct zpb_record rec;
	int rc;

	REQUIRE(r, "open %s: %s", in, err);
	w = zpb_trace_writer_open(out, form, zpb_trace_header(r), err, sizeof(err));
	REQUIRE(w, "writer %s: %s", out, err);
	while ((rc = zpb_trace_next(r, &rec, err, sizeof(err))) == 1)
		REQUIRE(zpb_trace_write(w, &rec, err, sizeof(err)) == 0, "write: %s", err);
	CHECK(rc == 0, "read %s: %s", in, err);
	CHECK(zpb_trace_writer_finish(w, err, sizeof(err)) == 0, "finish: %s", err);
	zpb_trace_close(r);
}

static void same_bytes(const char *a, const char *b)
{
	size_t la, lb;
	unsigned char *da = tu_read_file(a, &la), *db = tu_read_file(b, &lb);

	REQUIRE(da && db, "cannot read back %s or %s", a, b);
	CHECK(la == lb && !memcmp(da, db, la), "%s (%zu bytes) and %s (%zu bytes) differ", a, la, b, lb);
	free(da);
	free(db);
}

TEST(conversion_both_ways_is_byte_for_byte_lossless)
{
	const size_t n = 5000;
	struct zpb_record *recs = random_trace(7, n, 4096);
	struct zpb_trace_header h = header(4096);
	char err[256];

	REQUIRE(recs, "out of memory");
	REQUIRE(tu_write(tu_path("a.bin"), ZPB_TRACE_BINARY, &h, recs, n, err, sizeof(err)) == 0, "%s", err);
	convert(tu_path("a.bin"), tu_path("a.txt"), ZPB_TRACE_TEXT);
	convert(tu_path("a.txt"), tu_path("b.bin"), ZPB_TRACE_BINARY);
	convert(tu_path("b.bin"), tu_path("b.txt"), ZPB_TRACE_TEXT);
	same_bytes(tu_path("a.bin"), tu_path("b.bin"));
	same_bytes(tu_path("a.txt"), tu_path("b.txt"));
	free(recs);
}

/*
 * A typical zswap trace, as the kernel produces one under memory pressure:
 * reclaim stores batches of 32 pages (SWAP_CLUSTER_MAX), a few microseconds
 * apart (one compression each), from kswapd on CPU 0 and direct reclaim on
 * CPU 2 interleaved; each CPU's pages go to consecutive slots of its own
 * swap cluster (the allocator's per-CPU clusters). Tasks on other CPUs fault
 * pages back in, swap readahead loading runs of neighbouring slots, and
 * each exclusive load is followed by the slot's invalidation. Compressed
 * lengths spread over 200..3800 bytes (two varint bytes).
 */
static size_t typical_trace(struct zpb_record *recs, size_t n, uint64_t seed)
{
	uint64_t s = seed, t = 0, cluster[2] = { 1000, 1 << 20 };
	size_t i = 0;

	while (i < n) {
		unsigned int j, runs;

		for (j = 0; j < 32 && i < n; j++, i++) {
			unsigned int who = (unsigned int)(tu_rand(&s) % 4 == 0);	/* direct reclaim a quarter of the time */

			t += 1500 + tu_rand(&s) % 3000;
			memset(&recs[i], 0, sizeof(recs[i]));
			recs[i].time_ns = t;
			recs[i].cpu = 2 * who;
			recs[i].op = ZPB_OP_STORE;
			recs[i].key = ZPB_KEY(0, cluster[who]++);
			recs[i].len = 200 + (uint32_t)(tu_rand(&s) % 3600);
		}
		/* Faults: a few readahead runs somewhere in the recently swapped range. */
		for (runs = 0; runs < 3 && i < n; runs++) {
			uint64_t at = cluster[tu_rand(&s) % 2] - 1 - tu_rand(&s) % 200;
			unsigned int len = 1 + (unsigned int)(tu_rand(&s) % 8), k;
			uint32_t cpu = 1 + 2 * (uint32_t)(tu_rand(&s) % 2);

			t += 2000 + tu_rand(&s) % 30000;
			for (k = 0; k < len && i + 1 < n; k++) {
				memset(&recs[i], 0, sizeof(recs[i]));
				t += 300 + tu_rand(&s) % 700;
				recs[i].time_ns = t;
				recs[i].cpu = cpu;
				recs[i].op = ZPB_OP_LOAD;
				recs[i].key = ZPB_KEY(0, at + k);
				i++;
				recs[i] = recs[i - 1];
				recs[i].time_ns = t += 100 + tu_rand(&s) % 200;
				recs[i].op = ZPB_OP_INVALIDATE;
				i++;
			}
		}
	}
	return i;
}

TEST(binary_form_takes_at_most_4_bytes_a_record_on_a_typical_trace)
{
	const size_t n = 200000;
	struct zpb_record *recs = calloc(n, sizeof(*recs));
	struct zpb_trace_header h = header(4096);
	char err[256];
	size_t len, hdr_len;
	unsigned char *data;
	double per;

	REQUIRE(recs, "out of memory");
	typical_trace(recs, n, 42);
	REQUIRE(tu_write(tu_path("typical.bin"), ZPB_TRACE_BINARY, &h, recs, 0, err, sizeof(err)) == 0, "%s", err);
	data = tu_read_file(tu_path("typical.bin"), &hdr_len);
	free(data);
	REQUIRE(tu_write(tu_path("typical.bin"), ZPB_TRACE_BINARY, &h, recs, n, err, sizeof(err)) == 0, "%s", err);
	data = tu_read_file(tu_path("typical.bin"), &len);
	REQUIRE(data, "cannot read the trace back");
	per = (double)(len - hdr_len) / (double)n;
	printf("  typical trace: %zu records in %zu bytes after the header: %.3f bytes/record\n",
	       n, len - hdr_len, per);
	CHECK(per <= 4.0, "binary encoding: %.3f bytes a record, expected at most 4", per);
	free(data);
	{
		struct zpb_record *back = calloc(n, sizeof(*back));
		long got = back ? tu_read(tu_path("typical.bin"), back, n, err, sizeof(err)) : -1;
		size_t i;

		REQUIRE(got == (long)n, "read back %ld of %zu records: %s", got, n, err);
		for (i = 0; i < n; i++)
			REQUIRE(tu_record_eq(&recs[i], &back[i]), "typical record %zu differs after the round trip", i + 1);
		free(back);
	}
	free(recs);
}

/* Resident memory now, in KiB (not the peak: earlier tests' peaks would hide growth). */
static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * 10^6 records (times ZPB_TEST_SCALE), written and read one at a time in
 * both forms: the reader's peak RSS does not grow with the trace. The
 * records alone would take 100 MB held in memory and the text file ~30 MB,
 * so a reader that buffered either would blow the 4 MiB allowance. RSS is
 * sampled as the reader goes, against the level before it opened.
 */
static void stream(enum zpb_trace_form form, uint64_t n)
{
	const char *path = tu_path(form == ZPB_TRACE_BINARY ? "big.bin" : "big.txt");
	struct zpb_trace_header h = header(4096);
	struct zpb_trace_writer *w;
	struct zpb_trace_reader *r;
	struct zpb_record rec, want;
	uint64_t s = 5, i = 0, t = 0;
	char err[256];
	long before, most = 0;
	int rc;

	w = zpb_trace_writer_open(path, form, &h, err, sizeof(err));
	REQUIRE(w, "%s", err);
	for (i = 0; i < n; i++) {
		t += tu_rand(&s) % 3000;
		tu_random_record(&s, 4096, t, &rec);
		REQUIRE(zpb_trace_write(w, &rec, err, sizeof(err)) == 0, "%s", err);
	}
	REQUIRE(zpb_trace_writer_finish(w, err, sizeof(err)) == 0, "%s", err);

	before = rss_kib();
	r = zpb_trace_open(path, err, sizeof(err));
	REQUIRE(r, "%s", err);
	s = 5;
	t = 0;
	i = 0;
	while ((rc = zpb_trace_next(r, &rec, err, sizeof(err))) == 1) {
		t += tu_rand(&s) % 3000;
		tu_random_record(&s, 4096, t, &want);
		if (!tu_record_eq(&rec, &want)) {
			CHECK(0, "%s form: record %llu differs", form == ZPB_TRACE_BINARY ? "binary" : "text",
			      (unsigned long long)i + 1);
			break;
		}
		if (++i % 65536 == 0 && rss_kib() - before > most)
			most = rss_kib() - before;
	}
	CHECK(rc == 0, "read: %s", err);
	CHECK_EQ_UL(i, n, "records read");
	CHECK_EQ_UL(zpb_trace_header(r)->record_count, n, "record_count in the header");
	zpb_trace_close(r);
	CHECK(most < 4096, "%s form: RSS grew by %ld KiB while reading %llu records",
	      form == ZPB_TRACE_BINARY ? "binary" : "text", most, (unsigned long long)n);
}

TEST(a_million_record_stream_reads_with_bounded_memory)
{
	uint64_t n = (uint64_t)(1000000 * zpbt_scale());

	stream(ZPB_TRACE_BINARY, n);
	stream(ZPB_TRACE_TEXT, n);
}

/* The worked example of docs/trace-format.md, byte for byte: the doc and the code agree. */
TEST(binary_encoding_matches_the_documented_example)
{
	static const unsigned char want[] = {
		/* header: magic, version 1, header_size 39, page 4096, flags 0, count 4, "lz4", "" */
		0x89, 'Z', 'P', 'B', 'T', 'R', 'C', '\n', 1, 0, 0, 0, 39, 0, 0, 0,
		0x00, 0x10, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0,
		3, 0, 'l', 'z', '4', 0, 0,
		0x81, 0xe8, 0x07, 0xc8, 0x01, 0xd4, 0x1c,	/* STORE */
		0x07, 0x34, 0x18, 0x8a,				/* short STORE */
		0xba, 0x8c, 0x2e, 0x02,				/* LOAD */
		0xb3, 0xc8, 0x01,				/* INVALIDATE */
	};
	const struct zpb_record recs[] = {
		{ .time_ns = 1000, .cpu = 0, .op = ZPB_OP_STORE, .key = ZPB_KEY(0, 100), .len = 1834 },
		{ .time_ns = 3100, .cpu = 0, .op = ZPB_OP_STORE, .key = ZPB_KEY(0, 101), .len = 2210 },
		{ .time_ns = 9000, .cpu = 2, .op = ZPB_OP_LOAD, .key = ZPB_KEY(0, 101) },
		{ .time_ns = 9200, .cpu = 2, .op = ZPB_OP_INVALIDATE, .key = ZPB_KEY(0, 101) },
	};
	struct zpb_trace_header h;
	char err[256];
	unsigned char *got;
	size_t len, i;

	zpb_trace_header_init(&h);
	strcpy(h.compressor, "lz4");
	REQUIRE(tu_write(tu_path("doc.bin"), ZPB_TRACE_BINARY, &h, recs, 4, err, sizeof(err)) == 0, "%s", err);
	got = tu_read_file(tu_path("doc.bin"), &len);
	REQUIRE(got, "cannot read the trace back");
	CHECK_EQ_UL(len, sizeof(want), "bytes in the documented example");
	for (i = 0; i < len && i < sizeof(want); i++)
		if (got[i] != want[i]) {
			CHECK(0, "byte %zu: expected 0x%02x, got 0x%02x", i, want[i], got[i]);
			break;
		}
	free(got);
}
