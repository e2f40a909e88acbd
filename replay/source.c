// SPDX-License-Identifier: GPL-2.0-only
/* Record sources: an in-memory array (tests, generators), and a prefix of another source (--warmup). See replay.h. */
#include <string.h>

#include "replay.h"

static int mem_next(void *ctx, struct zpb_record *rec, char *err, size_t errlen)
{
	struct zpb_replay_source *s = ctx;

	(void)err, (void)errlen;
	if (s->pos >= s->n)
		return 0;
	*rec = s->array[s->pos++];
	return 1;
}

static int mem_rewind(void *ctx, char *err, size_t errlen)
{
	struct zpb_replay_source *s = ctx;

	(void)err, (void)errlen;
	s->pos = 0;
	return 0;
}

void zpb_replay_source_memory(struct zpb_replay_source *s, const struct zpb_record *recs, uint64_t n)
{
	s->next = mem_next;
	s->rewind = mem_rewind;
	s->ctx = s;
	s->records = n;
	s->page_size = 0;
	s->name = NULL;
	s->inner = NULL;
	s->array = recs;
	s->n = n;
	s->pos = 0;
}

static int prefix_next(void *ctx, struct zpb_record *rec, char *err, size_t errlen)
{
	struct zpb_replay_source *s = ctx, *inner = s->inner;

	if (s->pos >= s->n)
		return 0;
	s->pos++;
	return inner->next(inner->ctx, rec, err, errlen);
}

static int prefix_rewind(void *ctx, char *err, size_t errlen)
{
	struct zpb_replay_source *s = ctx, *inner = s->inner;

	s->pos = 0;
	return inner->rewind(inner->ctx, err, errlen);
}

void zpb_replay_source_prefix(struct zpb_replay_source *s, struct zpb_replay_source *inner, uint64_t n)
{
	memset(s, 0, sizeof(*s));
	s->next = prefix_next;
	s->rewind = prefix_rewind;
	s->ctx = s;
	s->inner = inner;
	s->n = n;
	s->records = inner->records && inner->records < n ? inner->records : n;
}
