/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the checks (conformance.c, shadow.c) share inside selftest/: the
 * check being run, CHECK() and REQUIRE() as tests/harness.h spells them (a
 * failure recorded and going on; recorded and ending the check), and pools
 * of the check's allocator. Not for use outside selftest/.
 */
#ifndef ZPB_SELFTEST_CHECKS_H
#define ZPB_SELFTEST_CHECKS_H

#include "../allocators/kernel/compat.h"
#include "selftest.h"

/* The check zpb_selftest_run() is running (they run one at a time). */
extern struct zpb_check *zpb_check_current;

#define CHECK(cond, ...) do {							\
	if (!(cond))								\
		zpb_check_fail(zpb_check_current, __FILE__, __LINE__, __VA_ARGS__); \
} while (0)

#define REQUIRE(cond, ...) do {							\
	if (!(cond)) {								\
		zpb_check_fail(zpb_check_current, __FILE__, __LINE__, __VA_ARGS__); \
		return;								\
	}									\
} while (0)

/* The allocator of the check being run. */
static inline const struct zpool_driver *zpb_check_driver(void)
{
	return zpb_check_current->spec->driver;
}

/*
 * A pool of the check's spec (with its data-bug fixes set if @fixes: see
 * zpb_spec_with_fixes()); NULL, with a failure recorded, if it cannot be made.
 */
struct zpool *zpb_check_pool(const struct zpool_ops *ops, unsigned long page_limit, bool fixes);

/* Scale an iteration count by the check's scale (at least 1). */
unsigned long zpb_check_scaled(unsigned long n);

/* True if the driver stores data (so contents can be checked). */
static inline bool zpb_has_data(const struct zpool_driver *d)
{
	return !(d->caps & ZPB_CAP_NO_DATA);
}

#endif
