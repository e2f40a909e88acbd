// SPDX-License-Identifier: GPL-2.0-only
/*
 * The results contract: a replay's results file, read back with the JSON
 * reader the report and gate use, has the keys docs/results-format.md
 * promises with the values the run had; the writer escapes what JSON needs;
 * SHA-256 matches FIPS 180-4's examples; CSV timelines are written.
 */
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "../replay/results.h"
#include "../replay/summary.h"
#include "../util/json_reader.h"
#include "../util/json_writer.h"
#include "../util/sha256.h"
#include "harness.h"
#include "replay_util.h"

static char tmpdir[] = "/tmp/zpb-test-results.XXXXXX";

/* A path in this program's temporary directory, made on first use. (Not by
 * looking for 'X' in its name: mkdtemp's random suffix may contain one.) */
static const char *tmppath(const char *name)
{
	static char buf[256];
	static bool made;

	if (!made)
		made = mkdtemp(tmpdir) != NULL;
	snprintf(buf, sizeof(buf), "%s/%s", made ? tmpdir : "/nonexistent", name);
	return buf;
}

TEST(sha256_matches_fips_180_4_examples)
{
	static const struct { const char *in, *hex; } v[] = {
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	struct zpb_sha256 s;
	uint8_t d[32];
	char hex[65];
	size_t i, j;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		zpb_sha256_init(&s);
		/* Fed a byte at a time past the first 3, to cross block boundaries oddly. */
		for (j = 0; j < strlen(v[i].in); j += j < 3 ? 3 : 1)
			zpb_sha256_update(&s, v[i].in + j, j < 3 ? (strlen(v[i].in) < 3 ? strlen(v[i].in) : 3) : 1);
		zpb_sha256_final(&s, d);
		zpb_sha256_hex(d, hex);
		CHECK(!strcmp(hex, v[i].hex), "sha256('%s'): expected %s, got %s", v[i].in, v[i].hex, hex);
	}
	/* A million 'a's, in 1000-byte pieces. */
	{
		char a[1000];

		memset(a, 'a', sizeof(a));
		zpb_sha256_init(&s);
		for (i = 0; i < 1000; i++)
			zpb_sha256_update(&s, a, sizeof(a));
		zpb_sha256_final(&s, d);
		zpb_sha256_hex(d, hex);
		CHECK(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
		      "sha256(10^6 'a'): got %s", hex);
	}
}

TEST(json_writer_escapes_and_round_trips_through_the_reader)
{
	const char *path = tmppath("w.json");
	FILE *f = fopen(path, "w");
	struct zpb_jw w;
	struct zpb_json *root;
	char err[256];

	REQUIRE(f, "cannot open %s", path);
	zpb_jw_init(&w, f, true);
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "s", "quote\" back\\ nl\n tab\t ctl\x01 é");
	zpb_jw_kstring(&w, "bad", "x\xff\xc3(y\xe2\x82");
	zpb_jw_ku64(&w, "big", UINT64_MAX);
	zpb_jw_ki64(&w, "neg", -42);
	zpb_jw_kdouble(&w, "third", 1.0 / 3);
	zpb_jw_kdouble(&w, "nan", 0.0 / 0.0);
	zpb_jw_key(&w, "empty");
	zpb_jw_array_begin(&w);
	zpb_jw_array_end(&w);
	zpb_jw_object_end(&w);
	CHECK(zpb_jw_finish(&w) == 0, "writer reported an error");
	fclose(f);
	root = zpb_json_load(path, NULL, err, sizeof(err));
	REQUIRE(root, "reader rejected the writer's output: %s", err);
	CHECK(!strcmp(zpb_json_get_str(root, "s", ""), "quote\" back\\ nl\n tab\t ctl\x01 é"), "string round trip");
	CHECK(!strcmp(zpb_json_get_str(root, "bad", ""), "x\xef\xbf\xbd\xef\xbf\xbd(y\xef\xbf\xbd\xef\xbf\xbd"),
	      "invalid UTF-8 not replaced by U+FFFD: '%s'", zpb_json_get_str(root, "bad", ""));
	CHECK(zpb_json_get_number(root, "neg", 0) == -42, "neg");
	CHECK(zpb_json_get_number(root, "third", 0) == 1.0 / 3, "1/3 did not round-trip exactly");
	CHECK(zpb_json_get(root, "nan") && zpb_json_get(root, "nan")->type == ZPB_JSON_NULL, "NaN not written as null");
	CHECK(zpb_json_get(root, "empty") && zpb_json_get(root, "empty")->len == 0, "empty array");
	zpb_json_free(root);
}

TEST(json_writer_reports_misuse)
{
	FILE *f = tmpfile();
	struct zpb_jw w;

	REQUIRE(f, "tmpfile");
	zpb_jw_init(&w, f, false);
	zpb_jw_object_begin(&w);
	zpb_jw_key(&w, "dangling");
	CHECK(zpb_jw_finish(&w) == -1, "an unclosed object with a key and no value passed");
	fclose(f);
}

static const struct zpb_json *path_get(const struct zpb_json *v, const char *a, const char *b, const char *c)
{
	v = zpb_json_get(v, a);
	if (v && b)
		v = zpb_json_get(v, b);
	if (v && c)
		v = zpb_json_get(v, c);
	return v;
}

TEST(results_file_has_the_documented_keys_and_the_runs_values)
{
	static const char *const kv[] = { "sample-ops", "3", NULL };
	static struct zpb_replay_options o;
	struct zpb_record recs[16];
	struct zpb_run_result *runs[2];
	struct zpb_results_meta meta;
	struct zpb_replay_source src;
	struct zpb_json *root;
	const struct zpb_json *run, *v;
	const char *path = tmppath("results.json");
	char err[512];
	size_t n = 0, i;
	static const char *const run_keys[] = { "allocator", "capabilities", "repetition", "threads", "ops",
		"wall_ns", "ops_per_sec", "latency_ns", "final", "marks", "timeline", "reclaim",
		"objects_per_page", "verify_failures", "diagnostics", "complete", "records", "memory" };

	recs[n++] = rec_op(ZPB_OP_STORE, 0, 1, 1000);
	recs[n++] = rec_op(ZPB_OP_STORE, 0, 2, 3000);
	recs[n++] = rec_mark("both \"in\"");
	recs[n++] = rec_op(ZPB_OP_LOAD, 0, 1, 0);
	recs[n++] = rec_op(ZPB_OP_INVALIDATE, 0, 2, 0);
	recs[n++] = rec_mark("none");
	REQUIRE(opts_make(&o, "ideal,null", kv, err, sizeof(err)) == 0, "%s", err);
	zpb_replay_source_memory(&src, recs, n);
	for (i = 0; i < 2; i++) {
		runs[i] = zpb_replay_run(&o, &src, &o.specs[i], 0, NULL, err, sizeof(err));
		REQUIRE(runs[i], "%s", err);
	}
	memset(&meta, 0, sizeof(meta));
	meta.complete = true;
	meta.trace_path = "memory";
	strcpy(meta.trace_sha256, "0");
	meta.trace_records = n;
	meta.trace_format = "memory";
	meta.compressor = "none";
	meta.source = "test";
	meta.o = &o;
	REQUIRE(zpb_results_write(path, &meta, runs, 2, err, sizeof(err)) == 0, "%s", err);
	root = zpb_json_load(path, NULL, err, sizeof(err));
	REQUIRE(root, "%s", err);
	CHECK(!strcmp(zpb_json_get_str(root, "format", ""), "zpoolbench-results"), "format");
	CHECK(zpb_json_get_number(root, "format_version", 0) == 1, "format_version");
	CHECK(zpb_json_bool(zpb_json_get(root, "complete"), false), "complete");
	CHECK(path_get(root, "machine", "cpu_model", NULL) && path_get(root, "clock", "overhead_ns", NULL) &&
	      path_get(root, "options", "pool_limit_pages", NULL) && path_get(root, "tool", "git", NULL),
	      "machine/clock/options/tool keys missing");
	run = zpb_json_at(zpb_json_get(root, "runs"), 0);
	REQUIRE(run, "no runs[0]");
	for (i = 0; i < sizeof(run_keys) / sizeof(run_keys[0]); i++)
		CHECK(zpb_json_get(run, run_keys[i]), "runs[0] has no '%s'", run_keys[i]);
	CHECK(!strcmp(zpb_json_get_str(run, "allocator", ""), "ideal"), "allocator");
	CHECK(zpb_json_number(path_get(run, "ops", "store", NULL), 0) == 2, "ops.store");
	CHECK(zpb_json_number(path_get(run, "latency_ns", "store", "count"), 0) == 2, "latency_ns.store.count");
	CHECK(path_get(run, "latency_ns", "load", "p99_99") && path_get(run, "latency_ns", "reclaim", "buckets"),
	      "latency percentiles/buckets");
	v = zpb_json_at(zpb_json_get(run, "marks"), 0);
	REQUIRE(v, "no marks[0]");
	CHECK(!strcmp(zpb_json_get_str(v, "label", ""), "both \"in\""), "mark label");
	CHECK(zpb_json_get_number(v, "stored_bytes", 0) == 4000, "marks[0].stored_bytes");
	CHECK(zpb_json_get_number(v, "pool_pages", 0) == 1, "marks[0].pool_pages (ideal: ceil(4000/4096))");
	CHECK(zpb_json_get_number(v, "live_objects", 0) == 2, "marks[0].live_objects");
	CHECK(zpb_json_get(run, "timeline")->len >= 3, "timeline points every 3 records");
	CHECK(!zpb_json_get(run, "harness"), "ideal marked harness");
	run = zpb_json_at(zpb_json_get(root, "runs"), 1);
	REQUIRE(run, "no runs[1]");
	CHECK(zpb_json_bool(zpb_json_get(run, "harness"), false), "the null run is not marked harness");
	run = zpb_json_at(zpb_json_get(root, "runs"), 0);
	/* A share of the run's time, so at most 1; above that the figures are noise and say so. */
	CHECK((zpb_json_get(run, "harness_overhead_ratio") &&
	       zpb_json_get_number(run, "harness_overhead_ratio", 2) <= 1) ||
	      zpb_json_bool(zpb_json_get(run, "harness_overhead_noise"), false),
	      "with a null run present: a harness_overhead_ratio at most 1 (got %g), or harness_overhead_noise",
	      zpb_json_get_number(run, "harness_overhead_ratio", -1));
	zpb_json_free(root);

	REQUIRE(zpb_results_write_csv(tmppath("csv"), runs, 2, err, sizeof(err)) == 0, "%s", err);
	CHECK(access(tmppath("csv/ideal-0.csv"), R_OK) == 0 && access(tmppath("csv/null-0.csv"), R_OK) == 0,
	      "CSV timelines not written");
	for (i = 0; i < 2; i++)
		zpb_run_result_free(runs[i]);
	unlink(tmppath("csv/ideal-0.csv"));
	unlink(tmppath("csv/null-0.csv"));
	rmdir(tmppath("csv"));
	unlink(tmppath("results.json"));
	unlink(tmppath("w.json"));
	rmdir(tmpdir);
}

/* A bare complete run of @alloc: @ns wall time for 1000 records, stores of @store_ns each. */
static struct zpb_run_result *fake_run(const char *alloc, unsigned caps, int rep, uint64_t ns, uint64_t store_ns,
				       uint64_t pages)
{
	struct zpb_run_result *r = calloc(1, sizeof(*r));
	int k;

	if (!r)
		return NULL;
	snprintf(r->allocator, sizeof(r->allocator), "%s", alloc);
	r->caps = caps;
	r->repetition = rep;
	r->complete = true;
	r->records = 1000;
	r->wall_ns = ns;
	r->cpu_ns = ns;
	r->final.pool_pages = pages;
	for (k = 0; k < ZPB_LAT_MAX; k++)
		zpb_hist_reset(&r->lat[k]);
	zpb_hist_record(&r->lat[ZPB_LAT_STORE], store_ns);
	return r;
}

TEST(summary_gives_median_extremes_and_interval_and_flags_an_overhead_above_1_as_noise)
{
	/* zbud: 5 runs at 100..140 us (100..140 ns a record); null: 3 runs, median 120 ns a record. */
	static const uint64_t zbud_ns[] = { 140000, 100000, 120000, 110000, 130000 };
	static const uint64_t null_ns[] = { 150000, 120000, 60000 };
	struct zpb_run_result *runs[10];
	struct zpb_alloc_summary s[ZPB_REPLAY_MAX_ALLOCS];
	struct zpb_jw w;
	struct zpb_json *root;
	const struct zpb_json *run;
	char err[256], *buf = NULL;
	size_t len = 0, i;
	FILE *f;
	int n;

	for (i = 0; i < 5; i++)
		runs[i] = fake_run("zbud", 0, (int)i, zbud_ns[i], 100 + 10 * i, 50 + i);
	for (i = 0; i < 3; i++)
		runs[5 + i] = fake_run("null", ZPB_CAP_HARNESS, (int)i, null_ns[i], 30, 0);
	runs[8] = fake_run("zsmalloc", 0, 0, 240000, 300, 40);
	runs[9] = fake_run("ideal", 0, 0, 60000, 300, 40);	/* faster than the harness's median: noise */
	for (i = 0; i < 10; i++)
		REQUIRE(runs[i], "alloc");
	n = zpb_summarise_runs(runs, 10, s);
	REQUIRE(n == 4, "four allocators summarised, got %d", n);
	CHECK(!strcmp(s[0].allocator, "zbud") && s[0].runs == 5, "zbud, 5 runs: got %s, %d", s[0].allocator, s[0].runs);
	CHECK(s[0].ns_per_record.median == 120 && s[0].ns_per_record.min == 100 && s[0].ns_per_record.max == 140,
	      "zbud ns/record: expected 120 [100, 140], got %g [%g, %g]", s[0].ns_per_record.median,
	      s[0].ns_per_record.min, s[0].ns_per_record.max);
	CHECK(s[0].ns_per_record.lo == 100 && s[0].ns_per_record.hi == 140 && s[0].ns_per_record.level == 0.9375,
	      "5 runs: the interval is [min, max] at 93.75%%, got [%g, %g] at %g", s[0].ns_per_record.lo,
	      s[0].ns_per_record.hi, s[0].ns_per_record.level);
	CHECK(s[0].lat_ran[ZPB_LAT_STORE] && !s[0].lat_ran[ZPB_LAT_LOAD], "store ran, load did not");
	CHECK(s[0].pool_pages.median == 52, "zbud pool pages median: expected 52, got %g", s[0].pool_pages.median);
	/* Harness median 120 ns a record: zbud's median 120 gives 1; zsmalloc's 240 gives 0.5. */
	CHECK(!s[0].overhead_noise && s[0].overhead_ratio == 1, "zbud ratio: expected 1, got %g", s[0].overhead_ratio);
	CHECK(!s[2].overhead_noise && s[2].overhead_ratio == 0.5, "zsmalloc: expected 0.5, got %g", s[2].overhead_ratio);
	CHECK(s[3].overhead_noise, "ideal at 60 ns a record against the harness's 120: a ratio of 2 is noise");
	f = open_memstream(&buf, &len);
	REQUIRE(f, "memstream");
	zpb_jw_init(&w, f, false);
	zpb_jw_object_begin(&w);
	zpb_jw_key(&w, "summary");
	zpb_summary_write_json(&w, s, n);
	zpb_jw_object_end(&w);
	REQUIRE(!zpb_jw_finish(&w), "summary JSON written");
	fclose(f);
	root = zpb_json_parse(buf, len, "summary", NULL, err, sizeof(err));
	REQUIRE(root, "summary JSON parses: %s", err);
	run = zpb_json_at(zpb_json_get(zpb_json_get(root, "summary"), "allocators"), 0);
	CHECK(zpb_json_get_number(zpb_json_get(run, "ops_per_sec"), "median", 0) > 0 &&
	      zpb_json_get_number(zpb_json_get(run, "ops_per_sec"), "ci_level", 0) == 0.9375, "ops_per_sec spread");
	CHECK(zpb_json_get(zpb_json_get(zpb_json_get(run, "latency_ns"), "store"), "p99") != NULL, "store p99 spread");
	run = zpb_json_at(zpb_json_get(zpb_json_get(root, "summary"), "allocators"), 3);
	CHECK(zpb_json_bool(zpb_json_get(run, "harness_overhead_noise"), false) &&
	      !zpb_json_get(run, "harness_overhead_ratio"), "ideal: harness_overhead_noise instead of a ratio above 1");
	zpb_json_free(root);
	free(buf);
	for (i = 0; i < 10; i++)
		free(runs[i]);
}
