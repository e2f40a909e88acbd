// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lock statistics: recording (per thread, no lock, no shared cache line)
 * and reading (merged by class). See lockstat.h.
 *
 * Each thread that takes a lock with lockstat on gets a block of per-site
 * figures, registered once in a global list and never freed (a thread may
 * exit before the figures are read: the workqueue's workers do). Only the
 * owning thread writes its block; the reader reads after the run, with
 * relaxed atomics on both sides so that the race detector sees no race.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../zpool.h"
#include "config.h"
#include "lockstat.h"

#define MAX_SITES 256		/* call sites; past it, acquisitions are dropped (counted) */
#define MAX_HELD 16		/* locks one thread holds at once; z3fold nests at most 3 */

int zpb_lockstat_on;

struct site_stats {
	uint64_t acq, con, holds;
	uint64_t wait_total, wait_min, wait_max;
	uint64_t hold_total, hold_min, hold_max;
	uint64_t wait_hist[ZPOOL_LOCKSTAT_BUCKETS], hold_hist[ZPOOL_LOCKSTAT_BUCKETS];
};

struct held {
	const void *lock;
	int site;
	uint64_t since;
};

struct thread_stats {
	struct thread_stats *next;
	struct held held[MAX_HELD];
	int depth;
	uint64_t dropped;
	struct site_stats s[MAX_SITES];
};

static struct zpb_lock_site *sites[MAX_SITES];
static int nsites;
static uint64_t dropped_sites;
static struct thread_stats *threads;
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread struct thread_stats *me;

/* Single writer: a relaxed load and store, which TSan sees and x86 makes plain. */
#define BUMP(field, v) __atomic_store_n(&(field), __atomic_load_n(&(field), __ATOMIC_RELAXED) + (v), __ATOMIC_RELAXED)
#define SET(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)
#define GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

uint64_t zpb_lockstat_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct thread_stats *self(void)
{
	if (__builtin_expect(me != NULL, 1))
		return me;
	me = calloc(1, sizeof(*me));
	if (!me)
		return NULL;
	pthread_mutex_lock(&threads_lock);
	me->next = threads;
	threads = me;
	pthread_mutex_unlock(&threads_lock);
	return me;
}

/* The site's index in sites[], assigning one on first use; -1 when the table is full. */
static int site_id(struct zpb_lock_site *site)
{
	int id = __atomic_load_n(&site->id, __ATOMIC_ACQUIRE), want = 0;

	if (id)
		return id - 1;
	pthread_mutex_lock(&threads_lock);
	id = __atomic_load_n(&site->id, __ATOMIC_RELAXED);
	if (!id && nsites < MAX_SITES) {
		sites[nsites] = site;
		id = ++nsites;
		__atomic_compare_exchange_n(&site->id, &want, id, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	} else if (!id) {
		dropped_sites++;
	}
	pthread_mutex_unlock(&threads_lock);
	return id - 1;
}

static unsigned int bucket(uint64_t ns)
{
	unsigned int b = ns ? 63 - (unsigned int)__builtin_clzll(ns) : 0;

	return b < ZPOOL_LOCKSTAT_BUCKETS ? b : ZPOOL_LOCKSTAT_BUCKETS - 1;
}

static void add_time(uint64_t *total, uint64_t *min, uint64_t *max, uint64_t *hist, uint64_t n_before, uint64_t v)
{
	BUMP(*total, v);
	if (!n_before || v < GET(*min))
		SET(*min, v);
	if (v > GET(*max))
		SET(*max, v);
	BUMP(hist[bucket(v)], 1);
}

void zpb_lockstat_acquired(const void *lock, struct zpb_lock_site *site, uint64_t wait_start)
{
	struct thread_stats *t = self();
	uint64_t now = zpb_lockstat_now();
	struct site_stats *s;
	int id;

	if (!t)
		return;
	id = site_id(site);
	if (id < 0) {
		BUMP(t->dropped, 1);
		return;
	}
	s = &t->s[id];
	BUMP(s->acq, 1);
	if (wait_start) {
		add_time(&s->wait_total, &s->wait_min, &s->wait_max, s->wait_hist, GET(s->con),
			 now > wait_start ? now - wait_start : 0);
		BUMP(s->con, 1);
	}
	if (t->depth == MAX_HELD) {
		BUMP(t->dropped, 1);
		return;
	}
	t->held[t->depth++] = (struct held){ lock, id, now };
}

void zpb_lockstat_release(const void *lock)
{
	struct thread_stats *t = me;
	struct site_stats *s;
	int i;

	if (!t)
		return;
	/* Locks are usually released in reverse order: search from the top. */
	for (i = t->depth - 1; i >= 0 && t->held[i].lock != lock; i--)
		;
	if (i < 0) {
		/* Taken before lockstat was on, or released by another thread. */
		BUMP(t->dropped, 1);
		return;
	}
	s = &t->s[t->held[i].site];
	add_time(&s->hold_total, &s->hold_min, &s->hold_max, s->hold_hist, GET(s->holds),
		 zpb_lockstat_now() - t->held[i].since);
	BUMP(s->holds, 1);
	memmove(&t->held[i], &t->held[i + 1], (size_t)(t->depth - i - 1) * sizeof(t->held[0]));
	t->depth--;
}

bool zpool_lockstat_supported(void)
{
	return ZPB_LOCKSTAT;
}

void zpool_lockstat_enable(bool on)
{
	__atomic_store_n(&zpb_lockstat_on, on ? 1 : 0, __ATOMIC_RELAXED);
}

void zpool_lockstat_reset(void)
{
	struct thread_stats *t;

	pthread_mutex_lock(&threads_lock);
	for (t = threads; t; t = t->next) {
		memset(t->s, 0, sizeof(t->s));
		SET(t->dropped, 0);
	}
	dropped_sites = 0;
	pthread_mutex_unlock(&threads_lock);
}

static const char *const kind_names[] = { "spin", "read", "write" };

/* The path from the top of the tree: __FILE__ as the build gave it. */
static const char *tree_path(const char *file)
{
	return strncmp(file, "./", 2) ? file : file + 2;
}

static void merge(struct zpool_lock_class *c, const struct site_stats *s)
{
	unsigned int i;
	uint64_t con = GET(s->con), holds = GET(s->holds);

	if (con && (!c->contentions || GET(s->wait_min) < c->wait_min))
		c->wait_min = GET(s->wait_min);
	if (holds && (!c->holds || GET(s->hold_min) < c->hold_min))
		c->hold_min = GET(s->hold_min);
	if (GET(s->wait_max) > c->wait_max)
		c->wait_max = GET(s->wait_max);
	if (GET(s->hold_max) > c->hold_max)
		c->hold_max = GET(s->hold_max);
	c->acquisitions += GET(s->acq);
	c->contentions += con;
	c->holds += holds;
	c->wait_total += GET(s->wait_total);
	c->hold_total += GET(s->hold_total);
	for (i = 0; i < ZPOOL_LOCKSTAT_BUCKETS; i++) {
		c->wait_hist[i] += GET(s->wait_hist[i]);
		c->hold_hist[i] += GET(s->hold_hist[i]);
	}
}

static int busiest_first(const void *a, const void *b)
{
	const struct zpool_lock_class *x = a, *y = b;

	if (x->contentions != y->contentions)
		return x->contentions < y->contentions ? 1 : -1;
	if (x->acquisitions != y->acquisitions)
		return x->acquisitions < y->acquisitions ? 1 : -1;
	return strcmp(x->name, y->name);
}

int zpool_lockstat_read(struct zpool_lock_class *out, int max)
{
	struct zpool_lock_class *all;
	struct thread_stats *t;
	int n = 0, i, j, site_class[MAX_SITES];

	pthread_mutex_lock(&threads_lock);
	all = calloc((size_t)nsites + 1, sizeof(*all));
	if (!all) {
		pthread_mutex_unlock(&threads_lock);
		return -1;
	}
	/* Sites with the same expression, file and kind are one class. */
	for (i = 0; i < nsites; i++) {
		const struct zpb_lock_site *s = sites[i];

		for (j = 0; j < n; j++)
			if (!strcmp(all[j].name, s->name) && !strcmp(all[j].file, tree_path(s->file)) &&
			    all[j].kind == kind_names[s->kind])
				break;
		if (j == n) {
			all[n].name = s->name;
			all[n].file = tree_path(s->file);
			all[n].kind = kind_names[s->kind];
			n++;
		}
		site_class[i] = j;
	}
	for (t = threads; t; t = t->next)
		for (i = 0; i < nsites; i++)
			merge(&all[site_class[i]], &t->s[i]);
	pthread_mutex_unlock(&threads_lock);
	/* Classes never taken since the reset are left out. */
	for (i = j = 0; i < n; i++)
		if (all[i].acquisitions)
			all[j++] = all[i];
	n = j;
	qsort(all, (size_t)n, sizeof(*all), busiest_first);
	memcpy(out, all, (size_t)(n < max ? n : max) * sizeof(*all));
	free(all);
	return n;
}

uint64_t zpool_lockstat_dropped(void)
{
	struct thread_stats *t;
	uint64_t n;

	pthread_mutex_lock(&threads_lock);
	n = dropped_sites;
	for (t = threads; t; t = t->next)
		n += GET(t->dropped);
	pthread_mutex_unlock(&threads_lock);
	return n;
}
