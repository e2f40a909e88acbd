/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One colour per allocator, the same in every picture and table: the known
 * allocators have fixed colours; other specs (and variants such as
 * "zsmalloc:chain=4") get one from a second palette by a hash of the spec,
 * so a name keeps its colour from report to report.
 */
#ifndef ZPB_REPORT_COLORS_H
#define ZPB_REPORT_COLORS_H

/* The colour of allocator @spec as "#rrggbb" (static storage). */
const char *zpb_report_color(const char *spec);

#endif
