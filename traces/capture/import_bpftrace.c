// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace import bpftrace: convert the output of traces/capture/zswap.bt (its
 * format is documented in the script's header) into a trace.
 *
 * The kernel frees an entry at a load hit (exclusive loads); the trace says
 * LOAD then INVALIDATE, so it replays the same with and without exclusive
 * loads (the INVALIDATE finds nothing after an exclusive LOAD, as in the
 * kernel). A store over a live key (a redirtied page) becomes INVALIDATE then
 * STORE, since the kernel replaced the stale entry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/atomic_file.h"
#include "capture.h"

struct ev {
	uint64_t ns, swp, handle, nr;
	uint64_t line;
	uint32_t cpu, len;
	char type;
};

/* What the importer knows of a key: a small open-addressing map. */
struct kstate {
	uint64_t swp;
	uint64_t handle;
	uint8_t used, live, same;
	uint8_t written_back;	/* its last entry went to the swap device */
};

struct kmap {
	struct kstate *t;
	size_t mask, n;
};

static size_t khash(uint64_t k, size_t mask)
{
	return (size_t)((k * UINT64_C(0x9e3779b97f4a7c15)) >> 17) & mask;
}

static struct kstate *kmap_get(struct kmap *m, uint64_t swp, int create)
{
	size_t i;

	if (m->t)
		for (i = khash(swp, m->mask); m->t[i].used; i = (i + 1) & m->mask)
			if (m->t[i].swp == swp)
				return &m->t[i];
	if (!create)
		return NULL;
	if (!m->t || (m->n + 1) * 2 > m->mask + 1) {
		size_t size = m->t ? (m->mask + 1) * 2 : 1024, j;
		struct kstate *t = calloc(size, sizeof(*t));

		if (!t)
			return NULL;
		for (j = 0; m->t && j <= m->mask; j++) {
			if (!m->t[j].used)
				continue;
			for (i = khash(m->t[j].swp, size - 1); t[i].used; i = (i + 1) & (size - 1))
				;
			t[i] = m->t[j];
		}
		free(m->t);
		m->t = t;
		m->mask = size - 1;
	}
	for (i = khash(swp, m->mask); m->t[i].used; i = (i + 1) & m->mask)
		;
	m->t[i].used = 1;
	m->t[i].swp = swp;
	m->n++;
	return &m->t[i];
}

static int ev_cmp(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;	/* stable: file order */
}

/* Parse one event line; 1 parsed, 0 not an event line, -1 malformed. */
static int parse_line(char *s, uint64_t lineno, struct ev *e)
{
	unsigned long long ns, swp, a = 0, b = 0;
	unsigned int cpu;
	int n, used = 0;

	if (!strchr("SZXLIRWM", s[0]) || s[0] == '\0' || s[1] != ' ')
		return 0;
	/* %llu and %u take "-1" as 2^64-1 and clamp overflow (ERANGE): refuse both. */
	if (strchr(s + 2, '-'))
		return -1;
	memset(e, 0, sizeof(*e));
	e->type = s[0];
	e->line = lineno;
	errno = 0;
	switch (s[0]) {
	case 'Z':
	case 'M':
		n = sscanf(s + 2, "%llu %u %llu %n", &ns, &cpu, &swp, &used);
		if (n != 3)
			return -1;
		break;
	case 'X':
		n = sscanf(s + 2, "%llu %u %llu %llu %n", &ns, &cpu, &swp, &a, &used);
		if (n != 4)
			return -1;
		e->nr = a;
		break;
	default:
		n = sscanf(s + 2, "%llu %u %llu %llu %llx %n", &ns, &cpu, &swp, &a, &b, &used);
		if (n != 5)
			return -1;
		e->len = (uint32_t)a;
		e->handle = b;
		if (a > 1u << 20)
			return -1;
		break;
	}
	if (errno == ERANGE || (s[2 + used] != '\0' && s[2 + used] != '\n'))
		return -1;	/* out of range, or trailing garbage */
	e->ns = ns;
	e->cpu = cpu;
	e->swp = swp;
	return 1;
}

static int read_events(const char *in, struct ev **out, size_t *nout, uint64_t *lines,
		       char *err, size_t errlen)
{
	FILE *f = fopen(in, "r");
	struct ev *v = NULL;
	size_t n = 0, cap = 0;
	char buf[512];
	uint64_t lineno = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", in, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		struct ev e;
		int r;

		lineno++;
		if (!strchr(buf, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%llu: line too long", in, (unsigned long long)lineno);
			goto fail;
		}
		r = parse_line(buf, lineno, &e);
		if (r < 0) {
			snprintf(err, errlen, "%s:%llu: malformed %c event (see traces/capture/zswap.bt)",
				 in, (unsigned long long)lineno, buf[0]);
			goto fail;
		}
		if (r == 0)
			continue;
		if (ZPB_KEY_TYPE(e.swp) >= 32) {
			snprintf(err, errlen, "%s:%llu: swap entry %llu has no valid swap type", in,
				 (unsigned long long)lineno, (unsigned long long)e.swp);
			goto fail;
		}
		if (e.cpu > ZPB_TRACE_CPU_MAX) {
			snprintf(err, errlen, "%s:%llu: cpu %u is not 0..%d", in, (unsigned long long)lineno, e.cpu,
				 ZPB_TRACE_CPU_MAX);
			goto fail;
		}
		if (e.type == 'S' && (e.len == 0 || e.len > 2 * ZPB_PAGE_SIZE)) {
			snprintf(err, errlen, "%s:%llu: stored length %u is not 1..%u", in,
				 (unsigned long long)lineno, e.len, 2 * ZPB_PAGE_SIZE);
			goto fail;
		}
		if (e.type == 'X' && e.nr > 512) {
			snprintf(err, errlen, "%s:%llu: a failed store of %llu pages (a folio has at most 512)",
				 in, (unsigned long long)lineno, (unsigned long long)e.nr);
			goto fail;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			struct ev *nv = realloc(v, ncap * sizeof(*nv));

			if (!nv) {
				snprintf(err, errlen, "%s:%llu: out of memory", in, (unsigned long long)lineno);
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		v[n++] = e;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", in, strerror(errno));
		goto fail;
	}
	fclose(f);
	*out = v;
	*nout = n;
	*lines = lineno;
	return 0;
fail:
	fclose(f);
	free(v);
	return -1;
}

struct imp {
	struct zpb_sink *sink;
	struct kmap keys;
	struct zpb_import_stats *st;
	uint64_t t0;
	char *err;
	size_t errlen;
};

static int put_op(struct imp *im, const struct ev *e, enum zpb_op op, uint64_t swp)
{
	return zpb_sink_op(im->sink, e->ns - im->t0, e->cpu, op, swp, im->err, im->errlen);
}

static int do_event(struct imp *im, const struct ev *e)
{
	struct kstate *k;
	uint64_t i;

	switch (e->type) {
	case 'S':
	case 'Z': {
		uint32_t len = e->type == 'Z' ? 0 : e->len;
		uint8_t flags = e->type == 'Z' ? ZPB_STORE_SAME_FILLED : 0;

		k = kmap_get(&im->keys, e->swp, 1);
		if (!k) {
			snprintf(im->err, im->errlen, "import: out of memory");
			return -1;
		}
		if (k->live) {
			im->st->replaced++;
			im->st->invalidates++;
			if (put_op(im, e, ZPB_OP_INVALIDATE, e->swp))
				return -1;
		}
		/* v6.18 stores an incompressible page as is, at PAGE_SIZE. */
		if (len >= ZPB_PAGE_SIZE && !flags) {
			len = ZPB_PAGE_SIZE;
			flags = ZPB_STORE_INCOMPRESSIBLE;
		}
		k->live = 1;
		k->written_back = 0;
		k->same = e->type == 'Z';
		k->handle = e->handle;
		im->st->stores++;
		return zpb_sink_store(im->sink, e->ns - im->t0, e->cpu, e->swp, len, flags, 0,
				      im->err, im->errlen);
	}
	case 'X':
		/* The kernel erased the whole folio range: nothing of this store remains. */
		for (i = 0; i < e->nr; i++) {
			k = kmap_get(&im->keys, e->swp + i, 0);
			if (k && k->live) {
				k->live = 0;
				im->st->invalidates++;
				if (put_op(im, e, ZPB_OP_INVALIDATE, e->swp + i))
					return -1;
			}
		}
		return 0;
	default:
		break;
	}
	k = kmap_get(&im->keys, e->swp, 0);
	if (!k) {
		im->st->dropped++;	/* stored before the capture began */
		return 0;
	}
	if (e->type == 'M') {
		/* A miss counts only for a page zswap wrote back: the replay's miss. */
		if (!k->written_back) {
			im->st->dropped++;
			return 0;
		}
		k->written_back = 0;
		im->st->misses++;
		return put_op(im, e, ZPB_OP_LOAD, e->swp);
	}
	/* Same-filled entries have no handle (the union holds the fill value) and length 0. */
	if (!k->live || (k->same ? e->len != 0 : k->handle != e->handle)) {
		im->st->stale++;	/* an entry an S already replaced */
		return 0;
	}
	k->live = 0;
	switch (e->type) {
	case 'L':
		im->st->loads++;
		im->st->invalidates++;
		if (put_op(im, e, ZPB_OP_LOAD, e->swp))
			return -1;
		return put_op(im, e, ZPB_OP_INVALIDATE, e->swp);
	case 'W':
		k->written_back = 1;
		im->st->writebacks++;
		return put_op(im, e, ZPB_OP_WRITEBACK, e->swp);
	default:	/* I, R */
		im->st->invalidates++;
		return put_op(im, e, ZPB_OP_INVALIDATE, e->swp);
	}
}

int zpb_import_bpftrace_stats(const char *in, const char *out, enum zpb_trace_form form,
			      struct zpb_import_stats *st, char *err, size_t errlen)
{
	struct zpb_import_stats local;
	struct zpb_writer_sink ws;
	struct zpb_trace_writer *w;
	char source[ZPB_TRACE_TEXT_MAX];
	struct ev *v = NULL;
	struct imp im;
	size_t n, i;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (zpb_output_is_input(out, in, err, errlen))
		return -1;
	if (read_events(in, &v, &n, &st->lines, err, errlen))
		return -1;
	if (n == 0) {
		snprintf(err, errlen, "%s: no zswap.bt events in %llu lines", in,
			 (unsigned long long)st->lines);
		free(v);
		return -1;
	}
	qsort(v, n, sizeof(*v), ev_cmp);
	snprintf(source, sizeof(source), "bpftrace traces/capture/zswap.bt: %s", in);
	w = zpb_capture_writer_open(out, form, ZPB_PAGE_SIZE, "unknown", source, err, errlen);
	if (!w) {
		free(v);
		return -1;
	}
	zpb_writer_sink_init(&ws, w);
	memset(&im, 0, sizeof(im));
	im.sink = &ws.base;
	im.st = st;
	im.t0 = v[0].ns;
	im.err = err;
	im.errlen = errlen;
	if (zpb_sink_mark(im.sink, 0, v[0].cpu, "capture-start", err, errlen))
		goto fail;
	for (i = 0; i < n; i++) {
		if (do_event(&im, &v[i])) {
			/* Name the line of the event that failed. */
			size_t l = strlen(err);

			snprintf(err + l, errlen > l ? errlen - l : 0, " (%s:%llu)", in,
				 (unsigned long long)v[i].line);
			goto fail;
		}
	}
	if (zpb_sink_mark(im.sink, v[n - 1].ns - im.t0, v[n - 1].cpu, "capture-end", err, errlen))
		goto fail;
	st->records = ws.base.count;
	free(v);
	free(im.keys.t);
	return zpb_trace_writer_finish(w, err, errlen) ? -1 : 0;
fail:
	zpb_trace_writer_abort(w);
	free(v);
	free(im.keys.t);
	return -1;
}

int zpb_import_bpftrace(const char *in, const char *out, enum zpb_trace_form form,
			char *err, size_t errlen)
{
	return zpb_import_bpftrace_stats(in, out, form, NULL, err, errlen);
}
