// SPDX-License-Identifier: GPL-2.0-only
/*
 * Callgrind instruction counts (measure/callgrind.h): the parser against a
 * hand-written output file, and, when valgrind is here, a real child run
 * twice giving identical counts. Without valgrind the live tests report
 * themselves skipped (zpbt_skip), saying why.
 */
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../measure/callgrind.h"
#include "harness.h"

#define CHILD_OBJECTS "200"

static char tmpfile_path[64];

static const char *write_tmp(const char *text)
{
	FILE *f;
	int fd;

	snprintf(tmpfile_path, sizeof(tmpfile_path), "/tmp/zpb-test-cg.XXXXXX");
	fd = mkstemp(tmpfile_path);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return tmpfile_path;
}

/* A file as callgrind writes it with --compress-strings=no --compress-pos=no. */
static const char sample[] =
	"# callgrind format\n"
	"version: 1\n"
	"creator: callgrind-3.19.0\n"
	"positions: line\n"
	"events: Ir\n"
	"fl=measure/callgrind.c\n"
	"fn=zpb_cg_op_store\n"
	"60 6\n"
	"cfl=tests/callgrind_child.c\n"
	"cfn=do_store\n"
	"calls=3 25\n"
	"61 1200\n"
	"fn=zpb_cg_op_load\n"
	"cfn=do_load\n"
	"calls=2 40\n"
	"63 300\n"
	"fn=do_store\n"
	"26 900\n"
	"cfn=zs_malloc\n"
	"calls=3 100\n"
	"27 300\n"
	"fn=zpb_cg_op_store\n"
	"cfn=do_store\n"
	"calls=1 25\n"
	"61 500\n"
	"totals: 2806\n";

TEST(callgrind_parse_sums_each_wrappers_calls_and_inclusive_costs)
{
	struct zpb_cg_result r;
	char err[256] = "";
	const char *path = write_tmp(sample);

	REQUIRE(path, "cannot write a temporary file");
	REQUIRE(zpb_callgrind_parse(path, &r, err, sizeof(err)) == 0, "parse: %s", err);
	/* Only the wrappers' call lines count; do_store's own call to zs_malloc does not. */
	CHECK_EQ_UL(r.ops[ZPB_OP_STORE], 4, "store ops (3 + 1 calls)");
	CHECK_EQ_UL(r.ir[ZPB_OP_STORE], 1700, "store Ir (1200 + 500)");
	CHECK_EQ_UL(r.ops[ZPB_OP_LOAD], 2, "load ops");
	CHECK_EQ_UL(r.ir[ZPB_OP_LOAD], 300, "load Ir");
	CHECK_EQ_UL(r.ops[ZPB_OP_INVALIDATE], 0, "invalidate ops");
	CHECK(zpb_callgrind_per_op(&r, ZPB_OP_STORE) == 425.0, "store per op: expected 425, got %g",
	      zpb_callgrind_per_op(&r, ZPB_OP_STORE));
	unlink(path);
}

TEST(callgrind_parse_rejects_other_files_naming_them)
{
	struct zpb_cg_result r;
	char err[256] = "";
	const char *path = write_tmp("hello\nworld\n");

	REQUIRE(path, "cannot write a temporary file");
	CHECK(zpb_callgrind_parse(path, &r, err, sizeof(err)) == -1, "a non-callgrind file parsed");
	CHECK(strstr(err, path) != NULL, "error does not name the file: '%s'", err);
	unlink(path);
	path = write_tmp("events: Ir\nfn=(1) zpb_cg_op_store\n");
	CHECK(zpb_callgrind_parse(path, &r, err, sizeof(err)) == -1, "compressed names accepted");
	CHECK(strstr(err, "compress-strings"), "error does not say how to fix it: '%s'", err);
	unlink(path);
	CHECK(zpb_callgrind_parse("/nonexistent/zpb.cg", &r, err, sizeof(err)) == -1, "missing file parsed");
}

/* The child program beside this test binary. */
static bool child_path(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = 0;
	snprintf(out, len, "%s/callgrind_child", dirname(self));
	return access(out, X_OK) == 0;
}

static bool live_ready(char *child, size_t len)
{
	char why[256];

	if (!zpb_callgrind_available(why, sizeof(why))) {
		zpbt_skip("%s", why);
		return false;
	}
	if (!child_path(child, len)) {
		zpbt_skip("no callgrind_child beside the test");
		return false;
	}
	return true;
}

TEST(callgrind_same_run_twice_gives_identical_instruction_counts)
{
	char child[PATH_MAX + 32], err[512] = "";
	struct zpb_cg_result a, b;
	const char *allocs[] = { "ideal", "zbud", NULL };
	int i, op;

	if (!live_ready(child, sizeof(child)))
		return;
	for (i = 0; allocs[i]; i++) {
		char *argv[] = { child, (char *)allocs[i], CHILD_OBJECTS, NULL };

		REQUIRE(zpb_callgrind_run(argv, &a, err, sizeof(err)) == 0, "%s: first run: %s", allocs[i], err);
		REQUIRE(zpb_callgrind_run(argv, &b, err, sizeof(err)) == 0, "%s: second run: %s", allocs[i], err);
		CHECK_EQ_UL(a.ops[ZPB_OP_STORE], atol(CHILD_OBJECTS), "stores counted");
		CHECK_EQ_UL(a.ops[ZPB_OP_LOAD], atol(CHILD_OBJECTS), "loads counted");
		CHECK_EQ_UL(a.ops[ZPB_OP_INVALIDATE], atol(CHILD_OBJECTS) / 2, "invalidates counted");
		CHECK(a.ir[ZPB_OP_STORE] > a.ops[ZPB_OP_STORE] * 10, "%s: store Ir %lu implausibly small for %lu stores",
		      allocs[i], (unsigned long)a.ir[ZPB_OP_STORE], (unsigned long)a.ops[ZPB_OP_STORE]);
		for (op = 1; op < ZPB_CG_OPS; op++) {
			CHECK(a.ir[op] == b.ir[op], "%s op %d: Ir %lu then %lu", allocs[i], op,
			      (unsigned long)a.ir[op], (unsigned long)b.ir[op]);
			CHECK(a.ops[op] == b.ops[op], "%s op %d: ops %lu then %lu", allocs[i], op,
			      (unsigned long)a.ops[op], (unsigned long)b.ops[op]);
		}
		printf("  %s: store %.1f, load %.1f, invalidate %.1f instructions per op\n", allocs[i],
		       zpb_callgrind_per_op(&a, ZPB_OP_STORE), zpb_callgrind_per_op(&a, ZPB_OP_LOAD),
		       zpb_callgrind_per_op(&a, ZPB_OP_INVALIDATE));
	}
}

TEST(callgrind_failing_child_is_reported_with_its_message)
{
	char child[PATH_MAX + 32], err[512] = "";
	struct zpb_cg_result r;

	if (!live_ready(child, sizeof(child)))
		return;
	{
		char *argv[] = { child, "no-such-allocator", "10", NULL };

		CHECK(zpb_callgrind_run(argv, &r, err, sizeof(err)) == -1, "a failing child was accepted");
		CHECK(strstr(err, "status 2") && strstr(err, "no-such-allocator"),
		      "error should give the status and the child's last line: '%s'", err);
	}
}
