// SPDX-License-Identifier: GPL-2.0-only
/* Driving a kernel zram device. See zram_device.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zram_device.h"

#define PAGE 4096

static struct zpb_zram *active;	/* the device to reset on a signal */
static volatile sig_atomic_t interrupted;

static int write_attr(int id, const char *attr, const char *val)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), "/sys/block/zram%d/%s", id, attr);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

static int read_attr(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int zram_attr(int id, const char *attr, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/block/zram%d/%s", id, attr);
	return read_attr(path, buf, len);
}

/* Last resort: a device claimed by a run that exits some other way is still reset. */
static void release_active(void)
{
	if (active)
		zpb_zram_release(active);
}

static void release_on_signal(int sig)
{
	interrupted = 1;
	(void)sig;
}

int zpb_zram_interrupted(void)
{
	return interrupted;
}

/* A device is free when it has no disk size: nobody initialised it. */
static int device_free(int id)
{
	char buf[64];

	return zram_attr(id, "disksize", buf, sizeof(buf)) == 0 && strtoull(buf, NULL, 10) == 0;
}

static int find_or_add(struct zpb_zram *z, char *err, size_t errlen)
{
	char buf[64];
	int id;

	for (id = 0; id < 64; id++) {
		snprintf(buf, sizeof(buf), "/sys/block/zram%d", id);
		if (access(buf, F_OK))
			continue;
		if (device_free(id)) {
			z->id = id;
			return 0;
		}
	}
	if (read_attr("/sys/class/zram-control/hot_add", buf, sizeof(buf))) {
		snprintf(err, errlen, "capture zram: every zram device is in use and hot_add failed: %s",
			 strerror(errno));
		return -1;
	}
	z->id = atoi(buf);
	z->hot_added = 1;
	return 0;
}

static int compressor_offered(int id, const char *name)
{
	char buf[512], *tok, *save = NULL;

	if (zram_attr(id, "comp_algorithm", buf, sizeof(buf)))
		return 0;
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		size_t n = strlen(tok);

		if (tok[0] == '[' && tok[n - 1] == ']') {
			tok[n - 1] = '\0';
			tok++;
		}
		if (!strcmp(tok, name))
			return 1;
	}
	return 0;
}

int zpb_zram_setup(struct zpb_zram *z, const char *device, const char *compressor,
		   uint64_t pages, char *err, size_t errlen)
{
	struct sigaction sa;
	char path[64], val[32];

	memset(z, 0, sizeof(*z));
	z->fd = z->mm_stat_fd = -1;
	z->id = -1;
	if (geteuid() != 0) {
		snprintf(err, errlen, "capture zram: needs root, to configure and write a zram device");
		return -1;
	}
	if (access("/sys/block/zram0", F_OK) && access("/sys/class/zram-control", F_OK)) {
		snprintf(err, errlen, "capture zram: no zram on this kernel (try: modprobe zram)");
		return -1;
	}
	if (device) {
		if (sscanf(device, "/dev/zram%d", &z->id) != 1 || z->id < 0) {
			snprintf(err, errlen, "capture zram: '%s' is not a zram device (/dev/zramN)", device);
			return -1;
		}
		snprintf(path, sizeof(path), "/sys/block/zram%d", z->id);
		if (access(path, F_OK)) {
			snprintf(err, errlen, "capture zram: %s does not exist", device);
			return -1;
		}
		if (!device_free(z->id)) {
			snprintf(err, errlen, "capture zram: %s is in use (it has a disk size); "
				 "reset it first or let capture pick a free device", device);
			return -1;
		}
	} else if (find_or_add(z, err, errlen)) {
		return -1;
	}
	if (!active) {
		static int registered;

		if (!registered++)
			atexit(release_active);
	}
	active = z;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = release_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (!compressor_offered(z->id, compressor)) {
		char offered[512] = "";

		zram_attr(z->id, "comp_algorithm", offered, sizeof(offered));
		offered[strcspn(offered, "\n")] = '\0';
		snprintf(err, errlen, "capture zram: zram%d does not offer compressor '%s' (it offers: %s)",
			 z->id, compressor, offered);
		goto fail;
	}
	if (write_attr(z->id, "comp_algorithm", compressor)) {
		snprintf(err, errlen, "capture zram: cannot set comp_algorithm of zram%d to %s: %s",
			 z->id, compressor, strerror(errno));
		goto fail;
	}
	snprintf(val, sizeof(val), "%llu", (unsigned long long)pages * PAGE);
	if (write_attr(z->id, "disksize", val)) {
		snprintf(err, errlen, "capture zram: cannot set disksize of zram%d: %s", z->id, strerror(errno));
		goto fail;
	}
	z->pages = pages;
	snprintf(path, sizeof(path), "/dev/zram%d", z->id);
	z->fd = open(path, O_RDWR | O_DIRECT);
	if (z->fd < 0) {
		snprintf(err, errlen, "capture zram: cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "/sys/block/zram%d/mm_stat", z->id);
	z->mm_stat_fd = open(path, O_RDONLY);
	if (z->mm_stat_fd < 0 || posix_memalign(&z->buf, PAGE, PAGE)) {
		snprintf(err, errlen, "capture zram: cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	zpb_zram_release(z);
	return -1;
}

int zpb_zram_write(struct zpb_zram *z, uint64_t index, const void *page, char *err, size_t errlen)
{
	memcpy(z->buf, page, PAGE);
	if (pwrite(z->fd, z->buf, PAGE, (off_t)(index * PAGE)) != PAGE) {
		snprintf(err, errlen, "capture zram: write of page %llu to zram%d failed: %s",
			 (unsigned long long)index, z->id, strerror(errno));
		return -1;
	}
	return 0;
}

int zpb_zram_discard(struct zpb_zram *z, uint64_t index, char *err, size_t errlen)
{
	uint64_t range[2] = { index * PAGE, PAGE };

	if (ioctl(z->fd, BLKDISCARD, range)) {
		snprintf(err, errlen, "capture zram: discard of page %llu on zram%d failed: %s",
			 (unsigned long long)index, z->id, strerror(errno));
		return -1;
	}
	return 0;
}

int zpb_zram_compact(struct zpb_zram *z, char *err, size_t errlen)
{
	if (write_attr(z->id, "compact", "1")) {
		snprintf(err, errlen, "capture zram: compact of zram%d failed: %s", z->id, strerror(errno));
		return -1;
	}
	return 0;
}

int zpb_zram_mm_stat(struct zpb_zram *z, struct zpb_mm_stat *st, char *err, size_t errlen)
{
	char buf[256];
	ssize_t n = pread(z->mm_stat_fd, buf, sizeof(buf) - 1, 0);
	unsigned long long v[9];

	if (n <= 0) {
		snprintf(err, errlen, "capture zram: cannot read mm_stat of zram%d", z->id);
		return -1;
	}
	buf[n] = '\0';
	memset(v, 0, sizeof(v));
	/* Older kernels print fewer fields; missing ones stay 0. */
	if (sscanf(buf, "%llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) < 7) {
		snprintf(err, errlen, "capture zram: mm_stat of zram%d has an unknown layout: %s", z->id, buf);
		return -1;
	}
	st->orig_data_size = v[0];
	st->compr_data_size = v[1];
	st->mem_used_total = v[2];
	st->mem_limit = v[3];
	st->mem_used_max = v[4];
	st->same_pages = v[5];
	st->pages_compacted = v[6];
	st->huge_pages = v[7];
	st->huge_pages_since = v[8];
	return 0;
}

void zpb_zram_release(struct zpb_zram *z)
{
	char buf[16];

	if (z->fd >= 0)
		close(z->fd);
	if (z->mm_stat_fd >= 0)
		close(z->mm_stat_fd);
	z->fd = z->mm_stat_fd = -1;
	free(z->buf);
	z->buf = NULL;
	if (z->id >= 0) {
		/* reset frees the kernel's pool; it fails while the device is open. */
		write_attr(z->id, "reset", "1");
		if (z->hot_added) {
			int fd = open("/sys/class/zram-control/hot_remove", O_WRONLY);

			snprintf(buf, sizeof(buf), "%d", z->id);
			/* Best effort: the device is reset whether or not it goes away. */
			if (fd >= 0) {
				if (write(fd, buf, strlen(buf)) < 0)
					buf[0] = '\0';
				close(fd);
			}
		}
		z->id = -1;
	}
	if (active == z)
		active = NULL;
}
