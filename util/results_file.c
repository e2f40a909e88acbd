// SPDX-License-Identifier: GPL-2.0-only
/* Loading and checking results files (replay or Google Benchmark JSON). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_file.h"

static int check_replay(struct zpb_results *r, char *err, size_t errlen)
{
	const struct zpb_json *root = r->root, *v;
	size_t i;

	v = zpb_json_get(root, "format_version");
	if (!v || v->type != ZPB_JSON_NUMBER) {
		snprintf(err, errlen, "%s: no format_version (not a zpoolbench results file?)", r->path);
		return -1;
	}
	if (v->number > ZPB_RESULTS_FORMAT_VERSION || v->number < 1) {
		snprintf(err, errlen, "%s: results format_version %g; this zpoolbench reads version %d",
			 r->path, v->number, ZPB_RESULTS_FORMAT_VERSION);
		return -1;
	}
	r->runs = zpb_json_get(root, "runs");
	if (!r->runs || r->runs->type != ZPB_JSON_ARRAY) {
		snprintf(err, errlen, "%s: \"runs\" is missing or not an array", r->path);
		return -1;
	}
	for (i = 0; i < r->runs->len; i++) {
		const struct zpb_json *run = r->runs->items[i];

		if (run->type != ZPB_JSON_OBJECT || !zpb_json_get_str(run, "allocator", NULL)) {
			snprintf(err, errlen, "%s:%u:%u: run %zu has no \"allocator\" string", r->path,
				 run->line, run->col, i);
			return -1;
		}
	}
	/*
	 * Every version-1 file has it (docs/results-format.md); defaulting a
	 * missing or mistyped one to true would pass an interrupted run as whole.
	 */
	v = zpb_json_get(root, "complete");
	if (!v || v->type != ZPB_JSON_BOOL) {
		snprintf(err, errlen, "%s: \"complete\" must be true or false, found %s", r->path,
			 v ? zpb_json_type_name(v->type) : "no such key");
		return -1;
	}
	r->complete = v->boolean;
	r->deterministic = zpb_json_bool(zpb_json_get(zpb_json_get(root, "options"), "deterministic"), false);
	r->kind = ZPB_RESULTS_REPLAY;
	return 0;
}

static int check_gbench(struct zpb_results *r, char *err, size_t errlen)
{
	size_t i;

	r->runs = zpb_json_get(r->root, "benchmarks");
	if (!r->runs || r->runs->type != ZPB_JSON_ARRAY) {
		snprintf(err, errlen, "%s: \"benchmarks\" is not an array", r->path);
		return -1;
	}
	for (i = 0; i < r->runs->len; i++) {
		const struct zpb_json *b = r->runs->items[i];

		if (b->type != ZPB_JSON_OBJECT || !zpb_json_get_str(b, "name", NULL)) {
			snprintf(err, errlen, "%s:%u:%u: benchmark %zu has no \"name\" string", r->path,
				 b->line, b->col, i);
			return -1;
		}
	}
	r->kind = ZPB_RESULTS_GBENCH;
	r->complete = true;
	return 0;
}

int zpb_results_load(const char *path, struct zpb_results *r, char *err, size_t errlen)
{
	const char *format;
	int rc;

	memset(r, 0, sizeof(*r));
	r->path = strdup(path);
	if (!r->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	r->root = zpb_json_load(path, NULL, err, errlen);
	if (!r->root)
		goto fail;
	if (r->root->type != ZPB_JSON_OBJECT) {
		snprintf(err, errlen, "%s: the document is a JSON %s, not an object", path,
			 zpb_json_type_name(r->root->type));
		goto fail;
	}
	format = zpb_json_get_str(r->root, "format", NULL);
	if (format && !strcmp(format, "zpoolbench-results"))
		rc = check_replay(r, err, errlen);
	else if (!format && zpb_json_get(r->root, "benchmarks") && zpb_json_get(r->root, "context"))
		rc = check_gbench(r, err, errlen);
	else {
		snprintf(err, errlen, "%s: neither zpoolbench results (\"format\": \"zpoolbench-results\") "
			 "nor Google Benchmark JSON (\"context\", \"benchmarks\")", path);
		rc = -1;
	}
	if (!rc)
		return 0;
fail:
	zpb_results_free(r);
	return -1;
}

void zpb_results_free(struct zpb_results *r)
{
	zpb_json_free(r->root);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

const char *zpb_run_allocator(const struct zpb_json *run)
{
	if (zpb_json_bool(zpb_json_get(run, "harness"), false))
		return NULL;
	return zpb_json_get_str(run, "allocator", NULL);
}

double zpb_gbench_to_ns(double t, const char *unit)
{
	if (!unit || !strcmp(unit, "ns"))
		return t;
	if (!strcmp(unit, "us"))
		return t * 1e3;
	if (!strcmp(unit, "ms"))
		return t * 1e6;
	if (!strcmp(unit, "s"))
		return t * 1e9;
	return -1;
}
