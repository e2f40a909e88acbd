/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The report's lock statistics: a replay with --lockstat (a './configure
 * --lockstat' build) has a "lockstat" block in each run (docs/results-format.md);
 * the report shows it per allocator in /proc/lock_stat's columns, with the
 * queueing model's contention at more CPUs beside it, marked as a model.
 */
#ifndef ZPB_REPORT_LOCKS_H
#define ZPB_REPORT_LOCKS_H

#include <stdio.h>

#include "model.h"

/* Whether any run of @in has lock statistics. */
bool zpb_report_has_locks(const struct zpb_report_input *in);
void zpb_report_locks_html(FILE *f, const struct zpb_report_input *in);
void zpb_report_locks_markdown(FILE *f, const struct zpb_report_input *in);

#endif
