/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the trace readers and writers share inside traces/: the reader and
 * writer objects, the bounded input buffer, and each form's entry points.
 * Not for use outside traces/.
 */
#ifndef ZPB_TRACES_INTERNAL_H
#define ZPB_TRACES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binary_format.h"
#include "../util/atomic_file.h"
#include "trace.h"

/*
 * A read buffer of fixed size over a descriptor: the whole of a reader's
 * memory for the trace's bytes, whatever the trace's length.
 */
#define ZPB_INBUF_SIZE (64 * 1024)

struct zpb_inbuf {
	int fd;
	unsigned char *buf;
	size_t pos, end;	/* unread bytes are buf[pos..end) */
	uint64_t base;		/* file offset of buf[0] */
	bool eof;
	int error;		/* errno of a failed read, else 0 */
};

/*
 * Make at least @want (<= ZPB_INBUF_SIZE) bytes available unless the file
 * ends first. Returns the bytes available, or -1 on a read error.
 */
long zpb_inbuf_fill(struct zpb_inbuf *in, size_t want);
/* The file offset of the next unread byte. */
static inline uint64_t zpb_inbuf_offset(const struct zpb_inbuf *in)
{
	return in->base + in->pos;
}
/* Drop the buffer and continue from file offset @off. 0, or -1 (errno). */
int zpb_inbuf_seek(struct zpb_inbuf *in, uint64_t off);

struct zpb_trace_reader;

/* A form gives @batch (which advances r->pos itself) or @next (one record; the caller counts it). */
struct zpb_reader_ops {
	int (*batch)(struct zpb_trace_reader *r, struct zpb_rec *out, int max, char *label,
		     char *err, size_t errlen);
	int (*next)(struct zpb_trace_reader *r, struct zpb_record *rec, char *err, size_t errlen);
	void (*reset)(struct zpb_trace_reader *r);	/* state for the first record */
};

struct zpb_trace_reader {
	const struct zpb_reader_ops *ops;
	enum zpb_trace_form form;
	struct zpb_trace_header hdr;
	char *name;
	int fd;
	bool own_fd;
	struct zpb_inbuf in;
	uint64_t data_start;	/* byte offset of the first record */
	uint64_t pos;		/* records returned */
	char *failed;		/* the first error, repeated by later calls */
	union {
		struct zpb_bin_ctx bin;
		struct {
			uint64_t line;		/* lines consumed */
			uint64_t data_line;	/* lines before the first record */
			bool count_given;	/* the header had "# records" */
			unsigned int keys_seen;	/* header keys given so far: each once */
		} text;
	} u;
};

/* Each form's header parser, called by zpb_trace_open with the buffer at 0. */
int zpb_binary_open(struct zpb_trace_reader *r, char *err, size_t errlen);
int zpb_text_open(struct zpb_trace_reader *r, char *err, size_t errlen);

/* Record a reader error: "NAME: record N (byte B): MSG" into @err, sticky. */
int zpb_reader_fail(struct zpb_trace_reader *r, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

struct zpb_trace_writer;

struct zpb_writer_ops {
	/* Encode @rec (already checked) into the output buffer. 0 or -1. */
	int (*write)(struct zpb_trace_writer *w, const struct zpb_record *rec, char *err, size_t errlen);
	/* After the last flush: patch the record count into the file. 0 or -1. */
	int (*finish)(struct zpb_trace_writer *w, char *err, size_t errlen);
};

#define ZPB_OUTBUF_SIZE (64 * 1024)

struct zpb_trace_writer {
	const struct zpb_writer_ops *ops;
	enum zpb_trace_form form;
	struct zpb_trace_header hdr;
	char *path;
	struct zpb_atomic_file af;	/* the temporary beside path, renamed over it at finish */
	int fd;				/* af's descriptor: records go through buf, not stdio */
	unsigned char *buf;
	size_t used;
	uint64_t flushed;	/* bytes written to the file so far */
	uint64_t count;		/* records written */
	bool failed;
	uint64_t count_off;	/* where the record count is patched */
	struct zpb_bin_ctx *bin;
	/* The binary writer's index of recent keys: key -> push number. */
	struct zpb_key_seen { uint64_t key, seq; } *seen;
};

#define ZPB_SEEN_SIZE 4096

/* Make room for @n (<= ZPB_OUTBUF_SIZE) more bytes; 0 or -1 with @err set. */
int zpb_writer_reserve(struct zpb_trace_writer *w, size_t n, char *err, size_t errlen);
int zpb_binary_writer_init(struct zpb_trace_writer *w, char *err, size_t errlen);
int zpb_text_writer_init(struct zpb_trace_writer *w, char *err, size_t errlen);

/* Header checks both forms share: a page size the kernel could have. */
bool zpb_page_size_ok(uint64_t page_size);
/* Printable, non-space ASCII: what labels and header words may hold. */
bool zpb_word_ok(const char *s, size_t n);
/* One line of text, no control bytes, no blank at either end: the header's source. */
bool zpb_line_ok(const char *s, size_t n);

#endif
