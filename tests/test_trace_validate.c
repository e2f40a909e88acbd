// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trace semantics: the checker behind `trace validate` finds each class of
 * problem at the right record, accepts what a zswap really does, and keeps
 * the working-set figures `trace info` prints; and the CLI's exit statuses.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../traces/trace.h"
#include "harness.h"
#include "trace_util.h"

struct step {
	enum zpb_op op;
	uint64_t key;
	uint64_t time;
	uint32_t len;
	uint8_t flags;
};

/*
 * Feed @steps; return the 1-based numbers of the records with problems in
 * @bad (0-terminated) and the last message in @msg.
 */
static int run(const struct step *steps, int n, bool exclusive, uint64_t *bad, char *msg, size_t msglen,
	       struct zpb_check_stats *st)
{
	struct zpb_check_opts o = { .exclusive_loads = exclusive };
	struct zpb_checker *c = zpb_checker_new(&o);
	char m[256];
	int i, nbad = 0;

	if (!c)
		return -1;
	msg[0] = '\0';
	for (i = 0; i < n; i++) {
		struct zpb_record rec = {
			.op = (uint8_t)steps[i].op, .key = steps[i].key, .time_ns = steps[i].time,
			.len = steps[i].len ? steps[i].len : (steps[i].op == ZPB_OP_STORE ? 1000 : 0),
			.flags = steps[i].flags,
		};
		int rc = zpb_checker_feed(c, &rec, (uint64_t)i + 1, m, sizeof(m));

		if (rc < 0)
			break;
		if (rc > 0) {
			bad[nbad++] = (uint64_t)i + 1;
			snprintf(msg, msglen, "%s", m);
		}
	}
	bad[nbad] = 0;
	if (st)
		zpb_checker_stats(c, st);
	zpb_checker_free(c);
	return nbad;
}

#define S(k) { ZPB_OP_STORE, ZPB_KEY(0, k), 0, 0, 0 }
#define L(k) { ZPB_OP_LOAD, ZPB_KEY(0, k), 0, 0, 0 }
#define I(k) { ZPB_OP_INVALIDATE, ZPB_KEY(0, k), 0, 0, 0 }
#define W(k) { ZPB_OP_WRITEBACK, ZPB_KEY(0, k), 0, 0, 0 }

static void expect_one(const char *what, const struct step *steps, int n, bool exclusive,
		       uint64_t at, const char *words)
{
	uint64_t bad[64];
	char msg[256], rn[32];
	int nbad = run(steps, n, exclusive, bad, msg, sizeof(msg), NULL);

	snprintf(rn, sizeof(rn), "record %llu:", (unsigned long long)at);
	CHECK(nbad == 1 && bad[0] == at, "%s (%s loads): expected one problem at record %llu, got %d (first at %llu)",
	      what, exclusive ? "exclusive" : "non-exclusive", (unsigned long long)at, nbad,
	      (unsigned long long)bad[0]);
	CHECK(strstr(msg, rn) && strstr(msg, words), "%s: message '%s' lacks '%s' or '%s'", what, msg, rn, words);
}

static void expect_none(const char *what, const struct step *steps, int n, bool exclusive)
{
	uint64_t bad[64];
	char msg[256];
	int nbad = run(steps, n, exclusive, bad, msg, sizeof(msg), NULL);

	CHECK(nbad == 0, "%s (%s loads): expected no problem, got %d, first at record %llu: %s", what,
	      exclusive ? "exclusive" : "non-exclusive", nbad, (unsigned long long)bad[0], msg);
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

TEST(validate_finds_a_load_invalidate_or_writeback_of_a_key_never_stored)
{
	const struct step load[] = { S(1), L(1), L(2) }, inv[] = { S(1), I(1), S(3), I(4) },
			  wb[] = { W(9) };

	expect_one("LOAD never stored", load, N(load), false, 3, "LOAD of key 0:2, which was never stored");
	expect_one("INVALIDATE never stored", inv, N(inv), true, 4, "INVALIDATE of key 0:4, which was never stored");
	expect_one("WRITEBACK never stored", wb, N(wb), false, 1, "WRITEBACK of key 0:9, which was never stored");
}

TEST(validate_finds_use_after_invalidate)
{
	const struct step load[] = { S(1), S(2), I(1), L(1) }, inv[] = { S(1), I(1), I(1) },
			  wb[] = { S(5), I(5), W(5) };

	expect_one("LOAD after INVALIDATE", load, N(load), false, 4, "already invalidated at record 3");
	expect_one("INVALIDATE twice", inv, N(inv), false, 3, "already invalidated at record 2");
	expect_one("WRITEBACK after INVALIDATE", wb, N(wb), true, 3, "already invalidated at record 2");
}

TEST(validate_finds_a_double_store_without_invalidate)
{
	const struct step twice[] = { S(1), S(2), S(1) };
	const struct step after_load[] = { S(1), L(1), S(1) };

	expect_one("double STORE", twice, N(twice), false, 3, "STORE of key 0:1, already stored at record 1");
	expect_one("double STORE", twice, N(twice), true, 3, "already stored at record 1");
	/* A non-exclusive LOAD leaves the entry: storing again is a double store ... */
	expect_one("STORE after a non-exclusive LOAD", after_load, N(after_load), false, 3,
		   "already stored at record 1");
	/* ... an exclusive one freed it. */
	expect_none("STORE after an exclusive LOAD", after_load, N(after_load), true);
}

TEST(exclusive_loads_free_the_entry_so_a_second_load_is_a_problem)
{
	const struct step s[] = { S(1), L(1), L(1) };

	expect_one("second LOAD", s, N(s), true, 3, "already loaded");
	expect_none("second LOAD", s, N(s), false);
}

TEST(validate_finds_time_going_backwards)
{
	const struct step s[] = {
		{ ZPB_OP_STORE, 1, 100, 0, 0 }, { ZPB_OP_COMPACT, 0, 200, 0, 0 },
		{ ZPB_OP_MARK, 0, 150, 0, 0 }, { ZPB_OP_LOAD, 1, 150, 0, 0 },
	};

	expect_one("time", s, N(s), false, 3, "time 150 ns goes back from 200 ns at record 2");
}

TEST(validate_accepts_what_a_zswap_does)
{
	/* Writeback then a LOAD miss and the slot's INVALIDATE; exclusive LOAD then INVALIDATE; slot reuse. */
	const struct step modern[] = { S(1), W(1), L(1), I(1), S(2), L(2), I(2), S(2), I(2), S(1), L(1) };
	/* The v5.4 model: loads leave the entry; INVALIDATE frees it. */
	const struct step seed[] = { S(1), L(1), L(1), I(1), S(1), W(1), I(1) };

	expect_none("modern", modern, N(modern), true);
	expect_none("seed era", seed, N(seed), false);
}

TEST(checker_tracks_distinct_and_peak_live_keys_and_bytes)
{
	const struct step s[] = {
		{ ZPB_OP_STORE, 1, 0, 100, 0 }, { ZPB_OP_STORE, 2, 0, 200, 0 },
		{ ZPB_OP_STORE, 3, 0, 4096, ZPB_STORE_SAME_FILLED },	/* no pool bytes */
		{ ZPB_OP_LOAD, 1, 0, 0, 0 },				/* exclusive: frees 100 */
		{ ZPB_OP_STORE, 4, 0, 50, 0 }, { ZPB_OP_WRITEBACK, 2, 0, 0, 0 },
		{ ZPB_OP_INVALIDATE, 4, 0, 0, 0 },
	};
	struct zpb_check_stats st;
	uint64_t bad[16];
	char msg[256];

	REQUIRE(run(s, N(s), true, bad, msg, sizeof(msg), &st) == 0, "unexpected problem: %s", msg);
	CHECK_EQ_UL(st.distinct_keys, 4, "distinct keys");
	CHECK_EQ_UL(st.peak_live_keys, 3, "peak live keys");
	CHECK_EQ_UL(st.peak_live_bytes, 300, "peak live bytes");
	CHECK_EQ_UL(st.live_keys, 1, "live keys at the end (the same-filled page)");
	CHECK_EQ_UL(st.live_bytes, 0, "live bytes at the end");
	CHECK_EQ_UL(st.records, N(s), "records");
}

/* The zpoolbench binary beside the tests directory this program is in. */
static const char *cli(void)
{
	static char path[PATH_MAX + 32];
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/../zpoolbench", self);
	return access(path, X_OK) ? NULL : path;
}

static int sh(const char *fmt, const char *a, const char *b, const char *c)
{
	char cmd[16384];
	int st;

	snprintf(cmd, sizeof(cmd), fmt, a, b, c);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(trace_cli_exit_statuses_and_atomic_convert)
{
	const char *z = cli();
	char good[256], bad[256], broken[256], out[256], log[256];
	unsigned char *d;
	size_t len;

	REQUIRE(z, "the zpoolbench binary is not built beside the tests");
	snprintf(good, sizeof(good), "%s", tu_path("good.txt"));
	snprintf(bad, sizeof(bad), "%s", tu_path("bad.txt"));
	snprintf(broken, sizeof(broken), "%s", tu_path("broken.txt"));
	snprintf(out, sizeof(out), "%s", tu_path("out.bin"));
	snprintf(log, sizeof(log), "%s", tu_path("log"));
	tu_write_file(good, "# zpoolbench-trace 1\n1 0 STORE 0:1 100\n2 0 LOAD 0:1\n3 0 INVALIDATE 0:1\n", 71);
	tu_write_file(bad, "# zpoolbench-trace 1\n1 0 STORE 0:1 100\n2 0 LOAD 0:7\n", 52);
	tu_write_file(broken, "# zpoolbench-trace 1\n1 0 STORE 0:1 100\n2 0 FROB 0:7\n", 52);
	CHECK(sh("%s trace validate %s > %s 2>&1", z, good, log) == 0, "validate of a good trace: not 0");
	CHECK(sh("%s trace validate %s > %s 2>&1", z, bad, log) == 1, "validate of a bad trace: not 1");
	d = tu_read_file(log, &len);
	CHECK(d && strstr((char *)d, "record 2: LOAD of key 0:7, which was never stored"),
	      "validate output lacks the problem: %s", d ? (char *)d : "(none)");
	free(d);
	CHECK(sh("%s trace validate %s > %s 2>&1", z, broken, log) == 2, "validate of an unreadable trace: not 2");
	CHECK(sh("%s trace info %s > %s 2>&1", z, good, log) == 0, "info: not 0");
	CHECK(sh("%s trace info %s --bogus > %s 2>&1", z, good, log) == 2, "info --bogus: not 2");
	/* convert: OUT stays as it was when IN is broken half way. */
	tu_write_file(out, "precious", 8);
	CHECK(sh("%s trace convert %s %s 2> /dev/null", z, broken, out) == 2, "convert of a broken trace: not 2");
	d = tu_read_file(out, &len);
	CHECK(d && len == 8 && !memcmp(d, "precious", 8), "convert changed OUT although IN was broken");
	free(d);
	CHECK(sh("%s trace convert %s %s", z, good, out) == 0, "convert: not 0");
	CHECK(sh("%s trace dump %s > %s", z, out, log) == 0, "dump: not 0");
	d = tu_read_file(log, &len);
	CHECK(d && strstr((char *)d, "# records 3\n") && strstr((char *)d, "\n3 0 INVALIDATE 0:1\n"),
	      "dump output: %s", d ? (char *)d : "(none)");
	free(d);
	CHECK(sh("%s trace --help > %s%s", z, log, "") == 0, "trace --help: not 0");
}
