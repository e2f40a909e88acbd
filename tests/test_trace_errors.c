// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bad trace input, binary and text: each class (bad magic, unsupported
 * version, truncated record, invalid op, key out of range, absurd length,
 * hostile varints and lengths) fails with one line that names the file and
 * the record, and later calls keep failing instead of going on.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../traces/trace.h"
#include "harness.h"
#include "trace_util.h"

/*
 * zpb_trace_next_batch() on @path must give the @good records, then the
 * same error as record by record (@err): 0, or -1 with @err saying how not.
 */
static int batch_error(const char *path, char *err, size_t errlen, uint64_t good)
{
	struct zpb_trace_reader *r = zpb_trace_open(path, err, errlen);
	struct zpb_rec batch[7];
	char label[ZPB_LABEL_MAX + 1], got[512];
	uint64_t n = 0;
	int rc;

	if (!r)
		return -1;
	while ((rc = zpb_trace_next_batch(r, batch, 7, label, got, sizeof(got))) > 0)
		n += (uint64_t)rc;
	zpb_trace_close(r);
	if (rc == -1 && n == good && !strcmp(got, err))
		return 0;
	snprintf(err, errlen, "batches read %llu good records, then %d '%.300s'", (unsigned long long)n, rc,
		 rc ? got : "");
	return -1;
}

/* The whole error a reader gives for @path: at open, or at the first bad record. */
static int read_error(const char *path, char *err, size_t errlen, uint64_t *good)
{
	struct zpb_trace_reader *r = zpb_trace_open(path, err, errlen);
	struct zpb_record rec;
	int rc;

	*good = 0;
	if (!r)
		return -1;
	while ((rc = zpb_trace_next(r, &rec, err, errlen)) == 1)
		(*good)++;
	if (rc < 0) {
		char again[512];

		/* Sticky: the next call repeats the error rather than resynchronizing. */
		if (zpb_trace_next(r, &rec, again, sizeof(again)) != -1 || strcmp(again, err))
			snprintf(err, errlen, "error not sticky: then '%.400s'", again);
	}
	zpb_trace_close(r);
	if (rc < 0 && batch_error(path, err, errlen, *good))
		return 0;
	return rc;
}

#define EXPECT_ERROR(path, ...) do {						\
	char __err[512];							\
	uint64_t __good;							\
	const char *__want[] = { __VA_ARGS__, NULL };				\
	int __i;								\
	int __rc = read_error(path, __err, sizeof(__err), &__good);		\
	CHECK(__rc == -1, "%s: expected an error, read %llu records cleanly", path, \
	      (unsigned long long)__good);					\
	if (__rc == -1) {							\
		CHECK(!strncmp(__err, path, strlen(path)), "error does not start with the file name: '%s'", __err); \
		CHECK(!strchr(__err, '\n'), "error is not one line: '%s'", __err); \
		for (__i = 0; __want[__i]; __i++)				\
			CHECK(strstr(__err, __want[__i]), "error '%s' lacks '%s'", __err, __want[__i]); \
	}									\
} while (0)

static void write_text(const char *path, const char *s)
{
	tu_write_file(path, s, strlen(s));
}

/* A binary trace's header (no records) followed by raw record bytes, with the count patched. */
static void write_binary(const char *path, uint64_t count, const unsigned char *recs, size_t n)
{
	struct zpb_trace_header h;
	char err[256];
	unsigned char *data, *all;
	size_t len, i;

	zpb_trace_header_init(&h);
	if (tu_write(path, ZPB_TRACE_BINARY, &h, NULL, 0, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
	data = tu_read_file(path, &len);
	all = malloc(len + n);
	memcpy(all, data, len);
	memcpy(all + len, recs, n);
	for (i = 0; i < 8; i++)
		all[24 + i] = (unsigned char)(count >> (8 * i));
	tu_write_file(path, all, len + n);
	free(data);
	free(all);
}

/* A valid binary trace of @n random records; returns its length and header length. */
static size_t valid_binary(const char *path, size_t n, size_t *hdr_len)
{
	struct zpb_record *recs = calloc(n, sizeof(*recs));
	struct zpb_trace_header h;
	uint64_t s = 99;
	char err[256];
	size_t i, len;
	unsigned char *d;

	zpb_trace_header_init(&h);
	for (i = 0; i < n; i++)
		tu_random_record(&s, h.page_size, i * 10, &recs[i]);
	if (tu_write(path, ZPB_TRACE_BINARY, &h, recs, 0, err, sizeof(err)) ||
	    !(d = tu_read_file(path, hdr_len)))
		exit(2);
	free(d);
	if (tu_write(path, ZPB_TRACE_BINARY, &h, recs, n, err, sizeof(err)) ||
	    !(d = tu_read_file(path, &len)))
		exit(2);
	free(d);
	free(recs);
	return len;
}

TEST(bad_magic_is_an_error_naming_the_file)
{
	const char *p = tu_path("magic.bin");
	struct zpb_trace_header h;
	char err[256];
	unsigned char *d;
	size_t len;

	zpb_trace_header_init(&h);
	REQUIRE(tu_write(p, ZPB_TRACE_BINARY, &h, NULL, 0, err, sizeof(err)) == 0, "%s", err);
	d = tu_read_file(p, &len);
	d[5] = 'X';	/* "\x89ZPBTXC\n" */
	tu_write_file(p, d, len);
	free(d);
	EXPECT_ERROR(p, "bad magic");
	write_text(tu_path("magic.txt"), "hello world\n1 2 3\n");
	EXPECT_ERROR(tu_path("magic.txt"), "bad magic");
	write_text(tu_path("empty"), "");
	EXPECT_ERROR(tu_path("empty"), "empty file");
}

TEST(unsupported_version_is_an_error_in_both_forms)
{
	const char *p = tu_path("v2.bin");
	struct zpb_trace_header h;
	char err[256];
	unsigned char *d;
	size_t len;

	zpb_trace_header_init(&h);
	REQUIRE(tu_write(p, ZPB_TRACE_BINARY, &h, NULL, 0, err, sizeof(err)) == 0, "%s", err);
	d = tu_read_file(p, &len);
	d[8] = 2;
	tu_write_file(p, d, len);
	free(d);
	EXPECT_ERROR(p, "unsupported trace version 2");
	write_text(tu_path("v2.txt"), "# zpoolbench-trace 2\n0 0 COMPACT\n");
	EXPECT_ERROR(tu_path("v2.txt"), "unsupported trace version '2'");
	h.version = 2;
	CHECK(!zpb_trace_writer_open(tu_path("w2.bin"), ZPB_TRACE_BINARY, &h, err, sizeof(err)),
	      "a writer accepted version 2");
}

/* read_error on @len bytes in a memfd: no file system round trip per case. */
static int read_error_mem(const unsigned char *d, size_t len, const char *name, char *err, size_t errlen,
			  uint64_t *good)
{
	int fd = memfd_create("trace", 0);
	struct zpb_trace_reader *r;
	struct zpb_record rec;
	int rc;

	*good = 0;
	if (fd < 0 || write(fd, d, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "memfd failed");
		return -2;
	}
	r = zpb_trace_open_fd(fd, name, err, errlen);
	if (!r) {
		close(fd);
		return -1;
	}
	while ((rc = zpb_trace_next(r, &rec, err, errlen)) == 1)
		(*good)++;
	zpb_trace_close(r);
	close(fd);
	return rc;
}

TEST(truncated_binary_record_names_the_record_and_offset)
{
	const char *p = tu_path("trunc.bin");
	size_t hdr, len = valid_binary(p, 1000, &hdr), cut;
	unsigned char *d = tu_read_file(p, &len);
	char err[512];
	uint64_t good;

	/* Cut at every length inside the records: never a crash, always an error naming a record. */
	for (cut = hdr; cut < len; cut++) {
		if (read_error_mem(d, cut, p, err, sizeof(err), &good) != -1) {
			CHECK(0, "cut at byte %zu of %zu: no error (%llu records)", cut, len, (unsigned long long)good);
			break;
		}
		CHECK(strstr(err, "truncated") && strstr(err, "record ") && strstr(err, "byte "),
		      "cut at byte %zu: '%s'", cut, err);
	}
	tu_write_file(p, d, len - 1);
	EXPECT_ERROR(p, "record 1000 ", "truncated");
	/* The header cut short. */
	tu_write_file(p, d, 20);
	EXPECT_ERROR(p, "truncated header");
	free(d);
}

TEST(truncated_text_trace_is_caught_by_its_record_count)
{
	const char *p = tu_path("trunc.txt");

	write_text(p, "# zpoolbench-trace 1\n# records 3\n1 0 STORE 0:1 100\n2 0 LOAD 0:1\n");
	EXPECT_ERROR(p, "record 3", "truncated trace", "promises 3");
	write_text(p, "# zpoolbench-trace 1\n# records 1\n1 0 STORE 0:1 100\n2 0 LOAD 0:1\n");
	EXPECT_ERROR(p, "record 2", "more records");
	/* A line cut in the middle of its fields. */
	write_text(p, "# zpoolbench-trace 1\n1 0 STORE 0:1 100\n2 0 STO");
	EXPECT_ERROR(p, ":3: record 2", "unknown op 'STO'");
	write_text(p, "# zpoolbench-trace 1\n1 0 STORE 0:1 100\n2 0 STORE 0:2");
	EXPECT_ERROR(p, ":3: record 2", "needs a length");
}

TEST(invalid_op_is_an_error_naming_the_record)
{
	const unsigned char zero_op[] = { 0x00 }, ok_then_bad[] = { 0x05, 0x07 | 0x00 };
	const char *p = tu_path("op.bin");

	write_binary(p, 1, zero_op, sizeof(zero_op));
	EXPECT_ERROR(p, "record 1 ", "unknown op 0");
	/* A COMPACT, then a short STORE cut off. */
	write_binary(p, 2, ok_then_bad, sizeof(ok_then_bad));
	EXPECT_ERROR(p, "record 2 ", "truncated");
	write_text(tu_path("op.txt"), "# zpoolbench-trace 1\n0 0 COMPACT\n\n# comment\n5 1 FROB 0:1\n");
	EXPECT_ERROR(tu_path("op.txt"), "op.txt:5: record 2", "unknown op 'FROB'");
}

TEST(key_out_of_range_is_an_error_in_both_forms)
{
	/* LOAD, key delta zigzag(INT64_MIN): key 1 << 63, swap type 32. */
	const unsigned char rec[] = { 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	const char *p = tu_path("key.bin");
	struct zpb_trace_header h;
	struct zpb_record r = { .op = ZPB_OP_LOAD, .key = ZPB_KEY(32, 1) };
	char err[256];

	write_binary(p, 1, rec, sizeof(rec));
	EXPECT_ERROR(p, "record 1 ", "out of range", "swap type 32");
	write_text(tu_path("key.txt"), "# zpoolbench-trace 1\n0 0 LOAD 32:1\n");
	EXPECT_ERROR(tu_path("key.txt"), "record 1", "key '32:1' out of range");
	write_text(tu_path("key.txt"), "# zpoolbench-trace 1\n0 0 LOAD 0:288230376151711744\n");
	EXPECT_ERROR(tu_path("key.txt"), "record 1", "out of range");
	write_text(tu_path("key.txt"), "# zpoolbench-trace 1\n0 0 LOAD 0xffffffffffffffff\n");
	EXPECT_ERROR(tu_path("key.txt"), "record 1", "out of range");
	/* Writers refuse it too, naming the record. */
	zpb_trace_header_init(&h);
	CHECK(tu_write(tu_path("key.w"), ZPB_TRACE_BINARY, &h, &r, 1, err, sizeof(err)) == -1 &&
	      strstr(err, "record 1: key"), "writer: '%s'", err);
}

TEST(absurd_store_length_is_an_error_in_both_forms)
{
	/* STORE key 1, length 0 with no flags; then one of 5000 on 4096-byte pages. */
	const unsigned char zero[] = { 0x01, 0x02, 0x00 }, big[] = { 0x01, 0x02, 0x90, 0x4e };
	const char *p = tu_path("len.bin");
	struct zpb_trace_header h;
	struct zpb_record r = { .op = ZPB_OP_STORE, .key = 1, .len = 4097 };
	char err[256];

	write_binary(p, 1, zero, sizeof(zero));
	EXPECT_ERROR(p, "record 1 ", "STORE length 0 out of range");
	write_binary(p, 1, big, sizeof(big));
	EXPECT_ERROR(p, "record 1 ", "STORE length 5000 out of range");
	write_text(tu_path("len.txt"), "# zpoolbench-trace 1\n0 0 STORE 0:1 0\n");
	EXPECT_ERROR(tu_path("len.txt"), "record 1", "STORE length 0 out of range");
	write_text(tu_path("len.txt"), "# zpoolbench-trace 1\n# page_size 4096\n0 0 STORE 0:1 4097\n");
	EXPECT_ERROR(tu_path("len.txt"), "record 1", "out of range");
	write_text(tu_path("len.txt"), "# zpoolbench-trace 1\n0 0 STORE 0:1 99999999999999999999999\n");
	EXPECT_ERROR(tu_path("len.txt"), "record 1", "out of range");
	zpb_trace_header_init(&h);
	CHECK(tu_write(tu_path("len.w"), ZPB_TRACE_TEXT, &h, &r, 1, err, sizeof(err)) == -1 &&
	      strstr(err, "length 4097"), "writer: '%s'", err);
}

TEST(hostile_binary_fields_fail_cleanly)
{
	/* An 11-byte varint time. */
	const unsigned char longvar[] = { 0x85, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	/* A MARK with a 200-byte label length. */
	const unsigned char label[] = { 0x06, 200 };
	/* A key mode on COMPACT, which has no key. */
	const unsigned char keymode[] = { 0x15 };
	/* A STORE with a flags byte holding unknown bits. */
	const unsigned char flags[] = { 0x01, 0x02, 0x81, 0x01, 0xf0 };
	/* A CPU far past any machine's. */
	const unsigned char cpu[] = { 0x0d, 0xff, 0xff, 0x03 };
	const char *p = tu_path("hostile.bin");
	unsigned char *d;
	size_t len;

	write_binary(p, 1, longvar, sizeof(longvar));
	EXPECT_ERROR(p, "record 1 ", "longer than 64 bits");
	write_binary(p, 1, label, sizeof(label));
	EXPECT_ERROR(p, "record 1 ", "label length 200");
	write_binary(p, 1, keymode, sizeof(keymode));
	EXPECT_ERROR(p, "record 1 ", "key mode");
	write_binary(p, 1, flags, sizeof(flags));
	EXPECT_ERROR(p, "record 1 ", "unknown STORE flags");
	write_binary(p, 1, cpu, sizeof(cpu));
	EXPECT_ERROR(p, "record 1 ", "cpu 65535 out of range");
	/* A record count far beyond the bytes: truncated, not a hang. */
	write_binary(p, UINT64_MAX, keymode, 0);
	EXPECT_ERROR(p, "truncated trace");
	/* header_size beyond the file and beyond any header. */
	write_binary(p, 0, keymode, 0);
	d = tu_read_file(p, &len);
	d[12] = 0xff, d[13] = 0xff;
	tu_write_file(p, d, len);
	EXPECT_ERROR(p, "header_size");
	free(d);
}

TEST(hostile_text_lines_fail_cleanly)
{
	const char *p = tu_path("hostile.txt");
	char *big = malloc(70000);

	REQUIRE(big, "out of memory");
	write_text(p, "# zpoolbench-trace 1\n0 0 STORE 0:1 100 same same\n");
	EXPECT_ERROR(p, "record 1", "given twice");
	write_text(p, "# zpoolbench-trace 1\n0 0 STORE 0:1 100 seed=0x1 page=2\n");
	EXPECT_ERROR(p, "record 1", "both a content seed and a page reference");
	write_text(p, "# zpoolbench-trace 1\n0 0 LOAD 0:1 7\n");
	EXPECT_ERROR(p, "record 1", "unexpected field '7'");
	write_text(p, "# zpoolbench-trace 1\n-5 0 LOAD 0:1\n");
	EXPECT_ERROR(p, "record 1", "bad time");
	write_text(p, "# zpoolbench-trace 1\n# page_size 4095\n");
	EXPECT_ERROR(p, "bad header line");
	memcpy(big, "# zpoolbench-trace 1\n0 0 MARK ", 30);
	memset(big + 30, 'x', 69000);
	big[69030] = '\n';
	tu_write_file(p, big, 69031);
	EXPECT_ERROR(p, "hostile.txt:2: ", "line longer");
	tu_write_file(p, "# zpoolbench-trace 1\n0 0 CO\0MPACT\n", 34);
	EXPECT_ERROR(p, "hostile.txt:2: ", "NUL byte");
	/* The same after a good record: the line and the record. */
	tu_write_file(p, "# zpoolbench-trace 1\n0 0 COMPACT\n0 0 CO\0MPACT\n", 46);
	EXPECT_ERROR(p, "hostile.txt:3: record 2: ", "NUL byte");
	free(big);
}

TEST(a_writer_that_fails_leaves_the_target_untouched)
{
	const char *p = tu_path("keep.txt");
	struct zpb_trace_header h;
	struct zpb_trace_writer *w;
	struct zpb_record ok = { .op = ZPB_OP_COMPACT };
	char err[256];
	unsigned char *d;
	size_t len;

	write_text(p, "precious");
	zpb_trace_header_init(&h);
	w = zpb_trace_writer_open(p, ZPB_TRACE_BINARY, &h, err, sizeof(err));
	REQUIRE(w, "%s", err);
	REQUIRE(zpb_trace_write(w, &ok, err, sizeof(err)) == 0, "%s", err);
	zpb_trace_writer_abort(w);
	d = tu_read_file(p, &len);
	CHECK(d && len == 8 && !memcmp(d, "precious", 8), "the target changed after abort");
	free(d);
}

/*
 * A text trace of exactly one input buffer (64 KiB) whose last line has no
 * newline: the line is still read, not taken for an overlong or cut one.
 */
TEST(last_line_without_newline_at_the_end_of_a_buffer_is_read)
{
	const char *p = tu_path("edge.txt");
	const char *hdr = "# zpoolbench-trace 1\n", *last = "9 0 COMPACT";
	size_t size = 65536, at = 0, lines = 0, n;
	char *buf = malloc(size + 1);
	char err[512];
	uint64_t good;
	int k;

	REQUIRE(buf, "out of memory");
	at = (size_t)sprintf(buf, "%s", hdr);
	/* Fill with records up to the last line's start, padding with a comment line. */
	while (at + 40 < size - strlen(last)) {
		at += (size_t)sprintf(buf + at, "1 0 COMPACT\n");
		lines++;
	}
	n = size - strlen(last) - at;
	buf[at] = '#';
	memset(buf + at + 1, ' ', n - 2);
	buf[at + n - 1] = '\n';
	memcpy(buf + size - strlen(last), last, strlen(last));
	tu_write_file(p, buf, size);
	k = read_error(p, err, sizeof(err), &good);
	CHECK(k == 0, "the trace did not read: %s", err);
	CHECK_EQ_UL(good, lines + 1, "records");
	free(buf);
}

TEST(text_header_field_given_twice_is_an_error_naming_the_line)
{
	const char *p = tu_path("twice.txt");

	/* The last page_size used to win: 512, silently, over the 4096 the writer meant first. */
	write_text(p, "# zpoolbench-trace 1\n# page_size 4096\n# page_size 512\n1 0 STORE 0:1 100\n");
	EXPECT_ERROR(p, ":3:", "a second '# page_size' line");
	write_text(p, "# zpoolbench-trace 1\n# records 1\n# compressor lz4\n# records 1\n1 0 STORE 0:1 100\n");
	EXPECT_ERROR(p, ":4:", "'# records'");
	write_text(p, "# zpoolbench-trace 1\n# compressor lz4\n# compressor zstd\n1 0 STORE 0:1 100\n");
	EXPECT_ERROR(p, ":3:", "'# compressor'");
}
