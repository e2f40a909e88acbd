/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Output files, written so that a reader never sees half of one.
 *
 * A regular file (or a name not yet taken) is written to a temporary file
 * beside it, OUT.tmp.XXXXXX, then fsynced and renamed over it: an
 * interrupted run leaves the old file (or none) in place. A symbolic link
 * is written through: its target, followed to the end of the chain, is the
 * file replaced, and the link stays. Anything else (a FIFO, a character
 * device, a socket; "-" for standard output; /dev/fd/N and /proc/self/fd/N
 * for descriptor N) cannot be renamed over: the output is kept in an
 * unlinked spool file under $TMPDIR and copied to it only at commit, so an
 * aborted write sends it nothing.
 *
 * Stale temporaries. While it exists, a temporary is locked (flock) by the
 * process writing it, and listed so that zpb_atomic_remove_temps() can
 * remove it from a signal handler. A writer that was killed outright
 * (SIGKILL, a power cut) leaves its OUT.tmp.XXXXXX unlocked; the next
 * zpb_atomic_open() of OUT removes every unlocked OUT.tmp.XXXXXX beside it.
 */
#ifndef ZPB_UTIL_ATOMIC_FILE_H
#define ZPB_UTIL_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ZPB_PATH_MAX 4096

struct zpb_atomic_file {
	FILE *f;		/* write here (fileno(f) may be used with write/pwrite) */
	bool stream;		/* not a regular file: @f is a spool, copied to @dest at commit */
	int dest_fd;		/* stream to this descriptor ("-", /dev/fd/N), or -1: open @dest */
	char path[ZPB_PATH_MAX];	/* as given, for messages */
	char dest[ZPB_PATH_MAX];	/* the file renamed over (links followed), or the stream */
	char tmp[ZPB_PATH_MAX + 32];	/* the temporary beside @dest; "" for a stream */
};

/* Open a temporary for @path. 0, or -1 with @err naming the file. */
int zpb_atomic_open(struct zpb_atomic_file *af, const char *path, char *err, size_t errlen);
/*
 * Flush, fsync, close and rename into place (a stream: copy the spool to
 * it). 0, or -1 with @err set (temp removed).
 */
int zpb_atomic_commit(struct zpb_atomic_file *af, char *err, size_t errlen);
/* Close and remove the temporary; @path is left untouched. */
void zpb_atomic_abort(struct zpb_atomic_file *af);

/*
 * zpb_output_check() - whether @path can be written, before any work is
 * done: a directory, a missing or read-only directory, or a stream that
 * cannot be opened for writing is found now, not after an hour of replay.
 * Opens no FIFO (that would be a reader's end of file) and leaves nothing
 * behind. Return: 0, or -1 with one line in @err naming @path.
 */
int zpb_output_check(const char *path, char *err, size_t errlen);

/*
 * zpb_atomic_remove_temps() - remove every temporary this process has open.
 * Async-signal-safe (unlink(2) only): a handler for a fatal signal calls it
 * before the process dies, so that no OUT.tmp.XXXXXX is left behind.
 * Return: how many it removed.
 */
int zpb_atomic_remove_temps(void);

/**
 * zpb_output_is_input() - whether writing @out would replace the input @in.
 * Compared by device and inode, so any path to the same file (./x,
 * d/../x) counts, and conservatively a hard link too; so does a symbolic
 * link to @in, as the write goes through it. A command checks before it
 * writes: the rename would otherwise put its output where its input was,
 * losing the input. A stream ("-", a FIFO) never replaces a file.
 *
 * Return: 1 with "OUT: is also the input IN; ..." in @err, or 0 if they
 * differ or @out does not exist yet.
 */
int zpb_output_is_input(const char *out, const char *in, char *err, size_t errlen);

#endif
