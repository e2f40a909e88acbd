/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers for the replay tests: building records and options in memory. */
#ifndef ZPB_TESTS_REPLAY_UTIL_H
#define ZPB_TESTS_REPLAY_UTIL_H

#include <stdio.h>
#include <string.h>

#include "../replay/replay.h"
#include "harness.h"

static inline struct zpb_record rec_op(uint8_t op, uint32_t cpu, uint64_t key, uint32_t len)
{
	struct zpb_record r;

	memset(&r, 0, sizeof(r));
	r.op = op;
	r.cpu = cpu;
	r.key = key;
	r.len = len;
	return r;
}

static inline struct zpb_record rec_mark(const char *label)
{
	struct zpb_record r;

	memset(&r, 0, sizeof(r));
	r.op = ZPB_OP_MARK;
	snprintf(r.label, sizeof(r.label), "%s", label);
	return r;
}

/* Options for @alloc with (name, value) pairs, NULL-ended; flags take any value. */
static inline int opts_make(struct zpb_replay_options *o, const char *alloc, const char *const *kv,
			    char *err, size_t errlen)
{
	int i;

	zpb_replay_options_init(o);
	if (zpb_replay_set_option(o, "alloc", alloc, err, errlen))
		return -1;
	for (i = 0; kv && kv[i]; i += 2)
		if (zpb_replay_set_option(o, kv[i], kv[i + 1], err, errlen))
			return -1;
	return zpb_replay_options_finish(o, err, errlen);
}

/* Replay @recs against @alloc with options @kv; NULL (a test failure recorded) on error. */
static inline struct zpb_run_result *replay_memory(const char *alloc, const char *const *kv,
						   const struct zpb_record *recs, size_t n)
{
	static struct zpb_replay_options o;
	struct zpb_replay_source src;
	char err[512];
	struct zpb_run_result *r;

	if (opts_make(&o, alloc, kv, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "options for %s: %s", alloc, err);
		return NULL;
	}
	zpb_replay_source_memory(&src, recs, n);
	r = zpb_replay_run(&o, &src, &o.specs[0], 0, NULL, err, sizeof(err));
	if (!r)
		zpbt_fail(__FILE__, __LINE__, "replay on %s failed: %s", alloc, err);
	return r;
}

#endif
