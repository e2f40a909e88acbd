// SPDX-License-Identifier: GPL-2.0-only
/* Writing the gate's verdict: Markdown, JSON and JUnit XML (output.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../util/json_writer.h"
#include "output.h"

static void fmt_value(char *buf, size_t len, double v)
{
	if (v != 0 && (fabs(v) >= 1e7 || fabs(v) < 1e-3))
		snprintf(buf, len, "%.4g", v);
	else if (v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

static void fmt_change(char *buf, size_t len, double change)
{
	if (isinf(change))
		snprintf(buf, len, "%s∞", change > 0 ? "+" : "-");
	else	/* no "-0.00%" for a change too small to print */
		snprintf(buf, len, "%+.2f%%", fabs(change) < 5e-5 ? 0.0 : change * 100);
}

static const char *summary_word(const struct zpb_gate_result *res)
{
	return res->regressed ? "fail" : "pass";
}

bool zpb_gate_row_hidden(const struct zpb_gate_row *r, bool changes_only)
{
	if (r->verdict == ZPB_VERDICT_SKIPPED)
		return true;	/* summed up under the table */
	if (r->verdict != ZPB_VERDICT_PASS || r->rule->kind == ZPB_RULE_ZERO)
		return changes_only && r->verdict == ZPB_VERDICT_PASS;
	return r->all_zero || (changes_only && r->base == r->cand);
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

void zpb_gate_write_markdown(FILE *f, const struct zpb_gate_report *rep)
{
	const struct zpb_gate_result *res = rep->res;
	size_t i, zero = 0, unchanged = 0;

	fprintf(f, "## zpoolbench gate\n\nBaseline `%s`, candidate `%s`, rules `%s`.", rep->base_path,
		rep->cand_path, rep->rules_source);
	if (res->pairing[0])
		fprintf(f, " Note: %s.", res->pairing);
	if (res->traces[0])
		fprintf(f, " **Note: %s.**", res->traces);
	fprintf(f, "\n\n| subject | metric | rule | baseline | candidate | change | p | verdict |\n"
		   "|---|---|---|---:|---:|---:|---:|---|\n");
	for (i = 0; i < res->n; i++) {
		const struct zpb_gate_row *r = &res->rows[i];
		char b[32], c[32], rule[80], p[24], ch[24];

		if (zpb_gate_row_hidden(r, rep->changes_only)) {
			if (r->verdict != ZPB_VERDICT_SKIPPED) {
				if (r->all_zero && r->rule->kind != ZPB_RULE_ZERO)
					zero++;
				else
					unchanged++;
			}
			continue;
		}
		fmt_value(b, sizeof(b), r->base);
		fmt_value(c, sizeof(c), r->cand);
		fmt_change(ch, sizeof(ch), r->change);
		zpb_gate_rule_text(r, rule, sizeof(rule));
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
		fprintf(f, " | %s | %s | %s%s", ch, p, r->verdict == ZPB_VERDICT_REGRESSED ? "**REGRESSED**" :
			zpb_verdict_name(r->verdict), r->note[0] ? ": " : "");
		md_cell(f, r->note);
		fputs(" |\n", f);
	}
	if (zero || unchanged) {
		fputs("\nNot listed:", f);
		if (unchanged)
			fprintf(f, " %zu unchanged row%s (--changes-only)%s", unchanged, unchanged == 1 ? "" : "s",
				zero ? ";" : "");
		if (zero)
			fprintf(f, " %zu row%s of figures 0 → 0 (metrics that never ran)", zero, zero == 1 ? "" : "s");
		fputs(".\n", f);
	}
	if (res->skipped) {
		const struct zpb_gate_row *first = NULL;

		for (i = 0; i < res->n && !first; i++)
			if (res->rows[i].verdict == ZPB_VERDICT_SKIPPED)
				first = &res->rows[i];
		fprintf(f, "\nSkipped %zu comparisons (first: %s of %s): ", res->skipped, first->metric,
			first->base_subject);
		md_cell(f, first->note);
		fputs(".\n", f);
	}
	if (res->single_runs[0])
		fprintf(f, "\nNote: %s.\n", res->single_runs);
	fprintf(f, "\n%zu compared, %zu regressed, %zu improved, %zu skipped, %zu warnings: %s\n", res->n,
		res->regressed, res->improved, res->skipped, res->warned, res->regressed ? "**FAIL**" : "pass");
}

static void k_number(struct zpb_jw *w, const char *key, double v)
{
	zpb_jw_key(w, key);
	if (isnan(v) || isinf(v))
		zpb_jw_null(w);
	else
		zpb_jw_double(w, v);
}

static void k_string_or_null(struct zpb_jw *w, const char *key, const char *s)
{
	zpb_jw_key(w, key);
	if (s)
		zpb_jw_string(w, s);
	else
		zpb_jw_null(w);
}

int zpb_gate_write_json(FILE *f, const struct zpb_gate_report *rep)
{
	const struct zpb_gate_result *res = rep->res;
	struct zpb_jw w;
	size_t i;

	zpb_jw_init(&w, f, true);
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "format", "zpoolbench-gate");
	zpb_jw_ki64(&w, "format_version", ZPB_GATE_JSON_VERSION);
	zpb_jw_kstring(&w, "verdict", summary_word(res));
	zpb_jw_key(&w, "baseline");
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "path", rep->base_path);
	k_string_or_null(&w, "trace_sha256", rep->base_sha256);
	zpb_jw_object_end(&w);
	zpb_jw_key(&w, "candidate");
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "path", rep->cand_path);
	k_string_or_null(&w, "trace_sha256", rep->cand_sha256);
	zpb_jw_object_end(&w);
	zpb_jw_kstring(&w, "rules", rep->rules_source);
	zpb_jw_ku64(&w, "compared", res->n);
	zpb_jw_ku64(&w, "regressed", res->regressed);
	zpb_jw_ku64(&w, "improved", res->improved);
	zpb_jw_ku64(&w, "skipped", res->skipped);
	zpb_jw_ku64(&w, "warnings", res->warned);
	zpb_jw_key(&w, "notes");
	zpb_jw_array_begin(&w);
	if (res->pairing[0])
		zpb_jw_string(&w, res->pairing);
	if (res->traces[0])
		zpb_jw_string(&w, res->traces);
	if (res->single_runs[0])
		zpb_jw_string(&w, res->single_runs);
	zpb_jw_array_end(&w);
	zpb_jw_key(&w, "rows");
	zpb_jw_array_begin(&w);
	for (i = 0; i < res->n; i++) {
		const struct zpb_gate_row *r = &res->rows[i];
		char rule[80];

		zpb_gate_rule_text(r, rule, sizeof(rule));
		zpb_jw_object_begin(&w);
		zpb_jw_kstring(&w, "subject", r->base_subject);
		zpb_jw_kstring(&w, "candidate_subject", r->cand_subject);
		zpb_jw_kstring(&w, "metric", r->metric);
		zpb_jw_kstring(&w, "rule", rule);
		zpb_jw_ki64(&w, "rule_line", r->rule->line);
		zpb_jw_key(&w, "baseline");
		zpb_jw_object_begin(&w);
		k_number(&w, "median", r->base);
		k_number(&w, "min", r->base_min);
		k_number(&w, "max", r->base_max);
		zpb_jw_ku64(&w, "n", r->n_base);
		zpb_jw_object_end(&w);
		zpb_jw_key(&w, "candidate");
		zpb_jw_object_begin(&w);
		k_number(&w, "median", r->cand);
		k_number(&w, "min", r->cand_min);
		k_number(&w, "max", r->cand_max);
		zpb_jw_ku64(&w, "n", r->n_cand);
		zpb_jw_object_end(&w);
		/* A change from 0 is infinite, which JSON cannot hold: null, and its sign in "change_from_zero". */
		k_number(&w, "change", r->change);
		if (isinf(r->change))
			zpb_jw_kstring(&w, "change_from_zero", r->change > 0 ? "up" : "down");
		k_number(&w, "p", r->p);
		zpb_jw_kstring(&w, "verdict", r->verdict == ZPB_VERDICT_REGRESSED ? "regressed" :
			       zpb_verdict_name(r->verdict));
		zpb_jw_kstring(&w, "note", r->note);
		zpb_jw_object_end(&w);
	}
	zpb_jw_array_end(&w);
	zpb_jw_object_end(&w);
	return zpb_jw_finish(&w);
}

/* XML 1.0 text or attribute: the five entities, and no control characters it cannot hold. */
static void xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n')
				fputc('?', f);
			else
				fputc(c, f);
		}
	}
}

static void junit_detail(FILE *f, const struct zpb_gate_row *r)
{
	char b[32], c[32], ch[24], rule[80];

	fmt_value(b, sizeof(b), r->base);
	fmt_value(c, sizeof(c), r->cand);
	fmt_change(ch, sizeof(ch), r->change);
	zpb_gate_rule_text(r, rule, sizeof(rule));
	fprintf(f, "%s: baseline %s (n=%zu), candidate %s (n=%zu), change %s", rule, b, r->n_base, c, r->n_cand, ch);
	if (!isnan(r->p))
		fprintf(f, ", p=%.3g", r->p);
	if (r->note[0]) {
		fputs("; ", f);
		xml(f, r->note);
	}
}

int zpb_gate_write_junit(FILE *f, const struct zpb_gate_report *rep)
{
	const struct zpb_gate_result *res = rep->res;
	size_t i, j;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"zpoolbench gate\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n", res->n,
		res->regressed, res->skipped);
	/* One suite per subject, in the order they first appear. */
	for (i = 0; i < res->n; i++) {
		const struct zpb_gate_row *first = &res->rows[i];
		size_t tests = 0, failures = 0, skipped = 0;
		bool seen = false;

		for (j = 0; j < i && !seen; j++)
			seen = !strcmp(res->rows[j].base_subject, first->base_subject) &&
			       !strcmp(res->rows[j].cand_subject, first->cand_subject);
		if (seen)
			continue;
		for (j = i; j < res->n; j++)
			if (!strcmp(res->rows[j].base_subject, first->base_subject) &&
			    !strcmp(res->rows[j].cand_subject, first->cand_subject)) {
				tests++;
				failures += res->rows[j].verdict == ZPB_VERDICT_REGRESSED;
				skipped += res->rows[j].verdict == ZPB_VERDICT_SKIPPED;
			}
		fputs("  <testsuite name=\"", f);
		xml(f, first->base_subject);
		if (strcmp(first->base_subject, first->cand_subject)) {
			fputs(" vs ", f);
			xml(f, first->cand_subject);
		}
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n", tests, failures, skipped);
		for (j = i; j < res->n; j++) {
			const struct zpb_gate_row *r = &res->rows[j];

			if (strcmp(r->base_subject, first->base_subject) || strcmp(r->cand_subject, first->cand_subject))
				continue;
			fputs("    <testcase classname=\"zpoolbench.gate.", f);
			xml(f, r->base_subject);
			fputs("\" name=\"", f);
			xml(f, r->metric);
			fputs("\">", f);
			switch (r->verdict) {
			case ZPB_VERDICT_REGRESSED:
				fputs("\n      <failure type=\"regressed\" message=\"", f);
				xml(f, r->metric);
				fputs(" regressed\">", f);
				junit_detail(f, r);
				fputs("</failure>\n    ", f);
				break;
			case ZPB_VERDICT_SKIPPED:
				fputs("\n      <skipped message=\"", f);
				xml(f, r->note);
				fputs("\"/>\n    ", f);
				break;
			default:
				fputs("\n      <system-out>", f);
				if (r->verdict == ZPB_VERDICT_WARNED)
					fputs("warning: ", f);
				junit_detail(f, r);
				fputs("</system-out>\n    ", f);
				break;
			}
			fputs("</testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}
