// SPDX-License-Identifier: GPL-2.0-only
/* Sweep files: parsing, the refusals, expansion into named jobs, their commands, the job log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sweep/sweep.h"
#include "harness.h"

static char dir[] = "/tmp/zpb-test-sweep.XXXXXX";
static bool have_dir;

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Write @text as DIR/NAME and return its path (static buffer). */
static const char *sweep_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	if (!have_dir && (have_dir = mkdtemp(dir) != NULL))
		atexit(remove_dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

/* Two traces beside the sweep file (contents do not matter to expansion). */
static void traces(void)
{
	sweep_file("a.zpt", "x");
	sweep_file("b.zpt", "y");
}

TEST(sweep_two_traces_three_specs_two_threads_expand_into_twelve_named_jobs)
{
	struct zpb_sweep s;
	char err[512];
	const char *p;

	traces();
	p = sweep_file("m.sweep", "# a comment\ntrace a.zpt b.zpt\nalloc zsmalloc z3fold zbud\nthreads 1 2  # two\nrepeat 3\n");
	REQUIRE(zpb_sweep_load(&s, p, err, sizeof(err)) == 0, "load: %s", err);
	CHECK_EQ_UL(s.njobs, 12, "jobs of 2 traces x 3 specs x 2 thread counts");
	CHECK(!strcmp(s.jobs[0].name, "a__zsmalloc__threads-1"), "first job: expected a__zsmalloc__threads-1, got %s",
	      s.jobs[0].name);
	CHECK(!strcmp(s.jobs[1].name, "a__zsmalloc__threads-2"), "the last axis varies fastest: got %s", s.jobs[1].name);
	CHECK(!strcmp(s.jobs[11].name, "b__zbud__threads-2"), "last job: expected b__zbud__threads-2, got %s",
	      s.jobs[11].name);
	CHECK(s.jobs[1].threads == 2 && s.jobs[0].threads == 1, "CPUs wanted: expected 1 and 2, got %u and %u",
	      s.jobs[0].threads, s.jobs[1].threads);
	CHECK(s.repeat == 3, "repeat: expected 3, got %u", s.repeat);
	zpb_sweep_free(&s);
}

TEST(sweep_job_command_passes_the_axes_to_replay_and_names_the_results_file)
{
	struct zpb_sweep s;
	char err[512], cmd[4096];
	const char *p;

	traces();
	p = sweep_file("c.sweep", "trace a.zpt\nalloc zsmalloc:chain=4\npool-limit 50%\nzswap-model seed\ntimed on off\n");
	REQUIRE(zpb_sweep_load(&s, p, err, sizeof(err)) == 0, "load: %s", err);
	REQUIRE(s.njobs == 2, "2 jobs, got %zu", s.njobs);
	CHECK(!strcmp(s.jobs[0].name, "a__zsmalloc_chain4__pool-limit-50pct__zswap-model-seed__timed-on"),
	      "name spells ':' '=' '%%': got %s", s.jobs[0].name);
	zpb_sweep_job_command(&s, &s.jobs[0], "/bin/zpb", "t.zpt", cmd, sizeof(cmd));
	CHECK(!strcmp(cmd, "/bin/zpb replay t.zpt --alloc zsmalloc:chain=4 --pool-limit 50% --zswap-model seed "
			   "--timed --repeat 1 -q -o results/a__zsmalloc_chain4__pool-limit-50pct__zswap-model-seed__timed-on.json"),
	      "command: got %s", cmd);
	zpb_sweep_job_command(&s, &s.jobs[1], "/bin/zpb", "t.zpt", cmd, sizeof(cmd));
	CHECK(strstr(cmd, "--timed") == NULL, "timed off passes no flag: got %s", cmd);
	zpb_sweep_free(&s);
}

TEST(sweep_shell_quote_leaves_plain_words_and_quotes_the_rest)
{
	char buf[128] = "";

	zpb_sweep_shell_quote(buf, sizeof(buf), "results/a.json");
	CHECK(!strcmp(buf, "results/a.json"), "plain: got %s", buf);
	buf[0] = 0;
	zpb_sweep_shell_quote(buf, sizeof(buf), "it's a b");
	CHECK(!strcmp(buf, "'it'\\''s a b'"), "quoted: got %s", buf);
}

/* Each bad file: its error must name the file and line and say what is wrong. */
static void refused(const char *text, const char *want)
{
	struct zpb_sweep s;
	char err[512] = "";
	const char *p;

	traces();
	p = sweep_file("bad.sweep", text);
	CHECK(zpb_sweep_load(&s, p, err, sizeof(err)) == -1, "'%s' must be refused", text);
	CHECK(strstr(err, "bad.sweep") && strstr(err, want), "'%s': expected an error with '%s', got '%s'", text, want,
	      err);
	zpb_sweep_free(&s);
}

TEST(sweep_axes_replay_does_not_take_are_refused_saying_why)
{
	refused("trace a.zpt\nalloc zbud\npage-size 4096 65536\n", "bad.sweep:3: 'page-size' cannot be swept: the page size is one per process");
	refused("trace a.zpt\nalloc zbud\ncompressor lz4 zstd\n", "bad.sweep:3: 'compressor' cannot be swept");
	refused("trace a.zpt\nalloc zbud\ncpus 0 1\n", "the engine chooses the CPUs");
	refused("trace a.zpt\nalloc zbud\nfrobnicate 1\n", "bad.sweep:3: unknown key 'frobnicate'");
}

TEST(sweep_bad_values_are_refused_by_replays_own_rules)
{
	refused("trace a.zpt\nalloc zbud\nthreads 1 x\n", "bad.sweep:3: --threads: 'x'");
	refused("trace a.zpt\nalloc nosuch\n", "bad.sweep:2: --alloc");
	refused("trace a.zpt\nalloc zbud,z3fold\n", "give one spec a word");
	refused("trace a.zpt\nalloc zbud\nthreads 1\nthreads 2\n", "'threads' given twice (first on line 3)");
	refused("trace a.zpt\nalloc zbud\nthreads 1 1\n", "value '1' listed twice");
	refused("trace a.zpt\nalloc zbud\nrepeat 0\n", "repeat: needs one whole number");
	refused("trace nosuch.zpt\nalloc zbud\n", "bad.sweep:1: trace");
	refused("alloc zbud\n", "needs a 'trace PATH...' line");
	refused("trace a.zpt\nalloc zbud\nthreads\n", "'threads' needs at least one value");
	/* A combination replay refuses is found before any job runs. */
	refused("trace a.zpt\nalloc zbud\ndeterministic on\nthreads 2\n", "job a__zbud__deterministic-on__threads-2: --deterministic");
	refused("trace a.zpt\nalloc zsmalloc\nreclaim pool-lru\n", "--reclaim pool-lru: allocator 'zsmalloc' cannot evict");
}

static void log_line(const char *d, size_t seq, int exitval, int sig, const char *name)
{
	struct zpb_joblog_entry e = { .start = 1, .runtime = 2, .exitval = exitval, .signal = sig };
	char cmd[256], err[256];

	snprintf(e.host, sizeof(e.host), ":");
	snprintf(cmd, sizeof(cmd), "zpoolbench replay t --alloc zbud -q -o results/%s.json", name);
	CHECK(zpb_joblog_append(d, seq, &e, cmd, err, sizeof(err)) == 0, "append: %s", err);
}

TEST(sweep_joblog_job_is_done_only_when_its_last_attempt_succeeded_and_its_results_exist)
{
	struct zpb_sweep_job j = { .seq = 1 }, other = { .seq = 2 };
	struct zpb_joblog_entry last;
	char d[600], err[256], res[700];
	FILE *f;

	traces();
	snprintf(d, sizeof(d), "%s/out", dir);
	REQUIRE(zpb_sweep_prepare_dir(d, err, sizeof(err)) == 0, "prepare: %s", err);
	snprintf(j.name, sizeof(j.name), "a__zbud");
	snprintf(other.name, sizeof(other.name), "a__zbud__threads-2");
	CHECK(zpb_joblog_state(d, &j, NULL, err, sizeof(err)) == ZPB_JOB_NEW, "no attempt yet: new");
	log_line(d, 1, 0, 9, "a__zbud");
	CHECK(zpb_joblog_state(d, &j, &last, err, sizeof(err)) == ZPB_JOB_FAILED && last.signal == 9,
	      "killed by signal 9: failed");
	log_line(d, 1, 0, 0, "a__zbud");
	CHECK(zpb_joblog_state(d, &j, NULL, err, sizeof(err)) == ZPB_JOB_FAILED, "exit 0 but no results file: failed");
	snprintf(res, sizeof(res), "%s/results/a__zbud.json", d);
	f = fopen(res, "w");
	if (f)
		fclose(f);
	CHECK(zpb_joblog_state(d, &j, NULL, err, sizeof(err)) == ZPB_JOB_DONE, "exit 0 and results: done");
	CHECK(zpb_joblog_state(d, &other, NULL, err, sizeof(err)) == ZPB_JOB_NEW,
	      "a job whose name extends another's is not matched by it");
	log_line(d, 1, 1, 0, "a__zbud");
	CHECK(zpb_joblog_state(d, &j, NULL, err, sizeof(err)) == ZPB_JOB_FAILED, "the last attempt counts: failed");
}
