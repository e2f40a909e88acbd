// SPDX-License-Identifier: GPL-2.0-only
/* The fill/verify patterns of the checks (selftest.h). */
#include <string.h>

#include "selftest.h"

static inline uint64_t pattern_word(uint64_t tag, size_t i)
{
	uint64_t x = tag * 0x9e3779b97f4a7c15ULL + i * 0xd6e8feb86659fd93ULL + 1;

	x ^= x >> 32;
	return x * 0xd6e8feb86659fd93ULL;
}

void zpb_pattern_fill(void *dst, size_t len, uint64_t tag)
{
	unsigned char *p = dst;
	size_t i, n = len / 8;
	uint64_t w;

	for (i = 0; i < n; i++) {
		w = pattern_word(tag, i);
		memcpy(p + i * 8, &w, 8);
	}
	if (len % 8) {
		w = pattern_word(tag, n);
		memcpy(p + n * 8, &w, len % 8);
	}
}

size_t zpb_pattern_verify(const void *src, size_t len, uint64_t tag)
{
	const unsigned char *p = src;
	size_t i, j, n = len / 8;
	uint64_t w;
	unsigned char b[8];

	for (i = 0; i <= n; i++) {
		size_t chunk = i < n ? 8 : len % 8;

		if (!chunk)
			break;
		w = pattern_word(tag, i);
		memcpy(b, &w, 8);
		if (memcmp(p + i * 8, b, chunk))
			for (j = 0; j < chunk; j++)
				if (p[i * 8 + j] != b[j])
					return i * 8 + j;
	}
	return len;
}
