// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for the trace tests (see trace_util.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_util.h"

static char scratch[64];

static void cleanup(void)
{
	char cmd[128];

	if (scratch[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", scratch);
	}
}

const char *tu_path(const char *name)
{
	static char buf[4][256];
	static int i;

	if (!scratch[0]) {
		snprintf(scratch, sizeof(scratch), "/tmp/zpb-trace-test.XXXXXX");
		if (!mkdtemp(scratch)) {
			perror("mkdtemp");
			exit(2);
		}
		atexit(cleanup);
	}
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", scratch, name);
	return buf[i];
}

uint64_t tu_rand(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void tu_random_record(uint64_t *s, uint32_t page_size, uint64_t time, struct zpb_record *rec)
{
	uint64_t r = tu_rand(s);

	memset(rec, 0, sizeof(*rec));
	rec->time_ns = time;
	rec->op = (uint8_t)(ZPB_OP_STORE + r % ZPB_OP_MAX);
	/* Mostly small CPUs, sometimes the largest. */
	rec->cpu = (r >> 8) % 8 == 0 ? ZPB_TRACE_CPU_MAX : (uint32_t)((r >> 11) % 64);
	if (rec->op <= ZPB_OP_WRITEBACK) {
		uint64_t t = tu_rand(s) % (ZPB_KEY_TYPE_MAX + 1);
		uint64_t o = tu_rand(s);

		/* Extremes too: offset 0 and the largest offset. */
		o = (r >> 20) % 5 == 0 ? 0 : (r >> 20) % 5 == 1 ? ZPB_KEY_OFFSET_MASK : o % (1u << 20);
		rec->key = ZPB_KEY(t, o);
	}
	if (rec->op == ZPB_OP_STORE) {
		rec->flags = (uint8_t)(tu_rand(s) % 16);
		if ((rec->flags & ZPB_STORE_SEED) && (rec->flags & ZPB_STORE_PAGEREF))
			rec->flags &= (uint8_t)~ZPB_STORE_PAGEREF;
		if (rec->flags & (ZPB_STORE_SEED | ZPB_STORE_PAGEREF))
			rec->content = (r >> 30) % 3 == 0 ? UINT64_MAX : tu_rand(s);
		rec->len = 1 + (uint32_t)(tu_rand(s) % page_size);
		if (rec->flags & ZPB_STORE_SAME_FILLED && (r >> 40) % 4 == 0)
			rec->len = 0;
	}
	if (rec->op == ZPB_OP_MARK) {
		size_t n = tu_rand(s) % (ZPB_LABEL_MAX + 1), i;

		for (i = 0; i < n; i++)
			rec->label[i] = (char)('!' + tu_rand(s) % ('~' - '!' + 1));
		rec->label[n] = '\0';
	}
}

int tu_write(const char *path, enum zpb_trace_form form, const struct zpb_trace_header *hdr,
	     const struct zpb_record *recs, size_t n, char *err, size_t errlen)
{
	struct zpb_trace_writer *w = zpb_trace_writer_open(path, form, hdr, err, errlen);
	size_t i;

	if (!w)
		return -1;
	for (i = 0; i < n; i++) {
		if (zpb_trace_write(w, &recs[i], err, errlen)) {
			zpb_trace_writer_abort(w);
			return -1;
		}
	}
	return zpb_trace_writer_finish(w, err, errlen);
}

long tu_read(const char *path, struct zpb_record *recs, size_t max, char *err, size_t errlen)
{
	struct zpb_trace_reader *r = zpb_trace_open(path, err, errlen);
	struct zpb_record rec;
	long n = 0;
	int rc;

	if (!r)
		return -1;
	while ((rc = zpb_trace_next(r, &rec, err, errlen)) == 1) {
		if ((size_t)n < max)
			recs[n] = rec;
		n++;
	}
	zpb_trace_close(r);
	return rc < 0 ? -1 : n;
}

int tu_record_eq(const struct zpb_record *a, const struct zpb_record *b)
{
	if (a->time_ns != b->time_ns || a->cpu != b->cpu || a->op != b->op)
		return 0;
	if (a->op <= ZPB_OP_WRITEBACK && a->key != b->key)
		return 0;
	if (a->op == ZPB_OP_STORE &&
	    (a->len != b->len || a->flags != b->flags ||
	     ((a->flags & (ZPB_STORE_SEED | ZPB_STORE_PAGEREF)) && a->content != b->content)))
		return 0;
	if (a->op == ZPB_OP_MARK && strcmp(a->label, b->label))
		return 0;
	return 1;
}

void tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(2);
	}
}

unsigned char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';	/* callers may treat text files as strings */
	fclose(f);
	*len = (size_t)n;
	return buf;
}
