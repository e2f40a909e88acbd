/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lock statistics for the compat layer's locks, in the spirit of the
 * kernel's CONFIG_LOCK_STAT (/proc/lock_stat): for every lock class,
 * acquisitions, contended acquisitions, and wait- and hold-time
 * histograms.
 *
 * A class is what lockdep would call it: the text of the lock expression
 * at the call site ("&pool->lock", "&zhdr->page_lock", "&class->lock"),
 * the file it is taken in, and how it is taken (spin, read, write).
 * Every spin_lock(), read_lock(), write_lock() and local_lock() call site
 * carries a static struct zpb_lock_site (spinlock.h's macros make one), so
 * the lock itself does not grow: spinlock_t stays 4 bytes, as in a kernel
 * without lockdep, and z3fold's header keeps its size and chunk layout.
 *
 * Off (the default), a lock costs one extra predictable branch on a
 * global that nothing writes during a run. On, each acquisition reads the
 * clock once and a contended one twice, and each release once; the
 * figures are per thread and merged when read, so recording takes no lock
 * and shares no cache line. zpool_lockstat_*() in zpool.h is the API.
 */
#ifndef ZPB_KERNEL_LOCKSTAT_H
#define ZPB_KERNEL_LOCKSTAT_H

#include <stdint.h>

enum zpb_lock_kind { ZPB_LOCK_SPIN, ZPB_LOCK_READ, ZPB_LOCK_WRITE };

struct zpb_lock_site {
	const char *name;	/* the lock expression, as written at the call site */
	const char *file;
	int line;
	int kind;		/* enum zpb_lock_kind */
	int id;			/* 0 until the site is first taken with lockstat on */
};

/* A static site for this call site (a GNU statement expression). */
#define ZPB_LOCK_SITE(name_text, k) ({						\
	static struct zpb_lock_site __zpb_site = { name_text, __FILE__, __LINE__, k, 0 }; \
	&__zpb_site;								\
})

extern int zpb_lockstat_on;

static inline int zpb_lockstat_enabled(void)
{
	return __builtin_expect(__atomic_load_n(&zpb_lockstat_on, __ATOMIC_RELAXED), 0);
}

/* The slow paths, taken only while lockstat is on (lockstat.c). */
uint64_t zpb_lockstat_now(void);
/* @lock was just acquired at @site; @wait_start is 0, or when the wait for it began. */
void zpb_lockstat_acquired(const void *lock, struct zpb_lock_site *site, uint64_t wait_start);
/* @lock is about to be released by this thread. */
void zpb_lockstat_release(const void *lock);

#endif
