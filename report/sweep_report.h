/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The report of a sweep file (zpoolbench merge): per trace a table of
 * allocator x axis values with a verdict per row, a heatmap of allocator x
 * (trace, axis values), and a per-machine breakdown. Written as
 * DIR/index.html and DIR/report.md like the results report (report.h).
 */
#ifndef ZPB_REPORT_SWEEP_REPORT_H
#define ZPB_REPORT_SWEEP_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

/* Whether @path is a sweep file (its "format" is "zpoolbench-sweep"). */
bool zpb_sweep_report_is_sweep(const char *path);

/**
 * zpb_sweep_report_write() - write the sweep report of @path into @outdir.
 *
 * Return: 0 with @out filled, or -1 with a one-line message naming the file
 * (and line:column for JSON errors) or the output path in @err.
 */
int zpb_sweep_report_write(const char *path, const char *outdir, struct zpb_report_outcome *out, char *err,
			   size_t errlen);

#endif
