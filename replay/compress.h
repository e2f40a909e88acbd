/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay --compress: the codec zswap runs on every store and load, with
 * Debian's libraries (liblz4, liblzo2, libzstd, zlib) set up as the
 * kernel's crypto drivers set theirs up, and per-CPU contexts as zswap keeps
 * them (struct crypto_acomp_ctx: a mutex, the compressor's state and a
 * 2 * PAGE_SIZE buffer, one per CPU).
 *
 * Locking: a context's @mutex is held across compress-and-copy-in and
 * map-and-decompress, as zswap_compress() and zswap_decompress() hold
 * acomp_ctx->mutex (v6.x); threads pinned one to a CPU never contend for it.
 */
#ifndef ZPB_REPLAY_COMPRESS_H
#define ZPB_REPLAY_COMPRESS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

enum zpb_codec_algo {
	ZPB_CODEC_NONE,		/* no --compress: the trace's lengths */
	ZPB_CODEC_LZ4,		/* crypto/lz4.c: LZ4_compress_default */
	ZPB_CODEC_LZO,		/* crypto/lzo.c: lzo1x_1_compress */
	ZPB_CODEC_ZSTD,		/* crypto/zstd.c: a frame at a level (default 3) */
	ZPB_CODEC_DEFLATE,	/* crypto/deflate.c: raw deflate, window 2^11, memLevel 9 */
};

struct zpb_codec {
	enum zpb_codec_algo algo;
	int level;		/* zstd: 1..19; deflate: zlib's default */
	char name[16];		/* "lz4", "zstd:3" */
};

/* Parse the --compress argument. 0, or -1 with @err naming the option. */
int zpb_codec_parse(const char *s, struct zpb_codec *c, char *err, size_t errlen);

#define ZPB_CODEC_BUFFER (2 * 65536)	/* zswap's acomp_ctx->buffer: 2 * PAGE_SIZE, at the largest page */

struct zpb_codec_ctx {
	pthread_mutex_t mutex;
	const struct zpb_codec *codec;
	unsigned char *buffer;		/* ZPB_CODEC_BUFFER bytes: the compressed output */
	void *work;			/* lzo work memory */
	void *zc, *zd;			/* ZSTD_CCtx, ZSTD_DCtx */
	void *def, *inf;		/* z_stream for deflate and inflate */
} __attribute__((aligned(64)));

int zpb_codec_ctx_init(struct zpb_codec_ctx *x, const struct zpb_codec *c, char *err, size_t errlen);
void zpb_codec_ctx_destroy(struct zpb_codec_ctx *x);
/*
 * Compress one page of @len bytes into x->buffer. Returns the compressed
 * length (which may exceed @len), or -1 if the codec failed (as the
 * kernel's crypto_acomp_compress() error).
 */
long zpb_codec_compress(struct zpb_codec_ctx *x, const void *src, size_t len);
/* Decompress @slen bytes into @dst; 0 if exactly @dlen bytes came out, else -1. */
int zpb_codec_decompress(struct zpb_codec_ctx *x, const void *src, size_t slen, void *dst, size_t dlen);

#endif
