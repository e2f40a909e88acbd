/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What both trace-reader fuzz targets do with an input: put it in a memfd,
 * read every record (checking each against the invariants a reader
 * promises), rewind, read again and compare counts, and feed the records to
 * the semantic checker. Any crash, sanitizer report or broken promise is a
 * finding.
 */
#ifndef ZPB_FUZZ_COMMON_H
#define ZPB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../traces/trace.h"

static int fuzz_fd = -1;

static void fuzz_load(const uint8_t *pre, size_t npre, const uint8_t *data, size_t size)
{
	if (fuzz_fd < 0)
		fuzz_fd = memfd_create("fuzz-trace", 0);
	if (fuzz_fd < 0 || ftruncate(fuzz_fd, 0) || lseek(fuzz_fd, 0, SEEK_SET) ||
	    (npre && write(fuzz_fd, pre, npre) != (ssize_t)npre) ||
	    (size && write(fuzz_fd, data, size) != (ssize_t)size) || lseek(fuzz_fd, 0, SEEK_SET)) {
		perror("fuzz: memfd");
		abort();
	}
}

static uint64_t fuzz_pass(struct zpb_trace_reader *r, struct zpb_checker *c, int *rc)
{
	const struct zpb_trace_header *h = zpb_trace_header(r);
	struct zpb_record rec;
	char err[512], msg[256], line[ZPB_TRACE_LINE_MAX];
	uint64_t n = 0;

	while ((*rc = zpb_trace_next(r, &rec, err, sizeof(err))) == 1) {
		n++;
		/* A reader only returns records that pass the record check and print. */
		if (zpb_record_check(&rec, h->page_size, msg, sizeof(msg)) ||
		    zpb_trace_format_record(&rec, line, sizeof(line)) < 0) {
			fprintf(stderr, "fuzz: reader returned a bad record %llu\n", (unsigned long long)n);
			abort();
		}
		if (c && zpb_checker_feed(c, &rec, n, msg, sizeof(msg)) < 0)
			break;
	}
	if (*rc < 0 && (!strchr(err, ':') || strchr(err, '\n'))) {
		fprintf(stderr, "fuzz: error is not one line naming the file: %s\n", err);
		abort();
	}
	return n;
}

static void fuzz_read(void)
{
	char err[512];
	struct zpb_trace_reader *r = zpb_trace_open_fd(fuzz_fd, "fuzz", err, sizeof(err));
	struct zpb_checker *c;
	uint64_t first, again;
	int rc1, rc2;

	if (!r)
		return;
	c = zpb_checker_new(NULL);
	first = fuzz_pass(r, c, &rc1);
	if (zpb_trace_rewind(r, err, sizeof(err)) == 0) {
		again = fuzz_pass(r, NULL, &rc2);
		if (again != first || rc1 != rc2) {
			fprintf(stderr, "fuzz: rewind read %llu records (rc %d), first pass %llu (rc %d)\n",
				(unsigned long long)again, rc2, (unsigned long long)first, rc1);
			abort();
		}
	}
	zpb_checker_free(c);
	zpb_trace_close(r);
}

#endif
