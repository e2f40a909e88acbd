/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bit operations on unsigned long words, as in <linux/bitops.h>.
 *
 * The plain names are atomic (z3fold keeps its page state in page->private
 * with set_bit/test_and_set_bit and relies on that); the __ names are not.
 */
#ifndef ZPB_KERNEL_BITOPS_H
#define ZPB_KERNEL_BITOPS_H

#include "types.h"

#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))

static inline void set_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_or((unsigned long *)addr + BIT_WORD(nr), BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline void clear_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and((unsigned long *)addr + BIT_WORD(nr), ~BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline void clear_bit_unlock(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and((unsigned long *)addr + BIT_WORD(nr), ~BIT_MASK(nr), __ATOMIC_RELEASE);
}

static inline bool test_bit(long nr, const volatile unsigned long *addr)
{
	return (__atomic_load_n((unsigned long *)addr + BIT_WORD(nr), __ATOMIC_RELAXED) >> (nr % BITS_PER_LONG)) & 1;
}

static inline bool test_and_set_bit(long nr, volatile unsigned long *addr)
{
	return (__atomic_fetch_or((unsigned long *)addr + BIT_WORD(nr), BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr)) != 0;
}

static inline bool test_and_set_bit_lock(long nr, volatile unsigned long *addr)
{
	return (__atomic_fetch_or((unsigned long *)addr + BIT_WORD(nr), BIT_MASK(nr), __ATOMIC_ACQUIRE) & BIT_MASK(nr)) != 0;
}

static inline bool test_and_clear_bit(long nr, volatile unsigned long *addr)
{
	return (__atomic_fetch_and((unsigned long *)addr + BIT_WORD(nr), ~BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr)) != 0;
}

static inline void __set_bit(long nr, volatile unsigned long *addr) { set_bit(nr, addr); }
static inline void __clear_bit(long nr, volatile unsigned long *addr) { clear_bit(nr, addr); }

/*
 * find_first_zero_bit/find_next_zero_bit: the first clear bit at or after
 * @offset among @size bits, or @size if none. Each word is loaded atomically
 * (relaxed): zblock searches a block's slot bitmap while other CPUs set and
 * clear bits in it, as the kernel's generic find_next_bit() reads racily.
 */
static inline unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
					       unsigned long offset)
{
	while (offset < size) {
		unsigned long word = ~__atomic_load_n(addr + BIT_WORD(offset), __ATOMIC_RELAXED);

		word &= ~0UL << (offset % BITS_PER_LONG);
		if (word) {
			offset = (offset & ~(BITS_PER_LONG - 1UL)) + __builtin_ctzl(word);
			return offset < size ? offset : size;
		}
		offset = (offset | (BITS_PER_LONG - 1UL)) + 1;
	}
	return size;
}

static inline unsigned long find_first_zero_bit(const unsigned long *addr, unsigned long size)
{
	return find_next_zero_bit(addr, size, 0);
}

#define BITS_TO_LONGS(nr) DIV_ROUND_UP(nr, BITS_PER_LONG)

/* bit_spin_lock: a spinlock in one bit of a word (zsmalloc's handle pinning). */
void bit_spin_lock(int bitnum, unsigned long *addr);
static inline int bit_spin_trylock(int bitnum, unsigned long *addr)
{
	return !test_and_set_bit_lock(bitnum, addr);
}
static inline void bit_spin_unlock(int bitnum, unsigned long *addr) { clear_bit_unlock(bitnum, addr); }

static inline unsigned long __ffs(unsigned long word) { return __builtin_ctzl(word); }
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
static inline int ilog2_u64(u64 n) { return fls64(n) - 1; }
#define ilog2(n) ilog2_u64(n)
#define is_power_of_2(n) ((n) != 0 && (((n) & ((n) - 1)) == 0))

#endif
