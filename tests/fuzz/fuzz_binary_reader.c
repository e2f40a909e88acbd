// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the binary trace reader. An input that starts with
 * the binary magic is read as a whole file (header fuzzing); any other is
 * taken as a record count (2 bytes) and record bytes behind a valid header,
 * so the fuzzer spends its time in the record decoder.
 */
#include "fuzz_common.h"

#define MAGIC "\x89ZPBTRC\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Version 1, header_size 39, page size 4096, no flags, count, "lz4", "" (and a NUL). */
	uint8_t hdr[40] = "\x89ZPBTRC\n" "\x01\x00\x00\x00" "\x27\x00\x00\x00" "\x00\x10\x00\x00"
			  "\x00\x00\x00\x00" "\x00\x00\x00\x00\x00\x00\x00\x00" "\x03\x00lz4" "\x00\x00";

	if (size >= 8 && !memcmp(data, MAGIC, 8)) {
		fuzz_load(NULL, 0, data, size);
	} else {
		if (size < 2)
			return 0;
		hdr[24] = data[0];
		hdr[25] = data[1];
		fuzz_load(hdr, sizeof(hdr) - 1, data + 2, size - 2);
	}
	fuzz_read();
	return 0;
}
