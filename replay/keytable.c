// SPDX-License-Identifier: GPL-2.0-only
/*
 * The key table: swap slot key -> per-key entry. Entries live in leaves of
 * KT_LEAF consecutive keys (internal.h says why), leaves in chunks that
 * never move, so a worker may hold an entry while the dispatcher grows the
 * index; the index is open addressing over (leaf key, leaf) slots. Entries
 * are never removed: memory follows the leaves of the keys the trace
 * touches (swap slots are reused, so this tracks the swap space in use),
 * not the trace length. Chunks and the index are on huge pages where the
 * kernel grants them: under virtualisation a TLB miss costs a page walk
 * as long as the cache miss (docs/PERFORMANCE.md).
 */
#include <stdlib.h>

#include "../util/huge_alloc.h"
#include "internal.h"

static int new_chunk(struct zpb_keytable *kt, uint32_t c)
{
	kt->chunks[c] = zpb_huge_calloc(KT_CHUNK, sizeof(struct zpb_entry));
	if (!kt->chunks[c])
		return -1;
	if (kt->dchunks && !(kt->dchunks[c] = zpb_huge_calloc(KT_CHUNK, sizeof(uint64_t))))
		return -1;
	return 0;
}

int zpb_kt_init(struct zpb_keytable *kt, bool dispatch)
{
	kt->chunks = calloc(KT_MAX_CHUNKS, sizeof(*kt->chunks));
	kt->dchunks = dispatch ? calloc(KT_MAX_CHUNKS, sizeof(*kt->dchunks)) : NULL;
	kt->mask = 255;
	kt->slots = calloc(kt->mask + 1, sizeof(*kt->slots));
	kt->nidx = KT_LEAF;	/* leaf 0: the LRU head */
	kt->nkeys = 0;
	if (!kt->chunks || (dispatch && !kt->dchunks) || !kt->slots)
		return -1;
	return new_chunk(kt, 0);
}

void zpb_kt_destroy(struct zpb_keytable *kt)
{
	uint32_t i;

	if (kt->chunks)
		for (i = 0; i < KT_MAX_CHUNKS && kt->chunks[i]; i++)
			free(kt->chunks[i]);
	if (kt->dchunks)
		for (i = 0; i < KT_MAX_CHUNKS && kt->dchunks[i]; i++)
			free(kt->dchunks[i]);
	free(kt->dchunks);
	free(kt->chunks);
	free(kt->slots);
	kt->chunks = NULL;
	kt->dchunks = NULL;
	kt->slots = NULL;
}

static int grow(struct zpb_keytable *kt)
{
	uint64_t nmask = kt->mask * 2 + 1, i, j;
	struct kt_slot *ns = zpb_huge_calloc(nmask + 1, sizeof(*ns));

	if (!ns)
		return -1;
	for (i = 0; i <= kt->mask; i++) {
		if (!kt->slots[i].leaf)
			continue;
		for (j = zpb_kt_hash(kt->slots[i].leafkey) & nmask; ns[j].leaf; j = (j + 1) & nmask)
			;
		ns[j] = kt->slots[i];
	}
	free(kt->slots);
	kt->slots = ns;
	kt->mask = nmask;
	return 0;
}

struct kt_slot *zpb_kt_add_leaf(struct zpb_keytable *kt, uint64_t leafkey, uint64_t i)
{
	uint32_t base = kt->nidx, leaf = base >> KT_LEAF_BITS, k;
	struct zpb_entry *ent;
	struct kt_slot *s;

	/* The index's load factor stays at most 1/2. */
	if ((uint64_t)leaf * 2 > kt->mask) {
		if (grow(kt))
			return NULL;
		for (i = zpb_kt_hash(leafkey) & kt->mask; kt->slots[i].leaf; i = (i + 1) & kt->mask)
			;
	}
	/* After the last of 2^32 entries nidx wraps to 0: no more leaves. */
	if ((base & (KT_CHUNK - 1)) == 0 && (base == 0 || new_chunk(kt, base >> KT_CHUNK_BITS)))
		return NULL;
	ent = zpb_kt_entry(kt, base);
	for (k = 0; k < KT_LEAF; k++)
		ent[k].key = leafkey << KT_LEAF_BITS | k;
	kt->nidx = base + KT_LEAF;
	s = &kt->slots[i];
	s->leafkey = leafkey;
	s->seen = 0;
	s->leaf = leaf;
	return s;
}
