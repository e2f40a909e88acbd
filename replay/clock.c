// SPDX-License-Identifier: GPL-2.0-only
/* Clock calibration and overhead measurement. See clock.h. */
#include <stdio.h>
#include <string.h>

#include "clock.h"

struct zpb_clock zpb_clock = { .source = "clock_gettime" };
static bool calibrated;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The TSC is usable as a clock only if it ticks at a constant rate in every state. */
static bool invariant_tsc(void)
{
#if defined(__x86_64__)
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool constant = false, nonstop = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		constant = strstr(line, " constant_tsc") != NULL;
		nonstop = strstr(line, " nonstop_tsc") != NULL;
		break;
	}
	fclose(f);
	return constant && nonstop;
#else
	return false;
#endif
}

/*
 * The cost of one read: the best of 20 batches of 1000 back-to-back reads,
 * so a batch that lost the CPU to another process does not count.
 */
static void measure_overhead(void)
{
	enum { BATCHES = 20, N = 1000 };
	uint64_t best = UINT64_MAX, sink = 0;
	int b, i;

	for (b = 0; b < BATCHES; b++) {
		uint64_t t0 = zpb_clock_ns(), t1;

		for (i = 0; i < N; i++)
			sink += zpb_clock_ns();
		t1 = zpb_clock_ns();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	__asm__ __volatile__("" : : "r"(sink));
	zpb_clock.overhead_ns = (double)best / N;
}

void zpb_clock_init(bool force_gettime)
{
	if (calibrated)
		return;
	calibrated = true;
#if defined(__x86_64__)
	if (!force_gettime && invariant_tsc()) {
		uint64_t m0, m1, c0, c1;

		/* Calibrate over ~20 ms of CLOCK_MONOTONIC: enough for < 0.01% error. */
		m0 = mono_ns();
		c0 = __builtin_ia32_rdtsc();
		do
			m1 = mono_ns();
		while (m1 - m0 < 20000000);
		c1 = __builtin_ia32_rdtsc();
		if (c1 > c0) {
			zpb_clock.mult = (uint64_t)(((unsigned __int128)(m1 - m0) << 32) / (c1 - c0));
			zpb_clock.base_ticks = c0;
			zpb_clock.tsc = true;
			zpb_clock.source = "rdtsc";
		}
	}
#endif
	(void)force_gettime;
	measure_overhead();
}
