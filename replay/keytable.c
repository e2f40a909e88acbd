// SPDX-License-Identifier: GPL-2.0-only
/*
 * The key table: swap slot key -> per-key entry. Open addressing over
 * (key, index) slots; entries live in chunks that never move, so a worker
 * may hold an entry while the dispatcher grows the index. Entries are never
 * removed: memory follows the distinct keys the trace touches (swap slots
 * are reused, so this tracks the swap space in use), not the trace length.
 */
#include <stdlib.h>

#include "internal.h"

int zpb_kt_init(struct zpb_keytable *kt, bool dispatch)
{
	kt->chunks = calloc(KT_MAX_CHUNKS, sizeof(*kt->chunks));
	kt->dchunks = NULL;
	if (dispatch) {
		kt->dchunks = calloc(KT_MAX_CHUNKS, sizeof(*kt->dchunks));
		if (!kt->dchunks || !(kt->dchunks[0] = calloc(KT_CHUNK, sizeof(uint64_t))))
			return -1;
	}
	kt->mask = 4095;
	kt->slots = calloc(kt->mask + 1, sizeof(*kt->slots));
	kt->nentries = 1;	/* entry 0: the LRU head */
	if (!kt->chunks || !kt->slots)
		return -1;
	kt->chunks[0] = calloc(KT_CHUNK, sizeof(struct zpb_entry));
	return kt->chunks[0] ? 0 : -1;
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
	kt->slots = NULL;
}

static int grow(struct zpb_keytable *kt)
{
	uint64_t nmask = kt->mask * 2 + 1, i, j;
	struct kt_slot *ns = calloc(nmask + 1, sizeof(*ns));

	if (!ns)
		return -1;
	for (i = 0; i <= kt->mask; i++) {
		if (!kt->slots[i].idx)
			continue;
		for (j = zpb_kt_hash(kt->slots[i].key) & nmask; ns[j].idx; j = (j + 1) & nmask)
			;
		ns[j] = kt->slots[i];
	}
	free(kt->slots);
	kt->slots = ns;
	kt->mask = nmask;
	return 0;
}

uint32_t zpb_kt_get(struct zpb_keytable *kt, uint64_t key)
{
	uint64_t i;
	uint32_t idx;
	struct zpb_entry *e;

	for (i = zpb_kt_hash(key) & kt->mask; kt->slots[i].idx; i = (i + 1) & kt->mask)
		if (kt->slots[i].key == key)
			return kt->slots[i].idx;
	/* New key: keep the load factor at most 1/2. */
	idx = kt->nentries;
	if ((idx & (KT_CHUNK - 1)) == 0) {
		if ((idx >> KT_CHUNK_BITS) >= KT_MAX_CHUNKS)
			return 0;
		kt->chunks[idx >> KT_CHUNK_BITS] = calloc(KT_CHUNK, sizeof(struct zpb_entry));
		if (!kt->chunks[idx >> KT_CHUNK_BITS])
			return 0;
		if (kt->dchunks && !(kt->dchunks[idx >> KT_CHUNK_BITS] = calloc(KT_CHUNK, sizeof(uint64_t))))
			return 0;
	}
	if ((uint64_t)idx * 2 > kt->mask) {
		if (grow(kt))
			return 0;
		for (i = zpb_kt_hash(key) & kt->mask; kt->slots[i].idx; i = (i + 1) & kt->mask)
			;
	}
	kt->nentries++;
	kt->slots[i].key = key;
	kt->slots[i].idx = idx;
	e = zpb_kt_entry(kt, idx);
	e->key = key;
	return idx;
}
