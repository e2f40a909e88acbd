// SPDX-License-Identifier: GPL-2.0-only
/* Judging a candidate's metrics against a baseline's, rule by rule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/json_reader.h"
#include "compare.h"
#include "stats.h"

const char *zpb_verdict_name(enum zpb_verdict v)
{
	static const char *const names[] = { "ok", "improved", "REGRESSED", "skipped", "warn" };

	return names[v];
}

/* Smallest one-sided p an exact test of n1 and n2 observations can give: 1 / C(n1+n2, n2). */
static double min_p(size_t n1, size_t n2)
{
	double c = 1;
	size_t i;

	for (i = 1; i <= n2; i++)
		c = c * (double)(n1 + i) / (double)i;
	return 1 / c;
}

/* Repetitions per side needed for an exact test to reach @alpha at all. */
static size_t reps_needed(double alpha)
{
	size_t n;

	for (n = 2; n < 64; n++)
		if (min_p(n, n) <= alpha)
			return n;
	return n;
}

static void extremes(const double *v, size_t n, double *lo, double *hi)
{
	size_t i;

	*lo = n ? v[0] : 0;
	*hi = *lo;
	for (i = 1; i < n; i++) {
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
}

/* Mann-Whitney U over the repetitions plus a minimum move of the median; @pre starts the note. */
static int judge_statistical(const struct zpb_rule *rule, const double *b, size_t nb, const double *c, size_t nc,
			     bool worse, bool better, const char *pre, struct zpb_gate_row *row)
{
	struct zpb_mwu t;
	double p_worse, p_better;

	if (nb < 2 || nc < 2 || min_p(nb, nc) > rule->alpha) {
		row->verdict = ZPB_VERDICT_SKIPPED;
		snprintf(row->note, sizeof(row->note), "%s%zu+%zu samples cannot reach alpha=%g; needs replay --repeat %zu",
			 pre, nb, nc, rule->alpha, reps_needed(rule->alpha));
		return 0;
	}
	if (zpb_mwu_test(b, nb, c, nc, ZPB_MWU_EXACT_MAX, &t))
		return -1;
	/* One-sided: the alternative is "the candidate is worse". */
	p_worse = rule->better == ZPB_BETTER_LOWER ? t.p_greater : t.p_less;
	p_better = rule->better == ZPB_BETTER_LOWER ? t.p_less : t.p_greater;
	row->p = p_worse;
	if (fabs(row->change) > rule->min_effect) {
		if (worse && p_worse < rule->alpha)
			row->verdict = ZPB_VERDICT_REGRESSED;
		else if (better && p_better < rule->alpha) {
			row->verdict = ZPB_VERDICT_IMPROVED;
			row->p = p_better;
		}
	}
	snprintf(row->note, sizeof(row->note), "%sU=%g%s", pre, t.u, t.exact ? " exact" : " normal approx.");
	return 0;
}

int zpb_gate_judge(const struct zpb_rule *rule, const double *b, size_t nb, const double *c, size_t nc,
		   struct zpb_gate_row *row)
{
	double delta;
	bool worse, better, varies;
	char pre[96];
	size_t i;

	row->rule = rule;
	row->n_base = nb;
	row->n_cand = nc;
	row->base = zpb_median(b, nb);
	row->cand = zpb_median(c, nc);
	extremes(b, nb, &row->base_min, &row->base_max);
	extremes(c, nc, &row->cand_min, &row->cand_max);
	row->p = NAN;
	row->note[0] = 0;
	if (isnan(row->base) || isnan(row->cand))
		return -1;
	row->all_zero = true;
	for (i = 0; i < nb; i++)
		row->all_zero &= b[i] == 0;
	for (i = 0; i < nc; i++)
		row->all_zero &= c[i] == 0;
	delta = row->cand - row->base;
	if (row->base != 0)
		row->change = delta / fabs(row->base);
	else
		row->change = delta == 0 ? 0 : delta > 0 ? INFINITY : -INFINITY;
	worse = (rule->better == ZPB_BETTER_LOWER && delta > 0) ||
		(rule->better == ZPB_BETTER_HIGHER && delta < 0) ||
		(rule->better == ZPB_BETTER_NONE && delta != 0);
	better = delta != 0 && !worse;
	row->verdict = ZPB_VERDICT_PASS;
	/* A figure that differs between repetitions of one invocation cannot be held exactly. */
	varies = row->base_min != row->base_max || row->cand_min != row->cand_max;
	snprintf(pre, sizeof(pre), "varies over repetitions (%g..%g vs %g..%g): ", row->base_min, row->base_max,
		 row->cand_min, row->cand_max);

	switch (rule->kind) {
	case ZPB_RULE_ZERO:
		if (!row->all_zero) {
			row->verdict = ZPB_VERDICT_REGRESSED;
			snprintf(row->note, sizeof(row->note), "must be 0 in any gated result (baseline max %g, "
				 "candidate max %g)", row->base_max, row->cand_max);
		}
		return 0;
	case ZPB_RULE_EXACT:
	case ZPB_RULE_THRESHOLD:
		if (varies && rule->varying == ZPB_VARYING_SKIP) {
			row->verdict = ZPB_VERDICT_SKIPPED;
			snprintf(row->note, sizeof(row->note), "%snot gated (varying=skip)", pre);
			break;
		}
		if (varies && rule->varying == ZPB_VARYING_STATISTICAL) {
			strcat(pre, "judged statistically; ");
			if (judge_statistical(rule, b, nb, c, nc, worse, better, pre, row))
				return -1;
			break;
		}
		if (rule->kind == ZPB_RULE_THRESHOLD) {
			if (fabs(row->change) > rule->max_rel)
				row->verdict = worse ? ZPB_VERDICT_REGRESSED : ZPB_VERDICT_IMPROVED;
		} else if (varies) {
			row->verdict = ZPB_VERDICT_REGRESSED;
			snprintf(row->note, sizeof(row->note), "%san exact figure that does not repeat", pre);
		} else if (worse) {
			row->verdict = ZPB_VERDICT_REGRESSED;
		} else if (better && rule->allow_better) {
			row->verdict = ZPB_VERDICT_IMPROVED;
		} else if (better) {
			row->verdict = ZPB_VERDICT_REGRESSED;
			snprintf(row->note, sizeof(row->note),
				 "changed for the better; if intended, regenerate the baseline");
		}
		break;
	case ZPB_RULE_STATISTICAL:
		if (judge_statistical(rule, b, nb, c, nc, worse, better, "", row))
			return -1;
		break;
	case ZPB_RULE_IGNORE:
		break;
	}
	if (row->verdict == ZPB_VERDICT_REGRESSED && rule->warn_only) {
		size_t l = strlen(row->note);

		row->verdict = ZPB_VERDICT_WARNED;
		snprintf(row->note + l, sizeof(row->note) - l, "%snot failed (severity=warn)", l ? "; " : "");
	}
	return 0;
}

static const char *paired(const struct zpb_metricset *base, const struct zpb_metricset *cand,
			  const char *name, const struct zpb_gate_pair *pairs, size_t npairs)
{
	size_t i;

	for (i = 0; i < npairs; i++)
		if (!strcmp(pairs[i].base, name))
			return pairs[i].cand;
	if (zpb_metrics_subject(cand, name))
		return name;
	if (base->n == 1 && cand->n == 1)
		return cand->s[0].name;
	return NULL;
}

static struct zpb_gate_row *new_row(struct zpb_gate_result *out)
{
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 64;
		struct zpb_gate_row *r = realloc(out->rows, cap * sizeof(*r));

		if (!r)
			return NULL;
		out->rows = r;
		out->cap = cap;
	}
	memset(&out->rows[out->n], 0, sizeof(out->rows[0]));
	return &out->rows[out->n++];
}

const char *const zpb_gate_zero_metrics[] = { "verify_failures", "diagnostics.errors", "diagnostics.leaked_pages",
					       NULL };

static const struct zpb_rule zero_rule = { .pattern = "(built in)", .subject = "*", .kind = ZPB_RULE_ZERO,
					   .better = ZPB_BETTER_LOWER };

static bool is_zero_metric(const char *name)
{
	size_t i;

	for (i = 0; zpb_gate_zero_metrics[i]; i++)
		if (!strcmp(zpb_gate_zero_metrics[i], name))
			return true;
	return false;
}

static int add_row(struct zpb_gate_result *out, const struct zpb_rule *rule, const char *bname, const char *cname,
		   const char *metric, const struct zpb_metric *bm, const struct zpb_metric *cm)
{
	static const double none;
	struct zpb_gate_row *row = new_row(out);

	if (!row)
		return -1;
	zpb_json_printable(bname, row->base_subject, sizeof(row->base_subject));
	zpb_json_printable(cname, row->cand_subject, sizeof(row->cand_subject));
	zpb_json_printable(metric, row->metric, sizeof(row->metric));
	if (zpb_gate_judge(rule, bm ? bm->v : &none, bm ? bm->n : 0, cm ? cm->v : &none, cm ? cm->n : 0, row))
		return -1;
	out->regressed += row->verdict == ZPB_VERDICT_REGRESSED;
	out->improved += row->verdict == ZPB_VERDICT_IMPROVED;
	out->skipped += row->verdict == ZPB_VERDICT_SKIPPED;
	out->warned += row->verdict == ZPB_VERDICT_WARNED;
	return 0;
}

/* Correctness figures of one subject (either side may be NULL): 0 or a regression, whatever the rules. */
static int zero_rows(struct zpb_gate_result *out, const struct zpb_subject *bs, const struct zpb_subject *cs)
{
	size_t i;

	for (i = 0; zpb_gate_zero_metrics[i]; i++) {
		const char *m = zpb_gate_zero_metrics[i];
		const struct zpb_metric *bm = bs ? zpb_subject_metric(bs, m) : NULL;
		const struct zpb_metric *cm = cs ? zpb_subject_metric(cs, m) : NULL;

		if ((bm || cm) && add_row(out, &zero_rule, bs ? bs->name : "-", cs ? cs->name : "-", m, bm, cm))
			return -1;
	}
	return 0;
}

/*
 * A subject's page size: every sample of work.page_size. Results from before
 * replay had --page-size lack it, and were all 4096-byte pages. 0 when the
 * samples disagree (a merged file of several page sizes).
 */
static double page_size_of(const struct zpb_subject *s)
{
	const struct zpb_metric *m = zpb_subject_metric(s, "work.page_size");
	size_t i;

	if (!m || !m->n)
		return 4096;
	for (i = 1; i < m->n; i++)
		if (m->v[i] != m->v[0])
			return 0;
	return m->v[0];
}

/*
 * Pool pages of 16K and of 4K are not one unit, and neither are the
 * latencies of objects four times the size: a gate compares one page size
 * with itself, whatever --allow-different-traces says.
 */
static int page_sizes_differ(const struct zpb_subject *bs, const struct zpb_subject *cs, const char *bpath,
			     const char *cpath, char *err, size_t errlen)
{
	double b = page_size_of(bs), c = page_size_of(cs);
	char name[128];

	if (b == c && b > 0)
		return 0;
	zpb_json_printable(bs->name, name, sizeof(name));
	if (b <= 0 || c <= 0)
		snprintf(err, errlen, "'%s' in %s holds runs at several page sizes (work.page_size): gate one "
			 "page size at a time", name, b <= 0 ? bpath : cpath);
	else
		snprintf(err, errlen, "'%s' ran at %.0f-byte pages in %s and at %.0f-byte pages in %s: pool pages "
			 "and latencies of different page sizes are not comparable (zpoolbench report shows them "
			 "side by side)", name, b, bpath, c, cpath);
	return -1;
}

int zpb_gate_compare(const struct zpb_metricset *base, const struct zpb_metricset *cand,
		     const struct zpb_rules *rules, const struct zpb_gate_options *opt,
		     struct zpb_gate_result *out, char *err, size_t errlen)
{
	static const struct zpb_gate_options no_options;
	bool det = base->deterministic && cand->deterministic, replay = base->kind == ZPB_RESULTS_REPLAY;
	const struct zpb_gate_pair *pairs;
	size_t i, j, npairs, single = 0;
	char name[128];

	if (!opt)
		opt = &no_options;
	pairs = opt->pairs;
	npairs = opt->npairs;
	memset(out, 0, sizeof(*out));
	if (base->kind != cand->kind) {
		snprintf(err, errlen, "%s and %s are different kinds of results (zpoolbench replay vs Google Benchmark)",
			 base->path, cand->path);
		return -1;
	}
	if (!base->complete || !cand->complete) {
		snprintf(err, errlen, "%s: an interrupted run (\"complete\": false) holds partial figures; "
			 "gate complete runs only", !base->complete ? base->path : cand->path);
		return -1;
	}
	if (replay && (!base->trace_sha256 || !cand->trace_sha256 || strcmp(base->trace_sha256, cand->trace_sha256))) {
		char bsum[72], csum[72];

		zpb_json_printable(base->trace_sha256 ? base->trace_sha256 : "(none)", bsum, sizeof(bsum));
		zpb_json_printable(cand->trace_sha256 ? cand->trace_sha256 : "(none)", csum, sizeof(csum));
		if (!opt->allow_different_traces) {
			snprintf(err, errlen, "%s and %s replayed different traces (sha256 %s and %s): their figures "
				 "are not comparable (--allow-different-traces compares them anyway)", base->path,
				 cand->path, bsum, csum);
			return -1;
		}
		snprintf(out->traces, sizeof(out->traces), "different traces compared (--allow-different-traces): "
			 "sha256 %s and %s", bsum, csum);
	}
	if (!base->n) {
		snprintf(err, errlen, "%s: no allocator runs or benchmarks to compare", base->path);
		return -1;
	}
	for (i = 0; i < npairs; i++) {
		if (!zpb_metrics_subject(base, pairs[i].base)) {
			zpb_json_printable(pairs[i].base, name, sizeof(name));
			snprintf(err, errlen, "%s: no '%s' to pair (--pair)", base->path, name);
			return -1;
		}
		if (!zpb_metrics_subject(cand, pairs[i].cand)) {
			zpb_json_printable(pairs[i].cand, name, sizeof(name));
			snprintf(err, errlen, "%s: no '%s' to pair (--pair)", cand->path, name);
			return -1;
		}
	}
	for (i = 0; i < base->n; i++) {
		const struct zpb_subject *bs = &base->s[i], *cs;
		const char *cname = paired(base, cand, bs->name, pairs, npairs);

		if (!cname) {
			zpb_json_printable(bs->name, name, sizeof(name));
			snprintf(err, errlen, "'%s' is in the baseline %s but not in the candidate %s", name,
				 base->path, cand->path);
			goto fail;
		}
		cs = zpb_metrics_subject(cand, cname);
		if (strcmp(cname, bs->name)) {
			char cn[128];

			zpb_json_printable(bs->name, name, sizeof(name));
			zpb_json_printable(cname, cn, sizeof(cn));
			snprintf(out->pairing, sizeof(out->pairing), "baseline '%s' compared with candidate '%s'",
				 name, cn);
		}
		if (replay && page_sizes_differ(bs, cs, base->path, cand->path, err, errlen))
			goto fail;
		if (replay && zero_rows(out, bs, cs))
			goto oom;
		for (j = 0; j < bs->n; j++) {
			const struct zpb_metric *bm = &bs->m[j], *cm;
			const struct zpb_rule *rule;

			if (replay && is_zero_metric(bm->name))
				continue;
			rule = zpb_rules_match(rules, bs->name, bm->name, det);
			if (!rule || rule->kind == ZPB_RULE_IGNORE)
				continue;
			cm = zpb_subject_metric(cs, bm->name);
			if (!cm) {
				zpb_json_printable(bs->name, name, sizeof(name));
				snprintf(err, errlen, "metric '%s' of '%s' is in the baseline %s but missing from "
					 "the candidate %s", bm->name, name, base->path, cand->path);
				goto fail;
			}
			if (add_row(out, rule, bs->name, cs->name, bm->name, bm, cm))
				goto oom;
			if (!det && rule->varying != ZPB_VARYING_RULE && (bm->n < 2 || cm->n < 2))
				single++;
		}
	}
	/* A new allocator in the candidate is not compared, but its correctness is still checked. */
	for (i = 0; replay && i < cand->n; i++) {
		bool seen = false;

		for (j = 0; j < base->n && !seen; j++) {
			const char *cname = paired(base, cand, base->s[j].name, pairs, npairs);

			seen = cname && !strcmp(cname, cand->s[i].name);
		}
		if (!seen && zero_rows(out, NULL, &cand->s[i]))
			goto oom;
	}
	if (single)
		snprintf(out->single_runs, sizeof(out->single_runs), "%zu figure%s of single runs outside --deterministic "
			 "gated as if they repeated exactly: whether they vary is unknown (async work, several "
			 "threads); replay --repeat 5 lets the gate see their spread", single, single == 1 ? "" : "s");
	if (!out->n) {
		snprintf(err, errlen, "no metric of %s is covered by a rule of %s", base->path, rules->source);
		goto fail;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory comparing %s with %s", base->path, cand->path);
fail:
	zpb_gate_result_free(out);
	return -1;
}

void zpb_gate_result_free(struct zpb_gate_result *out)
{
	free(out->rows);
	memset(out, 0, sizeof(*out));
}


void zpb_gate_rule_text(const struct zpb_gate_row *r, char *buf, size_t len)
{
	switch (r->rule->kind) {
	case ZPB_RULE_THRESHOLD:
		snprintf(buf, len, "threshold %s, max %g%%", zpb_better_name(r->rule->better), r->rule->max_rel * 100);
		break;
	case ZPB_RULE_STATISTICAL:
		snprintf(buf, len, "statistical %s, a=%g, >%g%%", zpb_better_name(r->rule->better), r->rule->alpha,
			 r->rule->min_effect * 100);
		break;
	case ZPB_RULE_ZERO:
		snprintf(buf, len, "must be 0");
		break;
	default:
		snprintf(buf, len, "%s %s", zpb_rule_kind_name(r->rule->kind), zpb_better_name(r->rule->better));
	}
	if (r->rule->warn_only && len > strlen(buf))
		snprintf(buf + strlen(buf), len - strlen(buf), ", warn");
}
