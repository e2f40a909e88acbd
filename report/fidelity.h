/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The report's "kernel fidelity" section: validation files written by
 * `zpoolbench validate -o FILE` (fidelity/validate.c), shown as a table of
 * the zsmalloc port's page counts against the kernel's at every mark.
 */
#ifndef ZPB_REPORT_FIDELITY_H
#define ZPB_REPORT_FIDELITY_H

#include <stddef.h>
#include <stdio.h>

#include "../util/json_reader.h"

struct zpb_fidelity_set {
	struct zpb_json **docs;
	char **paths;
	size_t n;
};

/* Load and check validation files. 0, or -1 with @err naming the file. */
int zpb_fidelity_load(struct zpb_fidelity_set *set, const char *const *paths, size_t n,
		      char *err, size_t errlen);
void zpb_fidelity_free(struct zpb_fidelity_set *set);
/* The section, in HTML and in Markdown; nothing when @set is empty. */
void zpb_fidelity_html(FILE *f, const struct zpb_fidelity_set *set);
void zpb_fidelity_markdown(FILE *f, const struct zpb_fidelity_set *set);

#endif
