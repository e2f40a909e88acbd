/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The binary trace form's layout, shared by its reader and writer. The
 * specification, with byte diagrams, is docs/trace-format.md; keep the two
 * in step.
 */
#ifndef ZPB_TRACES_BINARY_FORMAT_H
#define ZPB_TRACES_BINARY_FORMAT_H

#include <stdint.h>

#include "trace.h"

/* A non-ASCII first byte keeps text and binary apart, as PNG's does. */
#define ZPB_BIN_MAGIC "\x89ZPBTRC\n"
#define ZPB_BIN_MAGIC_LEN 8

/* Fixed header fields, little-endian, at these byte offsets. */
#define ZPB_BIN_OFF_VERSION 8		/* u32 */
#define ZPB_BIN_OFF_HDRSIZE 12		/* u32: offset of the first record */
#define ZPB_BIN_OFF_PAGESIZE 16		/* u32 */
#define ZPB_BIN_OFF_FLAGS 20		/* u32: 0 in version 1 */
#define ZPB_BIN_OFF_COUNT 24		/* u64: records, patched at finish */
#define ZPB_BIN_OFF_STRINGS 32		/* u16 length + bytes: compressor, then source */
#define ZPB_BIN_HDR_MAX 4096		/* a larger header_size is corrupt */

/* Record tag byte. */
#define ZPB_TAG_OP_MASK 0x07
#define ZPB_TAG_CPU 0x08		/* a varint CPU follows; else the previous record's */
#define ZPB_TAG_KEY_SHIFT 4
#define ZPB_TAG_TIME_SHIFT 6

enum zpb_key_mode {
	ZPB_KEY_DELTA = 0,	/* varint zigzag(key - previous key of this op) */
	ZPB_KEY_NEXT = 1,	/* previous key of this op + 1 */
	ZPB_KEY_RECENT = 2,	/* one byte d in 1..255: the d-th most recent key */
	ZPB_KEY_LAST = 3,	/* the most recent key of any op */
};

enum zpb_time_mode {
	ZPB_TIME_SAME = 0,	/* the previous record's time */
	ZPB_TIME_REPEAT = 1,	/* previous time + the previous record's delta */
	ZPB_TIME_FORWARD = 2,	/* varint delta forward */
	ZPB_TIME_BACKWARD = 3,	/* varint delta backward (a clock that went back) */
};

/*
 * Op 7 in the tag is the short STORE, the commonest record of a swap-out
 * burst in 4 bytes: no flags, the key is its CPU's previous STORE key + 1, the
 * tag's top four bits and three bytes after the CPU hold a 16-bit time
 * delta and a 12-bit length - 1 (see docs/trace-format.md).
 */
#define ZPB_TAG_SHORT_STORE 7
#define ZPB_SHORT_DELTA_MAX 0xffff
#define ZPB_SHORT_LEN_MAX 4096

/*
 * The kernel's swap allocator hands each CPU its own cluster of consecutive
 * slots (si->percpu_cluster, since 4.8), so STOREs are sequential per CPU
 * even when CPUs interleave: the previous STORE key is kept per CPU, in 64
 * slots (CPU mod 64).
 */
#define ZPB_STORE_CPUS 64

#define ZPB_RING_SIZE 256	/* recent keys; an index fits one byte */

/* Longest possible record: tag, time, cpu, key, len, flags, content, label. */
#define ZPB_BIN_RECORD_MAX (1 + 10 + 5 + 10 + 10 + 1 + 10 + 1 + ZPB_LABEL_MAX)

/* The decoder state that reader and writer both keep, record to record. */
struct zpb_bin_ctx {
	uint64_t prev_time;
	uint64_t prev_delta;	/* time - previous time, mod 2^64 */
	uint32_t prev_cpu;
	uint64_t prev_key[ZPB_OP_MAX + 1];	/* LOAD, INVALIDATE, WRITEBACK */
	uint64_t store_key[ZPB_STORE_CPUS];	/* STORE, per CPU (mod 64) */
	uint64_t ring[ZPB_RING_SIZE];
	uint8_t head;		/* ring[head] is the most recent key */
	uint64_t pushes;	/* keys pushed so far (the writer's clock) */
};

static inline void zpb_bin_push_key(struct zpb_bin_ctx *c, uint64_t key)
{
	c->head++;	/* wraps at 256 by design */
	c->ring[c->head] = key;
	c->pushes++;
}

static inline uint64_t zpb_bin_recent(const struct zpb_bin_ctx *c, unsigned int d)
{
	return c->ring[(uint8_t)(c->head - d)];
}

/* Where the key an op's DELTA and NEXT modes start from is kept. */
static inline uint64_t *zpb_bin_prev_key(struct zpb_bin_ctx *c, unsigned int op, uint32_t cpu)
{
	return op == ZPB_OP_STORE ? &c->store_key[cpu % ZPB_STORE_CPUS] : &c->prev_key[op];
}

static inline int zpb_op_has_key(unsigned int op)
{
	return op >= ZPB_OP_STORE && op <= ZPB_OP_WRITEBACK;
}

static inline void zpb_put_le(unsigned char *p, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t zpb_get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

#endif
