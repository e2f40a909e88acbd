// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workqueues on worker threads, with a deterministic mode. See workqueue.h.
 *
 * Each workqueue has one worker thread, a FIFO of pending work and a note of
 * the work it is running, all under the queue's mutex; cancel_work_sync()
 * waits on the queue's condition variable until that work is no longer the
 * one running. A work item's pending bit changes only under the mutex of the
 * queue it is on, so queue/cancel races resolve as the kernel's do: exactly
 * one of them sees the work pending.
 *
 * In deterministic mode no worker is started: queued work goes on one
 * process-wide FIFO and runs, in queue order, on the thread that calls
 * zpb_wq_run_deferred().
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "bitops.h"
#include "bug.h"
#include "fault.h"
#include "workqueue.h"

struct workqueue_struct {
	char name[32];
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* work queued, work finished, or stop */
	struct list_head pending;
	struct work_struct *running;
	unsigned long generation;	/* count of works started, for flush */
	unsigned long finished;		/* count of works finished */
	bool stop;
	bool deterministic;
	bool dead;			/* destroyed: kept for works that still point here */
	pthread_t worker;
	struct list_head grave;		/* on the graveyard once destroyed */
	struct list_head live;		/* on live_wqs until destroyed */
};

/* Every workqueue not yet destroyed, for zpb_wq_flush_all(). */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(live_wqs);

/*
 * A destroyed workqueue is parked here rather than freed: as in the kernel,
 * a work that last ran on it may still be cancelled or flushed afterwards
 * (z3fold destroys compact_wq while its release work cancels page works
 * that ran there). Its lock stays valid for that; it is never used again.
 */
static pthread_mutex_t graveyard_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(graveyard);

static bool deterministic;
static pthread_mutex_t deferred_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(deferred);		/* deterministic mode's FIFO */

struct workqueue_struct *system_wq;
static pthread_once_t system_wq_once = PTHREAD_ONCE_INIT;

void zpb_wq_set_deterministic(bool on)
{
	__atomic_store_n(&deterministic, on, __ATOMIC_RELAXED);
}

bool zpb_wq_is_deterministic(void)
{
	return __atomic_load_n(&deterministic, __ATOMIC_RELAXED);
}

bool work_pending(const struct work_struct *work)
{
	return test_bit(WORK_STRUCT_PENDING_BIT, &work->data);
}

static void *worker_fn(void *arg)
{
	struct workqueue_struct *wq = arg;

	pthread_mutex_lock(&wq->lock);
	for (;;) {
		struct work_struct *work;

		while (list_empty(&wq->pending) && !wq->stop)
			pthread_cond_wait(&wq->cond, &wq->lock);
		if (list_empty(&wq->pending))
			break;
		work = list_first_entry(&wq->pending, struct work_struct, entry);
		list_del_init(&work->entry);
		clear_bit(WORK_STRUCT_PENDING_BIT, &work->data);
		wq->running = work;
		wq->generation++;
		pthread_mutex_unlock(&wq->lock);
		/* The work may free itself (z3fold's page work lives in the page). */
		work->func(work);
		pthread_mutex_lock(&wq->lock);
		wq->running = NULL;
		wq->finished++;
		pthread_cond_broadcast(&wq->cond);
	}
	pthread_mutex_unlock(&wq->lock);
	return NULL;
}

struct workqueue_struct *alloc_workqueue(const char *name, unsigned int flags, int max_active)
{
	struct workqueue_struct *wq;

	(void)flags;
	(void)max_active;
	/* Failure injection (fault.h): a pool whose workqueue cannot be made. */
	if (zpb_should_fail(ZPB_FAULT_SETUP))
		return NULL;
	wq = calloc(1, sizeof(*wq));
	if (!wq)
		return NULL;
	snprintf(wq->name, sizeof(wq->name), "%s", name);
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->cond, NULL);
	INIT_LIST_HEAD(&wq->pending);
	wq->deterministic = zpb_wq_is_deterministic();
	if (!wq->deterministic && pthread_create(&wq->worker, NULL, worker_fn, wq)) {
		pthread_mutex_destroy(&wq->lock);
		pthread_cond_destroy(&wq->cond);
		free(wq);
		return NULL;
	}
	pthread_mutex_lock(&live_lock);
	list_add_tail(&wq->live, &live_wqs);
	pthread_mutex_unlock(&live_lock);
	return wq;
}

void zpb_wq_flush_all(void)
{
	struct workqueue_struct *wq;

	if (zpb_wq_is_deterministic()) {
		zpb_wq_run_deferred();
		return;
	}
	pthread_mutex_lock(&live_lock);
	list_for_each_entry(wq, &live_wqs, live)
		flush_workqueue(wq);
	pthread_mutex_unlock(&live_lock);
}

static pthread_mutex_t *queue_lock(struct workqueue_struct *wq)
{
	return wq->deterministic ? &deferred_lock : &wq->lock;
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	pthread_mutex_t *lock = queue_lock(wq);

	pthread_mutex_lock(lock);
	if (work_pending(work)) {
		pthread_mutex_unlock(lock);
		return false;
	}
	BUG_ON(__atomic_load_n(&wq->dead, __ATOMIC_RELAXED));
	set_bit(WORK_STRUCT_PENDING_BIT, &work->data);
	__atomic_store_n(&work->wq, wq, __ATOMIC_RELEASE);
	if (wq->deterministic) {
		list_add_tail(&work->entry, &deferred);
	} else {
		list_add_tail(&work->entry, &wq->pending);
		pthread_cond_broadcast(&wq->cond);
	}
	pthread_mutex_unlock(lock);
	return true;
}

bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work)
{
	(void)cpu;
	return queue_work(wq, work);
}

bool cancel_work_sync(struct work_struct *work)
{
	struct workqueue_struct *wq = __atomic_load_n(&work->wq, __ATOMIC_ACQUIRE);
	pthread_mutex_t *lock;
	bool was_pending = false;

	if (!wq)
		return false;	/* never queued */
	lock = queue_lock(wq);
	pthread_mutex_lock(lock);
	if (work_pending(work)) {
		list_del_init(&work->entry);
		clear_bit(WORK_STRUCT_PENDING_BIT, &work->data);
		was_pending = true;
	}
	/* In deterministic mode work runs on the caller, so it is never running here. */
	while (!wq->deterministic && wq->running == work)
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(lock);
	return was_pending;
}

void zpb_wq_run_deferred(void)
{
	for (;;) {
		struct work_struct *work;

		pthread_mutex_lock(&deferred_lock);
		if (list_empty(&deferred)) {
			pthread_mutex_unlock(&deferred_lock);
			return;
		}
		work = list_first_entry(&deferred, struct work_struct, entry);
		list_del_init(&work->entry);
		clear_bit(WORK_STRUCT_PENDING_BIT, &work->data);
		pthread_mutex_unlock(&deferred_lock);
		work->func(work);
	}
}

void flush_workqueue(struct workqueue_struct *wq)
{
	struct list_head *pos;
	unsigned long target;

	if (wq->deterministic) {
		zpb_wq_run_deferred();
		return;
	}
	pthread_mutex_lock(&wq->lock);
	/* Wait until everything running or queued now has finished. */
	target = wq->generation;
	list_for_each(pos, &wq->pending)
		target++;
	while (wq->finished < target)
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

bool flush_work(struct work_struct *work)
{
	struct workqueue_struct *wq = __atomic_load_n(&work->wq, __ATOMIC_ACQUIRE);
	bool waited = false;

	/* A destroyed queue ran everything and runs nothing more. */
	if (!wq || __atomic_load_n(&wq->dead, __ATOMIC_ACQUIRE))
		return false;
	if (wq->deterministic) {
		if (work_pending(work)) {
			zpb_wq_run_deferred();
			waited = true;
		}
		return waited;
	}
	pthread_mutex_lock(&wq->lock);
	while (work_pending(work) || wq->running == work) {
		waited = true;
		pthread_cond_wait(&wq->cond, &wq->lock);
	}
	pthread_mutex_unlock(&wq->lock);
	return waited;
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	if (!wq)
		return;
	pthread_mutex_lock(&live_lock);
	list_del(&wq->live);
	pthread_mutex_unlock(&live_lock);
	/* As the kernel's drain_workqueue(): run what is queued, then stop. */
	flush_workqueue(wq);
	if (!wq->deterministic) {
		pthread_mutex_lock(&wq->lock);
		wq->stop = true;
		pthread_cond_broadcast(&wq->cond);
		pthread_mutex_unlock(&wq->lock);
		pthread_join(wq->worker, NULL);
	}
	__atomic_store_n(&wq->dead, true, __ATOMIC_RELEASE);
	pthread_mutex_lock(&graveyard_lock);
	list_add(&wq->grave, &graveyard);
	pthread_mutex_unlock(&graveyard_lock);
}

static void system_wq_init(void)
{
	system_wq = alloc_workqueue("events", 0, 0);
	BUG_ON(!system_wq);
}

bool schedule_work(struct work_struct *work)
{
	pthread_once(&system_wq_once, system_wq_init);
	return queue_work(system_wq, work);
}
