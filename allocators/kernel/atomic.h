/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * atomic_t, atomic64_t and atomic_long_t on the GCC __atomic builtins.
 *
 * Value-returning operations are fully ordered and the plain read/set are
 * relaxed, matching the kernel's memory-barriers.txt contract closely enough
 * for the ports, and visible to ThreadSanitizer as real atomics.
 */
#ifndef ZPB_KERNEL_ATOMIC_H
#define ZPB_KERNEL_ATOMIC_H

#include "types.h"

typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
typedef struct { long counter; } atomic_long_t;

#define ATOMIC_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }

#define ZPB_DEFINE_ATOMIC_OPS(pfx, type, ctype)						\
static inline ctype pfx##_read(const type *v) { return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); } \
static inline void pfx##_set(type *v, ctype i) { __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_add(ctype i, type *v) { __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_sub(ctype i, type *v) { __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_inc(type *v) { pfx##_add(1, v); }					\
static inline void pfx##_dec(type *v) { pfx##_sub(1, v); }					\
static inline ctype pfx##_add_return(ctype i, type *v) { return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline ctype pfx##_sub_return(ctype i, type *v) { return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline ctype pfx##_inc_return(type *v) { return pfx##_add_return(1, v); }		\
static inline ctype pfx##_dec_return(type *v) { return pfx##_sub_return(1, v); }		\
static inline bool pfx##_dec_and_test(type *v) { return pfx##_sub_return(1, v) == 0; }		\
static inline bool pfx##_inc_and_test(type *v) { return pfx##_add_return(1, v) == 0; }		\
static inline ctype pfx##_xchg(type *v, ctype n) { return __atomic_exchange_n(&v->counter, n, __ATOMIC_SEQ_CST); } \
static inline ctype pfx##_cmpxchg(type *v, ctype o, ctype n)				\
{ __atomic_compare_exchange_n(&v->counter, &o, n, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); return o; } \
static inline bool pfx##_add_unless(type *v, ctype a, ctype u)					\
{												\
	ctype c = pfx##_read(v);								\
	do {											\
		if (c == u)									\
			return false;								\
	} while (!__atomic_compare_exchange_n(&v->counter, &c, c + a, false,			\
					      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));		\
	return true;										\
}

ZPB_DEFINE_ATOMIC_OPS(atomic, atomic_t, int)
ZPB_DEFINE_ATOMIC_OPS(atomic64, atomic64_t, s64)
ZPB_DEFINE_ATOMIC_OPS(atomic_long, atomic_long_t, long)

#define atomic_inc_not_zero(v) atomic_add_unless((v), 1, 0)

#endif
