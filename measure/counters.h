/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hardware and software counters through perf_event_open, with event names
 * resolved by libpfm4 (pfm_get_os_event_encoding, PFM_OS_PERF_EVENT_EXT).
 *
 * Shape of a run:
 *   zpb_counters_resolve(set, "instructions,perf::page-faults", ...)  once
 *   per allocator run: zpb_counters_reset(set), then in each replay thread
 *     zpb_counters_thread_open(&t, set)     opens one perf event group
 *     zpb_counters_thread_start(&t)         just before the replay loop
 *     zpb_counters_op_begin(&t) / zpb_counters_op_end(&t, op)  around each op
 *     zpb_counters_thread_stop(&t)          merges into the set, closes
 *   then zpb_counters_write_json(f, set) for the run's "counters" key.
 *
 * Scope: an event counts per op type ("per-op") when userspace rdpmc
 * self-monitoring works for it (x86, the event's mmap'd perf page has
 * cap_user_rdpmc and a counter index: hardware events only). Otherwise it
 * counts the whole thread and the figure is the total divided by the ops
 * ("per-run"), which also includes the harness's own work between ops.
 *
 * Nothing here stops a run: an event that cannot be opened (no PMU, as on
 * most VMs; perf_event_paranoid; a group the PMU cannot schedule) is marked
 * "unsupported" once, with the reason, and the others go on counting. Only
 * a name libpfm4 does not know is an error (zpb_counters_resolve).
 *
 * Counting is user space only (exclude_kernel), so that it works under
 * perf_event_paranoid 2; faults are still counted (they are taken in user
 * context).
 *
 * Locking: a set is shared by the threads of a run; thread_open and
 * thread_stop take its mutex. A struct zpb_counter_thread belongs to one
 * thread; op_begin/op_end take no lock and make no system call.
 */
#ifndef ZPB_MEASURE_COUNTERS_H
#define ZPB_MEASURE_COUNTERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../traces/trace.h"

struct zpb_jw;

#define ZPB_COUNTERS_MAX 16
#define ZPB_COUNTER_NAME_LEN 96
#define ZPB_COUNTER_REASON_LEN 320
#define ZPB_COUNTER_OPS (ZPB_OP_MAX + 1)	/* indexed by enum zpb_op */

enum zpb_counter_status {
	ZPB_COUNTER_OK,
	ZPB_COUNTER_UNSUPPORTED,
};

enum zpb_counter_scope {
	ZPB_COUNTER_PER_RUN,	/* thread totals divided by ops */
	ZPB_COUNTER_PER_OP,	/* rdpmc around each op, per op type */
};

/**
 * struct zpb_counter_event - one event of a set and its figures for a run
 * @name: as the user wrote it ("LLC-misses")
 * @canonical: libpfm4's full name for it ("perf::PERF_COUNT_HW_CACHE_LL:READ:MISS:u=1...")
 * @status: ZPB_COUNTER_UNSUPPORTED once any thread failed to open it
 * @reason: why it is unsupported (names the event and the system's answer)
 * @scope: per-op only if every thread of the run could rdpmc it
 * @total: the count over the run, all threads, scaled if multiplexed
 * @ops: the ops the threads counted it over
 * @op_total: per-op scope: the count inside ops of each type
 * @op_count: ops of each type
 */
struct zpb_counter_event {
	char name[ZPB_COUNTER_NAME_LEN];
	char canonical[ZPB_COUNTER_NAME_LEN * 2];
	enum zpb_counter_status status;
	char reason[ZPB_COUNTER_REASON_LEN];
	enum zpb_counter_scope scope;
	uint64_t total;
	uint64_t ops;
	uint64_t op_total[ZPB_COUNTER_OPS];
	uint64_t op_count[ZPB_COUNTER_OPS];
	/* private: the perf_event_attr libpfm4 encoded (opaque bytes) */
	unsigned char attr[136];
	bool resolved;		/* attr is valid */
	int threads_open;	/* threads that opened it this run */
	int threads_rdpmc;	/* ... of which could rdpmc it */
};

struct zpb_counter_set {
	int n;
	struct zpb_counter_event ev[ZPB_COUNTERS_MAX];
	pthread_mutex_t lock;
};

struct zpb_counter_thread {
	struct zpb_counter_set *set;
	bool active;		/* at least one event open */
	bool any_rdpmc;		/* op_begin/op_end read counters */
	int fd[ZPB_COUNTERS_MAX];	/* -1 if not open */
	int leader;		/* group leader fd, or -1 */
	int rdpmc_n;		/* events read with rdpmc, in @rdpmc_ev order */
	int rdpmc_ev[ZPB_COUNTERS_MAX];
	void *page[ZPB_COUNTERS_MAX];	/* mmap'd perf pages, rdpmc events only */
	uint64_t begin[ZPB_COUNTERS_MAX];
	uint64_t op_total[ZPB_COUNTER_OPS][ZPB_COUNTERS_MAX];
	uint64_t op_count[ZPB_COUNTER_OPS];
	uint64_t ops;
};

/**
 * zpb_counters_available - whether this build can count at all
 * Return: true if built with libpfm4; else false with @why saying so.
 */
bool zpb_counters_available(char *why, size_t len);

/**
 * zpb_counters_resolve - parse a comma-separated event list into @set
 * @list: "instructions,cycles,perf::page-faults"
 *
 * Names go through libpfm4; a few perf(1) spellings libpfm4 lacks
 * ("LLC-misses" = LLC-load-misses, as perf(1) defaults the op to load) are
 * translated first. Without libpfm4 in the build every event is accepted
 * and marked unsupported with that reason (the run goes on).
 *
 * Return: 0, or -1 with @err naming the offending event (unknown to
 * libpfm4, empty, too long, too many events).
 */
int zpb_counters_resolve(struct zpb_counter_set *set, const char *list, char *err, size_t errlen);

/* Clear the figures of every event (before each allocator run). Unsupported
 * events stay unsupported. */
void zpb_counters_reset(struct zpb_counter_set *set);

/* Free what resolve made (the mutex). */
void zpb_counters_destroy(struct zpb_counter_set *set);

/**
 * zpb_counters_thread_open - open @set's events as one group for the calling thread
 *
 * Events that fail to open are marked unsupported in @set (under its lock)
 * with the reason. Takes the set's lock.
 * Return: the number of events open for this thread (0 is not an error).
 */
int zpb_counters_thread_open(struct zpb_counter_thread *t, struct zpb_counter_set *set);

/* Reset and enable the thread's group (one ioctl), just before its loop. */
void zpb_counters_thread_start(struct zpb_counter_thread *t);

/**
 * zpb_counters_thread_stop - disable the group, read it, add it to the set, close
 *
 * Takes the set's lock. Safe on a thread with nothing open.
 */
void zpb_counters_thread_stop(struct zpb_counter_thread *t);

/* Out of line: the rdpmc reads (see counters.c). */
void zpb_counters_snap(struct zpb_counter_thread *t, uint64_t *vals);
void zpb_counters_accumulate(struct zpb_counter_thread *t, unsigned int op);

/* Around one op: no lock, no system call. */
static inline void zpb_counters_op_begin(struct zpb_counter_thread *t)
{
	if (t->any_rdpmc)
		zpb_counters_snap(t, t->begin);
}

static inline void zpb_counters_op_end(struct zpb_counter_thread *t, unsigned int op)
{
	if (!t->active || op >= ZPB_COUNTER_OPS)
		return;
	t->op_count[op]++;
	t->ops++;
	if (t->any_rdpmc)
		zpb_counters_accumulate(t, op);
}

/**
 * zpb_counters_write_json - write @set's figures as one JSON object value
 *
 * The value of a run's "counters" key (docs/results-format.md): per event
 * name, {"status", "reason"} and, when ok, "event" (libpfm4's name), "scope",
 * "total", "ops" and "per_op": one key per op type counted ("store", ...)
 * for per-op scope, or "all" (total / ops) for per-run scope.
 */
void zpb_counters_write_json(struct zpb_jw *w, const struct zpb_counter_set *set);

/**
 * zpb_counters_probe - can this machine count @name, alone, for this thread?
 * Return: 1 if it opened, 0 if not (@reason says why), -1 if the name is
 * unknown (@reason says so).
 */
int zpb_counters_probe(const char *name, char *reason, size_t len);

/* The events `zpoolbench list` probes, NULL-terminated. */
const char *const *zpb_counters_standard_events(void);

#endif
