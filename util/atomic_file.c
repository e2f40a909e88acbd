// SPDX-License-Identifier: GPL-2.0-only
/* Output files: temp + fsync + rename, or a spool for a stream. See atomic_file.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"

#define SYMLINK_HOPS 40		/* the kernel's own limit (MAXSYMLINKS) */
#define TEMP_RETRIES 8

/*
 * The temporaries this process has open, for zpb_atomic_remove_temps():
 * pointers into the struct zpb_atomic_file that owns each, set and cleared
 * with atomics so that a signal handler reads a whole pointer.
 */
#define LIVE_MAX 16
static char *live[LIVE_MAX];

static void live_add(char *tmp)
{
	int i;

	for (i = 0; i < LIVE_MAX; i++) {
		char *none = NULL;

		if (__atomic_compare_exchange_n(&live[i], &none, tmp, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return;
	}
	/* All slots taken: not removed by a signal, but unlocked once we die, so swept. */
}

static void live_del(char *tmp)
{
	int i;

	for (i = 0; i < LIVE_MAX; i++) {
		char *want = tmp;

		__atomic_compare_exchange_n(&live[i], &want, NULL, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
}

int zpb_atomic_remove_temps(void)
{
	int i, n = 0;

	for (i = 0; i < LIVE_MAX; i++) {
		char *t = __atomic_load_n(&live[i], __ATOMIC_SEQ_CST);

		if (t && unlink(t) == 0)
			n++;
	}
	return n;
}

/* N for "/dev/fd/N", "/proc/self/fd/N", "/proc/thread-self/fd/N" and "/proc/PID/fd/N" of our PID; else -1. */
static int fd_path(const char *p)
{
	static const char *const prefixes[] = { "/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/" };
	char own[48];
	size_t i, n;
	long v;
	char *end;

	snprintf(own, sizeof(own), "/proc/%ld/fd/", (long)getpid());
	for (i = 0; i <= sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		const char *pre = i < sizeof(prefixes) / sizeof(prefixes[0]) ? prefixes[i] : own;

		n = strlen(pre);
		if (strncmp(p, pre, n) || p[n] < '0' || p[n] > '9')
			continue;
		errno = 0;
		v = strtol(p + n, &end, 10);
		if (!*end && !errno && v <= 65535)
			return (int)v;
	}
	return -1;
}

/*
 * Where a write to @path lands: @dest is @path with the symbolic links of
 * its last component followed (a write goes through them; the directories
 * on the way are followed by the kernel), and whether it is a stream (not a
 * regular file, or a descriptor in @fd) or a file to rename over, existing
 * or not.
 */
static int resolve(const char *path, char *dest, int *fd, bool *stream, char *err, size_t errlen)
{
	char cur[ZPB_PATH_MAX], link[ZPB_PATH_MAX];
	struct stat st;
	int hops;

	*fd = -1;
	*stream = false;
	if (!strcmp(path, "-")) {
		*fd = STDOUT_FILENO;
		*stream = true;
		snprintf(dest, ZPB_PATH_MAX, "standard output");
		return 0;
	}
	if (!*path) {
		snprintf(err, errlen, "an empty output file name");
		return -1;
	}
	if (strlen(path) >= sizeof(cur)) {
		snprintf(err, errlen, "%.64s...: path too long", path);
		return -1;
	}
	strcpy(cur, path);
	for (hops = 0;; hops++) {
		const char *slash;
		ssize_t n;

		*fd = fd_path(cur);
		if (*fd >= 0) {
			*stream = true;
			strcpy(dest, cur);
			return 0;
		}
		if (lstat(cur, &st) != 0) {
			if (errno != ENOENT) {
				snprintf(err, errlen, "%s: %s", path, strerror(errno));
				return -1;
			}
			strcpy(dest, cur);	/* a new file (or a dangling link's new target) */
			return 0;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		n = hops < SYMLINK_HOPS ? readlink(cur, link, sizeof(link) - 1) : -1;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(hops < SYMLINK_HOPS ? errno : ELOOP));
			return -1;
		}
		link[n] = '\0';
		slash = strrchr(cur, '/');
		if (link[0] != '/' && slash) {
			size_t dirlen = (size_t)(slash - cur) + 1;

			if (dirlen + (size_t)n >= sizeof(cur)) {
				snprintf(err, errlen, "%s: the link's target path is too long", path);
				return -1;
			}
			memcpy(cur + dirlen, link, (size_t)n + 1);
		} else {
			memcpy(cur, link, (size_t)n + 1);
		}
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory (give a file name)", path);
		return -1;
	}
	strcpy(dest, cur);
	*stream = !S_ISREG(st.st_mode);
	return 0;
}

/*
 * Remove the OUT.tmp.XXXXXX beside @dest that no live writer holds: ours,
 * unlocked (its writer died without cleaning up), and still the file we
 * locked when we unlink it.
 */
static void sweep(const char *dest)
{
	char dir[ZPB_PATH_MAX], p[ZPB_PATH_MAX + 300];
	const char *slash = strrchr(dest, '/'), *base = slash ? slash + 1 : dest;
	size_t blen = strlen(base);
	struct dirent *e;
	DIR *d;

	if (!slash)
		strcpy(dir, ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == dest ? 1 : (int)(slash - dest), dest);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat a, b;
		int fd;

		if (strncmp(e->d_name, base, blen) || strncmp(e->d_name + blen, ".tmp.", 5) ||
		    strlen(e->d_name + blen + 5) != 6)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		fd = open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && a.st_uid == geteuid() &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0 && lstat(p, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			unlink(p);
		close(fd);
	}
	closedir(d);
}

/*
 * Create, lock and list @dest's temporary in @tmp. A sweeper that took the
 * lock first may have removed it before we locked it: then make another.
 */
static int temp_create(const char *path, const char *dest, char *tmp, size_t tmplen, char *err, size_t errlen)
{
	int tries;

	for (tries = 0; tries < TEMP_RETRIES; tries++) {
		struct stat st;
		int fd;

		snprintf(tmp, tmplen, "%s.tmp.XXXXXX", dest);
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
			return -1;
		}
		live_add(tmp);
		if (flock(fd, LOCK_EX) == 0 && fstat(fd, &st) == 0 && st.st_nlink > 0)
			return fd;
		live_del(tmp);
		close(fd);
	}
	snprintf(err, errlen, "%s: cannot keep a temporary file beside it (removed as soon as made)", path);
	return -1;
}

/* An unlinked file under $TMPDIR (or /tmp) holding a stream's output until commit. */
static int spool_create(const char *path, char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char p[ZPB_PATH_MAX];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(p, sizeof(p), "%s/zpoolbench-spool.XXXXXX", dir);
	fd = mkostemp(p, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a spool file in %s: %s", path, dir, strerror(errno));
		return -1;
	}
	unlink(p);
	return fd;
}

int zpb_atomic_open(struct zpb_atomic_file *af, const char *path, char *err, size_t errlen)
{
	mode_t mask;
	int fd;

	af->f = NULL;
	af->tmp[0] = '\0';
	if (strlen(path) >= sizeof(af->path)) {
		snprintf(err, errlen, "%.64s...: path too long", path);
		return -1;
	}
	strcpy(af->path, path);
	if (resolve(path, af->dest, &af->dest_fd, &af->stream, err, errlen))
		return -1;
	if (af->stream) {
		fd = spool_create(path, err, errlen);
	} else {
		sweep(af->dest);
		fd = temp_create(path, af->dest, af->tmp, sizeof(af->tmp), err, errlen);
		if (fd >= 0) {
			/* mkostemp makes the file 0600; give it the mode fopen() would have. */
			mask = umask(0);
			umask(mask);
			if (fchmod(fd, 0666 & ~mask) != 0) {
				/* Not fatal: the file is still ours and complete. */
			}
		}
	}
	if (fd < 0)
		return -1;
	af->f = fdopen(fd, "w");
	if (!af->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		zpb_atomic_abort(af);
		return -1;
	}
	return 0;
}

/* Copy the spool @from to the stream (its descriptor, or @af->dest opened now). */
static int stream_out(struct zpb_atomic_file *af, int from, char *err, size_t errlen)
{
	static char buf[65536];
	int to = af->dest_fd, ret = 0;
	struct stat st;
	ssize_t n;

	if (to < 0)
		to = open(af->dest, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (to < 0 || lseek(from, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: %s", af->path, strerror(errno));
		if (to >= 0 && to != af->dest_fd)
			close(to);
		return -1;
	}
	while (!ret && (n = read(from, buf, sizeof(buf))) != 0) {
		ssize_t done = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -1;
			break;
		}
		while (done < n) {
			ssize_t w = write(to, buf + done, (size_t)(n - done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				ret = -1;
				break;
			}
			done += w;
		}
	}
	/* Standard output sent to a file is kept as durably as a renamed one. */
	if (!ret && fstat(to, &st) == 0 && S_ISREG(st.st_mode) && fsync(to) != 0)
		ret = -1;
	if (ret)
		snprintf(err, errlen, "%s: write failed: %s", af->path, strerror(errno));
	if (to != af->dest_fd && close(to) != 0 && !ret) {
		snprintf(err, errlen, "%s: write failed: %s", af->path, strerror(errno));
		ret = -1;
	}
	return ret;
}

int zpb_atomic_commit(struct zpb_atomic_file *af, char *err, size_t errlen)
{
	int bad = fflush(af->f) != 0 || ferror(af->f) || (!af->stream && fsync(fileno(af->f)) != 0);
	int saved = errno;

	if (!bad && af->stream) {
		int ret = stream_out(af, fileno(af->f), err, errlen);

		fclose(af->f);
		af->f = NULL;
		return ret;
	}
	if (fclose(af->f) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	af->f = NULL;
	if (bad) {
		snprintf(err, errlen, "%s: write failed: %s", af->path, strerror(saved));
		zpb_atomic_abort(af);
		return -1;
	}
	if (rename(af->tmp, af->dest) != 0) {
		snprintf(err, errlen, "%s: cannot rename into place: %s", af->path, strerror(errno));
		zpb_atomic_abort(af);
		return -1;
	}
	live_del(af->tmp);
	af->tmp[0] = '\0';
	return 0;
}

void zpb_atomic_abort(struct zpb_atomic_file *af)
{
	if (af->f)
		fclose(af->f);
	af->f = NULL;
	if (af->tmp[0]) {
		unlink(af->tmp);
		live_del(af->tmp);
		af->tmp[0] = '\0';
	}
}

int zpb_output_check(const char *path, char *err, size_t errlen)
{
	char dest[ZPB_PATH_MAX], tmp[ZPB_PATH_MAX + 32];
	bool stream;
	int fd, fl;

	if (resolve(path, dest, &fd, &stream, err, errlen))
		return -1;
	if (stream && fd >= 0) {
		fl = fcntl(fd, F_GETFL);
		if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY) {
			snprintf(err, errlen, "%s: descriptor %d is not open for writing", path, fd);
			return -1;
		}
		return 0;
	}
	if (stream) {
		if (access(dest, W_OK) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	/* A file: can a temporary be made beside it (the directory exists, is writable, has room)? */
	fd = temp_create(path, dest, tmp, sizeof(tmp), err, errlen);
	if (fd < 0)
		return -1;
	unlink(tmp);
	live_del(tmp);
	close(fd);
	return 0;
}

int zpb_output_is_input(const char *out, const char *in, char *err, size_t errlen)
{
	char dest[ZPB_PATH_MAX], ignored[256];
	struct stat so, si;
	bool stream;
	int fd;

	if (resolve(out, dest, &fd, &stream, ignored, sizeof(ignored)) || stream ||
	    lstat(dest, &so) != 0 || stat(in, &si) != 0 || so.st_dev != si.st_dev || so.st_ino != si.st_ino)
		return 0;
	snprintf(err, errlen, "%s: is also the input %s; writing it would replace the input (give another name)",
		 out, in);
	return 1;
}
