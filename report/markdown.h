/* SPDX-License-Identifier: GPL-2.0-only */
/* The report's tables in Markdown, for a CI job summary or a mailing-list post. */
#ifndef ZPB_REPORT_MARKDOWN_H
#define ZPB_REPORT_MARKDOWN_H

#include <stdio.h>

#include "model.h"

/* Write @s escaped for a Markdown table cell (|, *, _ and ` escaped, newlines as spaces). */
void zpb_md_escape(FILE *f, const char *s);

/* Write the Markdown report for @rep to @f. Return: 0, or -1 on a write error. */
int zpb_report_write_markdown(FILE *f, const struct zpb_report *rep);

#endif
