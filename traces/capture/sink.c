// SPDX-License-Identifier: GPL-2.0-only
/* Record sinks shared by the capture paths and the synthesizer. */
#include <stdio.h>
#include <string.h>

#include "compress.h"
#include "sink.h"

static int writer_put(struct zpb_sink *s, const struct zpb_record *rec, char *err, size_t errlen)
{
	struct zpb_writer_sink *ws = (struct zpb_writer_sink *)s;

	return zpb_trace_write(ws->w, rec, err, errlen) ? -1 : 0;
}

void zpb_writer_sink_init(struct zpb_writer_sink *s, struct zpb_trace_writer *w)
{
	memset(s, 0, sizeof(*s));
	s->base.put = writer_put;
	s->w = w;
}

int zpb_sink_put(struct zpb_sink *s, const struct zpb_record *rec, char *err, size_t errlen)
{
	if (s->put(s, rec, err, errlen))
		return -1;
	s->count++;
	return 0;
}

int zpb_sink_op(struct zpb_sink *s, uint64_t time_ns, uint32_t cpu, enum zpb_op op, uint64_t key,
		char *err, size_t errlen)
{
	struct zpb_record r;

	memset(&r, 0, sizeof(r));
	r.time_ns = time_ns;
	r.cpu = cpu;
	r.op = (uint8_t)op;
	r.key = key;
	return zpb_sink_put(s, &r, err, errlen);
}

int zpb_sink_store(struct zpb_sink *s, uint64_t time_ns, uint32_t cpu, uint64_t key, uint32_t len,
		   uint8_t flags, uint64_t content, char *err, size_t errlen)
{
	struct zpb_record r;

	memset(&r, 0, sizeof(r));
	r.time_ns = time_ns;
	r.cpu = cpu;
	r.op = ZPB_OP_STORE;
	r.key = key;
	r.len = len;
	r.flags = flags;
	r.content = content;
	return zpb_sink_put(s, &r, err, errlen);
}

int zpb_sink_mark(struct zpb_sink *s, uint64_t time_ns, uint32_t cpu, const char *label,
		  char *err, size_t errlen)
{
	struct zpb_record r;

	memset(&r, 0, sizeof(r));
	r.time_ns = time_ns;
	r.cpu = cpu;
	r.op = ZPB_OP_MARK;
	snprintf(r.label, sizeof(r.label), "%s", label);
	return zpb_sink_put(s, &r, err, errlen);
}

struct zpb_trace_writer *zpb_capture_writer_open(const char *path, enum zpb_trace_form form,
						 uint32_t page_size, const char *compressor,
						 const char *source, char *err, size_t errlen)
{
	struct zpb_trace_header h;

	memset(&h, 0, sizeof(h));
	h.version = ZPB_TRACE_VERSION;
	h.page_size = page_size ? page_size : ZPB_PAGE_SIZE;
	snprintf(h.compressor, sizeof(h.compressor), "%s", compressor);
	snprintf(h.source, sizeof(h.source), "%s", source);
	return zpb_trace_writer_open(path, form, &h, err, errlen);
}
