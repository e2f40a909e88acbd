// SPDX-License-Identifier: GPL-2.0-only
/* Loading report inputs into the model, and the summary figures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gate/stats.h"
#include "../util/spread.h"
#include "model.h"

/* The density table: work first-class beside the figures (docs/report.md). */
const struct zpb_report_column zpb_report_density_columns[] = {
	{ "over_run.mean_pool_pages", "mean pool pages", "over the run", 0 },
	{ "final.peak_pool_pages", "peak pool pages", "pages", 0 },
	{ "final.pool_pages", "final pool pages", "pages", 0 },
	{ "over_run.mean_density", "mean density", "stored/pool", 3 },
	{ "final.density", "final density", "stored/pool", 3 },
	{ "final.compression_ratio", "compression ratio", "pages/page", 2 },
	{ "work.stores", "stores", "attempted", 0 },
	{ "work.rejected_pages", "rejected", "pages", 0 },
	{ "work.written_back_pages", "written back", "pages", 0 },
	{ NULL, NULL, NULL, 0 },
};

/* The latency table. */
const struct zpb_report_column zpb_report_latency_columns[] = {
	{ "latency_ns.store.p50", "store p50", "ns", 0 },
	{ "latency_ns.store.p99", "store p99", "ns", 0 },
	{ "latency_ns.store.p99_9", "store p99.9", "ns", 0 },
	{ "latency_ns.load.p50", "load p50", "ns", 0 },
	{ "latency_ns.load.p99", "load p99", "ns", 0 },
	{ "latency_ns.load.p99_9", "load p99.9", "ns", 0 },
	{ "ops_per_sec", "ops/s", "ops/s", 0 },
	{ "reclaim.misses", "misses", "loads", 0 },
	{ "reclaim.pages_reclaimed", "reclaimed", "pages", 0 },
	{ NULL, NULL, NULL, 0 },
};

bool zpb_report_column_present(const struct zpb_report_input *in, const struct zpb_report_column *c)
{
	size_t i;
	double v;

	for (i = 0; i < in->nalloc; i++)
		if (zpb_report_value(in->alloc[i].m, c->metric, &v))
			return true;
	return false;
}

void zpb_report_spread_text(char *buf, size_t len, const struct zpb_subject *s, const char *metric, int decimals)
{
	const struct zpb_metric *m = s ? zpb_subject_metric(s, metric) : NULL;
	struct zpb_spread sp;
	char a[48];
	double h;

	buf[0] = 0;
	if (!m || m->n < 2 || zpb_spread_compute(m->v, m->n, &sp))
		return;
	h = fmax(sp.hi - sp.median, sp.median - sp.lo);
	zpb_report_format(a, sizeof(a), h, decimals);
	snprintf(buf, len, "±%s", a);
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* The figures a perf-stat-like table shows: counters, instructions, --timed lateness, emulation. */
static bool stat_metric(const char *name)
{
	const char *p;

	if (has_prefix(name, "instructions."))
		return true;
	/* Of the emulation block: each op's share and p99, and the system calls; not its raw sums. */
	if (has_prefix(name, "emulation."))
		return has_prefix(name, "emulation.syscalls.") ||
		       ((p = strrchr(name, '.')) && (!strcmp(p, ".share") || !strcmp(p, ".p99")));
	if (has_prefix(name, "counters."))
		return strstr(name, ".per_op.") != NULL;
	if (has_prefix(name, "lateness_ns."))
		return !strcmp(name, "lateness_ns.p50") || !strcmp(name, "lateness_ns.p99") ||
		       !strcmp(name, "lateness_ns.max");
	return false;
}

size_t zpb_report_stat_names(const struct zpb_report_input *in, const char **names, size_t max)
{
	const char *all[512];
	size_t n = zpb_report_metric_names(in, all, 512), i, k = 0;

	for (i = 0; i < n && k < max; i++) {
		bool some = false;
		size_t a;
		double v;

		if (!stat_metric(all[i]))
			continue;
		/* A row of zeros (an op that never waited, a counter that never ran) says nothing. */
		for (a = 0; a < in->nalloc && !some; a++)
			some = zpb_report_value(in->alloc[a].m, all[i], &v) && v != 0;
		if (some)
			names[k++] = all[i];
	}
	return k;
}

void zpb_report_stat_label(char *buf, size_t len, const char *name)
{
	const char *p;

	if (has_prefix(name, "instructions."))
		snprintf(buf, len, "instructions per %s (callgrind)", name + strlen("instructions."));
	else if (has_prefix(name, "lateness_ns."))
		snprintf(buf, len, "--timed lateness %s (ns)", name + strlen("lateness_ns."));
	else if (has_prefix(name, "counters.") && (p = strstr(name, ".per_op.")))
		snprintf(buf, len, "%.*s per %s", (int)(p - name - strlen("counters.")), name + strlen("counters."),
			 p + strlen(".per_op."));
	else if (has_prefix(name, "emulation.syscalls."))
		snprintf(buf, len, "%s calls in timed ops (compat)", name + strlen("emulation.syscalls."));
	else if (has_prefix(name, "emulation.") && (p = strrchr(name, '.')) && !strcmp(p, ".share"))
		snprintf(buf, len, "emulation share of %.*s time", (int)(p - name - strlen("emulation.")),
			 name + strlen("emulation."));
	else if (has_prefix(name, "emulation.") && (p = strrchr(name, '.')))
		snprintf(buf, len, "emulation %.*s %s%s", (int)(p - name - strlen("emulation.")), name + strlen("emulation."),
			 p + 1, strstr(p, "ns") || p[1] == 'p' ? " (ns)" : "");
	else
		snprintf(buf, len, "%s", name);
}


static void basename_of(char *out, size_t len, const char *path)
{
	const char *b = strrchr(path, '/');

	snprintf(out, len, "%s", b ? b + 1 : path);
}

static int load_input(struct zpb_report_input *in, const char *path, char *err, size_t errlen)
{
	const struct zpb_json *trace, *machine;
	size_t i, j;

	if (zpb_results_load(path, &in->res, err, errlen) ||
	    zpb_metrics_extract(&in->res, &in->ms, err, errlen))
		return -1;
	trace = zpb_json_get(in->res.root, "trace");
	machine = zpb_json_get(in->res.root, "machine");
	basename_of(in->label, sizeof(in->label), zpb_json_get_str(trace, "path", path));
	in->threads = (unsigned)zpb_json_get_number(zpb_json_get(in->res.root, "options"), "threads", 1);
	/*
	 * The page size the pool used: replay's options.page_size, else a run's
	 * work.page_size, else (results older than --page-size) the machine's.
	 */
	in->page_size = zpb_json_get_number(machine, "page_size", 4096);
	if (in->res.kind == ZPB_RESULTS_REPLAY && in->res.runs->len)
		in->page_size = zpb_json_get_number(zpb_json_get(in->res.runs->items[0], "work"), "page_size",
						    in->page_size);
	in->page_size = zpb_json_get_number(zpb_json_get(in->res.root, "options"), "page_size", in->page_size);
	if (in->page_size <= 0)
		in->page_size = 4096;
	/* The label says a page size other than 4K wherever the input is named. */
	if (in->page_size != 4096 && strlen(in->label) + 12 < sizeof(in->label))
		snprintf(in->label + strlen(in->label), sizeof(in->label) - strlen(in->label), " @%.0fK",
			 in->page_size / 1024);
	in->alloc = calloc(in->ms.n ? in->ms.n : 1, sizeof(*in->alloc));
	if (!in->alloc) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (i = 0; i < in->ms.n; i++) {
		struct zpb_report_alloc *a = &in->alloc[in->nalloc++];

		a->m = &in->ms.s[i];
		if (in->res.kind != ZPB_RESULTS_REPLAY)
			continue;
		for (j = 0; j < in->res.runs->len; j++) {
			const char *name = zpb_run_allocator(in->res.runs->items[j]);

			if (name && !strcmp(name, a->m->name)) {
				a->run = in->res.runs->items[j];
				break;
			}
		}
	}
	return 0;
}

int zpb_report_load(struct zpb_report *rep, const char *const *paths, size_t n, const char *baseline,
		    const char *rules, char *err, size_t errlen)
{
	size_t i;

	memset(rep, 0, sizeof(*rep));
	if (rules ? zpb_rules_load(rules, &rep->rules, err, errlen) : zpb_rules_default(&rep->rules, err, errlen))
		return -1;
	rep->deterministic = true;
	rep->in = calloc(n ? n : 1, sizeof(*rep->in));
	if (!rep->in) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		rep->n++;
		if (load_input(&rep->in[i], paths[i], err, errlen))
			return -1;
		rep->deterministic &= rep->in[i].ms.deterministic;
	}
	if (baseline) {
		rep->base = calloc(1, sizeof(*rep->base));
		if (!rep->base) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (load_input(rep->base, baseline, err, errlen))
			return -1;
	}
	return 0;
}

static void free_pics(struct zpb_picture *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(p[i].svg);
	free(p);
}

static void free_input(struct zpb_report_input *in)
{
	free_pics(in->pics, in->npics);
	free(in->alloc);
	zpb_metrics_free(&in->ms);
	zpb_results_free(&in->res);
}

void zpb_report_free(struct zpb_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		free_input(&rep->in[i]);
	free(rep->in);
	if (rep->base)
		free_input(rep->base);
	free(rep->base);
	free_pics(rep->global, rep->nglobal);
	zpb_rules_free(&rep->rules);
	memset(rep, 0, sizeof(*rep));
}

bool zpb_report_value(const struct zpb_subject *s, const char *metric, double *out)
{
	const struct zpb_metric *m = s ? zpb_subject_metric(s, metric) : NULL;

	if (!m || !m->n)
		return false;
	*out = zpb_median(m->v, m->n);
	return true;
}

bool zpb_report_change(const struct zpb_report *rep, const struct zpb_subject *s, const char *metric,
		       struct zpb_gate_row *row)
{
	const struct zpb_subject *bs;
	const struct zpb_metric *bm, *cm;
	const struct zpb_rule *rule;
	struct zpb_rule plain = { .kind = ZPB_RULE_IGNORE, .better = ZPB_BETTER_NONE };

	if (!rep->base)
		return false;
	bs = zpb_metrics_subject(&rep->base->ms, s->name);
	bm = bs ? zpb_subject_metric(bs, metric) : NULL;
	cm = zpb_subject_metric(s, metric);
	if (!bm || !cm || !bm->n || !cm->n)
		return false;
	rule = zpb_rules_match(&rep->rules, s->name, metric, rep->base->ms.deterministic && rep->deterministic);
	memset(row, 0, sizeof(*row));
	return !zpb_gate_judge(rule ? rule : &plain, bm->v, bm->n, cm->v, cm->n, row);
}

void zpb_report_format(char *buf, size_t len, double v, int decimals)
{
	if (isnan(v))
		snprintf(buf, len, "–");
	else if (fabs(v) >= 1e9)
		snprintf(buf, len, "%.3g", v);
	else
		snprintf(buf, len, "%.*f", decimals, v);
}

size_t zpb_report_metric_names(const struct zpb_report_input *in, const char **names, size_t max)
{
	size_t n = 0, i, j, k;

	for (i = 0; i < in->nalloc; i++)
		for (j = 0; j < in->alloc[i].m->n && n < max; j++) {
			for (k = 0; k < n && strcmp(names[k], in->alloc[i].m->m[j].name); k++)
				;
			if (k == n)
				names[n++] = in->alloc[i].m->m[j].name;
		}
	return n;
}

void zpb_report_input_title(const struct zpb_report_input *in, char *buf, size_t len)
{
	double limit = zpb_json_get_number(zpb_json_get(in->res.root, "options"), "pool_limit_pages", 0), v;
	bool reached = false;
	size_t i, n;

	for (i = 0; i < in->nalloc; i++)
		if ((zpb_report_value(in->alloc[i].m, "reclaim.writebacks", &v) && v > 0) ||
		    (zpb_report_value(in->alloc[i].m, "reclaim.limit_hits", &v) && v > 0))
			reached = true;
	n = (size_t)snprintf(buf, len, "%s on %u thread%s", in->label, in->threads, in->threads == 1 ? "" : "s");
	if (reached && limit > 0 && n < len) {
		const struct zpb_json *pct = zpb_json_get(zpb_json_get(in->res.root, "options"), "pool_limit_percent");

		n += (size_t)snprintf(buf + n, len - n, ", pool limit %.0f pages", limit);
		if (pct && n < len)
			snprintf(buf + n, len - n, pct->number == 20 ? " (20%% of RAM, zswap's default)" : " (%g%% of RAM)",
				 pct->number);
	}
}
