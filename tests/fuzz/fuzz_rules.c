// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the gate's rules parser (gate/rules.c): any text
 * either parses or fails with one line naming "fuzz-rules:LINE"; a parsed
 * rule set answers lookups; nothing crashes, leaks or reads out of bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../gate/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[512] = "";
	struct zpb_rules rules;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';	/* the parser takes a string: a NUL ends it early, as a file's would not */
	memset(&rules, 0, sizeof(rules));
	if (zpb_rules_parse(text, "fuzz-rules", &rules, err, sizeof(err)) == 0) {
		zpb_rules_match(&rules, "zsmalloc", "final.pool_pages", true);
		zpb_rules_match(&rules, "z3fold", "latency_ns.load.p99", false);
		zpb_rules_free(&rules);
	} else if (strncmp(err, "fuzz-rules", 10) || strchr(err, '\n')) {
		fprintf(stderr, "fuzz: rules error is not one line naming the file: %s\n", err);
		abort();
	}
	free(text);
	return 0;
}
