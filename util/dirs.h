/* SPDX-License-Identifier: GPL-2.0-only */
/* Directories: making a path and its parents (mkdir -p). */
#ifndef ZPB_UTIL_DIRS_H
#define ZPB_UTIL_DIRS_H

#include <stddef.h>

/* mkdir -p @path (mode 0755). 0, or -1 with "DIR: reason" in @err. */
int zpb_make_dirs(const char *path, char *err, size_t errlen);

#endif
