/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RCU: read-side sections, grace periods, and the RCU list operations of
 * <linux/rculist.h>, for ports whose readers walk a list without its lock
 * (zblock's active lists).
 *
 * A reader section counts itself in one of two counters, chosen by the
 * parity of the grace-period number when its outermost rcu_read_lock() ran.
 * synchronize_rcu() (one at a time) advances the number and waits until the
 * counter of the old parity drains: every reader that could have seen an
 * entry unlinked before the call has then left its section. Readers that
 * count themselves after the advance, or that incremented the old counter
 * too late to be waited for, already see the unlink: the increments, the
 * advance and the counter loads are sequentially consistent.
 *
 * The kernel's readers cost nothing on a non-preemptible kernel; here each
 * outermost rcu_read_lock()/rcu_read_unlock() is one atomic add on a shared
 * counter. There are no callbacks: kvfree_rcu_mightsleep() waits for the
 * grace period in the freeing thread, as the kernel's headless
 * kvfree_rcu_mightsleep() may, so the freed object needs no rcu_head.
 */
#ifndef ZPB_KERNEL_RCUPDATE_H
#define ZPB_KERNEL_RCUPDATE_H

#include "list.h"
#include "types.h"

void rcu_read_lock(void);
void rcu_read_unlock(void);
/* Wait until every reader section that began before the call has ended. May sleep. */
void synchronize_rcu(void);

/* kvfree() after a grace period, waiting for it here (vmalloc.h's kvfree). */
#define kvfree_rcu_mightsleep(ptr) do { synchronize_rcu(); kvfree(ptr); } while (0)

/* The RCU list operations: publication is the release store of list.h's WRITE_ONCE. */
static inline void list_add_rcu(struct list_head *new, struct list_head *head)
{
	struct list_head *next = head->next;

	new->next = next;
	new->prev = head;
	__atomic_store_n(&head->next, new, __ATOMIC_RELEASE);
	next->prev = new;
}

static inline void list_add_tail_rcu(struct list_head *new, struct list_head *head)
{
	struct list_head *prev = head->prev;

	new->next = head;
	new->prev = prev;
	__atomic_store_n(&prev->next, new, __ATOMIC_RELEASE);
	head->prev = new;
}

/*
 * list_bidir_del_rcu - unlink an entry, leaving both of its pointers intact
 * so that readers standing on it can walk on in either direction. As in the
 * kernel, list_empty() on the entry is not true afterwards.
 */
static inline void list_bidir_del_rcu(struct list_head *entry)
{
	__list_del_entry(entry);
}

/* The first entry of an RCU-protected list, or NULL; call in a reader section. */
#define list_first_or_null_rcu(head, type, member) ({				\
	struct list_head *__head = (head);					\
	struct list_head *__next = __atomic_load_n(&__head->next, __ATOMIC_ACQUIRE); \
	__next != __head ? list_entry(__next, type, member) : NULL;		\
})

#endif
