// SPDX-License-Identifier: GPL-2.0-only
/*
 * RCU read-side sections and grace periods. See rcupdate.h.
 */
#include <pthread.h>
#include <sched.h>

#include "rcupdate.h"

static unsigned long gp_seq;			/* parity selects the readers' counter */
static long readers[2];
static pthread_mutex_t gp_mutex = PTHREAD_MUTEX_INITIALIZER;	/* one grace period at a time */

static __thread unsigned int nesting;
static __thread unsigned int reader_idx;

void rcu_read_lock(void)
{
	if (nesting++ == 0) {
		unsigned int idx = __atomic_load_n(&gp_seq, __ATOMIC_SEQ_CST) & 1;

		__atomic_fetch_add(&readers[idx], 1, __ATOMIC_SEQ_CST);
		reader_idx = idx;
	}
}

void rcu_read_unlock(void)
{
	if (--nesting == 0)
		__atomic_fetch_sub(&readers[reader_idx], 1, __ATOMIC_SEQ_CST);
}

void synchronize_rcu(void)
{
	unsigned long old;

	pthread_mutex_lock(&gp_mutex);
	old = __atomic_fetch_add(&gp_seq, 1, __ATOMIC_SEQ_CST) & 1;
	/* Reader sections are short and never sleep: yield until they drain. */
	while (__atomic_load_n(&readers[old], __ATOMIC_SEQ_CST) != 0)
		sched_yield();
	pthread_mutex_unlock(&gp_mutex);
}
