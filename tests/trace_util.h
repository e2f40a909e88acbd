/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the trace tests: a scratch directory, deterministic random
 * records, writing a record array to a trace and reading one back.
 */
#ifndef ZPB_TESTS_TRACE_UTIL_H
#define ZPB_TESTS_TRACE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "../traces/trace.h"

/* A path in a per-process scratch directory (removed at exit); the last 4 stay valid. */
const char *tu_path(const char *name);
/* splitmix64: the tests' deterministic generator. */
uint64_t tu_rand(uint64_t *state);
/* A random valid record of any op, with every field a valid record may use. */
void tu_random_record(uint64_t *state, uint32_t page_size, uint64_t time, struct zpb_record *rec);
/* Write @n records; 0, or -1 with the error printed into @err. */
int tu_write(const char *path, enum zpb_trace_form form, const struct zpb_trace_header *hdr,
	     const struct zpb_record *recs, size_t n, char *err, size_t errlen);
/* Read up to @max records; returns how many, or -1 with @err. */
long tu_read(const char *path, struct zpb_record *recs, size_t max, char *err, size_t errlen);
/* Records equal in every field their op uses. */
int tu_record_eq(const struct zpb_record *a, const struct zpb_record *b);
/* Write @len bytes to @path. */
void tu_write_file(const char *path, const void *data, size_t len);
/* The whole file, malloc'd and NUL-terminated; *len set. */
unsigned char *tu_read_file(const char *path, size_t *len);

#endif
