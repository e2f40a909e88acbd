/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page-content files: the bytes of the pages a trace's STOREs refer to with
 * `page=N` (ZPB_STORE_PAGEREF), kept beside the trace as TRACE.pages. The
 * format (docs/trace-format.md, "Page contents") is a fixed header and one
 * zstd stream of the pages back to back, with a SHA-256 of the uncompressed
 * bytes in the header: versioned, checksummed, and read as a stream in fixed
 * memory (the decoder's window is bounded, whatever the page count).
 *
 * Locking: none; one reader or writer per thread.
 */
#ifndef ZPB_TRACES_PAGES_H
#define ZPB_TRACES_PAGES_H

#include <stddef.h>
#include <stdint.h>

#define ZPB_PAGES_VERSION 1
#define ZPB_PAGES_HEADER_SIZE 64
#define ZPB_PAGES_SUFFIX ".pages"

struct zpb_pages_info {
	uint32_t version;
	uint32_t page_size;
	uint64_t page_count;
	uint64_t file_bytes;		/* the file's size: header and zstd stream */
	char sha256[65];		/* of the uncompressed pages, as recorded in the header */
};

/* The content file that goes with @trace_path: "@trace_path.pages". -1 if it does not fit. */
int zpb_pages_path(const char *trace_path, char *out, size_t outlen);

struct zpb_pages_writer;
/*
 * Write a content file at @path atomically (a temporary beside it, renamed
 * by a successful finish). NULL with @err naming the file.
 */
struct zpb_pages_writer *zpb_pages_writer_open(const char *path, uint32_t page_size,
					       char *err, size_t errlen);
/* Append one page of page_size bytes; its index is the count before the call. 0 or -1. */
int zpb_pages_write(struct zpb_pages_writer *w, const void *page, char *err, size_t errlen);
uint64_t zpb_pages_writer_count(const struct zpb_pages_writer *w);
/* End the stream, patch count and checksum, rename over the path, free @w. 0 or -1. */
int zpb_pages_writer_finish(struct zpb_pages_writer *w, char *err, size_t errlen);
/* Drop the temporary; the path is left as it was. */
void zpb_pages_writer_abort(struct zpb_pages_writer *w);

struct zpb_pages_reader;
/* Open and check the header. NULL with @err ("FILE: message"). */
struct zpb_pages_reader *zpb_pages_open(const char *path, char *err, size_t errlen);
const struct zpb_pages_info *zpb_pages_reader_info(const struct zpb_pages_reader *r);
/*
 * The next page into @page (page_size bytes): 1, 0 after the last page once
 * the stream's end and the checksum are verified, -1 on error ("FILE: page
 * N: message": truncated, corrupt, checksum mismatch, trailing bytes).
 */
int zpb_pages_next(struct zpb_pages_reader *r, void *page, char *err, size_t errlen);
void zpb_pages_close(struct zpb_pages_reader *r);

/*
 * Every page of a content file in memory, for replay (which needs page N
 * for any N): page_count * page_size bytes. Read through the streaming
 * reader, so the file is verified whole before it is used.
 */
struct zpb_page_set {
	unsigned char *data;
	struct zpb_pages_info info;
	char path[4096];
};

int zpb_page_set_load(struct zpb_page_set *s, const char *path, char *err, size_t errlen);
static inline const unsigned char *zpb_page_set_page(const struct zpb_page_set *s, uint64_t n)
{
	return s->data + n * s->info.page_size;
}
void zpb_page_set_free(struct zpb_page_set *s);

/* Copy the content file @in to @out (verifying it on the way). 0 or -1. */
int zpb_pages_copy(const char *in, const char *out, char *err, size_t errlen);

#endif
