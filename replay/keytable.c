// SPDX-License-Identifier: GPL-2.0-only
/*
 * The key table: swap slot key -> per-key entry. Open addressing over
 * (key, index) slots; entries live in chunks that never move, so a worker
 * may hold an entry while another thread grows an index. Threads with
 * --partition key each have an index of their own (internal.h), so the
 * lookups, and their cache misses, are spread over the threads, and no
 * index line is shared. Entries are never removed: memory follows the
 * distinct keys the trace touches (swap slots are reused, so this tracks
 * the swap space in use), not the trace length.
 */
#include <stdlib.h>

#include "internal.h"

/*
 * calloc, written: calloc's fresh pages are the shared zero page until
 * written, and a lookup reads a slot before it writes it; under threads
 * each such first write is a copy-on-write fault with a TLB shootdown to
 * every CPU the process runs on (10% of a 2-thread replay's time).
 */
static void *zalloc(size_t n, size_t size)
{
	volatile char *p = calloc(n, size);	/* (malloc and memset would be folded into calloc) */
	size_t i;

	for (i = 0; p && i < n * size; i += 4096)
		p[i] = 0;
	return (void *)p;
}

static int new_chunk(struct zpb_keytable *kt, uint32_t c)
{
	if (c >= KT_MAX_CHUNKS)
		return -1;
	kt->chunks[c] = zalloc(KT_CHUNK, sizeof(struct zpb_entry));
	if (!kt->chunks[c])
		return -1;
	if (kt->dchunks && !(kt->dchunks[c] = zalloc(KT_CHUNK, sizeof(uint64_t))))
		return -1;
	return 0;
}

int zpb_kt_init(struct zpb_keytable *kt, bool dispatch, int nix)
{
	int i;

	memset(kt, 0, sizeof(*kt));
	kt->chunks = calloc(KT_MAX_CHUNKS, sizeof(*kt->chunks));
	if (dispatch && !(kt->dchunks = calloc(KT_MAX_CHUNKS, sizeof(*kt->dchunks))))
		return -1;
	if (!kt->chunks || posix_memalign((void **)&kt->ix, 64, (size_t)nix * sizeof(*kt->ix)))
		return -1;
	memset(kt->ix, 0, (size_t)nix * sizeof(*kt->ix));
	kt->nix = nix;
	for (i = 0; i < nix; i++) {
		struct zpb_ktindex *x = &kt->ix[i];

		x->mask = nix > 1 ? 1023 : 4095;
		x->slots = zalloc(x->mask + 1, sizeof(*x->slots));
		/* Index i's first chunk is chunk i; entry 0 is reserved. */
		x->next = (uint32_t)i << KT_CHUNK_BITS | (i == 0);
		if (!x->slots || new_chunk(kt, (uint32_t)i))
			return -1;
	}
	return 0;
}

void zpb_kt_destroy(struct zpb_keytable *kt)
{
	uint32_t i;
	int j;

	if (kt->chunks)
		for (i = 0; i < KT_MAX_CHUNKS; i++)
			free(kt->chunks[i]);
	if (kt->dchunks)
		for (i = 0; i < KT_MAX_CHUNKS; i++)
			free(kt->dchunks[i]);
	for (j = 0; kt->ix && j < kt->nix; j++)
		free(kt->ix[j].slots);
	free(kt->ix);
	free(kt->dchunks);
	free(kt->chunks);
	kt->ix = NULL;
	kt->chunks = NULL;
	kt->dchunks = NULL;
}

uint32_t zpb_kt_count(const struct zpb_keytable *kt)
{
	uint32_t n = 0;
	int i;

	for (i = 0; i < kt->nix; i++)
		n += kt->ix[i].count;
	return n;
}

uint32_t zpb_kt_next(const struct zpb_keytable *kt, uint32_t i)
{
	uint32_t end = 0;
	int j;

	for (j = 0; j < kt->nix; j++)
		if (kt->ix[j].next > end)
			end = kt->ix[j].next;
	for (i++; i < end; i++) {
		if (kt->chunks[i >> KT_CHUNK_BITS])
			return i;
		i |= KT_CHUNK - 1;	/* another index's chunk not yet taken: skip it */
	}
	return 0;
}

static int grow(struct zpb_ktindex *x)
{
	uint64_t nmask = x->mask * 2 + 1, i, j;
	struct kt_slot *ns = zalloc(nmask + 1, sizeof(*ns));

	if (!ns)
		return -1;
	for (i = 0; i <= x->mask; i++) {
		if (!x->slots[i].idx)
			continue;
		for (j = zpb_kt_hash(x->slots[i].key) & nmask; ns[j].idx; j = (j + 1) & nmask)
			;
		ns[j] = x->slots[i];
	}
	free(x->slots);
	x->slots = ns;
	x->mask = nmask;
	return 0;
}

uint32_t zpb_kt_get(struct zpb_keytable *kt, int ix, uint64_t key)
{
	struct zpb_ktindex *x = &kt->ix[ix];
	uint64_t i;
	uint32_t idx;
	struct zpb_entry *e;

	for (i = zpb_kt_hash(key) & x->mask; x->slots[i].idx; i = (i + 1) & x->mask)
		if (x->slots[i].key == key)
			return x->slots[i].idx;
	/* New key: keep the load factor at most 1/2. */
	idx = x->next;
	if ((idx & (KT_CHUNK - 1)) == KT_CHUNK - 1) {
		/* This chunk's last entry: the next one is the index's next chunk. */
		uint32_t c = (idx >> KT_CHUNK_BITS) + (uint32_t)kt->nix;

		if (new_chunk(kt, c))
			return 0;
		x->next = c << KT_CHUNK_BITS;
	} else {
		x->next = idx + 1;
	}
	if ((uint64_t)x->count * 2 > x->mask) {
		if (grow(x))
			return 0;
		for (i = zpb_kt_hash(key) & x->mask; x->slots[i].idx; i = (i + 1) & x->mask)
			;
	}
	x->count++;
	x->slots[i].key = key;
	x->slots[i].idx = idx;
	e = zpb_kt_entry(kt, idx);
	e->key = key;
	return idx;
}
