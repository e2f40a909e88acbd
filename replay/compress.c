// SPDX-License-Identifier: GPL-2.0-only
/* The codecs of replay --compress, as the kernel's crypto drivers run them. See compress.h. */
#include <errno.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "config.h"
#include "compress.h"
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

/* crypto/deflate.c: DEFLATE_DEF_LEVEL, DEFLATE_DEF_WINBITS (raw: negative), DEFLATE_DEF_MEMLEVEL. */
#define DEFLATE_DEF_LEVEL (-1)	/* Z_DEFAULT_COMPRESSION */
#define DEFLATE_DEF_WINBITS 11
#define DEFLATE_DEF_MEMLEVEL 9	/* MAX_MEM_LEVEL */

static const char codec_list[] = "lz4, lzo, zstd[:LEVEL] or deflate";

int zpb_codec_parse(const char *s, struct zpb_codec *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (!strcmp(s, "lz4")) {
		c->algo = ZPB_CODEC_LZ4;
	} else if (!strcmp(s, "lzo")) {
		c->algo = ZPB_CODEC_LZO;
	} else if (!strcmp(s, "lzo-rle")) {
		/* port: refused rather than approximated (docs/replay.md, "Compression"). */
		snprintf(err, errlen,
			 "--compress lzo-rle: not available: it is the kernel's own LZO1X variant (lib/lzo/, bitstream version 1 with zero-run encoding), which liblzo2 does not implement; use lzo (the same matcher without the runs)");
		return -1;
	} else if (!strncmp(s, "zstd", 4) && (s[4] == '\0' || s[4] == ':')) {
		c->algo = ZPB_CODEC_ZSTD;
		c->level = 3;	/* crypto/zstd.c: ZSTD_DEF_LEVEL */
		if (s[4] == ':') {
			char *end;
			long v;

			errno = 0;
			v = strtol(s + 5, &end, 10);
			if (errno || end == s + 5 || *end || v < 1 || v > 19) {
				snprintf(err, errlen, "--compress %s: the zstd level must be 1..19", s);
				return -1;
			}
			c->level = (int)v;
		}
	} else if (!strcmp(s, "deflate")) {
#ifdef HAVE_ZLIB
		c->algo = ZPB_CODEC_DEFLATE;
		c->level = DEFLATE_DEF_LEVEL;
#else
		snprintf(err, errlen, "--compress deflate: this build has no zlib (apt-get install zlib1g-dev, then ./configure)");
		return -1;
#endif
	} else {
		snprintf(err, errlen, "--compress: unknown codec '%s' (%s)", s, codec_list);
		return -1;
	}
	if (c->algo == ZPB_CODEC_ZSTD)
		snprintf(c->name, sizeof(c->name), "zstd:%d", c->level);
	else
		snprintf(c->name, sizeof(c->name), "%s", s);
	return 0;
}

int zpb_codec_ctx_init(struct zpb_codec_ctx *x, const struct zpb_codec *c, char *err, size_t errlen)
{
	memset(x, 0, sizeof(*x));
	pthread_mutex_init(&x->mutex, NULL);
	x->codec = c;
	x->buffer = aligned_alloc(64, ZPB_CODEC_BUFFER);
	if (!x->buffer)
		goto oom;
	switch (c->algo) {
	case ZPB_CODEC_LZO:
		if (lzo_init() != LZO_E_OK) {
			snprintf(err, errlen, "--compress lzo: lzo_init failed");
			goto fail;
		}
		x->work = malloc(LZO1X_1_MEM_COMPRESS);
		if (!x->work)
			goto oom;
		break;
	case ZPB_CODEC_ZSTD:
		x->zc = ZSTD_createCCtx();
		x->zd = ZSTD_createDCtx();
		if (!x->zc || !x->zd)
			goto oom;
		break;
	case ZPB_CODEC_DEFLATE:
#ifdef HAVE_ZLIB
		x->def = calloc(1, sizeof(z_stream));
		x->inf = calloc(1, sizeof(z_stream));
		if (!x->def || !x->inf)
			goto oom;
		if (deflateInit2((z_stream *)x->def, c->level, Z_DEFLATED, -DEFLATE_DEF_WINBITS,
				 DEFLATE_DEF_MEMLEVEL, Z_DEFAULT_STRATEGY) != Z_OK ||
		    inflateInit2((z_stream *)x->inf, -DEFLATE_DEF_WINBITS) != Z_OK) {
			snprintf(err, errlen, "--compress deflate: zlib would not initialise");
			goto fail;
		}
#endif
		break;
	default:
		break;
	}
	return 0;
oom:
	snprintf(err, errlen, "--compress %s: out of memory for a per-CPU context", c->name);
fail:
	zpb_codec_ctx_destroy(x);
	return -1;
}

void zpb_codec_ctx_destroy(struct zpb_codec_ctx *x)
{
	if (!x->codec)
		return;
	free(x->buffer);
	free(x->work);
	ZSTD_freeCCtx(x->zc);
	ZSTD_freeDCtx(x->zd);
#ifdef HAVE_ZLIB
	if (x->def) {
		deflateEnd((z_stream *)x->def);
		free(x->def);
	}
	if (x->inf) {
		inflateEnd((z_stream *)x->inf);
		free(x->inf);
	}
#endif
	pthread_mutex_destroy(&x->mutex);
	memset(x, 0, sizeof(*x));
}

long zpb_codec_compress(struct zpb_codec_ctx *x, const void *src, size_t len)
{
	switch (x->codec->algo) {
	case ZPB_CODEC_LZ4: {
		int n = LZ4_compress_default(src, (char *)x->buffer, (int)len, ZPB_CODEC_BUFFER);

		return n > 0 ? n : -1;
	}
	case ZPB_CODEC_LZO: {
		lzo_uint n = ZPB_CODEC_BUFFER;

		return lzo1x_1_compress(src, len, x->buffer, &n, x->work) == LZO_E_OK ? (long)n : -1;
	}
	case ZPB_CODEC_ZSTD: {
		size_t n = ZSTD_compressCCtx(x->zc, x->buffer, ZPB_CODEC_BUFFER, src, len, x->codec->level);

		return ZSTD_isError(n) ? -1 : (long)n;
	}
	case ZPB_CODEC_DEFLATE: {
#ifdef HAVE_ZLIB
		z_stream *z = x->def;

		if (deflateReset(z) != Z_OK)
			return -1;
		z->next_in = (Bytef *)src;
		z->avail_in = (uInt)len;
		z->next_out = x->buffer;
		z->avail_out = ZPB_CODEC_BUFFER;
		if (deflate(z, Z_FINISH) != Z_STREAM_END)
			return -1;
		return (long)z->total_out;
#else
		return -1;
#endif
	}
	case ZPB_CODEC_NONE:
		break;
	}
	return -1;
}

int zpb_codec_decompress(struct zpb_codec_ctx *x, const void *src, size_t slen, void *dst, size_t dlen)
{
	switch (x->codec->algo) {
	case ZPB_CODEC_LZ4:
		return LZ4_decompress_safe(src, dst, (int)slen, (int)dlen) == (int)dlen ? 0 : -1;
	case ZPB_CODEC_LZO: {
		lzo_uint n = dlen;

		return lzo1x_decompress_safe(src, slen, dst, &n, NULL) == LZO_E_OK && n == dlen ? 0 : -1;
	}
	case ZPB_CODEC_ZSTD: {
		size_t n = ZSTD_decompressDCtx(x->zd, dst, dlen, src, slen);

		return !ZSTD_isError(n) && n == dlen ? 0 : -1;
	}
	case ZPB_CODEC_DEFLATE: {
#ifdef HAVE_ZLIB
		z_stream *z = x->inf;

		if (inflateReset(z) != Z_OK)
			return -1;
		z->next_in = (Bytef *)src;
		z->avail_in = (uInt)slen;
		z->next_out = dst;
		z->avail_out = (uInt)dlen;
		return inflate(z, Z_FINISH) == Z_STREAM_END && z->total_out == dlen ? 0 : -1;
#else
		return -1;
#endif
	}
	case ZPB_CODEC_NONE:
		break;
	}
	return -1;
}
