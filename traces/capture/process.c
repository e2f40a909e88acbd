// SPDX-License-Identifier: GPL-2.0-only
/*
 * capture process: watch a live process's anonymous memory through
 * /proc/PID/maps and /proc/PID/mem, find the pages it writes by a content hash
 * per page, and simulate swap under a RAM budget with an LRU. Cold pages are
 * stored (compressed from their real contents); a stored page written again
 * is swapped in (LOAD + INVALIDATE). Only writes are visible: reads leave no
 * trace in the content, so a page that is only read looks cold.
 *
 * With a page size above this kernel's 4 KiB base page (--page-size 16384,
 * as on an arm64 16K kernel), each mapping is cut into pages of that size
 * from its start: a page is in memory if any of its base pages is, a base
 * page never touched reads as zeros (as it would in a 16K kernel, which
 * faults the whole page in), and a mapping's last, partial page is padded
 * with zeros, as a file's last page is in capture pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"

#define NIL UINT32_MAX
#define BASE_PAGE 4096u		/* /proc/PID/pagemap's unit: this kernel's PAGE_SIZE */
#define CHUNK_PAGES 64		/* base pages read at a time (256 KiB) */

enum pstate { P_RESIDENT, P_SWAPPED, P_GONE };

struct ppage {
	uint64_t vpn;		/* the base page number where the page starts */
	uint64_t hash;		/* content hash at the last snapshot */
	uint32_t prev, next;	/* LRU links, resident pages only */
	uint32_t gen;		/* the last snapshot that saw it mapped */
	uint8_t state;
	uint8_t nbase;		/* its base pages inside the mapping (< ps / BASE_PAGE: padded) */
};

struct pcap {
	const struct zpb_capture_process_opts *o;
	struct zpb_capture_process_stats *st;
	int memfd;
	int mapfd;		/* /proc/PID/pagemap, or -1: then every page is read */
	uint32_t ps;		/* the page size pages are cut into */
	char path[64];
	struct ppage *pg;
	uint32_t n, cap;
	uint32_t *table;	/* open addressing vpn -> index into pg, NIL = empty */
	uint32_t tmask;
	uint32_t head, tail;
	uint64_t resident, budget;
	struct zpb_compressor *comp;
	unsigned int huge;
	void *buf, *scratch;
	struct zpb_sink *sink;
	struct zpb_pages_writer *contents;	/* or NULL */
	uint64_t t0, now, last_t;
	uint32_t cpu;
	char *err;
	size_t errlen;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A fast 64-bit content hash: word-wise multiply-xorshift, strong enough to spot changes. */
static uint64_t page_hash(const void *p, uint32_t ps)
{
	const uint64_t *w = p;
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15);
	size_t i;

	for (i = 0; i < ps / 8; i++) {
		h ^= w[i] + i;
		h *= UINT64_C(0xff51afd7ed558ccd);
		h ^= h >> 29;
	}
	return h;
}

static uint32_t slot_of(uint64_t vpn, uint32_t mask)
{
	return (uint32_t)((vpn * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & mask;
}

static int table_grow(struct pcap *c)
{
	uint32_t size = c->tmask ? (c->tmask + 1) * 2 : 4096, i;
	uint32_t *t = malloc((size_t)size * sizeof(*t));

	if (!t)
		return -1;
	memset(t, 0xff, (size_t)size * sizeof(*t));
	for (i = 0; i < c->n; i++) {
		uint32_t s = slot_of(c->pg[i].vpn, size - 1);

		while (t[s] != NIL)
			s = (s + 1) & (size - 1);
		t[s] = i;
	}
	free(c->table);
	c->table = t;
	c->tmask = size - 1;
	return 0;
}

/* The page for @vpn, added (state P_GONE, gen 0) if new. NIL when out of room. */
static uint32_t lookup(struct pcap *c, uint64_t vpn, int *is_new)
{
	uint32_t s;

	*is_new = 0;
	if (c->tmask && c->table) {
		for (s = slot_of(vpn, c->tmask); c->table[s] != NIL; s = (s + 1) & c->tmask)
			if (c->pg[c->table[s]].vpn == vpn)
				return c->table[s];
	}
	if (c->n >= c->o->max_pages)
		return NIL;
	if (c->n == c->cap) {
		uint32_t ncap = c->cap ? c->cap * 2 : 4096;
		struct ppage *np = realloc(c->pg, (size_t)ncap * sizeof(*np));

		if (!np)
			return NIL;
		c->pg = np;
		c->cap = ncap;
	}
	/* Keep the table at most half full. */
	if ((uint64_t)(c->n + 1) * 2 > (uint64_t)c->tmask + 1 || !c->table)
		if (table_grow(c))
			return NIL;
	memset(&c->pg[c->n], 0, sizeof(c->pg[c->n]));
	c->pg[c->n].vpn = vpn;
	c->pg[c->n].state = P_GONE;
	c->pg[c->n].prev = c->pg[c->n].next = NIL;
	for (s = slot_of(vpn, c->tmask); c->table[s] != NIL; s = (s + 1) & c->tmask)
		;
	c->table[s] = c->n;
	*is_new = 1;
	return c->n++;
}

static void lru_unlink(struct pcap *c, uint32_t i)
{
	struct ppage *p = &c->pg[i];

	if (p->prev != NIL)
		c->pg[p->prev].next = p->next;
	else
		c->head = p->next;
	if (p->next != NIL)
		c->pg[p->next].prev = p->prev;
	else
		c->tail = p->prev;
	p->prev = p->next = NIL;
	c->resident--;
}

static void lru_push(struct pcap *c, uint32_t i)
{
	struct ppage *p = &c->pg[i];

	p->prev = NIL;
	p->next = c->head;
	if (c->head != NIL)
		c->pg[c->head].prev = i;
	else
		c->tail = i;
	c->head = i;
	c->resident++;
}

/* Record time: the snapshot's time, nudged so that records never go backwards. */
static uint64_t rec_time(struct pcap *c)
{
	uint64_t t = c->now - c->t0;

	if (t <= c->last_t)
		t = c->last_t + 1;
	c->last_t = t;
	return t;
}

static int emit(struct pcap *c, enum zpb_op op, uint32_t i)
{
	if (op == ZPB_OP_LOAD)
		c->st->loads++;
	else
		c->st->invalidates++;
	return zpb_sink_op(c->sink, rec_time(c), c->cpu, op, ZPB_KEY(0, i), c->err, c->errlen);
}

/* Swap out the coldest resident pages until RAM fits the budget. */
static int evict(struct pcap *c)
{
	while (c->resident > c->budget) {
		uint32_t i = c->tail;
		struct zpb_page_class cl;
		ssize_t got;

		size_t want = (size_t)c->pg[i].nbase * BASE_PAGE;

		lru_unlink(c, i);
		got = pread(c->memfd, c->buf, want, (off_t)(c->pg[i].vpn * BASE_PAGE));
		if (got != (ssize_t)want) {
			/* Unmapped since the snapshot: nothing to swap out. */
			c->pg[i].state = P_GONE;
			continue;
		}
		if (want < c->ps)
			memset((char *)c->buf + want, 0, c->ps - want);
		if (zpb_page_classify(c->comp, c->buf, c->ps, c->o->policy.incompressible,
				      c->huge, c->scratch, &cl, c->err, c->errlen))
			return -1;
		c->pg[i].state = P_SWAPPED;
		if (cl.rejected) {
			/* zswap refused it: it went to the swap device, no record. */
			c->st->rejected++;
			c->pg[i].state = P_GONE;
			continue;
		}
		c->st->stores++;
		if (cl.flags & ZPB_STORE_SAME_FILLED)
			c->st->same_filled++;
		if (cl.flags & ZPB_STORE_INCOMPRESSIBLE)
			c->st->incompressible++;
		if (c->contents) {
			uint64_t n = zpb_pages_writer_count(c->contents);

			if (zpb_pages_write(c->contents, c->buf, c->err, c->errlen))
				return -1;
			cl.flags |= ZPB_STORE_PAGEREF;
			if (zpb_sink_store(c->sink, rec_time(c), c->cpu, ZPB_KEY(0, i), cl.len, cl.flags,
					   n, c->err, c->errlen))
				return -1;
			continue;
		}
		if (zpb_sink_store(c->sink, rec_time(c), c->cpu, ZPB_KEY(0, i), cl.len, cl.flags, 0,
				   c->err, c->errlen))
			return -1;
	}
	return 0;
}

/* A page seen (mapped) in snapshot @gen with content hash @h. */
static int see_page(struct pcap *c, uint64_t vpn, unsigned int nbase, uint64_t h, uint32_t gen)
{
	int is_new;
	uint32_t i = lookup(c, vpn, &is_new);
	struct ppage *p;

	if (i == NIL)
		return 0;	/* past max_pages: not followed */
	p = &c->pg[i];
	if (is_new || p->state == P_GONE) {
		if (is_new)
			c->st->pages_seen++;
		p->state = P_RESIDENT;
		lru_push(c, i);
	} else if (p->hash != h) {
		c->st->writes++;
		if (p->state == P_SWAPPED) {
			/* Written while swapped out: the fault brought it back first. */
			if (emit(c, ZPB_OP_LOAD, i) || emit(c, ZPB_OP_INVALIDATE, i))
				return -1;
			p->state = P_RESIDENT;
			lru_push(c, i);
		} else {
			lru_unlink(c, i);
			lru_push(c, i);
		}
	}
	p->hash = h;
	p->gen = gen;
	p->nbase = (uint8_t)nbase;
	return 0;
}

/* The mapping is anonymous memory swap could take: private, writable, no file. */
static int anonymous(const char *perms, const char *path)
{
	if (perms[1] != 'w' || perms[3] != 'p')
		return 0;
	return !*path || !strcmp(path, "[heap]") || !strcmp(path, "[stack]") ||
	       !strncmp(path, "[anon:", 6);
}

/*
 * Which of the @n pages from @a are in memory or swapped (pagemap bits 63
 * and 62), as a bit mask; all of them when pagemap cannot tell. Untouched
 * pages are skipped: they are no memory yet, and a sanitizer's shadow is
 * mostly untouched.
 */
static uint64_t present_mask(struct pcap *c, uint64_t a, unsigned int n)
{
	uint64_t e[CHUNK_PAGES], mask = 0;
	unsigned int i;

	if (c->mapfd < 0 ||
	    pread(c->mapfd, e, n * sizeof(e[0]), (off_t)(a / BASE_PAGE * sizeof(e[0]))) !=
	    (ssize_t)(n * sizeof(e[0])))
		return n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
	for (i = 0; i < n; i++)
		if (e[i] >> 62)
			mask |= UINT64_C(1) << i;
	return mask;
}

/* Read one mapping. 0, 1 if the process has gone, -1 on error. */
static int read_range(struct pcap *c, uint64_t start, uint64_t end, uint32_t gen)
{
	const unsigned int k = c->ps / BASE_PAGE;	/* base pages a page */
	const size_t chunk = CHUNK_PAGES * BASE_PAGE;	/* a whole number of pages: ps <= 256 KiB */
	uint64_t a;

	/* Terabytes of reserved address space (sanitizer shadows, arenas) are not memory. */
	if ((end - start) / c->ps > c->o->max_pages) {
		c->st->skipped_bytes += end - start;
		return 0;
	}
	for (a = start; a < end; a += chunk) {
		size_t want = end - a < chunk ? end - a : chunk;
		unsigned int nb = (unsigned int)(want / BASE_PAGE), i;
		uint64_t mask = present_mask(c, a, nb);
		ssize_t got;

		if (!mask)
			continue;
		got = pread(c->memfd, c->buf, want, (off_t)a);
		if (got == 0 || (got < 0 && errno == ESRCH))
			return 1;	/* the address space is gone: the process exited */
		for (i = 0; i < nb; i += k) {
			unsigned int n = nb - i < k ? nb - i : k;	/* the last page may be partial */
			uint64_t pmask = (n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1) << i;
			char *pg = (char *)c->buf + (size_t)i * BASE_PAGE;

			if (!(mask & pmask))
				continue;
			/* Part of the chunk would not read (guard pages, IO mappings): page by page. */
			if (got < (ssize_t)(((size_t)i + n) * BASE_PAGE) &&
			    pread(c->memfd, pg, (size_t)n * BASE_PAGE, (off_t)(a + (uint64_t)i * BASE_PAGE)) !=
			    (ssize_t)((size_t)n * BASE_PAGE)) {
				c->st->unreadable_bytes += (uint64_t)n * BASE_PAGE;
				continue;
			}
			if (n < k)
				memset(pg + (size_t)n * BASE_PAGE, 0, (size_t)(k - n) * BASE_PAGE);
			if (see_page(c, a / BASE_PAGE + i, n, page_hash(pg, c->ps), gen))
				return -1;
		}
	}
	return 0;
}

/* The CPU the process last ran on (/proc/PID/stat field 39), or 0. */
static uint32_t last_cpu(int pid)
{
	char path[64], line[1024], *p;
	unsigned int cpu = 0;
	int field;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(line, ')');	/* the command name may hold spaces */
	for (field = 2; p && field < 39; field++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p + 1, "%u", &cpu);
	return cpu;
}

/* One snapshot. 0, 1 if the process has gone, -1 on error. */
static int snapshot(struct pcap *c, uint32_t gen)
{
	char path[64], line[4096];
	FILE *maps;
	uint32_t i;
	int r = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", c->o->pid);
	maps = fopen(path, "r");
	if (!maps)
		return 1;
	c->now = mono_ns();
	c->cpu = last_cpu(c->o->pid);
	while (r == 0 && fgets(line, sizeof(line), maps)) {
		unsigned long long start, end;
		char perms[8] = "", name[4096] = "";

		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %4095[^\n]", &start, &end, perms, name) < 3)
			continue;
		if (anonymous(perms, name))
			r = read_range(c, start, end, gen);
	}
	fclose(maps);
	if (r)
		return r;
	/* Pages not seen this time were unmapped: a swapped one frees its slot. */
	for (i = 0; i < c->n; i++) {
		struct ppage *p = &c->pg[i];

		if (p->state == P_GONE || p->gen == gen)
			continue;
		if (p->state == P_SWAPPED) {
			if (emit(c, ZPB_OP_INVALIDATE, i))
				return -1;
		} else {
			lru_unlink(c, i);
		}
		p->state = P_GONE;
		c->st->unmapped++;
	}
	if (gen == 1 && !c->budget)
		c->budget = c->resident / 4 ? c->resident / 4 : 1;
	return evict(c);
}

static int open_target(struct pcap *c)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/maps", c->o->pid);
	if (c->o->pid <= 0 || access(path, F_OK)) {
		snprintf(c->err, c->errlen, "capture process: no such process %d", c->o->pid);
		return -1;
	}
	snprintf(c->path, sizeof(c->path), "/proc/%d/mem", c->o->pid);
	c->memfd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (c->memfd >= 0) {
		char map[64];

		snprintf(map, sizeof(map), "/proc/%d/pagemap", c->o->pid);
		c->mapfd = open(map, O_RDONLY | O_CLOEXEC);
	}
	if (c->memfd < 0) {
		if (errno == EACCES || errno == EPERM)
			snprintf(c->err, c->errlen,
				 "capture process: permission denied reading %s: the process must be "
				 "yours and ptrace-able (see kernel.yama.ptrace_scope; a child of the "
				 "capturing shell, or root, works)", c->path);
		else if (errno == ENOENT || errno == ESRCH)
			snprintf(c->err, c->errlen, "capture process: no such process %d", c->o->pid);
		else
			snprintf(c->err, c->errlen, "capture process: %s: %s", c->path, strerror(errno));
		return -1;
	}
	return 0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		if (ts.tv_sec == 0 && ts.tv_nsec == 0)
			break;
}

int zpb_capture_process(const struct zpb_capture_process_opts *o,
			struct zpb_capture_process_stats *st, char *err, size_t errlen)
{
	struct zpb_capture_process_opts opts = *o;
	struct zpb_writer_sink ws;
	struct zpb_trace_writer *w = NULL;
	char source[ZPB_TRACE_TEXT_MAX];
	uint64_t interval, end;
	struct pcap c;
	uint32_t gen;
	int ret = -1, r;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	if (!opts.interval_ms)
		opts.interval_ms = 100;
	if (opts.duration_s <= 0)
		opts.duration_s = 5;
	if (!opts.max_pages)
		opts.max_pages = 1u << 20;
	if (opts.max_pages >= NIL)
		opts.max_pages = NIL - 1;
	c.o = &opts;
	c.st = st;
	c.err = err;
	c.errlen = errlen;
	c.memfd = -1;
	c.mapfd = -1;
	c.head = c.tail = NIL;
	c.budget = opts.budget;
	if (open_target(&c))
		return -1;
	c.comp = zpb_compressor_new(opts.policy.compressor, err, errlen);
	if (!c.comp)
		goto out;
	c.huge = opts.policy.huge_class_size;
	c.ps = opts.policy.page_size ? opts.policy.page_size : ZPB_PAGE_SIZE;
	if (!zpb_capture_page_size_ok(c.ps)) {
		snprintf(err, errlen, "capture process: page size %u is not 4096, 16384 or 65536", c.ps);
		goto out;
	}
	if (opts.policy.incompressible == ZPB_INCOMP_HUGE && !c.huge) {
		snprintf(err, errlen, "capture process: the huge policy needs a huge_class_size");
		goto out;
	}
	/* A chunk, and room to pad a mapping's last page to a whole page. */
	c.buf = aligned_alloc(64, CHUNK_PAGES * BASE_PAGE + c.ps);
	c.scratch = malloc(zpb_compress_bound(c.ps));
	if (!c.buf || !c.scratch) {
		snprintf(err, errlen, "capture process: out of memory");
		goto out;
	}
	snprintf(source, sizeof(source),
		 "capture process pid=%d page_size=%u interval_ms=%u duration_s=%g budget=%llu incompressible=%s",
		 opts.pid, c.ps, opts.interval_ms, opts.duration_s, (unsigned long long)opts.budget,
		 zpb_incompressible_name(opts.policy.incompressible));
	if (opts.pages_out) {
		c.contents = zpb_pages_writer_open(opts.pages_out, c.ps, err, errlen);
		if (!c.contents)
			goto out;
	}
	w = zpb_capture_writer_open(opts.out, opts.form, c.ps, zpb_compressor_name(c.comp), source,
				    err, errlen);
	if (!w)
		goto out;
	zpb_writer_sink_init(&ws, w);
	c.sink = &ws.base;
	interval = (uint64_t)opts.interval_ms * 1000000u;
	c.t0 = mono_ns();
	end = c.t0 + (uint64_t)(opts.duration_s * 1e9);
	for (gen = 1;; gen++) {
		uint64_t start = mono_ns();
		char label[32];

		c.now = start;
		snprintf(label, sizeof(label), "snapshot-%u", gen);
		if (zpb_sink_mark(c.sink, rec_time(&c), c.cpu, label, err, errlen))
			goto out;
		r = snapshot(&c, gen);
		if (r < 0)
			goto out;
		if (r > 0) {
			st->exited = 1;
			break;
		}
		st->snapshots = gen;
		if (opts.progress)
			opts.progress(opts.progress_ctx, gen, c.n, c.sink->count);
		if ((opts.stop && *opts.stop) || mono_ns() + interval > end)
			break;
		if (mono_ns() < start + interval)
			sleep_ns(start + interval - mono_ns());
	}
	if (st->snapshots == 0) {
		snprintf(err, errlen, "capture process: process %d ended before the first snapshot",
			 opts.pid);
		goto out;
	}
	c.now = mono_ns();
	if (zpb_sink_mark(c.sink, rec_time(&c), c.cpu, "end", err, errlen))
		goto out;
	st->records = c.sink->count;
	if (c.contents) {
		/* The contents first: a trace never names a content file that is not there. */
		int bad = zpb_pages_writer_finish(c.contents, err, errlen);

		c.contents = NULL;
		if (bad)
			goto out;
	}
	ret = zpb_trace_writer_finish(w, err, errlen) ? -1 : 0;
	w = NULL;
out:
	if (w)
		zpb_trace_writer_abort(w);
	zpb_pages_writer_abort(c.contents);
	if (c.memfd >= 0)
		close(c.memfd);
	if (c.mapfd >= 0)
		close(c.mapfd);
	zpb_compressor_free(c.comp);
	free(c.buf);
	free(c.scratch);
	free(c.pg);
	free(c.table);
	return ret;
}
