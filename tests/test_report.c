// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report writer: both files written from the fixtures, a summary table
 * and one inline SVG per picture (when gnuplot is there), the Markdown
 * table, the report without gnuplot, bad input, and atomic replacement.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../report/plotdata.h"
#include "../report/report.h"
#include "harness.h"

#define FX "tests/fixtures/"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	fclose(f);
	return buf;
}

/* The report's two files in @dir (NULL where missing; free both). */
static void read_report(const char *dir, char **html, char **md)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/index.html", dir);
	*html = slurp(path);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	*md = slurp(path);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; hay && (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* A fresh directory for one test's report. */
static void fresh(char *dir, size_t len, const char *name)
{
	snprintf(dir, len, "%s/zpb-test-report-%ld-%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (long)getpid(), name);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool have_gnuplot(void)
{
	return system("gnuplot --version >/dev/null 2>&1") == 0;
}

static int write_report(const char *dir, const char *const *in, size_t n, const char *base,
			struct zpb_report_outcome *out, char *err, size_t errlen)
{
	struct zpb_report_options o = { .inputs = in, .ninputs = n, .baseline = base, .outdir = dir };

	return zpb_report_write(&o, out, err, errlen);
}

TEST(report_writes_html_and_markdown_with_every_picture)
{
	const char *in[] = { FX "results-all.json", FX "results-all-4threads.json" };
	struct zpb_report_outcome out;
	char dir[512], path[600], err[512];
	char *html, *md;

	fresh(dir, sizeof(dir), "full");
	REQUIRE(!write_report(dir, in, 2, NULL, &out, err, sizeof(err)), "report written: %s", err);
	read_report(dir, &html, &md);
	REQUIRE(html && md, "both files exist");
	CHECK(count(html, "<table class=\"summary density\">") == 2, "one density table per input, got %zu",
	      count(html, "<table class=\"summary density\">"));
	CHECK(count(html, "<table class=\"summary latency\">") == 2, "one latency table per input, got %zu",
	      count(html, "<table class=\"summary latency\">"));
	CHECK(strstr(html, "z3fold") && strstr(html, "zsmalloc") && strstr(html, "ideal"), "allocators named");
	CHECK(!strstr(html, "</span>null</td>"), "the harness (null) run is not reported as an allocator");
	CHECK(strstr(html, "<dt>cpu_model</dt><dd>Example CPU @ 2.0GHz</dd>"), "machine of the run shown");
	CHECK(strstr(html, "<dt>pool_limit_pages</dt><dd>550</dd>"), "options of the run shown");
	/* 8 pictures per input (density, compression, latency of store, load and invalidate, CDF,
	 * reclaim, objects per page) and scaling; the 4-thread file has no objects per page, and
	 * reclaimed nothing, so its reclaim panels are left out. */
	CHECK(out.pictures == 16, "pictures planned: expected 16, got %zu", out.pictures);
	CHECK(!strstr(html, "Reclaim: mixed.zpt on 4 threads"), "no reclaim picture where nothing was reclaimed");
	CHECK(strstr(html, "Reclaim: mixed.zpt on 2 threads"), "a reclaim picture where the limit was reached");
	if (have_gnuplot()) {
		CHECK(out.drawn == 15 && out.gnuplot, "drawn: expected 15, got %zu", out.drawn);
		CHECK(count(html, "<svg") == 15, "inline <svg per drawn picture: expected 15, got %zu",
		      count(html, "<svg"));
		CHECK(strstr(html, "Objects per page: mixed.zpt on 4 threads: not drawn: no objects_per_page"),
		      "the missing picture says why");
		snprintf(path, sizeof(path), "%s/img/r0-density.png", dir);
		CHECK(access(path, R_OK) == 0, "PNG written beside the SVG: %s", path);
	} else {
		printf("  (gnuplot not installed: picture checks reduced)\n");
		CHECK(strstr(html, "Pictures were not drawn"), "page says pictures are missing");
	}
	/*
	 * The 2-thread file reached its limit: z3fold wrote back 40 pages and zbud 60 against zsmalloc's 30, so
	 * only zsmalloc is ranked (394 pages, ideal 367: 1.07x). The 4-thread file wrote nothing back: all ranked.
	 */
	CHECK(strstr(html, "zsmalloc (mainline zswap's allocator) keeps the pages in the fewest pool pages (394 at the "
			   "end, 1.07× the ideal bound; peak 397). Not ranked: z3fold: did less work: wrote back 40 pages, "
			   "against 30 pages sent to swap by zsmalloc; zbud: did less work: wrote back 60 pages, "
			   "against 30 pages sent to swap by zsmalloc."),
	      "headline of the limited run in HTML");
	CHECK(strstr(md, "(394 at the end, 1.07× the ideal bound; peak 397); zbud needs 55% more. Fastest median store "
			 "among the ranked: zbud (850 ns)."), "headline of the unlimited run in Markdown");
	CHECK(strstr(md, "| rank | allocator | runs | peak pool pages (pages) |"), "Markdown density table header");
	CHECK(strstr(md, "| not ranked | zbud | 1 | 614 | 611 | 0.599 |"), "Markdown row for zbud, not ranked, with its density");
	CHECK(strstr(md, "| 3 | zbud | 1 | 614 | 611 | 0.599 |"), "and ranked third on 4 threads");
	CHECK(strstr(md, "| allocator | store p50 (ns) |"), "Markdown latency table apart");
	CHECK(count(md, "\n## Trace mixed.zpt") == 2, "one Markdown section per input");
	free(html);
	free(md);
	cleanup(dir);
}

TEST(report_without_gnuplot_is_written_and_says_so)
{
	const char *in[] = { FX "results-all.json" };
	struct zpb_report_outcome out;
	char dir[512], err[512];
	char *html, *md;

	fresh(dir, sizeof(dir), "nognuplot");
	setenv("ZPB_GNUPLOT", "/nonexistent/gnuplot", 1);
	REQUIRE(!write_report(dir, in, 1, NULL, &out, err, sizeof(err)), "report written: %s", err);
	unsetenv("ZPB_GNUPLOT");
	CHECK(!out.gnuplot && out.drawn == 0, "no pictures drawn (gnuplot %d, drawn %zu)", out.gnuplot, out.drawn);
	read_report(dir, &html, &md);
	REQUIRE(html && md, "both files exist");
	CHECK(strstr(html, "id=\"no-pictures\"") && strstr(html, "gnuplot-nox"), "page says why, and the fix");
	CHECK(count(html, "<svg") == 0, "no <svg without gnuplot");
	CHECK(strstr(html, "<table class=\"summary density\">"), "tables still there");
	CHECK(strstr(md, "Pictures were not drawn"), "Markdown says so too");
	free(html);
	free(md);
	cleanup(dir);
}

TEST(report_marks_significant_changes_against_a_baseline)
{
	const char *in[] = { FX "results-zbud.json" };
	struct zpb_report_outcome out;
	char dir[512], err[512];
	char *html, *md;

	fresh(dir, sizeof(dir), "baseline");
	setenv("ZPB_GNUPLOT", "/nonexistent/gnuplot", 1);
	REQUIRE(!write_report(dir, in, 1, FX "results-all.json", &out, err, sizeof(err)), "written: %s", err);
	unsetenv("ZPB_GNUPLOT");
	read_report(dir, &html, &md);
	REQUIRE(html && md, "both files exist");
	/* zbud's figures equal the baseline's zbud: changes shown, none significant. */
	CHECK(strstr(html, "+0.0%") != NULL, "changes shown");
	CHECK(count(html, "class=\"chg worse\"") == 0 && count(html, "class=\"chg better\"") == 0,
	      "nothing marked significant for identical figures");
	free(html);
	free(md);
	cleanup(dir);

	fresh(dir, sizeof(dir), "baseline2");
	setenv("ZPB_GNUPLOT", "/nonexistent/gnuplot", 1);
	in[0] = FX "results-all-4threads.json";
	REQUIRE(!write_report(dir, in, 1, FX "results-all.json", &out, err, sizeof(err)), "written: %s", err);
	unsetenv("ZPB_GNUPLOT");
	read_report(dir, &html, &md);
	REQUIRE(html && md, "both files exist");
	/* z3fold wrote back 40 pages in the baseline and 0 here: a significant improvement (threshold 5%). */
	CHECK(count(html, "class=\"chg better\"") > 0, "significant improvements marked in HTML");
	CHECK(strstr(md, "(**-100.0% ▼**)") != NULL, "and in Markdown");
	free(html);
	free(md);
	cleanup(dir);

	/* Other rules: only ops/s is judged, and every allocator's rose by more than 10%. */
	{
		struct zpb_report_options o = { .inputs = in, .ninputs = 1, .baseline = FX "results-all.json",
						.rules = FX "rules-throughput.txt", .outdir = dir };

		fresh(dir, sizeof(dir), "baseline3");
		setenv("ZPB_GNUPLOT", "/nonexistent/gnuplot", 1);
		REQUIRE(!zpb_report_write(&o, &out, err, sizeof(err)), "written: %s", err);
		unsetenv("ZPB_GNUPLOT");
		read_report(dir, &html, &md);
		REQUIRE(html && md, "both files exist");
		CHECK(count(html, "class=\"chg better\"") == 4, "ops/s of 4 allocators marked, nothing else: %zu",
		      count(html, "class=\"chg better\""));
		free(html);
		free(md);
		cleanup(dir);
		o.rules = FX "malformed.json";
		CHECK(zpb_report_write(&o, &out, err, sizeof(err)) == -1 && strstr(err, "malformed.json:1:"),
		      "a bad rules file is an error naming its line: %s", err);
	}
}

TEST(report_reads_google_benchmark_json)
{
	const char *in[] = { FX "gbench.json" };
	struct zpb_report_outcome out;
	char dir[512], path[600], err[512];
	char *md;

	fresh(dir, sizeof(dir), "gbench");
	REQUIRE(!write_report(dir, in, 1, NULL, &out, err, sizeof(err)), "report written: %s", err);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	md = slurp(path);
	REQUIRE(md, "report.md exists");
	CHECK(strstr(md, "| BM\\_store/z3fold/1024 | 3 | 1220.0 ±10.0 |"), "benchmark row with the median of 3: %s", md);
	CHECK(out.pictures == 0, "no pictures for microbenchmarks alone (%zu)", out.pictures);
	free(md);
	cleanup(dir);
}

TEST(report_bad_input_names_the_file_and_leaves_the_old_report)
{
	const char *good[] = { FX "results-z3fold.json" };
	const char *bad[] = { FX "results-z3fold.json", FX "malformed.json" };
	const char *missing[] = { FX "nope.json" };
	struct zpb_report_outcome out;
	char dir[512], path[600], err[512];
	char *before, *after;
	struct stat st;

	fresh(dir, sizeof(dir), "atomic");
	setenv("ZPB_GNUPLOT", "/nonexistent/gnuplot", 1);
	REQUIRE(!write_report(dir, good, 1, NULL, &out, err, sizeof(err)), "first report: %s", err);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	before = slurp(path);
	CHECK(write_report(dir, bad, 2, NULL, &out, err, sizeof(err)) == -1, "malformed input rejected");
	CHECK(strstr(err, "tests/fixtures/malformed.json:4:"), "error names file and line: %s", err);
	CHECK(write_report(dir, missing, 1, NULL, &out, err, sizeof(err)) == -1, "missing input rejected");
	CHECK(strstr(err, "nope.json") != NULL, "error names the file: %s", err);
	CHECK(write_report(dir, good, 1, FX "malformed.json", &out, err, sizeof(err)) == -1,
	      "malformed baseline rejected");
	unsetenv("ZPB_GNUPLOT");
	after = slurp(path);
	CHECK(before && after && !strcmp(before, after), "old index.html untouched after failures");
	snprintf(path, sizeof(path), "%s/.staging-%ld", dir, (long)getpid());
	CHECK(stat(path, &st) != 0, "no staging directory left behind");
	free(before);
	free(after);
	cleanup(dir);
}

TEST(bucket_quantiles_pick_the_first_bucket_reaching_the_rank)
{
	char err[256];
	const char *text = "[[100, 50], [200, 40], [400, 9], [800, 1]]";
	struct zpb_json *b = zpb_json_parse(text, strlen(text), "t", NULL, err, sizeof(err));

	REQUIRE(b, "parse: %s", err);
	/* 100 observations: p50 is the 50th (bucket 100), p90 the 90th (200), p99 the 99th (400). */
	CHECK(zpb_buckets_quantile(b, 0.5) == 100, "p50: expected 100, got %g", zpb_buckets_quantile(b, 0.5));
	CHECK(zpb_buckets_quantile(b, 0.9) == 200, "p90: expected 200, got %g", zpb_buckets_quantile(b, 0.9));
	CHECK(zpb_buckets_quantile(b, 0.99) == 400, "p99: expected 400, got %g", zpb_buckets_quantile(b, 0.99));
	CHECK(zpb_buckets_quantile(b, 0.999) == 800, "p99.9: expected 800, got %g", zpb_buckets_quantile(b, 0.999));
	zpb_json_free(b);
}

TEST(report_warns_about_verification_failures)
{
	const char *in[] = { FX "results-verify-failure.json" };
	struct zpb_report_outcome out;
	char dir[512], err[512];
	char *html, *md;

	fresh(dir, sizeof(dir), "verify");
	setenv("ZPB_GNUPLOT", "/nonexistent/gnuplot", 1);
	REQUIRE(!write_report(dir, in, 1, NULL, &out, err, sizeof(err)), "report written: %s", err);
	unsetenv("ZPB_GNUPLOT");
	read_report(dir, &html, &md);
	REQUIRE(html && md, "both files exist");
	CHECK(strstr(html, "zbud returned wrong bytes on 3 loads"), "HTML names the allocator and the count");
	CHECK(strstr(md, "zbud returned wrong bytes on 3 loads"), "Markdown too");
	free(html);
	free(md);
	cleanup(dir);
}

/* A replay at 16K pages is named so wherever its input is: pool pages of 16K are not 4K ones. */
TEST(report_names_a_16k_replay_by_its_page_size)
{
	const char *from = "\"allocator\": \"z3fold\",";
	char *text = slurp(FX "results-all.json"), *hit, *edited, dir[512], in16[600], err[512];
	const char *in[1] = { in16 };
	struct zpb_report_outcome out;
	char *html, *md;
	FILE *f;

	REQUIRE(text && (hit = strstr(text, from)), "fixture");
	edited = malloc(strlen(text) + 64);
	REQUIRE(edited, "malloc");
	sprintf(edited, "%.*s%s \"work\": {\"page_size\": 16384},%s", (int)(hit - text), text, from, hit + strlen(from));
	fresh(dir, sizeof(dir), "page16");
	snprintf(in16, sizeof(in16), "%s-results-16k.json", dir);
	f = fopen(in16, "w");
	REQUIRE(f && fputs(edited, f) >= 0 && !fclose(f), "write %s", in16);
	setenv("ZPB_GNUPLOT", "/nonexistent/gnuplot", 1);
	REQUIRE(!write_report(dir, in, 1, NULL, &out, err, sizeof(err)), "report written: %s", err);
	unsetenv("ZPB_GNUPLOT");
	read_report(dir, &html, &md);
	REQUIRE(html && md, "both files exist");
	CHECK(strstr(md, "mixed.zpt @16K"), "Markdown names the input with its page size");
	CHECK(strstr(html, "mixed.zpt @16K"), "HTML too");
	free(html);
	free(md);
	free(edited);
	free(text);
	unlink(in16);
	cleanup(dir);
}

TEST(report_draws_microbenchmarks_by_object_size)
{
	const char *in[] = { FX "gbench-sizes.json" };
	struct zpb_report_outcome out;
	char dir[512], path[600], err[512];
	char *html, *md;

	fresh(dir, sizeof(dir), "gbench-sizes");
	REQUIRE(!write_report(dir, in, 1, NULL, &out, err, sizeof(err)), "report written: %s", err);
	CHECK(out.pictures == 1, "one microbenchmark picture planned, got %zu", out.pictures);
	/* Two kinds (store, load), two allocators: one data file each, sizes in order, medians of
	 * the two repetitions t and 1.01 t (zbud store at 64 B: 50781.25 * 1.005 = 51035.2). */
	snprintf(path, sizeof(path), "%s/data/b0-bench-1-2.dat", dir);
	md = slurp(path);
	CHECK(md && strstr(md, "\n64 51035.2\n1024 62812.5\n4096 100500\n"), "zbud store by size: %s", md ? md : "none");
	free(md);
	read_report(dir, &html, &md);
	REQUIRE(html && md, "both files exist");
	if (have_gnuplot())
		CHECK(count(html, "<svg") == 1 && strstr(html, "Microbenchmarks: time per op by object size"),
		      "the picture is inline (%zu <svg)", count(html, "<svg"));
	CHECK(strstr(md, "| zbud/free\\_compact\\_pending | 1 | 900.0 |"), "every benchmark in the table");
	free(html);
	free(md);
	cleanup(dir);
}

/* replay --lockstat's block: a table per allocator in HTML and Markdown, the model marked as one. */
TEST(report_shows_lock_statistics_with_the_model_marked)
{
	const char *in[] = { FX "results-lockstat.json" }, *plain[] = { FX "results-z3fold.json" };
	struct zpb_report_outcome out;
	char dir[512], err[512];
	char *html, *md;

	fresh(dir, sizeof(dir), "locks");
	setenv("ZPB_GNUPLOT", "/nonexistent/gnuplot", 1);
	REQUIRE(!write_report(dir, in, 1, NULL, &out, err, sizeof(err)), "report written: %s", err);
	read_report(dir, &html, &md);
	REQUIRE(html && md, "both files exist");
	CHECK(count(html, "<table class=\"locks\">") == 1, "one lock table (z3fold's), got %zu",
	      count(html, "<table class=\"locks\">"));
	CHECK(strstr(html, "<code>&amp;pool-&gt;stale_lock</code>") && strstr(html, "<td>8605</td><td>9</td>"),
	      "z3fold's stale_lock row with its acquisitions and contentions");
	CHECK(strstr(html, "a model, not a measurement") && strstr(html, "<td>0.156</td><td>0.333</td><td>1.000</td>"),
	      "the model's contention at 8, 16 and 64 CPUs, marked as a model");
	CHECK(strstr(md, "#### Lock statistics") && strstr(md, "| &pool->stale\\_lock (z3fold/z3fold.c) | spin | allocator | 8605 | 9 |"),
	      "Markdown lists the same row");
	free(html);
	free(md);
	cleanup(dir);
	/* Without --lockstat there is no section. */
	REQUIRE(!write_report(dir, plain, 1, NULL, &out, err, sizeof(err)), "report written: %s", err);
	unsetenv("ZPB_GNUPLOT");
	read_report(dir, &html, &md);
	REQUIRE(html && md, "both files exist");
	CHECK(!strstr(html, "Lock statistics") && !strstr(md, "Lock statistics"), "no lock section without lockstat");
	free(html);
	free(md);
	cleanup(dir);
}
