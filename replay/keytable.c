// SPDX-License-Identifier: GPL-2.0-only
/*
 * The key table: swap slot key -> per-key entry. Entries live in leaves of
 * KT_LEAF consecutive keys (internal.h says why), leaves in chunks that
 * never move, so a worker may hold an entry while another thread grows an
 * index; an index is open addressing over (leaf key, leaf) slots. Threads
 * with --partition key each have an index of their own, taking leaves from
 * chunks of their own (internal.h), and a leaf's keys all go to one thread
 * (partition.c), so the lookups, and their cache misses, are spread over
 * the threads, no index line is shared, and no leaf is made twice.
 * Entries are never removed: memory follows the leaves of the keys the
 * trace touches (swap slots are reused, so this tracks the swap space in
 * use), not the trace length. Chunks and indexes are on huge pages where
 * the kernel grants them: under virtualisation a TLB miss costs a page
 * walk as long as the cache miss (docs/PERFORMANCE.md).
 */
#include <stdlib.h>
#include <string.h>

#include "../util/huge_alloc.h"
#include "internal.h"

/*
 * Zeroed, and written: fresh zeroed pages are the shared zero page until
 * written, and a lookup reads a slot before it writes it; under threads
 * each such first write is a copy-on-write fault with a TLB shootdown to
 * every CPU the process runs on (10% of a 2-thread replay's time).
 */
static void *zalloc(size_t n, size_t size)
{
	volatile char *p = zpb_huge_calloc(n, size);
	size_t i;

	for (i = 0; p && i < n * size; i += 4096)
		p[i] = 0;
	return (void *)p;
}

static int new_chunk(struct zpb_keytable *kt, uint32_t c)
{
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
	if (!kt->chunks || nix < 1 || (uint32_t)nix > KT_MAX_CHUNKS ||
	    posix_memalign((void **)&kt->ix, 64, (size_t)nix * sizeof(*kt->ix)))
		return -1;
	memset(kt->ix, 0, (size_t)nix * sizeof(*kt->ix));
	kt->nix = nix;
	for (i = 0; i < nix; i++) {
		struct zpb_ktindex *x = &kt->ix[i];

		x->mask = 255;
		x->slots = zalloc(x->mask + 1, sizeof(*x->slots));
		/* Index i's first chunk is chunk i; leaf 0 is reserved. */
		x->next = (uint32_t)i << KT_CHUNK_BITS | (i == 0 ? KT_LEAF : 0);
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

uint64_t zpb_kt_count(const struct zpb_keytable *kt)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < kt->nix; i++)
		n += kt->ix[i].nkeys;
	return n;
}

uint32_t zpb_kt_next(const struct zpb_keytable *kt, uint32_t i)
{
	uint64_t end = 0, j;
	int k;

	for (k = 0; k < kt->nix; k++) {
		uint64_t n = kt->ix[k].next == KT_FULL ? (uint64_t)KT_MAX_CHUNKS << KT_CHUNK_BITS : kt->ix[k].next;

		if (n > end)
			end = n;
	}
	for (j = (uint64_t)i + 1; j < end; j++) {
		if (kt->chunks[j >> KT_CHUNK_BITS])
			return (uint32_t)j;
		j |= KT_CHUNK - 1;	/* another index's chunk not yet taken: skip it */
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
		if (!x->slots[i].leaf)
			continue;
		for (j = zpb_kt_hash(x->slots[i].leafkey) & nmask; ns[j].leaf; j = (j + 1) & nmask)
			;
		ns[j] = x->slots[i];
	}
	free(x->slots);
	x->slots = ns;
	x->mask = nmask;
	return 0;
}

struct kt_slot *zpb_kt_add_leaf(struct zpb_keytable *kt, int ix, uint64_t leafkey, uint64_t i)
{
	struct zpb_ktindex *x = &kt->ix[ix];
	uint32_t base = x->next, k;
	uint64_t c;
	struct zpb_entry *ent;
	struct kt_slot *s;

	if (base == KT_FULL)
		return NULL;
	/* A leaf at a chunk's start: the chunk is new, unless it is the index's first (made at init). */
	c = base >> KT_CHUNK_BITS;
	if (!kt->chunks[c] && new_chunk(kt, (uint32_t)c))
		return NULL;
	/* The index's load factor stays at most 1/2. */
	if ((uint64_t)(x->leaves + 1) * 2 > x->mask) {
		if (grow(x))
			return NULL;
		for (i = zpb_kt_hash(leafkey) & x->mask; x->slots[i].leaf; i = (i + 1) & x->mask)
			;
	}
	ent = zpb_kt_entry(kt, base);
	for (k = 0; k < KT_LEAF; k++)
		ent[k].key = leafkey << KT_LEAF_BITS | k;
	/* The chunk's last leaf: the index's next is its next chunk, i + n after chunk i. */
	if (((base + KT_LEAF) & (KT_CHUNK - 1)) == 0) {
		c += (uint64_t)kt->nix;
		x->next = c < KT_MAX_CHUNKS ? (uint32_t)(c << KT_CHUNK_BITS) : KT_FULL;
	} else {
		x->next = base + KT_LEAF;
	}
	x->leaves++;
	s = &x->slots[i];
	s->leafkey = leafkey;
	s->seen = 0;
	s->leaf = base >> KT_LEAF_BITS;
	return s;
}
