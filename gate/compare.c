// SPDX-License-Identifier: GPL-2.0-only
/* Judging a candidate's metrics against a baseline's, rule by rule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "stats.h"

const char *zpb_verdict_name(enum zpb_verdict v)
{
	static const char *const names[] = { "ok", "improved", "REGRESSED", "skipped" };

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

int zpb_gate_judge(const struct zpb_rule *rule, const double *b, size_t nb, const double *c, size_t nc,
		   struct zpb_gate_row *row)
{
	double delta;
	bool worse, better;

	row->rule = rule;
	row->n_base = nb;
	row->n_cand = nc;
	row->base = zpb_median(b, nb);
	row->cand = zpb_median(c, nc);
	row->p = NAN;
	row->note[0] = 0;
	if (isnan(row->base) || isnan(row->cand))
		return -1;
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

	switch (rule->kind) {
	case ZPB_RULE_EXACT:
		if (worse) {
			row->verdict = ZPB_VERDICT_REGRESSED;
		} else if (better && rule->allow_better) {
			row->verdict = ZPB_VERDICT_IMPROVED;
		} else if (better) {
			row->verdict = ZPB_VERDICT_REGRESSED;
			snprintf(row->note, sizeof(row->note),
				 "changed for the better; if intended, regenerate the baseline");
		}
		break;
	case ZPB_RULE_THRESHOLD:
		if (fabs(row->change) > rule->max_rel)
			row->verdict = worse ? ZPB_VERDICT_REGRESSED : ZPB_VERDICT_IMPROVED;
		break;
	case ZPB_RULE_STATISTICAL: {
		struct zpb_mwu t;
		size_t need = reps_needed(rule->alpha);
		double p_worse, p_better;

		if (nb < 2 || nc < 2 || min_p(nb, nc) > rule->alpha) {
			row->verdict = ZPB_VERDICT_SKIPPED;
			snprintf(row->note, sizeof(row->note),
				 "%zu+%zu samples cannot reach alpha=%g; needs replay --repeat %zu", nb, nc,
				 rule->alpha, need);
			break;
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
		snprintf(row->note, sizeof(row->note), "U=%g%s", t.u, t.exact ? " exact" : " normal approx.");
		break;
	}
	case ZPB_RULE_IGNORE:
		break;
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

int zpb_gate_compare(const struct zpb_metricset *base, const struct zpb_metricset *cand,
		     const struct zpb_rules *rules, const struct zpb_gate_pair *pairs, size_t npairs,
		     struct zpb_gate_result *out, char *err, size_t errlen)
{
	bool det = base->deterministic && cand->deterministic;
	size_t i, j;

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
	if (!base->n) {
		snprintf(err, errlen, "%s: no allocator runs or benchmarks to compare", base->path);
		return -1;
	}
	for (i = 0; i < npairs; i++) {
		if (!zpb_metrics_subject(base, pairs[i].base)) {
			snprintf(err, errlen, "%s: no '%s' to pair (--pair)", base->path, pairs[i].base);
			return -1;
		}
		if (!zpb_metrics_subject(cand, pairs[i].cand)) {
			snprintf(err, errlen, "%s: no '%s' to pair (--pair)", cand->path, pairs[i].cand);
			return -1;
		}
	}
	for (i = 0; i < base->n; i++) {
		const struct zpb_subject *bs = &base->s[i], *cs;
		const char *cname = paired(base, cand, bs->name, pairs, npairs);

		if (!cname) {
			snprintf(err, errlen, "'%s' is in the baseline %s but not in the candidate %s", bs->name,
				 base->path, cand->path);
			goto fail;
		}
		cs = zpb_metrics_subject(cand, cname);
		if (strcmp(cname, bs->name))
			snprintf(out->pairing, sizeof(out->pairing), "baseline '%s' compared with candidate '%s'",
				 bs->name, cname);
		for (j = 0; j < bs->n; j++) {
			const struct zpb_metric *bm = &bs->m[j], *cm;
			const struct zpb_rule *rule = zpb_rules_match(rules, bs->name, bm->name, det);
			struct zpb_gate_row *row;

			if (!rule || rule->kind == ZPB_RULE_IGNORE)
				continue;
			cm = zpb_subject_metric(cs, bm->name);
			if (!cm) {
				snprintf(err, errlen, "metric '%s' of '%s' is in the baseline %s but missing from "
					 "the candidate %s", bm->name, bs->name, base->path, cand->path);
				goto fail;
			}
			row = new_row(out);
			if (!row)
				goto oom;
			snprintf(row->base_subject, sizeof(row->base_subject), "%s", bs->name);
			snprintf(row->cand_subject, sizeof(row->cand_subject), "%s", cs->name);
			snprintf(row->metric, sizeof(row->metric), "%s", bm->name);
			if (zpb_gate_judge(rule, bm->v, bm->n, cm->v, cm->n, row))
				goto oom;
			out->regressed += row->verdict == ZPB_VERDICT_REGRESSED;
			out->improved += row->verdict == ZPB_VERDICT_IMPROVED;
			out->skipped += row->verdict == ZPB_VERDICT_SKIPPED;
		}
	}
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

static void fmt_value(char *buf, size_t len, double v)
{
	if (v != 0 && (fabs(v) >= 1e7 || fabs(v) < 1e-3))
		snprintf(buf, len, "%.4g", v);
	else if (v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

/* Markdown cells must not contain '|' or newlines. */
static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

void zpb_gate_write_markdown(FILE *f, const struct zpb_gate_result *res, const char *base_path,
			     const char *cand_path, const char *rules_source)
{
	size_t i;

	fprintf(f, "## zpoolbench gate\n\nBaseline `%s`, candidate `%s`, rules `%s`.", base_path, cand_path,
		rules_source);
	if (res->pairing[0])
		fprintf(f, " Note: %s.", res->pairing);
	fprintf(f, "\n\n| subject | metric | rule | baseline | candidate | change | p | verdict |\n"
		   "|---|---|---|---:|---:|---:|---:|---|\n");
	for (i = 0; i < res->n; i++) {
		const struct zpb_gate_row *r = &res->rows[i];
		char b[32], c[32], rule[64], p[24];

		/* Skipped rows are summed up under the table, not listed one by one. */
		if (r->verdict == ZPB_VERDICT_SKIPPED)
			continue;

		fmt_value(b, sizeof(b), r->base);
		fmt_value(c, sizeof(c), r->cand);
		switch (r->rule->kind) {
		case ZPB_RULE_THRESHOLD:
			snprintf(rule, sizeof(rule), "threshold %s, max %g%%", zpb_better_name(r->rule->better),
				 r->rule->max_rel * 100);
			break;
		case ZPB_RULE_STATISTICAL:
			snprintf(rule, sizeof(rule), "statistical %s, a=%g, >%g%%", zpb_better_name(r->rule->better),
				 r->rule->alpha, r->rule->min_effect * 100);
			break;
		default:
			snprintf(rule, sizeof(rule), "%s %s", zpb_rule_kind_name(r->rule->kind),
				 zpb_better_name(r->rule->better));
		}
		p[0] = 0;
		if (!isnan(r->p))
			snprintf(p, sizeof(p), "%.3g", r->p);
		fputs("| ", f);
		md_cell(f, r->base_subject);
		if (strcmp(r->base_subject, r->cand_subject)) {
			fputs(" → ", f);
			md_cell(f, r->cand_subject);
		}
		fputs(" | ", f);
		md_cell(f, r->metric);
		fprintf(f, " | %s | %s", rule, b);
		if (r->n_base > 1)
			fprintf(f, " (n=%zu)", r->n_base);
		fprintf(f, " | %s", c);
		if (r->n_cand > 1)
			fprintf(f, " (n=%zu)", r->n_cand);
		if (isinf(r->change))
			fprintf(f, " | %s∞", r->change > 0 ? "+" : "-");
		else	/* no "-0.00%" for a change too small to print */
			fprintf(f, " | %+.2f%%", fabs(r->change) < 5e-5 ? 0.0 : r->change * 100);
		fprintf(f, " | %s | %s%s", p, r->verdict == ZPB_VERDICT_REGRESSED ? "**REGRESSED**" :
			zpb_verdict_name(r->verdict), r->note[0] ? ": " : "");
		md_cell(f, r->note);
		fputs(" |\n", f);
	}
	if (res->skipped) {
		const struct zpb_gate_row *first = NULL;

		for (i = 0; i < res->n && !first; i++)
			if (res->rows[i].verdict == ZPB_VERDICT_SKIPPED)
				first = &res->rows[i];
		fprintf(f, "\nSkipped %zu statistical comparisons (first: %s of %s): %s.\n", res->skipped,
			first->metric, first->base_subject, first->note);
	}
	fprintf(f, "\n%zu compared, %zu regressed, %zu improved, %zu skipped: %s\n", res->n, res->regressed,
		res->improved, res->skipped, res->regressed ? "**FAIL**" : "pass");
}
