/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compressing 4 KiB pages as the kernel's zswap and zram would: a real
 * compressor (lz4, lzo1x-1, zstd at a level), same-filled detection, and a
 * choice of what happens to a page that does not compress.
 *
 * A struct zpb_compressor holds its work memory, so one per thread; none of
 * these functions take locks.
 */
#ifndef ZPB_CAPTURE_COMPRESS_H
#define ZPB_CAPTURE_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Pages are 4 KiB unless a capture asks for another size: the kernel's
 * PAGE_SIZE on x86 and most arm64 phones before 16K kernels. The sizes a
 * capture can cut pages into are the ones every allocator can replay
 * (replay --page-size): 4K, 16K (arm64, Android 15+) and 64K (arm64 and
 * ppc64 servers).
 */
#define ZPB_PAGE_SIZE 4096u
#define ZPB_PAGE_SIZE_MAX 65536u

static inline int zpb_capture_page_size_ok(uint64_t ps)
{
	return ps == 4096 || ps == 16384 || ps == 65536;
}

enum zpb_comp_algo {
	ZPB_COMP_LZ4,	/* LZ4_compress_default, acceleration 1, as the kernel's lz4 */
	ZPB_COMP_LZO,	/* lzo1x_1_compress, as the kernel's "lzo" (not "lzo-rle") */
	ZPB_COMP_ZSTD,	/* ZSTD_compressCCtx at a level; the kernel's default is 3 */
};

/*
 * What a page that does not compress well becomes. Each imitates one kernel:
 *
 * REJECT  zswap v5.4..v6.17 with zsmalloc: the compressed output is allocated
 *         as is, so a page is refused (zswap_reject_compress_poor, the page
 *         goes to the swap device) only when the output is larger than
 *         PAGE_SIZE; a PAGE_SIZE output is stored compressed. (zbud and
 *         z3fold refuse sizes near a page themselves, at allocation.)
 * STORE   zswap since v6.18 (zswap_compress(): "comp_ret || !dlen || dlen >=
 *         PAGE_SIZE" stores the page as is): length PAGE_SIZE, flagged
 *         incompressible.
 * HUGE    zram (v4.19 and later, zram_write_page()): comp_len >=
 *         huge_class_size stores the page whole at PAGE_SIZE (ZRAM_HUGE).
 */
enum zpb_incompressible {
	ZPB_INCOMP_REJECT,
	ZPB_INCOMP_STORE,
	ZPB_INCOMP_HUGE,
};

struct zpb_compressor;

/*
 * Parse "lz4", "lzo", "lzo1x-1" or "zstd[:LEVEL]" (LEVEL 1..19, default 3).
 * Returns a compressor ready to use, or NULL with @err naming the spec.
 */
struct zpb_compressor *zpb_compressor_new(const char *spec, char *err, size_t errlen);
void zpb_compressor_free(struct zpb_compressor *c);
/* The canonical name for a trace header: "lz4", "lzo", "zstd:3". */
const char *zpb_compressor_name(const struct zpb_compressor *c);

/*
 * Compress one page of @page_size bytes into @out (at least
 * zpb_compress_bound(page_size) bytes). Returns the compressed length, which
 * may exceed page_size for random data, or -1 with @err set.
 */
long zpb_compress_page(struct zpb_compressor *c, const void *page, size_t page_size,
		       void *out, char *err, size_t errlen);
size_t zpb_compress_bound(size_t page_size);

/*
 * True if every machine word of the page equals the first, as zswap's
 * zswap_is_page_same_filled() (v5.4..v6.11) and zram's page_same_filled()
 * test; @page must be word-aligned and @page_size a multiple of the word.
 */
int zpb_page_same_filled(const void *page, size_t page_size);

/* zsmalloc's huge_class_size, for the HUGE policy, comes from the caller (the
 * CLI asks the zsmalloc port, its one authority): traces/ knows no allocator. */

/* The outcome of zpb_page_classify(). */
struct zpb_page_class {
	int rejected;		/* not stored at all (REJECT policy) */
	uint8_t flags;		/* ZPB_STORE_SAME_FILLED / ZPB_STORE_INCOMPRESSIBLE */
	uint32_t len;		/* the STORE length: 0 if same-filled, page size if incompressible */
	long comp_len;		/* the compressor's raw output length (0 if same-filled) */
};

/*
 * Classify one page as the chosen kernel would store it: same-filled first
 * (no compression), else compress and apply @policy (@huge_class_size is
 * used by ZPB_INCOMP_HUGE only). 0, or -1 with @err set.
 */
int zpb_page_classify(struct zpb_compressor *c, const void *page, size_t page_size,
		      enum zpb_incompressible policy, unsigned int huge_class_size,
		      void *scratch, struct zpb_page_class *out, char *err, size_t errlen);

/* Parse "reject", "store" or "huge"; -1 if none. */
int zpb_incompressible_parse(const char *s);
const char *zpb_incompressible_name(enum zpb_incompressible p);

#endif
