/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where capture and synthesis put their records: a trace writer in the
 * tools, an array in the tests. Producers never see which.
 */
#ifndef ZPB_CAPTURE_SINK_H
#define ZPB_CAPTURE_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "../trace.h"

struct zpb_sink {
	/* Take one record: 0, or -1 with @err set. */
	int (*put)(struct zpb_sink *s, const struct zpb_record *rec, char *err, size_t errlen);
	uint64_t count;		/* records taken so far (kept by zpb_sink_put) */
};

/* A sink writing through a zpb_trace_writer. */
struct zpb_writer_sink {
	struct zpb_sink base;
	struct zpb_trace_writer *w;
};

void zpb_writer_sink_init(struct zpb_writer_sink *s, struct zpb_trace_writer *w);

/* Hand @rec to @s and count it. 0, or -1 with @err set. */
int zpb_sink_put(struct zpb_sink *s, const struct zpb_record *rec, char *err, size_t errlen);

/* Build and put one record; the label of MARK is truncated to ZPB_LABEL_MAX. */
int zpb_sink_op(struct zpb_sink *s, uint64_t time_ns, uint32_t cpu, enum zpb_op op, uint64_t key,
		char *err, size_t errlen);
int zpb_sink_store(struct zpb_sink *s, uint64_t time_ns, uint32_t cpu, uint64_t key, uint32_t len,
		   uint8_t flags, uint64_t content, char *err, size_t errlen);
int zpb_sink_mark(struct zpb_sink *s, uint64_t time_ns, uint32_t cpu, const char *label,
		  char *err, size_t errlen);

/*
 * Open @path for writing with a header built from @page_size, @compressor
 * and @source (both truncated to fit). NULL with @err set on failure.
 */
struct zpb_trace_writer *zpb_capture_writer_open(const char *path, enum zpb_trace_form form,
						 uint32_t page_size, const char *compressor,
						 const char *source, char *err, size_t errlen);

#endif
