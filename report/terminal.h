/* SPDX-License-Identifier: GPL-2.0-only */
/* The terminal summary of a replay's results file (report/terminal.c). */
#ifndef ZPB_REPORT_TERMINAL_H
#define ZPB_REPORT_TERMINAL_H

#include <stddef.h>
#include <stdio.h>

/*
 * zpb_report_print_summary() - print the verdict's headline and the
 * perf-stat-like table of @results to @f. 0, or -1 with @err.
 */
int zpb_report_print_summary(FILE *f, const char *results, char *err, size_t errlen);

#endif
