/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Drawing the pictures with gnuplot: the scripts of plots/ (compiled in)
 * are written beside the data so the report directory can be redrawn by
 * hand, then gnuplot runs once per picture and format (SVG, PNG).
 * ZPB_GNUPLOT in the environment names another gnuplot program.
 */
#ifndef ZPB_REPORT_GNUPLOT_H
#define ZPB_REPORT_GNUPLOT_H

#include "model.h"

/**
 * zpb_gnuplot_draw() - draw every picture of @rep that has a script.
 * @dir: the report's staging directory holding data/; plots/ and img/ are
 *	created in it
 *
 * When gnuplot cannot be run, sets rep->have_gnuplot false with the reason
 * in rep->gnuplot_why and returns 0: the report is written without
 * pictures. A picture gnuplot fails on gets the reason in its why.
 * Return: 0, or -1 with @err set when the directory cannot be written.
 */
int zpb_gnuplot_draw(struct zpb_report *rep, const char *dir, char *err, size_t errlen);

#endif
