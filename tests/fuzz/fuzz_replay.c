// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for replay itself: an input that reads as a trace (a
 * text one when it lacks the binary magic, as fuzz_text_reader does) is
 * replayed, deterministically under a small pool limit so that reclaim and
 * writeback run too, on the null harness and on zsmalloc. The engine must
 * end every run (complete, or with a one-line error), and zsmalloc must
 * give back every byte it stored: a verification failure, a leaked page, a
 * crash, a sanitizer report or a leak is a finding.
 */
#include "fuzz_common.h"

#include "../../replay/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replay_one(struct zpb_replay_options *o, int i, struct zpb_trace_reader *r)
{
	struct zpb_replay_source src;
	struct zpb_run_result *run;
	char err[512];

	if (zpb_trace_rewind(r, err, sizeof(err)))
		return;
	zpb_replay_source_trace(&src, r);
	src.name = "fuzz";
	run = zpb_replay_run(o, &src, &o->specs[i], 0, NULL, err, sizeof(err));
	if (!run) {
		if (!err[0] || strchr(err, '\n')) {
			fprintf(stderr, "fuzz: replay error is not one line: '%s'\n", err);
			abort();
		}
		return;
	}
	if (run->verify_failures) {
		fprintf(stderr, "fuzz: %s: %llu verification failures: %s\n", run->allocator,
			(unsigned long long)run->verify_failures,
			run->nverify_messages ? run->verify_messages[0] : "");
		abort();
	}
	zpb_run_result_free(run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] = "# zpoolbench-trace 1\n";
	static struct zpb_replay_options o;
	static bool ready;
	struct zpb_trace_reader *r;
	char err[512];
	int i;

	if (!ready) {
		static const char *const kv[] = {
			"alloc", "null,zsmalloc", "deterministic", "", "pool-limit", "24",
			"sample-ops", "64", NULL,
		};

		zpb_replay_options_init(&o);
		for (i = 0; kv[i]; i += 2)
			if (zpb_replay_set_option(&o, kv[i], kv[i + 1], err, sizeof(err))) {
				fprintf(stderr, "fuzz: option %s: %s\n", kv[i], err);
				abort();
			}
		if (zpb_replay_options_finish(&o, err, sizeof(err))) {
			fprintf(stderr, "fuzz: options: %s\n", err);
			abort();
		}
		ready = true;
	}
	if (size >= 8 && !memcmp(data, "\x89ZPBTRC\n", 8))
		fuzz_load(NULL, 0, data, size);
	else if (size >= 18 && !memcmp(data, "# zpoolbench-trace", 18))
		fuzz_load(NULL, 0, data, size);
	else
		fuzz_load((const uint8_t *)pre, strlen(pre), data, size);
	r = zpb_trace_open_fd(fuzz_fd, "fuzz", err, sizeof(err));
	if (!r)
		return 0;
	for (i = 0; i < o.nspecs; i++)
		replay_one(&o, i, r);
	zpb_trace_close(r);
	return 0;
}
