// SPDX-License-Identifier: GPL-2.0-only
/*
 * The binary trace reader: the header, then one record at a time from the
 * bounded input buffer. Every length and count in the input is checked
 * before it is used, so hostile input ends in an error, never a crash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "trace_internal.h"
#include "varint.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* A u16-length-prefixed string at *off, within the header's @size bytes. */
static int header_string(struct zpb_trace_reader *r, const unsigned char *h, uint32_t size,
			 uint32_t *off, char *dst, const char *what, char *err, size_t errlen)
{
	uint32_t n;

	if (*off + 2 > size) {
		snprintf(err, errlen, "%s: corrupt header: %s runs past header_size %u", r->name, what, size);
		return -1;
	}
	n = (uint32_t)zpb_get_le(h + *off, 2);
	if (n >= ZPB_TRACE_TEXT_MAX || *off + 2 + n > size) {
		snprintf(err, errlen, "%s: corrupt header: %s length %u at byte %u", r->name, what, n, *off);
		return -1;
	}
	/* What a writer accepts, so that every header read converts. */
	if (dst == r->hdr.compressor ? !n || !zpb_word_ok((const char *)h + *off + 2, n)
				     : !zpb_line_ok((const char *)h + *off + 2, n)) {
		snprintf(err, errlen, "%s: corrupt header: %s is not %s", r->name, what,
			 dst == r->hdr.compressor ? "one word of printable ASCII" : "one line of text");
		return -1;
	}
	memcpy(dst, h + *off + 2, n);
	dst[n] = '\0';
	*off += 2 + n;
	return 0;
}

static int bin_batch(struct zpb_trace_reader *r, struct zpb_rec *restrict out, int max, char *label,
		     char *err, size_t errlen);
static void bin_reset(struct zpb_trace_reader *r);

static const struct zpb_reader_ops bin_ops = {
	.batch = bin_batch,
	.reset = bin_reset,
};

int zpb_binary_open(struct zpb_trace_reader *r, char *err, size_t errlen)
{
	long avail = zpb_inbuf_fill(&r->in, ZPB_BIN_HDR_MAX);
	const unsigned char *h = r->in.buf;
	uint32_t version, size, page_size, flags, off;

	r->ops = &bin_ops;
	if (avail < 0) {
		snprintf(err, errlen, "%s: %s", r->name, strerror(r->in.error));
		return -1;
	}
	if (avail < ZPB_BIN_OFF_VERSION + 4) {
		snprintf(err, errlen, "%s: truncated header (%ld bytes)", r->name, avail);
		return -1;
	}
	/* The version first: a later version may lay out the rest differently. */
	version = (uint32_t)zpb_get_le(h + ZPB_BIN_OFF_VERSION, 4);
	if (version != ZPB_TRACE_VERSION) {
		snprintf(err, errlen, "%s: unsupported trace version %u (this build reads version %d)",
			 r->name, version, ZPB_TRACE_VERSION);
		return -1;
	}
	if (avail < ZPB_BIN_OFF_STRINGS + 4) {
		snprintf(err, errlen, "%s: truncated header (%ld bytes)", r->name, avail);
		return -1;
	}
	size = (uint32_t)zpb_get_le(h + ZPB_BIN_OFF_HDRSIZE, 4);
	if (size < ZPB_BIN_OFF_STRINGS + 4 || size > ZPB_BIN_HDR_MAX) {
		snprintf(err, errlen, "%s: corrupt header: header_size %u not in %d..%d",
			 r->name, size, ZPB_BIN_OFF_STRINGS + 4, ZPB_BIN_HDR_MAX);
		return -1;
	}
	if ((uint32_t)avail < size) {
		snprintf(err, errlen, "%s: truncated header (%ld of %u bytes)", r->name, avail, size);
		return -1;
	}
	page_size = (uint32_t)zpb_get_le(h + ZPB_BIN_OFF_PAGESIZE, 4);
	if (!zpb_page_size_ok(page_size)) {
		snprintf(err, errlen, "%s: corrupt header: page size %u (a power of two, 512..262144)",
			 r->name, page_size);
		return -1;
	}
	flags = (uint32_t)zpb_get_le(h + ZPB_BIN_OFF_FLAGS, 4);
	if (flags) {
		snprintf(err, errlen, "%s: unsupported header flags 0x%x in version %u", r->name, flags, version);
		return -1;
	}
	r->hdr.version = version;
	r->hdr.page_size = page_size;
	r->hdr.record_count = zpb_get_le(h + ZPB_BIN_OFF_COUNT, 8);
	off = ZPB_BIN_OFF_STRINGS;
	if (header_string(r, h, size, &off, r->hdr.compressor, "compressor", err, errlen) ||
	    header_string(r, h, size, &off, r->hdr.source, "source", err, errlen))
		return -1;
	/* Bytes between the strings and header_size are fields of a later minor revision: skipped. */
	r->data_start = size;
	r->in.pos = size;
	return 0;
}

static void bin_reset(struct zpb_trace_reader *r)
{
	memset(&r->u.bin, 0, sizeof(r->u.bin));
}

/* Most varints in a trace are one or two bytes: those in line, the rest by zpb_varint_get(). */
#define GET_VARINT(v, what) do {						\
	int __rc;								\
	if (likely(end - p >= 2)) {						\
		if (p[0] < 0x80) {						\
			(v) = *p++;						\
			break;							\
		}								\
		if (p[1] < 0x80) {						\
			(v) = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;	\
			p += 2;							\
			break;							\
		}								\
	}									\
	__rc = zpb_varint_get(&p, end, &(v));					\
	if (__rc == 0)								\
		return bin_fail(r, n, err, errlen, "truncated record (inside its %s)", what); \
	if (__rc < 0)								\
		return bin_fail(r, n, err, errlen, "corrupt record: %s varint longer than 64 bits", what); \
} while (0)

#define GET_BYTE(v, what) do {							\
	if (p == end)								\
		return bin_fail(r, n, err, errlen, "truncated record (inside its %s)", what); \
	(v) = *p++;								\
} while (0)

/* A varint CPU, which becomes the current one. */
#define GET_CPU() do {								\
	GET_VARINT(v, "cpu");							\
	if (v > ZPB_TRACE_CPU_MAX)						\
		return bin_fail(r, n, err, errlen, "cpu %llu out of range 0..%d", \
				(unsigned long long)v, ZPB_TRACE_CPU_MAX);	\
	c->prev_cpu = (uint32_t)v;						\
} while (0)

/*
 * A decoding error at the record after the @n already decoded into this
 * batch: those are returned (the error is sticky, so the next call reports
 * it), or -1 if there are none.
 */
static int __attribute__((format(printf, 5, 6), noinline, cold))
bin_fail(struct zpb_trace_reader *r, int n, char *err, size_t errlen, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	zpb_reader_fail(r, err, errlen, "%s", msg);
	return n ? n : -1;
}

/* A record the cheap checks in bin_batch() refused: zpb_record_check() says why. */
static int __attribute__((noinline, cold))
check_fail(struct zpb_trace_reader *r, int n, const struct zpb_rec *c, const char *label,
	   char *err, size_t errlen)
{
	struct zpb_record rec;
	char msg[160];

	zpb_rec_expand(c, label, &rec);
	if (zpb_record_check(&rec, r->hdr.page_size, msg, sizeof(msg)) == 0)
		snprintf(msg, sizeof(msg), "record refused by the reader's checks");	/* not reached */
	return bin_fail(r, n, err, errlen, "%s", msg);
}

/*
 * Decode up to @max records into @out; a batch ends after a MARK, whose
 * label goes to @label. Each record passes the checks of
 * zpb_record_check() (in line, cheaply: the function itself runs only to
 * name what is wrong). r->pos and the buffer position advance record by
 * record, so an error names the record and the byte where it starts.
 * Returns the records decoded, 0 at the end, -1 on an error before any.
 */
static int bin_batch(struct zpb_trace_reader *r, struct zpb_rec *restrict out, int max, char *label,
		     char *err, size_t errlen)
{
	struct zpb_inbuf *in = &r->in;
	struct zpb_bin_ctx *c = &r->u.bin;
	const uint32_t page_size = r->hdr.page_size;
	const unsigned char *p = in->buf + in->pos, *end = in->buf + in->end;
	int n = 0;

	/* The header's count bounds the batch; past it the file must end. */
	if ((uint64_t)max > r->hdr.record_count - r->pos) {
		max = (int)(r->hdr.record_count - r->pos);
		if (!max) {
			if (p == end && !in->eof) {
				if (zpb_inbuf_fill(in, 1) < 0)
					return bin_fail(r, 0, err, errlen, "read error: %s", strerror(in->error));
				p = in->buf + in->pos;
				end = in->buf + in->end;
			}
			if (p == end)
				return 0;
			return bin_fail(r, 0, err, errlen, "trailing bytes after the last of %llu records",
					(unsigned long long)r->hdr.record_count);
		}
	}
	while (n < max) {
		/* The record in scalars: a struct on the stack, stored a field at a time, reloads slowly. */
		uint64_t key = 0, content = 0, time;
		uint32_t len = 0;
		uint8_t rop, flags = 0;
		unsigned int tag, op, kmode;
		uint64_t v, d;

		if (unlikely((size_t)(end - p) < ZPB_BIN_RECORD_MAX)) {
			if (!in->eof) {
				if (zpb_inbuf_fill(in, ZPB_BIN_RECORD_MAX) < 0)
					return bin_fail(r, n, err, errlen, "read error: %s", strerror(in->error));
				p = in->buf + in->pos;
				end = in->buf + in->end;
			}
			if (p == end)
				return bin_fail(r, n, err, errlen,
						"truncated trace: the header promises %llu records, the file ends after %llu",
						(unsigned long long)r->hdr.record_count, (unsigned long long)r->pos);
		}

		tag = *p++;
		op = tag & ZPB_TAG_OP_MASK;
		if (op == ZPB_TAG_SHORT_STORE) {
			/* CPU, then 12 bits of delta and 12 of length - 1 (24 bits). */
			uint32_t packed;

			if (tag & ZPB_TAG_CPU)
				GET_CPU();
			if (end - p < 3)
				return bin_fail(r, n, err, errlen, "truncated record (inside a short STORE)");
			packed = (uint32_t)zpb_get_le(p, 3);
			p += 3;
			d = (uint64_t)(tag >> 4) << 12 | (packed & 0xfff);
			rop = ZPB_OP_STORE;
			len = (packed >> 12) + 1;
			key = ++*zpb_bin_prev_key(c, ZPB_OP_STORE, c->prev_cpu);
		} else {
			if (op < ZPB_OP_STORE || op > ZPB_OP_MAX)
				return bin_fail(r, n, err, errlen, "unknown op %u (tag byte 0x%02x)", op, tag);
			switch ((tag >> ZPB_TAG_TIME_SHIFT) & 3) {
			case ZPB_TIME_SAME:
				d = 0;
				break;
			case ZPB_TIME_REPEAT:
				d = c->prev_delta;
				break;
			case ZPB_TIME_FORWARD:
				GET_VARINT(d, "time");
				break;
			default:
				GET_VARINT(v, "time");
				d = -v;
				break;
			}
			if (tag & ZPB_TAG_CPU)
				GET_CPU();
			rop = (uint8_t)op;
			kmode = (tag >> ZPB_TAG_KEY_SHIFT) & 3;
			if (zpb_op_has_key(op)) {
				uint64_t *prev = zpb_bin_prev_key(c, op, c->prev_cpu);
				unsigned int back;

				switch (kmode) {
				case ZPB_KEY_DELTA:
					GET_VARINT(v, "key");
					key = *prev + (uint64_t)zpb_unzigzag(v);
					break;
				case ZPB_KEY_NEXT:
					key = *prev + 1;
					break;
				case ZPB_KEY_RECENT:
					GET_BYTE(back, "key");
					if (!back)
						return bin_fail(r, n, err, errlen, "corrupt record: recent-key index 0");
					key = zpb_bin_recent(c, back);
					break;
				default:
					key = zpb_bin_recent(c, 0);
					break;
				}
				*prev = key;
			} else if (kmode) {
				return bin_fail(r, n, err, errlen, "corrupt record: key mode %u on %s, which has no key",
						kmode, zpb_op_name(op));
			}
			if (op == ZPB_OP_STORE) {
				GET_VARINT(v, "length");
				if ((v >> 1) > page_size)
					return bin_fail(r, n, err, errlen, "STORE length %llu out of range (page size %u)",
							(unsigned long long)(v >> 1), page_size);
				len = (uint32_t)(v >> 1);
				if (v & 1) {
					unsigned int f;

					GET_BYTE(f, "flags");
					if (!f)
						return bin_fail(r, n, err, errlen, "corrupt record: flags byte present but 0");
					flags = (uint8_t)f;
					if (f & (ZPB_STORE_SEED | ZPB_STORE_PAGEREF))
						GET_VARINT(content, "content");
				}
			} else if (op == ZPB_OP_MARK) {
				unsigned int len;

				GET_BYTE(len, "label length");
				if (len > ZPB_LABEL_MAX)
					return bin_fail(r, n, err, errlen, "MARK label length %u > %d", len, ZPB_LABEL_MAX);
				if ((size_t)(end - p) < len)
					return bin_fail(r, n, err, errlen, "truncated record (inside its label)");
				if (memchr(p, 0, len))
					return bin_fail(r, n, err, errlen, "MARK label holds a NUL byte");
				memcpy(label, p, len);
				label[len] = '\0';
				p += len;
			}
		}
		/* Unsigned arithmetic: a hostile delta wraps, it cannot overflow. */
		time = c->prev_time + d;
		/* zpb_record_check()'s rules, cheaply: a key's swap type, a STORE's flags and length, a label. */
		if (__builtin_expect((rop == ZPB_OP_STORE
				      ? (flags & ~ZPB_STORE_FLAGS_ALL) ||
					(flags & (ZPB_STORE_SEED | ZPB_STORE_PAGEREF)) ==
						(ZPB_STORE_SEED | ZPB_STORE_PAGEREF) ||
					len > page_size || (len == 0 && !(flags & ZPB_STORE_SAME_FILLED))
				      : rop == ZPB_OP_MARK && !zpb_word_ok(label, strlen(label))) ||
				     ZPB_KEY_TYPE(key) > ZPB_KEY_TYPE_MAX, 0)) {
			struct zpb_rec bad = { key, time, content, len, (uint16_t)c->prev_cpu, rop, flags };

			return check_fail(r, n, &bad, label, err, errlen);
		}
		/* (After an error the state no longer matters: errors are sticky.) */
		c->prev_time = time;
		if (d)
			c->prev_delta = d;
		if (zpb_op_has_key(rop))
			zpb_bin_push_key(c, key);
		in->pos = (size_t)(p - in->buf);
		r->pos++;
		out[n].key = key;
		out[n].time_ns = time;
		out[n].content = content;
		out[n].len = len;
		out[n].cpu = (uint16_t)c->prev_cpu;
		out[n].op = rop;
		out[n].flags = flags;
		n++;
		if (rop == ZPB_OP_MARK)
			break;
	}
	return n;
}
