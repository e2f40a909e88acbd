/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Basic kernel types, helpers and constants for the userspace ports.
 *
 * The ports (z3fold/, zbud/, allocators/zsmalloc.c) are written against the
 * kernel's vocabulary so that each function reads beside its original. This
 * header supplies the small, header-only part of that vocabulary.
 */
#ifndef ZPB_KERNEL_TYPES_H
#define ZPB_KERNEL_TYPES_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef int32_t s32;
typedef unsigned int gfp_t;
typedef unsigned int isolate_mode_t;

/*
 * The page geometry is chosen at run time, once, before any page is
 * allocated (zpb_set_page_size() in page.h): 4K (x86-64, the default), 16K
 * or 64K (arm64). Every port's chunk and class arithmetic derives from it,
 * so PAGE_SHIFT reads the variable. PAGE_SIZE stays 1UL << PAGE_SHIFT so
 * that the compiler still turns a division or remainder by it into a shift
 * or a mask. PAGE_SIZE_MAX sizes static buffers that must hold any page.
 */
extern unsigned int zpb_page_shift;
#define PAGE_SHIFT ((unsigned int)zpb_page_shift)
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
/*
 * A port whose hot paths use the page geometry often (chunk loops) reads
 * it from a file-local copy instead: a static the compiler knows no
 * pointer reaches, so a store does not force a reload the way it does for
 * the global. The port #undefs PAGE_SHIFT, defines it as its copy, and
 * sets the copy from zpb_page_shift when it creates a pool.
 */
#define PAGE_SHIFT_MIN 12
#define PAGE_SHIFT_MAX 16
#define PAGE_SIZE_MAX (1UL << PAGE_SHIFT_MAX)
#define BITS_PER_LONG 64
#define BITS_PER_BYTE 8

/* gfp flags: only their presence is modelled; the arena ignores most. */
#define __GFP_HIGHMEM 0x02u
#define __GFP_MOVABLE 0x08u
#define __GFP_NORETRY 0x1000u
#define __GFP_NOWARN 0x200u
#define __GFP_NOMEMALLOC 0x10000u
#define __GFP_KSWAPD_RECLAIM 0x800u
#define __GFP_DIRECT_RECLAIM 0x400u
#define __GFP_ZERO 0x100u
#define __GFP_IO 0x40u
#define __GFP_FS 0x80u
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC (__GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOIO (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

/* May the allocation sleep (and so reclaim directly)? As <linux/gfp.h>. */
static inline bool gfpflags_allow_blocking(gfp_t gfp) { return !!(gfp & __GFP_DIRECT_RECLAIM); }

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define __must_check __attribute__((warn_unused_result))
#define __maybe_unused __attribute__((unused))
#define __percpu
#define __init
#define __exit
#define __read_mostly

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define round_up(x, y) ((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y) ((x) & ~((__typeof__(x))((y) - 1)))
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define BIT(n) (1UL << (n))
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON: " #cond)

#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define barrier() __asm__ __volatile__("" ::: "memory")
#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

/* Error pointers, as in <linux/err.h>. */
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR(ptr); }


/* cond_resched(), might_sleep() and the emulation counters. */
#include "sched.h"

#endif
