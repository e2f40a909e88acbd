// SPDX-License-Identifier: GPL-2.0-only
/*
 * A threaded run: per-thread streams, no dispatcher.
 *
 * The trace is cut into chunks of at most CHUNK records; a chunk is decoded
 * and partitioned (partition.c) into one record array per thread before
 * any thread plays it, as glibc's trace_run gives each thread its own
 * stream of calls. The N threads are the only threads: there is no
 * dispatcher, so N threads fit N CPUs. Decoding is itself shared out:
 * chunks ahead are decoded by whichever thread finds the decoder free, a
 * slice of SLICE records at a time every HELP_EVERY items, and by whoever
 * runs out of decoded records. NSLOTS chunks are held at a time, so memory
 * is flat in the trace's length, and a thread may run up to NSLOTS - 1
 * chunks ahead of the slowest before it waits: a thread that lost its CPU
 * for a while (another process) does not stop the others at once.
 *
 * A chunk ended by a MARK or COMPACT ends with a phase barrier: thread 0
 * waits for the others, runs it (every record before it has been played:
 * a mark sees exactly them), and lets them go on. No thread otherwise waits
 * for another except at a sync point (--partition cpu: a record following
 * one of its key's on another thread waits until that thread's `done` has
 * passed it), or for a chunk slot the slowest thread still plays. There is
 * no per-record hand-off and no system call while there is work; a waiter
 * spins, and yields its CPU only after SPINS pauses (more threads than
 * CPUs, or a CPU shared with other work). What threads write in the hot
 * loop is their own: `done` and `chunks_done` have a cache line of their
 * own, and the shared lines (the decoder's token and fill position, the
 * barrier) are touched once per slice or chunk.
 *
 * Thread 0 also takes the timeline's samples, at its own position in the
 * trace: between marks a sample is approximate, as the other threads are
 * at about the same place, not exactly (timeline.c); at marks it is exact.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define CHUNK 8192u		/* trace records in a chunk at most */
#define NSLOTS 8		/* chunks held at a time */
#define LEAD 2			/* chunks a thread decodes ahead of the one it plays, at most */
#define SLICE 256		/* records one turn of the decoder takes at most */
#define HELP_EVERY 64		/* items a thread plays between two looks at the decoder */
#define BATCH 64		/* records decoded before their keys are looked up, prefetched */
#define SPINS 1024		/* pauses a waiter spins before it yields the CPU */

struct zpb_streams {
	struct zpb_engine *e;
	struct zpb_replay_source *src;
	struct zpb_run_result *r;
	struct zpb_chunk chunk[NSLOTS];	/* chunk k in chunk[k % NSLOTS] */
	/* read by every thread every HELP_EVERY items; written once a chunk */
	uint64_t fill __attribute__((aligned(64)));	/* atomic: the chunk being filled */
	int eof_all;			/* atomic: the last chunk is decoded */
	int token __attribute__((aligned(64)));		/* the decoder: 1 while a thread decodes */
	/* the decoder's state: only the token's holder touches it */
	bool slot_ready;		/* chunk @fill's slot is free and reset */
	uint64_t n;			/* records decoded */
	uint64_t *assigned;		/* items given to each thread, ever: its tickets */
	int nb, bpos;			/* the decoded batch, and the next of its records to route */
	bool eof, failed, stopped;
	struct zpb_record batch[BATCH];
	uint32_t bidx[BATCH];
	char err[512];
	/* the phase barrier at MARK and COMPACT */
	unsigned int arrived __attribute__((aligned(64)));
	uint64_t gen __attribute__((aligned(64)));	/* barriers passed */
	int go __attribute__((aligned(64)));		/* 1: start, -1: a thread could not be started */
	/* thread 0's */
	uint64_t played;		/* records of the chunks thread 0 has played */
	uint64_t next_sample, *every;
	uint64_t chunks;
	/* a thread's key index ran out of memory: the first one's message */
	int lookup_failed __attribute__((aligned(64)));
	char lookup_err[256];
};

/* A wait that did not end at once: spins since the last yield, and its start (0: not started). */
struct spin_wait {
	unsigned int spins;
	uint64_t t0;
};

static void relax(struct zpb_worker *w, struct spin_wait *sw)
{
	if (!sw->t0)
		sw->t0 = zpb_clock_ns();
	zpb_cpu_relax();
	if (++sw->spins >= SPINS) {
		sw->spins = 0;
		sched_yield();
		w->stream_yields++;
	}
}

/* The wait is over: its time goes into the thread's wait total (the results' streams.wait_ns). */
static void wait_done(struct zpb_worker *w, const struct spin_wait *sw)
{
	if (sw->t0)
		w->stream_wait_ns += zpb_clock_ns() - sw->t0;
}

static inline bool keyed(uint8_t op)
{
	return op >= ZPB_OP_STORE && op <= ZPB_OP_WRITEBACK;
}

/* Token held: the chunk being filled is complete; the next one is filled once its slot is free. */
static void complete(struct zpb_streams *st, struct zpb_chunk *c, bool last)
{
	c->last = last;
	__atomic_store_n(&c->ready, st->fill + 1, __ATOMIC_RELEASE);
	st->slot_ready = false;
	if (last)
		__atomic_store_n(&st->eof_all, 1, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&st->fill, st->fill + 1, __ATOMIC_RELAXED);
}

/* Every thread has played the chunk that chunk @f's slot held, NSLOTS before it. */
static bool slot_free(const struct zpb_engine *e, uint64_t f)
{
	int t;

	for (t = 0; f >= NSLOTS && t < e->nworkers; t++)
		if (__atomic_load_n(&e->workers[t].chunks_done, __ATOMIC_ACQUIRE) < f - NSLOTS + 1)
			return false;
	return true;
}

/*
 * Token held: make chunk @fill's slot ready to fill, if every thread is
 * done with the chunk it held (NSLOTS before). False if one is not.
 */
static bool claim_slot(struct zpb_streams *st)
{
	struct zpb_engine *e = st->e;
	struct zpb_chunk *c = &st->chunk[st->fill % NSLOTS];
	int t;

	if (st->slot_ready)
		return true;
	if (!slot_free(e, st->fill))
		return false;
	for (t = 0; t < e->nworkers; t++)
		c->s[t].n = 0;
	c->records = 0;
	c->has_global = false;
	c->last = false;
	st->slot_ready = true;
	return true;
}

/* Token held: decode the next batch, and look its keys up with prefetches in flight. */
static void refill(struct zpb_streams *st)
{
	struct zpb_engine *e = st->e;
	int ret = 1, i;

	st->nb = st->bpos = 0;
	while (st->nb < BATCH && (ret = st->src->next(st->src->ctx, &st->batch[st->nb], st->err, sizeof(st->err))) > 0)
		st->nb++;
	if (ret <= 0) {
		st->eof = true;
		st->failed = ret < 0;
	}
	if (e->kt.nix > 1)
		return;	/* --partition key: each thread looks its own keys up */
	for (i = 0; i < st->nb; i++)
		if (keyed(st->batch[i].op))
			zpb_kt_prefetch(&e->kt, 0, st->batch[i].key);
	for (i = 0; i < st->nb; i++) {
		if (!keyed(st->batch[i].op))
			continue;
		st->bidx[i] = zpb_kt_get(&e->kt, 0, st->batch[i].key);
		if (unlikely(!st->bidx[i])) {
			snprintf(st->err, sizeof(st->err), "record %llu: out of memory for the key table (%llu keys)",
				 (unsigned long long)(st->n + (uint64_t)i), (unsigned long long)zpb_kt_count(&e->kt));
			st->nb = i;
			st->eof = st->failed = true;
			return;
		}
	}
}

/* Token held: decode up to @budget records into the chunks being filled, while their slots are free. */
static void decode(struct zpb_streams *st, int budget)
{
	struct zpb_engine *e = st->e;

	while (budget-- > 0 && !__atomic_load_n(&st->eof_all, __ATOMIC_RELAXED) && claim_slot(st)) {
		struct zpb_chunk *c = &st->chunk[st->fill % NSLOTS];
		const struct zpb_record *rec;
		bool full = false;

		if (st->bpos == st->nb) {
			if (!st->eof)
				refill(st);
			if (st->bpos == st->nb) {
				complete(st, c, true);
				break;
			}
		}
		rec = &st->batch[st->bpos];
		if (unlikely(st->n == 0))
			e->trace_t0 = rec->time_ns;
		if (keyed(rec->op)) {
			if (unlikely(e->compress) && rec->op == ZPB_OP_STORE &&
			    zpb_no_contents(e, rec->flags, rec->content, st->n, st->err, sizeof(st->err))) {
				st->nb = st->bpos;
				st->eof = st->failed = true;
				continue;
			}
			full = zpb_partition_add(e, c, st->assigned, zpb_thread_for(e, rec), rec,
						 e->kt.nix > 1 ? 0 : st->bidx[st->bpos], st->n);
		} else if (rec->op == ZPB_OP_MARK || rec->op == ZPB_OP_COMPACT) {
			c->global = *rec;
			c->has_global = true;
			full = true;
		} else {
			snprintf(st->err, sizeof(st->err), "record %llu: invalid op %u", (unsigned long long)st->n, rec->op);
			st->nb = st->bpos;
			st->eof = st->failed = true;
			continue;
		}
		st->bpos++;
		st->n++;
		c->records++;
		if (unlikely((st->n & 1023) == 0) &&
		    ((e->stop && __atomic_load_n(e->stop, __ATOMIC_RELAXED)) ||
		     __atomic_load_n(&e->stop_internal, __ATOMIC_RELAXED))) {
			st->stopped = st->eof = true;
			st->nb = st->bpos;
		}
		if (full || c->records >= CHUNK)
			complete(st, c, false);
	}
}

/*
 * Take a turn at the decoder if it has work and is free; true if this
 * thread took it. @w has played @k chunks: the slot of chunk fill is not
 * free while fill - NSLOTS is one of them not yet played, nor while
 * another thread still plays it: looked at before the token is taken, so
 * that waiting for a slow thread writes no line the slow thread reads.
 */
static bool help(struct zpb_worker *w, struct zpb_streams *st, uint64_t k, int budget)
{
	uint64_t fill = __atomic_load_n(&st->fill, __ATOMIC_RELAXED);

	if (__atomic_load_n(&st->eof_all, __ATOMIC_RELAXED) || fill > k + LEAD || (fill >= NSLOTS && k < fill - NSLOTS + 1) ||
	    __atomic_load_n(&st->token, __ATOMIC_RELAXED) || !slot_free(w->eng, fill) ||
	    __atomic_exchange_n(&st->token, 1, __ATOMIC_ACQUIRE))
		return false;
	decode(st, budget);
	__atomic_store_n(&st->token, 0, __ATOMIC_RELEASE);
	return true;
}

/* Until chunk @k is decoded, decode it, or wait for the thread decoding it (or for a slot). */
static void ensure_decoded(struct zpb_worker *w, struct zpb_streams *st, uint64_t k)
{
	struct spin_wait sw = { 0, 0 };

	while (__atomic_load_n(&st->chunk[k % NSLOTS].ready, __ATOMIC_ACQUIRE) != k + 1)
		if (!help(w, st, k, (int)CHUNK))
			relax(w, &sw);
	wait_done(w, &sw);
}

/* Thread 0: the timeline's sample at record @rec. */
static void sample(struct zpb_streams *st, uint64_t rec)
{
	struct zpb_sample s;

	zpb_sample(st->e, rec, &s);
	zpb_timeline_add(st->r, &s, st->every);
	st->next_sample = rec + *st->every;
}

/*
 * --partition key: a thread looks its keys up a block of AHEAD items ahead
 * of playing them, and prefetches the index slots a block before that: the
 * slots' and the entries' cache misses overlap (engine.c's batches do the same).
 */
#define AHEAD 32

/* --partition key: item @it's entry from this thread's own index; false (and the run stops) if out of memory. */
static bool resolve(struct zpb_worker *w, struct zpb_streams *st, struct zpb_item *it)
{
	struct zpb_engine *e = w->eng;

	it->entry = zpb_kt_get(&e->kt, w->index, it->key);
	if (likely(it->entry)) {
		__builtin_prefetch(zpb_kt_entry(&e->kt, it->entry), 1);
		return true;
	}
	if (!__atomic_exchange_n(&st->lookup_failed, 1, __ATOMIC_ACQ_REL))
		snprintf(st->lookup_err, sizeof(st->lookup_err),
			 "record %llu: out of memory for replay thread %d's key table (%llu keys)",
			 (unsigned long long)it->record + 1, w->index, (unsigned long long)e->kt.ix[w->index].nkeys);
	__atomic_store_n(&e->stop_internal, 1, __ATOMIC_RELAXED);
	return false;
}

/*
 * The worker loop: play one thread's stream of a chunk. The items are the
 * records in trace order; with --partition key their entries are looked up
 * here, AHEAD items ahead. It stops for a sync point, a --timed wait, a
 * turn at the decoder and (thread 0) a sample.
 */
static void play_stream(struct zpb_worker *w, struct zpb_streams *st, uint64_t k, struct zpb_item *items, uint32_t n)
{
	struct zpb_engine *e = w->eng;
	bool timed = e->o->timed, publish = e->kt.dchunks != NULL, sampler = w->index == 0;
	bool lookup = e->kt.nix > 1;
	uint32_t i;

	if (lookup) {
		for (i = 0; i < n && i < 2 * AHEAD; i++)
			zpb_kt_prefetch(&e->kt, w->index, items[i].key);
		for (i = 0; i < n && i < AHEAD; i++)
			resolve(w, st, &items[i]);
	}
	/* The item with index i was resolved before the block holding it started. */
	for (i = 0; i < n; i++) {
		struct zpb_item *it = &items[i];

		if (unlikely(i % HELP_EVERY == 0) && help(w, st, k, SLICE))
			zpb_clock_break(w);	/* decoding is not the next op's time */
		if (lookup) {
			if (i % AHEAD == 0) {
				uint32_t j;

				for (j = i + AHEAD; j < n && j < i + 2 * AHEAD; j++)
					resolve(w, st, &items[j]);
				for (j = i + 2 * AHEAD; j < n && j < i + 3 * AHEAD; j++)
					zpb_kt_prefetch(&e->kt, w->index, items[j].key);
				zpb_clock_break(w);	/* the lookups are not the next op's time */
			}
			if (unlikely(!it->entry))
				continue;	/* out of memory: the run is stopping */
		} else if (i + AHEAD < n) {
			__builtin_prefetch(zpb_kt_entry(&e->kt, items[i + AHEAD].entry), 1);
		}
		if (it->dep_ticket) {
			const uint64_t *done = &e->workers[it->dep_thread].done;

			if (__atomic_load_n(done, __ATOMIC_ACQUIRE) < it->dep_ticket) {
				struct spin_wait sw = { 0, 0 };

				w->sync_waits++;
				while (__atomic_load_n(done, __ATOMIC_ACQUIRE) < it->dep_ticket)
					if (!help(w, st, k, SLICE))
						relax(w, &sw);
				wait_done(w, &sw);
				zpb_clock_break(w);
			}
		}
		if (timed) {
			zpb_timed_wait(w, it->time_ns);
			zpb_clock_break(w);
		}
		zpb_exec(w, it->op, it->flags, it->len, it->entry, it->content, it->record);
		if (publish)
			__atomic_store_n(&w->done, __atomic_load_n(&w->done, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);
		if (sampler && unlikely(it->record + 1 >= st->next_sample)) {
			zpb_clock_break(w);
			sample(st, it->record + 1);
		}
	}
}

/* Thread 0, every other thread at the barrier: the op that ended chunk @c, at trace record @rec. */
static void run_global(struct zpb_streams *st, const struct zpb_record *g, uint64_t rec)
{
	struct zpb_engine *e = st->e;
	struct zpb_worker *mw = &e->workers[e->nworkers];

	if (g->op == ZPB_OP_COMPACT) {
		struct zpb_op_timer t;

		zpb_clock_break(mw);
		zpb_op_begin(mw, &t);
		zpool_compact(e->pool);
		zpb_op_end(mw, ZPB_LAT_COMPACT, &t);
		mw->ops.compact++;
	} else {
		struct zpb_sample s;

		zpool_quiesce();	/* the allocators' queued work first: a pool at rest */
		zpb_sample(e, rec, &s);
		if (zpb_mark_add(st->r, g->label, &s) == 0)
			zpb_timeline_add(st->r, &s, st->every);
		mw->ops.mark++;
	}
}

/* Thread 0, at the end of its stream of chunk @c, before it lets the slot go. */
static void chunk_played(struct zpb_streams *st, const struct zpb_chunk *c)
{
	struct zpb_engine *e = st->e;
	uint64_t before = st->played;

	st->played += c->records;
	st->chunks++;
	if (c->has_global)
		run_global(st, &c->global, st->played - 1);
	if (st->played >= st->next_sample)
		sample(st, st->played);
	if (e->o->progress && (st->played >> 16) != (before >> 16))
		e->o->progress(e->o->progress_arg, st->played, st->src->records);
}

/* After a chunk ended by MARK or COMPACT: thread 0 runs it once every thread has played the chunk. */
static void phase_barrier(struct zpb_streams *st, struct zpb_worker *w, const struct zpb_chunk *c, uint64_t b)
{
	struct spin_wait sw = { 0, 0 };

	if (w->index) {
		__atomic_fetch_add(&st->arrived, 1, __ATOMIC_ACQ_REL);
		while (__atomic_load_n(&st->gen, __ATOMIC_ACQUIRE) != b + 1)
			relax(w, &sw);
		wait_done(w, &sw);
		return;
	}
	while (__atomic_load_n(&st->arrived, __ATOMIC_ACQUIRE) != (unsigned int)w->eng->nworkers - 1)
		relax(w, &sw);
	wait_done(w, &sw);
	__atomic_store_n(&st->arrived, 0, __ATOMIC_RELAXED);
	chunk_played(st, c);
	__atomic_store_n(&st->gen, b + 1, __ATOMIC_RELEASE);
}

static void *stream_main(void *arg)
{
	struct zpb_worker *w = arg;
	struct zpb_streams *st = w->eng->st;
	char err[256];
	struct spin_wait sw = { 0, 0 };
	uint64_t k, barriers = 0;
	int cpu, go;

	if (zpb_place_thread(w->eng->o, w->index, &cpu, err, sizeof(err)) == 0)
		w->cpu = cpu;
	while (!(go = __atomic_load_n(&st->go, __ATOMIC_ACQUIRE)))
		relax(w, &sw);
	if (go < 0)
		return NULL;
	zpb_place_where(&w->cpu, &w->node);
	zpb_reclaim_set_worker(w);
	zpb_counting_start(w);
	for (k = 0;; k++) {
		struct zpb_chunk *c = &st->chunk[k % NSLOTS];
		bool last;

		ensure_decoded(w, st, k);
		last = c->last;
		play_stream(w, st, k, c->s[w->index].items, c->s[w->index].n);
		if (c->has_global)
			phase_barrier(st, w, c, barriers++);
		else if (w->index == 0)
			chunk_played(st, c);
		/* Done with the slot: the decoder may fill it again. */
		__atomic_store_n(&w->chunks_done, k + 1, __ATOMIC_RELEASE);
		zpb_clock_break(w);	/* the wait is no op's */
		if (last)
			break;
	}
	zpb_counting_stop(w);
	zpb_place_where(&w->cpu, &w->node);
	return NULL;
}

static void streams_free(struct zpb_streams *st, int nworkers)
{
	int i, t;

	for (i = 0; i < NSLOTS; i++) {
		for (t = 0; st->chunk[i].s && t < nworkers; t++)
			free(st->chunk[i].s[t].items);
		free(st->chunk[i].s);
	}
	free(st->assigned);
	free(st);
}

static struct zpb_streams *streams_new(struct zpb_engine *e)
{
	struct zpb_streams *st;
	int nw = e->nworkers, i, t;
	uint32_t cap = nw <= 2 ? CHUNK : 2 * CHUNK / (uint32_t)nw;

	if (posix_memalign((void **)&st, 64, sizeof(*st)))
		return NULL;
	memset(st, 0, sizeof(*st));
	if (cap < 256)
		cap = 256;	/* at 256 threads: 8 chunks x 256 x 256 items, 29 MB */
	st->assigned = calloc((size_t)nw, sizeof(*st->assigned));
	for (i = 0; i < NSLOTS; i++) {
		if (posix_memalign((void **)&st->chunk[i].s, 64, (size_t)nw * sizeof(struct zpb_stream))) {
			st->chunk[i].s = NULL;
			streams_free(st, 0);
			return NULL;
		}
		memset(st->chunk[i].s, 0, (size_t)nw * sizeof(struct zpb_stream));
		st->chunk[i].cap = cap;
		for (t = 0; t < nw; t++)
			if (!(st->chunk[i].s[t].items = malloc(cap * sizeof(struct zpb_item)))) {
				streams_free(st, nw);
				return NULL;
			}
	}
	if (!st->assigned) {
		streams_free(st, nw);
		return NULL;
	}
	return st;
}

int zpb_streams_run(struct zpb_engine *e, struct zpb_replay_source *src, struct zpb_run_result *r,
		    uint64_t *n, uint64_t *every, char *err, size_t errlen)
{
	struct zpb_streams *st = streams_new(e);
	int i, started;

	*n = 0;
	if (!st) {
		snprintf(err, errlen, "out of memory for the replay threads' streams");
		return -1;
	}
	st->e = e;
	st->src = src;
	st->r = r;
	st->every = every;
	st->next_sample = *every;
	e->st = st;
	for (started = 0; started < e->nworkers; started++)
		if (pthread_create(&e->workers[started].tid, NULL, stream_main, &e->workers[started]) != 0)
			break;
	__atomic_store_n(&st->go, started == e->nworkers ? 1 : -1, __ATOMIC_RELEASE);
	for (i = 0; i < started; i++)
		pthread_join(e->workers[i].tid, NULL);
	if (started < e->nworkers) {
		snprintf(err, errlen, "cannot start replay thread %d", started);
		e->st = NULL;
		streams_free(st, e->nworkers);
		return -1;
	}
	*n = st->n;
	r->stream_chunks = st->chunks;
	for (i = 0; i < e->nworkers; i++) {
		r->stream_sync_waits += e->workers[i].sync_waits;
		r->stream_yields += e->workers[i].stream_yields;
		r->stream_wait_ns += e->workers[i].stream_wait_ns;
	}
	if (st->stopped)
		r->complete = false;
	if (st->lookup_failed) {
		st->failed = true;
		snprintf(st->err, sizeof(st->err), "%s", st->lookup_err);
	}
	if (st->failed)
		snprintf(err, errlen, "%s", st->err);
	i = st->failed ? -1 : 0;
	e->st = NULL;
	streams_free(st, e->nworkers);
	return i;
}
