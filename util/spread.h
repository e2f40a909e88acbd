/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The spread of a repeated measurement: the median of the repetitions, their
 * minimum and maximum, and a distribution-free confidence interval for the
 * median from order statistics.
 *
 * Why this and not mean +- stddev: repetitions on a shared VM are skewed
 * (a noisy neighbour only ever slows a run), so the median is the figure
 * and the interval must not assume normality. The interval is
 * [x(r), x(n-r+1)] for the largest r whose coverage 1 - 2 P(B <= r-1),
 * B ~ Binomial(n, 1/2), is at least 95%. With 5 or fewer repetitions no
 * such r exists: the interval is then [min, max] and @level says what
 * coverage that has (93.75% for 5, 87.5% for 4, 75% for 3, 50% for 2, 0 for 1).
 * docs/report.md states the rule for readers.
 */
#ifndef ZPB_UTIL_SPREAD_H
#define ZPB_UTIL_SPREAD_H

#include <stddef.h>

/**
 * struct zpb_spread - a summary of n repetitions of one figure
 * @n: how many values were summarised
 * @median: the median (mean of the middle two for even n)
 * @min, @max: the extremes
 * @lo, @hi: the confidence interval for the median
 * @level: its coverage, 0..1 (0.95 or more once n >= 6)
 */
struct zpb_spread {
	size_t n;
	double median, min, max, lo, hi, level;
};

#define ZPB_SPREAD_LEVEL 0.95

/**
 * zpb_spread_compute() - summarise @n values
 * @x: the values; not modified
 * @n: how many (0 gives an all-zero summary with @n 0)
 *
 * Return: 0, or -1 if memory for a sorted copy could not be had.
 */
int zpb_spread_compute(const double *x, size_t n, struct zpb_spread *s);

/* Coverage of [x(r), x(n-r+1)] (1-based r) as an interval for the median. */
double zpb_spread_coverage(size_t n, size_t r);

#endif
