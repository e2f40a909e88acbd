/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zblock's descriptor tables, as a function of the page size, for the pool
 * (zblock.c builds its pool's table with them) and for tests and tools that
 * work out page counts without a pool, at any supported page size.
 *
 * The kernel's mm/zblock.h fixes the table at compile time by PAGE_SIZE;
 * here zblock_table_init() computes the same entries for a page size given
 * at run time, so that the 16K table can be checked on a 4K build.
 */
#ifndef ZPB_ZBLOCK_H
#define ZPB_ZBLOCK_H

#include <stddef.h>

/* Which source's table: the latest C version (vwool/linux-mm), or v4 (April 2025). */
enum zblock_table_version {
	ZBLOCK_TABLE_LATEST,
	ZBLOCK_TABLE_V4,
};

/* The most entries a table may have: MAX_TABLE_SIZE at 4K (1 << (PAGE_SHIFT - SLOT_BITS)). */
#define ZBLOCK_MAX_TABLE_SIZE 64

/**
 * struct block_desc - one block type, as the kernel's
 * @slot_size: bytes per slot: SLOT_SIZE(), i.e. the block's pages less the
 *	header, divided by @slots_per_block, rounded down to a multiple of 8
 * @slots_per_block: objects a block of this type holds
 * @num_pages: pages per block (v4: 1 << order)
 */
struct block_desc {
	unsigned int slot_size;
	unsigned short slots_per_block;
	unsigned short num_pages;
};

/**
 * struct zblock_table - a table for one page size
 * @page_size: the page size it was computed for
 * @version: the source it follows
 * @slot_bits: SLOT_BITS: the handle's low bits that hold the slot
 * @header_size: ZBLOCK_HEADER_SIZE: sizeof(struct zblock_block) in the
 *	source, rounded up to a long, on x86-64 (it depends on SLOT_BITS)
 * @nr: entries in @desc
 * @desc: the entries, slot sizes strictly ascending
 */
struct zblock_table {
	unsigned long page_size;
	enum zblock_table_version version;
	unsigned int slot_bits;
	unsigned int header_size;
	unsigned int nr;
	struct block_desc desc[ZBLOCK_MAX_TABLE_SIZE];
};

/**
 * zblock_table_init - compute the source's table for @page_size
 *
 * Page sizes 4096 and 16384 have tables of their own; the source builds any
 * other size with its "#else" table and a "not quite supported" warning,
 * and so does this for 65536.
 *
 * Return: 0, or -EINVAL for an unsupported page size or a table the source's
 * create_rbtree() (slot sizes not ascending) or BUILD_BUG_ON (more entries
 * than MAX_TABLE_SIZE) would refuse, or whose slots would not fit its block.
 */
int zblock_table_init(struct zblock_table *t, unsigned long page_size,
		      enum zblock_table_version version);

/**
 * zblock_table_lookup - the block type zblock_alloc() picks for @size
 *
 * The source's search: type 0 below the first slot size, else the entry
 * after the one whose [slot_size, next slot_size) interval holds @size. So a
 * size equal to a slot size goes to the next type, and the last slot size
 * itself maps to @t->nr, one past the table (see docs/allocators.md).
 *
 * Return: 0..@t->nr, -EINVAL for 0 bytes, -ENOSPC above the last slot size.
 */
int zblock_table_lookup(const struct zblock_table *t, size_t size);

/* The largest size a pool of this table stores: the last slot size less one. */
size_t zblock_table_max_size(const struct zblock_table *t);

/*
 * For tests: @fn(@arg) runs inside find_and_claim_block()'s RCU reader
 * section, after it has read its type's first block and before it takes the
 * list lock: the window in which the source's race opens. NULL to clear.
 * Set it only while no other thread allocates from a zblock pool.
 */
void zblock_set_claim_hook(void (*fn)(void *arg), void *arg);

#endif
