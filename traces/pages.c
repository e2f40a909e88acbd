// SPDX-License-Identifier: GPL-2.0-only
/* Page-content files: a header and one zstd stream of pages. See pages.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "../util/atomic_file.h"
#include "binary_format.h"
#include "../util/sha256.h"
#include "pages.h"

static const unsigned char pages_magic[8] = { 0x89, 'Z', 'P', 'B', 'P', 'G', 'S', '\n' };

/*
 * The encoder's window, and the most the decoder accepts: 1 MiB, so reading
 * takes the same memory (about 1.2 MiB with zstd's buffers) however many
 * pages the file holds.
 */
#define PAGES_WINDOW_LOG 20
#define PAGES_LEVEL 3

int zpb_pages_path(const char *trace_path, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s%s", trace_path, ZPB_PAGES_SUFFIX);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

struct zpb_pages_writer {
	struct zpb_atomic_file af;
	ZSTD_CCtx *cctx;
	struct zpb_sha256 sha;
	uint32_t page_size;
	uint64_t count;
	unsigned char *out;
	size_t outsize;
	bool failed;
};

static int pw_flush(struct zpb_pages_writer *w, ZSTD_inBuffer *in, ZSTD_EndDirective mode,
		    char *err, size_t errlen)
{
	size_t left;

	do {
		ZSTD_outBuffer ob = { w->out, w->outsize, 0 };

		left = ZSTD_compressStream2(w->cctx, &ob, in, mode);
		if (ZSTD_isError(left)) {
			snprintf(err, errlen, "%s: zstd: %s", w->af.path, ZSTD_getErrorName(left));
			return -1;
		}
		if (ob.pos && fwrite(w->out, 1, ob.pos, w->af.f) != ob.pos) {
			snprintf(err, errlen, "%s: write failed: %s", w->af.path, strerror(errno));
			return -1;
		}
	} while (mode == ZSTD_e_end ? left != 0 : in->pos < in->size);
	return 0;
}

struct zpb_pages_writer *zpb_pages_writer_open(const char *path, uint32_t page_size,
					       char *err, size_t errlen)
{
	struct zpb_pages_writer *w = calloc(1, sizeof(*w));
	unsigned char hdr[ZPB_PAGES_HEADER_SIZE] = { 0 };

	if (!w) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (zpb_atomic_open(&w->af, path, err, errlen)) {
		free(w);
		return NULL;
	}
	w->page_size = page_size;
	w->outsize = ZSTD_CStreamOutSize();
	w->out = malloc(w->outsize);
	w->cctx = ZSTD_createCCtx();
	if (!w->out || !w->cctx) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, PAGES_LEVEL);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_windowLog, PAGES_WINDOW_LOG);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	zpb_sha256_init(&w->sha);
	/* The header with count and checksum zero: finish patches them in. */
	memcpy(hdr, pages_magic, 8);
	zpb_put_le(hdr + 8, ZPB_PAGES_VERSION, 4);
	zpb_put_le(hdr + 12, ZPB_PAGES_HEADER_SIZE, 4);
	zpb_put_le(hdr + 16, page_size, 4);
	zpb_put_le(hdr + 20, 0, 4);
	if (fwrite(hdr, 1, sizeof(hdr), w->af.f) != sizeof(hdr)) {
		snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
		goto fail;
	}
	return w;
fail:
	zpb_pages_writer_abort(w);
	return NULL;
}

int zpb_pages_write(struct zpb_pages_writer *w, const void *page, char *err, size_t errlen)
{
	ZSTD_inBuffer in = { page, w->page_size, 0 };

	if (w->failed) {
		snprintf(err, errlen, "%s: an earlier write failed", w->af.path);
		return -1;
	}
	if (pw_flush(w, &in, ZSTD_e_continue, err, errlen)) {
		w->failed = true;
		return -1;
	}
	zpb_sha256_update(&w->sha, page, w->page_size);
	w->count++;
	return 0;
}

uint64_t zpb_pages_writer_count(const struct zpb_pages_writer *w)
{
	return w->count;
}

int zpb_pages_writer_finish(struct zpb_pages_writer *w, char *err, size_t errlen)
{
	ZSTD_inBuffer in = { NULL, 0, 0 };
	unsigned char patch[40];
	uint8_t digest[32];
	int ret = -1;

	if (w->failed) {
		snprintf(err, errlen, "%s: an earlier write failed", w->af.path);
		goto out;
	}
	if (pw_flush(w, &in, ZSTD_e_end, err, errlen))
		goto out;
	zpb_sha256_final(&w->sha, digest);
	zpb_put_le(patch, w->count, 8);
	memcpy(patch + 8, digest, 32);
	if (fseek(w->af.f, 24, SEEK_SET) != 0 || fwrite(patch, 1, sizeof(patch), w->af.f) != sizeof(patch)) {
		snprintf(err, errlen, "%s: write failed: %s", w->af.path, strerror(errno));
		goto out;
	}
	ret = zpb_atomic_commit(&w->af, err, errlen);
	w->af.f = NULL;
out:
	zpb_pages_writer_abort(w);
	return ret;
}

void zpb_pages_writer_abort(struct zpb_pages_writer *w)
{
	if (!w)
		return;
	if (w->af.f)
		zpb_atomic_abort(&w->af);
	ZSTD_freeCCtx(w->cctx);
	free(w->out);
	free(w);
}

struct zpb_pages_reader {
	FILE *f;
	char *name;
	struct zpb_pages_info info;
	uint8_t want[32];
	ZSTD_DCtx *dctx;
	unsigned char *in;
	ZSTD_inBuffer ib;
	size_t insize;
	bool eof, frame_done, failed;
	uint64_t pos;
	struct zpb_sha256 sha;
};

static int pr_fail(struct zpb_pages_reader *r, char *err, size_t errlen, const char *msg)
{
	r->failed = true;
	if (r->pos < r->info.page_count)
		snprintf(err, errlen, "%s: page %llu of %llu: %s", r->name,
			 (unsigned long long)r->pos + 1, (unsigned long long)r->info.page_count, msg);
	else
		snprintf(err, errlen, "%s: %s", r->name, msg);
	return -1;
}

struct zpb_pages_reader *zpb_pages_open(const char *path, char *err, size_t errlen)
{
	struct zpb_pages_reader *r = calloc(1, sizeof(*r));
	unsigned char hdr[ZPB_PAGES_HEADER_SIZE];
	uint32_t hsize, ps;
	size_t got;

	if (!r || !(r->name = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(r);
		return NULL;
	}
	r->f = fopen(path, "rb");
	if (!r->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	got = fread(hdr, 1, sizeof(hdr), r->f);
	if (got < 12 || memcmp(hdr, pages_magic, 8) != 0) {
		snprintf(err, errlen, "%s: not a zpoolbench page-content file (bad magic)", path);
		goto fail;
	}
	r->info.version = (uint32_t)zpb_get_le(hdr + 8, 4);
	if (r->info.version != ZPB_PAGES_VERSION) {
		snprintf(err, errlen, "%s: unsupported page-content version %u (this build reads %u)",
			 path, r->info.version, ZPB_PAGES_VERSION);
		goto fail;
	}
	if (got < sizeof(hdr)) {
		snprintf(err, errlen, "%s: truncated header (%zu of %d bytes)", path, got, ZPB_PAGES_HEADER_SIZE);
		goto fail;
	}
	hsize = (uint32_t)zpb_get_le(hdr + 12, 4);
	ps = (uint32_t)zpb_get_le(hdr + 16, 4);
	if (hsize < ZPB_PAGES_HEADER_SIZE || hsize > 4096) {
		snprintf(err, errlen, "%s: header size %u is not %d..4096", path, hsize, ZPB_PAGES_HEADER_SIZE);
		goto fail;
	}
	/* Replay's pages are 4 KiB; smaller powers of two are what the trace format allows below it. */
	if (ps < 512 || ps > 65536 || (ps & (ps - 1))) {
		snprintf(err, errlen, "%s: page size %u is not a power of two from 512 to 65536", path, ps);
		goto fail;
	}
	if ((uint32_t)zpb_get_le(hdr + 20, 4) != 0) {
		snprintf(err, errlen, "%s: header flags %#x are not 0 (a later revision?)", path, (uint32_t)zpb_get_le(hdr + 20, 4));
		goto fail;
	}
	r->info.page_size = ps;
	r->info.page_count = zpb_get_le(hdr + 24, 8);
	memcpy(r->want, hdr + 32, 32);
	zpb_sha256_hex(r->want, r->info.sha256);
	if (fseek(r->f, 0, SEEK_END) == 0) {
		long end = ftell(r->f);

		r->info.file_bytes = end > 0 ? (uint64_t)end : 0;
	}
	if (fseek(r->f, (long)hsize, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	r->insize = ZSTD_DStreamInSize();
	r->in = malloc(r->insize);
	r->dctx = ZSTD_createDCtx();
	if (!r->in || !r->dctx) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	/* Fixed memory: refuse a stream that needs a larger window than ours. */
	ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_windowLogMax, PAGES_WINDOW_LOG);
	r->ib.src = r->in;
	zpb_sha256_init(&r->sha);
	return r;
fail:
	zpb_pages_close(r);
	return NULL;
}

const struct zpb_pages_info *zpb_pages_reader_info(const struct zpb_pages_reader *r)
{
	return &r->info;
}

/* Decode into @ob until it is full or the frame ends. 0, or -1 with @err. */
static int pr_decode(struct zpb_pages_reader *r, ZSTD_outBuffer *ob, char *err, size_t errlen)
{
	while (ob->pos < ob->size) {
		size_t ret;

		if (r->ib.pos == r->ib.size && !r->eof) {
			r->ib.size = fread(r->in, 1, r->insize, r->f);
			r->ib.pos = 0;
			if (r->ib.size == 0) {
				if (ferror(r->f))
					return pr_fail(r, err, errlen, strerror(errno));
				r->eof = true;
			}
		}
		if (r->frame_done)
			return 0;
		if (r->ib.pos == r->ib.size && r->eof)
			return pr_fail(r, err, errlen, "truncated (the zstd stream ends early)");
		ret = ZSTD_decompressStream(r->dctx, ob, &r->ib);
		if (ZSTD_isError(ret)) {
			char msg[128];

			snprintf(msg, sizeof(msg), "corrupt zstd stream: %s", ZSTD_getErrorName(ret));
			return pr_fail(r, err, errlen, msg);
		}
		if (ret == 0) {
			r->frame_done = true;
			return 0;
		}
	}
	return 0;
}

int zpb_pages_next(struct zpb_pages_reader *r, void *page, char *err, size_t errlen)
{
	ZSTD_outBuffer ob = { page, r->info.page_size, 0 };
	uint8_t digest[32];

	if (r->failed)
		return pr_fail(r, err, errlen, "an earlier error");
	if (r->pos < r->info.page_count) {
		if (pr_decode(r, &ob, err, errlen))
			return -1;
		if (ob.pos < ob.size)
			return pr_fail(r, err, errlen, "the stream holds fewer pages than the header's count");
		zpb_sha256_update(&r->sha, page, ob.size);
		r->pos++;
		return 1;
	}
	if (r->pos > r->info.page_count)
		return 0;
	/* After the last page: the frame must end here, the file with it, and the checksum match. */
	{
		unsigned char extra;
		ZSTD_outBuffer one = { &extra, 1, 0 };

		if (pr_decode(r, &one, err, errlen))
			return -1;
		if (one.pos)
			return pr_fail(r, err, errlen, "the stream holds more pages than the header's count");
	}
	if (r->ib.pos < r->ib.size || fgetc(r->f) != EOF)
		return pr_fail(r, err, errlen, "trailing bytes after the zstd stream");
	zpb_sha256_final(&r->sha, digest);
	if (memcmp(digest, r->want, 32) != 0)
		return pr_fail(r, err, errlen, "checksum mismatch (SHA-256 of the pages differs from the header's)");
	r->pos++;
	return 0;
}

void zpb_pages_close(struct zpb_pages_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->name);
	free(r);
}

int zpb_page_set_load(struct zpb_page_set *s, const char *path, char *err, size_t errlen)
{
	struct zpb_pages_reader *r;
	uint64_t i, n;
	int ret;

	memset(s, 0, sizeof(*s));
	r = zpb_pages_open(path, err, errlen);
	if (!r)
		return -1;
	s->info = r->info;
	snprintf(s->path, sizeof(s->path), "%s", path);
	n = s->info.page_count;
	if (n > (UINT64_C(1) << 40) / s->info.page_size ||
	    !(s->data = aligned_alloc(64, n ? n * s->info.page_size : 64))) {
		snprintf(err, errlen, "%s: cannot hold %llu pages in memory", path, (unsigned long long)n);
		zpb_pages_close(r);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (zpb_pages_next(r, s->data + i * s->info.page_size, err, errlen) != 1)
			goto fail;
	ret = zpb_pages_next(r, s->data, err, errlen);	/* the end: checks the checksum */
	if (ret != 0)
		goto fail;
	zpb_pages_close(r);
	return 0;
fail:
	zpb_pages_close(r);
	zpb_page_set_free(s);
	return -1;
}

void zpb_page_set_free(struct zpb_page_set *s)
{
	free(s->data);
	s->data = NULL;
}

int zpb_pages_copy(const char *in, const char *out, char *err, size_t errlen)
{
	struct zpb_pages_reader *r;
	struct zpb_pages_writer *w;
	unsigned char *page;
	int ret;

	if (zpb_output_is_input(out, in, err, errlen))
		return -1;
	r = zpb_pages_open(in, err, errlen);
	if (!r)
		return -1;
	page = malloc(r->info.page_size);
	w = page ? zpb_pages_writer_open(out, r->info.page_size, err, errlen) : NULL;
	if (!w) {
		if (!page)
			snprintf(err, errlen, "%s: out of memory", in);
		free(page);
		zpb_pages_close(r);
		return -1;
	}
	while ((ret = zpb_pages_next(r, page, err, errlen)) == 1)
		if (zpb_pages_write(w, page, err, errlen)) {
			ret = -1;
			break;
		}
	free(page);
	zpb_pages_close(r);
	if (ret) {
		zpb_pages_writer_abort(w);
		return -1;
	}
	return zpb_pages_writer_finish(w, err, errlen);
}
