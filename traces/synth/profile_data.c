// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compressed-size histograms of real pages, generated; do not edit.
 * Command: python3 traces/synth/gen_profiles.py > traces/synth/profile_data.c
 * Date: 2026-11-25 07:12 UTC; kernel 6.18.44-fc-v669; compressor lz4; machine x86_64
 * Bucket i counts pages compressed to (64 i, 64 (i + 1)] bytes.
 */
#include "synth.h"

/* python-heap: anonymous memory of a python3 3.11.7 child (92 MiB): stdlib imports, dicts/lists/strings built from /usr/share/doc */
const struct zpb_size_hist zpb_hist_python_heap = {
	.name = "python-heap",
	.compressor = "lz4",
	.pages = 23666,
	.same_filled = 1083,
	.incompressible = 0,
	.buckets = {
		21, 11, 11, 8, 6, 8, 46, 136,
		139, 93, 427, 92, 81, 115, 654, 1176,
		2571, 337, 226, 244, 309, 331, 432, 427,
		475, 458, 945, 1085, 996, 1798, 1155, 756,
		1042, 855, 769, 1020, 787, 624, 380, 253,
		224, 198, 198, 205, 171, 83, 61, 55,
		58, 16, 6, 1, 1, 0, 0, 0,
		0, 0, 0, 0, 4, 3, 0, 0,
	},
};

/* binaries: /usr/bin: 105 files (first 24 MiB by name) */
/* binaries: /usr/lib/x86_64-linux-gnu: 17 files (first 24 MiB by name) */
const struct zpb_size_hist zpb_hist_binaries = {
	.name = "binaries",
	.compressor = "lz4",
	.pages = 12342,
	.same_filled = 36,
	.incompressible = 153,
	.buckets = {
		5, 10, 9, 12, 8, 23, 17, 35,
		26, 27, 51, 36, 30, 95, 74, 69,
		105, 117, 311, 483, 401, 415, 906, 258,
		136, 119, 172, 156, 159, 164, 147, 125,
		172, 144, 136, 153, 240, 268, 278, 271,
		271, 307, 366, 466, 547, 463, 469, 463,
		494, 478, 428, 332, 276, 178, 110, 54,
		34, 25, 8, 2, 6, 3, 2, 8,
	},
};

/* text: /usr/share/doc: 368 files, .gz decompressed (first 16 MiB by path) */
const struct zpb_size_hist zpb_hist_text = {
	.name = "text",
	.compressor = "lz4",
	.pages = 4309,
	.same_filled = 0,
	.incompressible = 45,
	.buckets = {
		4, 7, 14, 9, 16, 34, 33, 26,
		18, 18, 12, 23, 25, 37, 57, 55,
		78, 70, 81, 89, 83, 62, 42, 13,
		37, 37, 34, 42, 41, 61, 68, 121,
		97, 125, 136, 137, 150, 153, 156, 163,
		168, 285, 308, 279, 323, 223, 138, 27,
		8, 3, 0, 0, 3, 0, 0, 1,
		0, 1, 0, 0, 1, 1, 4, 27,
	},
};
