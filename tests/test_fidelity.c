// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel fidelity: the zsmalloc port against the kernel's own zsmalloc, on
 * the zram captures shipped in tests/fixtures/zram/ (see docs/fidelity.md).
 * No root and no zram needed: the kernel's side is in the truth files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fidelity/opscript.h"
#include "../fidelity/validate.h"
#include "../report/report.h"
#include "harness.h"
#include "trace_util.h"

#define FIX "tests/fixtures/zram/"
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name;
	bool userspace_compressor_matches;	/* lz4: within the bar even on userspace lengths */
} fixtures[] = {
	{ "sharedlibs-lz4", true },
	{ "textcorpus-lz4", true },
	{ "pyheap-lz4", true },
	{ "textcorpus-lzo", false },	/* the kernel's lzo differs on most pages: see docs/fidelity.md */
};

static int run(const char *name, bool userspace, unsigned int chain, struct zpb_validate_result *res,
	       char *err, size_t errlen)
{
	char trace[256], truth[256];
	struct zpb_validate_opts o = {
		.trace = trace, .truth = truth, .tolerance = 0.01, .store_tolerance = 0.003,
		.chain = chain, .userspace_verdict = userspace,
	};

	snprintf(trace, sizeof(trace), FIX "%s.zpt", name);
	snprintf(truth, sizeof(truth), FIX "%s.truth.json", name);
	return zpb_validate(&o, res, err, errlen);
}

TEST(zsmalloc_port_within_tolerance_of_kernel_at_every_fixture_mark)
{
	size_t f, i;

	for (f = 0; f < ARRAY_LEN(fixtures); f++) {
		struct zpb_validate_result res;
		char err[512];

		if (run(fixtures[f].name, false, 0, &res, err, sizeof(err))) {
			CHECK(0, "%s: %s", fixtures[f].name, err);
			continue;
		}
		CHECK(res.nmarks == 6, "%s: %zu marks, the fixture pattern has 6", fixtures[f].name, res.nmarks);
		for (i = 0; i < res.nmarks; i++)
			CHECK(res.marks[i].ok, "%s mark %s: port %llu pages, kernel %llu (%+.3f%%, limit %.1f%%)",
			      fixtures[f].name, res.marks[i].label, (unsigned long long)res.marks[i].port_pages,
			      (unsigned long long)res.marks[i].kernel_pages, res.marks[i].deviation * 100,
			      (res.marks[i].stores_only ? res.store_tolerance : res.tolerance) * 100);
		CHECK(res.marks[0].stores_only, "%s: the fill mark is reached by stores alone", fixtures[f].name);
		zpb_validate_free(&res);
	}
}

/* Stronger than the bar, and what the port achieves: with the kernel's own
 * compressed lengths every mark's page count is the kernel's exactly. */
TEST(zsmalloc_port_matches_kernel_pages_exactly_with_kernel_lengths)
{
	size_t f, i;

	for (f = 0; f < ARRAY_LEN(fixtures); f++) {
		struct zpb_validate_result res;
		char err[512];

		if (run(fixtures[f].name, false, 0, &res, err, sizeof(err))) {
			CHECK(0, "%s: %s", fixtures[f].name, err);
			continue;
		}
		for (i = 0; i < res.nmarks; i++) {
			CHECK_EQ_UL(res.marks[i].port_pages, res.marks[i].kernel_pages, res.marks[i].label);
			CHECK_EQ_UL(res.marks[i].port_same, res.marks[i].kernel_same, "same-filled pages");
			CHECK_EQ_UL(res.marks[i].port_huge, res.marks[i].kernel_huge, "huge pages (kernel lengths)");
		}
		zpb_validate_free(&res);
	}
}

TEST(lz4_fixtures_meet_the_bar_on_userspace_lengths_too)
{
	size_t f, i;

	for (f = 0; f < ARRAY_LEN(fixtures); f++) {
		struct zpb_validate_result res;
		char err[512];

		if (!fixtures[f].userspace_compressor_matches)
			continue;
		if (run(fixtures[f].name, true, 0, &res, err, sizeof(err))) {
			CHECK(0, "%s: %s", fixtures[f].name, err);
			continue;
		}
		for (i = 0; i < res.nmarks; i++)
			CHECK(res.marks[i].ok, "%s mark %s (userspace lengths): %+.3f%%", fixtures[f].name,
			      res.marks[i].label, res.marks[i].deviation_user * 100);
		zpb_validate_free(&res);
	}
}

/* The comparison can fail: the kernel here chains up to 8 pages a zspage,
 * and a port told to chain 4 must be caught at some mark. */
TEST(validate_catches_a_port_with_the_wrong_chain_size)
{
	struct zpb_validate_result res;
	char err[512];

	REQUIRE(run("sharedlibs-lz4", false, 4, &res, err, sizeof(err)) == 0, "%s", err);
	CHECK(res.failed > 0, "chain=4 against a chain-8 kernel passed every mark (worst %.3f%%)",
	      res.worst * 100);
	zpb_validate_free(&res);
}

TEST(validate_rejects_a_truth_file_from_another_capture)
{
	struct zpb_validate_opts o = { .trace = FIX "pyheap-lz4.zpt", .truth = "tests/fixtures/zram/README.md",
				       .tolerance = 0.01, .store_tolerance = 0.003 };
	struct zpb_validate_result res;
	char err[512] = "";

	CHECK(zpb_validate(&o, &res, err, sizeof(err)) == -1, "a non-JSON truth file was accepted");
	CHECK(strstr(err, "README.md") != NULL, "the error names the file: %s", err);
	o.truth = "tests/fixtures/no-such-truth.json";
	CHECK(zpb_validate(&o, &res, err, sizeof(err)) == -1 && strstr(err, "no-such-truth.json"),
	      "a missing truth file is an error naming it: %s", err);
}

/* @text with the first @from replaced by @to, written to @path. */
static bool write_edited(const char *path, const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	FILE *f;

	if (!at)
		return false;
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return fclose(f) == 0;
}

TEST(validate_refuses_a_truth_file_with_a_missing_or_mistyped_figure)
{
	/* Each used to read as 0 (a 100% deviation, or nothing patched) instead of bad input. */
	static const struct {
		const char *from, *to, *named;
	} edits[] = {
		{ "\"mem_used_total\": ", "\"mem_used\": ", "marks[0].mm_stat has no \"mem_used_total\"" },
		{ "\"compr_data_size\": ", "\"compr_data_size\": \"NaN\", \"x\": ", "marks[0].mm_stat.compr_data_size" },
		{ "\"zsmalloc_chain_size\": 8", "\"zsmalloc_chain_size\": -8", "zsmalloc_chain_size is -8" },
		{ "\"listed\": [\n      [\n        106", "\"listed\": [\n      [\n        null",
		  "length_mismatches.listed[0] is a null" },
		{ "\"record\": 4096", "\"record\": 4096.5", "marks[0].record is 4096.5" },
	};
	char dir[] = "/tmp/zpb-fidelity-truth-XXXXXX", path[256], err[512];
	struct zpb_validate_opts o = { .trace = FIX "pyheap-lz4.zpt", .truth = path,
				       .tolerance = 0.01, .store_tolerance = 0.003 };
	struct zpb_validate_result res;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = fopen(FIX "pyheap-lz4.truth.json", "r");

	REQUIRE(f && getdelim(&text, &len, '\0', f) > 0, "read the fixture truth file");
	fclose(f);
	REQUIRE(mkdtemp(dir), "mkdtemp");
	snprintf(path, sizeof(path), "%s/truth.json", dir);
	for (i = 0; i < ARRAY_LEN(edits); i++) {
		REQUIRE(write_edited(path, text, edits[i].from, edits[i].to), "edit %zu applies to the fixture", i);
		err[0] = 0;
		CHECK(zpb_validate(&o, &res, err, sizeof(err)) == -1, "edit %zu ('%s'): expected an error, validated",
		      i, edits[i].to);
		CHECK(strstr(err, path) && strstr(err, edits[i].named), "edit %zu: expected '%s' in: %s", i,
		      edits[i].named, err);
	}
	unlink(path);
	rmdir(dir);
	free(text);
}

TEST(validate_scans_a_trace_with_a_huge_swap_offset_without_a_huge_allocation)
{
	/* scan_trace() once sized an array by the largest offset: 2^57 asked for 2^61 bytes. */
	char path[] = "/tmp/zpb-fidelity-offset-XXXXXX", err[512] = "";
	struct zpb_validate_opts o = { .trace = path, .truth = FIX "pyheap-lz4.truth.json",
				       .tolerance = 0.01, .store_tolerance = 0.003 };
	struct zpb_validate_result res;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	REQUIRE(f, "temp trace");
	fputs("# zpoolbench-trace 1\n1 0 STORE 0:144115188075855872 100\n2 0 MARK x\n", f);
	REQUIRE(fclose(f) == 0, "write temp trace");
	CHECK(zpb_validate(&o, &res, err, sizeof(err)) == -1, "a one-mark trace against six truth marks validated");
	CHECK(strstr(err, "marks") && !strstr(err, "memory"), "refused for its marks, not for memory: %s", err);
	unlink(path);
}

TEST(opscript_parses_steps_and_names_the_bad_line)
{
	char path[] = "/tmp/zpb-opscript-XXXXXX", err[256];
	struct zpb_opscript s;
	FILE *f;
	int fd = mkstemp(path);

	REQUIRE(fd >= 0, "mkstemp");
	f = fdopen(fd, "w");
	fprintf(f, "# a script\nwrite 0 8\nwrite 2 2 from 100\ndiscard 0 4 every 2\ncompact\nmark done\n");
	fclose(f);
	REQUIRE(zpb_opscript_load(&s, path, err, sizeof(err)) == 0, "%s", err);
	CHECK(s.n == 5, "5 steps, got %zu", s.n);
	CHECK(s.steps[1].from == 100 && s.steps[2].every == 2, "from and every parsed");
	CHECK(zpb_opscript_pages(&s) == 8, "the script touches 8 pages, got %llu",
	      (unsigned long long)zpb_opscript_pages(&s));
	zpb_opscript_free(&s);
	f = fopen(path, "w");
	fprintf(f, "write 0 8\nerase 3 1\n");
	fclose(f);
	CHECK(zpb_opscript_load(&s, path, err, sizeof(err)) == -1, "an unknown step is refused");
	CHECK(strstr(err, ":2:") && strstr(err, "erase"), "the error names line 2 and the step: %s", err);
	unlink(path);
}

TEST(opscript_pattern_marks_each_step_and_overwrites_only_stored_pages)
{
	struct zpb_opscript s;
	char err[256];
	size_t i, marks = 0, writes = 0;

	REQUIRE(zpb_opscript_pattern(&s, "fill,invalidate-every=3,overwrite-every=5,refill,compact",
				     30, 30, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i < s.n; i++) {
		marks += s.steps[i].kind == ZPB_STEP_MARK;
		/* overwrite-every=5 picks 1, 6, 11, ...; those divisible by 3 were discarded */
		if (s.steps[i].kind == ZPB_STEP_WRITE && s.steps[i].count == 1 && marks == 2) {
			writes++;
			CHECK(s.steps[i].first % 3 != 0, "page %llu was discarded, not overwritten",
			      (unsigned long long)s.steps[i].first);
		}
	}
	CHECK(marks == 5, "one mark per step, got %zu", marks);
	CHECK(writes == 4, "overwrites of pages 1, 11, 16, 26: got %zu", writes);
	CHECK(!strcmp(s.steps[s.n - 1].label, "5-compact"), "last mark is '5-compact', got '%s'",
	      s.steps[s.n - 1].label);
	zpb_opscript_free(&s);
	CHECK(zpb_opscript_pattern(&s, "fill,shred", 10, 10, err, sizeof(err)) == -1 && strstr(err, "shred"),
	      "an unknown pattern step is named: %s", err);
}

static bool file_has(const char *path, const char *needle)
{
	size_t len;
	char *text = (char *)tu_read_file(path, &len);
	bool found = text && strstr(text, needle) != NULL;

	free(text);
	return found;
}

TEST(report_shows_a_kernel_fidelity_table_from_a_validation_file)
{
	char dir[] = "/tmp/zpb-fidelity-report-XXXXXX", json[256], out[256], path[300], err[512];
	const char *inputs[] = { "tests/fixtures/results-z3fold.json" }, *fid[1] = { json };
	struct zpb_report_options ro = { .inputs = inputs, .ninputs = 1, .fidelity = fid, .nfidelity = 1 };
	struct zpb_report_outcome outcome;
	struct zpb_validate_result res;

	REQUIRE(mkdtemp(dir), "mkdtemp");
	snprintf(json, sizeof(json), "%s/validation.json", dir);
	snprintf(out, sizeof(out), "%s/report", dir);
	ro.outdir = out;
	REQUIRE(run("pyheap-lz4", false, 0, &res, err, sizeof(err)) == 0, "%s", err);
	REQUIRE(zpb_validate_write_json(&res, json, err, sizeof(err)) == 0, "%s", err);
	zpb_validate_free(&res);
	setenv("ZPB_GNUPLOT", "/nonexistent/gnuplot", 1);	/* the table, not the pictures, is under test */
	REQUIRE(zpb_report_write(&ro, &outcome, err, sizeof(err)) == 0, "%s", err);
	unsetenv("ZPB_GNUPLOT");
	snprintf(path, sizeof(path), "%s/report.md", out);
	CHECK(file_has(path, "## Kernel fidelity") && file_has(path, "| 6-compact | 1152 | 1152 |"),
	      "report.md has the fidelity table with the compact mark's pages");
	snprintf(path, sizeof(path), "%s/index.html", out);
	CHECK(file_has(path, "id=\"fidelity\"") && file_has(path, "<td>6-compact</td><td>1152</td>"),
	      "index.html has the fidelity table");
	/* A validation file without a figure the table shows is refused, not drawn as 0. */
	{
		char edited[300], *text = NULL;
		size_t len = 0;
		FILE *f = fopen(json, "r");

		REQUIRE(f && getdelim(&text, &len, '\0', f) > 0, "read %s", json);
		fclose(f);
		snprintf(edited, sizeof(edited), "%s/edited.json", dir);
		REQUIRE(write_edited(edited, text, "\"kernel_pages\": ", "\"kernel_pages_x\": "), "edit applies");
		fid[0] = edited;
		CHECK(zpb_report_write(&ro, &outcome, err, sizeof(err)) == -1 && strstr(err, "edited.json:") &&
		      strstr(err, "marks[0].kernel_pages"), "a missing kernel_pages is refused by name: %s", err);
		free(text);
	}
	/* A results file is not a validation file: the error names it. */
	fid[0] = inputs[0];
	CHECK(zpb_report_write(&ro, &outcome, err, sizeof(err)) == -1 && strstr(err, "results-z3fold.json"),
	      "a non-validation --fidelity file is refused by name: %s", err);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK(system(path) == 0, "cleanup");
}
