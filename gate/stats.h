/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Statistics for the gate: the Mann-Whitney U test (Wilcoxon rank-sum) and
 * medians. Timings on a shared machine are not normal and have outliers; a
 * rank test asks only whether one sample tends to be larger than the other.
 */
#ifndef ZPB_GATE_STATS_H
#define ZPB_GATE_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Up to this many observations in all, p-values come from the exact distribution. */
#define ZPB_MWU_EXACT_MAX 40

struct zpb_mwu {
	double u;		/* U of the second sample: pairs (x, y) with y > x, ties count 1/2 */
	double p_greater;	/* P(U >= u) under H0: evidence that y tends to be larger */
	double p_less;		/* P(U <= u) under H0: evidence that y tends to be smaller */
	double p_two_sided;	/* 2 * min(p_greater, p_less), at most 1 */
	double z;		/* the normal approximation's z (0 when exact) */
	bool exact;		/* p-values from the exact permutation distribution */
};

/**
 * zpb_mwu_test() - Mann-Whitney U test of samples @x (n1) and @y (n2).
 * @exact_max: up to this many observations in all (n1 + n2) use the exact
 *	distribution, conditional on the ties (midranks); above it, the normal
 *	approximation with tie correction and continuity correction.
 *	Pass ZPB_MWU_EXACT_MAX normally.
 *
 * Return: 0, or -1 when a sample is empty or memory runs out.
 */
int zpb_mwu_test(const double *x, size_t n1, const double *y, size_t n2, size_t exact_max,
		 struct zpb_mwu *out);

/* The median of @n values (the mean of the middle two when n is even); 0 when n is 0. */
double zpb_median(const double *v, size_t n);

#endif
