/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Text files compiled into the program by util/embed.sh (gnuplot scripts,
 * the default gate rules), so an installed zpoolbench needs no data
 * directory. Each generated array ends with a { NULL, NULL } entry.
 */
#ifndef ZPB_UTIL_EMBED_H
#define ZPB_UTIL_EMBED_H

#include <stddef.h>
#include <string.h>

struct zpb_embedded {
	const char *name;	/* the file's base name */
	const char *text;
};

/* The entry of @files named @name, or NULL. */
static inline const struct zpb_embedded *zpb_embedded_find(const struct zpb_embedded *files, const char *name)
{
	for (; files->name; files++)
		if (!strcmp(files->name, name))
			return files;
	return NULL;
}

#endif
