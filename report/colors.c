// SPDX-License-Identifier: GPL-2.0-only
/* Allocator colours (a colour-blind-friendly palette, after Okabe and Ito). */
#include <string.h>

#include "colors.h"

static const struct {
	const char *name;
	const char *color;
} fixed[] = {
	{ "z3fold", "#0072b2" },	/* blue */
	{ "zbud", "#e69f00" },		/* orange */
	{ "zsmalloc", "#009e73" },	/* green */
	{ "ideal", "#555555" },		/* grey: a bound, not a contender */
	{ "null", "#999999" },
};

static const char *const extra[] = { "#d55e00", "#cc79a7", "#56b4e9", "#8c564b", "#f0e442", "#7f3c8d" };

const char *zpb_report_color(const char *spec)
{
	unsigned long h = 5381;
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!strcmp(spec, fixed[i].name))
			return fixed[i].color;
	for (; *spec; spec++)
		h = h * 33 + (unsigned char)*spec;
	return extra[h % (sizeof(extra) / sizeof(extra[0]))];
}
