/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The replay engine: replays a zswap trace against one allocator on a fresh
 * pool, on N pinned threads, writing and verifying every object's bytes,
 * with zswap's pool limit and reclaim, and measures latency, density and
 * reclaim as it goes. cli/cmd_replay.c drives it once per allocator and
 * repetition and writes the results (results.h).
 *
 * Errors: functions return -1 (or NULL) and write one line naming the
 * option, file or record into the caller's buffer; nothing here prints.
 */
#ifndef ZPB_REPLAY_H
#define ZPB_REPLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../allocators/zpool.h"
#include "../measure/callgrind.h"
#include "../measure/counters.h"
#include "../traces/pages.h"
#include "../traces/trace.h"
#include "compress.h"
#include "histogram.h"

#define ZPB_REPLAY_MAX_ALLOCS 32
#define ZPB_REPLAY_MAX_THREADS 256
#define ZPB_REPLAY_MAX_NODES 64

enum zpb_partition { ZPB_PARTITION_KEY, ZPB_PARTITION_CPU };
enum zpb_reclaim { ZPB_RECLAIM_DEFAULT, ZPB_RECLAIM_NONE, ZPB_RECLAIM_POOL_LRU, ZPB_RECLAIM_ZSWAP_LRU };
enum zpb_reclaim_mode { ZPB_RECLAIM_MODE_DEFAULT, ZPB_RECLAIM_SYNC, ZPB_RECLAIM_ASYNC };
/*
 * --zswap-model: what zswap of a kernel release does with a page before the
 * allocator sees it (docs/replay.md, "zswap model"). "modern" and "seed",
 * the first names, stay as aliases of 6.18 and 5.4.
 */
enum zpb_zswap_model { ZPB_MODEL_6_18, ZPB_MODEL_5_4, ZPB_MODEL_6_8, ZPB_MODEL_6_11, ZPB_MODEL_MAX };
#define ZPB_MODEL_MODERN ZPB_MODEL_6_18
#define ZPB_MODEL_SEED ZPB_MODEL_5_4
const char *zpb_zswap_model_name(enum zpb_zswap_model m);	/* "6.18", ... */

/*
 * The phases of a store and a load under --compress, each timed into its
 * own histogram (one clock read per boundary): a store is compress,
 * allocate, map, copy in (the copy and the unmap); a load is map, decompress
 * (from the mapping into the page, and the unmap, as zswap_decompress()),
 * verify (the whole page against its contents).
 */
enum zpb_phase {
	ZPB_PH_STORE_COMPRESS, ZPB_PH_STORE_ALLOCATE, ZPB_PH_STORE_MAP, ZPB_PH_STORE_COPY_IN,
	ZPB_PH_LOAD_MAP, ZPB_PH_LOAD_DECOMPRESS, ZPB_PH_LOAD_VERIFY, ZPB_PH_MAX
};
extern const char *const zpb_phase_names[ZPB_PH_MAX];	/* "compress", ... */
extern const char *const zpb_phase_ops[ZPB_PH_MAX];	/* "store" or "load" */
enum zpb_mem_policy { ZPB_MEM_LOCAL, ZPB_MEM_BIND, ZPB_MEM_INTERLEAVE, ZPB_MEM_PREFERRED };

/* Latency histograms kept per op type. */
enum zpb_lat { ZPB_LAT_STORE, ZPB_LAT_LOAD, ZPB_LAT_INVALIDATE, ZPB_LAT_RECLAIM, ZPB_LAT_COMPACT, ZPB_LAT_MAX };
extern const char *const zpb_lat_names[ZPB_LAT_MAX];

/**
 * struct zpb_replay_options - everything `zpoolbench replay` can set
 *
 * Fill with zpb_replay_options_init() and zpb_replay_set_option(), then
 * call zpb_replay_options_finish(), which checks combinations and resolves
 * defaults (CPUs, reclaim policy by model, the pool limit in pages).
 */
struct zpb_replay_options {
	struct zpb_spec specs[ZPB_REPLAY_MAX_ALLOCS];
	int nspecs;
	char alloc_text[1024];
	int threads;			/* 0 until finish: then >= 1 */
	int cpus[ZPB_REPLAY_MAX_THREADS];	/* thread i runs on cpus[i % ncpus] */
	int ncpus;
	bool cpus_given;
	int nodes[ZPB_REPLAY_MAX_NODES];
	int nnodes;
	enum zpb_mem_policy mem_policy;
	enum zpb_partition partition;
	bool timed;
	double speed;
	/* Pool limit: pages, or a percentage of RAM; 0 pages means none. */
	bool limit_percent;
	double limit_value;
	unsigned long pool_limit_pages;	/* resolved by finish */
	unsigned int accept_threshold;	/* percent of the limit */
	enum zpb_reclaim reclaim;	/* DEFAULT until finish, and per allocator (see zpb_replay_reclaim_for) */
	enum zpb_reclaim_mode reclaim_mode;
	enum zpb_zswap_model model;
	bool deterministic;
	uint64_t sample_ops;
	int repeat;
	uint64_t warmup;		/* --warmup N: records replayed untimed on a throwaway pool before each run */
	int exclusive_loads;		/* -1: by model (modern yes, seed no) */
	bool fatal_verify;
	bool reclaim_given;
	/* --compress CODEC: compress each page of @pages (set by the caller) at replay */
	struct zpb_codec codec;
	const struct zpb_page_set *pages;
	/* --counters LIST: resolved by finish into @counters (free with zpb_replay_options_release) */
	char counters_text[512];
	struct zpb_counter_set *counters;
	/* --instructions callgrind: each allocator once more in a callgrind child (the CLI runs it) */
	bool instructions;
	/* --lockstat: lock statistics of every lock class (allocators/kernel/lockstat.h) */
	bool lockstat;
	/* set in that child (--zpb-internal-callgrind-child SPEC): every op goes through zpb_callgrind_op() */
	bool callgrind_child;
	char callgrind_spec[ZPB_SPEC_LEN];
	/* Called every 2^16 records from the replaying thread (may be NULL). */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
};

void zpb_replay_options_init(struct zpb_replay_options *o);
/**
 * zpb_replay_set_option - set one option by its long name ("threads")
 * @value: its argument, or NULL for flags
 * Return: 0, or -1 with @err ("--threads: 'x' is not a number from 1 to 256").
 */
int zpb_replay_set_option(struct zpb_replay_options *o, const char *name, const char *value,
			  char *err, size_t errlen);
/* Check and resolve. 0, or -1 with @err naming the option. */
int zpb_replay_options_finish(struct zpb_replay_options *o, char *err, size_t errlen);
/* Free what finish allocated (the counter set). */
void zpb_replay_options_release(struct zpb_replay_options *o);
/* The reclaim policy a run against @driver uses, the default resolved by model. */
enum zpb_reclaim zpb_replay_reclaim_for(const struct zpb_replay_options *o, const struct zpool_driver *driver);
const char *zpb_reclaim_name(enum zpb_reclaim r);
const char *zpb_reclaim_mode_name(enum zpb_reclaim_mode m);
const char *zpb_mem_policy_name(enum zpb_mem_policy p);
/* "0-3,5" into @out; -1 with @err on a malformed list. */
int zpb_parse_int_list(const char *text, int *out, int max, const char *what, char *err, size_t errlen);

/*
 * Where records come from: a trace reader, or an array (tests). Sources
 * stream; the engine never holds more than a queue's worth of records.
 */
struct zpb_replay_source {
	int (*next)(void *ctx, struct zpb_record *rec, char *err, size_t errlen);
	/* Optional, what zpb_source_batch() calls if set (it calls @next otherwise). */
	int (*next_batch)(void *ctx, struct zpb_rec *out, int max, char *label, char *err, size_t errlen);
	int (*rewind)(void *ctx, char *err, size_t errlen);
	void *ctx;
	uint64_t records;	/* known count, or 0 */
	uint32_t page_size;	/* the trace's page size; 0 means 4096 (the memory source) */
	const char *name;	/* the trace, for messages, or NULL */
	/* for the memory source */
	const struct zpb_record *array;
	uint64_t n, pos;
	/* for the prefix source */
	struct zpb_replay_source *inner;
};

/*
 * A source's page size may be at most the page size in force
 * (zpb_set_page_size(), replay --page-size): the STOREs of larger pages
 * would be clamped to one page, so zpb_replay_run() refuses such a source
 * with "page size N: ..." in @err. Smaller pages fit one page as they are.
 */

/*
 * Up to @max records of @s, as zpb_trace_next_batch() gives them: the
 * number, 0 at the end, -1 on an error (@err). A batch ends after a MARK,
 * whose label goes to @label (ZPB_LABEL_MAX + 1 bytes).
 */
int zpb_source_batch(struct zpb_replay_source *s, struct zpb_rec *out, int max, char *label,
		     char *err, size_t errlen);
void zpb_replay_source_memory(struct zpb_replay_source *s, const struct zpb_record *recs, uint64_t n);
void zpb_replay_source_trace(struct zpb_replay_source *s, struct zpb_trace_reader *r);
/* The first @n records of @inner (replay --warmup); rewinding it rewinds @inner. */
void zpb_replay_source_prefix(struct zpb_replay_source *s, struct zpb_replay_source *inner, uint64_t n);

/* A density sample: at a MARK, every --sample-ops records, and at the end. */
struct zpb_sample {
	uint64_t record;		/* records replayed before it */
	uint64_t time_ns;		/* since the run started */
	uint64_t pool_pages;		/* zpool_get_total_size() / PAGE_SIZE */
	uint64_t pool_bytes;
	uint64_t arena_pages;		/* pages the arena charged to the pool */
	int64_t stored_bytes;		/* compressed bytes of live objects */
	int64_t stored_pages;		/* objects in the pool (not same-filled) */
	int64_t live_objects;		/* stored_pages + same-filled entries */
	int64_t same_filled;
	uint64_t writebacks, misses, rejects;
};

struct zpb_mark {
	char label[ZPB_LABEL_MAX + 1];
	struct zpb_sample s;
};

/* One thread's latency for one op type, summarised (the merged histogram has the buckets). */
struct zpb_lat_summary {
	uint64_t count, p50, p90, p99, p99_9, max;
	double mean;
};

void zpb_lat_summarise(const struct zpb_hist *h, struct zpb_lat_summary *l);

struct zpb_thread_result {
	int index, cpu, node;
	uint64_t ops;
	struct zpb_lat_summary lat[ZPB_LAT_MAX];
};

/*
 * Emulation time per op type: the compat layer's system calls and waits
 * inside the op (docs/results-format.md). @hist holds the ops that had any;
 * the others count as 0 in the percentiles.
 */
struct zpb_emulation_counts {
	uint64_t ops_with_emulation, total_ns;
	struct zpb_hist hist;
};

/* Quantile @q of emulation time over an op type's @ops ops (those without any count as 0). */
uint64_t zpb_emulation_percentile(const struct zpb_emulation_counts *c, uint64_t ops, double q);

struct zpb_syscall_counts {
	uint64_t futex_wake, futex_wait, sched_yield;
};

struct zpb_op_counts {
	uint64_t store, load, invalidate, writeback, compact, mark;
	uint64_t same_filled;		/* stores not allocated */
	uint64_t rejected;		/* rejected_limit + rejected_alloc */
	uint64_t rejected_limit, rejected_alloc;
	uint64_t load_hits, load_not_found, load_rejected;	/* load_rejected: store had been rejected */
	uint64_t duplicate_stores;	/* a STORE over a live entry (replaced, as zswap does) */
	/* The work done (results "work"): objects allocated and their bytes, over the whole run */
	uint64_t stored_objects, stored_bytes;
	uint64_t rejected_alloc_bytes;	/* sizes the allocator refused, summed */
	uint64_t rejected_compress;	/* zswap_reject_compress_poor/_fail: the page did not compress */
	uint64_t zero_filled;		/* 6.11+: zero pages kept in the swap map, not in zswap */
	uint64_t load_zero;		/* loads of those, served by the swap map */
	uint64_t stored_as_is;		/* 6.18: incompressible pages stored at PAGE_SIZE */
	/* --compress: bytes the codec produced and the trace's lengths for the same stores */
	uint64_t compressed_stores, compressed_bytes, trace_bytes;
	uint64_t codec_failures;	/* compress or decompress errors (a decompress error is also a verify failure) */
};

struct zpb_reclaim_counts {
	uint64_t shrink_calls, pages_reclaimed, evict_failures, retries;
	uint64_t writebacks;		/* by the harness's reclaim */
	uint64_t misses;		/* loads of keys written back (by reclaim or a WRITEBACK record) */
	uint64_t rejects;		/* stores refused by the pool limit */
	uint64_t limit_hits;
	uint64_t second_chances;	/* zswap-lru: referenced entries rotated */
	uint64_t deferred_waits;	/* stores that first waited for the allocator's deferred frees */
};

#define ZPB_MAX_VERIFY_MESSAGES 16
#define ZPB_MARKS_MAX 100000

struct zpb_run_result {
	char allocator[ZPB_SPEC_LEN];
	unsigned int caps;
	int repetition;
	bool complete;
	enum zpb_reclaim reclaim;
	enum zpb_reclaim_mode reclaim_mode;
	bool header;			/* the seed model's 8-byte zswap_header was prepended */
	bool exclusive_loads;
	int nthreads;
	struct zpb_thread_result threads[ZPB_REPLAY_MAX_THREADS];
	uint64_t records;
	uint64_t wall_ns;
	uint64_t cpu_ns;		/* CPU time of the replay: the thread's (one thread) or the process's */
	struct zpb_op_counts ops;
	struct zpb_reclaim_counts rc;
	struct zpb_hist lat[ZPB_LAT_MAX];
	struct zpb_emulation_counts emu[ZPB_LAT_MAX];
	struct zpb_syscall_counts syscalls;	/* the compat layer's, inside timed ops */
	uint64_t works_between_ops;	/* queued works the replay threads ran between ops (untimed) */
	uint64_t clock_reads;		/* of the op timing, for its overhead */
	/* threaded runs (streams.c): chunks played, records that waited at a sync point, waits that yielded, their time */
	uint64_t stream_chunks, stream_sync_waits, stream_yields, stream_wait_ns;
	struct zpb_hist lateness;	/* --timed: ns behind schedule per record */
	struct zpb_hist *phase;		/* --compress: ZPB_PH_MAX histograms, else NULL */
	struct zpb_sample final;
	uint64_t peak_pool_pages;
	/*
	 * Density over the run: pool pages and stored bytes integrated over
	 * trace records (trapezoids between consecutive samples, the first at
	 * record 0), so a trace that ends empty still has a figure.
	 */
	double pool_page_records, stored_byte_records;
	size_t max_object_size;		/* the driver's max_size */
	struct zpb_mark *marks;
	size_t nmarks;
	uint64_t marks_dropped;		/* MARKs past ZPB_MARKS_MAX, counted only */
	struct zpb_sample *timeline;
	size_t ntimeline;
	uint64_t sample_every;		/* the interval the timeline ended with (it doubles when full) */
	/* objects per page: opp[i] pages hold i objects (i < ZPB_OPP_MAX, the last catches more) */
	bool opp_available;
	uint64_t opp_unresolved;	/* objects whose page could not be found */
	uint64_t *opp;
	size_t nopp;
	uint64_t verify_failures;
	char verify_messages[ZPB_MAX_VERIFY_MESSAGES][256];
	int nverify_messages;
	unsigned long warnings, errors;
	unsigned long guards;		/* PORT_GUARD() hits during the run */
	long leaked_pages;
	uint64_t distinct_keys;
	struct zpb_counter_set *counters;	/* --counters: this run's figures (a copy), or NULL */
	struct zpb_cg_result *instructions;	/* --instructions: set by the CLI, or NULL */
	uint64_t warmup_records;	/* --warmup: records the untimed warm-up before this run replayed (set by the CLI) */
	uint64_t rss_bytes;		/* process RSS at the end of the run, pool still full */
	uint64_t peak_rss_bytes;	/* process peak RSS so far (getrusage) */
	/* --lockstat: the lock classes taken during the run, busiest first (replay/lockstat.c) */
	struct zpool_lock_class *locks;
	int nlocks;
	uint64_t locks_dropped;
};

/*
 * What N CPUs would see of a lock class, from one run's hold times and
 * arrival rate (docs/measurement.md, "Lock statistics"): a model, not a
 * measurement. Each CPU takes the lock at the rate one replay thread did.
 */
struct zpb_lock_model {
	int cpus;
	double utilization;		/* N * rate * mean hold */
	double contention;		/* probability an acquisition finds it held: (N-1) * rate * hold, at most 1 */
	double wait_ns;			/* mean wait, M/M/1: hold * rho / (1 - rho); -1 once saturated */
};
#define ZPB_LOCK_MODEL_POINTS 7		/* 1, 2, 4, ... 64 CPUs */
void zpb_lockstat_model(const struct zpb_run_result *r, const struct zpool_lock_class *c,
			struct zpb_lock_model out[ZPB_LOCK_MODEL_POINTS]);
/* /proc/lock_stat's layout, one line a class, for the terminal. */
void zpb_lockstat_print(FILE *f, const struct zpb_run_result *r);

/**
 * zpb_replay_run - replay @src against @spec's allocator on a fresh pool
 * @stop: set (e.g. by SIGINT) to stop early; the result is then incomplete
 *
 * Return: the result (free with zpb_run_result_free()), or NULL with @err
 * naming the problem (a trace error names the file and record).
 */
struct zpb_run_result *zpb_replay_run(const struct zpb_replay_options *o, struct zpb_replay_source *src,
				      const struct zpb_spec *spec, int repetition,
				      volatile sig_atomic_t *stop, char *err, size_t errlen);
void zpb_run_result_free(struct zpb_run_result *r);

#endif
