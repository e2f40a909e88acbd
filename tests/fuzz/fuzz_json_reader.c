// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the JSON reader and what the gate builds on it:
 * every input is parsed (with a small depth limit, so deep nesting is
 * exercised cheaply); a document that loads as results is flattened into
 * metrics as the gate and the report do.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../gate/metrics.h"
#include "../../util/json_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zpb_json_limits lim = { .max_depth = 32 };
	struct zpb_json *v;
	struct zpb_metricset ms;
	struct zpb_results r;
	char err[256];
	size_t i;

	v = zpb_json_parse((const char *)data, size, "fuzz.json", &lim, err, sizeof(err));
	if (!v)
		return 0;
	/* What zpb_results_load() checks before anyone flattens the runs. */
	memset(&r, 0, sizeof(r));
	r.path = "fuzz.json";
	r.root = v;
	r.kind = zpb_json_get(v, "benchmarks") ? ZPB_RESULTS_GBENCH : ZPB_RESULTS_REPLAY;
	r.runs = zpb_json_get(v, r.kind == ZPB_RESULTS_GBENCH ? "benchmarks" : "runs");
	if (r.runs && r.runs->type == ZPB_JSON_ARRAY) {
		for (i = 0; i < r.runs->len; i++)
			if (r.runs->items[i]->type != ZPB_JSON_OBJECT)
				break;
		if (i == r.runs->len && !zpb_metrics_extract(&r, &ms, err, sizeof(err)))
			zpb_metrics_free(&ms);
	}
	zpb_json_free(v);
	return 0;
}
