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
 * thread decodes the trace and fills them. Waiting spins briefly, then
 * sleeps on a condition variable: replay threads and the dispatcher may
 * outnumber the CPUs, and a spinning waiter would steal the CPU from the
 * very thread it waits for. A thread with work never makes a system call.
 */
#include <stdio.h>

#include "internal.h"

#define SPINS 200

static void wp_init(struct zpb_waitpoint *wp)
{
	pthread_mutex_init(&wp->m, NULL);
	pthread_cond_init(&wp->c, NULL);
	wp->waiters = 0;
}

static void wp_destroy(struct zpb_waitpoint *wp)
{
	pthread_mutex_destroy(&wp->m);
	pthread_cond_destroy(&wp->c);
}

static int done;	/* per-process: one run at a time */

/* Wait until *@word >= @target, or (if @or_done) the run is done. */
static void wait_ge(uint64_t *word, uint64_t target, struct zpb_waitpoint *wp, bool or_done)
{
	unsigned int spins;

	for (spins = 0; spins < SPINS; spins++) {
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) >= target ||
		    (or_done && __atomic_load_n(&done, __ATOMIC_ACQUIRE)))
			return;
		zpb_cpu_relax();
	}
	pthread_mutex_lock(&wp->m);
	__atomic_fetch_add(&wp->waiters, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(word, __ATOMIC_SEQ_CST) < target &&
	       !(or_done && __atomic_load_n(&done, __ATOMIC_SEQ_CST)))
		pthread_cond_wait(&wp->c, &wp->m);
	__atomic_fetch_sub(&wp->waiters, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&wp->m);
}

static inline void publish(uint64_t *word, uint64_t v, struct zpb_waitpoint *wp)
{
	__atomic_store_n(word, v, __ATOMIC_SEQ_CST);
	if (unlikely(__atomic_load_n(&wp->waiters, __ATOMIC_SEQ_CST))) {
		pthread_mutex_lock(&wp->m);
		pthread_cond_broadcast(&wp->c);
		pthread_mutex_unlock(&wp->m);
	}
}

int zpb_thread_for(const struct zpb_engine *e, const struct zpb_record *rec, uint32_t eidx)
{
	(void)eidx;
	if (e->o->partition == ZPB_PARTITION_CPU)
		return (int)(rec->cpu % (uint32_t)e->nworkers);
	/* The hash's high half: the key table indexes by its low bits. */
	return (int)((zpb_kt_hash(rec->key) >> 32) % (uint64_t)e->nworkers);
}

void zpb_enqueue(struct zpb_engine *e, int t, const struct zpb_record *rec, uint32_t eidx, uint64_t record)
{
	struct zpb_worker *w = &e->workers[t];
	struct zpb_item *it;

	if (w->enqueued - __atomic_load_n(&w->tail, __ATOMIC_ACQUIRE) >= RING_SIZE)
		wait_ge(&w->tail, w->enqueued - RING_SIZE + 1, &w->tail_wp, false);
	it = &w->ring[w->enqueued & (RING_SIZE - 1)];
	it->time_ns = rec->time_ns;
	it->record = record;
	it->content = rec->content;
	it->entry = eidx;
	it->len = rec->len;
	it->op = rec->op;
	it->flags = rec->flags;
	it->dep_ticket = 0;
	w->enqueued++;
	if (e->kt.dchunks) {
		uint64_t *d = zpb_kt_dispatch(&e->kt, eidx);

		if (*d && KT_DISPATCH_THREAD(*d) != (uint32_t)t) {
			it->dep_thread = KT_DISPATCH_THREAD(*d);
			it->dep_ticket = KT_DISPATCH_TICKET(*d);
		}
		*d = KT_DISPATCH(t, w->enqueued);
	}
	publish(&w->head, w->enqueued, &w->head_wp);
}

void zpb_quiesce(struct zpb_engine *e)
{
	int i;

	if (!e->threaded)
		return;
	for (i = 0; i < e->nworkers; i++)
		wait_ge(&e->workers[i].tail, e->workers[i].enqueued, &e->workers[i].tail_wp, false);
}

void *zpb_worker_main(void *arg)
{
	struct zpb_worker *w = arg;
	struct zpb_engine *e = w->eng;
	uint64_t tail = 0;

	zpb_place_where(&w->cpu, &w->node);
	zpb_reclaim_set_worker(w);
	zpb_counting_start(w);
	for (;;) {
		struct zpb_item *it;

		if (__atomic_load_n(&w->head, __ATOMIC_ACQUIRE) == tail) {
			wait_ge(&w->head, tail + 1, &w->head_wp, true);
			zpb_clock_break(w);	/* idle time is no op's */
			if (__atomic_load_n(&w->head, __ATOMIC_ACQUIRE) == tail)
				break;	/* done, and nothing left */
		}
		it = &w->ring[tail & (RING_SIZE - 1)];
		if (it->dep_ticket) {
			struct zpb_worker *d = &e->workers[it->dep_thread];

			if (__atomic_load_n(&d->tail, __ATOMIC_ACQUIRE) < it->dep_ticket)
				wait_ge(&d->tail, it->dep_ticket, &d->tail_wp, false);
			zpb_clock_break(w);
		}
		if (e->o->timed) {
			zpb_timed_wait(w, it->time_ns);
			zpb_clock_break(w);
		}
		zpb_exec(w, it->op, it->flags, it->len, it->entry, it->content, it->record);
		publish(&w->tail, ++tail, &w->tail_wp);
	}
	zpb_counting_stop(w);
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
		wp_init(&e->workers[i].head_wp);
		wp_init(&e->workers[i].tail_wp);
	}
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
	__atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < e->nworkers; i++) {
		struct zpb_waitpoint *wp = &e->workers[i].head_wp;

		pthread_mutex_lock(&wp->m);
		pthread_cond_broadcast(&wp->c);
		pthread_mutex_unlock(&wp->m);
	}
	for (i = 0; i < e->nworkers; i++)
		pthread_join(e->workers[i].tid, NULL);
	for (i = 0; i < e->nworkers; i++) {
		wp_destroy(&e->workers[i].head_wp);
		wp_destroy(&e->workers[i].tail_wp);
	}
}
