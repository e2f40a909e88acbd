/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zswap activity traces: the record, the header, and the reader and writer
 * interfaces shared by the binary and text forms. The format itself is
 * documented in docs/trace-format.md.
 *
 * Readers stream: memory use is bounded whatever the trace's length. Every
 * error is reported as one line in the caller's buffer that names the file
 * and the record number (and, for binary traces, the byte offset).
 *
 * Locking: none. A reader or writer belongs to one thread at a time; any
 * number of readers may read the same file at once.
 */
#ifndef ZPB_TRACE_H
#define ZPB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum zpb_op {
	ZPB_OP_STORE = 1,	/* key len [flags]: zswap_store() of a page */
	ZPB_OP_LOAD,		/* key: zswap_load() */
	ZPB_OP_INVALIDATE,	/* key: the swap slot was freed */
	ZPB_OP_WRITEBACK,	/* key: the kernel evicted the entry to the swap device */
	ZPB_OP_COMPACT,		/* pool compaction was requested */
	ZPB_OP_MARK,		/* label: a named checkpoint */
	ZPB_OP_MAX = ZPB_OP_MARK
};

/* STORE flags. */
#define ZPB_STORE_SAME_FILLED	0x1u	/* same-filled page: no allocation, counted */
#define ZPB_STORE_INCOMPRESSIBLE 0x2u	/* did not compress: stored at PAGE_SIZE */
#define ZPB_STORE_SEED		0x4u	/* @content holds a content seed */
#define ZPB_STORE_PAGEREF	0x8u	/* @content is a page index into a page-content file */
#define ZPB_STORE_FLAGS_ALL	0xfu

/*
 * A key names a swap slot as the kernel's swp_entry_t does: the swap type
 * in the top bits and the page offset in the rest.
 */
#define ZPB_KEY_TYPE_SHIFT 58
#define ZPB_KEY_OFFSET_MASK ((UINT64_C(1) << ZPB_KEY_TYPE_SHIFT) - 1)
#define ZPB_KEY(type, offset) (((uint64_t)(type) << ZPB_KEY_TYPE_SHIFT) | ((uint64_t)(offset) & ZPB_KEY_OFFSET_MASK))
#define ZPB_KEY_TYPE(key) ((unsigned int)((key) >> ZPB_KEY_TYPE_SHIFT))
#define ZPB_KEY_OFFSET(key) ((key) & ZPB_KEY_OFFSET_MASK)
/*
 * The largest swap type a trace may name: the kernel has at most
 * MAX_SWAPFILES (1 << MAX_SWAPFILES_SHIFT = 32) swap types, so a key whose
 * type is above 31 is "out of range" and rejected by readers and writers.
 */
#define ZPB_KEY_TYPE_MAX 31

/* The largest CPU number a trace may hold (the kernel's largest NR_CPUS is 8192). */
#define ZPB_TRACE_CPU_MAX 8191

#define ZPB_LABEL_MAX 63	/* bytes in a MARK label, without the NUL */

struct zpb_record {
	uint64_t time_ns;	/* since the start of the trace */
	uint32_t cpu;		/* the CPU the kernel did it on */
	uint8_t op;		/* enum zpb_op */
	uint8_t flags;		/* STORE flags */
	uint32_t len;		/* STORE: compressed length in bytes (1..page size) */
	uint64_t key;		/* STORE, LOAD, INVALIDATE, WRITEBACK */
	uint64_t content;	/* STORE with SEED or PAGEREF */
	char label[ZPB_LABEL_MAX + 1];	/* MARK */
};

/*
 * A record as the replay's batches hold it: 32 bytes, without the MARK
 * label (a batch ends after a MARK and hands its label over separately).
 */
struct zpb_rec {
	uint64_t key;
	uint64_t time_ns;
	uint64_t content;
	uint32_t len;
	uint16_t cpu;		/* at most ZPB_TRACE_CPU_MAX */
	uint8_t op, flags;
};

/* The full record of @c, with @label (MARK only; may be NULL otherwise). */
void zpb_rec_expand(const struct zpb_rec *c, const char *label, struct zpb_record *rec);
/* The batch form of @rec (its label is not carried). */
void zpb_rec_compact(const struct zpb_record *rec, struct zpb_rec *c);

#define ZPB_TRACE_VERSION 1
#define ZPB_TRACE_TEXT_MAX 256	/* bytes in the header's text fields, with the NUL */

struct zpb_trace_header {
	uint32_t version;
	uint32_t page_size;
	char compressor[ZPB_TRACE_TEXT_MAX];	/* "lz4", "zstd:3", "unknown" */
	char source[ZPB_TRACE_TEXT_MAX];	/* where it came from, free text */
	uint64_t record_count;			/* 0 if not known (a text trace without it) */
};

enum zpb_trace_form {
	ZPB_TRACE_BINARY,
	ZPB_TRACE_TEXT,
};

struct zpb_trace_reader;
struct zpb_trace_writer;

/* Open @path, binary or text (told apart by the magic). NULL on error, @err set. */
struct zpb_trace_reader *zpb_trace_open(const char *path, char *err, size_t errlen);
const struct zpb_trace_header *zpb_trace_header(const struct zpb_trace_reader *r);
enum zpb_trace_form zpb_trace_form(const struct zpb_trace_reader *r);
/*
 * The next record: 1, 0 at the end, -1 on error (@err names file and record).
 * Fields the record's op does not use are 0. After an error every later call
 * returns -1 with the same message (until zpb_trace_rewind()). No malloc and
 * at most one read() per call: fit for a replay loop.
 */
int zpb_trace_next(struct zpb_trace_reader *r, struct zpb_record *rec, char *err, size_t errlen);
/*
 * Up to @max (>= 1) next records into @out, as zpb_trace_next() would
 * return them one by one, with the same checks and messages: the number
 * decoded, 0 at the end, -1 on an error before any (@err set; an error
 * after some ends the batch early, and the next call reports it). A batch
 * ends after a MARK; its label goes to @label (ZPB_LABEL_MAX + 1 bytes).
 * The binary form decodes the batch in one loop, with no call per record.
 */
int zpb_trace_next_batch(struct zpb_trace_reader *r, struct zpb_rec *out, int max, char *label,
			 char *err, size_t errlen);
/* Records returned so far: after a 1 from zpb_trace_next(), the record's 1-based number. */
uint64_t zpb_trace_position(const struct zpb_trace_reader *r);
/* Start again from the first record. 0, or -1 with @err set. */
int zpb_trace_rewind(struct zpb_trace_reader *r, char *err, size_t errlen);
void zpb_trace_close(struct zpb_trace_reader *r);

/*
 * Write a trace to @path atomically: records go to a temporary file beside
 * it, renamed over @path by a successful zpb_trace_writer_finish(). The
 * header's record_count is filled in at finish. A writer dropped with
 * zpb_trace_writer_abort() leaves @path untouched.
 */
struct zpb_trace_writer *zpb_trace_writer_open(const char *path, enum zpb_trace_form form,
					       const struct zpb_trace_header *hdr,
					       char *err, size_t errlen);
/*
 * Append @rec after zpb_record_check(): 0, or -1 with @err naming the
 * record. A record that fails the check is refused and the writer stays
 * usable; after a write error every call fails.
 */
int zpb_trace_write(struct zpb_trace_writer *w, const struct zpb_record *rec, char *err, size_t errlen);
/* Patch the count, fsync, rename over @path, free @w (also on failure). 0 or -1. */
int zpb_trace_writer_finish(struct zpb_trace_writer *w, char *err, size_t errlen);
void zpb_trace_writer_abort(struct zpb_trace_writer *w);

const char *zpb_op_name(enum zpb_op op);	/* "STORE", ... or NULL */
int zpb_op_parse(const char *name);		/* enum zpb_op, or -1 (case-insensitive) */

/* ---- Added to the draft API (traces/ helper) ---- */

/*
 * Like zpb_trace_open() on an open descriptor (a pipe, a memfd). @name is
 * used in messages. The reader does not close @fd. Rewinding needs a
 * seekable @fd.
 */
struct zpb_trace_reader *zpb_trace_open_fd(int fd, const char *name, char *err, size_t errlen);

/*
 * Check one record on its own: a known op, a key whose swap type is at most
 * ZPB_KEY_TYPE_MAX, a STORE length in 1..@page_size (0..@page_size for a
 * same-filled page), known flags, not both SEED and PAGEREF, and a MARK
 * label of printable non-space ASCII. Readers and writers both call it.
 * Returns 0, or -1 with a message (without file or record) in @msg.
 */
int zpb_record_check(const struct zpb_record *rec, uint32_t page_size, char *msg, size_t msglen);

/*
 * The text form's lines, for those who print traces (trace dump): the header
 * block (ends with a newline; `# records` only if @hdr->record_count is not
 * 0, unless @pad_count, which reserves room for the count to be patched) and
 * one record line (with its newline). They return the length written, or -1
 * if @buf is too small. ZPB_TRACE_LINE_MAX is always enough for a record.
 */
#define ZPB_TRACE_LINE_MAX 192
int zpb_trace_format_header(const struct zpb_trace_header *hdr, bool pad_count, char *buf, size_t len);
int zpb_trace_format_record(const struct zpb_record *rec, char *buf, size_t len);
/* A default header: this version, 4096-byte pages, compressor "unknown". */
void zpb_trace_header_init(struct zpb_trace_header *hdr);

/*
 * The semantic checker behind `trace validate` and `trace info`: it follows
 * each key's life (stored, loaded, written back, invalidated) and reports
 * what a zswap could not have done. The rules are in docs/trace-format.md
 * ("Semantics"). Memory grows with the number of distinct keys, not with
 * the trace's length. Not thread-safe: one checker per thread.
 */
struct zpb_check_opts {
	bool exclusive_loads;	/* a LOAD frees the entry (zswap since 6.x) */
};

struct zpb_check_stats {
	uint64_t records;
	uint64_t problems;		/* each problem counted, not each bad record */
	uint64_t distinct_keys;		/* keys ever named */
	uint64_t live_keys, live_bytes;	/* entries in the pool now */
	uint64_t peak_live_keys, peak_live_bytes;
};

struct zpb_checker;
struct zpb_checker *zpb_checker_new(const struct zpb_check_opts *opts);
/*
 * Feed the next record (@recno is its 1-based number, for messages).
 * Returns the number of problems the record has (0 if it is consistent; @msg
 * then says why, naming the record and the earlier record it conflicts
 * with; at most 2: time and key), or -1 if out of memory.
 */
int zpb_checker_feed(struct zpb_checker *c, const struct zpb_record *rec, uint64_t recno,
		     char *msg, size_t msglen);
void zpb_checker_stats(const struct zpb_checker *c, struct zpb_check_stats *st);
void zpb_checker_free(struct zpb_checker *c);

#endif
