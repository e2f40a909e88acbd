/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The allocator checks that any allocator spec must pass: the conformance
 * suite (conformance.c) and the randomized shadow-model suite (shadow.c).
 * One copy, run two ways: tests/test_conformance.c and tests/test_shadow.c
 * run them over every registered allocator (tests/pool_util.c adapts them to
 * the test harness), and `zpoolbench selftest --alloc SPEC` runs them on one
 * spec, a plugin's included (docs/plugins.md).
 *
 * A check sees the allocator only through zpool.h. It records failures with
 * zpb_check_fail() (each a one-line message naming the allocator, the
 * operation, the expected and the actual), may say why it does not apply
 * (zpb_check_skip()) and may print notes. It runs on the caller's thread,
 * one at a time (they share the evict callback's model).
 */
#ifndef ZPB_SELFTEST_H
#define ZPB_SELFTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "../allocators/zpool.h"

/**
 * struct zpb_check - one check being run on one allocator
 * @spec: the allocator
 * @text: the spec as its user wrote it, or NULL for @spec's canonical text
 *	(what the data-bug fixes are added to: a fix the text sets, even to
 *	its default, is left as it says)
 * @scale: iteration counts are multiplied by it (the shadow suite's 10^6
 *	operations); 1 by default, > 0
 * @seed: with @seed_given, the seed of a randomized check instead of its own
 * @seed_hint: how a user replays a seed ("set ZPB_TEST_SEED"), for notes
 * @fail: receives each failure, file and line of the check that failed
 * @note: receives each note (a line of progress or figures); may be NULL
 * @arg: passed to @fail and @note
 * @failures: failures recorded so far (zpb_check_fail())
 * @skip: why the check does not apply to the allocator, "" if it does
 */
struct zpb_check {
	const struct zpb_spec *spec;
	const char *text;
	double scale;
	uint64_t seed;
	bool seed_given;
	const char *seed_hint;
	void (*fail)(void *arg, const char *file, int line, const char *msg);
	void (*note)(void *arg, const char *msg);
	void *arg;
	unsigned long failures;
	char skip[160];
};

/**
 * struct zpb_selftest - one check
 * @name: its name, saying what it pins down ("conformance_..." or "shadow_...")
 * @run: run it on @c->spec
 */
struct zpb_selftest {
	const char *name;
	void (*run)(struct zpb_check *c);
};

/* Every check, conformance first, ended by a NULL name. */
extern const struct zpb_selftest zpb_selftests[];
/* The check called @name, or NULL. */
const struct zpb_selftest *zpb_selftest_find(const char *name);
/* Run @t with @c (its @failures and @skip are reset first). Return: @c->failures. */
unsigned long zpb_selftest_run(const struct zpb_selftest *t, struct zpb_check *c);

void zpb_check_fail(struct zpb_check *c, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void zpb_check_note(struct zpb_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void zpb_check_skip(struct zpb_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The seed a randomized check uses: @c->seed if given, else @def; noted, with how to replay it. */
uint64_t zpb_check_seed(struct zpb_check *c, uint64_t def);

/**
 * zpb_spec_with_fixes - parse the spec @text with every option that fixes a
 * data bug of the ported version (ZPB_OPT_FIXES_SEED, e.g.
 * z3fold:strict_first=1) set to 1, except those @text sets itself, unless
 * ZPB_SHADOW_NO_FIXES is set in the environment, into @out
 * Return: 0, or -EINVAL with @err set.
 */
int zpb_spec_with_fixes(const char *text, struct zpb_spec *out, char *err, size_t errlen);

/* splitmix64: tiny, seedable, good enough for check workloads. */
static inline uint64_t zpb_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n), n > 0. */
static inline uint64_t zpb_below(uint64_t *state, uint64_t n)
{
	return zpb_rand(state) % n;
}

/*
 * Fill @len bytes with the pattern of @tag: every 8-byte word differs from
 * its neighbours and from other tags' words at the same offset, so a copy
 * to the wrong place, a short copy or a stray write all show.
 */
void zpb_pattern_fill(void *dst, size_t len, uint64_t tag);
/* The offset of the first byte that differs from @tag's pattern, or @len. */
size_t zpb_pattern_verify(const void *src, size_t len, uint64_t tag);

#endif
