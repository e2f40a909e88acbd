/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small test harness: TEST() registers a test, CHECK() records a failure
 * and goes on, REQUIRE() records a failure and ends the test. Each program
 * prints a line per test and ends with "N passed, N failed"; tests/run.sh
 * adds up the programs' lines into the suite's.
 *
 * A test that cannot run here (one CPU id, a missing tool) calls zpbt_skip()
 * and returns: it prints "skip NAME: why", is counted in an "N skipped" line
 * before the summary, and neither passes nor fails.
 *
 * A test program runs every test, or those whose names contain one of its
 * arguments. ZPB_TEST_SCALE (a number, default 1) scales the iteration
 * counts of the randomized tests for soak runs.
 */
#ifndef ZPB_TESTS_HARNESS_H
#define ZPB_TESTS_HARNESS_H

#include <stdbool.h>
#include <stdio.h>

typedef void (*zpbt_fn)(void);
void zpbt_register(const char *name, zpbt_fn fn);
void zpbt_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool zpbt_failed(void);
/* Mark the current test skipped, saying why; the test should return next. */
void zpbt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Scale for iteration counts: ZPB_TEST_SCALE, default 1. */
double zpbt_scale(void);
/* The current test's name, for messages. */
const char *zpbt_current(void);

#define TEST(name)								\
	static void name(void);							\
	__attribute__((constructor)) static void zpbt_reg_##name(void)		\
	{ zpbt_register(#name, name); }						\
	static void name(void)

#define CHECK(cond, ...) do {							\
	if (!(cond))								\
		zpbt_fail(__FILE__, __LINE__, __VA_ARGS__);			\
} while (0)

#define REQUIRE(cond, ...) do {							\
	if (!(cond)) {								\
		zpbt_fail(__FILE__, __LINE__, __VA_ARGS__);			\
		return;								\
	}									\
} while (0)

#define CHECK_EQ_UL(actual, expected, what) do {				\
	unsigned long __a = (unsigned long)(actual), __e = (unsigned long)(expected); \
	if (__a != __e)								\
		zpbt_fail(__FILE__, __LINE__, "%s: expected %lu, got %lu", (what), __e, __a); \
} while (0)

#endif
