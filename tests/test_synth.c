// SPDX-License-Identifier: GPL-2.0-only
/*
 * Synth determinism and profiles; the bpftrace importer on its fixture
 * (tests/fixtures/zswap-bpftrace.txt, in traces/capture/zswap.bt's format).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../traces/capture/capture.h"
#include "../traces/synth/synth.h"
#include "harness.h"
#include "trace_util.h"

static int same_file(const char *a, const char *b)
{
	size_t la, lb;
	unsigned char *x = tu_read_file(a, &la), *y = tu_read_file(b, &lb);
	int same = x && y && la == lb && !memcmp(x, y, la);

	free(x);
	free(y);
	return same;
}

TEST(synth_same_seed_gives_identical_bytes_different_seed_differs)
{
	const struct zpb_synth_profile *const *p;
	char err[256];

	for (p = zpb_synth_profiles(); *p; p++) {
		const char *a = tu_path("a.trace"), *b = tu_path("b.trace"), *c = tu_path("c.trace");

		REQUIRE(!zpb_synth_write(*p, 5000, 42, 0, a, ZPB_TRACE_BINARY, NULL, err, sizeof(err)),
			"%s: %s", (*p)->name, err);
		REQUIRE(!zpb_synth_write(*p, 5000, 42, 0, b, ZPB_TRACE_BINARY, NULL, err, sizeof(err)),
			"%s: %s", (*p)->name, err);
		REQUIRE(!zpb_synth_write(*p, 5000, 43, 0, c, ZPB_TRACE_BINARY, NULL, err, sizeof(err)),
			"%s: %s", (*p)->name, err);
		CHECK(same_file(a, b), "synth %s: seed 42 twice gave different files", (*p)->name);
		CHECK(!same_file(a, c), "synth %s: seeds 42 and 43 gave the same file", (*p)->name);
		/* The text form too. */
		REQUIRE(!zpb_synth_write(*p, 2000, 9, 0, a, ZPB_TRACE_TEXT, NULL, err, sizeof(err)), "%s", err);
		REQUIRE(!zpb_synth_write(*p, 2000, 9, 0, b, ZPB_TRACE_TEXT, NULL, err, sizeof(err)), "%s", err);
		CHECK(same_file(a, b), "synth %s: text form, seed 9 twice differs", (*p)->name);
	}
}

TEST(synth_profiles_make_valid_traces_with_their_phases_cpus_and_sizes)
{
	const struct zpb_synth_profile *const *p;
	int nprof = 0;

	CHECK(zpb_synth_profile_find(ZPB_SYNTH_DEFAULT_PROFILE) == zpb_synth_profiles()[0],
	      "the default profile '%s' comes first", ZPB_SYNTH_DEFAULT_PROFILE);
	for (p = zpb_synth_profiles(); *p; p++) {
		const char *path = tu_path("v.trace");
		struct zpb_check_opts co = { .exclusive_loads = false };
		struct zpb_synth_stats st;
		struct zpb_checker *chk = zpb_checker_new(&co);
		struct zpb_trace_reader *r;
		struct zpb_record rec;
		char err[256], msg[256];
		uint64_t ops = 0, marks = 0, cpu_seen = 0, sizes[8] = { 0 };
		int rc, phase = 0, i, filled = 0;

		nprof++;
		REQUIRE(chk, "checker");
		REQUIRE(!zpb_synth_write(*p, 20000, 1, 0, path, ZPB_TRACE_BINARY, &st, err, sizeof(err)),
			"%s: %s", (*p)->name, err);
		r = zpb_trace_open(path, err, sizeof(err));
		REQUIRE(r, "%s: %s", (*p)->name, err);
		while ((rc = zpb_trace_next(r, &rec, err, sizeof(err))) == 1) {
			CHECK(zpb_checker_feed(chk, &rec, zpb_trace_position(r), msg, sizeof(msg)) == 0,
			      "synth %s: %s", (*p)->name, msg);
			if (rec.op == ZPB_OP_MARK) {
				if ((*p)->phases[phase].share > 0)
					CHECK(!strcmp(rec.label, (*p)->phases[phase].label),
					      "synth %s: mark %d is '%s', want '%s'", (*p)->name, phase, rec.label,
					      (*p)->phases[phase].label);
				else
					CHECK(!strcmp(rec.label, "end"), "synth %s: last mark '%s'", (*p)->name, rec.label);
				phase++;
				marks++;
				continue;
			}
			ops++;
			CHECK(rec.cpu < (*p)->threads, "synth %s: cpu %u for %u threads", (*p)->name, rec.cpu,
			      (*p)->threads);
			cpu_seen |= UINT64_C(1) << (rec.cpu & 63);
			CHECK(ZPB_KEY_OFFSET(rec.key) < (*p)->working_set, "synth %s: key beyond the working set",
			      (*p)->name);
			if (rec.op == ZPB_OP_STORE && !rec.flags)
				sizes[(rec.len - 1) / 512]++;
		}
		CHECK(rc == 0, "synth %s: reading: %s", (*p)->name, err);
		CHECK_EQ_UL(ops, 20000, "records other than MARK");
		CHECK_EQ_UL(marks, st.marks, "marks");
		CHECK(__builtin_popcountll(cpu_seen) == (int)(*p)->threads, "synth %s: %d CPUs used of %u",
		      (*p)->name, __builtin_popcountll(cpu_seen), (*p)->threads);
		/* The measured histograms spread over several size ranges, not one. */
		for (i = 0; i < 8; i++)
			filled += sizes[i] > st.stores / 100;
		CHECK(filled >= 3, "synth %s: stores fall in %d of 8 size ranges", (*p)->name, filled);
		zpb_checker_free(chk);
		zpb_trace_close(r);
	}
	CHECK(nprof >= 3, "at least 3 profiles, have %d", nprof);
}

/*
 * At 16K and 64K the same seed draws the same stream: the same ops, keys and
 * CPUs, each size k times the 4 KiB one (k = page size / 4096), an
 * incompressible page whole at the page size, and the header says so.
 */
TEST(synth_at_16k_and_64k_scales_the_4k_stream_record_by_record)
{
	static const uint32_t sizes[] = { 16384, 65536 };
	static struct zpb_record a[6000], b[6000];
	const struct zpb_synth_profile *p = zpb_synth_profile_find(ZPB_SYNTH_DEFAULT_PROFILE);
	char err[256];
	long na, nb, i;
	size_t s;

	REQUIRE(p, "the default profile");
	REQUIRE(!zpb_synth_write(p, 5000, 7, 0, tu_path("s4.trace"), ZPB_TRACE_BINARY, NULL, err, sizeof(err)),
		"%s", err);
	na = tu_read(tu_path("s4.trace"), a, 6000, err, sizeof(err));
	REQUIRE(na > 5000, "read the 4K trace: %s", err);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		const uint32_t ps = sizes[s], k = ps / 4096;
		struct zpb_trace_reader *r;
		long incomp = 0, scaled = 0;

		REQUIRE(!zpb_synth_write(p, 5000, 7, ps, tu_path("sk.trace"), ZPB_TRACE_BINARY, NULL, err,
					 sizeof(err)), "%u: %s", ps, err);
		r = zpb_trace_open(tu_path("sk.trace"), err, sizeof(err));
		REQUIRE(r, "%s", err);
		CHECK_EQ_UL(zpb_trace_header(r)->page_size, ps, "the header's page size");
		zpb_trace_close(r);
		nb = tu_read(tu_path("sk.trace"), b, 6000, err, sizeof(err));
		REQUIRE(nb == na, "%u: %ld records, the 4K trace has %ld: %s", ps, nb, na, err);
		for (i = 0; i < na; i++) {
			CHECK(a[i].op == b[i].op && a[i].key == b[i].key && a[i].cpu == b[i].cpu &&
			      a[i].flags == b[i].flags, "%u: record %ld differs from the 4K stream", ps, i);
			if (a[i].op != ZPB_OP_STORE)
				continue;
			if (a[i].flags & ZPB_STORE_INCOMPRESSIBLE) {
				CHECK(b[i].len == ps, "%u: record %ld incompressible at %u bytes", ps, i, b[i].len);
				incomp++;
			} else {
				CHECK(b[i].len == a[i].len * k && b[i].len < ps,
				      "%u: record %ld: %u bytes, want %u x %u", ps, i, b[i].len, k, a[i].len);
				scaled += a[i].len > 0;
			}
		}
		CHECK(incomp > 0 && scaled > 1000, "%u: %ld incompressible and %ld scaled stores compared", ps,
		      incomp, scaled);
	}
	CHECK(zpb_synth_write(p, 10, 7, 8192, tu_path("s8.trace"), ZPB_TRACE_BINARY, NULL, err, sizeof(err)) &&
	      strstr(err, "8192"), "page size 8192 refused: got '%s'", err);
	CHECK(access(tu_path("s8.trace"), F_OK) != 0, "no output for a refused page size");
}

TEST(synth_histograms_come_from_measured_pages)
{
	const struct zpb_size_hist *h[] = { &zpb_hist_python_heap, &zpb_hist_binaries, &zpb_hist_text };
	size_t i, b;

	for (i = 0; i < 3; i++) {
		uint64_t sum = h[i]->same_filled + h[i]->incompressible;

		for (b = 0; b < ZPB_HIST_BUCKETS; b++)
			sum += h[i]->buckets[b];
		CHECK(h[i]->pages > 1000 && sum == h[i]->pages, "histogram %s: %llu pages, buckets sum %llu",
		      h[i]->name, (unsigned long long)h[i]->pages, (unsigned long long)sum);
	}
}

static const char *fixture(void)
{
	/* Tests run from the repository's root (ninja test) or from tests/. */
	return access("tests/fixtures/zswap-bpftrace.txt", R_OK) == 0 ? "tests/fixtures/zswap-bpftrace.txt"
								       : "fixtures/zswap-bpftrace.txt";
}

TEST(import_bpftrace_fixture_gives_the_hand_worked_trace)
{
	/* What the fixture's events mean, worked out by hand (see the fixture's lines). */
	static const struct {
		uint64_t t;
		uint32_t cpu;
		uint8_t op, flags;
		uint64_t key;
		uint32_t len;
		const char *label;
	} want[] = {
		{ 0, 0, ZPB_OP_MARK, 0, 0, 0, "capture-start" },
		{ 0, 0, ZPB_OP_STORE, 0, ZPB_KEY(0, 100), 1523, NULL },
		{ 100, 0, ZPB_OP_STORE, 0, ZPB_KEY(0, 101), 2871, NULL },
		{ 200, 1, ZPB_OP_STORE, ZPB_STORE_INCOMPRESSIBLE, ZPB_KEY(0, 102), 4096, NULL },
		{ 300, 1, ZPB_OP_STORE, ZPB_STORE_SAME_FILLED, ZPB_KEY(0, 103), 0, NULL },
		{ 450, 0, ZPB_OP_LOAD, 0, ZPB_KEY(0, 100), 0, NULL },	/* out of file order: sorted by time */
		{ 450, 0, ZPB_OP_INVALIDATE, 0, ZPB_KEY(0, 100), 0, NULL },
		{ 500, 1, ZPB_OP_STORE, 0, ZPB_KEY(1, 5), 980, NULL },
		{ 600, 1, ZPB_OP_INVALIDATE, 0, ZPB_KEY(0, 103), 0, NULL },
		{ 700, 2, ZPB_OP_WRITEBACK, 0, ZPB_KEY(0, 101), 0, NULL },
		{ 750, 2, ZPB_OP_LOAD, 0, ZPB_KEY(0, 101), 0, NULL },	/* M after W: a miss */
		/* M of 777: never stored, dropped */
		{ 800, 0, ZPB_OP_INVALIDATE, 0, ZPB_KEY(0, 102), 0, NULL },	/* redirtied: replaced */
		{ 800, 0, ZPB_OP_STORE, 0, ZPB_KEY(0, 102), 2000, NULL },
		/* R of the old 102 entry: stale; I of 999: never stored, dropped */
		{ 1000, 2, ZPB_OP_STORE, 0, ZPB_KEY(0, 200), 1200, NULL },
		{ 1001, 2, ZPB_OP_STORE, 0, ZPB_KEY(0, 201), 1300, NULL },
		{ 1100, 2, ZPB_OP_INVALIDATE, 0, ZPB_KEY(0, 200), 0, NULL },	/* X: the store failed */
		{ 1100, 2, ZPB_OP_INVALIDATE, 0, ZPB_KEY(0, 201), 0, NULL },
		{ 1200, 1, ZPB_OP_INVALIDATE, 0, ZPB_KEY(1, 5), 0, NULL },
		{ 1300, 3, ZPB_OP_STORE, 0, ZPB_KEY(0, 300), 512, NULL },
		{ 1400, 3, ZPB_OP_LOAD, 0, ZPB_KEY(0, 300), 0, NULL },
		{ 1400, 3, ZPB_OP_INVALIDATE, 0, ZPB_KEY(0, 300), 0, NULL },
		/* the I of 300 after the load hit frees nothing more: stale */
		{ 1500, 3, ZPB_OP_MARK, 0, 0, 0, "capture-end" },
	};
	const size_t nwant = sizeof(want) / sizeof(want[0]);
	struct zpb_record recs[64];
	struct zpb_import_stats st;
	const char *out = tu_path("imported.trace");
	char err[256];
	long n;
	size_t i;

	REQUIRE(!zpb_import_bpftrace_stats(fixture(), out, ZPB_TRACE_BINARY, &st, err, sizeof(err)),
		"import %s: %s", fixture(), err);
	n = tu_read(out, recs, 64, err, sizeof(err));
	REQUIRE(n == (long)nwant, "imported %ld records, want %zu (%s)", n, nwant, n < 0 ? err : "");
	for (i = 0; i < nwant; i++) {
		const struct zpb_record *r = &recs[i];

		CHECK(r->time_ns == want[i].t && r->cpu == want[i].cpu && r->op == want[i].op,
		      "record %zu: got t=%llu cpu=%u %s, want t=%llu cpu=%u %s", i,
		      (unsigned long long)r->time_ns, r->cpu, zpb_op_name(r->op), (unsigned long long)want[i].t,
		      want[i].cpu, zpb_op_name(want[i].op));
		if (want[i].op == ZPB_OP_MARK) {
			CHECK(!strcmp(r->label, want[i].label), "record %zu: label '%s', want '%s'", i, r->label,
			      want[i].label);
			continue;
		}
		CHECK(r->key == want[i].key, "record %zu: key %#llx, want %#llx", i, (unsigned long long)r->key,
		      (unsigned long long)want[i].key);
		if (want[i].op == ZPB_OP_STORE)
			CHECK(r->len == want[i].len && r->flags == want[i].flags,
			      "record %zu: STORE len %u flags %#x, want len %u flags %#x", i, r->len, r->flags,
			      want[i].len, want[i].flags);
	}
	CHECK_EQ_UL(st.dropped, 2, "events on keys stored before the capture");
	CHECK_EQ_UL(st.misses, 1, "misses (loads of written-back pages)");
	CHECK_EQ_UL(st.stale, 2, "stale frees");
	CHECK_EQ_UL(st.replaced, 1, "replaced entries");
	CHECK_EQ_UL(st.writebacks, 1, "writebacks");
}

TEST(import_bpftrace_malformed_line_is_named)
{
	char in[512];
	const char *good = "S 10 0 5 100 0x1\n";
	const char *bad = "S 10 0 5 100 0x1\nL 20 0 5 x 0x1\n";
	char err[256] = "";

	snprintf(in, sizeof(in), "%s", tu_path("bad.txt"));	/* tu_path's buffers rotate */
	tu_write_file(in, good, strlen(good));
	CHECK(!zpb_import_bpftrace(in, tu_path("ok.trace"), ZPB_TRACE_TEXT, err, sizeof(err)),
	      "a one-store capture: %s", err);
	tu_write_file(in, bad, strlen(bad));
	CHECK(zpb_import_bpftrace(in, tu_path("bad.trace"), ZPB_TRACE_TEXT, err, sizeof(err)) &&
	      strstr(err, "bad.txt:2"), "a malformed L line: got '%s'", err);
	CHECK(access(tu_path("bad.trace"), F_OK) != 0, "no output after a failed import");
	tu_write_file(in, "S 1 0 5 0 0x1\n", 14);
	CHECK(zpb_import_bpftrace(in, tu_path("bad.trace"), ZPB_TRACE_TEXT, err, sizeof(err)) &&
	      strstr(err, ":1"), "a zero-length store: got '%s'", err);
}

TEST(import_bpftrace_refuses_negative_and_overflowing_numbers_by_line)
{
	/* sscanf's %llu read "-1" as 2^64-1 and clamped overflow, so these once imported. */
	static const char *const lines[] = {
		"S 10 0 5 100 0x1\nS 99999999999999999999 0 6 100 0x2\n",
		"S 10 0 5 100 0x1\nS -1 0 6 100 0x2\n",
		"S 10 0 5 100 0x1\nS 20 0 6 100 0xfffffffffffffffffffff\n",
		"S 10 0 5 100 0x1\nS 20 99999 6 100 0x2\n",
	};
	char in[512], err[256];
	size_t i;

	snprintf(in, sizeof(in), "%s", tu_path("range.txt"));
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		tu_write_file(in, lines[i], strlen(lines[i]));
		err[0] = 0;
		CHECK(zpb_import_bpftrace(in, tu_path("range.trace"), ZPB_TRACE_TEXT, err, sizeof(err)) &&
		      strstr(err, "range.txt:2"), "case %zu: expected an error naming range.txt:2, got '%s'", i, err);
		CHECK(access(tu_path("range.trace"), F_OK) != 0, "case %zu: no output after a failed import", i);
	}
}
