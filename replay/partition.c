// SPDX-License-Identifier: GPL-2.0-only
/*
 * Distribution of records over replay threads.
 *
 * --partition key: a key always goes to the same thread (a hash of it), so
 * a key's records keep their order for free: its thread plays them in
 * trace order, and nothing crosses threads. --partition cpu: the traced
 * CPU picks the thread, so per-CPU structures see the traced locality; a
 * key's records may then land on different threads. Each record that
 * follows one of its key's on another thread carries a sync point: the
 * (thread, ticket) of that record, and is played once that thread has
 * played that many items (streams.c). Tickets point only backwards in
 * trace order, so the earliest record not yet played can always be: no
 * deadlock.
 *
 * Only the thread decoding (streams.c's decoder token) calls this: it owns
 * the key table's index, the dispatch words and the tickets.
 */
#include "internal.h"

int zpb_thread_for(const struct zpb_engine *e, const struct zpb_record *rec)
{
	if (e->o->partition == ZPB_PARTITION_CPU)
		return (int)(rec->cpu % (uint32_t)e->nworkers);
	/*
	 * By the key's leaf, so that a leaf's keys share the thread's own index
	 * (a leaf split over threads would be made in each of their indexes);
	 * the hash's high half: the key table indexes by its low bits.
	 */
	return (int)((zpb_kt_hash(rec->key >> KT_LEAF_BITS) >> 32) % (uint64_t)e->nworkers);
}

bool zpb_partition_add(struct zpb_engine *e, struct zpb_chunk *c, uint64_t *assigned, int t,
		       const struct zpb_record *rec, uint32_t eidx, uint64_t record)
{
	struct zpb_stream *s = &c->s[t];
	struct zpb_item *it = &s->items[s->n++];

	it->time_ns = rec->time_ns;
	it->record = record;
	it->key = rec->key;
	it->content = rec->content;
	it->entry = eidx;
	it->len = rec->len;
	it->op = rec->op;
	it->flags = rec->flags;
	it->dep_ticket = 0;
	it->dep_thread = 0;
	assigned[t]++;
	if (e->kt.dchunks) {
		uint64_t *d = zpb_kt_dispatch(&e->kt, eidx);

		if (*d && KT_DISPATCH_THREAD(*d) != (uint32_t)t) {
			it->dep_thread = KT_DISPATCH_THREAD(*d);
			it->dep_ticket = KT_DISPATCH_TICKET(*d);
		}
		*d = KT_DISPATCH(t, assigned[t]);
	}
	return s->n == c->cap;
}
