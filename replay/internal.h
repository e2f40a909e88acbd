/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The replay engine's internal structures, shared by its files:
 *   keytable.c  key -> entry (per-key state), sized by the distinct keys
 *   content.c   the deterministic bytes of each (key, version)
 *   partition.c record -> thread, and the sync points of --partition cpu
 *   streams.c   a threaded run: per-thread streams, the decoder's turns, the phase barrier
 *   executor.c  one record against the pool
 *   play.c      the hot loop: batches of decoded records on one thread
 *   reclaim.c   pool limit with zswap's hysteresis, pool-lru, zswap-lru
 *   lru.c       zswap's tree locks and per-node LRU lists
 *   timeline.c  density samples, marks, objects per page
 *   placement.c pinning threads to CPUs and NUMA memory policy
 *   engine.c    a run: which loop plays it (play.c's, or streams.c's threads), results
 *
 * Ownership: the thread holding the decoder (streams.c; the one thread of
 * an inline run) owns the shared key index, the dispatch words (the last
 * thread and ticket of each key) and the tickets; with --partition key each
 * replay thread owns its own key index instead. An entry's state fields
 * belong to the thread running the record for that key: with --partition
 * key always the same thread; with --partition cpu, records on one key are
 * ordered through sync points (partition.c), which also order the memory.
 * Reclaim reaches entries of other threads only under the entry's tree
 * lock, as zswap's writeback does (lru.c).
 */
#ifndef ZPB_REPLAY_INTERNAL_H
#define ZPB_REPLAY_INTERNAL_H

#include <pthread.h>

#include "../allocators/kernel/spinlock.h"
#include "clock.h"
#include "replay.h"

enum entry_state {
	ES_EMPTY,		/* never stored, invalidated, or loaded exclusively */
	ES_POOL,		/* in the pool: @handle is live */
	ES_SAME,		/* same-filled: counted, nothing allocated */
	ES_SWAP_WB,		/* written back to the swap device */
	ES_SWAP_REJ,		/* the store was rejected: the page went to swap */
	ES_BUSY,		/* an owner's op is in progress (locked mode) */
	ES_EVICTING,		/* reclaim is writing it back (locked mode) */
	ES_ZERO,		/* 6.11+: a zero page, in the swap map's zeromap: zswap never saw it */
};

struct zpb_entry {
	uint64_t key;
	unsigned long handle;
	uint32_t cver;		/* content version: store count ^ content seed */
	uint32_t version;
	uint16_t len;		/* compressed length, without the header */
	uint8_t state;
	uint8_t lru;		/* zswap-lru: ZPB_LRU_* flags, and the node of its list */
	uint32_t lru_prev, lru_next;	/* zswap-lru, entry indexes; 0 is the list's end */
	uint32_t page;		/* --compress: the contents' page index of the last store */
};

#define ZPB_LRU_REFERENCED 1	/* second chance: stored or loaded since reclaim last looked */
#define ZPB_LRU_ON 2		/* on its node's list */
#define ZPB_LRU_NODE_SHIFT 2	/* the list's node above the flags: 64 nodes at most */
#define ZPB_LRU_MAX_NODES 64

#define KT_CHUNK_BITS 16
#define KT_CHUNK (1u << KT_CHUNK_BITS)
#define KT_MAX_CHUNKS (1u << 16)	/* 2^32 entries at most */

/*
 * A leaf: the entries of KT_LEAF consecutive keys, side by side. Swap slots
 * are handed out in clusters (the kernel's per-CPU clusters of 512), so a
 * trace's keys fill leaves densely; the index then maps a leaf, not a key,
 * and stays small enough for the L2 cache (3 KiB a 2^12-key leaf set's
 * worth, 192 KiB for 2^18 keys), so that a lookup costs one cache miss: the
 * entry's own. The price: a key alone in its leaf costs KT_LEAF entries.
 */
#define KT_LEAF_BITS 6
#define KT_LEAF (1u << KT_LEAF_BITS)

/* A key's last dispatch (--partition cpu): ticket << 16 | (thread + 1); 0 none. */
#define KT_DISPATCH(thread, ticket) ((uint64_t)(ticket) << 16 | ((uint64_t)(thread) + 1))
#define KT_DISPATCH_THREAD(d) ((uint32_t)((d) & 0xffff) - 1)
#define KT_DISPATCH_TICKET(d) ((d) >> 16)

/* An index slot: one leaf. */
struct kt_slot {
	uint64_t leafkey;	/* key >> KT_LEAF_BITS */
	uint64_t seen;		/* bit i: key leafkey << KT_LEAF_BITS | i was looked up */
	uint32_t leaf;		/* its entries are leaf << KT_LEAF_BITS ...; 0: the slot is free */
};

/*
 * One index of leaf keys to leaves, and where it takes its next leaf: the
 * only one, or (threads, --partition key) one per thread, which alone
 * looks its keys up. Index i of n takes its leaves from the entry chunks
 * i, i + n, ..., so every index's entries are in the one shared chunk
 * table (a chunk holds KT_CHUNK / KT_LEAF whole leaves).
 */
struct zpb_ktindex {
	struct kt_slot *slots;
	uint64_t mask;			/* slots - 1 */
	uint32_t next;			/* the entry index of its next leaf; KT_FULL: no more */
	uint32_t leaves;		/* leaves in it */
	uint64_t nkeys;			/* distinct keys looked up in it */
} __attribute__((aligned(64)));

#define KT_FULL UINT32_MAX

struct zpb_keytable {
	struct zpb_entry **chunks;	/* KT_MAX_CHUNKS pointers, filled as needed */
	uint64_t **dchunks;		/* dispatch words, same chunking; NULL unless tracked */
	/*
	 * @nix indexes. Leaf 0 is no key's: its entry 0 is the LRU head (and
	 * 0 is "none" for an entry index).
	 */
	struct zpb_ktindex *ix;
	int nix;
};

/* @dispatch: keep a dispatch word per key (--partition cpu with threads); @nix indexes. */
int zpb_kt_init(struct zpb_keytable *kt, bool dispatch, int nix);
void zpb_kt_destroy(struct zpb_keytable *kt);
/* Keys looked up, in all indexes. */
uint64_t zpb_kt_count(const struct zpb_keytable *kt);
/* The entry index after @i (0: the first) that an index may have handed out; 0 past the last. */
uint32_t zpb_kt_next(const struct zpb_keytable *kt, uint32_t i);
static inline uint64_t zpb_kt_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	return k;
}
/* A new leaf for @leafkey in index @ix, at its free slot @i (keytable.c); NULL if out of memory. */
struct kt_slot *zpb_kt_add_leaf(struct zpb_keytable *kt, int ix, uint64_t leafkey, uint64_t i);
/* The entry index for @key in index @ix, its entry created (EMPTY) if new; 0 if out of memory. */
static inline uint32_t zpb_kt_get(struct zpb_keytable *kt, int ix, uint64_t key)
{
	struct zpb_ktindex *x = &kt->ix[ix];
	uint64_t lk = key >> KT_LEAF_BITS, bit = UINT64_C(1) << (key & (KT_LEAF - 1)), i;
	struct kt_slot *s;

	for (i = zpb_kt_hash(lk) & x->mask; (s = &x->slots[i])->leaf; i = (i + 1) & x->mask)
		if (s->leafkey == lk)
			goto found;
	s = zpb_kt_add_leaf(kt, ix, lk, i);
	if (!s)
		return 0;
found:
	if (unlikely(!(s->seen & bit))) {
		s->seen |= bit;
		x->nkeys++;
	}
	return s->leaf << KT_LEAF_BITS | (uint32_t)(key & (KT_LEAF - 1));
}
static inline uint64_t *zpb_kt_dispatch(const struct zpb_keytable *kt, uint32_t idx)
{
	return &kt->dchunks[idx >> KT_CHUNK_BITS][idx & (KT_CHUNK - 1)];
}
static inline void zpb_kt_prefetch(const struct zpb_keytable *kt, int ix, uint64_t key)
{
	const struct zpb_ktindex *x = &kt->ix[ix];

	__builtin_prefetch(&x->slots[zpb_kt_hash(key >> KT_LEAF_BITS) & x->mask]);
}
static inline struct zpb_entry *zpb_kt_entry(const struct zpb_keytable *kt, uint32_t idx)
{
	return &kt->chunks[idx >> KT_CHUNK_BITS][idx & (KT_CHUNK - 1)];
}

static inline void zpb_cpu_relax(void)
{
#if defined(__x86_64__)
	__builtin_ia32_pause();
#endif
}

/*
 * The seed model's 8-byte header. The allocator may offer a handle to
 * shrink as soon as malloc returns it, before its owner has written the
 * header (v5.4 zswap has the same window), so evict may read it while it is
 * written: both sides use atomic accesses, and evict checks what it read
 * against the entry under the tree lock.
 */
static inline void zpb_header_store(void *p, uint64_t v)
{
	if (((uintptr_t)p & 7) == 0)
		__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED);
	else
		memcpy(p, &v, 8);
}

static inline uint64_t zpb_header_load(const void *p)
{
	uint64_t v;

	if (((uintptr_t)p & 7) == 0)
		return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
	memcpy(&v, p, 8);
	return v;
}

/* content.c */
void zpb_content_init(void);
void zpb_content_fill(void *dst, size_t len, uint64_t key, uint32_t cver);
/* -1 if @src holds the expected bytes, else the offset of the first wrong byte. */
long zpb_content_check(const void *src, size_t len, uint64_t key, uint32_t cver, unsigned char *expected);

/*
 * One record of a thread's stream (threaded runs, streams.c). MARK and
 * COMPACT never go in one: they end a chunk and run between chunks.
 */
struct zpb_item {
	uint64_t time_ns;
	uint64_t record;
	uint64_t key;		/* --partition key: the thread looks its entry up itself */
	uint64_t content;
	uint64_t dep_ticket;	/* wait until thread @dep_thread has played this many items */
	uint32_t entry;
	uint32_t len;
	uint32_t dep_thread;
	uint8_t op, flags;
};

/* A chunk's record array for one thread: filled by the decoder, played by the thread. */
struct zpb_stream {
	struct zpb_item *items;
	uint32_t n;
} __attribute__((aligned(64)));

/*
 * A chunk of the trace, partitioned: one stream per thread, and the MARK
 * or COMPACT that ended it, run once every thread has played its stream.
 */
struct zpb_chunk {
	struct zpb_stream *s;		/* nworkers streams of @cap items */
	uint32_t cap;
	uint32_t records;		/* trace records in it, the trailing global op included */
	bool has_global;		/* @global ended it */
	bool last;			/* no chunk after it: end of trace, error or stop */
	struct zpb_record global;
	uint64_t ready;			/* atomic (acquire/release): k + 1 once chunk k is decoded into it */
};

struct zpb_worker;
struct zpb_engine;

/* Per-thread density counters: written by one thread, read by the sampler. */
struct zpb_counters {
	int64_t stored_bytes, stored_pages, same_filled;
	uint64_t writebacks, misses, rejects;
};

#define CNT_ADD(c, field, d) __atomic_store_n(&(c)->field, __atomic_load_n(&(c)->field, __ATOMIC_RELAXED) + (d), __ATOMIC_RELAXED)
#define CNT_GET(c, field) __atomic_load_n(&(c)->field, __ATOMIC_RELAXED)

/* Ops between two preemption points of a replay thread (executor.c, docs/replay.md). */
#define ZPB_PREEMPT_EVERY 16

struct zpb_worker {
	struct zpb_engine *eng;
	int index;
	int cpu, node;			/* pinned CPU (-1 none); where it ran */
	pthread_t tid;
	/* --partition cpu: items this thread has played, for the records of other threads that wait on them */
	uint64_t done __attribute__((aligned(64)));
	uint64_t chunks_done;		/* the chunks it has played: the decoder may reuse their slots */
	uint64_t pad_done[6];		/* the line is these two's alone: others read them */
	struct zpb_counters cnt __attribute__((aligned(64)));
	struct zpb_op_counts ops;
	struct zpb_reclaim_counts rc;
	struct zpb_hist lat[ZPB_LAT_MAX];
	struct zpb_emulation_counts emu[ZPB_LAT_MAX];
	struct zpb_syscall_counts syscalls;
	uint64_t works_between_ops;	/* queued works this thread ran between ops (zpool_preempt_point) */
	unsigned int since_preempt;	/* ops since the last preemption point */
	uint64_t sync_waits;		/* threaded: its records that waited at a sync point */
	uint64_t stream_yields;		/* threaded: its waits (sync point, decoder, barrier) that gave up the CPU */
	uint64_t stream_wait_ns;	/* threaded: the time of its waits that did not end at once */
	uint64_t clock_reads;
	uint64_t t_next;		/* the last op's end, the next one's start; 0: read the clock */
	struct zpb_hist lateness;
	struct zpb_hist *phase;		/* --compress: ZPB_PH_MAX histograms */
	struct zpb_codec_ctx *cctx;	/* --compress: the context of the CPU it runs on */
	uint64_t verify_failures;
	bool counting;			/* --counters: @ct is open on this thread */
	struct zpb_counter_thread ct;
	unsigned char scratch[PAGE_SIZE_MAX + 64];	/* load copy-out buffer, for any page size */
};

/* A zswap tree's lock (lru.c): 64 of them, a key's by its swap type and offset >> 14. */
#define ZPB_TREES 64
struct zpb_tree {
	spinlock_t lock;
} __attribute__((aligned(64)));

/* One node's zswap LRU list (list_lru's per-node list): entry indexes, 0 the end. */
struct zpb_lru {
	spinlock_t lock;
	uint32_t first, last;		/* the most and the least recent */
} __attribute__((aligned(64)));

struct zpb_engine {
	const struct zpb_replay_options *o;
	struct zpool *pool;
	struct zpool_ops zops;
	struct zpb_keytable kt;
	const char *alloc;		/* spec text, for messages */
	unsigned int caps;
	bool verify;			/* the allocator keeps data */
	bool header;			/* prepend the 8-byte zswap_header */
	bool exclusive;
	bool locked;			/* reclaim may run beside an owner: take the tree lock */
	bool lru;			/* keep the zswap-lru list (zswap-lru with a limit) */
	enum zpb_reclaim reclaim;
	enum zpb_reclaim_mode rmode;
	/* what the zswap model does before the allocator (engine_new, from --zswap-model) */
	bool same_value;		/* same-filled pages kept as a value (5.4..6.11) */
	bool zero_bypass;		/* zero pages go to the swap map (6.11+) */
	bool store_as_is;		/* incompressible pages stored at PAGE_SIZE (6.18, writeback on) */
	/* --compress */
	bool compress;
	const struct zpb_page_set *pages;
	struct zpb_codec_ctx *ctx;	/* one per CPU of --cpus in use */
	int nctx;
	struct zpb_hist *phase_mem;	/* the workers' phase histograms */
	int nworkers;
	struct zpb_worker *workers;	/* threaded: nworkers; else one (the caller) */
	bool threaded;
	struct zpb_streams *st;		/* threaded: the per-thread streams (streams.c) */
	/* the trees' locks and the zswap-lru lists (lru.c) */
	struct zpb_tree *trees;		/* ZPB_TREES */
	struct zpb_lru *lrus;		/* one per NUMA node */
	int nlrus;
	unsigned int lru_cursor;	/* atomic: the node reclaim walks next */
	/* pool limit */
	unsigned long limit_pages, accept_pages;
	int reached_full;		/* atomic flag, as zswap_pool_reached_full */
	/* async reclaim */
	pthread_t reclaim_tid;
	pthread_mutex_t rmutex;
	pthread_cond_t rcond;
	bool rkick, rstop, rthread;
	struct zpb_worker *rworker;	/* the reclaim thread's own counters */
	/* run state */
	uint64_t start_ns, trace_t0;
	bool have_t0;
	int stop_internal;		/* atomic: --fatal-verify hit, or a --timed wait cut short */
	volatile sig_atomic_t *stop;	/* the caller's Ctrl-C flag, or NULL: also ends a --timed wait */
	uint64_t peak_pool_pages;
	/* verify messages, under vlock */
	pthread_mutex_t vlock;
	struct zpb_run_result *res;
};

/* executor.c: run one record on worker @w. */
void zpb_exec(struct zpb_worker *w, uint8_t op, uint8_t flags, uint32_t len, uint32_t eidx,
	      uint64_t content, uint64_t record);
void zpb_verify_failed(struct zpb_worker *w, const char *op, uint64_t key, uint64_t record,
		       long offset, unsigned char got, unsigned char want);

/* reclaim.c */
/* Pages a pool may hold above its limit in frees the allocator has deferred (see zpb_reclaim_admit). */
#define ZPB_DEFERRED_SLACK_PAGES 32
int zpb_reclaim_setup(struct zpb_engine *e, char *err, size_t errlen);
void zpb_reclaim_teardown(struct zpb_engine *e);
/* Before a store allocates, with a pool limit: true if it may go ahead, false if rejected by it. */
bool zpb_reclaim_admit(struct zpb_worker *w);

/* lru.c: the trees' locks and the per-node LRU lists (each list's lock taken inside, when e->locked). */
int zpb_locks_init(struct zpb_engine *e);
void zpb_locks_destroy(struct zpb_engine *e);
spinlock_t *zpb_tree_lock(struct zpb_engine *e, uint64_t key);
void zpb_lru_add(struct zpb_engine *e, uint32_t idx, struct zpb_entry *ent);
void zpb_lru_del(struct zpb_engine *e, struct zpb_entry *ent);
uint32_t zpb_lru_isolate(struct zpb_engine *e, uint64_t *second_chances);
/* Write back an entry already taken out of the pool's reach (EVICTING): verify, free. */
void zpb_writeback_entry(struct zpb_worker *w, uint32_t idx, struct zpb_entry *ent, uint64_t record);

void zpb_reclaim_set_worker(struct zpb_worker *w);

/* Pool pages as zswap counts them: DIV_ROUND_UP(zpool_get_total_size(), PAGE_SIZE). */
static inline uint64_t zpb_pool_pages(struct zpb_engine *e)
{
	return DIV_ROUND_UP(zpool_get_total_size(e->pool), PAGE_SIZE);
}

/* partition.c: which thread plays a record, and what it waits for. */
int zpb_thread_for(const struct zpb_engine *e, const struct zpb_record *rec);
/*
 * Append @rec (entry @eidx, or 0 for thread @t to look up, trace record @record) to thread @t's stream of
 * @c; @assigned[t] counts the items ever given to thread t (its tickets).
 * Returns true if that stream is now full.
 */
bool zpb_partition_add(struct zpb_engine *e, struct zpb_chunk *c, uint64_t *assigned, int t,
		       const struct zpb_record *rec, uint32_t eidx, uint64_t record);

/* streams.c: a threaded run, from the first record to the last; *@n records replayed. */
int zpb_streams_run(struct zpb_engine *e, struct zpb_replay_source *src, struct zpb_run_result *r,
		    uint64_t *n, uint64_t *every, char *err, size_t errlen);

/* timeline.c */
void zpb_sample(struct zpb_engine *e, uint64_t record, struct zpb_sample *s);
int zpb_timeline_add(struct zpb_run_result *r, const struct zpb_sample *s, uint64_t *every);
int zpb_mark_add(struct zpb_run_result *r, const char *label, const struct zpb_sample *s);
void zpb_objects_per_page(struct zpb_engine *e);

/* lockstat.c: --lockstat's figures into @r (lockstat stops), and their JSON. */
void zpb_lockstat_collect(struct zpb_run_result *r);
struct zpb_jw;
void zpb_lockstat_write_json(struct zpb_jw *w, const struct zpb_run_result *r);

/* placement.c */
int zpb_place_thread(const struct zpb_replay_options *o, int index, int *cpu, char *err, size_t errlen);
/* Learn the CPU -> node map; call on the main thread before threads start. */
void zpb_place_init(void);
void zpb_place_where(int *cpu, int *node);
/* The node of the CPU the calling thread was pinned to (0 if none); the nodes there are (at most 64). */
int zpb_place_node(void);
int zpb_place_nnodes(void);

/* --counters: open and start @w's counters on the calling thread; stop them. */
void zpb_counting_start(struct zpb_worker *w);
void zpb_counting_stop(struct zpb_worker *w);

/*
 * Op timing: zpb_op_begin() returns the op's start, zpb_op_end() records
 * its latency and emulation time. Back-to-back ops share one clock read:
 * the end of one is the start of the next, until zpb_clock_break() (the
 * harness did other work between them: decoding a batch, a sample, a mark).
 */
struct zpb_op_timer {
	uint64_t t0, emu_ns;
	struct zpb_emulation emu;
};

static inline void zpb_clock_break(struct zpb_worker *w)
{
	w->t_next = 0;
}

static inline void zpb_op_begin(struct zpb_worker *w, struct zpb_op_timer *t)
{
	t->emu = *zpool_emulation();
	if (w->t_next) {
		t->t0 = w->t_next;
	} else {
		t->t0 = zpb_clock_ns();
		w->clock_reads++;
	}
}

void zpb_op_emulation(struct zpb_worker *w, int lat, const struct zpb_op_timer *t, uint64_t d);

static inline void zpb_op_end(struct zpb_worker *w, int lat, const struct zpb_op_timer *t)
{
	uint64_t t1 = zpb_clock_ns(), d = zpool_emulation()->ns - t->emu.ns;

	w->clock_reads++;
	w->t_next = t1;
	zpb_hist_record(&w->lat[lat], t1 - t->t0);
	if (unlikely(d))
		zpb_op_emulation(w, lat, t, d);
}

/* engine.c, for the loops: a density sample into the timeline; COMPACT and MARK, after the queues drain. */
void zpb_engine_sample(struct zpb_engine *e, uint64_t rec, uint64_t *every);
void zpb_engine_compact(struct zpb_engine *e, struct zpb_worker *w);
void zpb_engine_mark(struct zpb_engine *e, struct zpb_worker *w, const char *label, uint64_t rec,
		     uint64_t *every);
/* Ctrl-C, --fatal-verify or a cut --timed wait asked the run to end. */
bool zpb_engine_stopping(struct zpb_engine *e);

/*
 * play.c: play @n keyed records (STORE, LOAD, INVALIDATE, WRITEBACK; record
 * numbers from @first) on thread @w, whose key table @kt is (one owner).
 * 0, or -1 with @err naming the record.
 */
int zpb_play(struct zpb_worker *w, struct zpb_keytable *kt, const struct zpb_rec *recs, int n,
	     uint64_t first, char *err, size_t errlen);
/* --compress: a STORE whose contents are not in the page set is an error (-1, @err naming record @record). */
int zpb_no_contents(const struct zpb_engine *e, uint8_t flags, uint64_t content, uint64_t record,
		    char *err, size_t errlen);
/*
 * The one-thread replay of @src on @w (the caller's thread, pinned):
 * returns 0 at the end, 1 if asked to stop, -1 on an error (@err); the
 * records played in *@played.
 */
int zpb_play_inline(struct zpb_engine *e, struct zpb_worker *w, struct zpb_replay_source *src,
		    uint64_t *every, uint64_t *played, char *err, size_t errlen);

/* timed replay: wait for the record's time; record the lateness */
void zpb_timed_wait(struct zpb_worker *w, uint64_t time_ns);

#endif
