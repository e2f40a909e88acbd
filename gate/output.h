/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gate's verdict written out: a Markdown table for people (a CI job
 * summary), JSON for programs (docs/gate.md gives its shape, versioned),
 * and JUnit XML, which CI systems (GitLab, Jenkins, GitHub test reporters)
 * display as test cases: one per compared figure.
 */
#ifndef ZPB_GATE_OUTPUT_H
#define ZPB_GATE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"

#define ZPB_GATE_JSON_VERSION 1

struct zpb_gate_report {
	const struct zpb_gate_result *res;
	const char *base_path, *cand_path, *rules_source;
	const char *base_sha256, *cand_sha256;	/* the traces (NULL for Google Benchmark) */
	bool changes_only;	/* Markdown: leave out rows whose median did not move */
};

/* Whether a row is left out of the Markdown table (always: skipped rows and "0 → 0" figures). */
bool zpb_gate_row_hidden(const struct zpb_gate_row *r, bool changes_only);
void zpb_gate_write_markdown(FILE *f, const struct zpb_gate_report *rep);
/* JSON and JUnit XML to a stream; 0, or -1 if the stream failed. */
int zpb_gate_write_json(FILE *f, const struct zpb_gate_report *rep);
int zpb_gate_write_junit(FILE *f, const struct zpb_gate_report *rep);

#endif
