// SPDX-License-Identifier: GPL-2.0-only
/*
 * Slow paths of the locks in spinlock.h and bitops.h, and lock_page().
 *
 * Waiters spin on a plain load (so the cache line stays shared) with a CPU
 * pause hint, and yield the CPU every so often: a userspace lock holder can
 * be descheduled, which a kernel spinlock holder cannot, and on a 2-CPU
 * machine pure spinning would then burn the holder's time slice. The yield
 * is counted as emulation (sched.h): a kernel spinlock would not need it.
 */
#include "bitops.h"
#include "page.h"
#include "spinlock.h"

#define SPINS_BEFORE_YIELD 256

static inline void spin_wait(unsigned int *spins)
{
	if (++*spins % SPINS_BEFORE_YIELD == 0)
		zpb_sched_yield();
	else
		cpu_relax();
}

void zpb_spin_lock_slow(spinlock_t *lock)
{
	unsigned int spins = 0;

	for (;;) {
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			spin_wait(&spins);
		if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) == 0)
			return;
	}
}

static int read_trylock_raw(rwlock_t *lock)
{
	int c = __atomic_load_n(&lock->cnt, __ATOMIC_RELAXED);

	while (!(c & (ZPB_RW_WRITER | ZPB_RW_WAITING))) {
		if (__atomic_compare_exchange_n(&lock->cnt, &c, c + 1, true,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return 1;
	}
	return 0;
}

int zpb_read_trylock_at(rwlock_t *lock, struct zpb_lock_site *site)
{
	if (!read_trylock_raw(lock))
		return 0;
	if (ZPB_LOCKSTAT_ON())
		zpb_lockstat_acquired(lock, site, 0);
	return 1;
}

void zpb_read_lock_at(rwlock_t *lock, struct zpb_lock_site *site)
{
	unsigned int spins = 0;
	uint64_t wait = 0;

	if (!read_trylock_raw(lock)) {
		if (ZPB_LOCKSTAT_ON())
			wait = zpb_lockstat_now();
		while (!read_trylock_raw(lock))
			spin_wait(&spins);
	}
	if (ZPB_LOCKSTAT_ON())
		zpb_lockstat_acquired(lock, site, wait);
}

void read_unlock(rwlock_t *lock)
{
	if (ZPB_LOCKSTAT_ON())
		zpb_lockstat_release(lock);
	__atomic_fetch_sub(&lock->cnt, 1, __ATOMIC_RELEASE);
}

static int write_trylock_raw(rwlock_t *lock)
{
	int c = __atomic_load_n(&lock->cnt, __ATOMIC_RELAXED);

	while (!(c & (ZPB_RW_WRITER | ZPB_RW_READERS))) {
		if (__atomic_compare_exchange_n(&lock->cnt, &c, ZPB_RW_WRITER, true,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return 1;
	}
	return 0;
}

int zpb_write_trylock_at(rwlock_t *lock, struct zpb_lock_site *site)
{
	if (!write_trylock_raw(lock))
		return 0;
	if (ZPB_LOCKSTAT_ON())
		zpb_lockstat_acquired(lock, site, 0);
	return 1;
}

void zpb_write_lock_at(rwlock_t *lock, struct zpb_lock_site *site)
{
	unsigned int spins = 0;
	uint64_t wait = 0;

	for (;;) {
		int c = __atomic_load_n(&lock->cnt, __ATOMIC_RELAXED);

		if (!(c & (ZPB_RW_WRITER | ZPB_RW_READERS))) {
			/* Free, or only our (or another writer's) waiting bit. */
			if (__atomic_compare_exchange_n(&lock->cnt, &c, ZPB_RW_WRITER, true,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				break;
			continue;
		}
		if (!wait && ZPB_LOCKSTAT_ON())
			wait = zpb_lockstat_now();
		if (!(c & ZPB_RW_WAITING))
			__atomic_fetch_or(&lock->cnt, ZPB_RW_WAITING, __ATOMIC_RELAXED);
		spin_wait(&spins);
	}
	if (ZPB_LOCKSTAT_ON())
		zpb_lockstat_acquired(lock, site, wait);
}

void write_unlock(rwlock_t *lock)
{
	if (ZPB_LOCKSTAT_ON())
		zpb_lockstat_release(lock);
	__atomic_fetch_and(&lock->cnt, ~ZPB_RW_WRITER, __ATOMIC_RELEASE);
}

void bit_spin_lock(int bitnum, unsigned long *addr)
{
	unsigned int spins = 0;

	while (test_and_set_bit_lock(bitnum, addr)) {
		while (test_bit(bitnum, addr))
			spin_wait(&spins);
	}
}

void lock_page(struct page *page)
{
	unsigned int spins = 0;

	while (!trylock_page(page))
		spin_wait(&spins);
}
