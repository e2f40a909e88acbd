// SPDX-License-Identifier: GPL-2.0-only
/*
 * The synthesizer: a Zipf-skewed walk over a working set of swap slots. Each
 * op picks a slot by popularity; a slot not in the pool is stored (a size
 * drawn from the profile's measured histograms), a slot in the pool is
 * swapped in (LOAD + INVALIDATE) or invalidated (the page was freed). The
 * phase sets how often an op looks for a free slot to store.
 *
 * Determinism: only integer draws from our own xoshiro256** decide what
 * happens; the one floating-point step (exponential gaps, Zipf inversion)
 * uses log/exp from libm, identical for a given build.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/compress.h"
#include "../capture/rng.h"
#include "synth.h"

#define CATS (ZPB_HIST_BUCKETS + 2)	/* the buckets, then same-filled, then incompressible */
#define CAT_SAME ZPB_HIST_BUCKETS
#define CAT_INCOMP (ZPB_HIST_BUCKETS + 1)
#define KEY_TRIES 32

struct synth {
	const struct zpb_synth_profile *p;
	struct zpb_rng rng;
	struct zpb_zipf zipf;
	uint64_t cum[CATS];	/* cumulative integer weights */
	uint32_t *perm;		/* Zipf rank -> slot, so popular slots are scattered */
	uint8_t *live;
	struct zpb_sink *sink;
	struct zpb_synth_stats *st;
	double t;
	uint32_t ps;		/* the trace's page size */
	char *err;
	size_t errlen;
};

/* Mix the histograms in equal parts with integer weights, so draws need no floating point. */
static int build_weights(struct synth *s)
{
	const struct zpb_size_hist *const *h;
	uint64_t w[CATS] = { 0 }, acc = 0;
	int n = 0, i;

	for (h = s->p->hists; *h; h++)
		n++;
	for (h = s->p->hists; *h; h++) {
		uint64_t total = (*h)->pages, scale;

		if (!total)
			continue;
		scale = (UINT64_C(1) << 40) / (uint64_t)n / total;
		for (i = 0; i < ZPB_HIST_BUCKETS; i++)
			w[i] += (*h)->buckets[i] * scale;
		w[CAT_SAME] += (*h)->same_filled * scale;
		w[CAT_INCOMP] += (*h)->incompressible * scale;
	}
	for (i = 0; i < CATS; i++)
		s->cum[i] = acc += w[i];
	if (!acc) {
		snprintf(s->err, s->errlen, "synth: profile '%s' has an empty size distribution",
			 s->p->name);
		return -1;
	}
	return 0;
}

static void draw_size(struct synth *s, uint32_t *len, uint8_t *flags)
{
	uint64_t x = zpb_rng_below(&s->rng, s->cum[CATS - 1]);
	int lo = 0, hi = CATS - 1;

	while (lo < hi) {	/* the first category whose cumulative weight exceeds x */
		int mid = (lo + hi) / 2;

		if (s->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	*flags = 0;
	if (lo == CAT_SAME) {
		*flags = ZPB_STORE_SAME_FILLED;
		*len = 0;	/* as zswap's entry->length: no compressed data */
	} else if (lo == CAT_INCOMP) {
		*flags = ZPB_STORE_INCOMPRESSIBLE;
		*len = s->ps;
	} else {
		*len = (uint32_t)lo * ZPB_HIST_BUCKET_BYTES + 1 +
		       (uint32_t)zpb_rng_below(&s->rng, ZPB_HIST_BUCKET_BYTES);
		if (*len >= ZPB_PAGE_SIZE)
			*len = ZPB_PAGE_SIZE - 1;
		/*
		 * The histograms are of 4 KiB pages. A larger page holds that many
		 * 4 KiB pages of the same data, so its compressed size scales with
		 * it: a model, not a measurement (one compressor window over a
		 * 16 KiB page finds a little more to match; docs/synth-profiles.md).
		 */
		*len *= s->ps / ZPB_PAGE_SIZE;
	}
}

static uint64_t next_time(struct synth *s)
{
	/* Exponential gaps: a Poisson stream of swap activity. */
	s->t += -s->p->mean_gap_ns * log(1.0 - zpb_rng_double(&s->rng));
	return (uint64_t)s->t;
}

static uint32_t pick_cpu(struct synth *s, uint64_t slot)
{
	/* Mostly the slot's home CPU (the task that owns it), sometimes any. */
	if (zpb_rng_below(&s->rng, 5) == 0)
		return (uint32_t)zpb_rng_below(&s->rng, s->p->threads);
	return (uint32_t)(slot % s->p->threads);
}

static int one_op(struct synth *s, const struct zpb_synth_phase *ph, uint64_t left)
{
	int want_store = zpb_rng_double(&s->rng) < ph->store;
	uint64_t slot = 0;
	uint32_t cpu;
	int i;

	for (i = 0; i < KEY_TRIES; i++) {
		slot = s->perm[zpb_zipf_next(&s->zipf, &s->rng)];
		if ((s->live[slot] == 0) == want_store)
			break;
	}
	cpu = pick_cpu(s, slot);
	if (!s->live[slot]) {
		uint32_t len;
		uint8_t flags;

		draw_size(s, &len, &flags);
		s->live[slot] = 1;
		s->st->stores++;
		if (flags & ZPB_STORE_SAME_FILLED)
			s->st->same_filled++;
		if (flags & ZPB_STORE_INCOMPRESSIBLE)
			s->st->incompressible++;
		return zpb_sink_store(s->sink, next_time(s), cpu, ZPB_KEY(0, slot), len, flags, 0,
				      s->err, s->errlen) ? -1 : 1;
	}
	s->live[slot] = 0;
	if (left >= 2 && zpb_rng_double(&s->rng) < ph->swapin) {
		s->st->loads++;
		if (zpb_sink_op(s->sink, next_time(s), cpu, ZPB_OP_LOAD, ZPB_KEY(0, slot), s->err,
				s->errlen))
			return -1;
		s->st->invalidates++;
		return zpb_sink_op(s->sink, next_time(s), cpu, ZPB_OP_INVALIDATE, ZPB_KEY(0, slot),
				   s->err, s->errlen) ? -1 : 2;
	}
	s->st->invalidates++;
	return zpb_sink_op(s->sink, next_time(s), cpu, ZPB_OP_INVALIDATE, ZPB_KEY(0, slot),
			   s->err, s->errlen) ? -1 : 1;
}

int zpb_synth_run(const struct zpb_synth_profile *p, uint64_t ops, uint64_t seed, uint32_t page_size,
		  struct zpb_sink *sink, struct zpb_synth_stats *st, char *err, size_t errlen)
{
	struct zpb_synth_stats local;
	struct synth s;
	uint64_t done = 0;
	int ph, nph = 0, ret = -1;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	memset(&s, 0, sizeof(s));
	s.p = p;
	s.sink = sink;
	s.st = st;
	s.err = err;
	s.errlen = errlen;
	s.ps = page_size ? page_size : ZPB_PAGE_SIZE;
	if (!zpb_capture_page_size_ok(s.ps)) {
		snprintf(err, errlen, "synth: page size %u is not 4096, 16384 or 65536", s.ps);
		return -1;
	}
	if (!p->threads || !p->working_set || p->working_set >= UINT32_MAX) {
		snprintf(err, errlen, "synth: profile '%s' needs threads >= 1 and a working set of 1..2^32-1",
			 p->name);
		return -1;
	}
	if (build_weights(&s))
		return -1;
	zpb_rng_seed(&s.rng, seed);
	zpb_zipf_init(&s.zipf, p->working_set, p->zipf);
	s.perm = malloc(p->working_set * sizeof(*s.perm));
	s.live = calloc(p->working_set, 1);
	if (!s.perm || !s.live) {
		snprintf(err, errlen, "synth: out of memory for a working set of %llu",
			 (unsigned long long)p->working_set);
		goto out;
	}
	zpb_rng_permutation(&s.rng, s.perm, p->working_set);
	while (nph < ZPB_SYNTH_MAX_PHASES && p->phases[nph].share > 0)
		nph++;
	for (ph = 0; ph < nph; ph++) {
		const struct zpb_synth_phase *phase = &p->phases[ph];
		uint64_t end = ph == nph - 1 ? ops : done + (uint64_t)((double)ops * phase->share);

		if (end > ops)
			end = ops;
		st->marks++;
		if (zpb_sink_mark(sink, (uint64_t)s.t, 0, phase->label, err, errlen))
			goto out;
		while (done < end) {
			int n = one_op(&s, phase, end - done);

			if (n < 0)
				goto out;
			done += (uint64_t)n;
		}
	}
	st->marks++;
	ret = zpb_sink_mark(sink, (uint64_t)s.t, 0, "end", err, errlen);
out:
	free(s.perm);
	free(s.live);
	return ret;
}

int zpb_synth_write(const struct zpb_synth_profile *p, uint64_t ops, uint64_t seed, uint32_t page_size,
		    const char *path, enum zpb_trace_form form, struct zpb_synth_stats *st,
		    char *err, size_t errlen)
{
	char source[ZPB_TRACE_TEXT_MAX];
	struct zpb_writer_sink ws;
	struct zpb_trace_writer *w;

	if (page_size && page_size != ZPB_PAGE_SIZE)
		snprintf(source, sizeof(source), "synth profile=%s ops=%llu seed=%llu page_size=%u", p->name,
			 (unsigned long long)ops, (unsigned long long)seed, page_size);
	else
		snprintf(source, sizeof(source), "synth profile=%s ops=%llu seed=%llu", p->name,
			 (unsigned long long)ops, (unsigned long long)seed);
	w = zpb_capture_writer_open(path, form, page_size, p->hists[0]->compressor, source, err, errlen);
	if (!w)
		return -1;
	zpb_writer_sink_init(&ws, w);
	if (zpb_synth_run(p, ops, seed, page_size, &ws.base, st, err, errlen)) {
		zpb_trace_writer_abort(w);
		return -1;
	}
	return zpb_trace_writer_finish(w, err, errlen) ? -1 : 0;
}
