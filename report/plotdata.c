// SPDX-License-Identifier: GPL-2.0-only
/* Writing the pictures' data files from the results JSON. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gate/stats.h"
#include "colors.h"
#include "plotdata.h"
#include "../util/spread.h"

struct ctx {
	const char *dir, *rel;
	char *err;
	size_t errlen;
	char name[200];		/* the input's heading, for picture titles */
};

/* Names and titles go into gnuplot single-quoted strings: keep them plain. */
static void sanitize(char *out, size_t len, const char *in, bool word)
{
	size_t n = 0;

	for (; *in && n + 1 < len; in++) {
		char c = *in;

		if (c == '\'' || c == '\\' || c == '"' || c == '<' || c == '>' || c == '&' ||
		    (unsigned char)c < 0x20 || c == 0x7f)
			c = '_';
		if (word && c == ' ')
			c = '_';
		out[n++] = c;
	}
	out[n] = 0;
}

static FILE *open_data(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static FILE *open_data(struct ctx *c, const char *fmt, ...)
{
	char name[256], path[4096];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	f = fopen(path, "w");
	if (!f)
		snprintf(c->err, c->errlen, "%s: %s", path, strerror(errno));
	return f;
}

static int close_data(struct ctx *c, FILE *f)
{
	if (ferror(f) | fclose(f)) {
		snprintf(c->err, c->errlen, "%s: write error", c->dir);
		return -1;
	}
	return 0;
}

struct series {
	const char *names[64];
	size_t n;
};

/* Set the picture's script and its common variables. */
static void job(struct ctx *c, struct zpb_picture *p, const char *script, const struct series *s,
		const char *extra)
{
	char names[1024] = "", colors[1024] = "", w[128], title[200];
	size_t i;

	for (i = 0; i < s->n; i++) {
		sanitize(w, sizeof(w), s->names[i], true);
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? " " : "", w);
		snprintf(colors + strlen(colors), sizeof(colors) - strlen(colors), "%s%s", i ? " " : "",
			 zpb_report_color(s->names[i]));
	}
	sanitize(title, sizeof(title), p->title, false);
	p->script = script;
	snprintf(p->vars, sizeof(p->vars), "stem='%s/%s'; n=%zu; names='%s'; colors='%s'; title_text='%s'; %s",
		 c->rel, p->id, s->n, names, colors, title, extra ? extra : "");
}

static struct zpb_picture *new_pic(struct zpb_picture **pics, size_t *n, const char *prefix, const char *id)
{
	struct zpb_picture *p = realloc(*pics, (*n + 1) * sizeof(*p));

	if (!p)
		return NULL;
	*pics = p;
	p = &p[(*n)++];
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s%s", prefix, id);
	return p;
}

double zpb_buckets_quantile(const struct zpb_json *b, double q)
{
	double total = 0, acc = 0;
	size_t i;

	if (!b || b->type != ZPB_JSON_ARRAY)
		return NAN;
	for (i = 0; i < b->len; i++)
		total += zpb_json_number(zpb_json_at(b->items[i], 1), 0);
	if (total <= 0)
		return NAN;
	for (i = 0; i < b->len; i++) {
		acc += zpb_json_number(zpb_json_at(b->items[i], 1), 0);
		if (acc >= q * total)
			return zpb_json_number(zpb_json_at(b->items[i], 0), NAN);
	}
	return zpb_json_number(zpb_json_at(b->items[b->len - 1], 0), NAN);
}

static const struct zpb_json *latency(const struct zpb_report_alloc *a, const char *op)
{
	const struct zpb_json *l = zpb_json_get(zpb_json_get(a->run, "latency_ns"), op);

	return zpb_json_get_number(l, "count", 0) > 0 ? l : NULL;
}

/* The spectrum: latency at q = 1 - 1/x for x from 2 (p50) to 10^4 (p99.99). */
static int write_spectrum(struct ctx *c, const struct zpb_json *l, const char *fmt, const char *id, size_t i)
{
	const struct zpb_json *b = zpb_json_get(l, "buckets");
	FILE *f = open_data(c, fmt, id, i);
	double t;

	if (!f)
		return -1;
	fprintf(f, "# 1/(1-q)  latency_ns  q\n");
	if (b && b->type == ZPB_JSON_ARRAY && b->len) {
		for (t = log10(2); t <= 4.0001; t += 0.02) {
			double x = pow(10, t), q = 1 - 1 / x, v = zpb_buckets_quantile(b, q);

			if (!isnan(v) && v > 0)
				fprintf(f, "%.6g %.6g %.8f\n", x, v, q);
		}
	} else {
		/* No histogram: the five summary percentiles. */
		static const char *const keys[] = { "p50", "p90", "p99", "p99_9", "p99_99" };
		static const double xs[] = { 2, 10, 100, 1000, 10000 };
		int k;

		for (k = 0; k < 5; k++) {
			double v = zpb_json_get_number(l, keys[k], NAN);

			if (!isnan(v) && v > 0)
				fprintf(f, "%g %g %.5f\n", xs[k], v, 1 - 1 / xs[k]);
		}
	}
	return close_data(c, f);
}

static int write_cdf(struct ctx *c, const struct zpb_json *l, const char *fmt, const char *id, size_t i)
{
	const struct zpb_json *b = zpb_json_get(l, "buckets");
	FILE *f = open_data(c, fmt, id, i);
	double total = 0, acc = 0;
	size_t k;

	if (!f)
		return -1;
	fprintf(f, "# latency_ns  cumulative_fraction\n");
	for (k = 0; b && b->type == ZPB_JSON_ARRAY && k < b->len; k++)
		total += zpb_json_number(zpb_json_at(b->items[k], 1), 0);
	for (k = 0; total > 0 && k < b->len; k++) {
		double ub = zpb_json_number(zpb_json_at(b->items[k], 0), NAN);

		acc += zpb_json_number(zpb_json_at(b->items[k], 1), 0);
		if (ub > 0)
			fprintf(f, "%.6g %.6f\n", ub, acc / total);
	}
	return close_data(c, f);
}

/* Write stem-@idx.dat: per element of @arr, its @fields (times @scale), under @header. */
static int write_series(struct ctx *c, const struct zpb_json *arr, const char *header, const char *const *fields,
			const double *scale, size_t nf, const char *id, size_t idx)
{
	FILE *f = open_data(c, "%s-%zu.dat", id, idx);
	size_t k, j;

	if (!f)
		return -1;
	fputs(header, f);
	for (k = 0; k < arr->len; k++)
		for (j = 0; j < nf; j++)
			fprintf(f, "%.8g%c", zpb_json_get_number(arr->items[k], fields[j], 0) * scale[j],
				j + 1 < nf ? ' ' : '\n');
	return close_data(c, f);
}

static int pic_density(struct ctx *c, struct zpb_report_input *in, struct zpb_picture *p)
{
	static const char *const fields[] = { "record", "pool_pages", "stored_bytes" };
	const double scale[] = { 1, in->page_size / 1048576.0, 1 / 1048576.0 };
	struct series s = { .n = 0 };
	size_t i;

	snprintf(p->title, sizeof(p->title), "Pool size over time: %.120s", c->name);
	snprintf(p->caption, sizeof(p->caption), "Pool memory of each allocator as the trace replays, against "
		 "the compressed bytes stored (dashed): the gap is what the allocator wastes.");
	for (i = 0; i < in->nalloc && s.n < 64; i++) {
		const struct zpb_json *tl = zpb_json_get(in->alloc[i].run, "timeline");

		if (!tl || tl->type != ZPB_JSON_ARRAY || !tl->len)
			continue;
		s.names[s.n++] = in->alloc[i].m->name;
		if (write_series(c, tl, "# record  pool_MiB  stored_MiB\n", fields, scale, 3, p->id, s.n))
			return -1;
	}
	if (!s.n)
		snprintf(p->why, sizeof(p->why), "no timeline in the results (replay --sample-ops N records one)");
	else
		job(c, p, "density.gp", &s, NULL);
	return 0;
}

static int pic_compression(struct ctx *c, struct zpb_report_input *in, struct zpb_picture *p)
{
	struct series s = { .n = 0 };
	FILE *f;
	size_t i;

	snprintf(p->title, sizeof(p->title), "Compression efficiency: %.120s", c->name);
	snprintf(p->caption, sizeof(p->caption), "Pages stored per page of pool at the end of the run (higher is "
		 "better), labelled with density, the compressed bytes stored per byte of pool; with repetitions, the "
		 "error bar is the confidence interval for the median (docs/report.md).");
	f = open_data(c, "%s-1.dat", p->id);
	if (!f)
		return -1;
	fprintf(f, "# allocator  compression_ratio  density  colour  ci_lo  ci_hi\n");
	for (i = 0; i < in->nalloc && s.n < 64; i++) {
		const struct zpb_metric *m = zpb_subject_metric(in->alloc[i].m, "final.compression_ratio");
		double ratio, density = NAN;
		struct zpb_spread sp;
		char w[128];

		if (!zpb_report_value(in->alloc[i].m, "final.compression_ratio", &ratio))
			continue;
		zpb_report_value(in->alloc[i].m, "final.density", &density);
		s.names[s.n++] = in->alloc[i].m->name;
		sanitize(w, sizeof(w), in->alloc[i].m->name, true);
		/* The error bar: util/spread's interval for the median over the repetitions (none with one). */
		if (!m || zpb_spread_compute(m->v, m->n, &sp))
			sp.lo = sp.hi = ratio;
		fprintf(f, "\"%s\" %.6g %.6g %ld %.6g %.6g\n", w, ratio, isnan(density) ? 0 : density,
			strtol(zpb_report_color(in->alloc[i].m->name) + 1, NULL, 16), sp.lo, sp.hi);
	}
	if (close_data(c, f))
		return -1;
	if (!s.n)
		snprintf(p->why, sizeof(p->why), "no final.compression_ratio in the results");
	else
		job(c, p, "compression.gp", &s, NULL);
	return 0;
}

static int pic_latency(struct ctx *c, struct zpb_report_input *in, struct zpb_picture *p, const char *op)
{
	struct series s = { .n = 0 };
	size_t i;

	snprintf(p->title, sizeof(p->title), "%c%s latency by percentile: %.120s", op[0] - 32, op + 1, c->name);
	snprintf(p->caption, sizeof(p->caption), "Latency of each %s at every percentile from the median to "
		 "p99.99 (both axes logarithmic): the tail on the right is what the slowest ops see.", op);
	for (i = 0; i < in->nalloc && s.n < 64; i++) {
		const struct zpb_json *l = latency(&in->alloc[i], op);

		if (!l)
			continue;
		s.names[s.n++] = in->alloc[i].m->name;
		if (write_spectrum(c, l, "%s-%zu.dat", p->id, s.n))
			return -1;
	}
	if (!s.n)
		snprintf(p->why, sizeof(p->why), "no %s latencies in the results", op);
	else
		job(c, p, "latency.gp", &s, NULL);
	return 0;
}

static int pic_cdf(struct ctx *c, struct zpb_report_input *in, struct zpb_picture *p)
{
	struct series s = { .n = 0 };
	size_t i;

	snprintf(p->title, sizeof(p->title), "Latency CDF: %.120s", c->name);
	snprintf(p->caption, sizeof(p->caption), "Share of stores (solid) and loads (dashed) completing within "
		 "a given time, from the latency histograms.");
	for (i = 0; i < in->nalloc && s.n < 64; i++) {
		const struct zpb_json *st = latency(&in->alloc[i], "store"), *ld = latency(&in->alloc[i], "load");

		if (!zpb_json_get(st, "buckets") && !zpb_json_get(ld, "buckets"))
			continue;
		s.names[s.n++] = in->alloc[i].m->name;
		if (write_cdf(c, st, "%s-%zu.dat", p->id, s.n) || write_cdf(c, ld, "%s-%zu-load.dat", p->id, s.n))
			return -1;
	}
	if (!s.n)
		snprintf(p->why, sizeof(p->why), "no latency histograms (buckets) in the results");
	else
		job(c, p, "cdf.gp", &s, NULL);
	return 0;
}

static int pic_reclaim(struct ctx *c, struct zpb_report_input *in, struct zpb_picture *p)
{
	static const char *const fields[] = { "record", "pool_pages", "writebacks", "misses" };
	static const double ones[] = { 1, 1, 1, 1 };
	double limit = zpb_json_get_number(zpb_json_get(in->res.root, "options"), "pool_limit_pages", 0);
	struct series s = { .n = 0 };
	bool have_lat = false, far;
	double peak = 0;
	char extra[128];
	size_t i, k;

	snprintf(p->title, sizeof(p->title), "Reclaim: %.120s", c->name);
	/* Nothing reclaimed, nothing rejected at the limit: three empty panels say nothing (the caller drops it). */
	for (i = 0; i < in->nalloc; i++) {
		static const char *const any[] = { "reclaim.writebacks", "reclaim.pages_reclaimed", "reclaim.limit_hits",
						   "reclaim.rejects", "reclaim.shrink_calls" };
		double v;

		for (k = 0; k < 5; k++)
			if (zpb_report_value(in->alloc[i].m, any[k], &v) && v > 0)
				break;
		if (k < 5)
			break;
	}
	if (i == in->nalloc)
		return 0;
	snprintf(p->caption, sizeof(p->caption), "Top: pool pages against the pool limit. Middle: pages written "
		 "back (solid) and loads that missed because their page had been written back (dashed). "
		 "Bottom: latency of reclaim (shrink) calls by percentile.");
	for (i = 0; i < in->nalloc && s.n < 64; i++) {
		const struct zpb_json *tl = zpb_json_get(in->alloc[i].run, "timeline");
		const struct zpb_json *l = latency(&in->alloc[i], "reclaim");
		FILE *f;

		if (!tl || tl->type != ZPB_JSON_ARRAY || !tl->len)
			continue;
		s.names[s.n++] = in->alloc[i].m->name;
		if (write_series(c, tl, "# record  pool_pages  writebacks  misses\n", fields, ones, 4, p->id, s.n))
			return -1;
		for (k = 0; k < tl->len; k++)
			if (zpb_json_get_number(tl->items[k], "pool_pages", 0) > peak)
				peak = zpb_json_get_number(tl->items[k], "pool_pages", 0);
		if (l)
			have_lat = true;
		if (l ? write_spectrum(c, l, "%s-%zu-lat.dat", p->id, s.n) :
			(f = open_data(c, "%s-%zu-lat.dat", p->id, s.n)) == NULL || close_data(c, f))
			return -1;
	}
	/* A limit far above the pool (the default is a share of RAM) would flatten the pool lines. */
	far = limit > 4 * peak && peak > 0;
	snprintf(extra, sizeof(extra), "limit=%.0f; limit_far=%d; have_lat=%d;", limit > 0 ? limit : 0, far, have_lat);
	if (!s.n)
		snprintf(p->why, sizeof(p->why), "no timeline in the results (replay --sample-ops N records one)");
	else
		job(c, p, "reclaim.gp", &s, extra);
	return 0;
}

static int pic_objects(struct ctx *c, struct zpb_report_input *in, struct zpb_picture *p)
{
	struct series s = { .n = 0 };
	size_t i, k;

	snprintf(p->title, sizeof(p->title), "Objects per page: %.120s", c->name);
	snprintf(p->caption, sizeof(p->caption), "How full the pool's pages are at the end: the share of pages "
		 "holding each number of compressed objects (allocators whose pages can be walked).");
	for (i = 0, k = 0; i < in->nalloc; i++) {
		double u = in->alloc[i].run ?
			   zpb_json_get_number(in->alloc[i].run, "objects_per_page_unresolved", 0) : 0;
		size_t n = strlen(p->caption);

		if (u <= 0 || n >= sizeof(p->caption) - 1)
			continue;
		snprintf(p->caption + n, sizeof(p->caption) - n, "%s %s %.0f", k++ ? "," : " Not counted: objects whose "
			 "page could not be found, because they span two pages and are mapped through a copy (zsmalloc) "
			 "or live outside the page arena:", in->alloc[i].m->name, u);
	}
	if (k && strlen(p->caption) < sizeof(p->caption) - 1)
		strcat(p->caption, ".");
	for (i = 0; i < in->nalloc && s.n < 64; i++) {
		const struct zpb_json *d = zpb_json_get(in->alloc[i].run, "objects_per_page");
		double total = 0;
		FILE *f;

		if (!d || d->type != ZPB_JSON_ARRAY || !d->len)
			continue;
		for (k = 0; k < d->len; k++)
			total += zpb_json_number(zpb_json_at(d->items[k], 1), 0);
		if (total <= 0)
			continue;
		s.names[s.n++] = in->alloc[i].m->name;
		f = open_data(c, "%s-%zu.dat", p->id, s.n);
		if (!f)
			return -1;
		fprintf(f, "# objects_per_page  share_of_pages_percent\n");
		for (k = 0; k < d->len; k++)
			fprintf(f, "%.0f %.4f\n", zpb_json_number(zpb_json_at(d->items[k], 0), 0),
				100 * zpb_json_number(zpb_json_at(d->items[k], 1), 0) / total);
		if (close_data(c, f))
			return -1;
	}
	if (!s.n)
		snprintf(p->why, sizeof(p->why), "no objects_per_page distribution in the results");
	else
		job(c, p, "objects.gp", &s, NULL);
	return 0;
}

/* A point of a line: threads and ops/s, or object size and ns per op. */
struct point {
	double x, y;
};

static int cmp_point(const void *a, const void *b)
{
	const struct point *x = a, *y = b;

	return (x->x > y->x) - (x->x < y->x);
}

/* The pool limit a replay ran with (pages; 0 for none). */
static double pool_limit(const struct zpb_report_input *in)
{
	return zpb_json_get_number(zpb_json_get(in->res.root, "options"), "pool_limit_pages", 0);
}

/* Throughput is only comparable on one trace under one pool limit: is @in such a run like @ref? */
static bool of_trace(const struct zpb_report_input *in, const struct zpb_report_input *ref)
{
	return ref && in->res.kind == ZPB_RESULTS_REPLAY && !strcmp(in->label, ref->label) &&
	       pool_limit(in) == pool_limit(ref);
}

/* The first of the runs (trace and limit) replayed at the most distinct thread counts, or NULL. */
static const struct zpb_report_input *scaling_trace(const struct zpb_report *rep)
{
	const struct zpb_report_input *best = NULL;
	size_t i, j, k, most = 0;

	for (i = 0; i < rep->n; i++) {
		size_t counts = 0;

		if (rep->in[i].res.kind != ZPB_RESULTS_REPLAY)
			continue;
		/* Count the distinct thread counts among the files like this one. */
		for (j = 0; j < rep->n; j++) {
			if (!of_trace(&rep->in[j], &rep->in[i]))
				continue;
			for (k = 0; k < j; k++)
				if (of_trace(&rep->in[k], &rep->in[i]) && rep->in[k].threads == rep->in[j].threads)
					break;
			counts += k == j;
		}
		if (counts > most) {
			most = counts;
			best = &rep->in[i];
		}
	}
	return best;
}

static int pic_scaling(struct ctx *c, struct zpb_report *rep, struct zpb_picture *p)
{
	struct series s = { .n = 0 };
	struct point *pts;
	unsigned max_threads = 1;
	size_t i, j, k, np;
	char extra[64];

	const struct zpb_report_input *trace = scaling_trace(rep);

	snprintf(p->title, sizeof(p->title), "Scaling: throughput against replay threads: %.100s",
		 trace ? trace->label : "");
	snprintf(p->caption, sizeof(p->caption), "Records replayed per second against the number of replay "
		 "threads, from the results files of the trace (and pool limit) replayed at the most thread "
		 "counts (run replay with several --threads values to fill it in).");
	pts = calloc(rep->n ? rep->n : 1, sizeof(*pts));
	if (!pts) {
		snprintf(c->err, c->errlen, "out of memory");
		return -1;
	}
	/* Allocators in order of first appearance across the inputs. */
	for (i = 0; i < rep->n; i++) {
		if (!of_trace(&rep->in[i], trace))
			continue;
		if (rep->in[i].threads > max_threads)
			max_threads = rep->in[i].threads;
		for (j = 0; j < rep->in[i].nalloc && s.n < 64; j++) {
			const char *name = rep->in[i].alloc[j].m->name;

			for (k = 0; k < s.n && strcmp(s.names[k], name); k++)
				;
			if (k == s.n)
				s.names[s.n++] = name;
		}
	}
	for (k = 0; k < s.n; k++) {
		FILE *f;

		for (np = 0, i = 0; i < rep->n; i++) {
			const struct zpb_subject *sub = zpb_metrics_subject(&rep->in[i].ms, s.names[k]);
			double ops;

			if (of_trace(&rep->in[i], trace) && zpb_report_value(sub, "ops_per_sec", &ops))
				pts[np++] = (struct point){ rep->in[i].threads, ops };
		}
		qsort(pts, np, sizeof(*pts), cmp_point);
		f = open_data(c, "%s-%zu.dat", p->id, k + 1);
		if (!f) {
			free(pts);
			return -1;
		}
		/* Several files at one thread count (traces, modes) give one point: their median. */
		fprintf(f, "# threads  ops_per_sec (median over the results files at that count)\n");
		for (i = 0; i < np; i = j) {
			double v[64];
			size_t m = 0;

			for (j = i; j < np && pts[j].x == pts[i].x; j++)
				if (m < 64)
					v[m++] = pts[j].y;
			fprintf(f, "%.0f %.6g\n", pts[i].x, zpb_median(v, m));
		}
		if (close_data(c, f)) {
			free(pts);
			return -1;
		}
	}
	free(pts);
	snprintf(extra, sizeof(extra), "max_threads=%u;", max_threads);
	if (!s.n)
		snprintf(p->why, sizeof(p->why), "no replay results with ops_per_sec");
	else
		job(c, p, "scaling.gp", &s, extra);
	return 0;
}

/*
 * Google Benchmark names of the form ALLOCATOR/KIND.../size:N (bench/):
 * split into the allocator, the kind and the size; false for other names.
 */
static bool bench_name(const char *name, char *alloc, size_t alen, char *kind, size_t klen, double *size)
{
	const char *slash = strchr(name, '/'), *last = strrchr(name, '/');
	char *end;

	if (!slash || slash == last || strncmp(last + 1, "size:", 5))
		return false;
	*size = strtod(last + 6, &end);
	if (*end || *size <= 0 || (size_t)(slash - name) >= alen || (size_t)(last - slash - 1) >= klen)
		return false;
	memcpy(alloc, name, (size_t)(slash - name));
	alloc[slash - name] = 0;
	memcpy(kind, slash + 1, (size_t)(last - slash - 1));
	kind[last - slash - 1] = 0;
	return true;
}

#define BENCH_KINDS 6

static int pic_bench(struct ctx *c, struct zpb_report_input *in, struct zpb_picture *p)
{
	char kinds[BENCH_KINDS][48], allocs[16][48], alloc[48], kind[48], extra[512] = "", words[400] = "";
	struct series s = { .n = 0 };
	size_t nk = 0, na = 0, i, k, a, np;
	struct point pts[64];
	double size, ns;

	snprintf(p->title, sizeof(p->title), "Microbenchmarks: time per op by object size");
	snprintf(p->caption, sizeof(p->caption), "Median time per operation of each Google Benchmark kind "
		 "against object size, one line per allocator (both axes logarithmic).");
	for (i = 0; i < in->nalloc; i++) {
		if (!bench_name(in->alloc[i].m->name, alloc, sizeof(alloc), kind, sizeof(kind), &size))
			continue;
		for (k = 0; k < nk && strcmp(kinds[k], kind); k++)
			;
		if (k == nk && nk < BENCH_KINDS)
			strcpy(kinds[nk++], kind);
		for (a = 0; a < na && strcmp(allocs[a], alloc); a++)
			;
		if (a == na && na < 16)
			strcpy(allocs[na++], alloc);
	}
	for (a = 0; a < na; a++)
		s.names[s.n++] = allocs[a];
	for (k = 0; k < nk; k++) {
		for (a = 0; a < na; a++) {
			FILE *f;

			for (np = 0, i = 0; i < in->nalloc && np < 64; i++)
				if (bench_name(in->alloc[i].m->name, alloc, sizeof(alloc), kind, sizeof(kind), &size) &&
				    !strcmp(kind, kinds[k]) && !strcmp(alloc, allocs[a]) &&
				    zpb_report_value(in->alloc[i].m, "real_time_ns", &ns))
					pts[np++] = (struct point){ size, ns };
			qsort(pts, np, sizeof(*pts), cmp_point);
			f = open_data(c, "%s-%zu-%zu.dat", p->id, k + 1, a + 1);
			if (!f)
				return -1;
			fprintf(f, "# size_bytes  ns_per_op (median)\n");
			for (i = 0; i < np; i++)
				fprintf(f, "%.0f %.6g\n", pts[i].x, pts[i].y);
			if (close_data(c, f))
				return -1;
		}
		sanitize(kind, sizeof(kind), kinds[k], true);
		snprintf(words + strlen(words), sizeof(words) - strlen(words), "%s%s", k ? " " : "", kind);
	}
	snprintf(extra, sizeof(extra), "nk=%zu; kinds='%s';", nk, words);
	if (!nk)
		snprintf(p->why, sizeof(p->why), "no benchmarks named ALLOCATOR/KIND/size:N");
	else
		job(c, p, "bench.gp", &s, extra);
	return 0;
}

/*
 * replay --compress: where each store's and load's time goes, stacked by
 * phase (phases_ns means), one bar per allocator and op, with the op's p50
 * and p99 above it. No picture without phases (a replay without --compress).
 */
static int pic_phases(struct ctx *c, struct zpb_report_input *in, struct zpb_picture *p)
{
	static const char *const store_ph[] = { "compress", "allocate", "map", "copy_in", NULL, NULL };
	static const char *const load_ph[] = { NULL, NULL, "map", NULL, "decompress", "verify" };
	static const char *const ops[] = { "store", "load" };
	struct series s = { .n = 0 };
	FILE *f;
	size_t i;

	snprintf(p->title, sizeof(p->title), "Store and load by phase (--compress): %.120s", c->name);
	snprintf(p->caption, sizeof(p->caption), "Mean time of each phase of a store (compress, allocate, map, "
		 "copy in) and a load (map, decompress, verify the whole page), stacked, per allocator; "
		 "above each bar the op's median and p99. The codec's share is the compress and decompress parts.");
	f = open_data(c, "%s-1.dat", p->id);
	if (!f)
		return -1;
	fprintf(f, "# label compress allocate map copy_in decompress verify p50 p99\n");
	for (i = 0; i < in->nalloc && s.n < 64; i++) {
		const struct zpb_json *ph = zpb_json_get(in->alloc[i].run, "phases_ns");
		char w[128];
		int o, k;

		if (!ph)
			continue;
		s.names[s.n++] = in->alloc[i].m->name;
		sanitize(w, sizeof(w), in->alloc[i].m->name, true);
		for (o = 0; o < 2; o++) {
			const struct zpb_json *op = zpb_json_get(ph, ops[o]);
			const struct zpb_json *l = latency(&in->alloc[i], ops[o]);
			const char *const *names = o ? load_ph : store_ph;

			fprintf(f, "\"%s %s\"", w, ops[o]);
			for (k = 0; k < 6; k++)
				fprintf(f, " %.6g", names[k] ? zpb_json_get_number(zpb_json_get(op, names[k]), "mean", 0) : 0.0);
			fprintf(f, " %.6g %.6g\n", zpb_json_get_number(l, "p50", 0), zpb_json_get_number(l, "p99", 0));
		}
	}
	if (close_data(c, f))
		return -1;
	if (s.n)
		job(c, p, "phases.gp", &s, NULL);
	return 0;
}

int zpb_plotdata_write(struct zpb_report *rep, const char *datadir, const char *datarel, char *err, size_t errlen)
{
	struct ctx c = { datadir, datarel, err, errlen, "" };
	static const char *const ops[] = { "store", "load", "invalidate" };
	size_t i, k;
	bool any_replay = false;

	for (i = 0; i < rep->n; i++) {
		struct zpb_report_input *in = &rep->in[i];
		char prefix[32];
		struct zpb_picture *p;

		if (in->res.kind == ZPB_RESULTS_GBENCH) {
			snprintf(prefix, sizeof(prefix), "b%zu-", i);
			p = new_pic(&in->pics, &in->npics, prefix, "bench");
			if (!p || pic_bench(&c, in, p))
				goto fail;
			/* Benchmarks of other shapes simply get no picture. */
			if (!p->script)
				in->npics--;
			continue;
		}
		any_replay = true;
		snprintf(prefix, sizeof(prefix), "r%zu-", i);
		zpb_report_input_title(in, c.name, sizeof(c.name));
#define PIC(id, call) do {								\
		p = new_pic(&in->pics, &in->npics, prefix, id);				\
		if (!p || (call))							\
			goto fail;							\
	} while (0)
		PIC("density", pic_density(&c, in, p));
		PIC("compression", pic_compression(&c, in, p));
		for (k = 0; k < 3; k++) {
			char id[32];

			snprintf(id, sizeof(id), "latency-%s", ops[k]);
			PIC(id, pic_latency(&c, in, p, ops[k]));
			/* Invalidate latency is drawn only when there is some. */
			if (k == 2 && !p->script)
				in->npics--;
		}
		PIC("cdf", pic_cdf(&c, in, p));
		PIC("reclaim", pic_reclaim(&c, in, p));
		if (!p->script && !p->why[0])
			in->npics--;
		PIC("objects", pic_objects(&c, in, p));
		PIC("phases", pic_phases(&c, in, p));
		if (!p->script)
			in->npics--;	/* only replays with --compress have phases */
#undef PIC
	}
	if (any_replay) {
		struct zpb_picture *p = new_pic(&rep->global, &rep->nglobal, "", "scaling");

		if (!p || pic_scaling(&c, rep, p))
			goto fail;
	}
	return 0;
fail:
	if (!err[0])
		snprintf(err, errlen, "out of memory preparing the pictures");
	return -1;
}
