// SPDX-License-Identifier: GPL-2.0-only
/* Record sources: an in-memory array (tests, generators), and a prefix of another source (--warmup). See replay.h. */
#include <string.h>

#include "replay.h"

int zpb_source_batch(struct zpb_replay_source *s, struct zpb_rec *out, int max, char *label,
		     char *err, size_t errlen)
{
	struct zpb_record rec;
	int n = 0, rc;

	if (s->next_batch)
		return s->next_batch(s->ctx, out, max, label, err, errlen);
	/* A source that gives one record at a time (fidelity's patched trace). */
	while (n < max) {
		rc = s->next(s->ctx, &rec, err, errlen);
		if (rc <= 0)
			return n ? n : rc;
		zpb_rec_compact(&rec, &out[n++]);
		if (rec.op == ZPB_OP_MARK) {
			memcpy(label, rec.label, sizeof(rec.label));
			break;
		}
	}
	return n;
}

static int mem_next(void *ctx, struct zpb_record *rec, char *err, size_t errlen)
{
	struct zpb_replay_source *s = ctx;

	(void)err, (void)errlen;
	if (s->pos >= s->n)
		return 0;
	*rec = s->array[s->pos++];
	return 1;
}

static int mem_batch(void *ctx, struct zpb_rec *out, int max, char *label, char *err, size_t errlen)
{
	struct zpb_replay_source *s = ctx;
	int n = 0;

	(void)err, (void)errlen;
	while (n < max && s->pos < s->n) {
		const struct zpb_record *rec = &s->array[s->pos++];

		zpb_rec_compact(rec, &out[n++]);
		if (rec->op == ZPB_OP_MARK) {
			memcpy(label, rec->label, sizeof(rec->label));
			break;
		}
	}
	return n;
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
	s->next_batch = mem_batch;
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

static int prefix_batch(void *ctx, struct zpb_rec *out, int max, char *label, char *err, size_t errlen)
{
	struct zpb_replay_source *s = ctx;
	int n;

	if ((uint64_t)max > s->n - s->pos)
		max = (int)(s->n - s->pos);
	if (!max)
		return 0;
	n = zpb_source_batch(s->inner, out, max, label, err, errlen);
	if (n > 0)
		s->pos += (uint64_t)n;
	return n;
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
	s->next_batch = prefix_batch;
	s->rewind = prefix_rewind;
	s->ctx = s;
	s->inner = inner;
	s->n = n;
	s->records = inner->records && inner->records < n ? inner->records : n;
}
