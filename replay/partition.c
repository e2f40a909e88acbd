// SPDX-License-Identifier: GPL-2.0-only
/*
 * Distribution of records over replay threads.
 *
 * --partition key: a key always goes to the same thread (a hash of it), so
 * a key's records keep their order for free. --partition cpu: the traced
 * CPU picks the thread, so per-CPU structures see the traced locality; a
 * key's records may then land on different threads, and each record that
 * follows one on another thread waits for it: the item carries (thread,
 * ticket) of the key's previous record, and runs once that thread has
 * completed that many items. Tickets point only backwards in trace order,
 * so the earliest unfinished record can always run: no deadlock.
 *
 * Each thread has a single-producer single-consumer ring; the dispatching
 * thread decodes the trace and fills them. Waiting spins, then yields: an
 * idle thread makes no system call per record.
 */
#include <sched.h>
#include <stdio.h>

#include "internal.h"

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
	__builtin_ia32_pause();
#endif
}

/* Spin a while, then yield: *@spins counts this wait's rounds. */
static inline void backoff(unsigned int *spins)
{
	if (++*spins < 256)
		cpu_relax();
	else
		sched_yield();
}

static inline uint64_t mix(uint64_t k)
{
	k ^= k >> 31;
	k *= UINT64_C(0x7fb5d329728ea185);
	k ^= k >> 27;
	return k;
}

int zpb_thread_for(const struct zpb_engine *e, const struct zpb_record *rec, uint32_t eidx)
{
	(void)eidx;
	if (e->o->partition == ZPB_PARTITION_CPU)
		return (int)(rec->cpu % (uint32_t)e->nworkers);
	return (int)(mix(rec->key) % (uint64_t)e->nworkers);
}

void zpb_enqueue(struct zpb_engine *e, int t, const struct zpb_record *rec, uint32_t eidx, uint64_t record)
{
	struct zpb_worker *w = &e->workers[t];
	struct zpb_entry *ent = zpb_kt_entry(&e->kt, eidx);
	struct zpb_item *it;
	unsigned int spins = 0;

	while (w->enqueued - __atomic_load_n(&w->tail, __ATOMIC_ACQUIRE) >= RING_SIZE)
		backoff(&spins);
	it = &w->ring[w->enqueued & (RING_SIZE - 1)];
	it->time_ns = rec->time_ns;
	it->record = record;
	it->content = rec->content;
	it->entry = eidx;
	it->len = rec->len;
	it->op = rec->op;
	it->flags = rec->flags;
	it->dep_ticket = 0;
	if (ent->last_thread != UINT32_MAX && ent->last_thread != (uint32_t)t) {
		it->dep_thread = ent->last_thread;
		it->dep_ticket = ent->last_ticket;
	}
	w->enqueued++;
	ent->last_thread = (uint32_t)t;
	ent->last_ticket = w->enqueued;
	__atomic_store_n(&w->head, w->enqueued, __ATOMIC_RELEASE);
}

void zpb_quiesce(struct zpb_engine *e)
{
	int i;

	if (!e->threaded)
		return;
	for (i = 0; i < e->nworkers; i++) {
		struct zpb_worker *w = &e->workers[i];
		unsigned int spins = 0;

		while (__atomic_load_n(&w->tail, __ATOMIC_ACQUIRE) != w->enqueued)
			backoff(&spins);
	}
}

static int done;	/* per-process: one run at a time */

void *zpb_worker_main(void *arg)
{
	struct zpb_worker *w = arg;
	struct zpb_engine *e = w->eng;
	uint64_t tail = 0;

	zpb_place_where(&w->cpu, &w->node);
	zpb_reclaim_set_worker(w);
	for (;;) {
		unsigned int spins = 0;
		struct zpb_item *it;

		while (__atomic_load_n(&w->head, __ATOMIC_ACQUIRE) == tail) {
			if (__atomic_load_n(&done, __ATOMIC_ACQUIRE))
				goto out;
			backoff(&spins);
		}
		it = &w->ring[tail & (RING_SIZE - 1)];
		if (it->dep_ticket) {
			struct zpb_worker *d = &e->workers[it->dep_thread];

			spins = 0;
			while (__atomic_load_n(&d->tail, __ATOMIC_ACQUIRE) < it->dep_ticket)
				backoff(&spins);
		}
		if (e->o->timed)
			zpb_timed_wait(w, it->time_ns);
		zpb_exec(w, it->op, it->flags, it->len, it->entry, it->content, it->record);
		__atomic_store_n(&w->tail, ++tail, __ATOMIC_RELEASE);
	}
out:
	zpb_place_where(&w->cpu, &w->node);
	return NULL;
}

static void *worker_start(void *arg)
{
	struct zpb_worker *w = arg;
	char err[256];
	int cpu;

	if (zpb_place_thread(w->eng->o, w->index, &cpu, err, sizeof(err)) == 0)
		w->cpu = cpu;
	return zpb_worker_main(w);
}

int zpb_workers_start(struct zpb_engine *e, char *err, size_t errlen)
{
	int i;

	__atomic_store_n(&done, 0, __ATOMIC_RELEASE);
	for (i = 0; i < e->nworkers; i++) {
		if (pthread_create(&e->workers[i].tid, NULL, worker_start, &e->workers[i]) != 0) {
			snprintf(err, errlen, "cannot start replay thread %d", i);
			e->nworkers = i;
			zpb_workers_stop(e);
			return -1;
		}
	}
	return 0;
}

void zpb_workers_stop(struct zpb_engine *e)
{
	int i;

	zpb_quiesce(e);
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	for (i = 0; i < e->nworkers; i++)
		pthread_join(e->workers[i].tid, NULL);
}
