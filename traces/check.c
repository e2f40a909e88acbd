// SPDX-License-Identifier: GPL-2.0-only
/*
 * The semantic checker: each key's life, followed record by record in an
 * open-addressing table that only grows with the number of distinct keys.
 * The rules it enforces are in docs/trace-format.md, "Semantics".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_internal.h"

enum key_state {
	K_STORED = 1,		/* in the pool */
	K_LOADED,		/* freed by an exclusive load */
	K_WRITTEN_BACK,		/* evicted to the swap device */
	K_INVALIDATED,		/* the swap slot was freed */
};

static const char *const state_what[] = {
	[K_STORED] = "stored",
	[K_LOADED] = "loaded (exclusive loads free the entry)",
	[K_WRITTEN_BACK] = "written back",
	[K_INVALIDATED] = "invalidated",
};

struct slot {
	uint64_t key;
	uint64_t recno;		/* the record that set the state; 0 = empty slot */
	uint32_t len;		/* bytes the entry holds in the pool while stored */
	uint8_t state;
};

struct zpb_checker {
	struct zpb_check_opts opts;
	struct slot *tab;
	size_t cap, used;	/* cap is a power of two; used <= cap / 2 */
	uint64_t prev_time;
	uint64_t prev_time_rec;
	struct zpb_check_stats st;
};

struct zpb_checker *zpb_checker_new(const struct zpb_check_opts *opts)
{
	struct zpb_checker *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (opts)
		c->opts = *opts;
	c->cap = 1024;
	c->tab = calloc(c->cap, sizeof(*c->tab));
	if (!c->tab) {
		free(c);
		return NULL;
	}
	return c;
}

void zpb_checker_free(struct zpb_checker *c)
{
	if (c) {
		free(c->tab);
		free(c);
	}
}

static size_t hash(uint64_t key, size_t cap)
{
	return (size_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 17) & (cap - 1);
}

static int grow(struct zpb_checker *c)
{
	size_t ncap = c->cap * 2, i;
	struct slot *nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -1;
	for (i = 0; i < c->cap; i++) {
		size_t h;

		if (!c->tab[i].recno)
			continue;
		for (h = hash(c->tab[i].key, ncap); nt[h].recno; h = (h + 1) & (ncap - 1))
			;
		nt[h] = c->tab[i];
	}
	free(c->tab);
	c->tab = nt;
	c->cap = ncap;
	return 0;
}

/* The key's slot, or an empty slot where it goes; NULL if out of memory. */
static struct slot *lookup(struct zpb_checker *c, uint64_t key)
{
	size_t h;

	if (c->used + 1 > c->cap / 2 && grow(c))
		return NULL;
	for (h = hash(key, c->cap); c->tab[h].recno; h = (h + 1) & (c->cap - 1))
		if (c->tab[h].key == key)
			return &c->tab[h];
	return &c->tab[h];
}

/* What the pool holds for a store: nothing for a same-filled page. */
static uint32_t pool_bytes(const struct zpb_record *rec)
{
	return (rec->flags & ZPB_STORE_SAME_FILLED) ? 0 : rec->len;
}

static void leave_pool(struct zpb_checker *c, struct slot *s)
{
	c->st.live_keys--;
	c->st.live_bytes -= s->len;
}

int zpb_checker_feed(struct zpb_checker *c, const struct zpb_record *rec, uint64_t recno,
		     char *msg, size_t msglen)
{
	struct slot *s;
	int bad = 0;	/* problems found in this record */
	char key[48];

	c->st.records++;
	if (c->st.records > 1 && rec->time_ns < c->prev_time) {
		snprintf(msg, msglen, "record %llu: time %llu ns goes back from %llu ns at record %llu",
			 (unsigned long long)recno, (unsigned long long)rec->time_ns,
			 (unsigned long long)c->prev_time, (unsigned long long)c->prev_time_rec);
		bad++;
	}
	c->prev_time = rec->time_ns;
	c->prev_time_rec = recno;
	if (!zpb_op_has_key(rec->op)) {
		c->st.problems += bad;
		return bad;
	}

	s = lookup(c, rec->key);
	if (!s) {
		snprintf(msg, msglen, "record %llu: out of memory tracking keys", (unsigned long long)recno);
		return -1;
	}
	snprintf(key, sizeof(key), "%u:%llu", ZPB_KEY_TYPE(rec->key),
		 (unsigned long long)ZPB_KEY_OFFSET(rec->key));
	/* A record can have two problems (time and key): the second is appended. */
#define PROBLEM(...) do {							\
	size_t __n = bad ? strlen(msg) : 0;					\
	if (bad && __n + 2 < msglen) {						\
		memcpy(msg + __n, "; ", 3);					\
		__n += 2;							\
	}									\
	if (!bad)								\
		__n = (size_t)snprintf(msg, msglen, "record %llu: ", (unsigned long long)recno); \
	if (__n < msglen)							\
		snprintf(msg + __n, msglen - __n, __VA_ARGS__);			\
	bad++;									\
} while (0)

	if (!s->recno) {
		/* First sight of the key. */
		s->key = rec->key;
		c->used++;
		c->st.distinct_keys++;
		if (rec->op != ZPB_OP_STORE) {
			PROBLEM("%s of key %s, which was never stored", zpb_op_name(rec->op), key);
			/* Remember it as gone, so one stray key is reported once. */
			s->state = K_INVALIDATED;
			s->recno = recno;
			c->st.problems += bad;
			return bad;
		}
	}

	switch (rec->op) {
	case ZPB_OP_STORE:
		if (s->recno && s->state == K_STORED) {
			PROBLEM("STORE of key %s, already stored at record %llu and not invalidated",
				key, (unsigned long long)s->recno);
			leave_pool(c, s);
		}
		s->state = K_STORED;
		s->len = pool_bytes(rec);
		c->st.live_keys++;
		c->st.live_bytes += s->len;
		if (c->st.live_keys > c->st.peak_live_keys)
			c->st.peak_live_keys = c->st.live_keys;
		if (c->st.live_bytes > c->st.peak_live_bytes)
			c->st.peak_live_bytes = c->st.live_bytes;
		break;
	case ZPB_OP_LOAD:
		if (s->state == K_STORED) {
			if (c->opts.exclusive_loads) {
				leave_pool(c, s);
				s->state = K_LOADED;
			}
		} else if (s->state != K_WRITTEN_BACK) {
			/* A load after writeback is a miss served from the swap device: legal. */
			PROBLEM("LOAD of key %s, already %s at record %llu", key, state_what[s->state],
				(unsigned long long)s->recno);
		}
		break;
	case ZPB_OP_INVALIDATE:
		/* After an exclusive load or a writeback the slot is freed later: legal. */
		if (s->state == K_INVALIDATED)
			PROBLEM("INVALIDATE of key %s, already invalidated at record %llu", key,
				(unsigned long long)s->recno);
		else if (s->state == K_STORED)
			leave_pool(c, s);
		s->state = K_INVALIDATED;
		break;
	case ZPB_OP_WRITEBACK:
		if (s->state != K_STORED)
			PROBLEM("WRITEBACK of key %s, already %s at record %llu", key, state_what[s->state],
				(unsigned long long)s->recno);
		else
			leave_pool(c, s);
		s->state = K_WRITTEN_BACK;
		break;
	}
#undef PROBLEM
	/* A non-exclusive LOAD leaves the entry as it was: keep the store's record. */
	if (!(rec->op == ZPB_OP_LOAD && s->state == K_STORED))
		s->recno = recno;
	c->st.problems += bad;
	return bad;
}

void zpb_checker_stats(const struct zpb_checker *c, struct zpb_check_stats *st)
{
	*st = c->st;
}
