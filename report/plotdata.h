/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pictures' data: extracted from the results JSON into small text files
 * (DIR/data/NAME.dat) that the gnuplot scripts in plots/ read, one file per
 * allocator so a missing series never shifts another's colour.
 */
#ifndef ZPB_REPORT_PLOTDATA_H
#define ZPB_REPORT_PLOTDATA_H

#include "model.h"

/**
 * zpb_plotdata_write() - decide the pictures of @rep and write their data.
 * @datadir: directory for the .dat files (exists)
 * @datarel: the same directory as the gnuplot scripts will see it
 *
 * Fills each input's pics and rep->global; a picture without data gets a
 * reason in why and no script. Return: 0, or -1 with @err set (I/O).
 */
int zpb_plotdata_write(struct zpb_report *rep, const char *datadir, const char *datarel, char *err, size_t errlen);

/* The value at quantile @q (0..1) of a histogram's [upper_ns, count] buckets; NAN if empty. */
double zpb_buckets_quantile(const struct zpb_json *buckets, double q);

#endif
