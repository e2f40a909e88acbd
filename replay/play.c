// SPDX-License-Identifier: GPL-2.0-only
/*
 * Playing records: the hot loop of a replay thread.
 *
 * zpb_play() runs an array of decoded keyed records (STORE, LOAD,
 * INVALIDATE, WRITEBACK) against the engine's pool on one thread, into
 * that thread's histograms: the key lookups first, each prefetching the
 * entry it finds, so that the entries' cache misses overlap; then the ops,
 * back to back, one clock read at each op boundary (internal.h's op timer).
 * It is all a thread needs that owns its records' keys; MARK and COMPACT
 * are the caller's, as they concern the whole pool.
 *
 * zpb_play_inline() is the one-thread replay (engine.c calls it): decode a
 * batch, play its runs of keyed records, do the MARKs and COMPACTs between
 * them, sample density every --sample-ops records and check for a stop
 * request once a batch.
 */
#include <stdio.h>

#include "internal.h"

/*
 * Records decoded at a time: enough that the prefetches of a batch's
 * entries are in flight together, few enough that the batch (32 bytes a
 * record) stays in the L1 cache.
 */
#define ZPB_PLAY_BATCH 64

static inline bool keyed(uint8_t op)
{
	return op >= ZPB_OP_STORE && op <= ZPB_OP_WRITEBACK;
}

int zpb_no_contents(const struct zpb_engine *e, uint8_t flags, uint64_t content, uint64_t record,
		    char *err, size_t errlen)
{
	if (!(flags & ZPB_STORE_PAGEREF))
		snprintf(err, errlen, "record %llu: --compress: a STORE without page=N has no contents to compress",
			 (unsigned long long)record + 1);
	else if (content >= e->pages->info.page_count)
		snprintf(err, errlen, "record %llu: --compress: STORE page=%llu, past the %llu pages of %s",
			 (unsigned long long)record + 1, (unsigned long long)content,
			 (unsigned long long)e->pages->info.page_count, e->pages->path);
	else
		return 0;
	return -1;
}

int zpb_play(struct zpb_worker *w, struct zpb_keytable *kt, const struct zpb_rec *recs, int n,
	     uint64_t first, char *err, size_t errlen)
{
	struct zpb_engine *e = w->eng;
	const bool plain = !e->compress && !e->o->timed;	/* nothing to do before an op but the op */
	uint32_t idx[ZPB_PLAY_BATCH];
	int i, done, m;

	for (done = 0; done < n; done += m) {
		const struct zpb_rec *r = recs + done;
		const struct zpb_entry *ent;

		m = n - done < ZPB_PLAY_BATCH ? n - done : ZPB_PLAY_BATCH;
		for (i = 0; i < m; i++) {
			idx[i] = zpb_kt_get(kt, 0, r[i].key);
			if (unlikely(!idx[i])) {
				snprintf(err, errlen, "record %llu: out of memory for the key table (%llu keys)",
					 (unsigned long long)(first + (uint64_t)(done + i)),
					 (unsigned long long)zpb_kt_count(kt));
				return -1;
			}
			/* Both ends: a 40-byte entry may straddle two cache lines. */
			ent = zpb_kt_entry(kt, idx[i]);
			__builtin_prefetch(ent, 1);
			__builtin_prefetch((const char *)(ent + 1) - 1, 1);
		}
		for (i = 0; i < m; i++) {
			uint64_t record = first + (uint64_t)(done + i);

			if (unlikely(!plain)) {
				if (e->compress && r[i].op == ZPB_OP_STORE &&
				    zpb_no_contents(e, r[i].flags, r[i].content, record, err, errlen))
					return -1;
				if (e->o->timed) {
					zpb_timed_wait(w, r[i].time_ns);
					zpb_clock_break(w);
				}
			}
			zpb_exec(w, r[i].op, r[i].flags, r[i].len, idx[i], r[i].content, record);
		}
	}
	return 0;
}

int zpb_play_inline(struct zpb_engine *e, struct zpb_worker *w, struct zpb_replay_source *src,
		    uint64_t *every, uint64_t *played, char *err, size_t errlen)
{
	static __thread struct zpb_rec batch[ZPB_PLAY_BATCH];
	const struct zpb_replay_options *o = e->o;
	char label[ZPB_LABEL_MAX + 1];
	uint64_t n = 0, next_sample = *every, before;
	int nb, i, j;

	for (;;) {
		/* A batch ends at the next sample point, so that samples fall where they always did. */
		nb = zpb_source_batch(src, batch, next_sample - n < ZPB_PLAY_BATCH ? (int)(next_sample - n) : ZPB_PLAY_BATCH,
				      label, err, errlen);
		if (nb <= 0)
			break;
		zpb_clock_break(w);	/* decoding is not the next op's time */
		if (unlikely(n == 0))
			e->trace_t0 = batch[0].time_ns;
		before = n;
		for (i = 0; i < nb; i = j + 1) {
			for (j = i; j < nb && keyed(batch[j].op); j++)
				;
			if (j > i && zpb_play(w, &e->kt, batch + i, j - i, n, err, errlen)) {
				nb = -1;
				goto out;
			}
			n += (uint64_t)(j - i);
			if (j == nb)
				break;
			if (batch[j].op == ZPB_OP_COMPACT) {
				zpb_engine_compact(e, w);
			} else if (batch[j].op == ZPB_OP_MARK) {
				zpb_engine_mark(e, w, label, n, every);
			} else {
				snprintf(err, errlen, "record %llu: invalid op %u", (unsigned long long)n, batch[j].op);
				nb = -1;
				goto out;
			}
			n++;
		}
		if (n >= next_sample) {
			zpb_clock_break(w);
			zpb_engine_sample(e, n, every);
			next_sample = n + *every;
		}
		if (zpb_engine_stopping(e)) {
			nb = 1;
			break;
		}
		if (o->progress && (before ^ n) >> 16)
			o->progress(o->progress_arg, n, src->records);
	}
out:
	*played = n;
	return nb;
}
