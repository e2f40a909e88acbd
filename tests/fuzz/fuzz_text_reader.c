// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the text trace reader. An input that does not start
 * with the text magic gets "# zpoolbench-trace 1\n" in front, so the fuzzer
 * spends its time in header lines and records rather than the magic.
 */
#include "fuzz_common.h"

#define MAGIC "# zpoolbench-trace"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] = "# zpoolbench-trace 1\n";

	if (size >= strlen(MAGIC) && !memcmp(data, MAGIC, strlen(MAGIC)))
		fuzz_load(NULL, 0, data, size);
	else
		fuzz_load((const uint8_t *)pre, strlen(pre), data, size);
	fuzz_read();
	return 0;
}
