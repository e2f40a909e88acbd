// SPDX-License-Identifier: GPL-2.0-only
/* The trace-reader source: streams records from a trace file (traces/trace.h). */
#include "replay.h"

static int trace_next(void *ctx, struct zpb_record *rec, char *err, size_t errlen)
{
	return zpb_trace_next(ctx, rec, err, errlen);
}

static int trace_batch(void *ctx, struct zpb_rec *out, int max, char *label, char *err, size_t errlen)
{
	return zpb_trace_next_batch(ctx, out, max, label, err, errlen);
}

static int trace_rewind(void *ctx, char *err, size_t errlen)
{
	return zpb_trace_rewind(ctx, err, errlen);
}

void zpb_replay_source_trace(struct zpb_replay_source *s, struct zpb_trace_reader *r)
{
	s->next = trace_next;
	s->next_batch = trace_batch;
	s->rewind = trace_rewind;
	s->ctx = r;
	s->records = zpb_trace_header(r)->record_count;
	s->page_size = zpb_trace_header(r)->page_size;
	s->name = NULL;
	s->inner = NULL;
	s->array = NULL;
	s->n = s->pos = 0;
}
