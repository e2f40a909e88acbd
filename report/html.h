/* SPDX-License-Identifier: GPL-2.0-only */
/* The report as one self-contained HTML page: inline CSS and SVG, no scripts, no network. */
#ifndef ZPB_REPORT_HTML_H
#define ZPB_REPORT_HTML_H

#include <stdio.h>

#include "model.h"

/* Write @s with HTML's special characters escaped (NULL writes nothing). */
void zpb_html_escape(FILE *f, const char *s);

/* Write the page for @rep to @f. Return: 0, or -1 on a write error. */
int zpb_report_write_html(FILE *f, const struct zpb_report *rep);

#endif
