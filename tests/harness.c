// SPDX-License-Identifier: GPL-2.0-only
/* The test runner behind harness.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define MAX_TESTS 512

static struct {
	const char *name;
	zpbt_fn fn;
} tests[MAX_TESTS];
static int ntests;
static int current_failures;
static char current_skip[256];	/* why the current test skipped, "" if it did not */
static const char *current_name;

void zpbt_register(const char *name, zpbt_fn fn)
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "harness: more than %d tests in one program\n", MAX_TESTS);
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

void zpbt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	/* Print the first few failures of a test; a broken loop can fail millions of times. */
	if (current_failures++ < 10) {
		fprintf(stdout, "  %s:%d: %s: ", file, line, current_name);
		va_start(ap, fmt);
		vfprintf(stdout, fmt, ap);
		va_end(ap);
		fputc('\n', stdout);
		fflush(stdout);
	}
}

void zpbt_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(current_skip, sizeof(current_skip), fmt, ap);
	va_end(ap);
	if (!current_skip[0])
		snprintf(current_skip, sizeof(current_skip), "(no reason given)");
}

bool zpbt_failed(void)
{
	return current_failures != 0;
}

const char *zpbt_current(void)
{
	return current_name;
}

double zpbt_scale(void)
{
	const char *s = getenv("ZPB_TEST_SCALE");
	double v = s ? atof(s) : 1.0;

	return v > 0 ? v : 1.0;
}

static bool selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int i, passed = 0, failed = 0, skipped = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ntests; i++) {
		struct timespec a, b;

		if (!selected(tests[i].name, argc, argv))
			continue;
		current_name = tests[i].name;
		current_failures = 0;
		current_skip[0] = 0;
		clock_gettime(CLOCK_MONOTONIC, &a);
		tests[i].fn();
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (current_failures) {
			failed++;
			printf("FAIL %s (%d failed checks)\n", tests[i].name, current_failures);
		} else if (current_skip[0]) {
			skipped++;
			printf("skip %s: %s\n", tests[i].name, current_skip);
		} else {
			passed++;
			printf("ok   %s (%.2fs)\n", tests[i].name,
			       (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
		}
	}
	if (skipped)
		printf("%d skipped\n", skipped);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
