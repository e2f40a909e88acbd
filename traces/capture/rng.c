// SPDX-License-Identifier: GPL-2.0-only
/* xoshiro256** with splitmix64 seeding, and a rejection-inversion Zipf sampler. */
#include <math.h>

#include "rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void zpb_rng_seed(struct zpb_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t zpb_rng_next(struct zpb_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t zpb_rng_below(struct zpb_rng *r, uint64_t n)
{
	uint64_t x, limit;

	if (n == 0)
		return 0;
	/* Reject the top partial bucket so every residue is equally likely. */
	limit = UINT64_MAX - UINT64_MAX % n;
	do
		x = zpb_rng_next(r);
	while (x >= limit);
	return x % n;
}

void zpb_rng_permutation(struct zpb_rng *r, uint32_t *a, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		a[i] = (uint32_t)i;
	for (i = n; i > 1; i--) {
		uint64_t j = zpb_rng_below(r, i);
		uint32_t t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

double zpb_rng_double(struct zpb_rng *r)
{
	return (double)(zpb_rng_next(r) >> 11) * 0x1.0p-53;
}

/* log1p(x)/x and expm1(x)/x, continuous at 0 where both are 1. */
static double helper1(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x * (0.5 - x / 3.0);
}

static double helper2(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0);
}

/* H(x), the integral of x^-s, and its inverse, as in the paper. */
static double h_integral(double x, double s)
{
	double lx = log(x);

	return helper2((1.0 - s) * lx) * lx;
}

static double h(double x, double s)
{
	return exp(-s * log(x));
}

static double h_integral_inverse(double x, double s)
{
	double t = x * (1.0 - s);

	if (t < -1.0)
		t = -1.0;	/* rounding can step just past the domain */
	return exp(helper1(t) * x);
}

void zpb_zipf_init(struct zpb_zipf *z, uint64_t n, double s)
{
	z->n = n ? n : 1;
	z->s = s > 0 ? s : 0;
	if (z->s == 0)
		return;
	z->h_x1 = h_integral(1.5, z->s) - 1.0;
	z->h_n = h_integral((double)z->n + 0.5, z->s);
	z->threshold = 2.0 - h_integral_inverse(h_integral(2.5, z->s) - h(2.0, z->s), z->s);
}

uint64_t zpb_zipf_next(const struct zpb_zipf *z, struct zpb_rng *r)
{
	if (z->s == 0 || z->n == 1)
		return zpb_rng_below(r, z->n);
	for (;;) {
		double u = z->h_n + zpb_rng_double(r) * (z->h_x1 - z->h_n);
		double x = h_integral_inverse(u, z->s);
		double kd = floor(x + 0.5);
		uint64_t k;

		if (kd < 1)
			kd = 1;
		else if (kd > (double)z->n)
			kd = (double)z->n;
		k = (uint64_t)kd;
		if (kd - x <= z->threshold || u >= h_integral(kd + 0.5, z->s) - h(kd, z->s))
			return k - 1;
	}
}
