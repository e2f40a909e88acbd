// SPDX-License-Identifier: GPL-2.0-only
/* Log-linear histograms. See histogram.h for the layout and its error bound. */
#include <math.h>
#include <string.h>

#include "histogram.h"

void zpb_hist_reset(struct zpb_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void zpb_hist_bucket_range(unsigned int i, uint64_t *lo, uint64_t *hi)
{
	unsigned int octave, sub, e;

	if (i < ZPB_HIST_LINEAR) {
		*lo = *hi = i;
		return;
	}
	octave = (i - ZPB_HIST_LINEAR) >> ZPB_HIST_SUB_BITS;
	sub = (i - ZPB_HIST_LINEAR) & ((1u << ZPB_HIST_SUB_BITS) - 1);
	e = octave + ZPB_HIST_SUB_BITS + 1;
	*lo = ((uint64_t)1 << e) + ((uint64_t)sub << (e - ZPB_HIST_SUB_BITS));
	*hi = *lo + ((uint64_t)1 << (e - ZPB_HIST_SUB_BITS)) - 1;
	if (i == ZPB_HIST_BUCKETS - 1)
		*hi = UINT64_MAX;
}

void zpb_hist_merge(struct zpb_hist *dst, const struct zpb_hist *src)
{
	unsigned int i;

	if (!src->count)
		return;
	for (i = 0; i < ZPB_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t zpb_hist_percentile(const struct zpb_hist *h, double q)
{
	uint64_t rank, seen = 0, lo, hi, v;
	unsigned int i;

	if (!h->count)
		return 0;
	if (q >= 1.0)
		return h->max;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < ZPB_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	if (i == ZPB_HIST_BUCKETS)
		return h->max;
	zpb_hist_bucket_range(i, &lo, &hi);
	v = lo + (hi - lo) / 2;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

double zpb_hist_mean(const struct zpb_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}
