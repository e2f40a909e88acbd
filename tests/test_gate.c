// SPDX-License-Identifier: GPL-2.0-only
/*
 * The regression gate: the Mann-Whitney U statistics against values worked
 * out by hand, the rules parser, each rule kind's verdicts, and whole-file
 * comparisons of the fixtures in tests/fixtures/.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../gate/compare.h"
#include "../gate/output.h"
#include "../gate/stats.h"
#include "harness.h"

#define FX "tests/fixtures/"

static bool near(double a, double b, double tol)
{
	return fabs(a - b) <= tol;
}

TEST(mwu_complete_separation_of_three_is_one_in_twenty)
{
	/*
	 * x = {1,2,3}, y = {4,5,6}: every y beats every x, so U_y = 3*3 = 9.
	 * Under H0 each of the C(6,3) = 20 ways to pick y's ranks is equally
	 * likely and only {4,5,6} gives U = 9: P(U >= 9) = 1/20 = 0.05, and
	 * P(U <= 9) = 1; two-sided 2 * 0.05 = 0.1.
	 */
	double x[] = { 1, 2, 3 }, y[] = { 4, 5, 6 };
	struct zpb_mwu t;

	REQUIRE(!zpb_mwu_test(x, 3, y, 3, ZPB_MWU_EXACT_MAX, &t), "test runs");
	CHECK(t.exact, "n=6 uses the exact distribution");
	CHECK(t.u == 9, "U: expected 9, got %g", t.u);
	CHECK(near(t.p_greater, 0.05, 1e-12), "P(U>=9): expected 0.05, got %.15g", t.p_greater);
	CHECK(near(t.p_less, 1, 1e-12), "P(U<=9): expected 1, got %g", t.p_less);
	CHECK(near(t.p_two_sided, 0.1, 1e-12), "two-sided: expected 0.1, got %g", t.p_two_sided);
}

TEST(mwu_interleaved_samples_match_the_hand_counted_distribution)
{
	/*
	 * x = {1,3,5}, y = {2,4,6}: y's ranks are 2,4,6, R_y = 12,
	 * U = 12 - 3*4/2 = 6. Counting the 20 rank triples by U gives, for
	 * U = 0..9: 1,1,2,3,3,3,3,2,1,1. P(U >= 6) = (3+2+1+1)/20 = 0.35 and
	 * P(U <= 6) = (1+1+2+3+3+3+3)/20 = 0.8.
	 */
	double x[] = { 1, 3, 5 }, y[] = { 2, 4, 6 };
	struct zpb_mwu t;

	REQUIRE(!zpb_mwu_test(x, 3, y, 3, ZPB_MWU_EXACT_MAX, &t), "test runs");
	CHECK(t.u == 6, "U: expected 6, got %g", t.u);
	CHECK(near(t.p_greater, 0.35, 1e-12), "P(U>=6): expected 0.35, got %.15g", t.p_greater);
	CHECK(near(t.p_less, 0.8, 1e-12), "P(U<=6): expected 0.8, got %.15g", t.p_less);
}

TEST(mwu_exact_with_ties_uses_midranks)
{
	/*
	 * x = {1,1,2,2}, y = {2,2,3,3}. Midranks: the 1s share 1.5, the four 2s
	 * share 4.5, the 3s share 7.5. R_y = 4.5+4.5+7.5+7.5 = 24,
	 * U = 24 - 4*5/2 = 14 (pairwise: each y=2 beats two 1s and ties two 2s,
	 * 3 each; each y=3 beats all four, 4 each: 3+3+4+4 = 14).
	 * Exact, given the ties: doubled ranks {3,3,9,9,9,9,15,15}, observed sum
	 * 48; of the C(8,4) = 70 choices only "both 15s + two of the four 9s"
	 * reach 48 (C(4,2) = 6 of them), so P(U >= 14) = 6/70.
	 */
	double x[] = { 1, 1, 2, 2 }, y[] = { 2, 2, 3, 3 };
	struct zpb_mwu t;

	REQUIRE(!zpb_mwu_test(x, 4, y, 4, ZPB_MWU_EXACT_MAX, &t), "test runs");
	CHECK(t.u == 14, "U: expected 14, got %g", t.u);
	CHECK(near(t.p_greater, 6.0 / 70, 1e-12), "P(U>=14): expected 6/70, got %.15g", t.p_greater);
}

TEST(mwu_normal_approximation_applies_the_tie_correction)
{
	/*
	 * Same samples, normal approximation forced (exact_max 0). mean =
	 * n1*n2/2 = 8. Tie groups of sizes 2, 4, 2: sum(t^3 - t) = 6+60+6 = 72.
	 * var = n1*n2/12 * ((N+1) - 72/(N(N-1))) = 16/12 * (9 - 72/56)
	 *     = 1.33333 * 7.714286 = 10.285714, sd = 3.207135.
	 * With continuity correction z = (14 - 8 - 0.5)/3.207135 = 1.714926,
	 * P(U >= 14) = 1 - Phi(1.714926) = 0.043179.
	 */
	double x[] = { 1, 1, 2, 2 }, y[] = { 2, 2, 3, 3 };
	struct zpb_mwu t;

	REQUIRE(!zpb_mwu_test(x, 4, y, 4, 0, &t), "test runs");
	CHECK(!t.exact, "exact_max 0 forces the normal approximation");
	CHECK(near(t.z, 6 / 3.2071349, 1e-6), "z without correction: expected 1.870829, got %.7g", t.z);
	CHECK(near(t.p_greater, 0.0431794, 1e-6), "P(U>=14): expected 0.0431794, got %.7g", t.p_greater);
}

TEST(mwu_normal_approximation_of_ten_against_ten)
{
	/*
	 * x = 1..10, y = 11..20 with exact_max 0: U = 100, mean 50,
	 * var = 10*10*21/12 = 175, sd = 13.228757, z_cc = 49.5/13.228757 =
	 * 3.741848, P(U >= 100) = 9.1336e-5 (the exact value is
	 * 1/C(20,10) = 1/184756 = 5.41e-6, which the exact path must give).
	 */
	double x[10], y[10];
	struct zpb_mwu t;
	int i;

	for (i = 0; i < 10; i++) {
		x[i] = i + 1;
		y[i] = i + 11;
	}
	REQUIRE(!zpb_mwu_test(x, 10, y, 10, 0, &t), "test runs");
	CHECK(near(t.p_greater, 9.13359e-5, 1e-9), "normal: expected 9.13359e-5, got %.6g", t.p_greater);
	REQUIRE(!zpb_mwu_test(x, 10, y, 10, ZPB_MWU_EXACT_MAX, &t), "test runs");
	CHECK(near(t.p_greater, 1.0 / 184756, 1e-12), "exact: expected 1/184756, got %.6g", t.p_greater);
}

TEST(mwu_all_equal_samples_give_no_evidence)
{
	double x[30], y[30];
	struct zpb_mwu t;
	int i;

	for (i = 0; i < 30; i++)
		x[i] = y[i] = 7;
	REQUIRE(!zpb_mwu_test(x, 30, y, 30, ZPB_MWU_EXACT_MAX, &t), "test runs");
	CHECK(t.p_greater == 1 && t.p_less == 1, "p: expected 1/1, got %g/%g", t.p_greater, t.p_less);
	CHECK(zpb_mwu_test(x, 0, y, 3, ZPB_MWU_EXACT_MAX, &t) == -1, "empty sample rejected");
}

TEST(median_of_odd_and_even_counts)
{
	double a[] = { 5, 1, 3 }, b[] = { 4, 1, 3, 2 };

	CHECK(zpb_median(a, 3) == 3, "odd: expected 3, got %g", zpb_median(a, 3));
	CHECK(zpb_median(b, 4) == 2.5, "even: expected 2.5, got %g", zpb_median(b, 4));
}

/* A deterministic timing-like sample: 1000 ns * (1 + shift) with log-uniform noise. */
static void timings(double *v, size_t n, uint64_t seed, double shift)
{
	size_t i;

	/* splitmix64: nearby seeds give unrelated streams. */
	for (i = 0; i < n; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		v[i] = 1000 * (1 + shift) * exp(0.3 * ((double)(z >> 11) / 9007199254740992.0 - 0.5));
	}
}

static struct zpb_rule rule(const char *text)
{
	struct zpb_rules rs;
	struct zpb_rule r = { 0 };
	char err[256];

	if (zpb_rules_parse(text, "test", &rs, err, sizeof(err)) || rs.n != 1) {
		zpbt_fail(__FILE__, __LINE__, "rule '%s' did not parse: %s", text, err);
		return r;
	}
	r = rs.r[0];
	zpb_rules_free(&rs);
	return r;
}

TEST(statistical_rule_passes_two_samples_from_one_distribution)
{
	struct zpb_rule r = rule("latency_ns.*.p50 statistical lower alpha=0.01 min_effect=5%");
	struct zpb_gate_row row;
	double b[12], c[12];
	uint64_t seed;

	/* Several seed pairs, so one lucky draw cannot make the test pass. */
	for (seed = 1; seed <= 20; seed++) {
		timings(b, 12, seed, 0);
		timings(c, 12, seed + 1000, 0);
		REQUIRE(!zpb_gate_judge(&r, b, 12, c, 12, &row), "judge runs");
		CHECK(row.verdict != ZPB_VERDICT_REGRESSED, "seed %lu: same distribution judged REGRESSED (p=%g, change %g)",
		      (unsigned long)seed, row.p, row.change);
	}
}

TEST(statistical_rule_fails_a_real_shift_and_ignores_a_small_one)
{
	struct zpb_rule r = rule("latency_ns.*.p50 statistical lower alpha=0.01 min_effect=5%");
	struct zpb_gate_row row;
	double b[12], c[12];

	timings(b, 12, 1, 0);
	timings(c, 12, 2, 0.30);
	REQUIRE(!zpb_gate_judge(&r, b, 12, c, 12, &row), "judge runs");
	CHECK(row.verdict == ZPB_VERDICT_REGRESSED, "30%% slower: expected REGRESSED, got %s (p=%g)",
	      zpb_verdict_name(row.verdict), row.p);
	CHECK(row.p < 0.01, "p: expected < 0.01, got %g", row.p);
	/* Faster is an improvement, never a regression. */
	REQUIRE(!zpb_gate_judge(&r, c, 12, b, 12, &row), "judge runs");
	CHECK(row.verdict == ZPB_VERDICT_IMPROVED, "30%% faster: expected improved, got %s",
	      zpb_verdict_name(row.verdict));
	/* A consistent 2% shift is significant but below min_effect: it passes. */
	{
		double c2[12];
		size_t i;

		for (i = 0; i < 12; i++)
			c2[i] = b[i] * 1.02;
		REQUIRE(!zpb_gate_judge(&r, b, 12, c2, 12, &row), "judge runs");
		CHECK(row.verdict == ZPB_VERDICT_PASS, "2%% shift: expected ok, got %s", zpb_verdict_name(row.verdict));
	}
}

TEST(statistical_rule_skips_when_repetitions_cannot_reach_alpha)
{
	struct zpb_rule r = rule("x statistical lower alpha=0.01 min_effect=5%");
	struct zpb_gate_row row;
	double b[4] = { 1, 1, 1, 1 }, c[4] = { 9, 9, 9, 9 };

	/* 4+4: the smallest exact one-sided p is 1/C(8,4) = 1/70 = 0.0143 > 0.01. */
	REQUIRE(!zpb_gate_judge(&r, b, 4, c, 4, &row), "judge runs");
	CHECK(row.verdict == ZPB_VERDICT_SKIPPED, "4+4 at alpha 0.01: expected skipped, got %s",
	      zpb_verdict_name(row.verdict));
	CHECK(strstr(row.note, "--repeat 5") != NULL, "note says how many repetitions: %s", row.note);
}

TEST(exact_rule_fails_any_change_unless_better_is_allowed)
{
	struct zpb_rule r = rule("final.pool_pages exact lower");
	struct zpb_rule rb = rule("final.pool_pages exact lower allow=better");
	struct zpb_gate_row row;
	double b = 100, more = 101, less = 99;

	zpb_gate_judge(&r, &b, 1, &b, 1, &row);
	CHECK(row.verdict == ZPB_VERDICT_PASS, "same: expected ok, got %s", zpb_verdict_name(row.verdict));
	zpb_gate_judge(&r, &b, 1, &more, 1, &row);
	CHECK(row.verdict == ZPB_VERDICT_REGRESSED, "101 pages: expected REGRESSED, got %s",
	      zpb_verdict_name(row.verdict));
	zpb_gate_judge(&r, &b, 1, &less, 1, &row);
	CHECK(row.verdict == ZPB_VERDICT_REGRESSED, "99 pages without allow=better: expected REGRESSED, got %s",
	      zpb_verdict_name(row.verdict));
	zpb_gate_judge(&rb, &b, 1, &less, 1, &row);
	CHECK(row.verdict == ZPB_VERDICT_IMPROVED, "99 pages with allow=better: expected improved, got %s",
	      zpb_verdict_name(row.verdict));
}

TEST(threshold_rule_allows_changes_up_to_its_limit)
{
	struct zpb_rule r = rule("instructions.* threshold lower max=2%");
	struct zpb_gate_row row;
	double b = 1000, ok = 1019, bad = 1021, zero = 0, one = 1;

	zpb_gate_judge(&r, &b, 1, &ok, 1, &row);
	CHECK(row.verdict == ZPB_VERDICT_PASS, "+1.9%%: expected ok, got %s", zpb_verdict_name(row.verdict));
	zpb_gate_judge(&r, &b, 1, &bad, 1, &row);
	CHECK(row.verdict == ZPB_VERDICT_REGRESSED, "+2.1%%: expected REGRESSED, got %s", zpb_verdict_name(row.verdict));
	CHECK(near(row.change, 0.021, 1e-12), "change: expected 0.021, got %g", row.change);
	zpb_gate_judge(&r, &zero, 1, &one, 1, &row);
	CHECK(row.verdict == ZPB_VERDICT_REGRESSED && isinf(row.change), "0 -> 1: expected REGRESSED by +inf");
}

TEST(rules_parser_names_the_line_of_an_error)
{
	struct zpb_rules rs;
	char err[256];

	CHECK(zpb_rules_parse("# c\nfoo exact lower\nbar fuzzy lower\n", "r.txt", &rs, err, sizeof(err)) == -1,
	      "unknown kind rejected");
	CHECK(strstr(err, "r.txt:3:") && strstr(err, "'fuzzy'"), "message names line 3 and the kind: %s", err);
	CHECK(zpb_rules_parse("x threshold lower max=5\n", "r.txt", &rs, err, sizeof(err)) == -1,
	      "max without %% rejected");
	CHECK(zpb_rules_parse("x threshold lower max=nan%\n", "r.txt", &rs, err, sizeof(err)) == -1,
	      "max=nan%% rejected (a NaN limit never fails)");
	CHECK(strstr(err, "r.txt:1:") && strstr(err, "max"), "message names the line and key: %s", err);
	CHECK(zpb_rules_parse("x statistical lower min_effect=-nan%\n", "r.txt", &rs, err, sizeof(err)) == -1,
	      "min_effect=-nan%% rejected");
	CHECK(zpb_rules_parse("x statistical none\n", "r.txt", &rs, err, sizeof(err)) == -1,
	      "statistical without direction rejected");
	REQUIRE(!zpb_rules_default(&rs, err, sizeof(err)), "built-in defaults parse: %s", err);
	CHECK(rs.n > 10, "defaults hold rules (%zu)", rs.n);
	zpb_rules_free(&rs);
}

TEST(rules_first_match_wins_and_when_deterministic_falls_through)
{
	struct zpb_rules rs;
	const struct zpb_rule *m;
	char err[256];

	REQUIRE(!zpb_rules_parse("final.pool_pages exact lower when=deterministic\n"
				 "final.* threshold lower max=2%\n"
				 "* ignore none subject=null\n", "t", &rs, err, sizeof(err)), "parse: %s", err);
	m = zpb_rules_match(&rs, "z3fold", "final.pool_pages", true);
	CHECK(m && m->kind == ZPB_RULE_EXACT, "deterministic: exact rule");
	m = zpb_rules_match(&rs, "z3fold", "final.pool_pages", false);
	CHECK(m && m->kind == ZPB_RULE_THRESHOLD, "not deterministic: falls through to threshold");
	m = zpb_rules_match(&rs, "null", "ops.store", false);
	CHECK(m && m->kind == ZPB_RULE_IGNORE, "subject glob matches");
	CHECK(!zpb_rules_match(&rs, "zbud", "ops.store", false), "no rule for ops.store");
	zpb_rules_free(&rs);
}

/*
 * Compare two files with the default rules and @opt (may be NULL). Returns -1 on bad input.
 * The rows point into the rules: @keep (may be NULL) receives them, to free after the rows are used.
 */
static int gate_files_keep(const char *a, const char *b, const struct zpb_gate_options *opt,
			   struct zpb_gate_result *out, struct zpb_rules *keep, char *err, size_t errlen)
{
	struct zpb_results r[2];
	struct zpb_metricset m[2];
	struct zpb_rules rules;
	int rc = -1;

	memset(m, 0, sizeof(m));
	if (zpb_rules_default(&rules, err, errlen))
		return -1;
	if (zpb_results_load(a, &r[0], err, errlen))
		goto out_rules;
	if (zpb_results_load(b, &r[1], err, errlen))
		goto out_r0;
	if (!zpb_metrics_extract(&r[0], &m[0], err, errlen) && !zpb_metrics_extract(&r[1], &m[1], err, errlen))
		rc = zpb_gate_compare(&m[0], &m[1], &rules, opt, out, err, errlen);
	zpb_metrics_free(&m[0]);
	zpb_metrics_free(&m[1]);
	zpb_results_free(&r[1]);
out_r0:
	zpb_results_free(&r[0]);
out_rules:
	if (keep && !rc)
		*keep = rules;
	else
		zpb_rules_free(&rules);
	return rc;
}

static int gate_files_opt(const char *a, const char *b, const struct zpb_gate_options *opt,
			  struct zpb_gate_result *out, char *err, size_t errlen)
{
	return gate_files_keep(a, b, opt, out, NULL, err, errlen);
}

static int gate_files(const char *a, const char *b, struct zpb_gate_result *out, char *err, size_t errlen)
{
	return gate_files_opt(a, b, NULL, out, err, errlen);
}

TEST(gate_passes_identical_runs)
{
	struct zpb_gate_result res;
	char err[512];

	REQUIRE(!gate_files(FX "results-all.json", FX "results-all.json", &res, err, sizeof(err)), "%s", err);
	CHECK(res.regressed == 0, "identical files: expected 0 regressions, got %zu", res.regressed);
	CHECK(res.n >= 4 * 5, "every allocator's figures compared (%zu rows)", res.n);
	zpb_gate_result_free(&res);
}

TEST(gate_fails_zbud_candidate_against_z3fold_baseline_on_density)
{
	struct zpb_gate_result res;
	char err[512];
	size_t i;
	bool density = false;

	REQUIRE(!gate_files(FX "results-z3fold.json", FX "results-zbud.json", &res, err, sizeof(err)), "%s", err);
	CHECK(res.regressed > 0, "zbud for z3fold: expected a regression");
	for (i = 0; i < res.n; i++)
		if (!strcmp(res.rows[i].metric, "final.density"))
			density = res.rows[i].verdict == ZPB_VERDICT_REGRESSED;
	CHECK(density, "final.density judged REGRESSED");
	CHECK(strstr(res.pairing, "z3fold") && strstr(res.pairing, "zbud"), "pairing noted: %s", res.pairing);
	zpb_gate_result_free(&res);
}

TEST(gate_bad_input_is_an_error_naming_the_problem)
{
	struct zpb_gate_result res;
	char err[512];

	CHECK(gate_files(FX "results-all.json", FX "results-z3fold.json", &res, err, sizeof(err)) == -1,
	      "missing allocators rejected");
	CHECK(strstr(err, "'zbud'") != NULL, "message names the missing allocator: %s", err);
	CHECK(gate_files(FX "results-z3fold.json", FX "missing-metric.json", &res, err, sizeof(err)) == -1,
	      "missing metric rejected");
	CHECK(strstr(err, "final.density") != NULL, "message names the metric: %s", err);
	CHECK(gate_files(FX "results-z3fold.json", FX "no-such-file.json", &res, err, sizeof(err)) == -1,
	      "missing file rejected");
	CHECK(strstr(err, "no-such-file.json") != NULL, "message names the file: %s", err);
	CHECK(gate_files(FX "results-z3fold.json", FX "malformed.json", &res, err, sizeof(err)) == -1,
	      "malformed file rejected");
	CHECK(strstr(err, "malformed.json:4:") != NULL, "message has file and line: %s", err);
	CHECK(gate_files(FX "results-z3fold.json", FX "gbench.json", &res, err, sizeof(err)) == -1,
	      "replay vs Google Benchmark rejected");
	CHECK(gate_files(FX "results-z3fold.json", FX "results-incomplete.json", &res, err, sizeof(err)) == -1,
	      "interrupted candidate rejected");
	CHECK(strstr(err, "results-incomplete.json") && strstr(err, "interrupted"), "message says so: %s", err);
}

/* Write @text to a fresh temporary file; its path goes to @path. */
static bool write_temp(char *path, size_t len, const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, len, "%s/zpb-test-gate-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return false;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return false;
	}
	fputs(text, f);
	return fclose(f) == 0;
}

TEST(results_without_a_boolean_complete_are_bad_input_not_complete)
{
	/* A missing or mistyped "complete" once read as true: an interrupted run passed as whole. */
	static const char *const docs[] = {
		"{\"format\": \"zpoolbench-results\", \"format_version\": 1, \"runs\": []}",
		"{\"format\": \"zpoolbench-results\", \"format_version\": 1, \"complete\": \"false\", \"runs\": []}",
		"{\"format\": \"zpoolbench-results\", \"format_version\": 1, \"complete\": 0, \"runs\": []}",
	};
	struct zpb_results r;
	char path[256], err[512];
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		REQUIRE(write_temp(path, sizeof(path), docs[i]), "temp file");
		CHECK(zpb_results_load(path, &r, err, sizeof(err)) == -1, "doc %zu: expected an error, got a load", i);
		CHECK(strstr(err, path) && strstr(err, "\"complete\""), "doc %zu: message names file and key: %s", i,
		      err);
		unlink(path);
	}
	REQUIRE(write_temp(path, sizeof(path), "{\"format\": \"zpoolbench-results\", \"format_version\": 1, "
				       "\"complete\": false, \"trace\": {\"sha256\": \"ab\"}, \"options\": {}, "
				       "\"runs\": []}"), "temp file");
	REQUIRE(!zpb_results_load(path, &r, err, sizeof(err)), "a boolean complete loads: %s", err);
	CHECK(!r.complete, "complete: false read as false");
	zpb_results_free(&r);
	unlink(path);
}

TEST(gate_reads_google_benchmark_json_and_its_repetitions)
{
	struct zpb_results r;
	struct zpb_metricset m;
	const struct zpb_subject *s;
	const struct zpb_metric *t;
	char err[512];

	REQUIRE(!zpb_results_load(FX "gbench.json", &r, err, sizeof(err)), "%s", err);
	CHECK(r.kind == ZPB_RESULTS_GBENCH, "detected as Google Benchmark");
	REQUIRE(!zpb_metrics_extract(&r, &m, err, sizeof(err)), "%s", err);
	s = zpb_metrics_subject(&m, "BM_store/z3fold/1024");
	REQUIRE(s, "benchmark subject by run_name");
	t = zpb_subject_metric(s, "real_time_ns");
	REQUIRE(t, "real_time_ns metric");
	CHECK(t->n == 3, "three repetitions (aggregates skipped): got %zu", t->n);
	CHECK(near(t->v[0], 1210, 1e-9), "us converted to ns: expected 1210, got %g", t->v[0]);
	CHECK(zpb_subject_metric(s, "bytes_per_second") != NULL, "custom counter kept");
	zpb_metrics_free(&m);
	zpb_results_free(&r);
}

/* Run "zpoolbench ARGS" (the binary beside this test's directory); its exit status, stderr in @errbuf. */
static int run_cli(const char *args, char *errbuf, size_t len)
{
	char self[2048], cmd[8192], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	FILE *f;
	int st;

	errbuf[0] = 0;
	if (n <= 0)
		return -1;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = 0;
	snprintf(cmd, sizeof(cmd), "%s/../zpoolbench %s >/dev/null 2>%s/gate-cli.err", self, args, self);
	st = system(cmd);
	snprintf(cmd, sizeof(cmd), "%s/gate-cli.err", self);
	f = fopen(cmd, "r");
	if (f) {
		size_t got = fread(errbuf, 1, len - 1, f);

		errbuf[got] = 0;
		fclose(f);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(gate_cli_exits_0_pass_1_regression_2_bad_input)
{
	char err[1024];
	int rc;

	rc = run_cli("gate " FX "results-all.json " FX "results-all.json", err, sizeof(err));
	CHECK(rc == 0, "identical: expected exit 0, got %d (%s)", rc, err);
	rc = run_cli("gate " FX "results-z3fold.json " FX "results-zbud.json", err, sizeof(err));
	CHECK(rc == 1, "zbud for z3fold: expected exit 1, got %d (%s)", rc, err);
	rc = run_cli("gate " FX "results-z3fold.json " FX "nope.json", err, sizeof(err));
	CHECK(rc == 2 && strstr(err, "nope.json"), "missing file: expected exit 2 naming it, got %d: %s", rc, err);
	rc = run_cli("gate " FX "results-z3fold.json " FX "malformed.json", err, sizeof(err));
	CHECK(rc == 2 && strstr(err, "malformed.json:4:"), "malformed: expected exit 2 with line, got %d: %s", rc, err);
	rc = run_cli("gate " FX "results-all.json " FX "results-zbud.json", err, sizeof(err));
	CHECK(rc == 2 && strstr(err, "'z3fold'"), "missing allocator: expected exit 2 naming it, got %d: %s", rc, err);
	rc = run_cli("gate " FX "results-z3fold.json " FX "results-z3fold.json --rules " FX "malformed.json", err,
		     sizeof(err));
	CHECK(rc == 2 && strstr(err, "malformed.json:1:"), "bad rules file: expected exit 2 with line, got %d: %s", rc,
	      err);
	rc = run_cli("gate " FX "results-all.json " FX "results-all.json --pair z3fold=zbud", err, sizeof(err));
	CHECK(rc == 1, "--pair z3fold=zbud in one file: expected exit 1 (zbud is less dense), got %d (%s)", rc, err);
	rc = run_cli("gate " FX "results-all.json " FX "results-all.json --pair z3fold=zfour", err, sizeof(err));
	CHECK(rc == 2 && strstr(err, "'zfour'"), "--pair with an unknown allocator: expected exit 2, got %d: %s", rc,
	      err);
	rc = run_cli("report " FX "malformed.json -o /nonexistent-dir/x", err, sizeof(err));
	CHECK(rc == 2 && strstr(err, "malformed.json:4:"), "report of bad input: expected exit 2, got %d: %s", rc, err);
}

TEST(gate_reads_google_benchmark_aggregates_only_as_one_median_sample)
{
	struct zpb_results r;
	struct zpb_metricset m;
	const struct zpb_subject *s;
	const struct zpb_metric *t;
	char err[512];

	REQUIRE(!zpb_results_load(FX "gbench-aggregates-only.json", &r, err, sizeof(err)), "%s", err);
	REQUIRE(!zpb_metrics_extract(&r, &m, err, sizeof(err)), "%s", err);
	s = zpb_metrics_subject(&m, "BM_store/zbud/1024");
	t = s ? zpb_subject_metric(s, "real_time_ns") : NULL;
	REQUIRE(t, "subject from the aggregate rows");
	/* The median row says 1.05 us; mean and stddev rows are not samples. */
	CHECK(t->n == 1 && near(t->v[0], 1050, 1e-9), "one sample of 1050 ns: got %zu, %g", t->n, t->n ? t->v[0] : 0);
	zpb_metrics_free(&m);
	zpb_results_free(&r);
}

TEST(statistical_rule_uses_the_normal_approximation_for_many_repetitions)
{
	struct zpb_rule r = rule("ops_per_sec statistical higher alpha=0.01 min_effect=5%");
	struct zpb_gate_row row;
	double b[30], c[30];
	uint64_t seed;

	/* 30 + 30 > ZPB_MWU_EXACT_MAX: the normal approximation decides. */
	timings(b, 30, 7, 0);
	timings(c, 30, 8, -0.2);	/* 20% lower throughput: worse for "higher" */
	REQUIRE(!zpb_gate_judge(&r, b, 30, c, 30, &row), "judge runs");
	CHECK(row.verdict == ZPB_VERDICT_REGRESSED, "20%% less throughput: expected REGRESSED, got %s (p=%g)",
	      zpb_verdict_name(row.verdict), row.p);
	CHECK(strstr(row.note, "normal approx") != NULL, "normal approximation noted: %s", row.note);
	for (seed = 100; seed < 110; seed++) {
		timings(b, 30, seed, 0);
		timings(c, 30, seed + 1000, 0);
		REQUIRE(!zpb_gate_judge(&r, b, 30, c, 30, &row), "judge runs");
		CHECK(row.verdict != ZPB_VERDICT_REGRESSED, "seed %lu: same distribution judged REGRESSED (p=%g)",
		      (unsigned long)seed, row.p);
	}
}

/* The text of @path with the first @from replaced by @to, in a fresh temporary file named in @out. */
static bool fixture_with(char *out, size_t len, const char *path, const char *from, const char *to)
{
	char *text = NULL, *hit, *edited;
	size_t n = 0;
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	text = malloc(1 << 20);
	if (text)
		n = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	if (!text)
		return false;
	text[n] = 0;
	hit = strstr(text, from);
	edited = malloc(n + strlen(to) + 1);
	if (!hit || !edited) {
		free(text);
		free(edited);
		return false;
	}
	memcpy(edited, text, (size_t)(hit - text));
	strcpy(edited + (hit - text), to);
	strcat(edited, hit + strlen(from));
	ok = write_temp(out, len, edited);
	free(text);
	free(edited);
	return ok;
}

static const struct zpb_gate_row *find_row(const struct zpb_gate_result *res, const char *subject, const char *metric)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		if (!strcmp(res->rows[i].base_subject, subject) && !strcmp(res->rows[i].metric, metric))
			return &res->rows[i];
	return NULL;
}

#define SHA_FX "9f2c000000000000000000000000000000000000000000000000000000000000"
#define SHA_OTHER "77aa000000000000000000000000000000000000000000000000000000000000"

TEST(gate_refuses_results_of_different_traces_naming_both_sums)
{
	struct zpb_gate_options opt = { .allow_different_traces = true };
	struct zpb_gate_result res;
	char path[256], err[1024], cmd[600];
	int rc;

	/* It once passed them: "29 compared, 0 regressed ... pass". */
	REQUIRE(fixture_with(path, sizeof(path), FX "results-z3fold.json", SHA_FX, SHA_OTHER), "temp fixture");
	CHECK(gate_files(FX "results-z3fold.json", path, &res, err, sizeof(err)) == -1,
	      "different traces: expected bad input, got a comparison");
	CHECK(strstr(err, SHA_FX) && strstr(err, SHA_OTHER) && strstr(err, "different traces"),
	      "message names both sha256 sums: %s", err);
	snprintf(cmd, sizeof(cmd), "gate " FX "results-z3fold.json %s", path);
	rc = run_cli(cmd, err, sizeof(err));
	CHECK(rc == 2 && strstr(err, SHA_OTHER), "cli: expected exit 2 naming the sums, got %d: %s", rc, err);
	REQUIRE(!gate_files_opt(FX "results-z3fold.json", path, &opt, &res, err, sizeof(err)),
		"--allow-different-traces compares them: %s", err);
	CHECK(res.regressed == 0 && strstr(res.traces, SHA_OTHER), "compared, and noted: '%s'", res.traces);
	zpb_gate_result_free(&res);
	snprintf(cmd, sizeof(cmd), "gate " FX "results-z3fold.json %s --allow-different-traces", path);
	rc = run_cli(cmd, err, sizeof(err));
	CHECK(rc == 0, "cli --allow-different-traces: expected exit 0, got %d: %s", rc, err);
	unlink(path);
}

/*
 * One trace replayed at 4K and at 16K pages has one sha256 but no common
 * unit: the gate refuses it (even with --allow-different-traces), naming the
 * allocator and both sizes. Results without work.page_size are 4K ones.
 */
TEST(gate_refuses_runs_of_different_page_sizes_naming_both)
{
	struct zpb_gate_options opt = { .allow_different_traces = true };
	struct zpb_gate_result res;
	char p16[256], p4[256], err[1024], cmd[600];
	int rc;

	REQUIRE(fixture_with(p16, sizeof(p16), FX "results-z3fold.json", "\"allocator\": \"z3fold\",",
			     "\"allocator\": \"z3fold\", \"work\": {\"page_size\": 16384},"), "temp fixture");
	CHECK(gate_files(FX "results-z3fold.json", p16, &res, err, sizeof(err)) == -1,
	      "4K against 16K: expected bad input, got a comparison");
	CHECK(strstr(err, "'z3fold'") && strstr(err, "4096-byte") && strstr(err, "16384-byte"),
	      "message names the allocator and both page sizes: %s", err);
	CHECK(gate_files_opt(FX "results-z3fold.json", p16, &opt, &res, err, sizeof(err)) == -1,
	      "--allow-different-traces does not make page sizes comparable");
	snprintf(cmd, sizeof(cmd), "gate " FX "results-z3fold.json %s", p16);
	rc = run_cli(cmd, err, sizeof(err));
	CHECK(rc == 2 && strstr(err, "16384"), "cli: expected exit 2 naming 16384, got %d: %s", rc, err);
	/* The same page size on both sides compares, and a file without work.page_size is 4K. */
	REQUIRE(!gate_files(p16, p16, &res, err, sizeof(err)), "16K against 16K: %s", err);
	CHECK(res.regressed == 0, "16K against itself regressed %zu", res.regressed);
	zpb_gate_result_free(&res);
	REQUIRE(fixture_with(p4, sizeof(p4), FX "results-z3fold.json", "\"allocator\": \"z3fold\",",
			     "\"allocator\": \"z3fold\", \"work\": {\"page_size\": 4096},"), "temp fixture");
	REQUIRE(!gate_files(FX "results-z3fold.json", p4, &res, err, sizeof(err)),
		"no work.page_size against 4096: %s", err);
	zpb_gate_result_free(&res);
	unlink(p16);
	unlink(p4);
}

TEST(gate_fails_verify_failures_errors_and_leaks_even_when_the_baseline_has_as_many)
{
	static const char *const edits[][2] = {
		{ "\"errors\": 0", "\"errors\": 2" },
		{ "\"leaked_pages\": 0", "\"leaked_pages\": 1" },
	};
	struct zpb_gate_result res;
	const struct zpb_gate_row *row;
	char path[256], err[1024];
	size_t i;

	/* An exact rule once passed 1 -> 1. */
	REQUIRE(!gate_files(FX "results-verify-failure.json", FX "results-verify-failure.json", &res, err, sizeof(err)),
		"%s", err);
	row = find_row(&res, "zbud", "verify_failures");
	REQUIRE(row, "a verify_failures row");
	CHECK(row->verdict == ZPB_VERDICT_REGRESSED && strstr(row->note, "must be 0"),
	      "zbud verify_failures %g -> %g: expected REGRESSED 'must be 0', got %s (%s)", row->base, row->cand,
	      zpb_verdict_name(row->verdict), row->note);
	CHECK(res.regressed >= 1, "the gate fails");
	zpb_gate_result_free(&res);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		REQUIRE(fixture_with(path, sizeof(path), FX "results-z3fold.json", edits[i][0], edits[i][1]), "temp");
		REQUIRE(!gate_files(path, path, &res, err, sizeof(err)), "%s", err);
		CHECK(res.regressed == 1, "'%s' on both sides: expected 1 regression, got %zu", edits[i][1], res.regressed);
		zpb_gate_result_free(&res);
		/* Only in the candidate, with rules that do not mention it at all. */
		REQUIRE(!gate_files(FX "results-z3fold.json", path, &res, err, sizeof(err)), "%s", err);
		CHECK(res.regressed == 1, "'%s' in the candidate: expected 1 regression, got %zu", edits[i][1],
		      res.regressed);
		zpb_gate_result_free(&res);
		unlink(path);
	}
}

TEST(rules_refuse_a_threshold_without_max_a_repeated_key_and_keys_a_kind_ignores)
{
	static const char *const bad[][2] = {
		{ "# c\nfinal.density threshold higher\n", "r.txt:2: a threshold rule needs max=" },
		{ "x threshold lower max=2% max=5%\n", "r.txt:1: max= given twice" },
		{ "x exact lower max=2%\n", "r.txt:1: max= means nothing on an exact rule" },
		{ "x statistical lower max=2%\n", "r.txt:1: max= means nothing on a statistical rule" },
		{ "x threshold lower max=2% alpha=0.05\n", "r.txt:1: alpha= means nothing" },
		{ "x exact lower allow=better allow=better\n", "r.txt:1: allow= given twice" },
		{ "x ignore none severity=warn\n", "r.txt:1: severity= means nothing on an ignore rule" },
		{ "x threshold lower max=2% varying=sometimes\n", "r.txt:1: bad value 'sometimes' for varying" },
		{ "x threshold none max=2% varying=statistical\n", "r.txt:1: varying=statistical needs a direction" },
	};
	struct zpb_rules rs;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(zpb_rules_parse(bad[i][0], "r.txt", &rs, err, sizeof(err)) == -1, "'%s' accepted", bad[i][0]);
		CHECK(strstr(err, bad[i][1]) != NULL, "'%s': expected '%s' in: %s", bad[i][0], bad[i][1], err);
	}
	REQUIRE(!zpb_rules_parse("x threshold lower max=2% varying=statistical\n", "r", &rs, err, sizeof(err)), "%s",
		err);
	CHECK(rs.r[0].varying == ZPB_VARYING_STATISTICAL && near(rs.r[0].min_effect, 0.02, 1e-12),
	      "varying=statistical: min_effect defaults to max (got %g)", rs.r[0].min_effect);
	zpb_rules_free(&rs);
}

TEST(page_counts_that_vary_over_repetitions_are_judged_statistically_or_skipped)
{
	struct zpb_rule st = rule("final.peak_pool_pages threshold lower max=2% varying=statistical");
	struct zpb_rule sk = rule("final.peak_pool_pages threshold lower max=2% varying=skip");
	struct zpb_rule plain = rule("final.peak_pool_pages threshold lower max=2%");
	struct zpb_rule ex = rule("final.pool_pages exact lower");
	/* The z3fold under a 2000-page limit: 2364, 6115 and 9561 pages across repetitions. */
	double b3[] = { 2364, 6115, 9561 }, c3[] = { 2500, 9800, 7000 };
	double b5[] = { 1000, 1010, 1005, 1020, 995 }, same5[] = { 1012, 998, 1003, 1018, 1007 };
	double worse5[] = { 1200, 1190, 1210, 1250, 1180 }, flat[] = { 1000, 1000, 1000 };
	struct zpb_gate_row row;

	REQUIRE(!zpb_gate_judge(&plain, b3, 3, c3, 3, &row), "judge");
	CHECK(row.verdict == ZPB_VERDICT_REGRESSED, "without varying=: the median +%g%% fails as before",
	      row.change * 100);
	REQUIRE(!zpb_gate_judge(&st, b3, 3, c3, 3, &row), "judge");
	CHECK(row.verdict == ZPB_VERDICT_SKIPPED && strstr(row.note, "varies over repetitions (2364..9561") &&
	      strstr(row.note, "--repeat 5"), "3+3 varying: expected skipped saying why, got %s: %s",
	      zpb_verdict_name(row.verdict), row.note);
	REQUIRE(!zpb_gate_judge(&st, b5, 5, same5, 5, &row), "judge");
	CHECK(row.verdict == ZPB_VERDICT_PASS && strstr(row.note, "judged statistically"),
	      "5+5 from one spread: expected ok, got %s: %s", zpb_verdict_name(row.verdict), row.note);
	REQUIRE(!zpb_gate_judge(&st, b5, 5, worse5, 5, &row), "judge");
	CHECK(row.verdict == ZPB_VERDICT_REGRESSED, "5+5, +19%% and separated: expected REGRESSED, got %s: %s",
	      zpb_verdict_name(row.verdict), row.note);
	REQUIRE(!zpb_gate_judge(&sk, b5, 5, worse5, 5, &row), "judge");
	CHECK(row.verdict == ZPB_VERDICT_SKIPPED && strstr(row.note, "varying=skip"), "varying=skip: got %s: %s",
	      zpb_verdict_name(row.verdict), row.note);
	/* Repetitions that agree are held to the threshold itself. */
	REQUIRE(!zpb_gate_judge(&st, flat, 3, worse5, 1, &row), "judge");
	CHECK(row.verdict == ZPB_VERDICT_REGRESSED && !strstr(row.note, "varies"),
	      "reproducible 1000 -> 1200: expected REGRESSED by the threshold, got %s: %s",
	      zpb_verdict_name(row.verdict), row.note);
	/* An exact figure that does not repeat is itself a failure. */
	REQUIRE(!zpb_gate_judge(&ex, b5, 5, b5, 5, &row), "judge");
	CHECK(row.verdict == ZPB_VERDICT_REGRESSED && strstr(row.note, "does not repeat"),
	      "exact, varying: expected REGRESSED, got %s: %s", zpb_verdict_name(row.verdict), row.note);
}

TEST(severity_warn_reports_a_regression_without_failing)
{
	struct zpb_rule r = rule("ops_per_sec statistical higher alpha=0.01 min_effect=5% severity=warn");
	double b[] = { 100, 101, 102, 103, 104 }, c[] = { 50, 51, 52, 53, 54 };
	struct zpb_gate_row row;

	REQUIRE(!zpb_gate_judge(&r, b, 5, c, 5, &row), "judge");
	CHECK(row.verdict == ZPB_VERDICT_WARNED && strstr(row.note, "severity=warn"),
	      "half the throughput under severity=warn: expected warn, got %s: %s", zpb_verdict_name(row.verdict),
	      row.note);
}

/* The Markdown of gating @a against @b, into @buf. */
static void markdown_of(const char *a, const char *b, bool changes_only, char *buf, size_t len)
{
	struct zpb_gate_result res;
	struct zpb_gate_report rep = { .base_path = a, .cand_path = b, .rules_source = "default",
				       .changes_only = changes_only };
	struct zpb_rules rules;
	char err[512];
	FILE *f;

	buf[0] = 0;
	if (gate_files_keep(a, b, NULL, &res, &rules, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "gate %s %s: %s", a, b, err);
		return;
	}
	rep.res = &res;
	f = fmemopen(buf, len, "w");
	if (f) {
		zpb_gate_write_markdown(f, &rep);
		fclose(f);
	}
	zpb_gate_result_free(&res);
	zpb_rules_free(&rules);
}

TEST(gate_table_leaves_out_never_run_figures_and_with_changes_only_unchanged_ones)
{
	static char all[64 << 10], changed[64 << 10];

	/* It printed every row, most of them "0 → 0" for metrics that never ran. */
	markdown_of(FX "results-all.json", FX "results-all.json", false, all, sizeof(all));
	CHECK(!strstr(all, "| ops.rejected |") && strstr(all, "0 → 0 (metrics that never ran)"),
	      "0 -> 0 rows are counted, not listed:\n%s", all);
	CHECK(strstr(all, "| final.pool_pages |") != NULL, "unchanged figures listed by default");
	markdown_of(FX "results-all.json", FX "results-all.json", true, changed, sizeof(changed));
	CHECK(!strstr(changed, "| final.pool_pages |") && strstr(changed, "unchanged row"),
	      "--changes-only: unchanged rows left out:\n%s", changed);
	markdown_of(FX "results-z3fold.json", FX "results-zbud.json", true, changed, sizeof(changed));
	CHECK(strstr(changed, "| final.density |") && strstr(changed, "**REGRESSED**"),
	      "--changes-only keeps the regression:\n%s", changed);
}

TEST(gate_writes_json_and_junit_that_name_each_verdict)
{
	char dir[] = "/tmp/zpb-gate-out-XXXXXX", cmd[1024], err[1024], path[300];
	struct zpb_json *j;
	const struct zpb_json *rows, *row;
	size_t i;
	bool density = false;
	int rc;

	REQUIRE(mkdtemp(dir), "temp dir");
	snprintf(cmd, sizeof(cmd), "gate " FX "results-z3fold.json " FX "results-zbud.json --json %s/g.json "
		 "--junit %s/g.xml", dir, dir);
	rc = run_cli(cmd, err, sizeof(err));
	CHECK(rc == 1, "a regression: expected exit 1, got %d: %s", rc, err);
	snprintf(path, sizeof(path), "%s/g.json", dir);
	j = zpb_json_load(path, NULL, err, sizeof(err));
	REQUIRE(j, "--json output parses: %s", err);
	CHECK(!strcmp(zpb_json_get_str(j, "format", ""), "zpoolbench-gate") &&
	      zpb_json_get_number(j, "format_version", 0) == 1, "format and version");
	CHECK(!strcmp(zpb_json_get_str(j, "verdict", ""), "fail"), "verdict fail");
	rows = zpb_json_get(j, "rows");
	REQUIRE(rows && rows->type == ZPB_JSON_ARRAY && rows->len > 5, "rows");
	CHECK(zpb_json_get_number(j, "compared", 0) == (double)rows->len, "every compared row written");
	for (i = 0; i < rows->len; i++) {
		row = rows->items[i];
		if (!strcmp(zpb_json_get_str(row, "metric", ""), "final.density"))
			density = !strcmp(zpb_json_get_str(row, "verdict", ""), "regressed") &&
				  zpb_json_get_number(zpb_json_get(row, "baseline"), "median", 0) > 0;
	}
	CHECK(density, "final.density row regressed, with its baseline median");
	zpb_json_free(j);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s/g.xml 2>/dev/null || ! command -v xmllint >/dev/null", dir);
	CHECK(system(cmd) == 0, "JUnit XML is well-formed (xmllint)");
	snprintf(cmd, sizeof(cmd), "grep -q '<testcase classname=\"zpoolbench.gate.z3fold\" name=\"final.density\">' "
		 "%s/g.xml && grep -q '<failure type=\"regressed\"' %s/g.xml", dir, dir);
	CHECK(system(cmd) == 0, "JUnit names the failed figure");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "cleanup");
}

TEST(gate_messages_escape_control_characters_from_the_files)
{
	struct zpb_gate_result res;
	char a[256], b[256], err[1024];

	REQUIRE(fixture_with(a, sizeof(a), FX "results-all.json", "\"allocator\": \"zbud\"",
			     "\"allocator\": \"zb\\rud\""), "temp");
	REQUIRE(fixture_with(b, sizeof(b), FX "results-all.json", "\"allocator\": \"zbud\"",
			     "\"allocator\": \"zbxud\""), "temp");
	CHECK(gate_files(a, b, &res, err, sizeof(err)) == -1, "a missing allocator is bad input");
	CHECK(!strchr(err, '\r') && strstr(err, "'zb\\rud'"), "CR escaped in: %s", err);
	unlink(a);
	unlink(b);
}

TEST(results_with_mistyped_fields_are_refused_naming_the_field)
{
	/* Each once loaded when both sides agreed, and the gate skipped or compared nothing. */
	static const char *const edits[][3] = {
		{ "\"verify_failures\": 0", "\"verify_failures\": \"none\"",
		  "runs[0] (z3fold): verify_failures must be a non-negative integer, found string" },
		{ "\"latency_ns\": {", "\"latency_ns\": [], \"x\": {", "runs[0] (z3fold): latency_ns must be an object, found array" },
		{ "\"density\": 0.7996", "\"density\": \"0.7996\"", "runs[0] (z3fold): final.density must be a number" },
		{ "\"verify_failures\": 0", "\"verify_failures\": 0.5", "verify_failures must be a non-negative integer" },
		{ "\"leaked_pages\": 0", "\"leaked_pages\": false", "diagnostics.leaked_pages must be an integer" },
		{ "\"leaked_pages\": 0", "\"leaked\": 0", "\"diagnostics.leaked_pages\" is missing" },
		{ "\"sha256\": ", "\"sha\": ", "\"trace.sha256\" is missing" },
		/* The blocks the verdict and the terminal read are typed too. */
		{ "\"verify_failures\": 0", "\"emulation\": {\"store\": {\"share\": \"high\"}}, \"verify_failures\": 0",
		  "runs[0] (z3fold): emulation.store.share must be a number" },
		{ "\"verify_failures\": 0", "\"work\": {\"stores\": -1}, \"verify_failures\": 0",
		  "runs[0] (z3fold): work.stores must be a non-negative integer" },
		{ "\"verify_failures\": 0", "\"over_run\": {\"mean_pool_pages\": [1]}, \"verify_failures\": 0",
		  "runs[0] (z3fold): over_run.mean_pool_pages must be a number" },
	};
	struct zpb_gate_result res;
	struct zpb_results r;
	char path[256], err[1024], cmd[600];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		REQUIRE(fixture_with(path, sizeof(path), FX "results-z3fold.json", edits[i][0], edits[i][1]), "temp");
		CHECK(zpb_results_load(path, &r, err, sizeof(err)) == -1, "'%s' loaded", edits[i][1]);
		CHECK(strstr(err, path) && strstr(err, edits[i][2]), "'%s': expected '%s' in: %s", edits[i][1],
		      edits[i][2], err);
		/* A mistyped baseline is bad input to the gate, not a metric to skip. */
		CHECK(gate_files(path, FX "results-z3fold.json", &res, err, sizeof(err)) == -1,
		      "'%s' in the baseline: expected bad input", edits[i][1]);
		snprintf(cmd, sizeof(cmd), "gate %s %s", path, path);
		rc = run_cli(cmd, err, sizeof(err));
		CHECK(rc == 2, "'%s' on both sides: expected exit 2, got %d", edits[i][1], rc);
		unlink(path);
	}
	/* "final" a string: the report refuses it too. */
	REQUIRE(fixture_with(path, sizeof(path), FX "results-z3fold.json", "\"final\": {", "\"final\": \"big\", \"f\": {"),
		"temp");
	snprintf(cmd, sizeof(cmd), "report %s -o %s.d", path, path);
	rc = run_cli(cmd, err, sizeof(err));
	CHECK(rc == 2 && strstr(err, "final must be an object, found string"), "report: expected exit 2 naming final, got "
	      "%d: %s", rc, err);
	unlink(path);
}
