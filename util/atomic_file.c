// SPDX-License-Identifier: GPL-2.0-only
/* Atomic output files: temp + fsync + rename. See atomic_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"

int zpb_atomic_open(struct zpb_atomic_file *af, const char *path, char *err, size_t errlen)
{
	mode_t mask;
	int fd;

	af->f = NULL;
	if (strlen(path) >= sizeof(af->path)) {
		snprintf(err, errlen, "%.64s...: path too long", path);
		return -1;
	}
	strcpy(af->path, path);
	snprintf(af->tmp, sizeof(af->tmp), "%s.tmp.XXXXXX", path);
	fd = mkostemp(af->tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
		return -1;
	}
	/* mkostemp makes the file 0600; give it the mode fopen() would have. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		/* Not fatal: the file is still ours and complete. */
	}
	af->f = fdopen(fd, "w");
	if (!af->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(af->tmp);
		return -1;
	}
	return 0;
}

int zpb_atomic_commit(struct zpb_atomic_file *af, char *err, size_t errlen)
{
	int bad = fflush(af->f) != 0 || ferror(af->f) || fsync(fileno(af->f)) != 0;
	int saved = errno;

	if (fclose(af->f) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	af->f = NULL;
	if (bad) {
		snprintf(err, errlen, "%s: write failed: %s", af->path, strerror(saved));
		unlink(af->tmp);
		return -1;
	}
	if (rename(af->tmp, af->path) != 0) {
		snprintf(err, errlen, "%s: cannot rename into place: %s", af->path, strerror(errno));
		unlink(af->tmp);
		return -1;
	}
	return 0;
}

void zpb_atomic_abort(struct zpb_atomic_file *af)
{
	if (af->f)
		fclose(af->f);
	af->f = NULL;
	unlink(af->tmp);
}

int zpb_output_is_input(const char *out, const char *in, char *err, size_t errlen)
{
	struct stat so, si;

	if (lstat(out, &so) != 0 || stat(in, &si) != 0 || so.st_dev != si.st_dev || so.st_ino != si.st_ino)
		return 0;
	snprintf(err, errlen, "%s: is also the input %s; writing it would replace the input (give another name)",
		 out, in);
	return 1;
}
