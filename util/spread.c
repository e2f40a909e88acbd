// SPDX-License-Identifier: GPL-2.0-only
/* The spread of repeated measurements (spread.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spread.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* P(B <= k) for B ~ Binomial(n, 1/2), summed in logs so that large n does not overflow. */
static double binom_half_cdf(size_t n, size_t k)
{
	double sum = 0, logc = 0;	/* log C(n, 0) */
	size_t i;

	for (i = 0; i <= k && i <= n; i++) {
		if (i)
			logc += log((double)(n - i + 1)) - log((double)i);
		sum += exp(logc - (double)n * log(2.0));
	}
	return sum > 1 ? 1 : sum;
}

double zpb_spread_coverage(size_t n, size_t r)
{
	if (!n || !r || 2 * r > n + 1)
		return 0;
	return 1 - 2 * binom_half_cdf(n, r - 1);
}

int zpb_spread_compute(const double *x, size_t n, struct zpb_spread *s)
{
	double *v;
	size_t r;

	memset(s, 0, sizeof(*s));
	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -1;
	memcpy(v, x, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	s->n = n;
	s->min = v[0];
	s->max = v[n - 1];
	s->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	/* The largest r that still covers 95%; r = 1 (min..max) when none does. */
	r = 1;
	while (2 * (r + 1) <= n + 1 && zpb_spread_coverage(n, r + 1) >= ZPB_SPREAD_LEVEL)
		r++;
	s->lo = v[r - 1];
	s->hi = v[n - r];
	s->level = zpb_spread_coverage(n, r);
	free(v);
	return 0;
}
