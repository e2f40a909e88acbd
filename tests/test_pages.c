// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page-content files (traces/pages.c): what is written reads back byte for
 * byte; a flipped byte, a cut file, trailing bytes, a wrong count, an unknown
 * version each fail with one line naming the file; capture pages writes the
 * input's pages; the bundled samples' contents are whole.
 */
#include <stdlib.h>
#include <string.h>

#include "../traces/capture/capture.h"
#include "../traces/pages.h"
#include "harness.h"
#include "trace_util.h"

#define PS 4096

/* Page i: half a pattern that compresses, half noise, so zstd has work to do. */
static void make_page(unsigned char *p, uint64_t i)
{
	uint64_t st = i * 7919 + 1;

	for (int k = 0; k < PS; k++)
		p[k] = k < PS / 2 ? (unsigned char)(k / 8 + i) : (unsigned char)tu_rand(&st);
}

static int write_pages(const char *path, uint64_t n, char *err, size_t errlen)
{
	struct zpb_pages_writer *w = zpb_pages_writer_open(path, PS, err, errlen);
	unsigned char page[PS];

	if (!w)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		make_page(page, i);
		if (zpb_pages_write(w, page, err, errlen)) {
			zpb_pages_writer_abort(w);
			return -1;
		}
	}
	return zpb_pages_writer_finish(w, err, errlen);
}

/* Read the whole file: 0 when every page and the end check pass, else -1 with @err. */
static int read_all(const char *path, uint64_t *pages, char *err, size_t errlen)
{
	struct zpb_pages_reader *r = zpb_pages_open(path, err, errlen);
	static unsigned char page[65536];	/* a damaged header may claim any size the reader accepts */
	int rc;

	*pages = 0;
	if (!r)
		return -1;
	while ((rc = zpb_pages_next(r, page, err, errlen)) == 1)
		(*pages)++;
	zpb_pages_close(r);
	return rc;
}

TEST(pages_roundtrip_gives_every_page_back_and_checks_the_count)
{
	const char *path = tu_path("rt.pages");
	struct zpb_page_set set;
	unsigned char want[PS];
	char err[512];

	REQUIRE(!write_pages(path, 300, err, sizeof(err)), "write: %s", err);
	REQUIRE(!zpb_page_set_load(&set, path, err, sizeof(err)), "load: %s", err);
	CHECK_EQ_UL(set.info.page_count, 300, "page count");
	CHECK_EQ_UL(set.info.version, ZPB_PAGES_VERSION, "version");
	for (uint64_t i = 0; i < 300; i++) {
		make_page(want, i);
		if (memcmp(zpb_page_set_page(&set, i), want, PS)) {
			CHECK(0, "page %llu differs from what was written", (unsigned long long)i);
			break;
		}
	}
	CHECK(set.info.file_bytes < 300 * PS * 3 / 4, "not compressed: %llu bytes for 300 pages",
	      (unsigned long long)set.info.file_bytes);
	zpb_page_set_free(&set);
}

TEST(pages_empty_file_has_no_pages_and_reads_cleanly)
{
	const char *path = tu_path("empty.pages");
	uint64_t n;
	char err[512];

	REQUIRE(!write_pages(path, 0, err, sizeof(err)), "write: %s", err);
	CHECK(read_all(path, &n, err, sizeof(err)) == 0 && n == 0, "read: %s (%llu pages)", err,
	      (unsigned long long)n);
}

/* Damage @path's bytes with @fn, and expect a reading error containing @want. */
static void expect_damaged(const char *name, void (*fn)(unsigned char *b, size_t *len), const char *want)
{
	const char *path = tu_path(name);
	unsigned char *b;
	uint64_t n;
	size_t len;
	char err[512] = "";

	REQUIRE(!write_pages(path, 40, err, sizeof(err)), "write: %s", err);
	b = tu_read_file(path, &len);
	fn(b, &len);
	tu_write_file(path, b, len);
	free(b);
	CHECK(read_all(path, &n, err, sizeof(err)) == -1, "%s: damaged file read without error", name);
	CHECK(strstr(err, path) && strstr(err, want), "%s: expected an error naming the file and '%s', got '%s'",
	      name, want, err);
}

static void flip_stream_byte(unsigned char *b, size_t *len) { b[*len / 2] ^= 0x40; }
static void cut_half(unsigned char *b, size_t *len) { (void)b; *len /= 2; }
static void add_trailing(unsigned char *b, size_t *len) { b[*len] = 0; (*len)++; }
static void bump_count(unsigned char *b, size_t *len) { (void)len; b[24]++; }
static void lower_count(unsigned char *b, size_t *len) { (void)len; b[24]--; }
static void bump_version(unsigned char *b, size_t *len) { (void)len; b[8] = 2; }
static void bad_magic(unsigned char *b, size_t *len) { (void)len; b[1] = 'Q'; }
static void flip_checksum(unsigned char *b, size_t *len) { (void)len; b[40] ^= 1; }
static void page_size_12k(unsigned char *b, size_t *len) { (void)len; b[17] = 0x30; }
static void page_size_128k(unsigned char *b, size_t *len) { (void)len; b[17] = 0; b[18] = 0x02; }

TEST(pages_damage_is_reported_naming_the_file)
{
	expect_damaged("flip.pages", flip_stream_byte, "page");
	expect_damaged("cut.pages", cut_half, "truncated");
	expect_damaged("trail.pages", add_trailing, "trailing");
	expect_damaged("more.pages", bump_count, "fewer pages");
	expect_damaged("less.pages", lower_count, "more pages");
	expect_damaged("version.pages", bump_version, "unsupported page-content version 2");
	expect_damaged("magic.pages", bad_magic, "bad magic");
	expect_damaged("sum.pages", flip_checksum, "checksum mismatch");
	expect_damaged("ps.pages", page_size_12k, "page size 12288");
	expect_damaged("ps128.pages", page_size_128k, "page size 131072");
}

TEST(capture_pages_keeps_the_input_pages_as_contents)
{
	const char *img = tu_path("img.bin"), *out = tu_path("cap.zpt");
	unsigned char data[PS * 3 + 100];
	struct zpb_capture_pages_opts o;
	struct zpb_capture_pages_stats st;
	struct zpb_page_set set;
	char pp[4096], err[512];
	const char *files[1] = { img };

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 31 / 7);
	tu_write_file(img, data, sizeof(data));
	REQUIRE(!zpb_pages_path(out, pp, sizeof(pp)), "path");
	memset(&o, 0, sizeof(o));
	o.files = files;
	o.nfiles = 1;
	o.out = out;
	o.pages_out = pp;
	o.policy.compressor = "lz4";
	o.policy.incompressible = ZPB_INCOMP_STORE;
	REQUIRE(!zpb_capture_pages(&o, &st, err, sizeof(err)), "capture pages: %s", err);
	REQUIRE(!zpb_page_set_load(&set, pp, err, sizeof(err)), "load: %s", err);
	CHECK_EQ_UL(set.info.page_count, 4, "pages (3 whole and one padded)");
	CHECK(!memcmp(set.data, data, sizeof(data)), "the contents differ from the image");
	CHECK(set.data[sizeof(data)] == 0 && set.data[4 * PS - 1] == 0, "the last page is not zero-padded");
	zpb_page_set_free(&set);
}

TEST(bundled_samples_with_contents_read_whole_and_cover_their_references)
{
	static const char *const samples[] = { "traces/samples/binaries-lru.zpt", "traces/samples/licenses-lru.zpt" };

	for (int s = 0; s < 2; s++) {
		struct zpb_trace_reader *r;
		struct zpb_record rec;
		struct zpb_page_set set;
		char pp[4096], err[512];
		uint64_t bad = 0;
		int rc;

		REQUIRE(!zpb_pages_path(samples[s], pp, sizeof(pp)), "path");
		REQUIRE(!zpb_page_set_load(&set, pp, err, sizeof(err)), "%s", err);
		CHECK(set.info.file_bytes <= 2u << 20, "%s: %llu bytes, above 2 MiB", pp,
		      (unsigned long long)set.info.file_bytes);
		r = zpb_trace_open(samples[s], err, sizeof(err));
		REQUIRE(r, "%s", err);
		while ((rc = zpb_trace_next(r, &rec, err, sizeof(err))) == 1)
			if (rec.op == ZPB_OP_STORE &&
			    (!(rec.flags & ZPB_STORE_PAGEREF) || rec.content >= set.info.page_count))
				bad++;
		CHECK(rc == 0, "%s", err);
		CHECK(bad == 0, "%s: %llu stores without a page in %s", samples[s], (unsigned long long)bad, pp);
		zpb_trace_close(r);
		zpb_page_set_free(&set);
	}
}
