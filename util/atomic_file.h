/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Atomic output files: write to a temporary file beside the destination,
 * then fsync and rename over it, so a reader never sees a half-written file
 * and an interrupted run leaves the old file (or none) in place.
 */
#ifndef ZPB_UTIL_ATOMIC_FILE_H
#define ZPB_UTIL_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

struct zpb_atomic_file {
	FILE *f;
	char path[4096];
	char tmp[4096 + 32];
};

/* Open a temporary for @path. 0, or -1 with @err naming the file. */
int zpb_atomic_open(struct zpb_atomic_file *af, const char *path, char *err, size_t errlen);
/* Flush, fsync, close and rename into place. 0, or -1 with @err set (temp removed). */
int zpb_atomic_commit(struct zpb_atomic_file *af, char *err, size_t errlen);
/* Close and remove the temporary; @path is left untouched. */
void zpb_atomic_abort(struct zpb_atomic_file *af);

/**
 * zpb_output_is_input() - whether writing @out would replace the input @in.
 * Compared by device and inode, so any path to the same file (./x,
 * d/../x) counts, and conservatively a hard link too; a symbolic link @out
 * does not, as the rename replaces the link, not its target. A command
 * checks before it writes: the rename would otherwise put its output where
 * its input was, losing the input.
 *
 * Return: 1 with "OUT: is also the input IN; ..." in @err, or 0 if they
 * differ or @out does not exist yet.
 */
int zpb_output_is_input(const char *out, const char *in, char *err, size_t errlen);

#endif
