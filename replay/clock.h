/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A cheap, calibrated clock for timing each replayed operation.
 *
 * On x86-64 with an invariant TSC (constant_tsc and nonstop_tsc in
 * /proc/cpuinfo) it reads the TSC and converts ticks to nanoseconds with a
 * fixed-point multiplier calibrated against CLOCK_MONOTONIC at start-up;
 * elsewhere it calls clock_gettime(CLOCK_MONOTONIC), which the vDSO serves
 * without a system call. Both are readable from any thread.
 */
#ifndef ZPB_REPLAY_CLOCK_H
#define ZPB_REPLAY_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct zpb_clock {
	bool tsc;		/* reading the TSC */
	uint64_t mult;		/* ns = ticks * mult >> 32 */
	uint64_t base_ticks;	/* ticks at calibration */
	double overhead_ns;	/* measured cost of one zpb_clock_ns() */
	const char *source;	/* "rdtsc" or "clock_gettime" */
};

extern struct zpb_clock zpb_clock;

/* Calibrate (idempotent; about 20 ms the first time). @force_gettime skips the TSC. */
void zpb_clock_init(bool force_gettime);

static inline uint64_t zpb_clock_ns(void)
{
#if defined(__x86_64__)
	if (__builtin_expect(zpb_clock.tsc, 1)) {
		uint64_t t = __builtin_ia32_rdtsc() - zpb_clock.base_ticks;

		return (uint64_t)(((unsigned __int128)t * zpb_clock.mult) >> 32);
	}
#endif
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
}

#endif
