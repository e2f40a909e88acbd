/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workqueues: queue_work() and friends, backed by one worker thread per
 * workqueue (the ports only create ordered, single-threaded queues).
 *
 * Deterministic mode: when on, queued work does not go to a worker. It waits
 * on a process-wide FIFO and runs on the calling thread when
 * zpb_wq_run_deferred() is called; the zpool layer calls it at the end of
 * every pool operation. A single-threaded run is then bit-for-bit
 * reproducible: the same operations give the same pages at every point.
 * Set the mode before creating any pool.
 */
#ifndef ZPB_KERNEL_WORKQUEUE_H
#define ZPB_KERNEL_WORKQUEUE_H

#include "list.h"
#include "types.h"

struct work_struct;
struct workqueue_struct;
typedef void (*work_func_t)(struct work_struct *work);

#define WORK_STRUCT_PENDING_BIT 0

struct work_struct {
	unsigned long data;		/* WORK_STRUCT_PENDING_BIT */
	struct list_head entry;
	work_func_t func;
	struct workqueue_struct *wq;	/* where it was last queued */
};

#define INIT_WORK(_work, _func) do {			\
	(_work)->data = 0;				\
	INIT_LIST_HEAD(&(_work)->entry);		\
	(_work)->func = (_func);			\
	(_work)->wq = NULL;				\
} while (0)

bool work_pending(const struct work_struct *work);

#define WQ_UNBOUND 0x2u
#define WQ_MEM_RECLAIM 0x8u
#define WQ_FREEZABLE 0x4u

struct workqueue_struct *alloc_workqueue(const char *name, unsigned int flags, int max_active);
#define alloc_ordered_workqueue(name, flags) alloc_workqueue((name), (flags), 1)
#define create_singlethread_workqueue(name) alloc_workqueue((name), WQ_MEM_RECLAIM, 1)
/* Runs what is queued, then stops; works that ran on @wq may still be cancelled or flushed. */
void destroy_workqueue(struct workqueue_struct *wq);

/**
 * queue_work - queue work on a workqueue
 * Return: false if @work was already pending, true otherwise.
 */
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
/* The CPU is a hint the kernel honours for locality; one worker serves all. */
bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work);
/**
 * cancel_work_sync - cancel pending work and wait for a running instance
 * Return: true if @work was pending (and is now not).
 */
bool cancel_work_sync(struct work_struct *work);
bool flush_work(struct work_struct *work);
void flush_workqueue(struct workqueue_struct *wq);

/* The kernel's system_wq, created on first use. */
extern struct workqueue_struct *system_wq;
bool schedule_work(struct work_struct *work);

void zpb_wq_set_deterministic(bool on);
bool zpb_wq_is_deterministic(void);
/* Run deferred work (deterministic mode) until none is left. */
void zpb_wq_run_deferred(void);
/*
 * zpb_wq_flush_all - wait until the work queued on every workqueue (when
 * called) has run; in deterministic mode, run the deferred work. For the
 * harness, at checkpoints where a pool should be measured at rest. Must not
 * be called from a work item (it would wait for itself).
 */
void zpb_wq_flush_all(void);

#endif
