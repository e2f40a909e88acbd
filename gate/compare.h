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
};

struct zpb_gate_row {
	char base_subject[128], cand_subject[128];	/* copies: rows outlive the metric sets */
	char metric[192];
	const struct zpb_rule *rule;
	double base, cand;	/* medians over repetitions */
	double change;		/* (cand - base) / |base|; +-INFINITY from 0 */
	size_t n_base, n_cand;
	double p;		/* statistical: one-sided p-value for "worse"; NAN otherwise */
	enum zpb_verdict verdict;
	char note[128];
};

struct zpb_gate_result {
	struct zpb_gate_row *rows;
	size_t n, cap;
	size_t regressed, improved, skipped;
	char pairing[256];	/* set when subjects of different names were paired */
};

/* Pair baseline subject @base with candidate subject @cand (e.g. z3fold=zbud). */
struct zpb_gate_pair {
	const char *base, *cand;
};

/**
 * zpb_gate_compare() - judge @cand against @base.
 * @pairs: explicit subject pairings (may be NULL with @npairs 0). Without
 *	one, subjects pair by name; when each file holds exactly one subject
 *	they pair whatever their names.
 *
 * Return: 0 with the rows in @out, or -1 on bad input (different kinds of
 * file, an interrupted run, a baseline subject or metric missing from the
 * candidate, no metric covered by any rule) with a message in @err.
 */
int zpb_gate_compare(const struct zpb_metricset *base, const struct zpb_metricset *cand,
		     const struct zpb_rules *rules, const struct zpb_gate_pair *pairs, size_t npairs,
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

/* Write the result as a Markdown table with a summary line. */
void zpb_gate_write_markdown(FILE *f, const struct zpb_gate_result *res, const char *base_path,
			     const char *cand_path, const char *rules_source);

const char *zpb_verdict_name(enum zpb_verdict v);

#endif
