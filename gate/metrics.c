// SPDX-License-Identifier: GPL-2.0-only
/* Flattening results runs into per-subject metric samples. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define NAME_MAX_LEN 256

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *q;

	if (n < *cap)
		return p;
	c = *cap ? *cap * 2 : 8;
	q = realloc(p, c * size);
	if (q)
		*cap = c;
	return q;
}

static struct zpb_subject *subject(struct zpb_metricset *ms, const char *name)
{
	struct zpb_subject *s;
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (!strcmp(ms->s[i].name, name))
			return &ms->s[i];
	s = grow(ms->s, &ms->cap, ms->n, sizeof(*s));
	if (!s)
		return NULL;
	ms->s = s;
	s = &ms->s[ms->n];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	if (!s->name)
		return NULL;
	ms->n++;
	return s;
}

static int add(struct zpb_subject *s, const char *name, double v)
{
	struct zpb_metric *m = NULL;
	size_t i;
	double *nv;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->m[i].name, name)) {
			m = &s->m[i];
			break;
		}
	if (!m) {
		m = grow(s->m, &s->cap, s->n, sizeof(*m));
		if (!m)
			return -1;
		s->m = m;
		m = &s->m[s->n];
		memset(m, 0, sizeof(*m));
		m->name = strdup(name);
		if (!m->name)
			return -1;
		s->n++;
	}
	nv = grow(m->v, &m->cap, m->n, sizeof(*nv));
	if (!nv)
		return -1;
	m->v = nv;
	m->v[m->n++] = v;
	return 0;
}

/* Arrays that are series or distributions, not figures to compare. */
static bool skipped_key(const char *key)
{
	static const char *const skip[] = { "threads", "timeline", "objects_per_page", "buckets",
					    "capabilities", "repetition", NULL };
	int i;

	for (i = 0; skip[i]; i++)
		if (!strcmp(key, skip[i]))
			return true;
	return false;
}

static int flatten(struct zpb_subject *s, const struct zpb_json *v, const char *prefix, unsigned depth);

/* marks: an array of objects named by "label" (or by position without one). */
static int flatten_marks(struct zpb_subject *s, const struct zpb_json *a, const char *prefix, unsigned depth)
{
	char name[NAME_MAX_LEN];
	size_t i;

	for (i = 0; i < a->len; i++) {
		const char *label = zpb_json_get_str(a->items[i], "label", NULL);

		if (label)
			snprintf(name, sizeof(name), "%s.%s", prefix, label);
		else
			snprintf(name, sizeof(name), "%s.%zu", prefix, i);
		if (flatten(s, a->items[i], name, depth + 1))
			return -1;
	}
	return 0;
}

static int flatten(struct zpb_subject *s, const struct zpb_json *v, const char *prefix, unsigned depth)
{
	char name[NAME_MAX_LEN];
	size_t i;

	if (depth > 8)
		return 0;
	if (v->type == ZPB_JSON_NUMBER)
		return prefix[0] ? add(s, prefix, v->number) : 0;
	if (v->type == ZPB_JSON_ARRAY && !strcmp(prefix, "marks"))
		return flatten_marks(s, v, prefix, depth);
	if (v->type != ZPB_JSON_OBJECT)
		return 0;
	for (i = 0; i < v->len; i++) {
		if (skipped_key(v->keys[i]))
			continue;
		if (prefix[0])
			snprintf(name, sizeof(name), "%s.%s", prefix, v->keys[i]);
		else
			snprintf(name, sizeof(name), "%s", v->keys[i]);
		if (flatten(s, v->items[i], name, depth + 1))
			return -1;
	}
	return 0;
}

static bool gbench_bookkeeping(const char *key)
{
	static const char *const keys[] = { "family_index", "per_family_instance_index", "repetitions",
					    "repetition_index", "threads", "iterations", "real_time",
					    "cpu_time", NULL };
	int i;

	for (i = 0; keys[i]; i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

/* One benchmark row's figures as samples of its subject. */
static int gbench_row(struct zpb_metricset *ms, const struct zpb_json *b, const char *name)
{
	const char *unit = zpb_json_get_str(b, "time_unit", "ns");
	struct zpb_subject *s = subject(ms, name);
	double t;
	size_t k;

	if (!s)
		return -1;
	t = zpb_json_get_number(b, "real_time", -1);
	if (t >= 0 && zpb_gbench_to_ns(t, unit) >= 0 && add(s, "real_time_ns", zpb_gbench_to_ns(t, unit)))
		return -1;
	t = zpb_json_get_number(b, "cpu_time", -1);
	if (t >= 0 && zpb_gbench_to_ns(t, unit) >= 0 && add(s, "cpu_time_ns", zpb_gbench_to_ns(t, unit)))
		return -1;
	for (k = 0; k < b->len; k++)
		if (b->items[k]->type == ZPB_JSON_NUMBER && !gbench_bookkeeping(b->keys[k]) &&
		    add(s, b->keys[k], b->items[k]->number))
			return -1;
	return 0;
}

static int extract_gbench(const struct zpb_results *r, struct zpb_metricset *ms)
{
	size_t i;

	/* Aggregates (mean, median, stddev) are recomputed from the repetitions... */
	for (i = 0; i < r->runs->len; i++) {
		const struct zpb_json *b = r->runs->items[i];
		const char *name = zpb_json_get_str(b, "run_name", zpb_json_get_str(b, "name", ""));

		if (!strcmp(zpb_json_get_str(b, "run_type", "iteration"), "iteration") &&
		    !zpb_json_bool(zpb_json_get(b, "error_occurred"), false) && gbench_row(ms, b, name))
			return -1;
	}
	/* ... unless only they were written (--benchmark_report_aggregates_only): then the median is one sample. */
	for (i = 0; i < r->runs->len; i++) {
		const struct zpb_json *b = r->runs->items[i];
		const char *name = zpb_json_get_str(b, "run_name", zpb_json_get_str(b, "name", ""));

		if (!strcmp(zpb_json_get_str(b, "run_type", ""), "aggregate") &&
		    !strcmp(zpb_json_get_str(b, "aggregate_name", ""), "median") && !zpb_metrics_subject(ms, name) &&
		    gbench_row(ms, b, name))
			return -1;
	}
	return 0;
}

int zpb_metrics_extract(const struct zpb_results *r, struct zpb_metricset *ms, char *err, size_t errlen)
{
	size_t i;
	int rc = 0;

	memset(ms, 0, sizeof(*ms));
	ms->path = r->path;
	ms->kind = r->kind;
	ms->deterministic = r->deterministic;
	ms->complete = r->complete;
	ms->trace_sha256 = zpb_json_get_str(zpb_json_get(r->root, "trace"), "sha256", NULL);
	if (r->kind == ZPB_RESULTS_GBENCH) {
		rc = extract_gbench(r, ms);
	} else {
		for (i = 0; i < r->runs->len && !rc; i++) {
			const char *alloc = zpb_run_allocator(r->runs->items[i]);
			struct zpb_subject *s;

			if (!alloc)
				continue;
			s = subject(ms, alloc);
			rc = s ? flatten(s, r->runs->items[i], "", 0) : -1;
		}
	}
	if (rc) {
		snprintf(err, errlen, "%s: out of memory extracting metrics", r->path);
		zpb_metrics_free(ms);
	}
	return rc;
}

void zpb_metrics_free(struct zpb_metricset *ms)
{
	size_t i, j;

	for (i = 0; i < ms->n; i++) {
		for (j = 0; j < ms->s[i].n; j++) {
			free(ms->s[i].m[j].name);
			free(ms->s[i].m[j].v);
		}
		free(ms->s[i].m);
		free(ms->s[i].name);
	}
	free(ms->s);
	memset(ms, 0, sizeof(*ms));
}

const struct zpb_subject *zpb_metrics_subject(const struct zpb_metricset *ms, const char *name)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (!strcmp(ms->s[i].name, name))
			return &ms->s[i];
	return NULL;
}

const struct zpb_metric *zpb_subject_metric(const struct zpb_subject *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->m[i].name, name))
			return &s->m[i];
	return NULL;
}
