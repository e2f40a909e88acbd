/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What both trace-reader fuzz targets do with an input: put it in a memfd,
 * read every record (checking each against the invariants a reader
 * promises), rewind, read again and compare counts, feed the records to
 * the semantic checker, and write a trace that read cleanly in both forms
 * and read it back (the conversion must be lossless). Any crash, sanitizer report or broken promise is a
 * finding.
 */
#ifndef ZPB_FUZZ_COMMON_H
#define ZPB_FUZZ_COMMON_H

#include <stdbool.h>
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

static const char *fuzz_dir;

static void fuzz_rmdir(void)
{
	rmdir(fuzz_dir);
}

static bool same_record(const struct zpb_record *a, const struct zpb_record *b)
{
	return a->time_ns == b->time_ns && a->cpu == b->cpu && a->op == b->op && a->flags == b->flags &&
	       a->len == b->len && a->key == b->key && a->content == b->content &&
	       !strcmp(a->label, b->label);
}

/*
 * Losslessness: a trace that reads cleanly is written in both forms, and
 * each reads back with the same header fields and the same records.
 */
static void fuzz_round_trip(struct zpb_trace_reader *r)
{
	static char dir[64];
	char path[2][96], err[512];
	struct zpb_trace_writer *w[2];
	struct zpb_trace_reader *back;
	struct zpb_record rec, got;
	int i;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/dev/shm/zpb-fuzz.XXXXXX");
		if (!mkdtemp(dir)) {
			snprintf(dir, sizeof(dir), "/tmp/zpb-fuzz.XXXXXX");
			if (!mkdtemp(dir)) {
				perror("fuzz: mkdtemp");
				abort();
			}
		}
		fuzz_dir = dir;
		atexit(fuzz_rmdir);
	}
	for (i = 0; i < 2; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/%s", dir, i ? "t.txt" : "t.bin");
		w[i] = zpb_trace_writer_open(path[i], i ? ZPB_TRACE_TEXT : ZPB_TRACE_BINARY,
					     zpb_trace_header(r), err, sizeof(err));
		if (!w[i]) {
			fprintf(stderr, "fuzz: a header that read does not write: %s\n", err);
			abort();
		}
	}
	if (zpb_trace_rewind(r, err, sizeof(err)))
		abort();
	while (zpb_trace_next(r, &rec, err, sizeof(err)) == 1)
		for (i = 0; i < 2; i++)
			if (zpb_trace_write(w[i], &rec, err, sizeof(err))) {
				fprintf(stderr, "fuzz: a record that read does not write: %s\n", err);
				abort();
			}
	for (i = 0; i < 2; i++) {
		uint64_t n = 0;

		if (zpb_trace_writer_finish(w[i], err, sizeof(err)) || zpb_trace_rewind(r, err, sizeof(err)))
			abort();
		back = zpb_trace_open(path[i], err, sizeof(err));
		if (!back) {
			fprintf(stderr, "fuzz: a trace just written does not open: %s\n", err);
			abort();
		}
		if (zpb_trace_header(back)->page_size != zpb_trace_header(r)->page_size ||
		    strcmp(zpb_trace_header(back)->compressor, zpb_trace_header(r)->compressor) ||
		    strcmp(zpb_trace_header(back)->source, zpb_trace_header(r)->source)) {
			fprintf(stderr, "fuzz: header changed in the %s form\n", i ? "text" : "binary");
			abort();
		}
		while (zpb_trace_next(r, &rec, err, sizeof(err)) == 1) {
			n++;
			if (zpb_trace_next(back, &got, err, sizeof(err)) != 1 || !same_record(&rec, &got)) {
				fprintf(stderr, "fuzz: record %llu differs after the %s round trip (%s)\n",
					(unsigned long long)n, i ? "text" : "binary", err);
				abort();
			}
		}
		if (zpb_trace_next(back, &got, err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz: the %s round trip has more records\n", i ? "text" : "binary");
			abort();
		}
		zpb_trace_close(back);
		unlink(path[i]);
	}
}

static __attribute__((unused)) void fuzz_read(void)
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
		if (rc1 == 0)
			fuzz_round_trip(r);
	}
	zpb_checker_free(c);
	zpb_trace_close(r);
}

#endif
