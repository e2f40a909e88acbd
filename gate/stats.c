// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mann-Whitney U. Ranks are midranks (ties share the mean of their
 * positions); working with doubled ranks keeps every rank sum an integer, so
 * the exact distribution is a table of counts indexed by that integer and
 * is exact with ties too (it is the permutation distribution given the
 * observed ties). For larger samples the normal approximation is used, with
 * the variance reduced for ties and a continuity correction of 1/2.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

struct obs {
	double v;
	int from_y;
};

static int cmp_obs(const void *a, const void *b)
{
	const struct obs *x = a, *y = b;

	return (x->v > y->v) - (x->v < y->v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double zpb_median(const double *v, size_t n)
{
	double *c, m;

	if (!n)
		return 0;
	c = malloc(n * sizeof(*c));
	if (!c)
		return NAN;
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

/*
 * P(S >= s_obs) and P(S <= s_obs) where S is the doubled rank sum of n2
 * observations drawn without replacement from the doubled ranks @r2[0..N).
 * count[k][s] = ways to pick k of the ranks seen so far with sum s.
 */
static int exact_p(const long *r2, size_t N, size_t n2, long s_obs, double *p_ge, double *p_le)
{
	long smax = 0;
	size_t i, k, width;
	double *count, total = 0, ge = 0, le = 0;
	long s;

	for (i = 0; i < N; i++)
		smax += r2[i];
	width = (size_t)smax + 1;
	count = calloc((n2 + 1) * width, sizeof(*count));
	if (!count)
		return -1;
	count[0] = 1;
	for (i = 0; i < N; i++)
		for (k = (i + 1 < n2 ? i + 1 : n2); k >= 1; k--)
			for (s = smax; s >= r2[i]; s--)
				count[k * width + s] += count[(k - 1) * width + s - r2[i]];
	for (s = 0; s <= smax; s++) {
		double c = count[n2 * width + s];

		total += c;
		if (s >= s_obs)
			ge += c;
		if (s <= s_obs)
			le += c;
	}
	free(count);
	*p_ge = ge / total;
	*p_le = le / total;
	return 0;
}

int zpb_mwu_test(const double *x, size_t n1, const double *y, size_t n2, size_t exact_max,
		 struct zpb_mwu *out)
{
	size_t N = n1 + n2, i, j;
	struct obs *o;
	long *r2, s2 = 0;
	double ties = 0;

	memset(out, 0, sizeof(*out));
	if (!n1 || !n2)
		return -1;
	o = malloc(N * sizeof(*o));
	r2 = malloc(N * sizeof(*r2));
	if (!o || !r2) {
		free(o);
		free(r2);
		return -1;
	}
	for (i = 0; i < n1; i++)
		o[i] = (struct obs){ x[i], 0 };
	for (i = 0; i < n2; i++)
		o[n1 + i] = (struct obs){ y[i], 1 };
	qsort(o, N, sizeof(*o), cmp_obs);
	/* Positions i+1..j share the doubled midrank (i+1)+j. */
	for (i = 0; i < N; i = j) {
		double t;

		for (j = i + 1; j < N && o[j].v == o[i].v; j++)
			;
		for (size_t k = i; k < j; k++) {
			r2[k] = (long)(i + 1 + j);
			if (o[k].from_y)
				s2 += r2[k];
		}
		t = (double)(j - i);
		ties += t * t * t - t;
	}
	/* U = R_y - n2(n2+1)/2, and R_y = s2 / 2. */
	out->u = (double)s2 / 2 - (double)n2 * (double)(n2 + 1) / 2;
	if (N <= exact_max) {
		out->exact = true;
		if (exact_p(r2, N, n2, s2, &out->p_greater, &out->p_less)) {
			free(o);
			free(r2);
			return -1;
		}
	} else {
		double n1d = (double)n1, n2d = (double)n2, Nd = (double)N;
		double mean = n1d * n2d / 2;
		double var = n1d * n2d / 12 * ((Nd + 1) - ties / (Nd * (Nd - 1)));

		if (var <= 0) {
			/* Every observation equal: no evidence either way. */
			out->p_greater = out->p_less = 1;
		} else {
			double sd = sqrt(var);

			out->z = (out->u - mean) / sd;
			out->p_greater = 0.5 * erfc((out->u - mean - 0.5) / sd / M_SQRT2);
			out->p_less = 0.5 * erfc(-(out->u - mean + 0.5) / sd / M_SQRT2);
			if (out->p_greater > 1)
				out->p_greater = 1;
			if (out->p_less > 1)
				out->p_less = 1;
		}
	}
	out->p_two_sided = 2 * (out->p_greater < out->p_less ? out->p_greater : out->p_less);
	if (out->p_two_sided > 1)
		out->p_two_sided = 1;
	free(o);
	free(r2);
	return 0;
}
