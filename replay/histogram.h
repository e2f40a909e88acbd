/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log-linear latency histograms, after HdrHistogram's layout: values below
 * 256 have a bucket each; above, every power of two is split into 128 equal
 * buckets, so a bucket is never wider than 1/128 of its lower bound and the
 * value reported for a percentile (the bucket's midpoint, clamped to the
 * observed min and max) is within 0.4% of the true one. Recording is an
 * index computation and an increment; histograms of the same layout merge
 * by adding counts, so each thread records into its own and they are
 * merged after the run.
 */
#ifndef ZPB_REPLAY_HISTOGRAM_H
#define ZPB_REPLAY_HISTOGRAM_H

#include <stdint.h>

#define ZPB_HIST_SUB_BITS 7			/* 128 buckets per power of two */
#define ZPB_HIST_LINEAR (2u << ZPB_HIST_SUB_BITS)	/* values 0..255 are exact */
#define ZPB_HIST_MAX_BITS 44			/* values from 2^44 ns (~4.9 h) share the top bucket */
#define ZPB_HIST_BUCKETS (ZPB_HIST_LINEAR + (ZPB_HIST_MAX_BITS - ZPB_HIST_SUB_BITS - 1) * (1u << ZPB_HIST_SUB_BITS))

struct zpb_hist {
	uint64_t count, sum, min, max;
	uint64_t buckets[ZPB_HIST_BUCKETS];
};

void zpb_hist_reset(struct zpb_hist *h);

static inline unsigned int zpb_hist_index(uint64_t v)
{
	unsigned int e;

	if (v < ZPB_HIST_LINEAR)
		return (unsigned int)v;
	e = 63 - (unsigned int)__builtin_clzll(v);	/* v in [2^e, 2^(e+1)), e >= 8 */
	if (e >= ZPB_HIST_MAX_BITS)
		return ZPB_HIST_BUCKETS - 1;
	return ZPB_HIST_LINEAR + (e - ZPB_HIST_SUB_BITS - 1) * (1u << ZPB_HIST_SUB_BITS) +
	       (unsigned int)((v >> (e - ZPB_HIST_SUB_BITS)) & ((1u << ZPB_HIST_SUB_BITS) - 1));
}

/* Record one value. Not thread-safe: one histogram per thread. */
static inline void zpb_hist_record(struct zpb_hist *h, uint64_t v)
{
	h->buckets[zpb_hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/* The values bucket @i holds: [*lo, *hi]. */
void zpb_hist_bucket_range(unsigned int i, uint64_t *lo, uint64_t *hi);
/* Add @src's counts into @dst. */
void zpb_hist_merge(struct zpb_hist *dst, const struct zpb_hist *src);
/**
 * zpb_hist_percentile - the value at quantile @q (0 < q <= 1)
 *
 * Nearest rank: the bucket holding the ceil(q * count)-th smallest value,
 * reported as its midpoint clamped to [min, max]. Return: 0 if empty.
 */
uint64_t zpb_hist_percentile(const struct zpb_hist *h, double q);
double zpb_hist_mean(const struct zpb_hist *h);

#endif
