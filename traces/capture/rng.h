/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small deterministic PRNG for capture order models and synthetic traces:
 * xoshiro256** seeded through splitmix64 (Blackman and Vigna). rand() is not
 * used anywhere: its sequence differs between C libraries, and traces must
 * be identical for a seed on every machine.
 */
#ifndef ZPB_CAPTURE_RNG_H
#define ZPB_CAPTURE_RNG_H

#include <stdint.h>

struct zpb_rng {
	uint64_t s[4];
};

/* Seed all four words from @seed through splitmix64 (any seed, even 0, is fine). */
void zpb_rng_seed(struct zpb_rng *r, uint64_t seed);
/* The next 64 random bits. */
uint64_t zpb_rng_next(struct zpb_rng *r);
/* Uniform in [0, n) without modulo bias; n == 0 returns 0. */
uint64_t zpb_rng_below(struct zpb_rng *r, uint64_t n);
/* Fill @a with 0..n-1 in a random order (Fisher-Yates). */
void zpb_rng_permutation(struct zpb_rng *r, uint32_t *a, uint64_t n);
/* Uniform in [0, 1) with 53 bits. */
double zpb_rng_double(struct zpb_rng *r);

/*
 * Zipf-distributed ranks in [0, n) with exponent @s (s == 0 is uniform),
 * drawn by rejection-inversion (Hörmann and Derflinger 1996): O(1) per draw
 * and no table, so n can be large. Rank 0 is the most popular.
 */
struct zpb_zipf {
	uint64_t n;
	double s;
	double h_x1, h_n, threshold;	/* precomputed by zpb_zipf_init */
};

void zpb_zipf_init(struct zpb_zipf *z, uint64_t n, double s);
uint64_t zpb_zipf_next(const struct zpb_zipf *z, struct zpb_rng *r);

#endif
