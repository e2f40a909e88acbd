/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spinlock_t, rwlock_t and local_lock_t.
 *
 * spinlock_t is a real test-and-test-and-set spinlock, not a mutex: the ports'
 * lock hold times and contention behaviour are part of what zpoolbench
 * measures. It spins with a pause hint and yields after a while, because
 * unlike a kernel CPU a userspace thread holding the lock can be preempted.
 *
 * The lock word is an __atomic int with acquire/release ordering, which is
 * what ThreadSanitizer needs to see the happens-before edges.
 */
#ifndef ZPB_KERNEL_SPINLOCK_H
#define ZPB_KERNEL_SPINLOCK_H

#include "config.h"
#include "lockstat.h"
#include "types.h"

typedef struct {
	int locked;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name) { 0 }
#define DEFINE_SPINLOCK(name) spinlock_t name = __SPIN_LOCK_UNLOCKED(name)

void zpb_spin_lock_slow(spinlock_t *lock);

/* The CPU's pause hint for a spin-wait loop, as <asm/processor.h>. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static inline void spin_lock_init(spinlock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELAXED);
}

static inline int zpb_spin_trylock_raw(spinlock_t *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED) == 0 &&
	       __atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void zpb_spin_lock_raw(spinlock_t *lock)
{
	if (likely(__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) == 0))
		return;
	zpb_spin_lock_slow(lock);
}

#if ZPB_LOCKSTAT
/*
 * ./configure --lockstat: the locking calls carry their call site for
 * lock statistics (lockstat.h); while recording is off that costs a
 * branch on a global at each lock and unlock, which a build without it
 * does not pay (callgrind: +65 instructions a zsmalloc store).
 */
static inline void zpb_spin_lock_at(spinlock_t *lock, struct zpb_lock_site *site)
{
	uint64_t wait;

	if (!zpb_lockstat_enabled()) {
		zpb_spin_lock_raw(lock);
		return;
	}
	wait = 0;
	if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) != 0) {
		wait = zpb_lockstat_now();
		zpb_spin_lock_slow(lock);
	}
	zpb_lockstat_acquired(lock, site, wait);
}

static inline int zpb_spin_trylock_at(spinlock_t *lock, struct zpb_lock_site *site)
{
	if (!zpb_spin_trylock_raw(lock))
		return 0;
	if (zpb_lockstat_enabled())
		zpb_lockstat_acquired(lock, site, 0);
	return 1;
}

#define spin_lock(l) zpb_spin_lock_at((l), ZPB_LOCK_SITE(#l, ZPB_LOCK_SPIN))
#define spin_trylock(l) zpb_spin_trylock_at((l), ZPB_LOCK_SITE(#l, ZPB_LOCK_SPIN))
#define ZPB_LOCKSTAT_ON() zpb_lockstat_enabled()
/* local_lock() names its class by the per-CPU variable, not the expression that reaches its lock. */
#define ZPB_LOCAL_LOCK(lock, name) zpb_spin_lock_at((lock), ZPB_LOCK_SITE(name, ZPB_LOCK_SPIN))
#else
#define ZPB_LOCAL_LOCK(lock, name) zpb_spin_lock_raw(lock)
/* Without lock statistics the site is never made and the checks fold away. */
#define spin_lock(l) zpb_spin_lock_raw(l)
#define spin_trylock(l) zpb_spin_trylock_raw(l)
#define ZPB_LOCKSTAT_ON() 0
#endif

static inline void spin_unlock(spinlock_t *lock)
{
	if (ZPB_LOCKSTAT_ON())
		zpb_lockstat_release(lock);
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

static inline int spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED) != 0;
}

/* There are no interrupts in userspace: the _bh/_irq variants are plain. */
#define spin_lock_bh(l) spin_lock(l)
#define spin_unlock_bh(l) spin_unlock(l)
#define spin_lock_irqsave(l, flags) do { (void)(flags); spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) do { (void)(flags); spin_unlock(l); } while (0)
#define assert_spin_locked(l) BUG_ON(!spin_is_locked(l))

/*
 * rwlock_t: a reader count with a writer bit. Writers wait for readers to
 * drain; new readers wait while a writer holds or waits for the lock, so that
 * a steady stream of readers cannot starve a writer.
 */
typedef struct {
	int cnt; /* bit 30: writer holds; bit 29: writer waits; low bits: readers */
} rwlock_t;

#define ZPB_RW_WRITER (1 << 30)
#define ZPB_RW_WAITING (1 << 29)
#define ZPB_RW_READERS (ZPB_RW_WAITING - 1)

static inline void rwlock_init(rwlock_t *lock) { __atomic_store_n(&lock->cnt, 0, __ATOMIC_RELAXED); }
void zpb_read_lock_at(rwlock_t *lock, struct zpb_lock_site *site);
void zpb_write_lock_at(rwlock_t *lock, struct zpb_lock_site *site);
int zpb_read_trylock_at(rwlock_t *lock, struct zpb_lock_site *site);
int zpb_write_trylock_at(rwlock_t *lock, struct zpb_lock_site *site);
void read_unlock(rwlock_t *lock);
void write_unlock(rwlock_t *lock);
#if ZPB_LOCKSTAT
#define read_lock(l) zpb_read_lock_at((l), ZPB_LOCK_SITE(#l, ZPB_LOCK_READ))
#define write_lock(l) zpb_write_lock_at((l), ZPB_LOCK_SITE(#l, ZPB_LOCK_WRITE))
#define read_trylock(l) zpb_read_trylock_at((l), ZPB_LOCK_SITE(#l, ZPB_LOCK_READ))
#define write_trylock(l) zpb_write_trylock_at((l), ZPB_LOCK_SITE(#l, ZPB_LOCK_WRITE))
#else
#define read_lock(l) zpb_read_lock_at((l), NULL)
#define write_lock(l) zpb_write_lock_at((l), NULL)
#define read_trylock(l) zpb_read_trylock_at((l), NULL)
#define write_trylock(l) zpb_write_trylock_at((l), NULL)
#endif

/*
 * local_lock_t protects per-CPU data. In the kernel it disables preemption;
 * here two threads may claim the same CPU number, so it is a real lock taken
 * on the per-CPU instance (see percpu.h, which also pins smp_processor_id()
 * while it is held).
 */
typedef struct {
	spinlock_t lock;
} local_lock_t;

#define INIT_LOCAL_LOCK(name) { __SPIN_LOCK_UNLOCKED(name) }

#endif
