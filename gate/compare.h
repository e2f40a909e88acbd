/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gate's comparison: every metric of every baseline subject that a rule
 * covers, judged against the candidate by that rule.
 */
#ifndef ZPB_GATE_COMPARE_H
#define ZPB_GATE_COMPARE_H

#include <stdio.h>

#include "metrics.h"
#include "rules.h"

enum zpb_verdict {
	ZPB_VERDICT_PASS,
	ZPB_VERDICT_IMPROVED,
	ZPB_VERDICT_REGRESSED,
	ZPB_VERDICT_SKIPPED,	/* the rule cannot judge these data (see note) */
	ZPB_VERDICT_WARNED,	/* worse, by a severity=warn rule: reported, does not fail */
};

struct zpb_gate_row {
	char base_subject[128], cand_subject[128];	/* copies: rows outlive the metric sets */
	char metric[192];
	const struct zpb_rule *rule;
	double base, cand;	/* medians over repetitions */
	double change;		/* (cand - base) / |base|; +-INFINITY from 0 */
	size_t n_base, n_cand;
	double base_min, base_max, cand_min, cand_max;	/* the spread over repetitions */
	double p;		/* statistical: one-sided p-value for "worse"; NAN otherwise */
	bool all_zero;		/* every sample of both sides is 0: a metric that never ran */
	enum zpb_verdict verdict;
	char note[320];
};

struct zpb_gate_result {
	struct zpb_gate_row *rows;
	size_t n, cap;
	size_t regressed, improved, skipped, warned;
	char pairing[320];	/* set when subjects of different names were paired */
	char traces[320];	/* set when --allow-different-traces let different traces through */
	char single_runs[256];	/* set when single non-deterministic runs were gated as if exact */
};

/* Pair baseline subject @base with candidate subject @cand (e.g. z3fold=zbud). */
struct zpb_gate_pair {
	const char *base, *cand;
};

struct zpb_gate_options {
	const struct zpb_gate_pair *pairs;	/* explicit pairings (may be NULL with npairs 0) */
	size_t npairs;
	bool allow_different_traces;	/* compare results of traces with different sha256 */
};

/* Figures that must be 0 in any gated replay result, whatever the rules say. */
extern const char *const zpb_gate_zero_metrics[];

/**
 * zpb_gate_compare() - judge @cand against @base.
 * @opt: may be NULL. Without a pairing, subjects pair by name; when each
 *	file holds exactly one subject they pair whatever their names.
 *
 * Every subject of both files also gets a row per zpb_gate_zero_metrics
 * entry, which regresses unless all its samples are 0.
 *
 * Return: 0 with the rows in @out, or -1 on bad input (different kinds of
 * file, results of different traces, an interrupted run, a baseline
 * subject or metric missing from the candidate, no metric covered by any
 * rule) with a message in @err.
 */
int zpb_gate_compare(const struct zpb_metricset *base, const struct zpb_metricset *cand,
		     const struct zpb_rules *rules, const struct zpb_gate_options *opt,
		     struct zpb_gate_result *out, char *err, size_t errlen);

/**
 * zpb_gate_judge() - judge one metric's samples by one rule (no I/O).
 *
 * Fills @row's base, cand, change, n_base, n_cand, p, verdict and note.
 * Return: 0, or -1 when out of memory.
 */
int zpb_gate_judge(const struct zpb_rule *rule, const double *b, size_t nb, const double *c, size_t nc,
		   struct zpb_gate_row *row);

void zpb_gate_result_free(struct zpb_gate_result *out);

const char *zpb_verdict_name(enum zpb_verdict v);
/* The rule as the table shows it: "threshold lower, max 2%". */
void zpb_gate_rule_text(const struct zpb_gate_row *r, char *buf, size_t len);

#endif
