// SPDX-License-Identifier: GPL-2.0-only
/*
 * Density over the run: samples every --sample-ops records and at each
 * MARK, and the objects-per-page distribution at the end.
 *
 * The timeline is bounded: when it reaches ZPB_TIMELINE_MAX samples, every
 * other one is dropped and the interval doubles, so a trace of any length
 * gives at most that many points, evenly spread. Marks are kept, all.
 *
 * Sampling while threads run reads each thread's counters with relaxed
 * atomic loads: a sample is a consistent sum only at marks, where the
 * engine first lets every queued record finish.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define ZPB_TIMELINE_MAX 65536

void zpb_sample(struct zpb_engine *e, uint64_t record, struct zpb_sample *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->record = record;
	s->time_ns = zpb_clock_ns() - e->start_ns;
	s->pool_bytes = zpool_get_total_size(e->pool);
	s->pool_pages = DIV_ROUND_UP(s->pool_bytes, PAGE_SIZE);
	s->arena_pages = zpool_pages(e->pool);
	for (i = 0; i < e->nworkers + 2; i++) {
		struct zpb_counters *c = &e->workers[i].cnt;

		s->stored_bytes += CNT_GET(c, stored_bytes);
		s->stored_pages += CNT_GET(c, stored_pages);
		s->same_filled += CNT_GET(c, same_filled);
		s->writebacks += CNT_GET(c, writebacks);
		s->misses += CNT_GET(c, misses);
		s->rejects += CNT_GET(c, rejects);
	}
	s->live_objects = s->stored_pages + s->same_filled;
	if (s->pool_pages > __atomic_load_n(&e->peak_pool_pages, __ATOMIC_RELAXED))
		__atomic_store_n(&e->peak_pool_pages, s->pool_pages, __ATOMIC_RELAXED);
}

int zpb_timeline_add(struct zpb_run_result *r, const struct zpb_sample *s, uint64_t *every)
{
	if (!r->timeline) {
		r->timeline = malloc(ZPB_TIMELINE_MAX * sizeof(*r->timeline));
		if (!r->timeline)
			return -1;
	}
	if (r->ntimeline == ZPB_TIMELINE_MAX) {
		size_t i;

		for (i = 0; i < ZPB_TIMELINE_MAX / 2; i++)
			r->timeline[i] = r->timeline[2 * i + 1];
		r->ntimeline = ZPB_TIMELINE_MAX / 2;
		*every *= 2;
	}
	if (r->ntimeline) {
		/* The last sample survives thinning (odd index), so it is the previous one added. */
		const struct zpb_sample *p = &r->timeline[r->ntimeline - 1];
		double span = s->record > p->record ? (double)(s->record - p->record) : 0;

		r->pool_page_records += span * ((double)p->pool_pages + (double)s->pool_pages) / 2;
		r->stored_byte_records += span * ((double)p->stored_bytes + (double)s->stored_bytes) / 2;
	}
	r->timeline[r->ntimeline++] = *s;
	return 0;
}

int zpb_mark_add(struct zpb_run_result *r, const char *label, const struct zpb_sample *s)
{
	static const size_t first = 64;

	/* Marks are the trace's own checkpoints; a hostile trace must not make them unbounded. */
	if (r->nmarks >= ZPB_MARKS_MAX) {
		r->marks_dropped++;
		return -1;
	}

	if (r->nmarks == 0 || (r->nmarks >= first && !(r->nmarks & (r->nmarks - 1)))) {
		size_t cap = r->nmarks ? r->nmarks * 2 : first;
		struct zpb_mark *m = realloc(r->marks, cap * sizeof(*m));

		if (!m)
			return -1;
		r->marks = m;
	}
	snprintf(r->marks[r->nmarks].label, sizeof(r->marks[0].label), "%s", label);
	r->marks[r->nmarks].s = *s;
	r->nmarks++;
	return 0;
}

#define ZPB_OPP_MAX 256		/* pages holding more objects share the last bucket */

struct pfn_count { unsigned long pfn; uint64_t n; };

/*
 * Which page each object starts on, found generically: map the handle and
 * ask the arena which page the address is in. Objects whose mapping is not
 * in the arena (a copy, as zsmalloc makes for objects spanning two pages,
 * or the ideal bound's heap) are counted as unresolved; when none resolve
 * there is no distribution. Pages holding no object start (a z3fold
 * header-only page, a zspage's tail) count as 0.
 */
void zpb_objects_per_page(struct zpb_engine *e)
{
	struct zpb_run_result *r = e->res;
	uint64_t live = 0, mask, resolved = 0, distinct = 0, arena;
	struct pfn_count *tab;
	uint32_t i;

	for (i = zpb_kt_next(&e->kt, 0); i; i = zpb_kt_next(&e->kt, i))
		live += zpb_kt_entry(&e->kt, i)->state == ES_POOL;
	if (!e->verify || !live)
		return;
	for (mask = 15; mask < live * 2; mask = mask * 2 + 1)
		;
	tab = calloc(mask + 1, sizeof(*tab));
	r->opp = calloc(ZPB_OPP_MAX + 1, sizeof(*r->opp));
	if (!tab || !r->opp) {
		free(tab);
		free(r->opp);
		r->opp = NULL;
		return;
	}
	for (i = zpb_kt_next(&e->kt, 0); i; i = zpb_kt_next(&e->kt, i)) {
		struct zpb_entry *ent = zpb_kt_entry(&e->kt, i);
		char *p;
		unsigned long pfn, j;
		long idx;

		if (ent->state != ES_POOL)
			continue;
		p = zpool_map_handle(e->pool, ent->handle, ZPOOL_MM_RO);
		idx = zpool_page_index(p);
		zpool_unmap_handle(e->pool, ent->handle);
		if (idx < 0) {
			r->opp_unresolved++;
			continue;
		}
		pfn = (unsigned long)idx;
		for (j = (pfn * 0x9e3779b97f4a7c15ull) & mask; tab[j].n && tab[j].pfn != pfn; j = (j + 1) & mask)
			;
		if (!tab[j].n)
			distinct++;
		tab[j].pfn = pfn;
		tab[j].n++;
		resolved++;
	}
	if (resolved) {
		uint64_t j;

		for (j = 0; j <= mask; j++)
			if (tab[j].n)
				r->opp[tab[j].n < ZPB_OPP_MAX ? tab[j].n : ZPB_OPP_MAX]++;
		arena = zpool_pages(e->pool);
		if (arena > distinct)
			r->opp[0] = arena - distinct;
		r->nopp = ZPB_OPP_MAX + 1;
		r->opp_available = true;
	}
	free(tab);
}
