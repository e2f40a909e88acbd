// SPDX-License-Identifier: GPL-2.0-only
/* Loading and checking results files (replay or Google Benchmark JSON). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_file.h"

/*
 * The documented shape of a results file (docs/results-format.md), checked
 * on loading so that a mistyped field ("final": "x", "verify_failures":
 * "none", "latency_ns": []) is an error naming it, never a figure that the
 * gate or the report silently skips or reads as 0. Unknown keys are
 * allowed (readers ignore keys they do not know); known ones must have
 * their documented type.
 */
enum ftype {
	F_NUM,		/* any number */
	F_INT,		/* an integer */
	F_COUNT,	/* a non-negative integer */
	F_STR,
	F_BOOL,
	F_OBJ,		/* an object with the members in sub */
	F_MAP,		/* an object whose every member is sub[0] */
	F_ARR,		/* an array whose every element is sub[0] */
	F_PAIR,		/* [number, number] */
};

struct field {
	const char *key;
	enum ftype type;
	const struct field *sub;
	bool required;
};

#define END { NULL, F_NUM, NULL, false }

static const struct field f_num[] = { { "", F_NUM, NULL, false }, END };
static const struct field f_str[] = { { "", F_STR, NULL, false }, END };
static const struct field f_pair[] = { { "", F_PAIR, NULL, false }, END };

static const struct field f_lat_summary[] = {
	{ "count", F_COUNT }, { "mean", F_NUM }, { "min", F_NUM }, { "max", F_NUM }, { "p50", F_NUM },
	{ "p90", F_NUM }, { "p99", F_NUM }, { "p99_9", F_NUM }, { "p99_99", F_NUM },
	{ "buckets", F_ARR, f_pair }, END,
};
static const struct field f_lat_summary_el[] = { { "", F_OBJ, f_lat_summary }, END };

static const struct field f_thread[] = {
	{ "index", F_INT }, { "cpu", F_INT }, { "node", F_INT }, { "ops", F_COUNT },
	{ "latency_ns", F_MAP, f_lat_summary_el }, END,
};
static const struct field f_thread_el[] = { { "", F_OBJ, f_thread }, END };

static const struct field f_ops[] = {
	{ "store", F_COUNT }, { "load", F_COUNT }, { "invalidate", F_COUNT }, { "writeback", F_COUNT },
	{ "compact", F_COUNT }, { "mark", F_COUNT }, { "same_filled", F_COUNT }, { "rejected", F_COUNT },
	{ "rejected_limit", F_COUNT }, { "rejected_alloc", F_COUNT }, { "load_hits", F_COUNT },
	{ "load_not_found", F_COUNT }, { "load_rejected", F_COUNT }, { "duplicate_stores", F_COUNT }, END,
};

static const struct field f_final[] = {
	{ "pool_pages", F_COUNT, NULL, true }, { "pool_bytes", F_COUNT }, { "arena_pages", F_COUNT },
	{ "stored_bytes", F_INT }, { "stored_pages", F_INT }, { "live_objects", F_INT }, { "same_filled", F_INT },
	{ "objects_per_page", F_NUM }, { "compression_ratio", F_NUM }, { "density", F_NUM },
	{ "peak_pool_pages", F_COUNT }, END,
};

static const struct field f_sample[] = {
	{ "label", F_STR }, { "record", F_COUNT }, { "time_ns", F_COUNT }, { "pool_pages", F_COUNT },
	{ "stored_bytes", F_INT }, { "stored_pages", F_INT }, { "live_objects", F_INT }, { "same_filled", F_INT },
	{ "writebacks", F_COUNT }, { "misses", F_COUNT }, { "rejects", F_COUNT }, END,
};
static const struct field f_sample_el[] = { { "", F_OBJ, f_sample }, END };

static const struct field f_reclaim[] = {
	{ "policy", F_STR }, { "mode", F_STR }, { "zswap_header", F_BOOL }, { "exclusive_loads", F_BOOL },
	{ "shrink_calls", F_COUNT }, { "pages_reclaimed", F_COUNT }, { "evict_failures", F_COUNT },
	{ "retries", F_COUNT }, { "writebacks", F_COUNT }, { "misses", F_COUNT }, { "rejects", F_COUNT },
	{ "limit_hits", F_COUNT }, { "second_chances", F_COUNT }, END,
};

/* emulation.OP, emulation.syscalls, timing, work, over_run (docs/results-format.md). */
static const struct field f_emu_op[] = {
	{ "count", F_COUNT }, { "ops_with_emulation", F_COUNT }, { "total_ns", F_COUNT }, { "share", F_NUM },
	{ "p50", F_COUNT }, { "p99", F_COUNT }, END,
};
static const struct field f_syscalls[] = {
	{ "futex_wake", F_COUNT }, { "futex_wait", F_COUNT }, { "sched_yield", F_COUNT }, END,
};
static const struct field f_emulation[] = {
	{ "store", F_OBJ, f_emu_op }, { "load", F_OBJ, f_emu_op }, { "invalidate", F_OBJ, f_emu_op },
	{ "reclaim", F_OBJ, f_emu_op }, { "compact", F_OBJ, f_emu_op }, { "syscalls", F_OBJ, f_syscalls },
	{ "works_between_ops", F_COUNT }, END,
};
static const struct field f_timing[] = {
	{ "clock_reads", F_COUNT }, { "reads_per_op", F_NUM }, { "overhead_ns_per_op", F_NUM }, END,
};
static const struct field f_work[] = {
	{ "stores", F_COUNT }, { "stored_objects", F_COUNT }, { "stored_bytes", F_COUNT },
	{ "rejected_pages", F_COUNT }, { "rejected_alloc_pages", F_COUNT }, { "rejected_alloc_object_bytes", F_COUNT },
	{ "written_back_pages", F_COUNT }, { "max_object_size", F_COUNT }, END,
};
static const struct field f_over_run[] = {
	{ "weight", F_STR }, { "mean_pool_pages", F_NUM }, { "mean_stored_bytes", F_NUM }, { "mean_density", F_NUM },
	{ "pool_bytes_per_stored_byte", F_NUM }, { "peak_pool_pages", F_COUNT }, { "samples", F_COUNT }, END,
};

static const struct field f_diagnostics[] = {
	{ "warnings", F_COUNT, NULL, true }, { "errors", F_COUNT, NULL, true }, { "guards", F_COUNT },
	{ "leaked_pages", F_INT, NULL, true }, END,
};

static const struct field f_memory[] = {
	{ "rss_bytes", F_COUNT }, { "peak_rss_bytes", F_COUNT }, { "pool_bytes", F_COUNT }, END,
};

static const struct field f_counter[] = {
	{ "status", F_STR, NULL, true }, { "reason", F_STR }, { "event", F_STR }, { "scope", F_STR },
	{ "total", F_NUM }, { "ops", F_COUNT }, { "per_op", F_MAP, f_num }, END,
};
static const struct field f_counter_el[] = { { "", F_OBJ, f_counter }, END };

static const struct field f_run[] = {
	{ "allocator", F_STR, NULL, true }, { "capabilities", F_ARR, f_str }, { "repetition", F_COUNT },
	{ "harness", F_BOOL }, { "complete", F_BOOL }, { "threads", F_ARR, f_thread_el }, { "ops", F_OBJ, f_ops },
	{ "records", F_COUNT }, { "warmup_records", F_COUNT }, { "distinct_keys", F_COUNT }, { "wall_ns", F_COUNT }, { "ops_per_sec", F_NUM },
	{ "ns_per_record", F_NUM }, { "cpu_ns", F_COUNT }, { "records_per_cpu_sec", F_NUM },
	{ "harness_overhead_ratio", F_NUM }, { "harness_overhead_ratio_cpu", F_NUM },
	{ "harness_overhead_noise", F_BOOL }, { "harness_overhead_noise_cpu", F_BOOL },
	{ "latency_ns", F_MAP, f_lat_summary_el }, { "lateness_ns", F_OBJ, f_lat_summary },
	{ "final", F_OBJ, f_final, true }, { "marks", F_ARR, f_sample_el }, { "marks_dropped", F_COUNT },
	{ "timeline_every", F_COUNT }, { "timeline", F_ARR, f_sample_el }, { "reclaim", F_OBJ, f_reclaim },
	{ "objects_per_page", F_ARR, f_pair }, { "objects_per_page_unresolved", F_COUNT },
	{ "verify_failures", F_COUNT, NULL, true }, { "verify_errors", F_ARR, f_str },
	{ "diagnostics", F_OBJ, f_diagnostics, true }, { "counters", F_MAP, f_counter_el },
	{ "instructions", F_MAP, f_num }, { "memory", F_OBJ, f_memory }, { "emulation", F_OBJ, f_emulation },
	{ "timing", F_OBJ, f_timing }, { "work", F_OBJ, f_work }, { "over_run", F_OBJ, f_over_run }, END,
};

static const struct field f_tool[] = { { "version", F_STR }, { "git", F_STR }, { "sanitize", F_STR }, END };
static const struct field f_machine[] = {
	{ "cpu_model", F_STR }, { "cores", F_COUNT }, { "numa_nodes", F_COUNT }, { "kernel", F_STR },
	{ "hostname", F_STR }, { "page_size", F_COUNT }, { "memory_bytes", F_COUNT }, END,
};
static const struct field f_trace[] = {
	{ "path", F_STR }, { "sha256", F_STR, NULL, true }, { "records", F_COUNT }, { "format", F_STR },
	{ "compressor", F_STR }, { "source", F_STR }, { "page_size", F_COUNT }, END,
};
static const struct field f_options[] = {
	{ "alloc", F_STR }, { "page_size", F_COUNT }, { "threads", F_COUNT }, { "cpus", F_ARR, f_num }, { "numa_nodes", F_ARR, f_num },
	{ "mem_policy", F_STR }, { "partition", F_STR }, { "timed", F_BOOL }, { "speed", F_NUM },
	{ "pool_limit_pages", F_COUNT }, { "pool_limit_percent", F_NUM }, { "accept_threshold_percent", F_COUNT },
	{ "reclaim", F_STR }, { "reclaim_mode", F_STR }, { "zswap_model", F_STR }, { "deterministic", F_BOOL },
	{ "sample_ops", F_COUNT }, { "repeat", F_COUNT }, { "warmup", F_COUNT }, { "exclusive_loads", F_BOOL },
	{ "fatal_verify", F_BOOL }, { "counters", F_STR }, { "instructions", F_STR }, END,
};
static const struct field f_clock[] = { { "source", F_STR }, { "overhead_ns", F_NUM }, END };
static const struct field f_run_el[] = { { "", F_OBJ, f_run }, END };

static const struct field f_spread[] = {
	{ "median", F_NUM, NULL, true }, { "min", F_NUM, NULL, true }, { "max", F_NUM, NULL, true },
	{ "ci_low", F_NUM, NULL, true }, { "ci_high", F_NUM, NULL, true }, { "ci_level", F_NUM, NULL, true }, END,
};
static const struct field f_spread_el[] = { { "", F_OBJ, f_spread }, END };
static const struct field f_pcts_el[] = { { "", F_MAP, f_spread_el }, END };
static const struct field f_sum_final[] = {
	{ "pool_pages", F_OBJ, f_spread }, { "peak_pool_pages", F_OBJ, f_spread }, { "density", F_OBJ, f_spread }, END,
};
static const struct field f_sum_alloc[] = {
	{ "allocator", F_STR, NULL, true }, { "harness", F_BOOL }, { "runs", F_COUNT, NULL, true },
	{ "verify_failures", F_COUNT }, { "ops_per_sec", F_OBJ, f_spread }, { "ns_per_record", F_OBJ, f_spread },
	{ "latency_ns", F_MAP, f_pcts_el }, { "final", F_OBJ, f_sum_final }, { "harness_overhead_ratio", F_NUM },
	{ "harness_overhead_noise", F_BOOL }, END,
};
static const struct field f_sum_alloc_el[] = { { "", F_OBJ, f_sum_alloc }, END };
static const struct field f_summary[] = { { "method", F_STR }, { "allocators", F_ARR, f_sum_alloc_el, true }, END };

static const struct field f_root[] = {
	{ "format", F_STR, NULL, true }, { "tool", F_OBJ, f_tool }, { "created", F_STR },
	{ "machine", F_OBJ, f_machine }, { "trace", F_OBJ, f_trace, true }, { "options", F_OBJ, f_options, true },
	{ "clock", F_OBJ, f_clock }, { "summary", F_OBJ, f_summary }, { "runs", F_ARR, f_run_el, true }, END,
};

static const char *const type_text[] = { "a number", "an integer", "a non-negative integer", "a string",
					 "true or false", "an object", "an object", "an array",
					 "a [number, number] pair" };

struct checker {
	const struct zpb_results *r;
	char *err;
	size_t errlen;
	const char *run;	/* "runs[2] (z3fold): " or "" */
};

static bool type_ok(const struct zpb_json *v, enum ftype t)
{
	switch (t) {
	case F_NUM:
		return v->type == ZPB_JSON_NUMBER;
	case F_INT:
		return v->type == ZPB_JSON_NUMBER && v->number == floor(v->number);
	case F_COUNT:
		return v->type == ZPB_JSON_NUMBER && v->number == floor(v->number) && v->number >= 0;
	case F_STR:
		return v->type == ZPB_JSON_STRING;
	case F_BOOL:
		return v->type == ZPB_JSON_BOOL;
	case F_OBJ:
	case F_MAP:
		return v->type == ZPB_JSON_OBJECT;
	case F_ARR:
		return v->type == ZPB_JSON_ARRAY;
	case F_PAIR:
		return v->type == ZPB_JSON_ARRAY && v->len == 2 && v->items[0]->type == ZPB_JSON_NUMBER &&
		       v->items[1]->type == ZPB_JSON_NUMBER;
	}
	return false;
}

static int check_value(struct checker *c, const struct zpb_json *v, const struct field *f, const char *path,
		       unsigned depth);

static int check_members(struct checker *c, const struct zpb_json *obj, const struct field *fields,
			 const char *path, unsigned depth)
{
	const struct field *f;
	char sub[256];

	for (f = fields; f->key; f++) {
		const struct zpb_json *v = zpb_json_get(obj, f->key);

		snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", f->key);
		if (!v) {
			if (f->required) {
				snprintf(c->err, c->errlen, "%s:%u:%u: %s\"%s\" is missing (docs/results-format.md)",
					 c->r->path, obj->line, obj->col, c->run, sub);
				return -1;
			}
			continue;
		}
		if (check_value(c, v, f, sub, depth + 1))
			return -1;
	}
	return 0;
}

static int check_value(struct checker *c, const struct zpb_json *v, const struct field *f, const char *path,
		       unsigned depth)
{
	char sub[256], key[64];
	size_t i;

	if (!type_ok(v, f->type)) {
		snprintf(c->err, c->errlen, "%s:%u:%u: %s%s must be %s, found %s (docs/results-format.md)", c->r->path,
			 v->line, v->col, c->run, path, type_text[f->type],
			 v->type == ZPB_JSON_NUMBER ? "another number" : zpb_json_type_name(v->type));
		return -1;
	}
	if (depth > 16)
		return 0;
	switch (f->type) {
	case F_OBJ:
		return check_members(c, v, f->sub, path, depth);
	case F_MAP:
		for (i = 0; i < v->len; i++) {
			zpb_json_printable(v->keys[i], key, sizeof(key));
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			if (check_value(c, v->items[i], &f->sub[0], sub, depth + 1))
				return -1;
		}
		return 0;
	case F_ARR:
		for (i = 0; i < v->len; i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (check_value(c, v->items[i], &f->sub[0], sub, depth + 1))
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/* Check @r's tree against the schema above; 0, or -1 with the first mismatch in @err. */
static int check_schema(struct zpb_results *r, char *err, size_t errlen)
{
	struct checker c = { .r = r, .err = err, .errlen = errlen, .run = "" };
	char run[160], name[96];
	size_t i;

	const struct field *f;

	/* The runs one by one, so that a message names the run and its allocator. */
	for (f = f_root; f->key; f++) {
		const struct zpb_json *v = zpb_json_get(r->root, f->key);

		if (!v) {
			if (f->required) {
				snprintf(err, errlen, "%s: \"%s\" is missing (docs/results-format.md)", r->path, f->key);
				return -1;
			}
			continue;
		}
		if (strcmp(f->key, "runs")) {
			if (check_value(&c, v, f, f->key, 1))
				return -1;
			continue;
		}
		if (!type_ok(v, F_ARR))
			return check_value(&c, v, f, f->key, 1);
		for (i = 0; i < v->len; i++) {
			zpb_json_printable(zpb_json_get_str(v->items[i], "allocator", "?"), name, sizeof(name));
			snprintf(run, sizeof(run), "runs[%zu] (%s): ", i, name);
			c.run = run;
			if (check_value(&c, v->items[i], &f_run_el[0], "", 1))
				return -1;
		}
		c.run = "";
	}
	return 0;
}

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
	if (check_schema(r, err, errlen))
		return -1;
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
