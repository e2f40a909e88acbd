// SPDX-License-Identifier: GPL-2.0-only
/*
 * The binary trace writer: the header, then each record as a tag byte and
 * the fields the tag says are not predictable. See docs/trace-format.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_internal.h"
#include "varint.h"

static unsigned int seen_slot(uint64_t key)
{
	/* Fibonacci hashing: sequential keys spread over the table. */
	return (unsigned int)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 52) & (ZPB_SEEN_SIZE - 1);
}

static int bin_write(struct zpb_trace_writer *w, const struct zpb_record *rec, char *err, size_t errlen)
{
	struct zpb_bin_ctx *c = w->bin;
	unsigned char *start, *p;
	unsigned int tag = rec->op, op = rec->op;
	uint64_t d = rec->time_ns - c->prev_time;

	if (zpb_writer_reserve(w, ZPB_BIN_RECORD_MAX, err, errlen))
		return -1;
	start = p = w->buf + w->used;
	p++;	/* the tag, filled in below */

	if (op == ZPB_OP_STORE && !rec->flags && rec->key == *zpb_bin_prev_key(c, op, rec->cpu) + 1 &&
	    d <= ZPB_SHORT_DELTA_MAX && rec->len >= 1 && rec->len <= ZPB_SHORT_LEN_MAX) {
		uint32_t packed = (uint32_t)(d & 0xfff) | (rec->len - 1) << 12;

		tag = ZPB_TAG_SHORT_STORE | (unsigned int)(d >> 12) << 4;
		if (rec->cpu != c->prev_cpu) {
			tag |= ZPB_TAG_CPU;
			p += zpb_varint_put(p, rec->cpu);
			c->prev_cpu = rec->cpu;
		}
		zpb_put_le(p, packed, 3);
		p += 3;
		c->prev_time = rec->time_ns;
		if (d)
			c->prev_delta = d;
		*zpb_bin_prev_key(c, op, rec->cpu) = rec->key;
		zpb_bin_push_key(c, rec->key);
		w->seen[seen_slot(rec->key)] = (struct zpb_key_seen){ rec->key, c->pushes };
		*start = (unsigned char)tag;
		w->used += (size_t)(p - start);
		return 0;
	}

	if (d == 0) {
		tag |= ZPB_TIME_SAME << ZPB_TAG_TIME_SHIFT;
	} else if (d == c->prev_delta) {
		tag |= ZPB_TIME_REPEAT << ZPB_TAG_TIME_SHIFT;
	} else if ((int64_t)d > 0) {
		tag |= ZPB_TIME_FORWARD << ZPB_TAG_TIME_SHIFT;
		p += zpb_varint_put(p, d);
	} else {
		tag |= ZPB_TIME_BACKWARD << ZPB_TAG_TIME_SHIFT;
		p += zpb_varint_put(p, -d);
	}
	c->prev_time = rec->time_ns;
	if (d)
		c->prev_delta = d;

	if (rec->cpu != c->prev_cpu) {
		tag |= ZPB_TAG_CPU;
		p += zpb_varint_put(p, rec->cpu);
		c->prev_cpu = rec->cpu;
	}

	if (zpb_op_has_key(op)) {
		uint64_t key = rec->key, *prev = zpb_bin_prev_key(c, op, rec->cpu);
		uint64_t zz = zpb_zigzag((int64_t)(key - *prev));
		struct zpb_key_seen *s = &w->seen[seen_slot(key)];
		uint64_t back = s->seq && s->key == key ? c->pushes - s->seq : 0;

		if (key == *prev + 1) {
			tag |= ZPB_KEY_NEXT << ZPB_TAG_KEY_SHIFT;
		} else if (key == zpb_bin_recent(c, 0)) {
			tag |= ZPB_KEY_LAST << ZPB_TAG_KEY_SHIFT;
		} else if (zz >= 0x80 && back >= 1 && back < ZPB_RING_SIZE) {
			/* One index byte beats a delta of two or more. */
			tag |= ZPB_KEY_RECENT << ZPB_TAG_KEY_SHIFT;
			*p++ = (unsigned char)back;
		} else {
			tag |= ZPB_KEY_DELTA << ZPB_TAG_KEY_SHIFT;
			p += zpb_varint_put(p, zz);
		}
		*prev = key;
		zpb_bin_push_key(c, key);
		s->key = key;
		s->seq = c->pushes;
	}

	if (op == ZPB_OP_STORE) {
		p += zpb_varint_put(p, ((uint64_t)rec->len << 1) | (rec->flags ? 1 : 0));
		if (rec->flags) {
			*p++ = rec->flags;
			if (rec->flags & (ZPB_STORE_SEED | ZPB_STORE_PAGEREF))
				p += zpb_varint_put(p, rec->content);
		}
	} else if (op == ZPB_OP_MARK) {
		size_t n = strlen(rec->label);

		*p++ = (unsigned char)n;
		memcpy(p, rec->label, n);
		p += n;
	}
	*start = (unsigned char)tag;
	w->used += (size_t)(p - start);
	return 0;
}

static int bin_finish(struct zpb_trace_writer *w, char *err, size_t errlen)
{
	unsigned char b[8];

	zpb_put_le(b, w->count, 8);
	if (pwrite(w->fd, b, 8, ZPB_BIN_OFF_COUNT) != 8) {
		snprintf(err, errlen, "%s: cannot write the record count: %s", w->path, strerror(errno));
		return -1;
	}
	return 0;
}

static const struct zpb_writer_ops bin_writer_ops = {
	.write = bin_write,
	.finish = bin_finish,
};

static size_t put_string(unsigned char *p, const char *s)
{
	size_t n = strlen(s);

	zpb_put_le(p, n, 2);
	memcpy(p + 2, s, n);
	return 2 + n;
}

int zpb_binary_writer_init(struct zpb_trace_writer *w, char *err, size_t errlen)
{
	unsigned char *h = w->buf;
	size_t size;

	w->ops = &bin_writer_ops;
	w->bin = calloc(1, sizeof(*w->bin));
	w->seen = calloc(ZPB_SEEN_SIZE, sizeof(*w->seen));
	if (!w->bin || !w->seen) {
		snprintf(err, errlen, "%s: out of memory", w->path);
		return -1;
	}
	/* Both strings are shorter than ZPB_TRACE_TEXT_MAX: the header fits the buffer. */
	memset(h, 0, ZPB_BIN_OFF_STRINGS);
	memcpy(h, ZPB_BIN_MAGIC, ZPB_BIN_MAGIC_LEN);
	zpb_put_le(h + ZPB_BIN_OFF_VERSION, ZPB_TRACE_VERSION, 4);
	zpb_put_le(h + ZPB_BIN_OFF_PAGESIZE, w->hdr.page_size, 4);
	size = ZPB_BIN_OFF_STRINGS;
	size += put_string(h + size, w->hdr.compressor);
	size += put_string(h + size, w->hdr.source);
	zpb_put_le(h + ZPB_BIN_OFF_HDRSIZE, size, 4);
	w->used = size;
	return 0;
}
