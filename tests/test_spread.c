// SPDX-License-Identifier: GPL-2.0-only
/* The spread of repetitions: median, extremes and the order-statistic interval. */
#include <math.h>

#include "../util/spread.h"
#include "harness.h"

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

TEST(spread_of_five_is_min_to_max_at_93_75_percent)
{
	const double x[] = { 1.03, 0.39, 0.16, 0.5, 0.7 };
	struct zpb_spread s;

	REQUIRE(zpb_spread_compute(x, 5, &s) == 0, "computes");
	CHECK(s.n == 5 && near(s.median, 0.5), "median of 5: expected 0.5, got %g", s.median);
	CHECK(near(s.min, 0.16) && near(s.max, 1.03), "extremes %g..%g", s.min, s.max);
	CHECK(near(s.lo, 0.16) && near(s.hi, 1.03), "interval of 5 is min..max, got %g..%g", s.lo, s.hi);
	CHECK(near(s.level, 0.9375), "coverage of min..max over 5: expected 0.9375, got %g", s.level);
	CHECK(x[0] == 1.03, "the input is not sorted in place");
}

TEST(spread_of_even_count_averages_the_middle_two)
{
	const double x[] = { 4, 1, 3, 2 };
	struct zpb_spread s;

	REQUIRE(zpb_spread_compute(x, 4, &s) == 0, "computes");
	CHECK(near(s.median, 2.5), "median of 1..4: expected 2.5, got %g", s.median);
	CHECK(near(s.level, 0.875), "coverage over 4: expected 0.875, got %g", s.level);
}

/* n = 10: r = 2 covers 1 - 2 * 11/1024 = 97.85%; r = 3 covers 1 - 2 * 56/1024 = 89.06%. */
TEST(spread_of_ten_uses_the_second_order_statistics)
{
	const double x[] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	struct zpb_spread s;

	REQUIRE(zpb_spread_compute(x, 10, &s) == 0, "computes");
	CHECK(near(s.lo, 2) && near(s.hi, 9), "interval over 10: expected 2..9, got %g..%g", s.lo, s.hi);
	CHECK(near(s.level, 1 - 22.0 / 1024), "coverage: expected %g, got %g", 1 - 22.0 / 1024, s.level);
	CHECK(s.level >= 0.95, "at least 95%% once n >= 6");
}

TEST(spread_of_one_and_of_none)
{
	const double x[] = { 7 };
	struct zpb_spread s;

	REQUIRE(zpb_spread_compute(x, 1, &s) == 0, "computes");
	CHECK(s.n == 1 && near(s.median, 7) && near(s.lo, 7) && near(s.hi, 7), "one value is its own spread");
	CHECK(s.level == 0, "one value has no coverage, got %g", s.level);
	REQUIRE(zpb_spread_compute(x, 0, &s) == 0, "computes");
	CHECK(s.n == 0 && s.median == 0, "no values: an empty summary");
}
