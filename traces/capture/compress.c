// SPDX-License-Identifier: GPL-2.0-only
/* Page compression with liblz4, liblzo2 and libzstd, and the kernels' page policies. */
#include <errno.h>
#include <limits.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "../trace.h"
#include "compress.h"

struct zpb_compressor {
	enum zpb_comp_algo algo;
	int level;		/* zstd only */
	char name[16];
	void *work;		/* lzo work memory */
	ZSTD_CCtx *zctx;
};

struct zpb_compressor *zpb_compressor_new(const char *spec, char *err, size_t errlen)
{
	struct zpb_compressor *c;
	const char *colon;

	if (!spec) {
		snprintf(err, errlen, "no compressor given (lz4, lzo or zstd[:LEVEL])");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "compressor '%s': out of memory", spec);
		return NULL;
	}
	colon = strchr(spec, ':');
	if (!strcmp(spec, "lz4")) {
		c->algo = ZPB_COMP_LZ4;
		strcpy(c->name, "lz4");
	} else if (!strcmp(spec, "lzo") || !strcmp(spec, "lzo1x-1")) {
		c->algo = ZPB_COMP_LZO;
		strcpy(c->name, "lzo");
		if (lzo_init() != LZO_E_OK) {
			snprintf(err, errlen, "compressor '%s': lzo_init failed", spec);
			goto fail;
		}
		c->work = malloc(LZO1X_1_MEM_COMPRESS);
		if (!c->work) {
			snprintf(err, errlen, "compressor '%s': out of memory", spec);
			goto fail;
		}
	} else if (!strncmp(spec, "zstd", 4) && (spec[4] == '\0' || spec[4] == ':')) {
		char *end;
		long level = 3;	/* the kernel's ZSTD_DEF_LEVEL (crypto/zstd.c) */

		if (colon) {
			errno = 0;
			level = strtol(colon + 1, &end, 10);
			if (errno || end == colon + 1 || *end || level < 1 || level > 19) {
				snprintf(err, errlen, "compressor '%s': zstd level must be 1..19", spec);
				goto fail;
			}
		}
		c->algo = ZPB_COMP_ZSTD;
		c->level = (int)level;
		snprintf(c->name, sizeof(c->name), "zstd:%d", c->level);
		c->zctx = ZSTD_createCCtx();
		if (!c->zctx) {
			snprintf(err, errlen, "compressor '%s': out of memory", spec);
			goto fail;
		}
	} else {
		snprintf(err, errlen, "unknown compressor '%s' (lz4, lzo or zstd[:LEVEL])", spec);
		goto fail;
	}
	return c;
fail:
	zpb_compressor_free(c);
	return NULL;
}

void zpb_compressor_free(struct zpb_compressor *c)
{
	if (!c)
		return;
	free(c->work);
	ZSTD_freeCCtx(c->zctx);
	free(c);
}

const char *zpb_compressor_name(const struct zpb_compressor *c)
{
	return c->name;
}

size_t zpb_compress_bound(size_t page_size)
{
	size_t lz4 = (size_t)LZ4_compressBound((int)page_size);
	size_t zstd = ZSTD_compressBound(page_size);
	size_t lzo = page_size + page_size / 16 + 64 + 3;	/* liblzo2's documented worst case */
	size_t m = lz4 > zstd ? lz4 : zstd;

	return m > lzo ? m : lzo;
}

long zpb_compress_page(struct zpb_compressor *c, const void *page, size_t page_size,
		       void *out, char *err, size_t errlen)
{
	size_t bound = zpb_compress_bound(page_size);

	switch (c->algo) {
	case ZPB_COMP_LZ4: {
		int n = LZ4_compress_default(page, out, (int)page_size, (int)bound);

		if (n <= 0)
			break;
		return n;
	}
	case ZPB_COMP_LZO: {
		lzo_uint n = bound;

		if (lzo1x_1_compress(page, page_size, out, &n, c->work) != LZO_E_OK)
			break;
		return (long)n;
	}
	case ZPB_COMP_ZSTD: {
		size_t n = ZSTD_compressCCtx(c->zctx, out, bound, page, page_size, c->level);

		if (ZSTD_isError(n)) {
			snprintf(err, errlen, "%s: %s", c->name, ZSTD_getErrorName(n));
			return -1;
		}
		return (long)n;
	}
	}
	snprintf(err, errlen, "%s: compression failed", c->name);
	return -1;
}

int zpb_page_same_filled(const void *page, size_t page_size)
{
	const unsigned long *w = page;
	size_t i, n = page_size / sizeof(*w);

	/* Like the kernel, look at the last word first: most pages fail fast. */
	if (w[n - 1] != w[0])
		return 0;
	for (i = 1; i < n - 1; i++)
		if (w[i] != w[0])
			return 0;
	return 1;
}

int zpb_page_classify(struct zpb_compressor *c, const void *page, size_t page_size,
		      enum zpb_incompressible policy, unsigned int huge_class_size,
		      void *scratch, struct zpb_page_class *out, char *err, size_t errlen)
{
	long n;

	memset(out, 0, sizeof(*out));
	if (zpb_page_same_filled(page, page_size)) {
		/* zswap keeps no data for it: entry->length is 0 (v5.4..v6.11). */
		out->flags = ZPB_STORE_SAME_FILLED;
		out->len = 0;
		return 0;
	}
	n = zpb_compress_page(c, page, page_size, scratch, err, errlen);
	if (n < 0)
		return -1;
	out->comp_len = n;
	out->len = (uint32_t)n;
	switch (policy) {
	case ZPB_INCOMP_REJECT:
		if ((size_t)n > page_size)
			out->rejected = 1;
		break;
	case ZPB_INCOMP_STORE:
		if ((size_t)n >= page_size) {
			out->len = (uint32_t)page_size;
			out->flags = ZPB_STORE_INCOMPRESSIBLE;
		}
		break;
	case ZPB_INCOMP_HUGE:
		if ((unsigned long)n >= huge_class_size) {
			out->len = (uint32_t)page_size;
			out->flags = ZPB_STORE_INCOMPRESSIBLE;
		}
		break;
	}
	return 0;
}

int zpb_incompressible_parse(const char *s)
{
	if (!strcmp(s, "reject"))
		return ZPB_INCOMP_REJECT;
	if (!strcmp(s, "store"))
		return ZPB_INCOMP_STORE;
	if (!strcmp(s, "huge"))
		return ZPB_INCOMP_HUGE;
	return -1;
}

const char *zpb_incompressible_name(enum zpb_incompressible p)
{
	static const char *const names[] = { "reject", "store", "huge" };

	return (unsigned int)p < 3 ? names[p] : "?";
}
