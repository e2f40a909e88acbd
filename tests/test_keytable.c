// SPDX-License-Identifier: GPL-2.0-only
/*
 * The replay's key table (replay/keytable.c): each key has one entry index
 * for the run, distinct keys have distinct entries that hold their key,
 * entries never move while the index grows, consecutive keys share a leaf
 * (so a dense key set costs its own entries and no more), nkeys counts
 * distinct keys while an index's next counts the entry indexes it handed
 * out (one index: chunk after chunk), the dispatch words follow the
 * entries across chunks, and per-thread indexes (--partition key) take
 * leaves from chunks of their own.
 */
#include <stdlib.h>

#include "../replay/internal.h"
#include "harness.h"
#include "trace_util.h"

/* Look up every key of @keys twice, in two orders: the index must be the same each time. */
static void stable(struct zpb_keytable *kt, const uint64_t *keys, size_t n, uint32_t *idx)
{
	size_t i;

	for (i = 0; i < n; i++) {
		idx[i] = zpb_kt_get(kt, 0, keys[i]);
		REQUIRE(idx[i] != 0, "key %#llx: index 0 (out of memory, or the LRU head given out)",
			(unsigned long long)keys[i]);
		CHECK(idx[i] < kt->ix[0].next, "key %#llx: index %u not below the index's next %u", (unsigned long long)keys[i],
		      idx[i], kt->ix[0].next);
		REQUIRE(zpb_kt_entry(kt, idx[i])->key == keys[i], "key %#llx: its entry holds %#llx",
			(unsigned long long)keys[i], (unsigned long long)zpb_kt_entry(kt, idx[i])->key);
	}
	for (i = n; i-- > 0;)
		REQUIRE(zpb_kt_get(kt, 0, keys[i]) == idx[i], "key %#llx: index %u, then %u",
			(unsigned long long)keys[i], idx[i], zpb_kt_get(kt, 0, keys[i]));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* No two of the @n indexes are equal (sorts them). */
static void all_distinct(uint32_t *idx, size_t n)
{
	size_t i;

	qsort(idx, n, sizeof(*idx), cmp_u32);
	for (i = 1; i < n; i++)
		REQUIRE(idx[i] != idx[i - 1], "two keys share index %u", idx[i]);
}

TEST(consecutive_keys_fill_leaves_densely_and_get_adjacent_entries)
{
	enum { N = 4096 };
	struct zpb_keytable kt;
	uint64_t keys[N];
	uint32_t idx[N];
	size_t i;

	REQUIRE(zpb_kt_init(&kt, false, 1) == 0, "init");
	/* Swap type 3 from offset 128: a leaf-aligned run, as a swap cluster is. */
	for (i = 0; i < N; i++)
		keys[i] = ZPB_KEY(3, 128 + i);
	stable(&kt, keys, N, idx);
	CHECK_EQ_UL(kt.ix[0].nkeys, N, "distinct keys");
	CHECK_EQ_UL(kt.ix[0].next, KT_LEAF + N, "entry indexes: leaf 0 and the keys' own, no more");
	for (i = 1; i < N; i++)
		CHECK(zpb_kt_entry(&kt, idx[i]) == zpb_kt_entry(&kt, idx[i - 1]) + 1,
		      "keys %zu and %zu: entries not adjacent", i - 1, i);
	zpb_kt_destroy(&kt);
}

TEST(nkeys_counts_keys_looked_up_not_the_entries_of_their_leaves)
{
	struct zpb_keytable kt;
	uint64_t keys[] = { ZPB_KEY(0, 5), ZPB_KEY(0, 6), ZPB_KEY(0, 5000), ZPB_KEY(1, 5) };
	uint32_t idx[4];

	REQUIRE(zpb_kt_init(&kt, false, 1) == 0, "init");
	CHECK_EQ_UL(kt.ix[0].nkeys, 0, "keys before any lookup");
	stable(&kt, keys, 4, idx);
	CHECK_EQ_UL(kt.ix[0].nkeys, 4, "distinct keys after looking each up twice");
	CHECK_EQ_UL(kt.ix[0].next, 4 * KT_LEAF, "entry indexes: leaf 0 and three leaves");
	CHECK(idx[1] == idx[0] + 1, "neighbouring keys in one leaf: %u, %u", idx[0], idx[1]);
	/* The other keys of a leaf have entries holding their keys, but were never looked up. */
	CHECK(zpb_kt_entry(&kt, idx[0] + 2)->key == ZPB_KEY(0, 7), "the leaf's next entry holds key 7");
	CHECK(zpb_kt_entry(&kt, idx[0] + 2)->state == ES_EMPTY, "and is empty");
	CHECK_EQ_UL(kt.ix[0].nkeys, 4, "still 4 keys");
	zpb_kt_destroy(&kt);
}

TEST(sparse_keys_of_every_swap_type_stay_put_while_the_index_grows)
{
	enum { N = 30000 };
	struct zpb_keytable kt;
	uint64_t *keys = malloc(N * sizeof(*keys)), s = 11;
	uint32_t *idx = malloc(N * sizeof(*idx));
	struct zpb_entry *first;
	size_t i, j;

	REQUIRE(keys && idx, "out of memory");
	REQUIRE(zpb_kt_init(&kt, false, 1) == 0, "init");
	/* Random offsets anywhere in 58 bits, in every swap type (the largest key included). */
	keys[0] = ZPB_KEY(ZPB_KEY_TYPE_MAX, ZPB_KEY_OFFSET_MASK);
	for (i = 1; i < N; i++)
		keys[i] = ZPB_KEY(tu_rand(&s) % (ZPB_KEY_TYPE_MAX + 1), tu_rand(&s));
	/* Drop repeats, so that the count of distinct keys is known. */
	qsort(keys + 1, N - 1, sizeof(*keys), cmp_u64);
	for (i = j = 1; i < N; i++)
		if (keys[i] != keys[j - 1] && keys[i] != keys[0])
			keys[j++] = keys[i];
	first = zpb_kt_entry(&kt, zpb_kt_get(&kt, 0, keys[0]));
	first->version = 42;
	stable(&kt, keys, j, idx);
	CHECK(zpb_kt_entry(&kt, idx[0]) == first && first->version == 42,
	      "the first key's entry moved or changed while the index grew");
	CHECK_EQ_UL(kt.ix[0].nkeys, j, "distinct keys");
	CHECK(kt.ix[0].mask + 1 >= 2 * (kt.ix[0].next >> KT_LEAF_BITS), "index load factor above 1/2 (%llu slots, %u leaves)",
	      (unsigned long long)kt.ix[0].mask + 1, kt.ix[0].next >> KT_LEAF_BITS);
	all_distinct(idx, j);
	zpb_kt_destroy(&kt);
	free(keys);
	free(idx);
}

TEST(distinct_keys_get_distinct_indexes_across_chunks_with_dispatch_words)
{
	enum { N = KT_CHUNK + 3 * KT_LEAF };
	struct zpb_keytable kt;
	uint64_t *keys = malloc(N * sizeof(*keys));
	uint32_t *idx = malloc(N * sizeof(*idx));
	size_t i;

	REQUIRE(keys && idx, "out of memory");
	REQUIRE(zpb_kt_init(&kt, true, 1) == 0, "init");
	/* Runs of 3 keys in every leaf-sized stride: the entries pass a chunk's end. */
	for (i = 0; i < N; i++)
		keys[i] = ZPB_KEY(1, (i / 3) * KT_LEAF + i % 3);
	stable(&kt, keys, N, idx);
	CHECK(kt.ix[0].next > KT_CHUNK, "the entries should fill more than a chunk (next %u)", kt.ix[0].next);
	for (i = 0; i < N; i++)
		*zpb_kt_dispatch(&kt, idx[i]) = KT_DISPATCH(i % 7, i);
	for (i = 0; i < N; i++)
		REQUIRE(*zpb_kt_dispatch(&kt, idx[i]) == KT_DISPATCH(i % 7, i), "key %zu: dispatch word lost", i);
	all_distinct(idx, N);
	zpb_kt_destroy(&kt);
	free(keys);
	free(idx);
}

TEST(per_thread_indexes_take_leaves_from_their_own_chunks)
{
	enum { NIX = 3, N = KT_CHUNK + 5 * KT_LEAF };
	struct zpb_keytable kt;
	uint32_t *idx = malloc(NIX * N * sizeof(*idx)), i, seen = 0;
	int x;

	REQUIRE(idx, "out of memory");
	REQUIRE(zpb_kt_init(&kt, false, NIX) == 0, "init");
	/* Every index looks up the same keys, one per leaf: each index passes a chunk's end. */
	for (x = 0; x < NIX; x++) {
		for (i = 0; i < N / KT_LEAF; i++) {
			uint64_t key = ZPB_KEY(2, (uint64_t)i * KT_LEAF + 1);
			uint32_t c;

			idx[x * N + i] = zpb_kt_get(&kt, x, key);
			REQUIRE(idx[x * N + i] != 0, "index %d, key %u: entry 0", x, i);
			REQUIRE(zpb_kt_entry(&kt, idx[x * N + i])->key == key, "index %d, key %u: entry holds another key", x, i);
			REQUIRE(zpb_kt_get(&kt, x, key) == idx[x * N + i], "index %d, key %u: a second lookup moved it", x, i);
			c = idx[x * N + i] >> KT_CHUNK_BITS;
			CHECK(c % NIX == (uint32_t)x, "index %d: entry %u in chunk %u, another index's", x, idx[x * N + i], c);
		}
		CHECK_EQ_UL(kt.ix[x].nkeys, N / KT_LEAF, "index's distinct keys");
		CHECK_EQ_UL(kt.ix[x].leaves, N / KT_LEAF, "index's leaves");
	}
	CHECK_EQ_UL(zpb_kt_count(&kt), NIX * (N / KT_LEAF), "keys in all indexes");
	/* zpb_kt_next visits every entry handed out, each once, in order. */
	for (x = 0; x < NIX; x++)
		for (i = 0; i < N / KT_LEAF; i++)
			zpb_kt_entry(&kt, idx[x * N + i])->version = 7;
	for (i = zpb_kt_next(&kt, 0); i; i = zpb_kt_next(&kt, i))
		seen += zpb_kt_entry(&kt, i)->version == 7;
	CHECK_EQ_UL(seen, NIX * (N / KT_LEAF), "entries zpb_kt_next visits");
	zpb_kt_destroy(&kt);
	free(idx);
}
